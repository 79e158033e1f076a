//! From rule file text to the typed syntax tree, collecting every syntax error.
//!
//! The file is cut into top-level items at each line that starts with
//! `ruleset`, `reference`, `fact` or `rule` (or a word at the left margin that
//! looks like a misspelling of one). Each item is parsed on its own, so an
//! error in one rule never hides an error in the next.

use pest::Parser as _;
use pest::iterators::Pair;

use crate::ast::*;
use crate::error::SyntaxError;
use crate::span::{Span, Spanned};
use crate::suggest::{did_you_mean, edit_distance};

use crate::keywords::{ITEM_KEYWORDS, KEYWORDS, STATUSES, TWO_WORD_KEYWORDS};

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct CrlParser;

/// Parses a whole rule file.
///
/// Returns the items that could be read and every syntax error found. Items
/// with an error are left out of the tree and listed in [`RuleFile::broken`].
pub fn parse(source: &str) -> (RuleFile, Vec<SyntaxError>) {
    parse_on(source, 1)
}

/// Parses a whole rule file as [`parse`] does, on up to `threads` threads
/// for a large file (each thread a run of consecutive items); the result is
/// the same whatever the number. The caller, which knows the machine,
/// chooses the number: this crate does no IO.
pub fn parse_on(source: &str, threads: usize) -> (RuleFile, Vec<SyntaxError>) {
    parse_with(source, threads, true)
}

/// Parses a whole rule file with the grammar alone, never with the direct
/// reader of rules: for the tests that hold the two readers to the same
/// tree. Editors and integrators use [`parse`].
#[doc(hidden)]
pub fn parse_by_grammar_only(source: &str) -> (RuleFile, Vec<SyntaxError>) {
    parse_with(source, 1, false)
}

/// Parses a whole rule file on up to `threads` threads, reading rules with
/// the direct reader first when `direct` is set.
fn parse_with(source: &str, threads: usize, direct: bool) -> (RuleFile, Vec<SyntaxError>) {
    let mut file = RuleFile::default();
    let mut errors = Vec::new();
    if u32::try_from(source.len()).is_err() {
        errors.push(SyntaxError::FileTooLarge {
            span: Span::new(0, 0),
        });
        file.syntax_error_count = errors.len();
        return (file, errors);
    }
    // Characters that make the file read otherwise than it looks are
    // refused wherever they stand, comments and texts included.
    crate::characters::check_hidden(source, &mut errors);
    // Items are parsed on their own, so a large file's items are parsed on
    // every core, each thread a run of consecutive items, and the results
    // joined in the file's order: the outcome is the same as one by one.
    let ranges = item_ranges(source);
    let threads = threads.min(ranges.len() / ITEMS_PER_THREAD).clamp(1, 16);
    if threads == 1 {
        parse_items(source, &ranges, direct, &mut file, &mut errors);
    } else {
        // Runs of about the same length of text, since items differ widely
        // (a fact is one line, a rule many).
        let per_thread = source.len().div_ceil(threads);
        let mut runs: Vec<&[(usize, usize)]> = Vec::with_capacity(threads);
        let mut run_start = 0;
        for (index, (_, end)) in ranges.iter().enumerate() {
            let run_begins = ranges.get(run_start).map_or(0, |(start, _)| *start);
            if end - run_begins >= per_thread && runs.len() + 1 < threads {
                runs.push(ranges.get(run_start..=index).unwrap_or_default());
                run_start = index + 1;
            }
        }
        runs.push(ranges.get(run_start..).unwrap_or_default());
        let parts: Vec<(RuleFile, Vec<SyntaxError>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .into_iter()
                .map(|run| {
                    scope.spawn(move || {
                        let mut part = RuleFile::default();
                        let mut part_errors = Vec::new();
                        parse_items(source, run, direct, &mut part, &mut part_errors);
                        (part, part_errors)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| match handle.join() {
                    Ok(part) => part,
                    // A bug in one thread is a bug of the whole parse: it
                    // goes on as it would have without threads.
                    Err(payload) => std::panic::resume_unwind(payload),
                })
                .collect()
        });
        file.items
            .reserve_exact(parts.iter().map(|(part, _)| part.items.len()).sum());
        for (part, part_errors) in parts {
            file.items.extend(part.items);
            file.broken.extend(part.broken);
            errors.extend(part_errors);
        }
    }
    file.syntax_error_count = errors.len();
    (file, errors)
}

/// Below this many items a file is parsed on one thread: starting another
/// costs more than it saves.
const ITEMS_PER_THREAD: usize = 32;

/// Parses a run of items, in order, adding them, the broken ones and the
/// errors to `file` and `errors`. With `direct`, a rule is first read by
/// the direct reader ([`crate::fast`]), which gives up on anything it does
/// not read completely; the grammar reads what it leaves.
fn parse_items(
    source: &str,
    ranges: &[(usize, usize)],
    direct: bool,
    file: &mut RuleFile,
    errors: &mut Vec<SyntaxError>,
) {
    file.items.reserve_exact(ranges.len());
    for &(start, end) in ranges {
        let Some(chunk) = source.get(start..end) else {
            continue;
        };
        if chunk.trim().is_empty() || only_comments(chunk) {
            continue;
        }
        let offset = start as u32;
        let errors_before = errors.len();
        check_texts_closed(chunk, offset, errors);
        let hidden_in_code = crate::characters::check_code(chunk, offset, errors);
        if errors.len() == errors_before {
            check_nesting(chunk, offset, errors);
        }
        if errors.len() > errors_before || hidden_in_code {
            file.broken.push(broken_item(chunk, offset));
            continue;
        }
        if direct && let Some(rule) = crate::fast::rule(chunk, offset) {
            let item = Item::Rule(Box::new(rule));
            match too_deep(&item) {
                Some(error) => {
                    errors.push(error);
                    file.broken.push(broken_item(chunk, offset));
                }
                None => file.items.push(item),
            }
            continue;
        }
        match CrlParser::parse(Rule::item_alone, chunk) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.find(|pair| pair.as_rule() != Rule::EOI) else {
                    continue;
                };
                let mut lowerer = Lowerer { offset, errors };
                match lowerer.item(pair) {
                    Some(item) => match too_deep(&item) {
                        Some(error) => {
                            errors.push(error);
                            file.broken.push(broken_item(chunk, offset));
                        }
                        None => file.items.push(item),
                    },
                    None => file.broken.push(broken_item(chunk, offset)),
                }
            }
            Err(error) => {
                errors.push(unexpected(&error, chunk, offset));
                file.broken.push(broken_item(chunk, offset));
            }
        }
    }
}

/// The byte ranges of the top-level items, in order, covering the whole file.
fn item_ranges(source: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let rest = line.trim_start_matches([' ', '\t', '\u{feff}']);
        let indent = line.len() - rest.len();
        let word_length = rest
            .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
            .unwrap_or(rest.len());
        let word = rest.get(..word_length).unwrap_or_default();
        let after = rest.get(word_length..).unwrap_or_default();
        let ends_word = after
            .chars()
            .next()
            .is_none_or(|character| character.is_whitespace() || character == '#');
        let starts_item = ends_word && ITEM_KEYWORDS.contains(&word);
        let looks_like_misspelled_item = indent == 0
            && ends_word
            && word.len() >= 3
            && !KEYWORDS.contains(&word)
            && ITEM_KEYWORDS
                .iter()
                .any(|keyword| edit_distance(word, keyword) <= 2)
            && after
                .trim_start()
                .chars()
                .next()
                .is_some_and(|character| character.is_ascii_alphanumeric());
        if starts_item || looks_like_misspelled_item {
            starts.push(line_start + indent);
        }
        line_start += line.len();
    }
    starts.dedup();
    let mut ranges = Vec::with_capacity(starts.len());
    for (index, start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(source.len());
        ranges.push((*start, end));
    }
    ranges
}

/// Whether a piece of text holds nothing but comments and blank space.
fn only_comments(chunk: &str) -> bool {
    chunk.lines().all(|line| {
        let line = line.trim_start_matches([' ', '\t', '\r', '\u{feff}']);
        line.is_empty() || line.starts_with('#')
    })
}

/// Reports every text opened with `"` and not closed on its line.
fn check_texts_closed(chunk: &str, offset: u32, errors: &mut Vec<SyntaxError>) {
    let mut open_at: Option<usize> = None;
    let mut in_comment = false;
    let mut escaped = false;
    let line_end_at = |open: usize, end: usize, errors: &mut Vec<SyntaxError>| {
        let text = chunk.get(open..end).unwrap_or_default();
        let end = open + text.trim_end_matches('\r').len();
        errors.push(SyntaxError::UnclosedText {
            span: Span::new(offset + open as u32, offset + end as u32),
        });
    };
    for (at, character) in chunk.char_indices() {
        match character {
            '\n' => {
                if let Some(open) = open_at.take() {
                    line_end_at(open, at, errors);
                }
                in_comment = false;
                escaped = false;
            }
            _ if in_comment => {}
            '\\' if open_at.is_some() => escaped = !escaped,
            '"' if escaped => escaped = false,
            '"' => {
                open_at = if open_at.is_some() { None } else { Some(at) };
            }
            '#' if open_at.is_none() => in_comment = true,
            _ => escaped = false,
        }
    }
    if let Some(open) = open_at {
        line_end_at(open, chunk.len(), errors);
    }
}

/// How deeply parentheses and `not` may nest in one condition. Parsing,
/// checking and evaluation recurse once per level, so the limit keeps any
/// input, however odd, far from the end of the stack.
pub const MAX_NESTING: usize = 64;

