//! Rendering diagnostics with miette, with the file's text attached.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};

use crate::files::SourceFile;

/// How diagnostics are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to colour them.
    pub colour: bool,
    /// The width to wrap at.
    pub width: usize,
}

/// Renders a diagnostic, with `source` attached when it points into a file.
pub fn render(diagnostic: &dyn Diagnostic, source: Option<&SourceFile>, style: Style) -> String {
    let theme = if style.colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let named = source
        .filter(|file| file.parts.len() <= 1)
        .map(|file| NamedSource::new(file.name.clone(), file.text.clone()));
    let parts = source
        .filter(|file| file.parts.len() > 1)
        .map(|file| Parts { file });
    let wrapped = WithSource {
        inner: diagnostic,
        source: match (&named, &parts) {
            (Some(named), _) => Some(named as &dyn SourceCode),
            (None, Some(parts)) => Some(parts as &dyn SourceCode),
            (None, None) => None,
        },
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &wrapped).is_err() {
        out = format!("{diagnostic}\n");
    }
    out
}

/// A rule set written in several files: each span is shown in its own
/// file, with that file's name and line numbers.
struct Parts<'file> {
    file: &'file SourceFile,
}

impl SourceCode for Parts<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (name, start) = self.file.part_of(span.offset());
        let end = self
            .file
            .parts
            .iter()
            .map(|(_, part_start)| *part_start)
            .find(|part_start| *part_start > start)
            .unwrap_or(self.file.text.len());
        let text = self.file.text.get(start..end).unwrap_or_default();
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let contents = text.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            name.to_owned(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + start).into(),
                contents.span().len(),
            ),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// A diagnostic seen together with the file it points into.
struct WithSource<'diagnostic> {
    inner: &'diagnostic dyn Diagnostic,
    source: Option<&'diagnostic dyn SourceCode>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, formatter)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, formatter)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
    }
}
