//! Case diagnostics: what is wrong with a patient case given to the engine.
//! Codes `E3xx`; the span points into the case file.

use clinrule_syntax::Span;

/// A problem in a patient case.
///
/// Each variant has a stable code documented in `docs/errors.md`. A case with
/// any of them is not evaluated: nothing in a case is silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum EvalError {
    /// The case is not valid JSON.
    #[error("the case is not valid JSON: {message}")]
    #[diagnostic(code(E301), help("cases are JSON objects; see docs/case-format.md"))]
    InvalidJson {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
    },

    /// The case is not shaped as a case: not an object, or an unknown field.
    #[error("{message}")]
    #[diagnostic(code(E302))]
    InvalidCase {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// The case gives a value for a fact the rule set does not declare.
    #[error("`{name}` is not a fact of this rule set")]
    #[diagnostic(code(E303))]
    UndeclaredFact {
        /// The name as written.
        name: String,
        /// Where.
        #[label("no fact of this name")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A value of the wrong type for its fact.
    #[error("`{fact}` is {expected}, but the case gives {found}")]
    #[diagnostic(code(E304))]
    WrongType {
        /// The fact's name.
        fact: String,
        /// What the fact holds, in words.
        expected: String,
        /// What the case gives, in words.
        found: String,
        /// The value.
        #[label("{found}")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A measurement or age without a unit.
    #[error("`{fact}` needs a unit")]
    #[diagnostic(code(E305))]
    MissingUnit {
        /// The fact's name.
        fact: String,
        /// The value.
        #[label("a number without a unit")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A unit of the wrong dimension.
    #[error("`{fact}` is {fact_dimension}, but `{unit}` is {unit_dimension}")]
    #[diagnostic(code(E306))]
    WrongDimension {
        /// The fact's name.
        fact: String,
        /// The unit as written.
        unit: String,
        /// What the unit measures.
        unit_dimension: String,
        /// What the fact measures.
        fact_dimension: String,
        /// The unit.
        #[label("{unit_dimension}")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A unit that is not known.
    #[error("`{unit}` is not a known unit")]
    #[diagnostic(code(E307))]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// Where.
        #[label("unknown unit")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A code outside the fact's set.
    #[error("`{code}` is not one of the codes of `{fact}`")]
    #[diagnostic(code(E308))]
    UnknownCode {
        /// The code as written.
        code: String,
        /// The fact's name.
        fact: String,
        /// Where.
        #[label("not a code of `{fact}`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A key written twice in one object.
    #[error("`{key}` is written twice")]
    #[diagnostic(
        code(E309),
        help("keep one of the two values; the case must say one thing")
    )]
    DuplicateKey {
        /// The key.
        key: String,
        /// The second occurrence.
        #[label("written again here")]
        span: Span,
        /// The first occurrence.
        #[label("first written here")]
        first: Span,
    },

    /// A date or age written as text that cannot be read.
    #[error("`{text}` is not {expected}")]
    #[diagnostic(code(E310))]
    InvalidValueText {
        /// The text.
        text: String,
        /// What was expected, in words.
        expected: String,
        /// Where.
        #[label("cannot be read")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A birth date without the date to count the age to.
    #[error(
        "`{fact}` is counted from `{birth}` to the case's `as_of` date, but the case has no `as_of`"
    )]
    #[diagnostic(
        code(E312),
        help(
            "add the date the case describes, such as `\"as_of\": \"2025-10-30\"`, or give the age directly"
        )
    )]
    MissingAsOf {
        /// The age fact.
        fact: String,
        /// The birth date fact.
        birth: String,
        /// The birth date in the case.
        #[label("this case needs `as_of`")]
        span: Span,
    },

    /// A date the rules count to the case's date, in a case without one.
    #[error("{}", match fact {
        Some(fact) => format!("the rules count `{fact}` to the case's `as_of` date, but the case has no `as_of`"),
        None => "the rules compare the case's `as_of` date with fixed dates, but the case has no `as_of`".to_owned(),
    })]
    #[diagnostic(
        code(E313),
        help("add the date the case describes, such as `\"as_of\": \"2025-10-30\"`")
    )]
    AsOfNeeded {
        /// The fact counted to `as_of`, if there is one.
        fact: Option<String>,
        /// Where the case gives it, or the start of the case.
        #[label("this case needs `as_of`")]
        span: Span,
    },

    /// A value no patient can have, whatever the rule set says.
    #[error("`{value}` cannot be the value of `{fact}`: {reason}")]
    #[diagnostic(
        code(E314),
        help(
            "correct the value; a negative number or a date in the future is usually a typing or export mistake"
        )
    )]
    ImpossibleValue {
        /// The value as written.
        value: String,
        /// The fact.
        fact: String,
        /// Why it is impossible.
        reason: String,
        /// Where.
        #[label("impossible")]
        span: Span,
    },

    /// A value outside the range the rule set declares plausible for the fact.
    #[error("`{value}` is outside what `{fact}` can be: the rule set allows {range}")]
    #[diagnostic(
        code(E315),
        help(
            "check the value and its unit against the source (a misplaced decimal point, a value in another unit); if it is right, the rule set's plausible range must be reviewed"
        )
    )]
    Implausible {
        /// The value as written.
        value: String,
        /// The fact.
        fact: String,
        /// The range, as the rule set wrote it.
        range: String,
        /// Where.
        #[label("outside {range}")]
        span: Span,
    },

    /// A number too large or too precise to hold exactly.
    #[error("`{number}` cannot be held exactly: {}", out_of_range_reason(number))]
    #[diagnostic(
        code(E311),
        help(
            "numbers are held exactly with up to 36 digits; give the value in a larger or smaller unit"
        )
    )]
    NumberOutOfRange {
        /// The number as written.
        number: String,
        /// Where.
        #[label("cannot be held exactly")]
        span: Span,
    },
}

/// Why a number cannot be held exactly, from how it is written: `1e-400`
/// is too small, not too large.
fn out_of_range_reason(number: &str) -> &'static str {
    let digits = number.trim_start_matches(['-', '+']);
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(at) => (
            digits.get(..at).unwrap_or(digits),
            digits.get(at + 1..).unwrap_or_default(),
        ),
        None => (digits, ""),
    };
    let small = exponent.starts_with('-')
        || (mantissa.starts_with("0.") && exponent.is_empty())
        || mantissa.starts_with('.');
    if small {
        "it is too small, or has too many decimal digits"
    } else {
        "it is too large, or has too many digits"
    }
}

impl EvalError {
    /// The span of the primary label, in the case file.
    pub fn span(&self) -> Span {
        match self {
            EvalError::InvalidJson { span, .. }
            | EvalError::InvalidCase { span, .. }
            | EvalError::UndeclaredFact { span, .. }
            | EvalError::WrongType { span, .. }
            | EvalError::MissingUnit { span, .. }
            | EvalError::WrongDimension { span, .. }
            | EvalError::UnknownUnit { span, .. }
            | EvalError::UnknownCode { span, .. }
            | EvalError::DuplicateKey { span, .. }
            | EvalError::InvalidValueText { span, .. }
            | EvalError::NumberOutOfRange { span, .. }
            | EvalError::MissingAsOf { span, .. }
            | EvalError::AsOfNeeded { span, .. }
            | EvalError::ImpossibleValue { span, .. }
            | EvalError::Implausible { span, .. } => *span,
        }
    }
}
