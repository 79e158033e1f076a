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
mod cohort;
mod consult;
mod diagnostics;
mod error;
mod explain;
mod explain_command;
mod files;
mod graph;
mod json_output;
mod markdown;
mod output;
mod report;
mod safe_text;
mod test_command;
mod text_output;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::Parser as _;
use miette::Diagnostic;

use clinrule_check::CheckedRuleSet;
use clinrule_eval::Case;

pub use args::{Arguments, Audience, Command, Explain, ExplainFormat, Format, GraphFormat};
pub use diagnostics::{Style, render as render_diagnostic};
pub use error::CliError;
pub use files::SourceFile;
pub use json_output::FORMAT_VERSION;
pub use output::remove_partial_files_on_signals;

/// Success.
pub const EXIT_SUCCESS: u8 = 0;
/// Findings: errors in rule files.
pub const EXIT_FINDINGS: u8 = 1;
/// Usage or input errors: bad arguments, unreadable files, a bad case.
pub const EXIT_USAGE: u8 = 2;
/// An internal error: a bug in Clinrule.
pub const EXIT_INTERNAL: u8 = 3;
/// The results could not be written: a full disk, a closed pipe, a device
/// that refused them. What was written is incomplete.
pub const EXIT_OUTPUT: u8 = 4;

/// What the command needs to know about where it writes.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    /// Whether standard output is a terminal and colour is allowed there.
    pub colour_stdout: bool,
    /// Whether standard error is a terminal and colour is allowed there.
    pub colour_stderr: bool,
    /// The width to wrap diagnostics at.
    pub width: usize,
    /// Whether standard error is a terminal, where a cohort run shows its progress.
    pub progress: bool,
    /// Whether to repeat each answer `consult` reads, so that a transcript
    /// of piped answers reads like a conversation.
    pub echo_input: bool,
}

impl Terminal {
    /// No colour, 80 columns: for tests and pipes.
    pub fn plain() -> Terminal {
        Terminal {
            colour_stdout: false,
            colour_stderr: false,
            width: 80,
            progress: false,
            echo_input: true,
        }
    }
}

/// The most diagnostics shown for one file: the rest are counted.
pub const MAX_SHOWN_DIAGNOSTICS: usize = 200;

/// How many threads the command may use: the machine's cores, found once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// `text` as the command shows it to people: every control character,
/// bidirectional control and line separator written as a visible escape,
/// line ends and tabs kept.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    safe_text::keeping_lines(text)
}

/// The JSON result of one evaluated case, as `eval --format json` writes
/// it, for programs that embed the engine.
pub fn render_json(
    rule_set: &CheckedRuleSet,
    case: &Case,
    evaluation: &clinrule_eval::Evaluation,
) -> String {
    json_output::render(&report::Evaluated {
        file_name: "",
        rule_set,
        case,
        evaluation,
    })
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

/// Runs one parsed command.
fn run_command(
    command: Command,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: Terminal,
) -> u8 {
    let mut session = Session { out, err, terminal };
    match command {
        Command::Check {
            rules,
            deny_warnings,
        } => session.check(&rules, deny_warnings),
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
                    None | Some(Format::Summary) => cohort::CohortFormat::Summary,
                    Some(Format::Json) => cohort::CohortFormat::Json,
                    Some(Format::Text | Format::Markdown) => {
                        return session.usage_error(&CliError::CohortFormat);
                    }
                };
                return session.cohort(&rules, &cases, out.as_deref(), format, quiet);
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
            session.eval(&rules, &case, format, explain, audience)
        }
        Command::Explain {
            rules,
            case,
            rule,
            conclusion,
            format,
        } => {
            let target = match (rule, conclusion) {
                (Some(rule), _) => explain_command::Target::Rule(rule),
                (None, Some(conclusion)) => explain_command::Target::Conclusion(conclusion),
                (None, None) => return EXIT_USAGE,
            };
            session.explain(&rules, &case, &target, format)
        }
        Command::Consult(consult) => session.consult(&consult, input),
        Command::Fmt { rules, check } => session.fmt(&rules, check),
        Command::Graph { rules, format } => {
            let loaded = match session.load_rule_set(&rules) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            let Some(rule_set) = loaded.rule_set.as_ref() else {
                return EXIT_FINDINGS;
            };
            let text = match format {
                GraphFormat::Mermaid => graph::mermaid(rule_set),
                GraphFormat::Dot => graph::dot(rule_set),
            };
            let _ = session.out.write_all(text.as_bytes());
            EXIT_SUCCESS
        }
        Command::Test {
            rules,
            coverage,
            min_coverage,
        } => session.test(&rules, coverage, min_coverage),
    }
}

