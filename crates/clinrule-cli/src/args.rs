//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Clinrule: clinical decision rules that explain themselves.
#[derive(Debug, Parser)]
#[command(name = "clinrule", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Arguments {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rule files and report every problem; exit 1 on any error.
    Check {
        /// Rule files (`.crl`) or folders of them.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Evaluate one patient case against a rule set and explain the result.
    Eval {
        /// The rule file (`.crl`), or a folder holding exactly one.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// The patient case, a JSON file (see docs/case-format.md).
        #[arg(long, value_name = "CASE.json")]
        case: PathBuf,
        /// How to write the result.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Output formats of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable tree for a terminal.
    Text,
    /// JSON for machines, described in docs/trace-format.md.
    Json,
}
