//! The canonical layout of a rule file, for `clinrule fmt`.
//!
//! The formatter works line by line and changes only whitespace: it never
//! joins or splits lines, never touches the inside of a text in quotes, and
//! keeps every comment where it was. Within a line, runs of spaces become
//! one; each line is indented by what it is (two spaces under a top-level
//! item, four under a rule's `when` or `then`, six for a conclusion's
//! options ...); a comment after code is set two spaces after it; a comment
//! on its own line takes the indentation of the code it precedes; runs of
//! blank lines become one, and each top-level item (with the comments just
//! above it) is preceded by one blank line. Formatting formatted text
//! changes nothing.

use crate::keywords::{ITEM_KEYWORDS, STATUSES, VERBS};

/// One line, split into its code and its comment.
struct Line {
    code: String,
    comment: Option<String>,
}

/// Splits a line at its comment (a `#` outside quotes) and collapses runs of
/// whitespace in the code to one space, outside quotes.
fn split(line: &str) -> Line {
    let mut code = String::with_capacity(line.len());
    let mut comment = None;
    let mut in_text = false;
    let mut escaped = false;
    let mut pending_space = false;
    for (position, character) in line.char_indices() {
        if in_text {
            code.push(character);
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_text = false;
            }
            continue;
        }
        match character {
            '#' => {
                comment = Some(
                    line.get(position..)
                        .unwrap_or_default()
                        .trim_end()
                        .to_owned(),
                );
                break;
            }
            ' ' | '\t' | '\r' | '\u{feff}' => pending_space = true,
            _ => {
                if pending_space && !code.is_empty() {
                    code.push(' ');
                }
                pending_space = false;
                if character == '"' {
                    in_text = true;
                }
                code.push(character);
            }
        }
    }
    Line {
        code: code.trim_end().to_owned(),
        comment,
    }
}

/// The first word of a line of code.
fn first_word(code: &str) -> &str {
    let end = code
        .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
        .unwrap_or(code.len());
    code.get(..end).unwrap_or(code)
}

/// Where the formatter is inside the current item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before any item.
    Start,
    /// In an item whose every other line is one level in: header, reference, fact, let.
    Simple,
    /// In the rows of a lookup table: a row's citations sit under it.
    TableRow,
    /// In a score, before its first criterion.
    Score,
    /// In a criterion or a band of a score.
    ScorePart,
    /// In a differential, before its first candidate.
    Differential,
    /// In a candidate.
    Candidate,
    /// In an argument or status rule of a candidate.
    CandidatePart,
    /// In a rule, before `when`.
    Rule,
    /// In a rule's condition.
    Condition,
    /// After `then`.
    Conclusions,
}

/// The indentation of a line of code, and the place after it.
fn indent(
    place: Place,
    code: &str,
    previous_indent: usize,
    previous_was_text: bool,
) -> (usize, Place) {
    let word = first_word(code);
    if ITEM_KEYWORDS.contains(&word) && code.len() > word.len() {
        let next = match word {
            "score" => Place::Score,
            "differential" => Place::Differential,
            "rule" => Place::Rule,
            _ => Place::Simple,
        };
        return (0, next);
    }
    // A text continuing the one above sits under it, one level in.
    if code.starts_with('"') {
        let indent = if previous_was_text {
            previous_indent
        } else {
            previous_indent + 2
        };
        return (indent, place);
    }
    match place {
        Place::Start => (0, place),
        Place::Simple | Place::TableRow => match word {
            "row" => (2, Place::TableRow),
            "cite" if place == Place::TableRow => (4, place),
            _ => (2, place),
        },
        Place::Score | Place::ScorePart => match word {
            "criterion" | "band" => (2, Place::ScorePart),
            "cite" | "applies" if place == Place::Score => (2, place),
            _ => (4, place),
        },
        Place::Differential | Place::Candidate | Place::CandidatePart => match word {
            "candidate" => (2, Place::Candidate),
            "cite" if place == Place::Differential => (2, place),
            "for" | "against" => (4, Place::CandidatePart),
            status if STATUSES.contains(&status) || status == "not_suggested" => {
                (4, Place::CandidatePart)
            }
            "cite" if place == Place::Candidate => (4, place),
            _ if place == Place::Differential => (2, place),
            _ => (6, place),
        },
        Place::Rule | Place::Condition | Place::Conclusions => match word {
            "cite" if place == Place::Rule => (2, place),
            "when" => (2, Place::Condition),
            "then" => (2, Place::Conclusions),
            _ if place == Place::Condition => (4, place),
            verb if place == Place::Conclusions && VERBS.contains(&verb) => (4, place),
            _ if place == Place::Conclusions => (6, place),
            _ => (2, place),
        },
    }
}