/// A rule file read, parsed and checked.
struct LoadedRuleFile {
    file: SourceFile,
    /// Every file of the rule set, as found: the inputs no output may replace.
    file_paths: Vec<PathBuf>,
    rule_set: Option<CheckedRuleSet>,
    diagnostics: Vec<Box<dyn Diagnostic + Send + Sync>>,
    errors: usize,
    warnings: usize,
}

/// Reads, parses and checks one rule set, in one file or several.
fn load(set: Vec<files::ReadFile>) -> Result<LoadedRuleFile, CliError> {
    let file_paths = set.iter().map(|file| file.path.clone()).collect();
    let file = files::read_rule_set(set)?;
    let (parsed, syntax_errors) = clinrule_syntax::parse_on(&file.text, cores());
    let outcome = clinrule_check::check_on(&file.text, &parsed, cores());
    let mut diagnostics: Vec<(u32, Box<dyn Diagnostic + Send + Sync>)> = Vec::new();
    let mut errors = syntax_errors.len();
    let mut warnings = 0;
    for error in syntax_errors {
        diagnostics.push((error.span().start, Box::new(error)));
    }
    for diagnostic in outcome.diagnostics {
        if diagnostic.is_warning() {
            warnings += 1;
        } else {
            errors += 1;
        }
        let start = diagnostic
            .labels()
            .and_then(|mut labels| labels.next())
            .map_or(0, |label| u32::try_from(label.offset()).unwrap_or(u32::MAX));
        diagnostics.push((start, Box::new(diagnostic)));
    }
    // Syntax and check diagnostics together, in the order of the file.
    diagnostics.sort_by_key(|(start, _)| *start);
    let mut rule_set = outcome.rule_set;
    if let Some(rule_set) = rule_set.as_mut() {
        rule_set.parts = file
            .parts
            .iter()
            .map(|(name, start)| (name.clone(), u32::try_from(*start).unwrap_or(u32::MAX)))
            .collect();
    }
    Ok(LoadedRuleFile {
        file,
        file_paths,
        rule_set,
        diagnostics: diagnostics
            .into_iter()
            .map(|(_, diagnostic)| diagnostic)
            .collect(),
        errors,
        warnings,
    })
}

struct Session<'streams> {
    out: &'streams mut dyn Write,
    err: &'streams mut dyn Write,
    terminal: Terminal,
}

