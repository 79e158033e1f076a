//! The one home of a rule set's text: the text of each file once, which file
//! holds each byte, and where each line starts.
//!
//! A rule set may be written in several files. The parser and the checker see
//! one text, the files one after the other, each starting on a line of its
//! own; a [`SourceMap`] keeps that text once, with each file's name and where
//! its text starts, so that every span (a byte range into the joined text) can
//! be named by its file, line and column. Diagnostics, JSON positions and the
//! editor integrations all read positions from here, one way.

use std::sync::OnceLock;

/// One file of a rule set: its name and where its text starts in the joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    name: String,
    start: u32,
}

impl Part {
    /// The file's name, as the caller gave it (a path, a URI, a tab's title).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the file's text starts in the joined text.
    pub fn start(&self) -> u32 {
        self.start
    }
}

/// A place in a rule set, within the file that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'map> {
    /// The name of the file that holds the place.
    pub file: &'map str,
    /// The byte offset within that file.
    pub offset: u32,
    /// The line within that file, counted from 1.
    pub line: usize,
    /// The column within that line, in characters, counted from 1.
    pub column: usize,
}

/// The text of a rule set, or of a case, with its files and its lines.
#[derive(Debug)]
pub struct SourceMap {
    text: String,
    /// Never empty: a text of one file has one part, starting at 0.
    parts: Vec<Part>,
    /// Where each line starts, found once, when a position is first asked for.
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceMap {
    /// The text of one file, by name.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceMap {
        SourceMap {
            text: text.into(),
            parts: vec![Part {
                name: name.into(),
                start: 0,
            }],
            line_starts: OnceLock::new(),
        }
    }

    /// The files of one rule set, by name and text, joined in the order
    /// given, each starting on a line of its own. An empty list gives an
    /// empty text of one nameless file.
    pub fn join<N, T>(files: impl IntoIterator<Item = (N, T)>) -> SourceMap
    where
        N: Into<String>,
        T: AsRef<str>,
    {
        let mut text = String::new();
        let mut parts = Vec::new();
        for (name, file_text) in files {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            parts.push(Part {
                name: name.into(),
                // Files are refused past `u32::MAX` bytes before they are joined.
                start: u32::try_from(text.len()).unwrap_or(u32::MAX),
            });
            text.push_str(file_text.as_ref());
        }
        if parts.is_empty() {
            parts.push(Part {
                name: String::new(),
                start: 0,
            });
        }
        SourceMap {
            text,
            parts,
            line_starts: OnceLock::new(),
        }
    }

    /// The whole text: every span points into it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name of the first file, the one with the `ruleset` header.
    pub fn name(&self) -> &str {
        self.parts.first().map_or("", Part::name)
    }

    /// The files, in the order joined; never empty.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The file that holds a byte offset.
    pub fn part_of(&self, offset: u32) -> &Part {
        let after = self.parts.partition_point(|part| part.start <= offset);
        after
            .checked_sub(1)
            .and_then(|index| self.parts.get(index))
            .or_else(|| self.parts.first())
            .unwrap_or(&FIRST)
    }

    /// Where the file that starts at `start` ends: where the next begins, or
    /// the end of the text.
    pub fn part_end(&self, start: u32) -> u32 {
        self.parts
            .iter()
            .map(Part::start)
            .find(|next| *next > start)
            .unwrap_or_else(|| u32::try_from(self.text.len()).unwrap_or(u32::MAX))
    }

    /// The files, by name, for a line of output: `main.crl` or
    /// `main.crl (with labs.crl, scores.crl)`.
    pub fn display_name(&self) -> String {
        if self.parts.len() <= 1 {
            return self.name().to_owned();
        }
        let others: Vec<&str> = self.parts.iter().skip(1).map(Part::name).collect();
        format!("{} (with {})", self.name(), others.join(", "))
    }

    /// Where each line starts: after `\n`, after `\r\n`, and after a `\r`
    /// alone, as editors and miette count lines. Found once.
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = vec![0];
            let mut at = 0;
            while let Some(byte) = bytes.get(at) {
                match byte {
                    b'\n' => starts.push(at + 1),
                    b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                        at += 1;
                        starts.push(at + 1);
                    }
                    b'\r' => starts.push(at + 1),
                    _ => {}
                }
                at += 1;
            }
            starts
                .into_iter()
                .map(|start| u32::try_from(start).unwrap_or(u32::MAX))
                .collect()
        })
    }

    /// The line, counted from 0 in the whole text, that holds a byte offset.
    pub fn line_of(&self, offset: u32) -> usize {
        self.line_starts()
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// A place in the whole text, as a line and a column in characters, both
    /// counted from 1, found without reading the text before its line.
    pub fn line_column(&self, offset: u32) -> (usize, usize) {
        let line = self.line_of(offset);
        let line_start = self.line_starts().get(line).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start as usize..offset as usize)
            .map_or(0, |text| text.chars().count());
        (line + 1, column + 1)
    }

    /// A place named by its file, and its offset, line and column within that file.
    pub fn locate(&self, offset: u32) -> Location<'_> {
        let part = self.part_of(offset);
        let (line, column) = self.line_column(offset);
        let (first_line, first_column) = self.line_column(part.start);
        let line = line + 1 - first_line;
        Location {
            file: part.name(),
            offset: offset - part.start.min(offset),
            line,
            column: if line == 1 {
                column + 1 - first_column.min(column + 1)
            } else {
                column
            },
        }
    }
}

/// The part a map with no parts would have; a map always has one.
static FIRST: Part = Part {
    name: String::new(),
    start: 0,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_start_on_lines_of_their_own_and_name_their_places() {
        let map = SourceMap::join([("main.crl", "ruleset a"), ("more.crl", "x\ny")]);
        assert_eq!(map.text(), "ruleset a\nx\ny");
        assert_eq!(map.parts().len(), 2);
        assert_eq!(map.display_name(), "main.crl (with more.crl)");
        let place = map.locate(12);
        assert_eq!(
            (place.file, place.offset, place.line, place.column),
            ("more.crl", 2, 2, 1)
        );
        let first = map.locate(3);
        assert_eq!((first.file, first.line, first.column), ("main.crl", 1, 4));
        assert_eq!(map.part_end(0), 10);
        assert_eq!(map.part_end(10), 13);
    }

    #[test]
    fn lines_end_as_editors_count_them_and_columns_count_characters() {
        let map = SourceMap::new("case.json", "a\r\nb\rc\n\u{e9}x");
        assert_eq!(map.line_starts(), &[0, 3, 5, 7]);
        // `x` follows a two-byte character: column 2, not 3.
        assert_eq!(map.line_column(9), (4, 2));
        assert_eq!(map.part_of(9).name(), "case.json");
    }
}
