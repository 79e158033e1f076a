//! The `clinrule` command: checks rule files and evaluates patient cases.
//!
//! [`run`] takes the arguments and the output streams and returns the exit
//! code, so that tests run the whole command in process. This is the only
//! crate that reads files, prints and chooses exit codes.
//!
//! Exit codes: 0 success, 1 findings (errors in rule files), 2 usage or
//! input errors (unreadable files, bad arguments, a bad case), 3 an internal
//! error (a bug, reported as such).

mod args;
mod commands;
mod diagnostics;
mod error;
mod exit;
mod files;
mod output;
mod safe_text;
mod session;

use std::ffi::OsString;
use std::io::{BufRead, Write};

use clap::Parser as _;

pub use args::{Arguments, Audience, Command, Explain, ExplainFormat, Format, GraphFormat};
pub use clinrule::render::FORMAT_VERSION;
pub use diagnostics::{Style, render as render_diagnostic};
pub use error::CliError;
pub use exit::{EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OUTPUT, EXIT_SUCCESS, EXIT_USAGE};
pub use files::SourceFile;
pub use output::remove_partial_files_on_signals;
pub use session::{MAX_SHOWN_DIAGNOSTICS, Terminal};

/// `text` as the command shows it to people: every control character,
/// bidirectional control and line separator written as a visible escape,
/// line ends and tabs kept.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    safe_text::keeping_lines(text)
}

/// Runs the command line `arguments` (the first being the program name),
/// writing results to `out` and diagnostics to `err`; returns the exit code.
/// Commands that read answers (`consult`) find none.
pub fn run<I, T>(arguments: I, out: &mut dyn Write, err: &mut dyn Write, terminal: Terminal) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_with_input(arguments, &mut std::io::empty(), out, err, terminal)
}

/// As [`run`], reading answers for `consult` from `input`, one per line.
pub fn run_with_input<I, T>(
    arguments: I,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = match Arguments::try_parse_from(arguments) {
        Ok(parsed) => parsed,
        Err(error) => {
            let text = error.render().to_string();
            return if error.use_stderr() {
                let _ = write!(err, "{text}");
                EXIT_USAGE
            } else {
                let _ = write!(out, "{text}");
                EXIT_SUCCESS
            };
        }
    };
    let mut watched = output::Watched::new(out);
    // Reports for people show user text with nothing a terminal would obey;
    // JSON escapes its own strings and must stay exactly as written.
    let json = writes_json(&parsed.command);
    let code = {
        // A coloured stream carries Clinrule's own escape sequences, so it
        // is not filtered: there the text from rule files and cases is made
        // safe where it enters a report (`safe_text::one_line`, the display
        // copy of a file that diagnostics show), as it is everywhere.
        let mut escaped_err = safe_text::Escaping::new(err);
        escaped_err.passing = terminal.colour_stderr;
        let code = if json {
            run_command(
                parsed.command,
                input,
                &mut watched,
                &mut escaped_err,
                terminal,
            )
        } else {
            let mut escaped_out = safe_text::Escaping::new(&mut watched);
            escaped_out.passing = terminal.colour_stdout;
            let code = run_command(
                parsed.command,
                input,
                &mut escaped_out,
                &mut escaped_err,
                terminal,
            );
            let _ = escaped_out.flush();
            code
        };
        let _ = escaped_err.flush();
        code
    };
    match watched.finish() {
        None => code,
        // The program reading the output stopped reading (a pager closed):
        // that is its choice, not a problem to report.
        Some((std::io::ErrorKind::BrokenPipe, _)) => EXIT_OUTPUT,
        Some((_, reason)) => {
            let text = diagnostics::render(
                &CliError::OutputFailed { reason },
                None,
                Style {
                    colour: terminal.colour_stderr,
                    width: terminal.width,
                },
            );
            let _ = writeln!(err, "{text}");
            EXIT_OUTPUT
        }
    }
}

/// Whether the command writes JSON to standard output.
fn writes_json(command: &Command) -> bool {
    match command {
        Command::Eval { format, .. } => *format == Some(Format::Json),
        Command::Explain { format, .. } => *format == ExplainFormat::Json,
        _ => false,
    }
}

/// Runs one parsed command: each in its own module, through the library's pipeline.
fn run_command(
    command: Command,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> u8 {
    let session = &mut session::Session {
        input,
        out,
        err,
        terminal,
    };
    match command {
        Command::Check {
            rules,
            deny_warnings,
        } => commands::check::run(session, &rules, deny_warnings),
        Command::Eval {
            rules,
            case,
            cases,
            out,
            quiet,
            format,
            explain,
            audience,
        } => {
            if let Some(cases) = cases {
                let format = match format {
                    None | Some(Format::Summary) => commands::cohort::CohortFormat::Summary,
                    Some(Format::Json) => commands::cohort::CohortFormat::Json,
                    Some(Format::Text | Format::Markdown) => {
                        return session.usage_error(&CliError::CohortFormat);
                    }
                };
                return commands::cohort::run(
                    session,
                    &rules,
                    &cases,
                    out.as_deref(),
                    format,
                    quiet,
                );
            }
            let format = format.unwrap_or(Format::Text);
            if format == Format::Summary {
                return session.usage_error(&CliError::SummaryNeedsCohort);
            }
            if audience == Audience::Patient && format != Format::Markdown {
                return session.usage_error(&CliError::AudienceNeedsMarkdown);
            }
            let Some(case) = case else {
                return EXIT_USAGE;
            };
            commands::eval::run(session, &rules, &case, format, explain, audience)
        }
        Command::Explain {
            rules,
            case,
            rule,
            conclusion,
            format,
        } => {
            let target = match (rule, conclusion) {
                (Some(rule), _) => clinrule::render::story::Target::Rule(rule),
                (None, Some(conclusion)) => clinrule::render::story::Target::Conclusion(conclusion),
                (None, None) => return EXIT_USAGE,
            };
            commands::explain::run(session, &rules, &case, &target, format)
        }
        Command::Consult(consult) => commands::consult::run(session, &consult),
        Command::Fmt { rules, check } => commands::fmt::run(session, &rules, check),
        Command::Graph { rules, format } => commands::graph::run(session, &rules, format),
        Command::Test {
            rules,
            coverage,
            min_coverage,
        } => commands::test::run(session, &rules, coverage, min_coverage),
    }
}
