//! Standard output and standard error, made safe to show on a terminal.
//!
//! The text from rule files and cases is made safe where it enters a report
//! (`clinrule::safe_text`); [`Escaping`] escapes, at the stream, anything that
//! got through, unless the stream is a coloured terminal, whose escape
//! sequences are Clinrule's own.

use std::io::Write;

pub use clinrule::safe_text::{
    is_unsafe, keeping_lines, one_line, same_length_display, shorten_quotes,
};

/// A stream of text that escapes every unsafe character written to it, as
/// [`keeping_lines`] does. Text is passed on whole characters at a time: a
/// character cut between two writes waits for its end.
pub struct Escaping<'stream> {
    inner: &'stream mut dyn Write,
    pending: Vec<u8>,
    /// Whether text passes unchanged: for a coloured terminal, whose
    /// escape sequences are Clinrule's own.
    pub passing: bool,
}

impl<'stream> Escaping<'stream> {
    /// Escapes what is written to `inner`.
    pub fn new(inner: &'stream mut dyn Write) -> Escaping<'stream> {
        Escaping {
            inner,
            pending: Vec::new(),
            passing: false,
        }
    }
}

impl Write for Escaping<'_> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.write_all(buffer)?;
        Ok(buffer.len())
    }

    fn write_all(&mut self, buffer: &[u8]) -> std::io::Result<()> {
        // The fast way: nothing that could start an unsafe character (a
        // control byte, or a lead byte of U+0080 to U+009F and U+2000 to
        // U+206F, and U+061C), and nothing waiting.
        let suspicious = |byte: &u8| {
            (*byte < 0x20 && *byte != b'\n' && *byte != b'\t')
                || *byte == 0x7f
                || *byte == 0xc2
                || *byte == 0xd8
                || *byte == 0xe2
        };
        if self.passing || (self.pending.is_empty() && !buffer.iter().any(suspicious)) {
            return self.inner.write_all(buffer);
        }
        self.pending.extend_from_slice(buffer);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            // Not UTF-8 at all: Clinrule writes only text, so this is
            // passed on as it is.
            Err(_) => {
                let bytes = std::mem::take(&mut self.pending);
                return self.inner.write_all(&bytes);
            }
        };
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        self.inner.write_all(keeping_lines(&text).as_bytes())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            self.inner.write_all(&bytes)?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn a_stream_escapes_characters_cut_between_writes() {
        let mut out = Vec::new();
        {
            let mut escaping = Escaping::new(&mut out);
            let text = "ok \u{202e}x\u{1b}y é\n".as_bytes();
            for byte in text {
                escaping.write_all(std::slice::from_ref(byte)).unwrap();
            }
            escaping.flush().unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "ok \\u{202e}x\\u{1b}y é\n");
    }
}
