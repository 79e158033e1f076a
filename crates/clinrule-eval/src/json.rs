//! A small, strict JSON reader that keeps the span of every value.
//!
//! Cases are written by hand, so an error in one must point at the exact key
//! or value, and a number must keep its decimal digits exactly as written
//! (`0.035` is not a binary fraction). Duplicate keys are reported, never
//! silently merged, and nesting is bounded so that no input can exhaust the
//! stack.

use clinrule_syntax::Span;

/// How deeply arrays and objects may nest.
pub const MAX_DEPTH: usize = 64;

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNode {
    /// The value.
    pub value: JsonValue,
    /// Where it was written.
    pub span: Span,
}

/// A JSON value. Numbers keep their text; objects keep their keys in order,
/// each with its span.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonNode>),
    /// An object: keys with their spans, and values, in the order written.
    Object(Vec<(String, Span, JsonNode)>),
}

impl JsonValue {
    /// The value itself in words, for error messages: "the text `present`".
    pub fn describe_value(&self) -> String {
        match self {
            JsonValue::String(text) if text.chars().count() <= 40 => format!("the text `{text}`"),
            JsonValue::String(_) => "a text".to_owned(),
            JsonValue::Number(number) => format!("the number `{number}`"),
            JsonValue::Bool(true) => "`true`".to_owned(),
            JsonValue::Bool(false) => "`false`".to_owned(),
            other => other.describe().to_owned(),
        }
    }

    /// What the value is, in words, for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "true or false",
            JsonValue::Number(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "a list",
            JsonValue::Object(_) => "an object",
        }
    }
}

/// Why a text is not valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    /// What is wrong, in words.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Reads a whole JSON text.
pub fn parse_json(text: &str) -> Result<JsonNode, JsonProblem> {
    if u32::try_from(text.len()).is_err() {
        return Err(JsonProblem {
            message: "the file is larger than 4 GiB".to_owned(),
            span: Span::new(0, 0),
        });
    }
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    // A byte-order mark is allowed at the very start.
    if text.starts_with('\u{feff}') {
        reader.at = '\u{feff}'.len_utf8();
    }
    reader.skip_space();
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at < reader.bytes.len() {
        return Err(reader.problem("unexpected text after the end of the case", 1));
    }
    Ok(value)
}

/// Reads a number in JSON's grammar starting at `start`: where it ends, or
/// where it goes wrong and why. Both case readers use it, so that they take
/// exactly the same numbers.
pub(crate) fn scan_number(bytes: &[u8], start: usize) -> Result<usize, (usize, &'static str)> {
    let mut at = start;
    if bytes.get(at) == Some(&b'-') {
        at += 1;
    }
    let digits = |at: &mut usize| {
        let from = *at;
        while matches!(bytes.get(*at), Some(b'0'..=b'9')) {
            *at += 1;
        }
        *at - from
    };
    let whole_start = at;
    let whole = digits(&mut at);
    if whole == 0 || (whole > 1 && bytes.get(whole_start) == Some(&b'0')) {
        return Err((
            start,
            "a number must start with a digit, without leading zeros",
        ));
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        if digits(&mut at) == 0 {
            return Err((at, "a decimal point must be followed by digits"));
        }
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return Err((at, "an exponent must have digits"));
        }
    }
    Ok(at)
}

struct Reader<'text> {
    bytes: &'text [u8],
    text: &'text str,
    at: usize,
}