/// One line of the output.
enum Out {
    Blank,
    Comment(String),
    Code {
        indent: usize,
        text: String,
        /// Whether the line starts an item that must follow a blank line.
        item: bool,
    },
}

/// Items that an editor may list without blank lines between them, as a
/// group: facts, references, derived values.
const GROUPED: [&str; 3] = ["fact", "reference", "let"];

/// Formats a rule file. The result differs from the input only in
/// whitespace outside texts in quotes.
pub fn format(source: &str) -> String {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lines: Vec<Out> = Vec::new();
    let mut place = Place::Start;
    let mut previous_indent = 0;
    let mut previous_was_text = false;
    let mut previous_item = String::new();
    for raw in source.lines() {
        let line = split(raw);
        if line.code.is_empty() {
            match line.comment {
                Some(comment) => lines.push(Out::Comment(comment)),
                None => lines.push(Out::Blank),
            }
            continue;
        }
        let (indent, next) = indent(place, &line.code, previous_indent, previous_was_text);
        let word = first_word(&line.code);
        let starts_item = indent == 0 && ITEM_KEYWORDS.contains(&word);
        // A fact after a fact (a reference after a reference ...) may stay
        // in its group; every other item follows a blank line.
        let item = starts_item && !(GROUPED.contains(&word) && previous_item == word);
        if starts_item {
            previous_item = word.to_owned();
        }
        place = next;
        previous_indent = indent;
        previous_was_text = line.code.starts_with('"');
        let text = match line.comment {
            Some(comment) => format!("{}  {comment}", line.code),
            None => line.code,
        };
        lines.push(Out::Code { indent, text, item });
    }

    // Blank lines: one before each item and the comments just above it,
    // none at the start or the end, never two in a row.
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut position = 0;
    while let Some(line) = lines.get(position) {
        match line {
            Out::Blank => {
                if out.last().is_some_and(|(_, text)| !text.is_empty()) {
                    out.push((0, String::new()));
                }
            }
            Out::Comment(_) | Out::Code { .. } => {
                // A block of comments belongs to the code that follows it.
                let mut end = position;
                while matches!(lines.get(end), Some(Out::Comment(_))) {
                    end += 1;
                }
                let (indent, starts_item) = match lines.get(end) {
                    Some(Out::Code { indent, item, .. }) => (*indent, *item),
                    _ => (0, false),
                };
                if starts_item && out.last().is_some_and(|(_, text)| !text.is_empty()) {
                    out.push((0, String::new()));
                }
                for comment in lines.get(position..end).unwrap_or_default() {
                    if let Out::Comment(text) = comment {
                        out.push((indent, text.clone()));
                    }
                }
                match lines.get(end) {
                    Some(Out::Code { indent, text, .. }) => {
                        out.push((*indent, text.clone()));
                        position = end;
                    }
                    // A blank line (or the end) after the comments: look at it next.
                    _ => position = end - 1,
                }
            }
        }
        position += 1;
    }
    while out.last().is_some_and(|(_, text)| text.is_empty()) {
        out.pop();
    }
    let mut text = String::with_capacity(source.len());
    for (indent, line) in out {
        if !line.is_empty() {
            text.push_str(&" ".repeat(indent));
            text.push_str(&line);
        }
        text.push('\n');
    }
    text
}

/// The code of a rule file without whitespace and comments, texts in
/// quotes kept whole: two files with the same tokens are the same rule set.
pub fn tokens(source: &str) -> String {
    let mut tokens = String::with_capacity(source.len());
    for line in source.lines() {
        let line = split(line);
        if line.code.is_empty() {
            continue;
        }
        let mut in_text = false;
        let mut escaped = false;
        for character in line.code.chars() {
            if in_text {
                tokens.push(character);
                if escaped {
                    escaped = false;
                } else if character == '\\' {
                    escaped = true;
                } else if character == '"' {
                    in_text = false;
                }
            } else if character == ' ' {
                tokens.push('\u{1}');
            } else {
                if character == '"' {
                    in_text = true;
                }
                tokens.push(character);
            }
        }
        tokens.push('\n');
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::{format, tokens};

    #[test]
    fn layout_is_canonical_and_stable() {
        let messy = "# Lead\nruleset   lead\n title  \"Lead\"   # the title\n\n\n\nfact x : yes/no\nrule r \"R\"\n      when x\n        and  x\nthen note n \"# not a comment\"\n";
        let formatted = format(messy);
        assert_eq!(
            formatted,
            "# Lead\nruleset lead\n  title \"Lead\"  # the title\n\nfact x : yes/no\n\nrule r \"R\"\n  when x\n    and x\n  then note n \"# not a comment\"\n"
        );
        assert_eq!(format(&formatted), formatted);
        assert_eq!(tokens(&formatted), tokens(messy));
    }
}
