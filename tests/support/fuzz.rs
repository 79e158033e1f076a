//! What each fuzz target does with its input, shared by the fuzzers
//! (`fuzz/`, run with `cargo fuzz`) and by `tests/fuzz_corpus.rs`, which
//! replays their committed corpora in every CI run without a fuzzer.
//!
//! Each function returns normally for any input; a panic, or a failed
//! assertion about what must hold, is a bug.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use clinrule::{CheckedRuleSet, RuleSet, SourceMap};

/// Parses any text as a rule file.
pub fn parse(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let (file, errors) = clinrule_syntax::parse(source);
    // A file with syntax errors is never a clean one.
    if !errors.is_empty() {
        assert!(
            file.syntax_error_count > 0 || !file.broken.is_empty(),
            "errors were reported but the file looks clean"
        );
    }
    // The direct reader of rules builds exactly what the grammar builds.
    let by_grammar = clinrule_syntax::parse_by_grammar_only(source);
    assert!(
        format!("{:?}", (&file, &errors)) == format!("{by_grammar:?}"),
        "the direct reader and the grammar read this text differently"
    );
}

/// Parses and checks any text; a checked rule set is compiled and linted.
pub fn check(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    // The pipeline every front end calls, the warnings found by trying
    // cases included.
    let loaded = clinrule::load(SourceMap::new("fuzzed.crl", source));
    // Every diagnostic renders as the command renders it, however long its
    // line or far along it the span: the first few and the last.
    let shown: Vec<&dyn miette::Diagnostic> = loaded
        .problems()
        .iter()
        .map(|problem| problem as &dyn miette::Diagnostic)
        .collect();
    let few: Vec<&dyn miette::Diagnostic> =
        shown.iter().take(8).chain(shown.last()).copied().collect();
    let _ = crate::render_diagnostics(&few, "fuzzed.crl", source);
    let Some(rule_set) = loaded.rule_set() else {
        return;
    };
    assert!(loaded.errors() == 0, "a rule set was loaded despite errors");
    let _ = rule_set.program().op_count();
    // The empty case evaluates, and both evaluators agree on it.
    let case = clinrule_eval::Case::empty(rule_set.checked());
    agree(rule_set, &case);
}

/// Formats any text that parses, and checks what `clinrule fmt` promises:
/// the same tokens, a file that still parses, and nothing more to change.
pub fn format(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let (_, errors) = clinrule_syntax::parse(source);
    if !errors.is_empty() {
        return;
    }
    let formatted = clinrule_syntax::format::format(source);
    assert_eq!(
        clinrule_syntax::format::tokens(&formatted),
        clinrule_syntax::format::tokens(source),
        "formatting changed the tokens"
    );
    let (_, errors) = clinrule_syntax::parse(&formatted);
    assert!(
        errors.is_empty(),
        "the formatted file does not parse: {errors:?}"
    );
    assert_eq!(
        clinrule_syntax::format::format(&formatted),
        formatted,
        "formatting twice changed the file"
    );
}

/// A patient case built from fuzzer bytes: facts of a bundled rule set,
/// each given a value of any shape, well formed or not.
#[derive(Debug, Arbitrary)]
pub struct FuzzCase {
    /// Which rule set the case is for.
    pub rule_set: u8,
    /// Facts by position (taken modulo the number of facts), with values.
    pub facts: Vec<(u8, FuzzValue)>,
    /// The case's date: year offset, month, day.
    pub as_of: Option<(u8, u8, u8)>,
    /// Text appended after the case, to reach the reader's error paths.
    pub trailer: Option<String>,
}

/// A value as a case might give it.
#[derive(Debug, Arbitrary)]
pub enum FuzzValue {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// `"yes"` or `"no"`
    YesNo(bool),
    /// A number with this many decimals.
    Number(i64, u8),
    /// A measurement as text, `"12.5 mg/dL"`, in one of a list of units.
    Quantity(i64, u8, u8),
    /// A measurement as an object, `{"value": ..., "unit": ...}`.
    Object(i64, u8, u8),
    /// A code of the fact's set, by position, or a word.
    Code(u8),
    /// A date or a partial one.
    Date(u16, u8, u8, u8),
    /// Any text at all.
    Text(String),
}

/// The rule sets cases are fuzzed against: the bundled ones and the
/// evaluation fixtures, which between them use every construct.
fn rule_sets() -> &'static [RuleSet] {
    static RULE_SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    RULE_SETS.get_or_init(|| {
        let root = crate::root();
        let mut paths = Vec::new();
        for folder in [root.join("rules"), root.join("tests/fixtures/eval")] {
            if let Ok(entries) = std::fs::read_dir(folder) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|extension| extension == "crl") {
                        paths.push(path);
                    }
                }
            }
        }
        paths.sort();
        paths
            .iter()
            .filter_map(|path| {
                let source = std::fs::read_to_string(path).ok()?;
                clinrule::load(SourceMap::new(path.display().to_string(), source)).into_rule_set()
            })
            .collect()
    })
}

const UNITS: [&str; 16] = [
    "mg/dL", "ug/dL", "g/L", "umol/L", "mmol/L", "months", "years", "weeks", "days", "Cel",
    "[degF]", "10*9/L", "/mm3", "%", "mm[Hg]", "kg/m2",
];

