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

/// A word as written; see the module documentation. It compares, orders
/// and hashes as its text does, so that it can stand for a `&str` in sorted
/// lists and as a map key.
#[derive(Clone, PartialEq, Eq)]
pub struct Word(Repr);

/// Equal words have equal representations: a word of up to [`INLINE`] bytes
/// is always inline, with zeros after it.
#[derive(Clone, PartialEq, Eq)]
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

impl PartialOrd for Word {
    fn partial_cmp(&self, other: &Word) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Word {
    fn cmp(&self, other: &Word) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Word {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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

    #[test]
    fn words_sort_and_hash_as_their_text() {
        let mut words: Vec<Word> = [
            "b",
            "aa",
            "a much longer name than any editor would write",
            "a",
        ]
        .into_iter()
        .map(Word::from)
        .collect();
        words.sort();
        let texts: Vec<&str> = words.iter().map(Word::as_str).collect();
        assert_eq!(
            texts,
            [
                "a",
                "a much longer name than any editor would write",
                "aa",
                "b"
            ]
        );
        let mut map = std::collections::HashMap::new();
        map.insert(Word::from("lead"), 1);
        assert_eq!(map.get("lead"), Some(&1));
    }
}