impl Reader<'_> {
    fn span_from(&self, start: usize) -> Span {
        Span::new(start as u32, self.at as u32)
    }

    fn problem(&self, message: &str, length: usize) -> JsonProblem {
        if self.at >= self.text.trim_end().len() {
            // At the end of the text: point at its last character.
            let trimmed = self.text.trim_end();
            let last = trimmed.char_indices().next_back().map_or(0, |(at, _)| at);
            return JsonProblem {
                message: message.to_owned(),
                span: Span::new(last as u32, trimmed.len() as u32),
            };
        }
        let end = (self.at + length).min(self.bytes.len());
        JsonProblem {
            message: message.to_owned(),
            span: Span::new(self.at as u32, end as u32),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonNode, JsonProblem> {
        if depth > MAX_DEPTH {
            return Err(self.problem("lists and objects are nested more than 64 deep", 1));
        }
        let start = self.at;
        let value = match self.peek() {
            None => return Err(self.problem("the case ends where a value was expected", 0)),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonValue::String(self.string()?),
            Some(b't') => self.word("true", JsonValue::Bool(true))?,
            Some(b'f') => self.word("false", JsonValue::Bool(false))?,
            Some(b'n') => self.word("null", JsonValue::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                let length = self
                    .text
                    .get(self.at..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
                return Err(self.problem(
                    "expected a value: a string in double quotes, a number, true, false, null, a list or an object",
                    length,
                ));
            }
        };
        Ok(JsonNode {
            value,
            span: self.span_from(start),
        })
    }

    fn word(&mut self, word: &str, value: JsonValue) -> Result<JsonValue, JsonProblem> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            let length = self.text.get(self.at..).map_or(1, |rest| {
                rest.find(|character: char| !character.is_alphanumeric())
                    .unwrap_or(rest.len())
                    .max(1)
            });
            Err(self.problem(
                "expected a value: text must be in double quotes, and only true, false and null are written bare",
                length,
            ))
        }
    }

    fn number(&mut self) -> Result<JsonValue, JsonProblem> {
        let start = self.at;
        match scan_number(self.bytes, start) {
            Ok(end) => {
                self.at = end;
                Ok(JsonValue::Number(
                    self.text.get(start..end).unwrap_or_default().to_owned(),
                ))
            }
            Err((at, message)) => {
                self.at = at;
                Err(self.problem(message, 1))
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonProblem> {
        let open = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let Some(byte) = self.peek() else {
                self.at = open;
                return Err(self.problem("this string is not closed", 1));
            };
            match byte {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.at += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let high = self.hex4()?;
                            let code =
                                if (0xD800..0xDC00).contains(&high) {
                                    if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                                        return Err(self
                                            .problem("a UTF-16 surrogate must come in a pair", 1));
                                    }
                                    self.at += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&low) {
                                        return Err(self
                                            .problem("a UTF-16 surrogate must come in a pair", 1));
                                    }
                                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                                } else {
                                    high
                                };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.problem("not a character", 1))?,
                            );
                            continue;
                        }
                        _ => return Err(self.problem("unknown escape in a string", 1)),
                    };
                    out.push(escaped);
                    self.at += 1;
                }
                0..=0x1f => {
                    return Err(self.problem(
                        "a string cannot contain a line break or control character; write \\n",
                        1,
                    ));
                }
                _ => {
                    // A run of plain characters is copied at once. The run
                    // stops only at ASCII bytes, so it ends on a character
                    // boundary and the slice is valid text.
                    let run = self
                        .bytes
                        .get(self.at..)
                        .unwrap_or_default()
                        .iter()
                        .position(|byte| matches!(byte, b'"' | b'\\' | 0..=0x1f))
                        .unwrap_or(self.bytes.len() - self.at);
                    let Some(plain) = self.text.get(self.at..self.at + run) else {
                        return Err(self.problem("not valid UTF-8", 1));
                    };
                    out.push_str(plain);
                    self.at += run;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonProblem> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.problem("`\\u` must be followed by four hexadecimal digits", 1))?;
        let value = u32::from_str_radix(digits, 16)
            .map_err(|_| self.problem("`\\u` must be followed by four hexadecimal digits", 4))?;
        self.at += 4;
        Ok(value)
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, JsonProblem> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_space();
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(JsonValue::Array(items));
                }
                None => {
                    return Err(
                        self.problem("the case ends before this list is closed with `]`", 1)
                    );
                }
                _ => return Err(self.problem("expected `,` or `]` in this list", 1)),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, JsonProblem> {
        self.at += 1;
        let mut entries: Vec<(String, Span, JsonNode)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(JsonValue::Object(entries));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.problem("expected a key in double quotes", 1));
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_span = self.span_from(key_start);
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.problem("expected `:` after the key", 1));
            }
            self.at += 1;
            self.skip_space();
            let value = self.value(depth + 1)?;
            entries.push((key, key_span, value));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(JsonValue::Object(entries));
                }
                None => {
                    return Err(
                        self.problem("the case ends before this object is closed with `}`", 1)
                    );
                }
                _ => return Err(self.problem("expected `,` or `}` in this object", 1)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_with_spans() {
        let node = parse_json(r#"{"a": [1, -2.5e3, "x\u00e9"], "b": null}"#).unwrap();
        let JsonValue::Object(entries) = node.value else {
            panic!("not an object")
        };
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[0].1, Span::new(1, 4));
        let JsonValue::Array(items) = &entries[0].2.value else {
            panic!("not a list")
        };
        assert_eq!(items[1].value, JsonValue::Number("-2.5e3".to_owned()));
        assert_eq!(items[2].value, JsonValue::String("xé".to_owned()));
        assert_eq!(entries[1].2.value, JsonValue::Null);
    }

    #[test]
    fn refuses_what_json_does_not_allow() {
        for bad in [
            "",
            "{",
            "[1,]",
            "01",
            "{'a': 1}",
            "{\"a\" 1}",
            "tru",
            "1 2",
            "\"a\nb\"",
            "NaN",
            "-",
        ] {
            assert!(parse_json(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let problem = parse_json(&deep).unwrap_err();
        assert!(problem.message.contains("nested"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert!(parse_json("\u{feff}{}").is_ok());
    }
}
