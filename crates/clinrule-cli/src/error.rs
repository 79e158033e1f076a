//! Problems with the command line or the files it names. Codes `E4xx`.

/// A problem with the command line or a file it names; exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    /// A file or folder that cannot be read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(E401), help("check the path and that the file can be read"))]
    Unreadable {
        /// The path.
        path: String,
        /// What the system said.
        reason: String,
    },

    /// A folder without rule files.
    #[error("`{path}` holds no rule files")]
    #[diagnostic(
        code(E402),
        help("rule files end in `.crl`; name a file or a folder that holds some")
    )]
    NoRuleFiles {
        /// The folder.
        path: String,
    },

    /// A file that is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text (first bad byte at offset {offset})")]
    #[diagnostic(code(E403), help("save the file as UTF-8"))]
    NotUtf8 {
        /// The path.
        path: String,
        /// Where the first invalid byte is.
        offset: usize,
    },

    /// A command that takes one rule set given several.
    #[error("this command takes one rule set, but {count} were given: {files}")]
    #[diagnostic(
        code(E404),
        help(
            "name the one rule file to use; a rule set in several files is a folder where exactly one file has the `ruleset` header"
        )
    )]
    OneRuleSetExpected {
        /// How many files were found.
        count: usize,
        /// Their names.
        files: String,
    },

    /// `explain` asked for a rule or conclusion the rule set does not have.
    #[error("the rule set has no {what} `{id}`")]
    #[diagnostic(code(E405))]
    UnknownTarget {
        /// "rule" or "conclusion".
        what: &'static str,
        /// The identifier asked for.
        id: String,
        /// The nearest identifier, or the list of them.
        #[help]
        help: String,
    },

    /// `--audience patient` without `--format markdown`.
    #[error("`--audience patient` applies only to the Markdown report")]
    #[diagnostic(
        code(E406),
        help("add `--format markdown`: the text and JSON results are for clinicians and machines")
    )]
    AudienceNeedsMarkdown,

    /// A file that cannot be written.
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(E407), help("check that the folder exists and can be written to"))]
    Unwritable {
        /// The path.
        path: String,
        /// What the system said.
        reason: String,
    },

    /// `test` found no test cases at all.
    #[error("no tests were found for {rules}")]
    #[diagnostic(
        code(E408),
        help(
            "the tests of `rules/NAME.crl` are the cases in `rules/tests/NAME/`, each with an `expect`; see docs/case-format.md"
        )
    )]
    NoTests {
        /// The rule files or folders named.
        rules: String,
    },

    /// A cohort asked for in a format for one case.
    #[error("a cohort is written as `json` (a record per line) or `summary`")]
    #[diagnostic(
        code(E409),
        help(
            "use `--format json` or `--format summary`; to read one patient's result as text, evaluate that case with `--case`"
        )
    )]
    CohortFormat,

    /// `--format summary` for one case.
    #[error("`--format summary` counts conclusions over a cohort")]
    #[diagnostic(
        code(E410),
        help(
            "give the cohort with `--cases COHORT.ndjson`, or choose `text`, `json` or `markdown` for one case"
        )
    )]
    SummaryNeedsCohort,
}
