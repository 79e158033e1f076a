//! Rendering diagnostics with miette, with the file's text attached.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
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

/// A line longer than this many bytes is shown as a window around what a
/// diagnostic points at, never whole: a minified one-line case or rule file
/// of megabytes gives a diagnostic of a few lines.
pub const LONG_LINE: usize = 400;

/// How many bytes of a long line are shown on each side of the place a
/// diagnostic points at.
const WINDOW: usize = 80;

/// The longest stretch of a long line a label underlines.
const LONGEST_LABEL: usize = 200;

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
    let indexed = source.map(|file| Indexed {
        file,
        windows: Default::default(),
        used: AtomicUsize::new(0),
    });
    let wrapped = WithSource {
        inner: diagnostic,
        source: indexed.as_ref(),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &wrapped).is_err() {
        out = format!("{diagnostic}\n");
    }
    out
}

/// A file with its line index: each span is read from the few lines around
/// it, never by scanning the file from its start, so that a thousand
/// diagnostics cost a thousand times one. A rule set written in several
/// files shows each span in its own file, with that file's name and line
/// numbers.
///
/// The lines shown are the file's own bytes where they are safe; lines that
/// hold a character that could act on a terminal are shown from a copy of
/// just those lines, with a visible stand-in of the same length for each
/// such character, so that every column stays where it was. The copies are
/// kept in a few slots for the one diagnostic being drawn; past them, the
/// whole file's display copy, made once per file, is used.
struct Indexed<'file> {
    file: &'file SourceFile,
    /// The display copies of the windows shown so far.
    windows: [OnceLock<String>; WINDOW_SLOTS],
    /// How many slots are taken.
    used: AtomicUsize,
}

/// How many windows one diagnostic may show from copies of their own: miette
/// asks for a label's lines once or twice.
const WINDOW_SLOTS: usize = 16;

impl Indexed<'_> {
    /// The text from `from` to `to` as shown: the file's own bytes, or a
    /// copy of just that window with a stand-in of the same length for each
    /// character that could act on a terminal.
    fn shown(&self, from: usize, to: usize) -> &str {
        let original = self.file.text().get(from..to).unwrap_or_default();
        match crate::safe_text::same_length_display(original) {
            Cow::Borrowed(text) => text,
            Cow::Owned(copy) => {
                let slot = self.used.fetch_add(1, Ordering::Relaxed);
                match self.windows.get(slot) {
                    Some(cell) => cell.get_or_init(|| copy).as_str(),
                    None => self.file.shown_text().get(from..to).unwrap_or_default(),
                }
            }
        }
    }

    /// The line that holds `offset`, counted from the start of the text.
    fn line_of(&self, offset: usize) -> usize {
        self.map()
            .line_of(u32::try_from(offset).unwrap_or(u32::MAX))
    }

    fn map(&self) -> &clinrule::SourceMap {
        self.file.map()
    }

    /// Where line `line` starts, or the end of the text after the last line.
    fn line_start(&self, line: usize) -> Option<usize> {
        self.map()
            .line_starts()
            .get(line)
            .map(|start| *start as usize)
    }

    /// Where line `line` starts and ends (before its line break).
    fn line_bounds(&self, line: usize) -> (usize, usize) {
        let text = self.file.text().as_bytes();
        let start = self.line_start(line).unwrap_or(text.len());
        let mut end = self.line_start(line + 1).unwrap_or(text.len());
        while end > start && matches!(text.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        (start, end)
    }

    /// Whether the line that holds `offset` is too long to show whole.
    fn on_long_line(&self, offset: usize) -> bool {
        let (start, end) = self.line_bounds(self.line_of(offset));
        end - start > LONG_LINE
    }

    /// The nearest character boundary at or before `offset`.
    fn floor(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.file.text().len());
        while !self.file.text().is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The nearest character boundary at or after `offset`.
    fn ceil(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.file.text().len());
        while !self.file.text().is_char_boundary(offset) {
            offset += 1;
        }
        offset
    }
}

