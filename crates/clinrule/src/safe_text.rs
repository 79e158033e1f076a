//! Text from rule files and cases, made safe to show on a terminal or to
//! write to a log.
//!
//! A case is untrusted: its identifier, its texts and the values that
//! diagnostics quote could hold escape sequences that rewrite the screen,
//! or line breaks that forge a line of the report ("line 99: E301 ...").
//! Every control character, every bidirectional control and every line or
//! paragraph separator that reaches a reader as text is shown as a visible
//! escape such as `\u{1b}`; line breaks are kept only where Clinrule itself
//! writes them. Every front end shows text through these functions.

use std::borrow::Cow;

/// Whether a character must never reach a terminal as it is: control
/// characters other than line feed and tab, bidirectional controls that
/// reorder what is shown, and line and paragraph separators.
pub fn is_unsafe(character: char) -> bool {
    (character.is_control() && character != '\n' && character != '\t')
        || matches!(
            character,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{061c}'
        )
}

/// `text` with every unsafe character, and every line break, shown as an
/// escape: for user text placed on one line of a report.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|character| character == '\n' || is_unsafe(character))
    {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match character {
            '\n' => safe.push_str("\\n"),
            character if is_unsafe(character) => escape(character, &mut safe),
            character => safe.push(character),
        }
    }
    Cow::Owned(safe)
}

/// The most characters of a value quoted in a message: a value of fifty
/// megabytes is quoted by its start.
pub const LONGEST_QUOTE: usize = 60;

/// `text` with every quotation in backticks longer than [`LONGEST_QUOTE`]
/// characters cut to its start, marked with `…` and its length.
pub fn shorten_quotes(text: &str) -> Cow<'_, str> {
    if text.len() <= LONGEST_QUOTE {
        return Cow::Borrowed(text);
    }
    let pieces: Vec<&str> = text.split('`').collect();
    if !pieces
        .iter()
        .skip(1)
        .step_by(2)
        .any(|quoted| quoted.chars().nth(LONGEST_QUOTE).is_some())
    {
        return Cow::Borrowed(text);
    }
    let mut shortened = String::with_capacity(text.len().min(4096));
    for (position, piece) in pieces.iter().enumerate() {
        if position > 0 {
            shortened.push('`');
        }
        let quoted = position % 2 == 1 && position + 1 < pieces.len();
        if quoted && piece.chars().nth(LONGEST_QUOTE).is_some() {
            let start: String = piece.chars().take(LONGEST_QUOTE - 20).collect();
            shortened.push_str(&start);
            shortened.push_str(&format!("…` ({} characters in all)", piece.chars().count()));
            // The closing backtick was written with the note.
            continue;
        }
        shortened.push_str(piece);
    }
    // A note already closed its quotation: drop the backtick that follows.
    Cow::Owned(shortened.replace("in all)`", "in all)"))
}

/// `text` with every unsafe character shown as an escape; line breaks,
/// carriage returns and tabs are kept: for whole reports, where user text
/// has already been put on one line and a carriage return is Clinrule's
/// own (the progress line of a cohort rewrites itself with one).
pub fn keeping_lines(text: &str) -> Cow<'_, str> {
    let unsafe_here = |character: char| character != '\r' && is_unsafe(character);
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if unsafe_here(character) {
            escape(character, &mut safe);
        } else {
            safe.push(character);
        }
    }
    Cow::Owned(safe)
}

/// `text` with every unsafe character replaced by a visible one of the
/// same length in bytes (`?`, `¿` or `�`), so that every byte offset and
/// character boundary stays where it was: the copy of a file that
/// diagnostics show. Line ends, carriage returns and tabs are kept.
pub fn same_length_display(text: &str) -> Cow<'_, str> {
    let unsafe_here = |character: char| character != '\r' && is_unsafe(character);
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len());
    for character in text.chars() {
        if unsafe_here(character) {
            shown.push(match character.len_utf8() {
                1 => '?',
                2 => '\u{bf}',
                3 => '\u{fffd}',
                _ => '\u{1f6ab}',
            });
        } else {
            shown.push(character);
        }
    }
    Cow::Owned(shown)
}

/// The visible escape for a character: `\r`, or `\u{1b}`.
fn escape(character: char, out: &mut String) {
    if character == '\r' {
        out.push_str("\\r");
    } else {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(character)));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn escapes_and_separators_are_shown_not_obeyed() {
        assert_eq!(one_line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(one_line("x\nline 99: E301"), "x\\nline 99: E301");
        assert_eq!(one_line("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(one_line("a\u{2028}b\u{85}c\r"), "a\\u{2028}b\\u{85}c\\r");
        assert_eq!(
            one_line("18 months, 3.5 ug/dL, ≥ café"),
            "18 months, 3.5 ug/dL, ≥ café"
        );
        assert_eq!(keeping_lines("a\n\tb\u{7}"), "a\n\tb\\u{7}");
        // The progress line rewrites itself with a carriage return.
        assert_eq!(keeping_lines("\r12 cases"), "\r12 cases");
    }

    #[test]
    fn long_quotations_are_cut_to_their_start() {
        let long = "x".repeat(1_000);
        let message = format!("`{long}` is not a known unit; `ug/dL` is");
        assert_eq!(
            shorten_quotes(&message),
            format!(
                "`{}…` (1000 characters in all) is not a known unit; `ug/dL` is",
                "x".repeat(40)
            )
        );
        assert_eq!(shorten_quotes("`short` stays"), "`short` stays");
    }
}
