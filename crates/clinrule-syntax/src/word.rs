//! A word as written in a rule file, kept inline when it is short.
//!
//! Names, codes, units and numbers are almost always a few letters, and a
//! large rule set has hundreds of thousands of them: one heap block each
//! cost more memory than the word, and more time to allocate and free than
//! to read it. A [`Word`] holds up to 22 bytes in place and only a longer
//! one on the heap; it is the size of a `String` and reads as a `&str`.

use std::fmt;

/// The most bytes kept in place.
const INLINE: usize = 22;

/// A word as written; see the module documentation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(Repr);

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    /// The bytes, then zeros: words compare and hash by their bytes.
    Inline {
        length: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

impl Word {
    /// The word as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { length, bytes } => bytes
                .get(..usize::from(*length))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .unwrap_or_default(),
            Repr::Heap(text) => text,
        }
    }
}

impl From<&str> for Word {
    fn from(text: &str) -> Word {
        if text.len() <= INLINE {
            let mut bytes = [0; INLINE];
            for (slot, byte) in bytes.iter_mut().zip(text.bytes()) {
                *slot = byte;
            }
            Word(Repr::Inline {
                length: text.len() as u8,
                bytes,
            })
        } else {
            Word(Repr::Heap(text.into()))
        }
    }
}

impl From<String> for Word {
    fn from(text: String) -> Word {
        Word::from(text.as_str())
    }
}

impl From<&Word> for String {
    fn from(word: &Word) -> String {
        word.as_str().to_owned()
    }
}

impl From<Word> for String {
    fn from(word: Word) -> String {
        word.as_str().to_owned()
    }
}

impl Default for Word {
    fn default() -> Word {
        Word::from("")
    }
}

impl std::ops::Deref for Word {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Word {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Word {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl fmt::Display for Word {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), formatter)
    }
}

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Word {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Word> for str {
    fn eq(&self, other: &Word) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Word> for &str {
    fn eq(&self, other: &Word) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Word> for String {
    fn eq(&self, other: &Word) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::Word;

    #[test]
    fn short_and_long_words_read_back_as_written() {
        for text in [
            "",
            "a",
            "lab.blood_lead",
            "exactly_twenty_two_ch",
            "exactly_twenty_two_chr",
            "twenty_three_characters",
            "µg/dL",
            "a much longer name than any editor would write",
        ] {
            let word = Word::from(text);
            assert_eq!(word.as_str(), text);
            assert_eq!(word, text);
            assert_eq!(format!("{word:?}"), format!("{text:?}"));
            assert_eq!(word, Word::from(text.to_owned()));
        }
        assert_eq!(std::mem::size_of::<Word>(), std::mem::size_of::<String>());
    }
}
