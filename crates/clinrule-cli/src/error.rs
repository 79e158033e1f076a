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

    /// A file that cannot be written; the file is left as it was.
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(E407))]
    Unwritable {
        /// The path.
        path: String,
        /// What the system said.
        reason: String,
        /// The fix, for that reason.
        #[help]
        help: String,
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

    /// Results asked to go to a folder, a device, a named pipe or a socket.
    #[error("cannot write the results to `{path}`: it is {kind}, not a regular file")]
    #[diagnostic(
        code(E411),
        help(
            "name a regular file, new or old, to write to; to pass the results to another program, leave out the file and use standard output"
        )
    )]
    NotARegularFile {
        /// The path.
        path: String,
        /// What it is instead: "a folder", "a device", "a named pipe", "a socket".
        kind: &'static str,
    },

    /// Results asked to go over one of the run's own inputs.
    #[error("cannot write the results to `{path}`: that file is `{input}`, which this run reads")]
    #[diagnostic(
        code(E412),
        help("write the results to a new file; the input was left as it was")
    )]
    WouldOverwriteInput {
        /// The path asked for.
        path: String,
        /// The input it names, as given.
        input: String,
    },

    /// `consult --case -`: standard input cannot hold both the case and the answers.
    #[error(
        "`consult` reads its answers from standard input, so the case cannot come from there too"
    )]
    #[diagnostic(
        code(E414),
        help("save the case to a file and give its path: `--case partial.json`")
    )]
    CaseAndAnswersOnStandardInput,

    /// Standard output could not be written: a full disk, a closed pipe.
    #[error("the results could not be written to standard output: {reason}")]
    #[diagnostic(
        code(E413),
        help(
            "what was written is incomplete; free some space or fix where the output goes, then run the command again"
        )
    )]
    OutputFailed {
        /// What the system said.
        reason: String,
    },
}