fn decimal(value: i64, decimals: u8) -> String {
    let decimals = u32::from(decimals % 6);
    let magnitude = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    if decimals == 0 {
        return format!("{sign}{magnitude}");
    }
    let width = decimals as usize + 1;
    let padded = format!("{magnitude:0>width$}");
    let (whole, fraction) = padded.split_at(padded.len() - decimals as usize);
    format!("{sign}{whole}.{fraction}")
}

impl FuzzCase {
    /// The case as JSON text, for the rule set it names.
    pub fn text(&self, rule_set: &CheckedRuleSet) -> String {
        let mut members = Vec::new();
        if let Some((year, month, day)) = self.as_of {
            members.push(format!(
                "\"as_of\": \"{:04}-{:02}-{:02}\"",
                2000 + u32::from(year % 60),
                month % 14,
                day % 33
            ));
        }
        let mut facts = Vec::new();
        for (position, value) in &self.facts {
            let Some(fact) = rule_set
                .facts()
                .get(usize::from(*position) % rule_set.facts().len().max(1))
            else {
                continue;
            };
            let codes: Vec<&str> = match &fact.fact_type {
                clinrule_check::model::FactType::OneOf(codes) => {
                    codes.iter().map(String::as_str).collect()
                }
                _ => Vec::new(),
            };
            let text = match value {
                FuzzValue::Null => "null".to_owned(),
                FuzzValue::Bool(answer) => answer.to_string(),
                FuzzValue::YesNo(answer) => if *answer { "\"yes\"" } else { "\"no\"" }.to_owned(),
                FuzzValue::Number(value, decimals) => decimal(*value, *decimals),
                FuzzValue::Quantity(value, decimals, unit) => format!(
                    "\"{} {}\"",
                    decimal(*value, *decimals),
                    UNITS[usize::from(*unit) % UNITS.len()]
                ),
                FuzzValue::Object(value, decimals, unit) => format!(
                    "{{\"value\": {}, \"unit\": \"{}\"}}",
                    decimal(*value, *decimals),
                    UNITS[usize::from(*unit) % UNITS.len()]
                ),
                FuzzValue::Code(code) => match codes.get(usize::from(*code) % codes.len().max(1)) {
                    Some(code) => format!("\"{code}\""),
                    None => "\"unknown\"".to_owned(),
                },
                FuzzValue::Date(year, month, day, precision) => match precision % 3 {
                    0 => format!("\"{:04}-{:02}-{:02}\"", year % 3000, month % 14, day % 33),
                    1 => format!("\"{:04}-{:02}\"", year % 3000, month % 14),
                    _ => format!("\"{:04}\"", year % 3000),
                },
                FuzzValue::Text(text) => serde_json::Value::String(text.clone()).to_string(),
            };
            facts.push(format!(
                "{}: {text}",
                serde_json::Value::String(fact.name.clone())
            ));
        }
        members.push(format!("\"facts\": {{{}}}", facts.join(", ")));
        let mut text = format!("{{{}}}", members.join(", "));
        if let Some(trailer) = &self.trailer {
            text.push_str(trailer);
        }
        text
    }
}

/// Reads a fuzzed case against its rule set and evaluates it every way:
/// the tree evaluator and the compiled program must agree, and every
/// rendering must work.
pub fn evaluate(case: &FuzzCase) {
    let sets = rule_sets();
    let Some(rule_set) = sets.get(usize::from(case.rule_set) % sets.len().max(1)) else {
        return;
    };
    let text = case.text(rule_set.checked());
    let program = rule_set.program();
    let mut coded = program.new_case();
    let mut trace = program.new_trace();
    let read = rule_set.read_case(&text);
    let compiled = program.evaluate_json(&text, &mut coded, &mut trace);
    assert_eq!(
        read.is_ok(),
        compiled.is_ok(),
        "the readers disagree on whether this case reads: {text}"
    );
    let Ok(full) = read else {
        return;
    };
    agree(rule_set, &full);
    let result = rule_set.explain(full);
    assert!(
        serde_json::from_str::<serde_json::Value>(&result.json()).is_ok(),
        "the JSON result is not JSON"
    );
    let _ = rule_set.need_options(result.case(), result.evaluation());
}

/// The tree evaluator, the compiled program and the reference agree.
fn agree(rules: &RuleSet, case: &clinrule_eval::Case) {
    let rule_set = rules.checked();
    let evaluation = rules.evaluate(case);
    let program = rules.program();
    let mut coded = program.new_case();
    let mut trace = program.new_trace();
    program.evaluate(case, &mut coded, &mut trace);
    for (index, outcome) in evaluation.rules.iter().enumerate() {
        assert_eq!(
            trace.statuses().get(index),
            Some(&outcome.status),
            "rule {index}: the program and the tree evaluator disagree"
        );
        assert_eq!(trace.missing(index), outcome.missing.as_slice());
        assert_eq!(
            trace.decided_without(index),
            outcome.decided_without.as_slice()
        );
    }
    assert_eq!(trace.needs(rule_set), evaluation.needs);
    // And the simple reference, where it models the rule set.
    if let Some(expected) = crate::reference::evaluate(rule_set, case) {
        for (outcome, wanted) in evaluation.rules.iter().zip(&expected.rules) {
            assert_eq!(
                (outcome.status, &outcome.missing, &outcome.decided_without),
                (wanted.status, &wanted.missing, &wanted.decided_without),
                "the evaluator and the reference disagree"
            );
        }
        assert_eq!(evaluation.conclusions, expected.conclusions);
    }
}
