//! Syntax diagnostics: what a rule file's author wrote that cannot be read.

use crate::span::Span;

/// A problem in the way a rule file is written.
///
/// Each variant has a stable code (`E1xx`) documented in `docs/errors.md`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum SyntaxError {
    /// The parser met a word or symbol it did not expect.
    #[error("unexpected {found}")]
    #[diagnostic(code(E101))]
    Unexpected {
        /// What was found, already quoted for display.
        found: String,
        /// What would have been accepted here.
        #[label("{expected}")]
        span: Span,
        /// A description of what would have been accepted.
        expected: String,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// A text was opened with `"` and not closed on the same line.
    #[error("this text is not closed")]
    #[diagnostic(
        code(E102),
        help(
            "end the text with `\"` on the same line; to write a long text, write several texts in a row"
        )
    )]
    UnclosedText {
        /// From the opening quote to the end of the line.
        #[label("the text starts here and the line ends before its closing `\"`")]
        span: Span,
    },

    /// A date that does not exist in the calendar.
    #[error("`{text}` is not a date in the calendar")]
    #[diagnostic(
        code(E103),
        help("write dates as year-month-day, such as `2025-10-30`")
    )]
    InvalidDate {
        /// The date as written.
        text: String,
        /// Where it was written.
        #[label("no such day")]
        span: Span,
    },

    /// A status word that is not one of the four.
    #[error("`{found}` is not a rule set status")]
    #[diagnostic(code(E104))]
    UnknownStatus {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `draft`, `review`, `approved` or `retired`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// A fact type that does not exist.
    #[error("`{found}` is not a fact type")]
    #[diagnostic(code(E105))]
    UnknownFactType {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label(
            "expected `yes/no`, `number`, `quantity <unit>`, `age`, `date`, `text` or `one of ...`"
        )]
        span: Span,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// A certainty word that does not exist.
    #[error("`{found}` is not a certainty")]
    #[diagnostic(code(E106))]
    UnknownCertainty {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `possible`, `likely`, `suspected` or `unlikely`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// An urgency word that does not exist.
    #[error("`{found}` is not an urgency")]
    #[diagnostic(code(E107))]
    UnknownUrgency {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `info`, `warning` or `critical`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// `obtained by` followed by something other than the four ways.
    #[error("`{found}` is not a way of obtaining a fact")]
    #[diagnostic(code(E116))]
    UnknownObtained {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `history`, `examination`, `test` or `imaging`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: Option<String>,
    },

    /// `absent means` followed by something other than `no` or `unknown`.
    #[error("an absent fact can only mean `no` or `unknown`, not `{found}`")]
    #[diagnostic(
        code(E108),
        help(
            "write `absent means no` for a finding that a report always mentions when present; leave it out otherwise"
        )
    )]
    UnknownAbsentMeaning {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `no` or `unknown`")]
        span: Span,
    },

    /// `and` and `or` mixed in one condition without parentheses.
    #[error("`and` and `or` are mixed without parentheses")]
    #[diagnostic(
        code(E109),
        help(
            "add parentheses to say which you mean, such as `a and (b or c)` or `(a and b) or c`"
        )
    )]
    MixedAndOr {
        /// The whole condition.
        #[label("this condition can be read two ways")]
        span: Span,
        /// The first operator.
        #[label("`{first_word}` here")]
        first: Span,
        /// The first operator's word.
        first_word: String,
        /// The operator that differs from the first.
        #[label("and `{second_word}` here")]
        second: Span,
        /// The second operator's word.
        second_word: String,
    },

    /// A header field or conclusion option written twice.
    #[error("`{field}` is written twice")]
    #[diagnostic(code(E110), help("keep one `{field}` and delete the other"))]
    DuplicateField {
        /// The field's keyword.
        field: String,
        /// The second occurrence.
        #[label("written again here")]
        span: Span,
        /// The first occurrence.
        #[label("first written here")]
        first: Span,
    },

    /// A condition nested deeper than the language allows.
    #[error("this condition is nested more than 64 levels deep")]
    #[diagnostic(
        code(E112),
        help(
            "split the condition into several rules; a clinical condition never needs this depth"
        )
    )]
    TooDeep {
        /// Where the limit was passed.
        #[label("too deep here")]
        span: Span,
    },

    /// A calculation with too many terms, or operations nested too deep
    /// for the stack however the parentheses are counted.
    #[error(
        "this calculation joins more than 64 terms, or nests its operations more than 256 levels deep"
    )]
    #[diagnostic(
        code(E113),
        help(
            "write parts of it as derived values with `let` and combine those; a clinical formula never needs this many terms"
        )
    )]
    TooLong {
        /// Where the limit was passed.
        #[label("too long here")]
        span: Span,
    },

    /// A character that makes the file read differently from how it looks:
    /// a bidirectional control, a line or paragraph separator, a control
    /// character.
    #[error("the rule file holds an invisible {name} (U+{code_point:04X})")]
    #[diagnostic(
        code(E114),
        help(
            "delete it: an editor shows the text around it differently from how Clinrule reads it, so what is reviewed is not what runs; end lines with ordinary line ends"
        )
    )]
    HiddenCharacter {
        /// The character's name.
        name: &'static str,
        /// Its code point.
        code_point: u32,
        /// Where it is.
        #[label("here")]
        span: Span,
    },

    /// A character outside texts and comments that the language does not
    /// use, often one that looks like one it does.
    #[error("{message}")]
    #[diagnostic(code(E115))]
    UnusableCharacter {
        /// What the character is.
        message: String,
        /// The fix.
        #[help]
        help: String,
        /// Where it is.
        #[label("this character")]
        span: Span,
    },

    /// A rule file too large to read.
    #[error("this rule file is larger than 4 GiB")]
    #[diagnostic(code(E111), help("split the rule set into several files"))]
    FileTooLarge {
        /// The start of the file.
        #[label("this file")]
        span: Span,
    },
}

impl SyntaxError {
    /// The span of the primary label.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::UnclosedText { span }
            | SyntaxError::InvalidDate { span, .. }
            | SyntaxError::UnknownStatus { span, .. }
            | SyntaxError::UnknownFactType { span, .. }
            | SyntaxError::UnknownCertainty { span, .. }
            | SyntaxError::UnknownUrgency { span, .. }
            | SyntaxError::UnknownAbsentMeaning { span, .. }
            | SyntaxError::UnknownObtained { span, .. }
            | SyntaxError::MixedAndOr { span, .. }
            | SyntaxError::DuplicateField { span, .. }
            | SyntaxError::TooDeep { span }
            | SyntaxError::TooLong { span }
            | SyntaxError::HiddenCharacter { span, .. }
            | SyntaxError::UnusableCharacter { span, .. }
            | SyntaxError::FileTooLarge { span } => *span,
        }
    }
}