impl Session<'_> {
    fn style(&self) -> Style {
        Style {
            colour: self.terminal.colour_stderr,
            width: self.terminal.width,
        }
    }

    fn report(&mut self, diagnostic: &dyn Diagnostic, source: Option<&SourceFile>) {
        let text = diagnostics::render(diagnostic, source, self.style());
        let _ = writeln!(self.err, "{text}");
    }

    /// Reports the diagnostics of one file, at most
    /// [`MAX_SHOWN_DIAGNOSTICS`] of them; the rest are counted in one line,
    /// so that a file with a hundred thousand problems gives a readable
    /// report of bounded size.
    fn report_many<'diagnostic>(
        &mut self,
        diagnostics: impl IntoIterator<Item = &'diagnostic dyn Diagnostic>,
        source: &SourceFile,
    ) {
        let mut not_shown = 0usize;
        for (position, diagnostic) in diagnostics.into_iter().enumerate() {
            if position < MAX_SHOWN_DIAGNOSTICS {
                self.report(diagnostic, Some(source));
            } else {
                not_shown += 1;
            }
        }
        if not_shown > 0 {
            let _ = writeln!(
                self.err,
                "{}: {not_shown} more {} not shown; fix those above and run again\n",
                source.display_name(),
                if not_shown == 1 {
                    "problem"
                } else {
                    "problems"
                }
            );
        }
    }

    fn usage_error(&mut self, error: &CliError) -> u8 {
        self.report(error, None);
        EXIT_USAGE
    }

    fn check(&mut self, paths: &[PathBuf], deny_warnings: bool) -> u8 {
        let files = match files::rule_files(paths) {
            Ok(files) => files,
            Err(error) => return self.usage_error(&error),
        };
        let mut total_errors = 0;
        let mut total_warnings = 0;
        let mut unreadable = 0;
        let file_count = files.len();
        let sets = files::rule_sets(files);
        for set in sets {
            let names: Vec<String> = set
                .iter()
                .map(|file| file.path.display().to_string())
                .collect();
            let loaded = match load(set) {
                Ok(loaded) => loaded,
                Err(error) => {
                    self.report(&error, None);
                    let _ = writeln!(self.out, "{}: not read", names.join(", "));
                    unreadable += 1;
                    continue;
                }
            };
            // Warnings found by trying cases, once the file is sound.
            let lints = loaded
                .rule_set
                .as_ref()
                .map(clinrule_eval::lint::lint)
                .unwrap_or_default();
            let lint_warnings = lints.len();
            self.report_many(
                loaded
                    .diagnostics
                    .iter()
                    .map(|diagnostic| diagnostic.as_ref() as &dyn Diagnostic)
                    .chain(lints.iter().map(|warning| warning as &dyn Diagnostic)),
                &loaded.file,
            );
            total_errors += loaded.errors;
            total_warnings += loaded.warnings + lint_warnings;
            let verdict = match (loaded.errors, loaded.warnings + lint_warnings) {
                (0, 0) => "clean".to_owned(),
                (errors, warnings) => {
                    format!("{}, {}", count(errors, "error"), count(warnings, "warning"))
                }
            };
            let _ = writeln!(self.out, "{}: {verdict}", loaded.file.display_name());
        }
        let not_read = if unreadable > 0 {
            format!(", {unreadable} not read")
        } else {
            String::new()
        };
        let _ = writeln!(
            self.out,
            "checked {}: {}, {}{not_read}",
            count(file_count, "rule file"),
            count(total_errors, "error"),
            count(total_warnings, "warning")
        );
        if unreadable > 0 {
            EXIT_USAGE
        } else if total_errors > 0 || (deny_warnings && total_warnings > 0) {
            EXIT_FINDINGS
        } else {
            EXIT_SUCCESS
        }
    }

    fn eval(
        &mut self,
        paths: &[PathBuf],
        case_path: &std::path::Path,
        format: Format,
        explain: Explain,
        audience: Audience,
    ) -> u8 {
        let (loaded, case, _) = match self.load_case(paths, case_path) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        let Some(rule_set) = loaded.rule_set.as_ref() else {
            return EXIT_FINDINGS;
        };
        let evaluation = clinrule_eval::evaluate(rule_set, &case);
        let evaluated = report::Evaluated {
            file_name: &loaded.file.name,
            rule_set,
            case: &case,
            evaluation: &evaluation,
        };
        let level = match explain {
            Explain::Brief => text_output::Level::Brief,
            Explain::Rules => text_output::Level::Rules,
            Explain::Full => text_output::Level::Full,
        };
        let text = match format {
            Format::Json => json_output::render(&evaluated),
            Format::Markdown => markdown::render(
                &evaluated,
                match audience {
                    Audience::Clinician => markdown::Audience::Clinician,
                    Audience::Patient => markdown::Audience::Patient,
                },
            ),
            Format::Text | Format::Summary => text_output::render(
                &evaluated,
                text_output::Palette::new(self.terminal.colour_stdout),
                level,
            ),
        };
        let _ = self.out.write_all(text.as_bytes());
        EXIT_SUCCESS
    }

    /// Evaluates a cohort, one case per line.
    fn cohort(
        &mut self,
        paths: &[PathBuf],
        cases: &std::path::Path,
        out_path: Option<&std::path::Path>,
        format: cohort::CohortFormat,
        quiet: bool,
    ) -> u8 {
        let loaded = match self.load_rule_set(paths) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        let Some(rule_set) = loaded.rule_set.as_ref() else {
            return EXIT_FINDINGS;
        };
        // The output file is checked before anything is read: it must not
        // be an input of this run, nor a folder, a device or a pipe.
        let target = match out_path {
            Some(path) => {
                let mut inputs: Vec<&std::path::Path> = vec![cases];
                inputs.extend(paths.iter().map(PathBuf::as_path));
                inputs.extend(loaded.file_paths.iter().map(PathBuf::as_path));
                match output::Target::check(path, &inputs) {
                    Ok(target) => Some(target),
                    Err(error) => return self.usage_error(&error),
                }
            }
            None => None,
        };
        let unreadable = |reason: String| CliError::Unreadable {
            path: cases.display().to_string(),
            reason,
        };
        if let Some(reason) = files::refuse_before_reading(cases) {
            return self.usage_error(&unreadable(reason));
        }
        let input = match std::fs::File::open(cases) {
            Ok(input) => input,
            Err(error) => return self.usage_error(&unreadable(files::reason(&error))),
        };
        let total_bytes = input
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|metadata| metadata.len());
        let mut input = std::io::BufReader::with_capacity(1 << 16, input);
        let progress = (self.terminal.progress && !quiet)
            .then_some(total_bytes)
            .flatten();
        let file_name = loaded.file.name.as_str();
        let err = &mut *self.err;
        let result = match &target {
            // Results go to a file beside the one asked for, renamed to it
            // only once every line is written: an interrupted run never
            // leaves a file that looks complete.
            Some(target) => output::write_whole(target, |out| {
                cohort::run(rule_set, file_name, &mut input, out, err, format, progress)
            })
            .map_err(|failure| match failure {
                output::WriteFailure::Work(failure) => Err(failure),
                output::WriteFailure::File(error) => Ok(error),
            }),
            None => {
                let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *self.out);
                let result = cohort::run(
                    rule_set,
                    file_name,
                    &mut input,
                    &mut buffered,
                    err,
                    format,
                    progress,
                );
                drop(buffered);
                result.map_err(Err)
            }
        };
        match result {
            Ok(totals) if totals.refused > 0 => {
                let _ = writeln!(
                    self.err,
                    "{}: {} of {} lines refused; each is reported above{}",
                    cases.display(),
                    totals.refused,
                    totals.lines,
                    if format == cohort::CohortFormat::Json {
                        " and written as an error record"
                    } else {
                        ""
                    }
                );
                EXIT_FINDINGS
            }
            Ok(_) => EXIT_SUCCESS,
            Err(Ok(error)) => self.usage_error(&error),
            Err(Err(cohort::CohortFailure::Read(error))) => {
                self.usage_error(&unreadable(files::reason(&error)))
            }
            Err(Err(cohort::CohortFailure::Write(error))) => match &target {
                Some(target) => {
                    let reason = output::reason(&error);
                    self.report(
                        &CliError::Unwritable {
                            path: target.shown().to_owned(),
                            help: output::help_for_reason(&reason),
                            reason,
                        },
                        None,
                    );
                    EXIT_OUTPUT
                }
                // Standard output's error was kept by the watcher, which
                // reports it when the command ends.
                None => EXIT_OUTPUT,
            },
        }
    }

    /// Explains one rule or conclusion.
    fn explain(
        &mut self,
        paths: &[PathBuf],
        case_path: &std::path::Path,
        target: &explain_command::Target,
        format: ExplainFormat,
    ) -> u8 {
        let (loaded, case, _) = match self.load_case(paths, case_path) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        let Some(rule_set) = loaded.rule_set.as_ref() else {
            return EXIT_FINDINGS;
        };
        let rules = match explain_command::rules_for(rule_set, target) {
            Ok(rules) => rules,
            Err(error) => {
                self.report(&error, Some(&loaded.file));
                return EXIT_USAGE;
            }
        };
        let evaluation = clinrule_eval::evaluate(rule_set, &case);
        let evaluated = report::Evaluated {
            file_name: &loaded.file.name,
            rule_set,
            case: &case,
            evaluation: &evaluation,
        };
        let text = match format {
            ExplainFormat::Json => explain_command::render_json(&evaluated, &rules),
            ExplainFormat::Text => explain_command::render_text(
                &evaluated,
                &rules,
                text_output::Palette::new(self.terminal.colour_stdout),
            ),
        };
        let _ = self.out.write_all(text.as_bytes());
        EXIT_SUCCESS
    }

    /// Formats rule files in place, or with `check` reports those that would change.
    fn fmt(&mut self, paths: &[PathBuf], check: bool) -> u8 {
        let files = match files::rule_files(paths) {
            Ok(files) => files,
            Err(error) => return self.usage_error(&error),
        };
        let (mut changed, mut refused) = (0, 0);
        for path in &files {
            let file = match files::read(path) {
                Ok(file) => file,
                Err(error) => {
                    self.report(&error, None);
                    refused += 1;
                    continue;
                }
            };
            let (_, errors) = clinrule_syntax::parse(&file.text);
            if !errors.is_empty() {
                self.report_many(errors.iter().map(|error| error as &dyn Diagnostic), &file);
                let _ = writeln!(
                    self.out,
                    "{}: not formatted: fix its syntax errors first",
                    file.name
                );
                refused += 1;
                continue;
            }
            let formatted = clinrule_syntax::format::format(&file.text);
            // The layout may change only whitespace: anything else is a bug,
            // and the file is left as it was.
            let same_rules = clinrule_syntax::format::tokens(&formatted)
                == clinrule_syntax::format::tokens(&file.text)
                && clinrule_syntax::parse(&formatted).1.is_empty();
            if !same_rules {
                let _ = writeln!(
                    self.err,
                    "internal error: formatting {} would change more than its layout; the file was left as it was; please report this",
                    file.name
                );
                return EXIT_INTERNAL;
            }
            if formatted == file.text {
                if !check {
                    let _ = writeln!(self.out, "{}: unchanged", file.name);
                }
                continue;
            }
            changed += 1;
            if check {
                let _ = writeln!(self.out, "{}: would be reformatted", file.name);
                continue;
            }
            // Written whole or not at all: on a full disk the editor's file
            // keeps its old text.
            let written = output::Target::check(path, &[])
                .and_then(|target| output::write_text(&target, &formatted));
            if let Err(error) = written {
                self.report(&error, None);
                return EXIT_OUTPUT;
            }
            let _ = writeln!(self.out, "{}: formatted", file.name);
        }
        let verb = if check { "would change" } else { "changed" };
        let _ = writeln!(
            self.out,
            "{} checked: {changed} {verb}{}",
            count(files.len(), "rule file"),
            if refused > 0 {
                format!(", {refused} not formatted")
            } else {
                String::new()
            }
        );
        if refused > 0 || (check && changed > 0) {
            EXIT_FINDINGS
        } else {
            EXIT_SUCCESS
        }
    }

    /// Asks for the missing data at the terminal.
    fn consult(&mut self, arguments: &args::ConsultArguments, input: &mut dyn BufRead) -> u8 {
        let (loaded, case_text) = match &arguments.case {
            Some(case_path) => match self.load_case(&arguments.rules, case_path) {
                Ok((loaded, _, case_file)) => (loaded, Some(case_file.text)),
                Err(code) => return code,
            },
            None => match self.load_rule_set(&arguments.rules) {
                Ok(loaded) => (loaded, None),
                Err(code) => return code,
            },
        };
        let Some(rule_set) = loaded.rule_set.as_ref() else {
            return EXIT_FINDINGS;
        };
        // The case is saved only where it overwrites none of the inputs,
        // checked before the first question is asked.
        let target = match &arguments.save {
            Some(path) => {
                let mut inputs: Vec<&std::path::Path> =
                    loaded.file_paths.iter().map(PathBuf::as_path).collect();
                inputs.extend(arguments.case.as_deref());
                match output::Target::check(path, &inputs) {
                    Ok(target) => Some(target),
                    Err(error) => return self.usage_error(&error),
                }
            }
            None => None,
        };
        let draft = match &case_text {
            Some(text) => consult::Draft::from_text(text),
            None => consult::Draft::empty(),
        };
        let completed = consult::consult(
            rule_set,
            &loaded.file.name,
            draft,
            input,
            self.out,
            self.terminal.echo_input,
        );
        if let Some(target) = &target {
            if let Err(error) = output::write_text(target, &completed.to_text()) {
                self.report(&error, None);
                return EXIT_OUTPUT;
            }
            let _ = writeln!(self.out, "\nThe case was saved to {}.", target.shown());
        }
        EXIT_SUCCESS
    }

    /// Reads the one rule set; on failure, reports it and gives the exit code.
    fn load_rule_set(&mut self, paths: &[PathBuf]) -> Result<LoadedRuleFile, u8> {
        let files = match files::rule_files(paths) {
            Ok(files) => files,
            Err(error) => return Err(self.usage_error(&error)),
        };
        let mut sets = files::rule_sets(files);
        if sets.len() != 1 {
            let names: Vec<String> = sets
                .iter()
                .filter_map(|set| set.first())
                .map(|file| format!("`{}`", file.path.display()))
                .collect();
            return Err(self.usage_error(&CliError::OneRuleSetExpected {
                count: sets.len(),
                files: names.join(", "),
            }));
        }
        let set = sets.pop().unwrap_or_default();
        let loaded = match load(set) {
            Ok(loaded) => loaded,
            Err(error) => return Err(self.usage_error(&error)),
        };
        if loaded.rule_set.is_none() {
            self.report_many(
                loaded
                    .diagnostics
                    .iter()
                    .map(|diagnostic| diagnostic.as_ref() as &dyn Diagnostic),
                &loaded.file,
            );
            let _ = writeln!(
                self.err,
                "{}: {}; fix them and run again (see `clinrule check`)",
                loaded.file.name,
                count(loaded.errors, "error")
            );
            return Err(EXIT_FINDINGS);
        }
        Ok(loaded)
    }

    /// Reads the one rule set and the case; on failure, reports it and
    /// gives the exit code.
    fn load_case(
        &mut self,
        paths: &[PathBuf],
        case_path: &std::path::Path,
    ) -> Result<(LoadedRuleFile, Case, SourceFile), u8> {
        let loaded = self.load_rule_set(paths)?;
        let Some(rule_set) = loaded.rule_set.as_ref() else {
            return Err(EXIT_FINDINGS);
        };
        let case_file = match files::read(case_path) {
            Ok(file) => file,
            Err(error) => return Err(self.usage_error(&error)),
        };
        let case = match Case::from_json(&case_file.text, rule_set) {
            Ok(case) => case,
            Err(errors) => {
                self.report_many(
                    errors.iter().map(|error| error as &dyn Diagnostic),
                    &case_file,
                );
                let _ = writeln!(
                    self.err,
                    "{}: {}; the case was not evaluated",
                    case_file.name,
                    count(errors.len(), "error")
                );
                return Err(EXIT_USAGE);
            }
        };
        Ok((loaded, case, case_file))
    }
}

/// "1 error", "2 errors".
fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}
