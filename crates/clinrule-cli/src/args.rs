//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Clinrule: clinical decision rules that explain themselves.
#[derive(Debug, Parser)]
#[command(name = "clinrule", version, about, long_about = None)]
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
        #[arg(
            long,
            value_name = "CASE.json",
            required_unless_present = "cases",
            conflicts_with = "cases"
        )]
        case: Option<PathBuf>,
        /// A cohort: one case per line (NDJSON), evaluated on every core.
        #[arg(long, value_name = "COHORT.ndjson")]
        cases: Option<PathBuf>,
        /// For a cohort: where to write the results (standard output otherwise).
        #[arg(long, value_name = "RESULTS", requires = "cases")]
        out: Option<PathBuf>,
        /// For a cohort: no progress on standard error.
        #[arg(long, requires = "cases")]
        quiet: bool,
        /// How to write the result: text, json or markdown for one case
        /// (text unless given); json or summary for a cohort (summary unless given).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// How much of the story the text tells: the conclusions and why
        /// (brief), also why every other rule did not fire (rules), or every
        /// condition of every rule (full). JSON always holds everything.
        #[arg(long, value_enum, default_value_t = Explain::Brief)]
        explain: Explain,
        /// Who the Markdown report is for: clinicians (the whole clinical
        /// note) or patients and families (plain language only).
        #[arg(long, value_enum, default_value_t = Audience::Clinician)]
        audience: Audience,
    },
    /// Explain one rule or conclusion for a case: why it was reached, why
    /// not, or what it waits on.
    Explain {
        /// The rule file (`.crl`), or a folder holding exactly one.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// The patient case, a JSON file (see docs/case-format.md).
        #[arg(long, value_name = "CASE.json")]
        case: PathBuf,
        /// The rule to explain, by identifier.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "conclusion",
            conflicts_with = "conclusion"
        )]
        rule: Option<String>,
        /// The conclusion to explain, by identifier: every rule that can reach it.
        #[arg(long, value_name = "ID")]
        conclusion: Option<String>,
        /// How to write the explanation.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Run the editors' test cases: for `rules/NAME.crl`, every case in
    /// `rules/tests/NAME/` with an `expect`; exit 1 on any failure.
    Test {
        /// Rule files (`.crl`) or folders of them.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// Report, per rule and per condition, which outcomes the tests produced.
        #[arg(long)]
        coverage: bool,
        /// Fail when fewer than this percentage of the rules are fired by some test.
        #[arg(long, value_name = "PCT", value_parser = clap::value_parser!(u8).range(0..=100))]
        min_coverage: Option<u8>,
    },
    /// Lay rule files out in the one canonical way, keeping every comment;
    /// with `--check`, change nothing and exit 1 if a file would change.
    Fmt {
        /// Rule files (`.crl`) or folders of them.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// Only report the files that would change.
        #[arg(long)]
        check: bool,
    },
    /// Draw what each fact influences: facts, derived values, scores and
    /// differentials, rules and their conclusions.
    Graph {
        /// The rule file (`.crl`), or a folder holding exactly one.
        #[arg(required = true, value_name = "RULES")]
        rules: Vec<PathBuf>,
        /// Mermaid (for Markdown viewers) or Graphviz DOT.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Ask for the missing data, most decisive first, re-evaluating after
    /// each answer; answers may be typed or piped in, one per line.
    Consult(ConsultArguments),
}

/// The arguments of `consult`.
#[derive(Debug, clap::Args)]
pub struct ConsultArguments {
    /// The rule file (`.crl`), or a folder holding exactly one.
    #[arg(required = true, value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// A partial case to start from (see docs/case-format.md); without it,
    /// the consultation starts from nothing.
    #[arg(long, value_name = "CASE.json")]
    pub case: Option<PathBuf>,
    /// Where to save the completed case, as JSON.
    #[arg(long, value_name = "OUT.json")]
    pub save: Option<PathBuf>,
}

/// How much of the story `eval` tells in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Explain {
    /// The conclusions and why, what is undecided, and what would decide it.
    Brief,
    /// Also every rule that did not fire, with the conditions that failed.
    Rules,
    /// Every condition of every rule, score criterion and differential argument.
    Full,
}

/// Output formats of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable tree for a terminal.
    Text,
    /// JSON for machines, described in docs/trace-format.md.
    Json,
    /// A clinical report in Markdown, laid out like a clinical note.
    Markdown,
    /// For a cohort: the number of cases that reached each conclusion.
    Summary,
}

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Readable text for a terminal.
    Text,
    /// JSON for machines, described in docs/trace-format.md.
    Json,
}

/// Who a Markdown report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Audience {
    /// Clinicians: the assessment, work-up, management, pitfalls, follow-up and references.
    Clinician,
    /// Patients and families: the plain-language text the rules provide.
    Patient,
}
