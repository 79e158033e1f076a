//! The direct reader of rules and the grammar must build the same tree.
//!
//! Rules are read by a hand-written reader that gives up on anything it
//! does not read completely, leaving it to the pest grammar (see
//! `crates/clinrule-syntax/src/fast.rs`). These tests parse the same text
//! both ways and compare everything that comes out: items with their spans,
//! broken items and syntax errors. The text is every bundled and fixture
//! rule file, every prefix of every rule in them, thousands of rules
//! altered at random (words deleted, repeated, swapped or replaced, blank
//! space and comments moved), and generated rule sets. They also check that
//! the direct reader really reads: a test that only ever saw it give up
//! would prove nothing.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its input must fail loudly"
)]

use clinrule_syntax::{parse, parse_by_grammar_only, read_rule_directly};
use clinrule_tests::generate::{Random, rule_set, rule_set_comparing_facts};
use clinrule_tests::{files_below, fixtures, root};

/// Every rule file the repository holds: the bundled rule sets and the fixtures.
fn rule_files() -> Vec<(String, String)> {
    let mut files = files_below(&root().join("rules"), ".crl");
    files.extend(files_below(&fixtures(), ".crl"));
    assert!(files.len() > 50, "the rule files are found");
    // A file that is not UTF-8 never reaches the parser.
    files
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).expect("a rule file reads");
            String::from_utf8(bytes)
                .ok()
                .map(|source| (path.display().to_string(), source))
        })
        .collect()
}

/// Parses `source` both ways; panics with both results if they differ.
fn same_both_ways(what: &str, source: &str) {
    let direct = format!("{:#?}", parse(source));
    let grammar = format!("{:#?}", parse_by_grammar_only(source));
    if direct != grammar {
        // Where they part, with a little of what came before.
        let direct_lines: Vec<&str> = direct.lines().collect();
        let grammar_lines: Vec<&str> = grammar.lines().collect();
        let first = direct_lines
            .iter()
            .zip(&grammar_lines)
            .position(|(a, b)| a != b)
            .unwrap_or(direct_lines.len().min(grammar_lines.len()));
        let from = first.saturating_sub(12);
        let shown =
            |lines: &[&str]| lines[from.min(lines.len())..(first + 12).min(lines.len())].join("\n");
        panic!(
            "the direct reader and the grammar disagree on {what}:\n--- text ---\n{source:?}\n\
             --- direct, from line {from} ---\n{}\n--- grammar ---\n{}",
            shown(&direct_lines),
            shown(&grammar_lines)
        );
    }
}

/// The rules of a file, as the parser cuts them: from a line starting with
/// `rule` to the next line starting with a top-level word.
fn rule_items(source: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = Vec::new();
    let mut item_starts: Vec<(usize, bool)> = Vec::new();
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        let word = line
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .next();
        if let Some(word) = word
            && matches!(
                word,
                "ruleset" | "reference" | "fact" | "let" | "score" | "differential" | "rule"
            )
        {
            item_starts.push((at, word == "rule"));
        }
        at += line.len();
    }
    item_starts.push((source.len(), false));
    for pair in item_starts.windows(2) {
        if pair[0].1 {
            starts.push(pair[0].0);
            starts.push(pair[1].0);
        }
    }
    starts
        .chunks(2)
        .map(|range| &source[range[0]..range[1]])
        .collect()
}

#[test]
fn every_rule_file_reads_the_same_both_ways() {
    let mut rules = 0;
    let mut read_directly = 0;
    for (name, source) in rule_files() {
        same_both_ways(&name, &source);
        for item in rule_items(&source) {
            rules += 1;
            if read_rule_directly(item).is_some() {
                read_directly += 1;
            }
        }
    }
    // The fixtures hold many broken rules on purpose, and some rules use
    // dates or units outside ASCII, which the direct reader leaves to the
    // grammar; still, most rules must be read directly.
    eprintln!("{read_directly} of {rules} rules read directly");
    assert!(rules > 120, "{rules} rules found");
    assert!(
        read_directly * 10 > rules * 7,
        "only {read_directly} of {rules} rules were read directly"
    );
}

