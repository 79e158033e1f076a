//! Characters that make a rule file read differently from how it looks.
//!
//! A reviewer signs what the editor shows. A bidirectional control can
//! reorder what is shown, a line separator can show a line break where the
//! parser sees none (so code seems to be a comment, or a comment code), and
//! a typographic quote, a `≥` or a Cyrillic `о` looks like the character
//! the language wants but is not. Rustc refuses the first kinds in source
//! for the same reason. The first are refused anywhere in the file (E114);
//! the others are named, with the character to write instead, wherever code
//! is expected (E115).

use crate::error::SyntaxError;
use crate::span::Span;

/// The name of a character that must not stand anywhere in a rule file.
pub fn hidden_name(character: char) -> Option<&'static str> {
    Some(match character {
        '\u{202a}' => "left-to-right embedding",
        '\u{202b}' => "right-to-left embedding",
        '\u{202c}' => "pop directional formatting",
        '\u{202d}' => "left-to-right override",
        '\u{202e}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200e}' => "left-to-right mark",
        '\u{200f}' => "right-to-left mark",
        '\u{061c}' => "Arabic letter mark",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{85}' => "next-line control",
        '\r' | '\n' | '\t' => return None,
        character if character.is_control() => "control character",
        _ => return None,
    })
}

/// Reports every hidden character of `source`, in order.
pub fn check_hidden(source: &str, errors: &mut Vec<SyntaxError>) {
    // Plain ASCII text without control characters, the usual file, is
    // passed over a byte at a time.
    let plain = source
        .bytes()
        .all(|byte| (0x20..0x7f).contains(&byte) || matches!(byte, b'\n' | b'\r' | b'\t'));
    if plain {
        return;
    }
    for (at, character) in source.char_indices() {
        if let Some(name) = hidden_name(character) {
            let start = u32::try_from(at).unwrap_or(u32::MAX);
            let length = u32::try_from(character.len_utf8()).unwrap_or(1);
            errors.push(SyntaxError::HiddenCharacter {
                name,
                code_point: u32::from(character),
                span: Span::new(start, start.saturating_add(length)),
            });
        }
    }
}

/// What a character that looks like part of the language is, and what to
/// write instead.
fn look_alike(character: char) -> Option<(&'static str, &'static str)> {
    Some(match character {
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}' | '\u{bb}' => {
            ("a typographic quotation mark", "`\"`")
        }
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => {
            ("a typographic apostrophe", "`\"` around a text, or nothing")
        }
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
            ("a non-breaking or typographic space", "an ordinary space")
        }
        '\u{200b}' | '\u{2060}' | '\u{feff}' => ("a zero-width space", "nothing: delete it"),
        '\u{2265}' | '\u{2267}' => ("the typographic sign for at least", "`>=`"),
        '\u{2264}' | '\u{2266}' => ("the typographic sign for at most", "`<=`"),
        '\u{2260}' => ("the typographic sign for not equal", "`!=`"),
        '\u{2212}' | '\u{2013}' | '\u{2014}' | '\u{2010}' | '\u{2011}' => {
            ("a dash or minus sign", "`-`")
        }
        '\u{d7}' | '\u{22c5}' | '\u{b7}' => ("a multiplication sign", "`*`"),
        '\u{f7}' | '\u{2215}' => ("a division sign", "`/`"),
        '\u{2103}' => ("the degree Celsius sign", "`Cel` or `°C`"),
        '\u{2109}' => ("the degree Fahrenheit sign", "`[degF]` or `°F`"),
        '\u{ff1a}' | '\u{2236}' => ("a full-width or ratio colon", "`:`"),
        '\u{ff08}' => ("a full-width parenthesis", "`(`"),
        '\u{ff09}' => ("a full-width parenthesis", "`)`"),
        '\u{ff0c}' => ("a full-width comma", "`,`"),
        '\u{2024}' | '\u{ff0e}' => ("a one-dot leader or full-width full stop", "`.`"),
        // Letters of other scripts that look like Latin ones.
        'а' => ("the Cyrillic letter а", "the Latin `a`"),
        'е' => ("the Cyrillic letter е", "the Latin `e`"),
        'о' => ("the Cyrillic letter о", "the Latin `o`"),
        'р' => ("the Cyrillic letter р", "the Latin `p`"),
        'с' => ("the Cyrillic letter с", "the Latin `c`"),
        'х' => ("the Cyrillic letter х", "the Latin `x`"),
        'у' => ("the Cyrillic letter у", "the Latin `y`"),
        'і' => ("the Cyrillic letter і", "the Latin `i`"),
        'ѕ' => ("the Cyrillic letter ѕ", "the Latin `s`"),
        'ј' => ("the Cyrillic letter ј", "the Latin `j`"),
        'А' => ("the Cyrillic letter А", "the Latin `A`"),
        'В' => ("the Cyrillic letter В", "the Latin `B`"),
        'Е' => ("the Cyrillic letter Е", "the Latin `E`"),
        'К' => ("the Cyrillic letter К", "the Latin `K`"),
        'М' => ("the Cyrillic letter М", "the Latin `M`"),
        'Н' => ("the Cyrillic letter Н", "the Latin `H`"),
        'О' => ("the Cyrillic letter О", "the Latin `O`"),
        'Р' => ("the Cyrillic letter Р", "the Latin `P`"),
        'С' => ("the Cyrillic letter С", "the Latin `C`"),
        'Т' => ("the Cyrillic letter Т", "the Latin `T`"),
        'Х' => ("the Cyrillic letter Х", "the Latin `X`"),
        'ο' => ("the Greek letter ο", "the Latin `o`"),
        'α' => ("the Greek letter α", "the Latin `a`"),
        'ν' => ("the Greek letter ν", "the Latin `v`"),
        'ι' => ("the Greek letter ι", "the Latin `i`"),
        'Α' => ("the Greek letter Α", "the Latin `A`"),
        'Ε' => ("the Greek letter Ε", "the Latin `E`"),
        'Ο' => ("the Greek letter Ο", "the Latin `O`"),
        'Ρ' => ("the Greek letter Ρ", "the Latin `P`"),
        'Τ' => ("the Greek letter Τ", "the Latin `T`"),
        'ı' => ("the dotless letter ı", "the Latin `i`"),
        _ => return None,
    })
}

