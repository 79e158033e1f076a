//! What every command shares: the streams, how problems are reported, and
//! reading a rule set and a case through the library's one pipeline.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Diagnostic;

use clinrule::{Case, Loaded, Loader, RuleSet};

use crate::diagnostics::{self, Style};
use crate::error::CliError;
use crate::exit::{EXIT_FINDINGS, EXIT_USAGE};
use crate::files::{self, SourceFile};

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

/// The streams a command writes to and what it knows about the terminal.
pub(crate) struct Session<'streams> {
    /// Standard input: a case given as `--case -`, or `consult`'s answers.
    pub(crate) input: &'streams mut dyn BufRead,
    pub(crate) out: &'streams mut dyn Write,
    pub(crate) err: &'streams mut dyn Write,
    pub(crate) terminal: Terminal,
}

/// A rule set read from its files and loaded through the library.
pub(crate) struct Rules {
    /// The rule set's text, for showing its problems.
    pub(crate) file: SourceFile,
    /// Every file of the rule set, as found: the inputs no output may replace.
    pub(crate) file_paths: Vec<PathBuf>,
    /// The problems found and, when none is an error, the rule set.
    pub(crate) loaded: Loaded,
}

impl Rules {
    /// The rule set, when it has no error.
    pub(crate) fn rule_set(&self) -> Option<&RuleSet> {
        self.loaded.rule_set()
    }
}

/// The one rule set a command evaluates against, loaded without errors.
pub(crate) struct OneRuleSet {
    /// The rule set's text, for showing problems that point into it.
    pub(crate) file: SourceFile,
    /// Every file of the rule set, as found: the inputs no output may replace.
    pub(crate) file_paths: Vec<PathBuf>,
    /// The rule set.
    pub(crate) rule_set: RuleSet,
}

/// How many threads the command may use: the machine's cores, found once.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// Reads the files of one rule set and loads it through the library's
/// pipeline on every core, with or without the warnings found by trying cases.
pub(crate) fn read_rules(set: Vec<files::ReadFile>, lints: bool) -> Result<Rules, CliError> {
    let file_paths = set.iter().map(|file| file.path.clone()).collect();
    let source = files::read_rule_set(set)?;
    let loaded = Loader::new().threads(cores()).lints(lints).load(source);
    Ok(Rules {
        file: SourceFile::of(Arc::clone(loaded.shared_source())),
        file_paths,
        loaded,
    })
}

/// "1 error", "2 errors".
pub(crate) fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

impl Session<'_> {
    fn style(&self) -> Style {
        Style {
            colour: self.terminal.colour_stderr,
            width: self.terminal.width,
        }
    }

    /// Reports one problem, with the file it points into.
    pub(crate) fn report(&mut self, diagnostic: &dyn Diagnostic, source: Option<&SourceFile>) {
        let text = diagnostics::render(diagnostic, source, self.style());
        let _ = writeln!(self.err, "{text}");
    }

    /// Reports the diagnostics of one file, at most
    /// [`MAX_SHOWN_DIAGNOSTICS`] of them; the rest are counted in one line,
    /// so that a file with a hundred thousand problems gives a readable
    /// report of bounded size.
    pub(crate) fn report_many<'diagnostic>(
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

    /// Reports every problem of a loaded rule set.
    pub(crate) fn report_problems(&mut self, rules: &Rules) {
        self.report_many(
            rules
                .loaded
                .problems()
                .iter()
                .map(|problem| problem as &dyn Diagnostic),
            &rules.file,
        );
    }

    /// Reports a usage or input error; gives its exit code.
    pub(crate) fn usage_error(&mut self, error: &CliError) -> u8 {
        self.report(error, None);
        EXIT_USAGE
    }

    /// Reads the one rule set named (for evaluating: without the warnings
    /// found by trying cases); on failure, reports it and gives the exit code.
    pub(crate) fn read_one_rule_set(&mut self, paths: &[PathBuf]) -> Result<OneRuleSet, u8> {
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
        let rules = match read_rules(set, false) {
            Ok(rules) => rules,
            Err(error) => return Err(self.usage_error(&error)),
        };
        if rules.rule_set().is_none() {
            self.report_problems(&rules);
            let _ = writeln!(
                self.err,
                "{}: {}; fix them and run again (see `clinrule check`)",
                rules.file.name(),
                count(rules.loaded.errors(), "error")
            );
            return Err(EXIT_FINDINGS);
        }
        let Rules {
            file,
            file_paths,
            loaded,
        } = rules;
        let rule_set = loaded.into_rule_set().ok_or(EXIT_FINDINGS)?;
        Ok(OneRuleSet {
            file,
            file_paths,
            rule_set,
        })
    }

    /// Reads the one rule set and the case; on failure, reports it and
    /// gives the exit code.
    pub(crate) fn read_rules_and_case(
        &mut self,
        paths: &[PathBuf],
        case_path: &Path,
    ) -> Result<(OneRuleSet, Case, SourceFile), u8> {
        let rules = self.read_one_rule_set(paths)?;
        let rule_set = &rules.rule_set;
        // `-` is standard input, as the tools of the shell read it.
        let case_file = if case_path == Path::new("-") {
            files::read_input(&mut *self.input)
        } else {
            files::read(case_path)
        };
        let case_file = match case_file {
            Ok(file) => file,
            Err(error) => return Err(self.usage_error(&error)),
        };
        let case = match rule_set.read_case(case_file.text()) {
            Ok(case) => case,
            Err(errors) => {
                self.report_many(
                    errors.iter().map(|error| error as &dyn Diagnostic),
                    &case_file,
                );
                let _ = writeln!(
                    self.err,
                    "{}: {}; the case was not evaluated",
                    case_file.name(),
                    count(errors.len(), "error")
                );
                return Err(EXIT_USAGE);
            }
        };
        Ok((rules, case, case_file))
    }
}