impl SourceCode for Indexed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.file.text();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let part = self.map().part_of(u32::try_from(start).unwrap_or(u32::MAX));
        let (name, part_start) = (part.name(), part.start() as usize);
        let part_end = self.map().part_end(part.start()) as usize;
        let first_line_of_part = self.line_of(part_start);
        let start_line = self.line_of(start);
        let name = (self.map().parts().len() > 1 || !name.is_empty())
            .then(|| crate::safe_text::one_line(name).into_owned());
        let (line_start, line_end) = self.line_bounds(start_line);
        if line_end - line_start > LONG_LINE
            || (context_lines_before + context_lines_after > 0
                && (start_line.saturating_sub(context_lines_before)
                    ..=start_line + context_lines_after)
                    .any(|line| {
                        let (from, to) = self.line_bounds(line);
                        to - from > LONG_LINE
                    }))
        {
            // A long line, or one beside it: the span alone when asked for
            // the place, a window of its line when asked for the context.
            let (from, to) = if context_lines_before + context_lines_after == 0 {
                (start, end.min(line_end.max(start)))
            } else {
                let from = self.floor(start.saturating_sub(WINDOW).max(line_start));
                let to = (end + WINDOW)
                    .min(line_end.max(end))
                    .min(from + 2 * WINDOW + LONGEST_LABEL);
                (from, self.ceil(to))
            };
            let data = self.shown(from, to);
            return Ok(Box::new(contents(
                name,
                data.as_bytes(),
                SourceSpan::new(from.into(), to - from),
                start_line - first_line_of_part,
                from - line_start,
                start_line - first_line_of_part,
            )));
        }
        // The lines around the span, read as miette reads a whole text, then
        // placed back where they are in the file.
        let from_line = start_line
            .saturating_sub(context_lines_before)
            .max(first_line_of_part);
        let end_line = self.line_of(end.saturating_sub(1).max(start));
        let to_line = end_line + context_lines_after + 1;
        let from = self.line_bounds(from_line).0;
        let to = self
            .line_start(to_line + 1)
            .unwrap_or(text.len())
            .min(part_end);
        let lines = self.shown(from, to);
        let local = SourceSpan::new((start - from).into(), span.len());
        let read = lines.read_span(&local, context_lines_before, context_lines_after)?;
        let base_line = from_line - first_line_of_part;
        Ok(Box::new(contents(
            name,
            read.data(),
            SourceSpan::new((read.span().offset() + from).into(), read.span().len()),
            read.line() + base_line,
            read.column(),
            read.line_count() + base_line,
        )))
    }
}

/// Span contents, named when the file has a name.
fn contents<'a>(
    name: Option<String>,
    data: &'a [u8],
    span: SourceSpan,
    line: usize,
    column: usize,
    line_count: usize,
) -> MietteSpanContents<'a> {
    match name {
        Some(name) => MietteSpanContents::new_named(name, data, span, line, column, line_count),
        None => MietteSpanContents::new(data, span, line, column, line_count),
    }
}

/// A diagnostic seen together with the file it points into.
struct WithSource<'diagnostic> {
    inner: &'diagnostic dyn Diagnostic,
    source: Option<&'diagnostic Indexed<'diagnostic>>,
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, formatter)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message quotes user text: on one line, with nothing a terminal
        // would obey.
        let message = self.inner.to_string();
        let message = crate::safe_text::shorten_quotes(&message);
        formatter.write_str(&crate::safe_text::one_line(&message))
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
        let help = self.inner.help()?.to_string();
        Some(Box::new(crate::safe_text::one_line(&help).into_owned()))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?;
        let Some(source) = self.source else {
            return Some(labels);
        };
        let labels: Vec<LabeledSpan> = labels.collect();
        // Labels far apart on one long line cannot be shown in one window:
        // the primary one, or else the latest, where the problem shows
        // itself (a key written again, a second definition), is kept with
        // those near it.
        let last = labels
            .iter()
            .find(|label| label.primary())
            .or_else(|| labels.iter().max_by_key(|label| label.offset()))
            .map(LabeledSpan::offset);
        let labels = labels.into_iter().filter(move |label| {
            last.is_none_or(|last| {
                !source.on_long_line(label.offset())
                    || source.line_of(label.offset()) != source.line_of(last)
                    || last.abs_diff(label.offset()) <= WINDOW
            })
        });
        // On a long line a label underlines at most a stretch of it.
        Some(Box::new(labels.map(move |label| {
            let label = match label.label() {
                Some(text)
                    if text.chars().any(crate::safe_text::is_unsafe) || text.contains('\n') =>
                {
                    LabeledSpan::new_with_span(
                        Some(crate::safe_text::one_line(text).into_owned()),
                        SourceSpan::new(label.offset().into(), label.len()),
                    )
                }
                _ => label,
            };
            if label.len() <= LONGEST_LABEL || !source.on_long_line(label.offset()) {
                return label;
            }
            let end = source
                .floor(label.offset() + LONGEST_LABEL)
                .max(label.offset());
            LabeledSpan::new_with_span(
                label.label().map(str::to_owned),
                SourceSpan::new(label.offset().into(), end - label.offset()),
            )
        })))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|source| source as &dyn SourceCode)
    }
}