#[test]
fn every_prefix_of_every_rule_reads_the_same_both_ways() {
    let mut prefixes = 0;
    let mut read_directly = 0;
    for (name, source) in rule_files() {
        for item in rule_items(&source) {
            for (cut, _) in item.char_indices().skip(1) {
                let prefix = &item[..cut];
                same_both_ways(&format!("{name}, a rule cut at byte {cut}"), prefix);
                prefixes += 1;
                if read_rule_directly(prefix).is_some() {
                    read_directly += 1;
                }
            }
        }
    }
    eprintln!("{read_directly} of {prefixes} prefixes read directly");
    assert!(prefixes > 10_000, "{prefixes} prefixes");
    // A rule cut inside its last conclusion's text is broken; cut after a
    // complete conclusion or option it is a whole smaller rule.
    assert!(
        read_directly > 100,
        "{read_directly} prefixes read directly"
    );
}

/// Pieces of rule text, to insert or substitute.
const PIECES: &[&str] = &[
    "and",
    "or",
    "otherwise",
    "not",
    "in",
    "is",
    "known",
    "missing",
    "between",
    "inclusive",
    "exclusive",
    "within",
    "days",
    "before",
    "after",
    "as_of",
    "any",
    "all",
    "none",
    "at least",
    "at most",
    "of",
    "yes",
    "no",
    "for",
    "against",
    "then",
    "when",
    "cite",
    "1",
    ",",
    "(",
    ")",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!=",
    "!",
    "+",
    "-",
    "*",
    "/",
    "3",
    "-2",
    "2.5",
    "3.",
    "10*9/L",
    "mg/dL",
    "ug/dL",
    "µg/dL",
    "%",
    "2024-02-30",
    "2025-01-01",
    "\"text\"",
    "\"a \\\" b\"",
    "\"bad \\x\"",
    "\"",
    "# a comment\n",
    "\n",
    "\t",
    "  ",
    "\r\n",
    "note",
    "suspect",
    "follow up",
    "follow\tup",
    "follow_up",
    "certainty",
    "likely",
    "possible",
    "sure",
    "urgency",
    "critical",
    "because",
    "patient",
    "clinicians only",
    "clinicians",
    "every",
    "6 months",
    "points",
    "-1 points",
    "a.b",
    "x.",
    "f1",
    "rule",
    "fact",
    "code",
    "also",
    "from",
    "absent",
    "\u{feff}",
    "é",
    "µ",
    "°C",
];

/// A rule changed in one to three random ways.
fn altered(item: &str, random: &mut Random) -> String {
    let mut text = item.to_owned();
    for _ in 0..=random.below(3) {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        let at = boundaries[random.below(boundaries.len())];
        let to = boundaries[random.below(boundaries.len())].max(at);
        let to = to.min(at + 12);
        let to = boundaries
            .iter()
            .copied()
            .find(|b| *b >= to)
            .unwrap_or(text.len());
        let piece = PIECES[random.below(PIECES.len())];
        match random.below(4) {
            0 => text.replace_range(at..to, ""),
            1 => text.insert_str(at, &format!(" {piece} ")),
            2 => text.insert_str(at, piece),
            _ => text.replace_range(at..to, piece),
        }
    }
    text
}

#[test]
fn altered_rules_read_the_same_both_ways() {
    // `CLINRULE_ALTERED_RULES=<rounds>,<seed>` runs a longer search.
    let (rounds, seed) = std::env::var("CLINRULE_ALTERED_RULES")
        .ok()
        .and_then(|value| {
            let (rounds, seed) = value.split_once(',')?;
            Some((rounds.parse().ok()?, seed.parse().ok()?))
        })
        .unwrap_or((12_000, 0x5EED_FA57));
    let mut random = Random::new(seed);
    let items: Vec<String> = rule_files()
        .iter()
        .flat_map(|(_, source)| rule_items(source).into_iter().map(str::to_owned))
        .collect();
    let mut read_directly = 0;
    for round in 0..rounds {
        let item = &items[random.below(items.len())];
        let text = altered(item, &mut random);
        same_both_ways(&format!("altered rule {round}"), &text);
        if read_rule_directly(&text).is_some() {
            read_directly += 1;
        }
    }
    eprintln!("{read_directly} of {rounds} altered rules read directly");
    // Some changes leave a valid rule (a comment moved, `and` made `or`
    // throughout, a name changed), which the direct reader must read.
    assert!(read_directly > rounds / 20, "{read_directly} read directly");
}

