//! Helpers shared by the whole-pipeline tests: running the pipeline on a
//! fixture, rendering diagnostics the way snapshots expect, and running the
//! `clinrule` command in process.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test support: a helper that cannot do its job fails the test that called it"
)]

pub mod fuzz;
pub mod generate;
pub mod reference;

use std::path::{Path, PathBuf};

use clinrule::{RuleSet, SourceMap};
use miette::Diagnostic;

/// The repository's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    root().join("tests").join("fixtures")
}

/// A path shown relative to the repository root, with `/` separators, so
/// snapshots do not depend on where the repository is checked out.
pub fn display_name(path: &Path) -> String {
    let relative = path.strip_prefix(root()).unwrap_or(path);
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The files directly in a folder whose names end with `ending`, sorted.
pub fn files_in(folder: &Path, ending: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_file() && path.to_string_lossy().ends_with(ending))
        .collect();
    found.sort();
    found
}

/// The files below a folder, at any depth, whose names end with `ending`,
/// sorted.
pub fn files_below(folder: &Path, ending: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
        {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.to_string_lossy().ends_with(ending) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Loads a rule file that must check, or fails the test with its text.
pub fn checked(name: &str, source: &str) -> RuleSet {
    check_source(name, source)
        .rule_set
        .unwrap_or_else(|| panic!("{name} does not check:\n{source}"))
}

/// A rule file with the cases written for it.
pub struct WithCases {
    /// The file's name without `.crl`.
    pub stem: String,
    /// The file's text.
    pub source: String,
    /// The texts of its cases.
    pub cases: Vec<String>,
}

/// Every bundled rule set with its editor-written tests, and the seed rule
/// set with the bundled cases too.
pub fn bundled_with_cases() -> Vec<WithCases> {
    files_in(&root().join("rules"), ".crl")
        .into_iter()
        .map(|path| {
            let stem = stem_of(&path);
            let mut folders = vec![root().join("rules/tests").join(&stem)];
            if stem == "metaphyseal-sclerosis" {
                folders.push(root().join("rules/cases"));
            }
            let cases: Vec<PathBuf> = folders
                .iter()
                .flat_map(|folder| files_in(folder, ".json"))
                .collect();
            WithCases::read(&path, stem, &cases)
        })
        .collect()
}

/// Every evaluation fixture's rule file with its cases
/// (`fixtures/eval/<stem>.<name>.case.json`).
pub fn eval_fixtures_with_cases() -> Vec<WithCases> {
    let folder = fixtures().join("eval");
    let all_cases = files_in(&folder, ".case.json");
    files_in(&folder, ".crl")
        .into_iter()
        .map(|path| {
            let stem = stem_of(&path);
            let prefix = format!("{stem}.");
            let cases: Vec<PathBuf> = all_cases
                .iter()
                .filter(|case| {
                    case.file_name()
                        .is_some_and(|name| name.to_string_lossy().starts_with(&prefix))
                })
                .cloned()
                .collect();
            WithCases::read(&path, stem, &cases)
        })
        .collect()
}

impl WithCases {
    fn read(path: &Path, stem: String, cases: &[PathBuf]) -> WithCases {
        WithCases {
            source: read(path),
            stem,
            cases: cases.iter().map(|case| read(case)).collect(),
        }
    }
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a fixture file.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Renders diagnostics exactly as the CLI does, without colour, at 80 columns.
pub fn render_diagnostics(diagnostics: &[&dyn Diagnostic], name: &str, source: &str) -> String {
    let file = clinrule_cli::SourceFile::new(name.to_owned(), source.to_owned());
    let style = clinrule_cli::Style {
        colour: false,
        width: 80,
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        // As the command shows it: with nothing a terminal would obey.
        out.push_str(&clinrule_cli::terminal_safe(
            &clinrule_cli::render_diagnostic(*diagnostic, Some(&file), style),
        ));
        out.push('\n');
    }
    out
}

/// The outcome of loading one rule file through the library's pipeline.
pub struct Checked {
    /// Every diagnostic, in the order `clinrule check` prints them, each rendered.
    pub rendered: String,
    /// The codes of every diagnostic, in order.
    pub codes: Vec<String>,
    /// How many are errors (not warnings).
    pub errors: usize,
    /// The rule set, when the file has no error.
    pub rule_set: Option<RuleSet>,
}

/// Loads a rule file's text through the library's pipeline, as
/// `clinrule check` does, with the warnings found by trying cases.
pub fn check_source(name: &str, source: &str) -> Checked {
    let loaded = clinrule::load(SourceMap::new(name, source));
    let diagnostics: Vec<&dyn Diagnostic> = loaded
        .problems()
        .iter()
        .map(|problem| problem as &dyn Diagnostic)
        .collect();
    let codes = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.code().map(|code| code.to_string()))
        .collect();
    Checked {
        rendered: render_diagnostics(&diagnostics, name, source),
        codes,
        errors: loaded.errors(),
        rule_set: loaded.into_rule_set(),
    }
}

/// What the `clinrule` command printed and returned.
pub struct CommandOutput {
    /// The exit code.
    pub code: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CommandOutput {
    /// The diagnostic codes printed on standard error, in order.
    pub fn codes(&self) -> Vec<String> {
        self.stderr
            .lines()
            .map(str::trim)
            .filter(|line| {
                line.len() == 4
                    && (line.starts_with('E') || line.starts_with('W'))
                    && line[1..].bytes().all(|byte| byte.is_ascii_digit())
            })
            .map(str::to_owned)
            .collect()
    }

    /// Standard output and error together, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit code: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `clinrule` with `arguments` (without the program name), without
/// colour, at 80 columns. Tests run in the repository root, so paths are
/// relative to it.
pub fn clinrule(arguments: &[&str]) -> CommandOutput {
    clinrule_with_input(arguments, "")
}

/// Runs `clinrule` in process with `input` as its standard input.
pub fn clinrule_with_input(arguments: &[&str], input: &str) -> CommandOutput {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let full = std::iter::once("clinrule").chain(arguments.iter().copied());
    let mut input = input.as_bytes();
    let code = clinrule_cli::run_with_input(
        full,
        &mut input,
        &mut out,
        &mut err,
        clinrule_cli::Terminal::plain(),
    );
    CommandOutput {
        code,
        stdout: String::from_utf8(out).expect("stdout is UTF-8"),
        stderr: String::from_utf8(err).expect("stderr is UTF-8"),
    }
}

/// Command lines that must fail with a usage or input error, each with the
/// diagnostic code it must give. Shared by the CLI tests and the tidy test.
pub const CLI_ERROR_SCENARIOS: &[(&str, &[&str], &str)] = &[
    (
        "missing_rule_file",
        &["check", "tests/fixtures/cli/does-not-exist.crl"],
        "E401",
    ),
    (
        "folder_without_rule_files",
        &["check", "tests/fixtures/cli/no-rules"],
        "E402",
    ),
    (
        "rule_file_not_utf8",
        &["check", "tests/fixtures/cli/latin1.crl"],
        "E403",
    ),
    (
        "eval_two_rule_files",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "tests/fixtures/eval/ages.crl",
            "--case",
            "tests/fixtures/eval/lead.high.case.json",
        ],
        "E404",
    ),
    (
        "explain_unknown_rule",
        &[
            "explain",
            "tests/fixtures/eval/lead.crl",
            "--case",
            "tests/fixtures/eval/lead.high.case.json",
            "--rule",
            "lead_hihg",
        ],
        "E405",
    ),
    (
        "explain_unknown_conclusion",
        &[
            "explain",
            "tests/fixtures/eval/lead.crl",
            "--case",
            "tests/fixtures/eval/lead.high.case.json",
            "--conclusion",
            "nothing_like_it",
        ],
        "E405",
    ),
    (
        "consult_case_on_standard_input",
        &["consult", "tests/fixtures/eval/lead.crl", "--case", "-"],
        "E414",
    ),
    (
        "patient_audience_without_markdown",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "--case",
            "tests/fixtures/eval/lead.high.case.json",
            "--audience",
            "patient",
        ],
        "E406",
    ),
    (
        "consult_cannot_save",
        &[
            "consult",
            "tests/fixtures/eval/lead.crl",
            "--save",
            "tests/fixtures/cli/no-such-folder/case.json",
        ],
        "E407",
    ),
    (
        "test_without_tests",
        &["test", "tests/fixtures/cli/one-rule-set"],
        "E408",
    ),
    (
        "cohort_as_text",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "--cases",
            "tests/fixtures/cohort/lead.ndjson",
            "--format",
            "text",
        ],
        "E409",
    ),
    (
        "summary_of_one_case",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "--case",
            "tests/fixtures/eval/lead.high.case.json",
            "--format",
            "summary",
        ],
        "E410",
    ),
    (
        "out_is_a_folder",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "--cases",
            "tests/fixtures/cohort/lead.ndjson",
            "--out",
            "tests/fixtures/cli",
        ],
        "E411",
    ),
    (
        "out_onto_the_cohort",
        &[
            "eval",
            "tests/fixtures/eval/lead.crl",
            "--cases",
            "tests/fixtures/cohort/lead.ndjson",
            "--out",
            "tests/fixtures/cohort/../cohort/lead.ndjson",
        ],
        "E412",
    ),
];

/// A file of a test's own in the system's temporary folder, removed when
/// dropped.
pub struct ScratchFile(PathBuf);

impl ScratchFile {
    /// Writes `text` to a new scratch file called after the process and `name`.
    pub fn new(name: &str, text: &str) -> ScratchFile {
        let path =
            std::env::temp_dir().join(format!("clinrule-test-{}-{name}", std::process::id()));
        std::fs::write(&path, text)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        ScratchFile(path)
    }

    /// Its path, as the command takes it.
    pub fn path(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