pub use crate::ast::{MAX_EXPRESSION_DEPTH, MAX_TERMS};

/// Reports an item whose expressions are deeper than
/// [`MAX_EXPRESSION_DEPTH`]; measured without recursion.
fn too_deep(item: &Item) -> Option<SyntaxError> {
    item.expressions()
        .into_iter()
        .map(Expr::deepest)
        .find(|(depth, _)| *depth > MAX_EXPRESSION_DEPTH)
        .map(|(_, span)| SyntaxError::TooLong { span })
}

/// Reports a condition nested deeper than [`MAX_NESTING`], before pest
/// recurses into it.
fn check_nesting(chunk: &str, offset: u32, errors: &mut Vec<SyntaxError>) {
    let mut depth: usize = 0;
    let mut nots: usize = 0;
    let mut in_text = false;
    let mut in_comment = false;
    let mut escaped = false;
    let bytes = chunk.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        if in_comment {
            in_comment = *byte != b'\n';
            continue;
        }
        if in_text {
            match byte {
                b'\\' if !escaped => escaped = true,
                b'"' if !escaped => in_text = false,
                b'\n' => in_text = false,
                _ => escaped = false,
            }
            continue;
        }
        match byte {
            b'#' => in_comment = true,
            b'"' => in_text = true,
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'n' if chunk.get(at..at + 3) == Some("not")
                && bytes
                    .get(at + 3)
                    .is_none_or(|next| !next.is_ascii_alphanumeric() && *next != b'_')
                && (at == 0
                    || bytes.get(at - 1).is_some_and(|before| {
                        !before.is_ascii_alphanumeric() && *before != b'_' && *before != b'.'
                    })) =>
            {
                nots += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if byte.is_ascii_alphanumeric() || *byte == b'_' || *byte == b'.' => {
                // Letters of a word: a run of `not`s ends at any other word.
                let word_start = at == 0
                    || bytes.get(at - 1).is_some_and(|before| {
                        !before.is_ascii_alphanumeric() && *before != b'_' && *before != b'.'
                    });
                if word_start && chunk.get(at..at + 3) != Some("not") {
                    nots = 0;
                }
            }
            _ => nots = 0,
        }
        if depth + nots > MAX_NESTING {
            errors.push(SyntaxError::TooDeep {
                span: Span::new(offset + at as u32, offset + at as u32 + 1),
            });
            return;
        }
    }
}

/// What can be read of an item that failed to parse: its kind and name.
fn broken_item(chunk: &str, offset: u32) -> BrokenItem {
    let mut words = chunk
        .split(|character: char| character.is_whitespace() || character == ':')
        .filter(|word| !word.is_empty());
    let kind = match words.next() {
        Some("ruleset") => Some(ItemKind::RuleSet),
        Some("reference") => Some(ItemKind::Reference),
        Some("fact") => Some(ItemKind::Fact),
        Some("let") => Some(ItemKind::Let),
        Some("score") => Some(ItemKind::Score),
        Some("differential") => Some(ItemKind::Differential),
        Some("rule") => Some(ItemKind::Rule),
        _ => None,
    };
    let name = kind.and(words.next()).map(str::to_owned);
    let trimmed = chunk.trim_end();
    BrokenItem {
        kind,
        name,
        span: Span::new(offset, offset + trimmed.len() as u32),
    }
}