/// Whether the language uses this character outside texts and comments:
/// ASCII, and the micro and degree signs of units.
fn usable(character: char) -> bool {
    character.is_ascii() || matches!(character, 'µ' | 'μ' | '°')
}

/// Reports every character of an item's code (outside its texts and
/// comments) that the language does not use, naming the one meant when it
/// looks like one. Hidden characters are reported by [`check_hidden`];
/// gives whether one stands in the code, where it would also break the
/// item, so that the item is not parsed to report it twice.
pub fn check_code(chunk: &str, offset: u32, errors: &mut Vec<SyntaxError>) -> bool {
    let mut hidden_in_code = false;
    if chunk.is_ascii()
        && !chunk
            .bytes()
            .any(|byte| byte.is_ascii_control() && !matches!(byte, b'\n' | b'\r' | b'\t'))
    {
        return false;
    }
    let mut in_text = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (at, character) in chunk.char_indices() {
        if in_comment {
            in_comment = character != '\n';
            continue;
        }
        if in_text {
            match character {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_text = false,
                '\n' => in_text = false,
                _ => escaped = false,
            }
            continue;
        }
        match character {
            '#' => in_comment = true,
            '"' => in_text = true,
            character if hidden_name(character).is_some() => hidden_in_code = true,
            character if usable(character) => {}
            character => {
                let start = offset.saturating_add(u32::try_from(at).unwrap_or(u32::MAX));
                let length = u32::try_from(character.len_utf8()).unwrap_or(1);
                let (message, help) = match look_alike(character) {
                    Some((what, instead)) => (
                        if character.is_whitespace() || matches!(character, '\u{200b}' | '\u{2060}' | '\u{feff}') {
                            format!(
                                "U+{:04X} is {what}, which the rule language does not read",
                                u32::from(character)
                            )
                        } else {
                            format!(
                                "`{character}` is {what}, which the rule language does not read"
                            )
                        },
                        format!(
                            "write {instead} instead; characters like this one often come from copying text out of a word processor or a PDF"
                        ),
                    ),
                    None => (
                        format!(
                            "`{character}` (U+{:04X}) cannot stand outside a text or a comment",
                            u32::from(character)
                        ),
                        "names use the letters a to z, digits, `_` and `.`; put any other character inside a text in double quotes".to_owned(),
                    ),
                };
                errors.push(SyntaxError::UnusableCharacter {
                    message,
                    help,
                    span: Span::new(start, start.saturating_add(length)),
                });
            }
        }
    }
    hidden_in_code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_found_anywhere() {
        let mut errors = Vec::new();
        check_hidden(
            "# a comment\u{2028}rule x\n\"text \u{202e}\"\tok\r\n",
            &mut errors,
        );
        let names: Vec<&str> = errors
            .iter()
            .filter_map(|error| match error {
                SyntaxError::HiddenCharacter { name, .. } => Some(*name),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["line separator", "right-to-left override"]);
    }

    #[test]
    fn look_alikes_in_code_are_named_and_texts_are_left_alone() {
        let mut errors = Vec::new();
        let _ = check_code(
            "rule r \"≥ “quoted” in a text\"\n  when lab.lead ≥ 5 µg/dL and\u{a0}fоo # ≥ in a comment\n",
            10,
            &mut errors,
        );
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "`≥` is the typographic sign for at least, which the rule language does not read",
                "U+00A0 is a non-breaking or typographic space, which the rule language does not read",
                "`о` is the Cyrillic letter о, which the rule language does not read",
            ]
        );
        assert_eq!(
            errors.first().map(SyntaxError::span).map(|span| span.start),
            Some(10 + 52)
        );
    }
}
