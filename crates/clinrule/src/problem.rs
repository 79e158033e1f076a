//! One type for every problem the pipeline finds in a rule set: syntax
//! errors, check errors and warnings, and the warnings found by trying cases.

use std::fmt;

use clinrule_check::CheckError;
use clinrule_eval::lint::LintWarning;
use clinrule_syntax::SyntaxError;
use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};

/// A problem in a rule set, with its stable code, its span, its words and
/// the help that proposes the fix; a [`miette::Diagnostic`].
#[derive(Debug, Clone)]
pub enum Problem {
    /// The text cannot be read as the language (`E1xx`).
    Syntax(SyntaxError),
    /// A name, type, unit or declaration is wrong (`E2xx`), or something
    /// is probably not what the editor meant (`W2xx`).
    Check(CheckError),
    /// Found by trying cases: a rule that never fires, a redundant rule,
    /// contradictory conclusions (`W209` to `W212`).
    Lint(LintWarning),
}

impl Problem {
    /// Whether the problem is a warning: the rule set still loads.
    pub fn is_warning(&self) -> bool {
        match self {
            Problem::Syntax(_) => false,
            Problem::Check(error) => error.is_warning(),
            Problem::Lint(_) => true,
        }
    }

    /// Where the problem starts, as a byte offset into the rule set's text:
    /// the problems are reported in this order.
    pub fn start(&self) -> u32 {
        match self {
            Problem::Syntax(error) => error.span().start,
            Problem::Check(_) | Problem::Lint(_) => self
                .labels()
                .and_then(|mut labels| labels.next())
                .map_or(0, |label| u32::try_from(label.offset()).unwrap_or(u32::MAX)),
        }
    }

    fn inner(&self) -> &(dyn Diagnostic + Send + Sync + 'static) {
        match self {
            Problem::Syntax(error) => error,
            Problem::Check(error) => error,
            Problem::Lint(warning) => warning,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner(), formatter)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner().code()
    }

    fn severity(&self) -> Option<Severity> {
        self.inner().severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner().help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner().url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner().source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner().labels()
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.inner().related()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner().diagnostic_source()
    }
}