/// Turns pest's error into a diagnostic in an editor's words.
fn unexpected(error: &pest::error::Error<Rule>, chunk: &str, offset: u32) -> SyntaxError {
    let position = match error.location {
        pest::error::InputLocation::Pos(position) => position,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let positives: Vec<Rule> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let rest = chunk.get(position..).unwrap_or_default();
    let at_end = only_comments(rest);
    let (found, span) = if at_end {
        // Point at the last word of the item: that is where something is missing.
        let body = chunk.get(..position).unwrap_or_default().trim_end();
        let last_word_start = body.rfind(char::is_whitespace).map_or(0, |space| space + 1);
        (
            "end of this item".to_owned(),
            Span::new(offset + last_word_start as u32, offset + body.len() as u32),
        )
    } else {
        let word_length = if rest.starts_with('"') {
            // A text: up to its closing quote on the same line.
            let line = rest.split('\n').next().unwrap_or_default();
            line.get(1..)
                .and_then(|after| after.find('"'))
                .map_or(line.trim_end().len(), |close| close + 2)
        } else {
            rest.find(|character: char| {
                !(character.is_alphanumeric() || matches!(character, '_' | '.' | '/'))
            })
            .unwrap_or(rest.len())
        };
        let length = if word_length == 0 {
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            word_length
        };
        let word = rest.get(..length).unwrap_or_default();
        (
            format!("`{word}`"),
            Span::new(
                offset + position as u32,
                offset + (position + length) as u32,
            ),
        )
    };

    let mut phrases: Vec<&'static str> = Vec::new();
    let mut candidates: Vec<&'static str> = Vec::new();
    for rule in &positives {
        let (phrase, words) = describe(*rule);
        if !phrase.is_empty() && !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
        for word in words {
            if !candidates.contains(word) {
                candidates.push(word);
            }
        }
    }
    let expected = if phrases.is_empty() {
        "this cannot be read here".to_owned()
    } else {
        format!("expected {}", join_or(&phrases))
    };
    let found_word = found.trim_matches('`');
    // A case or other JSON given where a rule file belongs.
    let looks_like_json = offset == 0
        && chunk
            .get(..position)
            .is_some_and(|before| before.trim().is_empty())
        && (found_word.starts_with('{') || found_word.starts_with('['));
    let help = if looks_like_json {
        Some(
            "this file looks like JSON, such as a patient case, not a rule file: a rule file starts with `ruleset`; give a case to `clinrule eval` with `--case`"
                .to_owned(),
        )
    } else if at_end {
        phrases
            .first()
            .map(|phrase| format!("the item ends here; it still needs {phrase}"))
    } else if let Some(help) = KEYWORDS
        .contains(&found_word)
        .then(|| misspelt_keyword_nearby(chunk, position, found_word))
        .flatten()
    {
        // A word of the language in the wrong place usually follows a
        // misspelt one: `ayn of (...)` stops at `of`, but the mistake is
        // `ayn`, and `of` is not a misspelt `or`.
        Some(help)
    } else if let Some(suggestion) = did_you_mean(found_word, candidates.iter().copied()) {
        Some(format!("did you mean `{suggestion}`?"))
    } else if candidates.contains(&"then")
        && [
            "suspect", "exclude", "order", "refer", "treat", "warn", "follow", "note",
        ]
        .contains(&found_word)
    {
        Some(format!(
            "conclusions follow `then`: write `then` before `{found_word}`"
        ))
    } else if found_word.starts_with('"')
        && (positives.contains(&Rule::ident) || positives.contains(&Rule::conclusion_id))
    {
        Some(format!(
            "give it an identifier before its text, such as `serum_calcium {found_word}`; tests and results name it by the identifier"
        ))
    } else if positives.contains(&Rule::close_paren) {
        Some("a `(` is still open here: close it with `)`".to_owned())
    } else if let Some(help) = misspelt_keyword_nearby(chunk, position, found_word) {
        Some(help)
    } else if positives.iter().any(|rule| {
        matches!(
            rule,
            Rule::EOI | Rule::rule_decl | Rule::kw_rule | Rule::ruleset_decl | Rule::kw_ruleset
        )
    }) {
        Some("every line belongs to a `ruleset`, `reference`, `fact` or `rule`; start a comment with `#`".to_owned())
    } else {
        None
    };
    SyntaxError::Unexpected {
        found,
        span,
        expected,
        help,
    }
}

/// A likely misspelt keyword at or just before an unexpected word: the word
/// before it on the same line (`nto xray.cupping` stops at `xray.cupping`,
/// but the mistake is `nto`), the word itself, or the second word of a
/// keyword written as two (`follow pu`).
fn misspelt_keyword_nearby(chunk: &str, position: usize, found: &str) -> Option<String> {
    let is_word = |character: char| character.is_alphanumeric() || matches!(character, '_' | '.');
    let line_before = chunk.get(..position)?.rsplit('\n').next()?.trim_end();
    let previous_start = line_before
        .rfind(|character: char| !is_word(character))
        .map_or(0, |at| at + 1);
    let previous = line_before.get(previous_start..).unwrap_or_default();
    // A dotted name (`lab.blood_lead`) or a single letter is the editor's
    // own name, never a mistyped keyword.
    let near_keyword = |word: &str| {
        (word.chars().count() >= 2 && !word.contains('.') && !KEYWORDS.contains(&word))
            .then(|| did_you_mean(word, KEYWORDS.iter().copied()))
            .flatten()
    };
    if let Some(keyword) = near_keyword(previous) {
        return Some(format!(
            "`{previous}` is not a word of the language: did you mean `{keyword}`?"
        ));
    }
    if let Some((first, second)) = TWO_WORD_KEYWORDS.iter().find(|(first, _)| *first == found) {
        let after = chunk.get(position + found.len()..)?.trim_start();
        let next: String = after.chars().take_while(|c| is_word(*c)).collect();
        if next != *second {
            return Some(format!("did you mean `{first} {second}`?"));
        }
    }
    near_keyword(found).map(|keyword| format!("did you mean `{keyword}`?"))
}

/// Joins phrases as "a, b or c".
/// The way an editor probably meant by another word: a near miss, or a
/// word clinicians use for one of the four.
fn obtained_help(found: &str) -> Option<String> {
    let meant = match found.to_ascii_lowercase().as_str() {
        "lab" | "laboratory" | "blood" | "bloods" | "assay" | "bedside" => Some("test"),
        "exam" | "physical" | "observation" | "vitals" => Some("examination"),
        "xray" | "radiograph" | "radiology" | "scan" | "ultrasound" | "mri" | "ct" => {
            Some("imaging")
        }
        "ask" | "interview" | "question" | "report" | "symptom" => Some("history"),
        _ => None,
    };
    match meant {
        Some(way) => Some(format!("write `{way}`")),
        None => did_you_mean(found, Obtained::ALL.into_iter().map(Obtained::word))
            .map(|nearest| format!("did you mean `{nearest}`?")),
    }
}

fn join_or(phrases: &[&str]) -> String {
    match phrases {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a grammar rule means to an editor, and the keywords it can start with.
fn describe(rule: Rule) -> (&'static str, &'static [&'static str]) {
    match rule {
        Rule::EOI => (
            "a new `rule`, `fact`, `let`, `score`, `differential` or `reference`",
            &[
                "rule",
                "fact",
                "reference",
                "ruleset",
                "let",
                "score",
                "differential",
            ],
        ),
        Rule::let_decl | Rule::kw_let => ("`let`", &["let"]),
        Rule::score_decl | Rule::kw_score => ("`score`", &["score"]),
        Rule::differential_decl | Rule::kw_differential => ("`differential`", &["differential"]),
        Rule::equals => ("`=` before the derived value's expression", &[]),
        Rule::applies_clause | Rule::kw_applies => {
            ("`applies \"<population>\" when <condition>`", &["applies"])
        }
        Rule::table_value | Rule::kw_table => ("`table <key>` and its rows", &["table"]),
        Rule::table_row | Rule::kw_row => (
            "a row such as `row from 0 to 3 gives 1.7 %` or `row male gives 130 g/L`",
            &["row"],
        ),
        Rule::row_key => (
            "the row's key: `from 0 to 3`, `from 7`, or codes",
            &["from", "to"],
        ),
        Rule::row_gives | Rule::kw_gives => ("`gives <value>`", &["gives"]),
        // Rounding is rarely what an editor left out: not listed as expected.
        Rule::rounding | Rule::kw_rounded | Rule::kw_down | Rule::kw_up => {
            ("", &["rounded", "down", "up"])
        }
        Rule::display_unit => ("`in <unit>`", &["in"]),
        Rule::criterion | Rule::kw_criterion => ("`criterion`", &["criterion"]),
        Rule::point_choice | Rule::points => ("points such as `1 point when ...`", &[]),
        Rule::kw_points => ("`points`", &["points", "point"]),
        Rule::band | Rule::kw_band => ("`band`", &["band"]),
        Rule::band_range | Rule::kw_from | Rule::kw_to => {
            ("the band's range, such as `from 0 to 3`", &["from", "to"])
        }
        Rule::recommend_option | Rule::kw_recommend => ("`recommend`", &["recommend"]),
        Rule::candidate | Rule::kw_candidate => ("`candidate`", &["candidate"]),
        Rule::argument | Rule::kw_for | Rule::kw_against => {
            ("an argument `for` or `against`", &["for", "against"])
        }
        Rule::weight_option | Rule::kw_weight => ("`weight`", &["weight"]),
        Rule::status_rule => ("a status rule such as `suspected when for >= 2`", &STATUSES),
        Rule::otherwise_status => (
            "a status for when no other holds, such as `not_suggested otherwise`",
            &STATUSES,
        ),
        Rule::also_option | Rule::kw_also => ("`also <unit> at ... per ...`", &["also"]),
        Rule::valence_option | Rule::kw_valence => ("`valence <number>`", &["valence"]),
        Rule::molar_mass_option | Rule::kw_molar => ("`molar mass`", &["molar"]),
        Rule::from_option => ("`from <date fact>`", &["from"]),
        Rule::ask_option | Rule::kw_ask => ("`ask \"<question>\"`", &["ask"]),
        Rule::obtained_option | Rule::kw_obtained => (
            "`obtained by <history, examination, test or imaging>`",
            &["obtained"],
        ),
        Rule::kw_by => ("`by`", &["by"]),
        Rule::required_option | Rule::kw_required => ("`required`", &["required"]),
        Rule::set_aside_option | Rule::kw_set | Rule::kw_aside => (
            "`set aside when <condition> because \"<reason>\"`",
            &["set", "aside"],
        ),
        Rule::plausible_option | Rule::kw_plausible => {
            ("`plausible from <lowest> to <highest>`", &["plausible"])
        }
        Rule::kw_at | Rule::kw_per | Rule::kw_mass => ("", &[]),
        Rule::ruleset_decl | Rule::kw_ruleset => ("`ruleset`", &["ruleset"]),
        Rule::reference_decl | Rule::kw_reference => ("`reference`", &["reference"]),
        Rule::fact_decl | Rule::kw_fact => ("`fact`", &["fact"]),
        Rule::rule_decl | Rule::kw_rule => ("`rule`", &["rule"]),
        Rule::ident | Rule::conclusion_id => ("an identifier such as `lead_first`", &[]),
        Rule::name => ("a name such as `lab.blood_lead`", &[]),
        Rule::ref_id => ("a reference number or name", &[]),
        Rule::code => ("a code", &[]),
        Rule::word => ("a word", &[]),
        Rule::text | Rule::text_block => ("a text in quotes", &[]),
        Rule::description => ("a description in quotes", &[]),
        Rule::number => ("a number", &[]),
        Rule::quantity => ("a number with its unit, such as `3.5 ug/dL`", &[]),
        Rule::unit => ("a unit such as `ug/dL` or `months`", &[]),
        Rule::date => ("a date such as `2025-10-30`", &[]),
        Rule::version => ("a version such as `1.0.0`", &[]),
        Rule::pmid => ("a PubMed number", &[]),
        Rule::colon => ("`:` before the fact's type", &[]),
        Rule::fact_type
        | Rule::yes_no_type
        | Rule::quantity_type
        | Rule::one_of_type
        | Rule::named_type => (
            "a fact type such as `yes/no`, `number`, `quantity ug/dL`, `age`, `date`, `text` or `one of ...`",
            &["yes/no", "number", "quantity", "age", "date", "text", "one"],
        ),
        Rule::absent_option | Rule::kw_absent => ("`absent means no`", &["absent"]),
        Rule::code_binding | Rule::kw_code => ("`code`", &["code"]),
        Rule::title_field | Rule::kw_title => ("`title`", &["title"]),
        Rule::version_field | Rule::kw_version => ("`version`", &["version"]),
        Rule::status_field | Rule::kw_status => ("`status`", &["status"]),
        Rule::reviewed_field | Rule::kw_reviewed => ("`reviewed`", &["reviewed"]),
        Rule::authors_field | Rule::kw_authors => ("`authors`", &["authors"]),
        Rule::audience_field | Rule::kw_audience => ("`audience`", &["audience"]),
        Rule::pmid_link | Rule::kw_pmid => ("`pmid`", &["pmid"]),
        Rule::doi_link | Rule::kw_doi => ("`doi`", &["doi"]),
        Rule::url_link | Rule::kw_url => ("`url`", &["url"]),
        Rule::kw_quantity => ("`quantity`", &["quantity"]),
        Rule::kw_one => ("`one of`", &["one"]),
        Rule::kw_of => ("`of`", &["of"]),
        Rule::kw_means => ("`means`", &["means"]),
        Rule::cite_clause | Rule::kw_cite => ("`cite`", &["cite"]),
        Rule::when_clause | Rule::kw_when => ("`when`", &["when"]),
        Rule::then_clause | Rule::kw_then => ("`then`", &["then"]),
        Rule::expr | Rule::negation | Rule::group | Rule::test | Rule::sum | Rule::product => {
            ("a condition or a value", &["not"])
        }
        Rule::counting | Rule::count_head | Rule::kw_any | Rule::kw_all | Rule::kw_none => (
            "`any of`, `all of`, `none of` or `at least N of`",
            &["any", "all", "none", "at"],
        ),
        Rule::kw_at_least | Rule::kw_at_most => ("`at least` or `at most`", &["at"]),
        Rule::logic_op | Rule::kw_and | Rule::kw_or | Rule::kw_otherwise => {
            ("`and`, `or`, `otherwise`", &["and", "or", "otherwise"])
        }
        Rule::add_op | Rule::mul_op => ("an arithmetic operator", &[]),
        Rule::presence_tail => ("`is known` or `is missing`", &["is"]),
        Rule::membership_tail => ("`in (...)`", &["in"]),
        Rule::between_tail | Rule::kw_between => ("`between`", &["between"]),
        Rule::inclusivity | Rule::kw_inclusive | Rule::kw_exclusive => {
            ("`inclusive` or `exclusive`", &["inclusive", "exclusive"])
        }
        Rule::within_tail | Rule::kw_within => ("`within`", &["within"]),
        Rule::kw_before | Rule::kw_after => ("`before` or `after`", &["before", "after"]),
        Rule::kw_as_of => ("`as_of`", &["as_of"]),
        Rule::compare_tail => ("a comparison such as `>=`, `<` or `=`", &[]),
        Rule::alternative => ("the threshold in a second unit, in parentheses", &[]),
        Rule::tally => ("`for` or `against`", &["for", "against"]),
        Rule::kw_not => ("`not`", &["not"]),
        Rule::kw_in => ("`in`", &["in"]),
        Rule::kw_is => ("`is`", &["is"]),
        Rule::kw_known | Rule::kw_missing => ("`known` or `missing`", &["known", "missing"]),
        Rule::compare_op => ("a comparison such as `>=`, `<` or `=`", &[]),
        Rule::kw_yes | Rule::kw_no => (
            "a value such as `yes`, `3.5 ug/dL` or a code",
            &["yes", "no"],
        ),
        Rule::open_paren => ("`(`", &[]),
        Rule::close_paren => ("`)`", &[]),
        Rule::conclusion | Rule::verb => (
            "a conclusion such as `suspect`, `exclude`, `order`, `refer`, `treat`, `warn`, `follow up` or `note`",
            &[
                "suspect", "exclude", "order", "refer", "treat", "warn", "follow", "note",
            ],
        ),
        Rule::kw_suspect => ("`suspect`", &["suspect"]),
        Rule::kw_exclude => ("`exclude`", &["exclude"]),
        Rule::kw_order => ("`order`", &["order"]),
        Rule::kw_refer => ("`refer`", &["refer"]),
        Rule::kw_treat => ("`treat`", &["treat"]),
        Rule::kw_warn => ("`warn`", &["warn"]),
        Rule::kw_follow_up => ("`follow up`", &["follow"]),
        Rule::kw_note => ("`note`", &["note"]),
        Rule::certainty_option | Rule::kw_certainty => ("`certainty`", &["certainty"]),
        Rule::urgency_option | Rule::kw_urgency => ("`urgency`", &["urgency"]),
        Rule::because_option | Rule::kw_because => ("`because`", &["because"]),
        Rule::patient_option | Rule::kw_patient => ("`patient`", &["patient"]),
        Rule::clinicians_only_option | Rule::kw_clinicians | Rule::kw_only => {
            ("`clinicians only`", &["clinicians"])
        }
        Rule::interval_option | Rule::kw_every => {
            ("`in` or `every` with an interval", &["every", "in"])
        }
        _ => ("", &[]),
    }
}

/// Builds syntax tree nodes from pest's pairs, offsetting spans to the file.
struct Lowerer<'errors> {
    offset: u32,
    errors: &'errors mut Vec<SyntaxError>,
}

impl Lowerer<'_> {
    /// The span of a pair, without the blank space and comments pest's
    /// implicit whitespace may leave at its end.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        let kept = trim_trailing_space(pair.as_str()).len();
        Span::new(
            self.offset + span.start() as u32,
            self.offset + (span.start() + kept) as u32,
        )
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: Word::from(pair.as_str()),
            span: self.span(pair),
        }
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        match pair.as_rule() {
            Rule::ruleset_decl => Some(Item::RuleSet(Box::new(self.ruleset(pair)))),
            Rule::reference_decl => Some(Item::Reference(Box::new(self.reference(pair)))),
            Rule::fact_decl => self.fact(pair).map(|fact| Item::Fact(Box::new(fact))),
            Rule::let_decl => self.let_decl(pair).map(|value| Item::Let(Box::new(value))),
            Rule::score_decl => self.score(pair).map(|score| Item::Score(Box::new(score))),
            Rule::differential_decl => self
                .differential(pair)
                .map(|differential| Item::Differential(Box::new(differential))),
            Rule::rule_decl => self.rule(pair).map(|rule| Item::Rule(Box::new(rule))),
            _ => None,
        }
    }

    /// A text or a run of texts, unescaped and joined with spaces.
    fn text(&self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        let pieces: Vec<String> = if pair.as_rule() == Rule::text {
            vec![unescape(pair.into_inner().as_str())]
        } else {
            pair.into_inner()
                .map(|text| unescape(text.into_inner().as_str()))
                .collect()
        };
        Text {
            value: pieces.join(" "),
            span,
        }
    }

    fn note_duplicate(&mut self, field: &str, first: Option<Span>, again: Span) {
        if let Some(first) = first {
            self.errors.push(SyntaxError::DuplicateField {
                field: field.to_owned(),
                span: again,
                first,
            });
        }
    }

    fn ruleset(&mut self, pair: Pair<'_, Rule>) -> RuleSetHeader {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = inner.next().map(|pair| self.ident(&pair)).unwrap_or(Ident {
            name: Word::default(),
            span,
        });
        let mut header = RuleSetHeader {
            id,
            title: None,
            version: None,
            status: None,
            reviewed: None,
            authors: Vec::new(),
            audience: Vec::new(),
            patient: None,
            applies: Vec::new(),
            span,
        };
        let mut status_span: Option<Span> = None;
        let mut authors_span: Option<Span> = None;
        let mut audience_span: Option<Span> = None;
        for field in inner {
            if field.as_rule() == Rule::applies_clause {
                if let Some(applies) = self.applies(field) {
                    header.applies.push(applies);
                }
                continue;
            }
            let field_span = self.span(&field);
            let rule = field.as_rule();
            let mut parts = field.into_inner();
            let keyword_span = parts
                .next()
                .map(|keyword| self.span(&keyword))
                .unwrap_or(field_span);
            match rule {
                Rule::patient_option => {
                    self.note_duplicate(
                        "patient",
                        header.patient.as_ref().map(|patient| patient.span),
                        keyword_span,
                    );
                    if let Some(text) = parts.next() {
                        header.patient = Some(self.text(text));
                    }
                }
                Rule::title_field => {
                    self.note_duplicate(
                        "title",
                        header.title.as_ref().map(|title| title.span),
                        keyword_span,
                    );
                    if let Some(text) = parts.next() {
                        header.title = Some(self.text(text));
                    }
                }
                Rule::version_field => {
                    self.note_duplicate(
                        "version",
                        header.version.as_ref().map(|version| version.span),
                        keyword_span,
                    );
                    if let Some(version) = parts.next() {
                        header.version = Some(self.ident(&version));
                    }
                }
                Rule::status_field => {
                    self.note_duplicate("status", status_span, keyword_span);
                    status_span = Some(keyword_span);
                    if let Some(word) = parts.next() {
                        header.status = self.status(&word);
                    }
                }
                Rule::reviewed_field => {
                    self.note_duplicate(
                        "reviewed",
                        header.reviewed.map(|reviewed| reviewed.span),
                        keyword_span,
                    );
                    if let Some(date) = parts.next() {
                        header.reviewed = self.date(&date);
                    }
                }
                Rule::authors_field => {
                    self.note_duplicate("authors", authors_span, keyword_span);
                    authors_span = Some(keyword_span);
                    header.authors = parts.map(|text| self.text(text)).collect();
                }
                Rule::audience_field => {
                    self.note_duplicate("audience", audience_span, keyword_span);
                    audience_span = Some(keyword_span);
                    header.audience = parts.map(|word| self.ident(&word)).collect();
                }
                _ => {}
            }
        }
        header
    }

    fn status(&mut self, word: &Pair<'_, Rule>) -> Option<Spanned<Status>> {
        let span = self.span(word);
        match choose(word.as_str(), &Status::ALL, Status::word, STATUS_HELP) {
            Ok(status) => Some(Spanned {
                value: status,
                span,
            }),
            Err(help) => {
                self.errors.push(SyntaxError::UnknownStatus {
                    found: word.as_str().to_owned(),
                    span,
                    help: Some(help),
                });
                None
            }
        }
    }

    fn date(&mut self, pair: &Pair<'_, Rule>) -> Option<Spanned<Date>> {
        let span = self.span(pair);
        match Date::parse(pair.as_str()) {
            Some(date) => Some(Spanned { value: date, span }),
            None => {
                self.errors.push(SyntaxError::InvalidDate {
                    text: pair.as_str().to_owned(),
                    span,
                });
                None
            }
        }
    }

    fn reference(&mut self, pair: Pair<'_, Rule>) -> Reference {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = inner.next().map(|pair| self.ident(&pair)).unwrap_or(Ident {
            name: Word::default(),
            span,
        });
        let citation = inner.next().map(|pair| self.text(pair)).unwrap_or(Text {
            value: String::new(),
            span,
        });
        let mut reference = Reference {
            id,
            citation,
            pmid: None,
            doi: None,
            url: None,
            span,
        };
        for link in inner {
            let rule = link.as_rule();
            let mut parts = link.into_inner();
            let keyword_span = parts
                .next()
                .map(|keyword| self.span(&keyword))
                .unwrap_or(span);
            let Some(value) = parts.next() else { continue };
            match rule {
                Rule::pmid_link => {
                    self.note_duplicate(
                        "pmid",
                        reference.pmid.as_ref().map(|pmid| pmid.span),
                        keyword_span,
                    );
                    reference.pmid = Some(self.ident(&value));
                }
                Rule::doi_link => {
                    self.note_duplicate(
                        "doi",
                        reference.doi.as_ref().map(|doi| doi.span),
                        keyword_span,
                    );
                    reference.doi = Some(self.text(value));
                }
                Rule::url_link => {
                    self.note_duplicate(
                        "url",
                        reference.url.as_ref().map(|url| url.span),
                        keyword_span,
                    );
                    reference.url = Some(self.text(value));
                }
                _ => {}
            }
        }
        reference
    }

    /// A fact declaration, or `None` if its type could not be read.
    fn fact(&mut self, pair: Pair<'_, Rule>) -> Option<FactDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = inner.next().map(|pair| self.ident(&pair)).unwrap_or(Ident {
            name: Word::default(),
            span,
        });
        let _colon = inner.next();
        let mut fact = FactDecl {
            name,
            fact_type: FactType {
                kind: FactTypeKind::Text,
                span,
            },
            description: None,
            ask: None,
            absent: None,
            codes: Vec::new(),
            conversions: Vec::new(),
            derived_from: None,
            plausible: None,
            obtained: None,
            required: false,
            patient: None,
            set_aside: Vec::new(),
            span,
        };
        let mut absent_span: Option<Span> = None;
        let mut type_known = true;
        for part in inner {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::yes_no_type => {
                    fact.fact_type = FactType {
                        kind: FactTypeKind::YesNo,
                        span: part_span,
                    };
                }
                Rule::quantity_type => {
                    let unit = part
                        .into_inner()
                        .nth(1)
                        .map(|unit| self.ident(&unit))
                        .unwrap_or(Ident {
                            name: Word::default(),
                            span: part_span,
                        });
                    fact.fact_type = FactType {
                        kind: FactTypeKind::Quantity(unit),
                        span: part_span,
                    };
                }
                Rule::one_of_type => {
                    let codes = part
                        .into_inner()
                        .filter(|code| code.as_rule() == Rule::code)
                        .map(|code| self.ident(&code))
                        .collect();
                    fact.fact_type = FactType {
                        kind: FactTypeKind::OneOf(codes),
                        span: part_span,
                    };
                }
                Rule::named_type => {
                    let word = part.as_str();
                    let kind = match word {
                        "number" => Some(FactTypeKind::Number),
                        "age" => Some(FactTypeKind::Age),
                        "date" => Some(FactTypeKind::Date),
                        "text" => Some(FactTypeKind::Text),
                        _ => None,
                    };
                    match kind {
                        Some(kind) => {
                            fact.fact_type = FactType {
                                kind,
                                span: part_span,
                            };
                        }
                        None => {
                            type_known = false;
                            let types = [
                                "yes/no", "number", "quantity", "age", "date", "text", "one of",
                            ];
                            let help = match word {
                                "boolean" | "bool" | "yesno" | "yes_no" | "flag" => {
                                    Some("write `yes/no` for a finding that is present or absent".to_owned())
                                }
                                "integer" | "int" | "float" | "decimal" | "count" => {
                                    Some("write `number` for a count or score, or `quantity <unit>` for a measurement".to_owned())
                                }
                                _ => did_you_mean(word, types)
                                    .map(|suggestion| format!("did you mean `{suggestion}`?")),
                            };
                            self.errors.push(SyntaxError::UnknownFactType {
                                found: word.to_owned(),
                                span: part_span,
                                help,
                            });
                        }
                    }
                }
                Rule::absent_option => {
                    let mut parts = part.into_inner();
                    let keyword_span = parts
                        .next()
                        .map(|keyword| self.span(&keyword))
                        .unwrap_or(part_span);
                    self.note_duplicate("absent means", absent_span, keyword_span);
                    absent_span = Some(keyword_span);
                    if let Some(word) = parts.nth(1) {
                        let word_span = self.span(&word);
                        match word.as_str() {
                            "no" => {
                                fact.absent = Some(Spanned {
                                    value: AbsentMeans::No,
                                    span: part_span,
                                })
                            }
                            "unknown" => {
                                fact.absent = Some(Spanned {
                                    value: AbsentMeans::Unknown,
                                    span: part_span,
                                });
                            }
                            other => self.errors.push(SyntaxError::UnknownAbsentMeaning {
                                found: other.to_owned(),
                                span: word_span,
                            }),
                        }
                    }
                }
                Rule::code_binding => {
                    let mut parts = part.into_inner();
                    let _keyword = parts.next();
                    if let (Some(system), Some(code)) = (parts.next(), parts.next()) {
                        fact.codes.push(CodeBinding {
                            system: self.ident(&system),
                            code: self.text(code),
                        });
                    }
                }
                Rule::also_option => {
                    let mut parts = part.into_inner();
                    let _also = parts.next();
                    let unit = parts.next().map(|unit| self.ident(&unit));
                    let _at = parts.next();
                    let amount = parts
                        .next()
                        .and_then(|quantity| self.quantity_literal(quantity));
                    let _per = parts.next();
                    let per = parts.next().map(|unit| self.ident(&unit));
                    if let (Some(unit), Some(amount), Some(per)) = (unit, amount, per) {
                        fact.conversions.push(Conversion::Also {
                            unit,
                            amount,
                            per,
                            span: part_span,
                        });
                    }
                }
                Rule::molar_mass_option => {
                    if let Some(amount) = part
                        .into_inner()
                        .nth(2)
                        .and_then(|quantity| self.quantity_literal(quantity))
                    {
                        fact.conversions.push(Conversion::MolarMass {
                            amount,
                            span: part_span,
                        });
                    }
                }
                Rule::valence_option => {
                    if let Some(number) = part.into_inner().nth(1) {
                        fact.conversions.push(Conversion::Valence {
                            number: self.number_literal(&number),
                            span: part_span,
                        });
                    }
                }
                Rule::from_option => {
                    self.note_duplicate(
                        "from",
                        fact.derived_from.as_ref().map(|name| name.span),
                        part_span,
                    );
                    fact.derived_from = part.into_inner().nth(1).map(|name| self.ident(&name));
                }
                Rule::plausible_option => {
                    self.note_duplicate(
                        "plausible",
                        fact.plausible.as_ref().map(|range| range.span),
                        part_span,
                    );
                    let mut parts = part.into_inner();
                    let _plausible = parts.next();
                    let _from = parts.next();
                    let low = parts.next().map(|bound| self.atom(bound));
                    let _to = parts.next();
                    let high = parts.next().map(|bound| self.atom(bound));
                    if let (Some(low), Some(high)) = (low, high) {
                        fact.plausible = Some(PlausibleRange {
                            low,
                            high,
                            span: part_span,
                        });
                    }
                }
                Rule::patient_option => {
                    self.note_duplicate(
                        "patient",
                        fact.patient.as_ref().map(|patient| patient.span),
                        part_span,
                    );
                    if let Some(text) = part.into_inner().nth(1) {
                        fact.patient = Some(self.text(text));
                    }
                }
                Rule::required_option => {
                    self.note_duplicate("required", fact.required.then_some(part_span), part_span);
                    fact.required = true;
                }
                Rule::set_aside_option => {
                    let mut condition = None;
                    let mut reason = None;
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::expr => condition = Some(self.expr(piece)),
                            Rule::because_option => {
                                reason = piece.into_inner().nth(1).map(|text| self.text(text));
                            }
                            _ => {}
                        }
                    }
                    if let (Some(condition), Some(reason)) = (condition, reason) {
                        fact.set_aside.push(SetAside {
                            condition,
                            reason,
                            span: part_span,
                        });
                    }
                }
                Rule::obtained_option => {
                    self.note_duplicate(
                        "obtained by",
                        fact.obtained.map(|obtained| obtained.span),
                        part_span,
                    );
                    if let Some(word) = part.into_inner().nth(2) {
                        let found = word.as_str();
                        let word_span = self.span(&word);
                        match Obtained::ALL.into_iter().find(|way| way.word() == found) {
                            Some(value) => {
                                fact.obtained = Some(Spanned {
                                    value,
                                    span: part_span,
                                });
                            }
                            None => self.errors.push(SyntaxError::UnknownObtained {
                                found: found.to_owned(),
                                span: word_span,
                                help: obtained_help(found),
                            }),
                        }
                    }
                }
                Rule::ask_option => {
                    self.note_duplicate("ask", fact.ask.as_ref().map(|ask| ask.span), part_span);
                    if let Some(text) = part.into_inner().nth(1) {
                        fact.ask = Some(self.text(text));
                    }
                }
                Rule::description => {
                    let keyword_span = part_span;
                    self.note_duplicate(
                        "description",
                        fact.description
                            .as_ref()
                            .map(|description| description.span),
                        keyword_span,
                    );
                    if let Some(text) = part.into_inner().next() {
                        fact.description = Some(self.text(text));
                    }
                }
                _ => {}
            }
        }
        type_known.then_some(fact)
    }

    fn rule(&mut self, pair: Pair<'_, Rule>) -> Option<Rule_> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut title = None;
        let mut cites = Vec::new();
        let mut condition = None;
        let mut conclusions = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::text_block => title = Some(self.text(part)),
                Rule::cite_clause => cites.extend(self.cites(part)),
                Rule::when_clause => {
                    condition = part.into_inner().nth(1).map(|expr| self.expr(expr));
                }
                Rule::then_clause => {
                    // Most rules have one or two conclusions: room for
                    // exactly those keeps a large rule set's memory small.
                    let written = part.into_inner().skip(1);
                    conclusions.reserve_exact(written.clone().count());
                    for conclusion in written {
                        conclusions.push(self.conclusion(conclusion));
                    }
                }
                _ => {}
            }
        }
        Some(Rule_ {
            id,
            title,
            cites,
            condition: condition?,
            conclusions,
            span,
        })
    }

    fn let_decl(&mut self, pair: Pair<'_, Rule>) -> Option<LetDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut value = None;
        let mut display_unit = None;
        let mut table = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::name => name = Some(self.ident(&part)),
                Rule::text_block => title = Some(self.text(part)),
                Rule::expr => value = Some(self.expr(part)),
                Rule::display_unit => {
                    display_unit = part.into_inner().nth(1).map(|unit| self.ident(&unit))
                }
                Rule::table_value => {
                    let (key, rows) = self.table(part)?;
                    value = Some(key);
                    table = Some(rows);
                }
                _ => {}
            }
        }
        Some(LetDecl {
            name: name?,
            title,
            value: value?,
            display_unit,
            table,
            span,
        })
    }

    /// `table <key>` with its citations and rows: the key and the table.
    fn table(&mut self, pair: Pair<'_, Rule>) -> Option<(Expr, Table)> {
        let span = self.span(&pair);
        let mut key = None;
        let mut table = Table {
            cites: Vec::new(),
            rows: Vec::new(),
            span,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::expr => key = Some(self.expr(part)),
                Rule::cite_clause => table.cites.extend(self.cites(part)),
                Rule::table_row => {
                    if let Some(row) = self.table_row(part) {
                        table.rows.push(row);
                    }
                }
                _ => {}
            }
        }
        Some((key?, table))
    }

    /// `from 0 to 3`, `from 7`, `to 3` (a band's or a row's), or a row's
    /// codes: the lowest and highest numbers and the codes written.
    fn range(
        &self,
        pair: Pair<'_, Rule>,
    ) -> (Option<NumberLiteral>, Option<NumberLiteral>, Vec<Ident>) {
        let (mut low, mut high, mut codes) = (None, None, Vec::new());
        let mut bound_is_low = true;
        for bound in pair.into_inner() {
            match bound.as_rule() {
                Rule::kw_from => bound_is_low = true,
                Rule::kw_to => bound_is_low = false,
                Rule::number if bound_is_low => low = Some(self.number_literal(&bound)),
                Rule::number => high = Some(self.number_literal(&bound)),
                Rule::code => codes.push(self.ident(&bound)),
                _ => {}
            }
        }
        (low, high, codes)
    }

    fn table_row(&mut self, pair: Pair<'_, Rule>) -> Option<TableRow> {
        let span = self.span(&pair);
        let mut key = None;
        let mut gives = None;
        let mut text = None;
        let mut cites = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::row_key => {
                    let (low, high, codes) = self.range(part);
                    key = Some(if codes.is_empty() {
                        RowKey::Range { low, high }
                    } else {
                        RowKey::Codes(codes)
                    });
                }
                Rule::row_gives => {
                    if let Some(value) = part.into_inner().nth(1) {
                        gives = match value.as_rule() {
                            Rule::quantity => self.quantity_literal(value).map(RowValue::Quantity),
                            _ => Some(RowValue::Number(self.number_literal(&value))),
                        };
                    }
                }
                Rule::text_block => text = Some(self.text(part)),
                Rule::cite_clause => cites.extend(self.cites(part)),
                _ => {}
            }
        }
        Some(TableRow {
            key: key?,
            gives,
            text,
            cites,
            span,
        })
    }

    fn number_literal(&self, pair: &Pair<'_, Rule>) -> NumberLiteral {
        NumberLiteral {
            text: Word::from(pair.as_str()),
            span: self.span(pair),
        }
    }

    fn quantity_literal(&self, pair: Pair<'_, Rule>) -> Option<QuantityLiteral> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let number = self.number_literal(&parts.next()?);
        let unit = self.ident(&parts.next()?);
        Some(QuantityLiteral { number, unit, span })
    }

    fn score(&mut self, pair: Pair<'_, Rule>) -> Option<ScoreDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut score = ScoreDecl {
            id,
            title: None,
            cites: Vec::new(),
            applies: Vec::new(),
            criteria: Vec::new(),
            bands: Vec::new(),
            span,
        };
        for part in inner {
            match part.as_rule() {
                Rule::text_block => score.title = Some(self.text(part)),
                Rule::cite_clause => score.cites.extend(self.cites(part)),
                Rule::applies_clause => {
                    if let Some(applies) = self.applies(part) {
                        score.applies.push(applies);
                    }
                }
                Rule::criterion => {
                    if let Some(criterion) = self.criterion(part) {
                        score.criteria.push(criterion);
                    }
                }
                Rule::band => {
                    if let Some(band) = self.band(part) {
                        score.bands.push(band);
                    }
                }
                _ => {}
            }
        }
        Some(score)
    }

    /// `applies "Adults" when age >= 18 years`, of a score or a rule set.
    fn applies(&mut self, pair: Pair<'_, Rule>) -> Option<Applies> {
        let span = self.span(&pair);
        let mut title = None;
        let mut condition = None;
        for piece in pair.into_inner() {
            match piece.as_rule() {
                Rule::text_block => title = Some(self.text(piece)),
                Rule::expr => condition = Some(self.expr(piece)),
                _ => {}
            }
        }
        Some(Applies {
            title,
            condition: condition?,
            span,
        })
    }

    fn criterion(&mut self, pair: Pair<'_, Rule>) -> Option<Criterion> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut criterion = Criterion {
            id,
            title: None,
            choices: Vec::new(),
            cites: Vec::new(),
            span,
        };
        for part in inner {
            match part.as_rule() {
                Rule::text_block => criterion.title = Some(self.text(part)),
                Rule::cite_clause => criterion.cites.extend(self.cites(part)),
                Rule::point_choice => {
                    let choice_span = self.span(&part);
                    let mut parts = part.into_inner();
                    let points = parts.next().and_then(|points| points.into_inner().next());
                    let condition = parts.nth(1).map(|expr| self.expr(expr));
                    if let (Some(points), Some(condition)) = (points, condition) {
                        criterion.choices.push(PointChoice {
                            points: self.number_literal(&points),
                            condition,
                            span: choice_span,
                        });
                    }
                }
                _ => {}
            }
        }
        Some(criterion)
    }

    fn band(&mut self, pair: Pair<'_, Rule>) -> Option<Band> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut band = Band {
            id,
            title: None,
            low: None,
            high: None,
            recommendation: None,
            cites: Vec::new(),
            span,
        };
        for part in inner {
            match part.as_rule() {
                Rule::text_block => band.title = Some(self.text(part)),
                Rule::cite_clause => band.cites.extend(self.cites(part)),
                Rule::recommend_option => {
                    if let Some(text) = part.into_inner().nth(1) {
                        band.recommendation = Some(self.text(text));
                    }
                }
                Rule::band_range => {
                    let (low, high, _) = self.range(part);
                    band.low = low;
                    band.high = high;
                }
                _ => {}
            }
        }
        Some(band)
    }

    fn differential(&mut self, pair: Pair<'_, Rule>) -> Option<DifferentialDecl> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut differential = DifferentialDecl {
            id,
            title: None,
            cites: Vec::new(),
            candidates: Vec::new(),
            span,
        };
        for part in inner {
            match part.as_rule() {
                Rule::text_block => differential.title = Some(self.text(part)),
                Rule::cite_clause => differential.cites.extend(self.cites(part)),
                Rule::candidate => {
                    if let Some(candidate) = self.candidate(part) {
                        differential.candidates.push(candidate);
                    }
                }
                _ => {}
            }
        }
        Some(differential)
    }

    fn candidate(&mut self, pair: Pair<'_, Rule>) -> Option<Candidate> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let id = self.ident(&inner.next()?);
        let mut candidate = Candidate {
            id,
            title: None,
            cites: Vec::new(),
            arguments: Vec::new(),
            statuses: Vec::new(),
            otherwise: None,
            span,
        };
        for part in inner {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::text_block => candidate.title = Some(self.text(part)),
                Rule::cite_clause => candidate.cites.extend(self.cites(part)),
                Rule::argument => {
                    let mut supports = true;
                    let mut id = None;
                    let mut title = None;
                    let mut condition = None;
                    let mut weight = None;
                    let mut cites = Vec::new();
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::kw_against => supports = false,
                            Rule::ident => id = Some(self.ident(&piece)),
                            Rule::text_block => title = Some(self.text(piece)),
                            Rule::expr => condition = Some(self.expr(piece)),
                            Rule::weight_option => {
                                weight = piece
                                    .into_inner()
                                    .nth(1)
                                    .map(|number| self.number_literal(&number));
                            }
                            Rule::cite_clause => cites.extend(self.cites(piece)),
                            _ => {}
                        }
                    }
                    if let (Some(id), Some(condition)) = (id, condition) {
                        candidate.arguments.push(Argument {
                            supports,
                            id,
                            title,
                            condition,
                            weight,
                            cites,
                            span: part_span,
                        });
                    }
                }
                Rule::status_rule => {
                    let mut parts = part.into_inner();
                    let status = parts.next().map(|word| self.ident(&word));
                    let condition = parts.nth(1).map(|expr| self.expr(expr));
                    if let (Some(status), Some(condition)) = (status, condition) {
                        candidate.statuses.push(StatusRule {
                            status,
                            condition,
                            span: part_span,
                        });
                    }
                }
                Rule::otherwise_status => {
                    candidate.otherwise = part.into_inner().next().map(|word| self.ident(&word));
                }
                _ => {}
            }
        }
        Some(candidate)
    }

    fn cites(&self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        pair.into_inner()
            .filter(|part| part.as_rule() == Rule::ref_id)
            .map(|part| self.ident(&part))
            .collect()
    }

    /// A placeholder for a part the grammar guarantees but the tree lacks;
    /// it never occurs for input that parsed.
    fn hole(span: Span) -> Expr {
        Expr {
            kind: ExprKind::Invalid,
            span,
        }
    }

    /// A chain of operands joined by `and`, `or` or `otherwise`.
    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        // Operands and operators alternate: room for exactly those.
        let parts = pair.into_inner();
        let count = parts.clone().count();
        let mut operands = Vec::with_capacity(count.div_ceil(2));
        let mut operators: Vec<Operator> = Vec::with_capacity(count / 2);
        for part in parts {
            if part.as_rule() == Rule::logic_op {
                let (kind, word) = match part.as_str() {
                    "and" => (ChainKind::All, "and"),
                    "or" => (ChainKind::Any, "or"),
                    _ => (ChainKind::Otherwise, "otherwise"),
                };
                operators.push((kind, self.span(&part), word));
            } else {
                operands.push(self.operand(part));
            }
        }
        if operators.is_empty() {
            return operands.pop().unwrap_or_else(|| Self::hole(span));
        }
        let first_kind = operators
            .first()
            .map_or(ChainKind::All, |(kind, _, _)| *kind);
        if let Some((_, second_span, second_word)) =
            operators.iter().find(|(kind, _, _)| *kind != first_kind)
            && let Some((_, first_span, first_word)) = operators.first()
        {
            self.errors.push(SyntaxError::MixedAndOr {
                span,
                first: *first_span,
                first_word: (*first_word).to_owned(),
                second: *second_span,
                second_word: (*second_word).to_owned(),
            });
            // Read it with `and` binding tighter than `or`, and `otherwise`
            // loosest, so that later checks still see every part.
            return Self::chain_by_precedence(operands, &operators, span);
        }
        let kind = match first_kind {
            ChainKind::All => ExprKind::All(operands),
            ChainKind::Any => ExprKind::Any(operands),
            ChainKind::Otherwise => ExprKind::Otherwise(operands),
        };
        Expr { kind, span }
    }

    fn chain_by_precedence(operands: Vec<Expr>, operators: &[Operator], span: Span) -> Expr {
        // Split at the loosest operator present, then build each side.
        let loosest = if operators
            .iter()
            .any(|(kind, _, _)| *kind == ChainKind::Otherwise)
        {
            ChainKind::Otherwise
        } else if operators.iter().any(|(kind, _, _)| *kind == ChainKind::Any) {
            ChainKind::Any
        } else {
            ChainKind::All
        };
        let mut groups: Vec<(Vec<Expr>, Vec<Operator>)> = vec![(Vec::new(), Vec::new())];
        let mut operands = operands.into_iter();
        if let Some(first) = operands.next()
            && let Some(group) = groups.last_mut()
        {
            group.0.push(first);
        }
        for (operator, operand) in operators.iter().zip(operands) {
            if operator.0 == loosest {
                groups.push((Vec::new(), Vec::new()));
            } else if let Some(group) = groups.last_mut() {
                group.1.push(*operator);
            }
            if let Some(group) = groups.last_mut() {
                group.0.push(operand);
            }
        }
        let parts: Vec<Expr> = groups
            .into_iter()
            .map(|(group_operands, group_operators)| {
                let group_span = group_operands
                    .iter()
                    .map(|part| part.span)
                    .reduce(Span::merge)
                    .unwrap_or(span);
                if group_operators.is_empty() {
                    let mut group_operands = group_operands;
                    group_operands
                        .pop()
                        .unwrap_or_else(|| Self::hole(group_span))
                } else {
                    Self::chain_by_precedence(group_operands, &group_operators, group_span)
                }
            })
            .collect();
        let kind = match loosest {
            ChainKind::All => ExprKind::All(parts),
            ChainKind::Any => ExprKind::Any(parts),
            ChainKind::Otherwise => ExprKind::Otherwise(parts),
        };
        Expr { kind, span }
    }

    fn operand(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::negation => {
                let inner = pair
                    .into_inner()
                    .nth(1)
                    .map(|operand| self.operand(operand));
                Expr {
                    kind: ExprKind::Not(Box::new(inner.unwrap_or_else(|| Self::hole(span)))),
                    span,
                }
            }
            Rule::counting => {
                let mut kind = CountKind::Any;
                let mut items = Vec::new();
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::count_head => {
                            let mut head = part.into_inner();
                            let word = head.next().map(|word| word.as_rule());
                            let number = head.next().map(|number| self.number_literal(&number));
                            kind = match (word, number) {
                                (Some(Rule::kw_all), _) => CountKind::All,
                                (Some(Rule::kw_none), _) => CountKind::None,
                                (Some(Rule::kw_at_least), Some(number)) => {
                                    CountKind::AtLeast(number)
                                }
                                (Some(Rule::kw_at_most), Some(number)) => CountKind::AtMost(number),
                                _ => CountKind::Any,
                            };
                        }
                        Rule::expr => items.push(self.expr(part)),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::Count { kind, items },
                    span,
                }
            }
            _ => self.test(pair),
        }
    }

    /// A value with an optional test: `x`, `x >= 3 mg/dL`, `x between ...`, `x is known`.
    /// `<value> rounded to <step>`.
    fn rounding(&mut self, value: Expr, pair: Pair<'_, Rule>) -> Expr {
        let span = value.span.merge(self.span(&pair));
        let mut mode = Spanned {
            value: RoundMode::Nearest,
            span: self.span(&pair),
        };
        let mut step = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_down | Rule::kw_up => {
                    mode = Spanned {
                        value: if part.as_rule() == Rule::kw_down {
                            RoundMode::Down
                        } else {
                            RoundMode::Up
                        },
                        span: self.span(&part),
                    };
                }
                Rule::quantity => {
                    let quantity_span = self.span(&part);
                    step = self.quantity_literal(part).map(|quantity| Expr {
                        kind: ExprKind::Quantity(Box::new(quantity)),
                        span: quantity_span,
                    });
                }
                Rule::number => {
                    step = Some(Expr {
                        kind: ExprKind::Number(self.number_literal(&part)),
                        span: self.span(&part),
                    });
                }
                _ => {}
            }
        }
        let step = step.unwrap_or_else(|| Self::hole(span));
        Expr {
            kind: ExprKind::Round {
                value: Box::new(value),
                mode,
                step: Box::new(step),
            },
            span,
        }
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let mut value = match inner.next() {
            Some(sum) => self.sum(sum),
            None => return Self::hole(span),
        };
        let mut tail = inner.next();
        if let Some(rounding) = tail.take_if(|part| part.as_rule() == Rule::rounding) {
            value = self.rounding(value, rounding);
            tail = inner.next();
        }
        let Some(tail) = tail else {
            return value;
        };
        let value = Box::new(value);
        let kind = match tail.as_rule() {
            Rule::presence_tail => {
                let known = tail
                    .into_inner()
                    .nth(1)
                    .is_some_and(|word| word.as_rule() == Rule::kw_known);
                ExprKind::Presence { value, known }
            }
            Rule::membership_tail => {
                let mut negated = false;
                let mut codes = Vec::new();
                for part in tail.into_inner() {
                    match part.as_rule() {
                        Rule::kw_not => negated = true,
                        Rule::code => codes.push(self.ident(&part)),
                        _ => {}
                    }
                }
                ExprKind::Member {
                    value,
                    negated,
                    codes,
                }
            }
            Rule::between_tail => {
                let mut sums = Vec::new();
                let mut inclusivity: [Option<Spanned<bool>>; 2] = [None, None];
                for part in tail.into_inner() {
                    match part.as_rule() {
                        Rule::sum => sums.push(self.sum(part)),
                        Rule::inclusivity => {
                            let end = sums.len().saturating_sub(1).min(1);
                            let inclusive = part.as_str() == "inclusive";
                            if let Some(slot) = inclusivity.get_mut(end) {
                                *slot = Some(Spanned {
                                    value: inclusive,
                                    span: self.span(&part),
                                });
                            }
                        }
                        _ => {}
                    }
                }
                let mut sums = sums.into_iter();
                let low = sums.next().unwrap_or_else(|| Self::hole(span));
                let high = sums.next().unwrap_or_else(|| Self::hole(span));
                let [low_inclusive, high_inclusive] = inclusivity;
                ExprKind::Between {
                    value,
                    low: Box::new(low),
                    low_inclusive,
                    high: Box::new(high),
                    high_inclusive,
                }
            }
            Rule::within_tail => {
                let mut amount = None;
                let mut after = false;
                let mut anchor = None;
                for part in tail.into_inner() {
                    match part.as_rule() {
                        Rule::quantity => amount = self.quantity_literal(part),
                        Rule::kw_after => after = true,
                        Rule::sum => anchor = Some(self.sum(part)),
                        _ => {}
                    }
                }
                match (amount, anchor) {
                    (Some(amount), Some(anchor)) => ExprKind::Within {
                        value,
                        amount: Box::new(amount),
                        after,
                        anchor: Box::new(anchor),
                    },
                    _ => return Self::hole(span),
                }
            }
            _ => {
                // A comparison.
                let mut parts = tail.into_inner();
                let op = parts.next().map(|op| Spanned {
                    value: compare_op(op.as_str()),
                    span: self.span(&op),
                });
                let right = parts.next().map(|sum| self.sum(sum));
                let alternative = parts
                    .next()
                    .and_then(|alternative| alternative.into_inner().nth(1))
                    .and_then(|quantity| self.quantity_literal(quantity));
                match (op, right) {
                    (Some(op), Some(right)) => ExprKind::Compare {
                        left: value,
                        op,
                        right: Box::new(right),
                        alternative: alternative.map(Box::new),
                    },
                    _ => return Self::hole(span),
                }
            }
        };
        Expr { kind, span }
    }

    /// Terms joined by `+` and `-` (or factors by `*` and `/`), left to right.
    fn sum(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let Some(first) = inner.next() else {
            return Self::hole(span);
        };
        let mut left = self.sum_part(first);
        let mut terms = 1;
        while let (Some(op), Some(right)) = (inner.next(), inner.next()) {
            terms += 1;
            if terms > MAX_TERMS {
                // Stop before building a chain deeper than any later pass
                // could walk.
                self.errors.push(SyntaxError::TooLong {
                    span: self.span(&op),
                });
                return Self::hole(span);
            }
            let op = Spanned {
                value: match op.as_str() {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Subtract,
                    "*" => ArithOp::Multiply,
                    _ => ArithOp::Divide,
                },
                span: self.span(&op),
            };
            let right = self.sum_part(right);
            let joined = left.span.merge(right.span);
            left = Expr {
                kind: ExprKind::Arith {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span: joined,
            };
        }
        left
    }

    fn sum_part(&mut self, pair: Pair<'_, Rule>) -> Expr {
        match pair.as_rule() {
            Rule::product => self.sum(pair),
            _ => self.atom(pair),
        }
    }

    fn atom(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::date => match self.date(&pair) {
                Some(date) => ExprKind::Date(date.value),
                None => return Self::hole(span),
            },
            Rule::quantity => match self.quantity_literal(pair) {
                Some(quantity) => ExprKind::Quantity(Box::new(quantity)),
                None => return Self::hole(span),
            },
            Rule::number => ExprKind::Number(self.number_literal(&pair)),
            Rule::kw_yes => ExprKind::Yes,
            Rule::kw_no => ExprKind::No,
            Rule::kw_as_of => ExprKind::AsOf,
            Rule::tally => ExprKind::Tally(pair.as_str() == "for"),
            Rule::group => {
                return match pair.into_inner().nth(1) {
                    Some(expr) => {
                        let mut inner = self.expr(expr);
                        inner.span = span;
                        inner
                    }
                    None => Self::hole(span),
                };
            }
            _ => ExprKind::Name(self.ident(&pair)),
        };
        Expr { kind, span }
    }

    fn conclusion(&mut self, pair: Pair<'_, Rule>) -> Conclusion {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let verb = inner
            .next()
            .map(|verb| {
                let verb_span = self.span(&verb);
                let word = verb.as_str();
                let value = Verb::from_keyword(word.split_whitespace().next().unwrap_or_default())
                    .unwrap_or(Verb::Note);
                Spanned {
                    value,
                    span: verb_span,
                }
            })
            .unwrap_or(Spanned {
                value: Verb::Note,
                span,
            });
        let id = inner.next().map(|id| self.ident(&id)).unwrap_or(Ident {
            name: Word::default(),
            span,
        });
        let text = inner.next().map(|text| self.text(text)).unwrap_or(Text {
            value: String::new(),
            span,
        });
        let mut conclusion = Conclusion::new(verb, id, text, span);
        for option in inner {
            let option_span = self.span(&option);
            let rule = option.as_rule();
            if rule == Rule::cite_clause {
                conclusion.cites.extend(self.cites(option));
                continue;
            }
            let mut parts = option.into_inner();
            let keyword = parts.next();
            let keyword_span = keyword
                .as_ref()
                .map(|keyword| self.span(keyword))
                .unwrap_or(option_span);
            let Some(value) = parts.next() else { continue };
            match rule {
                Rule::certainty_option => {
                    self.note_duplicate(
                        "certainty",
                        conclusion.certainty.map(|certainty| certainty.span),
                        keyword_span,
                    );
                    let word = value.as_str();
                    let value_span = self.span(&value);
                    match choose(word, &Certainty::ALL, Certainty::word, CERTAINTY_HELP) {
                        Ok(certainty) => {
                            conclusion.certainty = Some(Spanned {
                                value: certainty,
                                span: value_span,
                            });
                        }
                        Err(help) => self.errors.push(SyntaxError::UnknownCertainty {
                            found: word.to_owned(),
                            span: value_span,
                            help: Some(help),
                        }),
                    }
                }
                Rule::urgency_option => {
                    self.note_duplicate(
                        "urgency",
                        conclusion.urgency.map(|urgency| urgency.span),
                        keyword_span,
                    );
                    let word = value.as_str();
                    let value_span = self.span(&value);
                    match choose(word, &Urgency::ALL, Urgency::word, URGENCY_HELP) {
                        Ok(urgency) => {
                            conclusion.urgency = Some(Spanned {
                                value: urgency,
                                span: value_span,
                            });
                        }
                        Err(help) => self.errors.push(SyntaxError::UnknownUrgency {
                            found: word.to_owned(),
                            span: value_span,
                            help: Some(help),
                        }),
                    }
                }
                Rule::because_option => {
                    self.note_duplicate(
                        "because",
                        conclusion.rationale.as_ref().map(|text| text.span),
                        keyword_span,
                    );
                    conclusion.rationale = Some(self.text(value));
                }
                Rule::clinicians_only_option => {
                    self.note_duplicate("clinicians only", conclusion.clinicians_only, option_span);
                    conclusion.clinicians_only = Some(option_span);
                }
                Rule::patient_option => {
                    self.note_duplicate(
                        "patient",
                        conclusion.patient_text.as_ref().map(|text| text.span),
                        keyword_span,
                    );
                    conclusion.patient_text = Some(self.text(value));
                }
                Rule::interval_option => {
                    self.note_duplicate(
                        "interval",
                        conclusion.interval.as_ref().map(|interval| interval.span),
                        keyword_span,
                    );
                    let repeats =
                        keyword.is_some_and(|keyword| keyword.as_rule() == Rule::kw_every);
                    let mut quantity = value.into_inner();
                    if let (Some(number), Some(unit)) = (quantity.next(), quantity.next()) {
                        conclusion.interval = Some(Interval {
                            repeats,
                            number: number.as_str().to_owned(),
                            unit: self.ident(&unit),
                            span: option_span,
                        });
                    }
                }
                _ => {}
            }
        }
        conclusion
    }
}

