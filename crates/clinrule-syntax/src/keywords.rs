//! The language's words, in one table: the words that start an item, a
//! conclusion or a candidate's status, the grammar's keywords and reserved
//! words, and every keyword for "did you mean". The grammar reader, the
//! direct reader of rules, the formatter and the error messages all read
//! them here; a test holds the lists the grammar also spells out
//! (`keyword`, `name_reserved`, `code`, the items) to `grammar.pest`.

/// The words that start a top-level item.
pub const ITEM_KEYWORDS: [&str; 7] = [
    "ruleset",
    "reference",
    "fact",
    "let",
    "score",
    "differential",
    "rule",
];

/// Every keyword of the language, for "did you mean" suggestions.
pub const KEYWORDS: &[&str] = &[
    "ruleset",
    "title",
    "version",
    "status",
    "reviewed",
    "authors",
    "audience",
    "reference",
    "pmid",
    "doi",
    "url",
    "fact",
    "quantity",
    "one",
    "of",
    "absent",
    "means",
    "ask",
    "plausible",
    "obtained",
    "required",
    "clinicians",
    "only",
    "code",
    "rule",
    "when",
    "then",
    "cite",
    "and",
    "or",
    "not",
    "in",
    "is",
    "known",
    "missing",
    "yes",
    "no",
    "certainty",
    "urgency",
    "because",
    "patient",
    "every",
    "suspect",
    "exclude",
    "order",
    "refer",
    "treat",
    "warn",
    "follow",
    "up",
    "note",
    "let",
    "score",
    "criterion",
    "point",
    "points",
    "band",
    "from",
    "to",
    "recommend",
    "applies",
    "table",
    "row",
    "gives",
    "rounded",
    "down",
    "set",
    "aside",
    "valence",
    "set",
    "aside",
    "valence",
    "valence",
    "differential",
    "candidate",
    "for",
    "against",
    "weight",
    "otherwise",
    "between",
    "inclusive",
    "exclusive",
    "within",
    "before",
    "after",
    "as_of",
    "at",
    "least",
    "most",
    "any",
    "all",
    "none",
    "also",
    "per",
    "molar",
    "mass",
];

/// Keywords written as two words, which an editor may mistype in either.
pub const TWO_WORD_KEYWORDS: [(&str, &str); 5] = [
    ("follow", "up"),
    ("clinicians", "only"),
    ("molar", "mass"),
    ("absent", "means"),
    ("one", "of"),
];

/// The words the grammar's `keyword` rule knows: none of them can start a unit.
pub const UNIT_KEYWORDS: &[&str] = &[
    "against",
    "applies",
    "table",
    "row",
    "gives",
    "rounded",
    "down",
    "set",
    "aside",
    "valence",
    "after",
    "as_of",
    "all",
    "and",
    "any",
    "at",
    "recommend",
    "reference",
    "ruleset",
    "refer",
    "rule",
    "candidate",
    "certainty",
    "criterion",
    "cite",
    "otherwise",
    "order",
    "of",
    "or",
    "because",
    "between",
    "before",
    "band",
    "follow",
    "fact",
    "from",
    "for",
    "weight",
    "within",
    "warn",
    "when",
    "none",
    "note",
    "not",
    "no",
    "exclusive",
    "exclude",
    "every",
    "inclusive",
    "in",
    "is",
    "patient",
    "points",
    "point",
    "treat",
    "then",
    "to",
    "suspect",
    "score",
    "differential",
    "urgency",
    "let",
    "yes",
];

/// The grammar's `name_reserved`: words that cannot start a name.
pub const NAME_RESERVED: &[&str] = &[
    "exclusive",
    "inclusive",
    "otherwise",
    "against",
    "between",
    "within",
    "as_of",
    "cite",
    "none",
    "then",
    "when",
    "all",
    "and",
    "any",
    "for",
    "not",
    "yes",
    "at",
    "in",
    "is",
    "no",
    "or",
];

/// Words the grammar's `code` rule refuses besides the reserved ones.
pub const CODE_RESERVED: &[&str] = &[
    "absent",
    "code",
    "also",
    "molar",
    "from",
    "plausible",
    "obtained",
    "required",
];

/// The words that start a conclusion.
pub const VERBS: [&str; 8] = [
    "suspect", "exclude", "order", "refer", "treat", "warn", "follow", "note",
];

/// The words that start a candidate's status rule.
pub const STATUSES: [&str; 5] = ["suspected", "likely", "possible", "unlikely", "excluded"];

#[cfg(test)]
mod tests {
    #![allow(
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::expect_used,
        clippy::panic,
        reason = "a test of the grammar text fails loudly"
    )]

    use super::*;

    const GRAMMAR: &str = include_str!("grammar.pest");

    /// The quoted words of a text, in order.
    fn quoted(text: &str) -> Vec<&str> {
        text.split('"').skip(1).step_by(2).collect()
    }

    /// The lines of a grammar rule, from its definition to its first line
    /// that ends with `!ident_char`.
    fn rule_body(name: &str) -> &'static str {
        let start = GRAMMAR
            .find(&format!("\n{name} = "))
            .unwrap_or_else(|| panic!("no rule {name}"));
        let rest = &GRAMMAR[start + 1..];
        let end = rest.find("!ident_char").unwrap_or(rest.len());
        &rest[..end]
    }

    fn sorted(words: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut words: Vec<String> = words.into_iter().collect();
        words.sort();
        words.dedup();
        words
    }

    #[test]
    fn the_keyword_table_is_the_grammars() {
        // `keyword`: a first letter, then the rest of each word.
        let mut grammar_keywords = Vec::new();
        for line in rule_body("keyword").lines() {
            let words = quoted(line);
            if let Some((first, rest)) = words.split_first() {
                grammar_keywords.extend(rest.iter().map(|rest| format!("{first}{rest}")));
            }
        }
        assert_eq!(
            sorted(grammar_keywords),
            sorted(UNIT_KEYWORDS.iter().map(|word| (*word).to_owned()))
        );
        assert_eq!(
            sorted(
                quoted(rule_body("name_reserved"))
                    .into_iter()
                    .map(str::to_owned)
            ),
            sorted(NAME_RESERVED.iter().map(|word| (*word).to_owned()))
        );
        let code = GRAMMAR
            .lines()
            .find(|line| line.starts_with("code = "))
            .expect("the code rule");
        // The option words a code cannot be, before the words it shares
        // with names (of which `none` may be a code).
        let end = code
            .find("(&(\"none\"")
            .or_else(|| code.find("!name_reserved"))
            .expect("its reserved words");
        let refused = &code[..end];
        assert_eq!(
            sorted(quoted(refused).into_iter().map(str::to_owned)),
            sorted(CODE_RESERVED.iter().map(|word| (*word).to_owned()))
        );
        // Every word that starts an item or a conclusion is a literal of
        // the grammar, and a keyword "did you mean" proposes. (A candidate's
        // status is a word the parser checks against `STATUSES`.)
        let literal = |word: &str| GRAMMAR.contains(&format!("\"{word}\""));
        for word in ITEM_KEYWORDS.iter().chain(&VERBS) {
            assert!(literal(word), "`{word}` is not in the grammar");
            assert!(KEYWORDS.contains(word), "`{word}` is not in KEYWORDS");
        }
        for (first, second) in TWO_WORD_KEYWORDS {
            assert!(KEYWORDS.contains(&first) && KEYWORDS.contains(&second));
        }
    }
}