#[test]
fn generated_rule_sets_read_the_same_both_ways() {
    let mut random = Random::new(7);
    for set in 0..300 {
        let generated = if set % 3 == 0 {
            rule_set_comparing_facts(&mut random)
        } else {
            rule_set(&mut random)
        };
        same_both_ways(&format!("generated rule set {set}"), &generated.text);
        // Dates are left to the grammar, which checks them as it reads.
        for item in rule_items(&generated.text) {
            let has_date = item.as_bytes().windows(5).any(|window| {
                window[0].is_ascii_digit()
                    && window[4] == b'-'
                    && window[1..4].iter().all(u8::is_ascii_digit)
            });
            assert!(
                has_date || read_rule_directly(item).is_some(),
                "a generated rule is left to the grammar:\n{item}"
            );
        }
    }
}

/// Places in a rule where one word decides how the rest is read.
const PLACES: &[&str] = &[
    "rule r \"T\"\n  when x >= 5 {w} then note c \"C\"\n",
    "rule r \"T\"\n  when x >= 5 {w}\n  then note c \"C\"\n",
    "rule r \"T\"\n  when x >= 5 {w} and y\n  then note c \"C\"\n",
    "rule r \"T\"\n  when x >= 5 {w} {w}\n  then note c \"C\"\n",
    "rule r \"T\"\n  when x >= 5 mg/dL ({w}) then note c \"C\"\n",
    "rule r \"T\"\n  when x >= 5 mg/dL (2 {w}) then note c \"C\"\n",
    "rule r \"T\"\n  when {w} then note c \"C\"\n",
    "rule r \"T\"\n  when {w} {w} then note c \"C\"\n",
    "rule r \"T\"\n  when {w} x then note c \"C\"\n",
    "rule r \"T\"\n  when x {w} y then note c \"C\"\n",
    "rule r \"T\"\n  when x {w} then note c \"C\"\n",
    "rule r \"T\"\n  when (x {w}) then note c \"C\"\n",
    "rule r \"T\"\n  when x in ({w}) then note c \"C\"\n",
    "rule r \"T\"\n  when x not in (a, {w}) then note c \"C\"\n",
    "rule r \"T\"\n  when any of (x, {w}) then note c \"C\"\n",
    "rule r \"T\"\n  when at least 1 of (x {w}) then note c \"C\"\n",
    "rule r \"T\"\n  when x between 1 {w} and 2 then note c \"C\"\n",
    "rule r \"T\"\n  when x between 1 and 2 {w} then note c \"C\"\n",
    "rule r \"T\"\n  when x within 3 days {w} as_of then note c \"C\"\n",
    "rule r \"T\"\n  when x - {w} > 1 then note c \"C\"\n",
    "rule r \"T\"\n  when x * 2 {w} 3 then note c \"C\"\n",
    "rule r \"T\"\n  when x is {w} then note c \"C\"\n",
    "rule r \"T\"\n  when x then note c \"C\" {w}\n",
    "rule r \"T\"\n  when x then {w} c \"C\"\n",
    "rule r \"T\"\n  when x then note {w} \"C\"\n",
    "rule r \"T\"\n  when x then note c \"C\" certainty {w}\n",
    "rule r \"T\"\n  when x then note c \"C\" urgency {w}\n",
    "rule r \"T\"\n  when x then note c \"C\" in 6 {w}\n",
    "rule r \"T\"\n  when x then note c \"C\" clinicians {w}\n",
    "rule r \"T\"\n  when x then note c \"C\" cite {w}\n",
    "rule r {w}\n  when x then note c \"C\"\n",
    "rule r \"T\" {w}\n  when x then note c \"C\"\n",
    "rule {w} \"T\"\n  when x then note c \"C\"\n",
];

#[test]
fn every_word_in_every_deciding_place_reads_the_same_both_ways() {
    let mut read_directly = 0;
    let mut texts = 0;
    for word in clinrule_syntax::KEYWORDS.iter().chain(PIECES) {
        for place in PLACES {
            let text = place.replace("{w}", word);
            same_both_ways(&format!("`{word}` in {place:?}"), &text);
            texts += 1;
            if read_rule_directly(&text).is_some() {
                read_directly += 1;
            }
        }
    }
    eprintln!("{read_directly} of {texts} read directly");
    assert!(read_directly > texts / 10, "{read_directly} read directly");
}
