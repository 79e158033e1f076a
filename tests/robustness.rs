//! Odd input never crashes the engine: truncated rule files and cases,
//! conditions at the nesting limit, and bytes that are not a rule file at all.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture must fail loudly"
)]

use clinrule::SourceMap;
use clinrule_eval::Case;
use clinrule_tests::{checked, files_in, fixtures, read, root};

fn rule_files() -> Vec<std::path::PathBuf> {
    files_in(&root().join("rules"), ".crl")
}

/// Every rule file cut at every word boundary parses and checks without a
/// panic, and a cut that leaves a syntax error never yields a rule set.
#[test]
fn truncated_rule_files_never_crash() {
    for path in rule_files() {
        let source = read(&path);
        let boundaries = source
            .char_indices()
            .filter(|(_, character)| {
                character.is_whitespace() || matches!(character, '"' | '(' | ')' | ',')
            })
            .map(|(at, _)| at);
        for cut in boundaries {
            let prefix = &source[..cut];
            let loaded = clinrule::Loader::new()
                .lints(false)
                .load(SourceMap::new("cut.crl", prefix));
            let syntax_errors = loaded
                .problems()
                .iter()
                .any(|problem| matches!(problem, clinrule::Problem::Syntax(_)));
            if syntax_errors {
                assert!(
                    loaded.rule_set().is_none(),
                    "{} cut at {cut} was accepted",
                    path.display()
                );
            }
        }
    }
}

/// Every bundled case cut at every character is refused with a diagnostic,
/// never a panic.
#[test]
fn truncated_cases_are_refused() {
    let path = root().join("rules/metaphyseal-sclerosis.crl");
    let source = read(&path);
    let rules = checked("metaphyseal-sclerosis.crl", &source);
    let rule_set = rules.checked();
    for case_path in files_in(&root().join("rules/cases"), ".json") {
        let text = read(&case_path);
        let complete = text.trim_end().len();
        for (cut, _) in text.char_indices().filter(|(at, _)| *at < complete) {
            let result = Case::from_json(&text[..cut], rule_set);
            assert!(
                result.is_err(),
                "{} cut at {cut} was accepted",
                case_path.display()
            );
        }
        assert!(
            Case::from_json(&text, rule_set).is_ok(),
            "{}",
            case_path.display()
        );
    }
}

/// A condition at the nesting limit parses, checks and evaluates on an
/// ordinary test thread's stack.
#[test]
fn conditions_at_the_nesting_limit_evaluate() {
    let source = read(&fixtures().join("syntax/ok/nested_to_the_limit.crl"));
    let rules = checked("nested_to_the_limit.crl", &source);
    let rule_set = rules.checked();
    let case = Case::from_json(r#"{"facts": {"a": true}}"#, rule_set).expect("a case");
    let evaluation = clinrule_eval::evaluate(rule_set, &case);
    // 32 `not`s cancel out: the rule fires when `a` is yes.
    assert_eq!(evaluation.rules[0].status, clinrule_eval::RuleStatus::Fired);
}

/// Bytes that are no rule file at all give diagnostics, not a crash.
#[test]
fn arbitrary_text_never_crashes() {
    // The benchmarks' generator: a fixed sequence, so a failure can be replayed.
    let mut random = clinrule_tests::generate::Random::new(0x2545_f491_4f6c_dd1d);
    let alphabet: Vec<char> = "rule fact when then and or not ( ) \" # : , . = < > 3.5 ug/dL yes no\n\t\r é µ \\ ruleset reference cite in is"
        .chars()
        .collect();
    for _ in 0..300 {
        let length = random.below(400);
        let mut text = String::with_capacity(length);
        for _ in 0..length {
            text.push(alphabet[random.below(alphabet.len())]);
        }
        let _ = clinrule::load(SourceMap::new("arbitrary.crl", text));
    }
    let deep_not = format!(
        "ruleset x\nfact a : yes/no\nrule r when {} a then note n \"N\"\n",
        "not ".repeat(100_000)
    );
    let (_, errors) = clinrule_syntax::parse(&deep_not);
    assert!(!errors.is_empty());
    let deep_parens = format!("rule r when {}a then note n \"N\"\n", "(".repeat(100_000));
    let (_, errors) = clinrule_syntax::parse(&deep_parens);
    assert!(!errors.is_empty());
}