/// What each status means, for a status word with no near match.
const STATUS_HELP: &str = "`draft` while writing, `review` when ready for clinical review, `approved` once reviewed, `retired` when withdrawn";
/// The certainties in order, for a certainty word with no near match.
const CERTAINTY_HELP: &str =
    "from least to most certain: `unlikely`, `possible`, `likely`, `suspected`";
/// What each urgency means, for an urgency word with no near match.
const URGENCY_HELP: &str =
    "`critical` needs action now, `warning` needs attention, `info` is for information";

/// Finds `word` among a fixed set of choices; for a word that is none of
/// them, the help: the nearest choice if one is close, else `fallback`.
fn choose<T: Copy>(
    word: &str,
    choices: &[T],
    word_of: fn(T) -> &'static str,
    fallback: &str,
) -> Result<T, String> {
    if let Some(choice) = choices.iter().find(|choice| word_of(**choice) == word) {
        return Ok(*choice);
    }
    Err(
        did_you_mean(word, choices.iter().map(|choice| word_of(*choice))).map_or_else(
            || fallback.to_owned(),
            |suggestion| format!("did you mean `{suggestion}`?"),
        ),
    )
}

/// A piece of source without the blank space and `#` comments at its end.
fn trim_trailing_space(text: &str) -> &str {
    // Exactly the grammar's blank space: a byte order mark in the middle of
    // a file is blank space too.
    const BLANK: [char; 5] = [' ', '\t', '\r', '\n', '\u{feff}'];
    let mut kept = text.trim_end_matches(BLANK);
    // Most spans hold no comment at all: nothing to look for.
    if !kept.contains('#') {
        return kept;
    }
    loop {
        // A comment on the last line: cut at a `#` outside text in quotes.
        let line_start = kept.rfind('\n').map_or(0, |at| at + 1);
        let line = kept.get(line_start..).unwrap_or_default();
        let mut in_text = false;
        let mut escaped = false;
        let mut comment_at = None;
        for (at, character) in line.char_indices() {
            match character {
                '\\' if in_text && !escaped => {
                    escaped = true;
                    continue;
                }
                '"' if !escaped => in_text = !in_text,
                '#' if !in_text => {
                    comment_at = Some(at);
                    break;
                }
                _ => {}
            }
            escaped = false;
        }
        match comment_at {
            Some(at) => {
                kept = kept
                    .get(..line_start + at)
                    .unwrap_or_default()
                    .trim_end_matches(BLANK);
            }
            None => return kept,
        }
    }
}

/// An operator of a chain, with where and how it was written.
type Operator = (ChainKind, Span, &'static str);

/// The three ways of joining a chain of operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChainKind {
    All,
    Any,
    Otherwise,
}

/// The syntax tree's rule type, renamed here to keep pest's `Rule` enum in scope.
type Rule_ = crate::ast::Rule;

fn compare_op(symbol: &str) -> CompareOp {
    match symbol {
        "<" => CompareOp::Less,
        "<=" => CompareOp::LessOrEqual,
        ">" => CompareOp::Greater,
        ">=" => CompareOp::GreaterOrEqual,
        "!=" => CompareOp::NotEqual,
        _ => CompareOp::Equal,
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        if character == '\\' {
            if let Some(next) = characters.next() {
                out.push(next);
            }
        } else {
            out.push(character);
        }
    }
    out
}

/// Reads one `rule` item with the direct reader alone: `None` where it
/// leaves the item to the grammar. For the tests that hold the two readers
/// to the same tree.
#[doc(hidden)]
pub fn read_rule_directly(item: &str) -> Option<crate::ast::Rule> {
    crate::fast::rule(item, 0)
}
