//! The real evaluator against a deliberately simple one written from the
//! language reference (`support/reference.rs`): on every bundled rule set
//! and evaluation fixture it can read, and on thousands of generated rule
//! sets and cases, both must give every rule the same status, the same
//! missing facts and the same facts it was decided without, every score the
//! same range, band and missing facts, and the case the same conclusions and
//! needs.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a disagreement must fail the test with the rule set and case that show it"
)]

use clinrule_check::CheckedRuleSet;
use clinrule_eval::{Case, RuleStatus};
use clinrule_tests::generate::{self, Random};
use clinrule_tests::reference;
use clinrule_tests::{check_source, files_in, fixtures, read, root};

/// What the comparisons saw, to show that every path was taken.
#[derive(Debug, Default)]
struct Seen {
    rule_sets: usize,
    cases: usize,
    fired: usize,
    not_fired: usize,
    undetermined: usize,
    decided_by_cases: usize,
    partial_scores: usize,
}

/// Evaluates one case both ways and requires the same answer.
fn agree(rule_set: &CheckedRuleSet, text: &str, seen: &mut Seen) {
    let Ok(case) = Case::from_json(text, rule_set) else {
        return;
    };
    let Some(expected) = reference::evaluate(rule_set, &case) else {
        return;
    };
    seen.cases += 1;
    let actual = clinrule_eval::evaluate(rule_set, &case);
    let context = || format!("case:\n{text}\nrule set:\n{}", rule_set.source);
    for (index, (outcome, wanted)) in actual.rules.iter().zip(&expected.rules).enumerate() {
        let id = rule_set
            .rules
            .get(index)
            .map_or("?", |rule| rule.id.as_str());
        assert_eq!(
            (outcome.status, &outcome.missing, &outcome.decided_without),
            (wanted.status, &wanted.missing, &wanted.decided_without),
            "rule {id}: (status, missing, decided without) differ from the reference\n{}",
            context()
        );
        match outcome.status {
            RuleStatus::Fired => seen.fired += 1,
            RuleStatus::NotFired => seen.not_fired += 1,
            RuleStatus::Undetermined => seen.undetermined += 1,
        }
        if !outcome.decided_without.is_empty() {
            seen.decided_by_cases += 1;
        }
    }
    assert_eq!(actual.rules.len(), expected.rules.len());
    for (index, (outcome, wanted)) in actual.scores.iter().zip(&expected.scores).enumerate() {
        assert_eq!(
            (outcome.low, outcome.high, outcome.band, &outcome.missing),
            (wanted.low, wanted.high, wanted.band, &wanted.missing),
            "score {index}: (low, high, band, missing) differ from the reference\n{}",
            context()
        );
        if outcome.low != outcome.high {
            seen.partial_scores += 1;
        }
    }
    assert_eq!(
        actual.conclusions,
        expected.conclusions,
        "conclusions\n{}",
        context()
    );
    let needs: Vec<(usize, Vec<usize>, usize)> = actual
        .needs
        .iter()
        .map(|need| (need.fact, need.rules.clone(), need.conclusions))
        .collect();
    assert_eq!(needs, expected.needs, "needs\n{}", context());
}

fn checked(name: &str, source: &str) -> CheckedRuleSet {
    check_source(name, source)
        .rule_set
        .unwrap_or_else(|| panic!("{name} does not check:\n{source}"))
}

#[test]
fn bundled_rule_sets_and_fixtures_agree_with_the_reference() {
    let mut seen = Seen::default();
    let mut read_by_reference = Vec::new();
    for path in files_in(&root().join("rules"), ".crl") {
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rule_set = checked(&stem, &read(&path));
        let mut folders = vec![root().join("rules/tests").join(&stem)];
        if stem == "metaphyseal-sclerosis" {
            folders.push(root().join("rules/cases"));
        }
        let before = seen.cases;
        for folder in folders {
            for case in files_in(&folder, ".json") {
                agree(&rule_set, &read(&case), &mut seen);
            }
        }
        if seen.cases > before {
            read_by_reference.push(stem);
        }
    }
    let folder = fixtures().join("eval");
    for path in files_in(&folder, ".crl") {
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rule_set = checked(&stem, &read(&path));
        let prefix = format!("{stem}.");
        let before = seen.cases;
        for case in files_in(&folder, ".case.json") {
            let name = case.file_name().map(|name| name.to_string_lossy());
            if name.is_some_and(|name| name.starts_with(&prefix)) {
                agree(&rule_set, &read(&case), &mut seen);
            }
        }
        if seen.cases > before {
            read_by_reference.push(stem);
        }
    }
    eprintln!("read by the reference: {read_by_reference:?}");
    // The seed rule set is within what the reference models.
    assert!(
        read_by_reference.contains(&"metaphyseal-sclerosis".to_owned()),
        "{read_by_reference:?}"
    );
    assert!(seen.cases > 40, "{seen:?}");
    assert!(seen.undetermined > 5, "{seen:?}");
}

#[test]
fn generated_rule_sets_and_cases_agree_with_the_reference() {
    let mut random = Random::new(7_331);
    let mut seen = Seen::default();
    for round in 0..600 {
        // One rule set in three also compares facts with facts.
        let generated = if round % 3 == 0 {
            generate::rule_set_comparing_facts(&mut random)
        } else {
            generate::rule_set(&mut random)
        };
        let rule_set = checked("generated", &generated.text);
        seen.rule_sets += 1;
        for _ in 0..30 {
            let case = generate::case(&mut random, &generated.facts);
            agree(&rule_set, &case, &mut seen);
        }
    }
    eprintln!("{seen:?}");
    // Thousands of cases, and every outcome many times.
    assert!(seen.cases > 10_000, "{seen:?}");
    assert!(seen.fired > 5_000, "{seen:?}");
    assert!(seen.not_fired > 5_000, "{seen:?}");
    assert!(seen.undetermined > 2_000, "{seen:?}");
    assert!(seen.decided_by_cases > 1_000, "{seen:?}");
    assert!(seen.partial_scores > 500, "{seen:?}");
}

/// A rule that needs a fact both missing and known can never fire: whatever
/// the fact turns out to be, one of the two fails. Deciding by cases says so
/// (not fired, decided without the fact), where Kleene's logic alone would
/// leave it undetermined.
#[test]
fn a_rule_that_needs_a_fact_missing_and_known_never_fires() {
    let rule_set = checked(
        "missing-and-known",
        "ruleset x\n  title \"X\"\n  version 1.0.0\n  status draft\n\nfact lead : quantity ug/dL\n\nrule both \"Both\"\n  when lead is missing and lead >= 5 ug/dL\n  then note n \"N\"\n\nrule either \"Either\"\n  when lead is missing or lead >= 5 ug/dL\n  then note m \"M\"\n",
    );
    let case = Case::from_json(r#"{"facts": {}}"#, &rule_set).expect("a case");
    let evaluation = clinrule_eval::evaluate(&rule_set, &case);
    let expected = reference::evaluate(&rule_set, &case).expect("modelled");
    let statuses: Vec<(RuleStatus, Vec<usize>)> = evaluation
        .rules
        .iter()
        .map(|rule| (rule.status, rule.decided_without.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            (RuleStatus::NotFired, vec![0]),
            (RuleStatus::Fired, Vec::new())
        ]
    );
    let reference: Vec<(RuleStatus, Vec<usize>)> = expected
        .rules
        .iter()
        .map(|rule| (rule.status, rule.decided_without.clone()))
        .collect();
    assert_eq!(reference, statuses);
}

/// A fact compared with another fact has no written threshold to separate
/// its values: with `b` missing, `a > b` stays undetermined whatever `a`
/// is, where trying only the thresholds `b` has elsewhere (`b > 10`) would
/// wrongly call it not fired for `a` = 5.
#[test]
fn a_fact_compared_with_a_fact_is_not_decided_by_thresholds_elsewhere() {
    let rule_set = checked(
        "fact-with-fact",
        "ruleset x\n  title \"X\"\n  version 1.0.0\n  status draft\n\nfact a : number\nfact b : number\n\nrule above \"A above B\"\n  when a > b\n  then note n \"N\"\n\nrule high \"B high\"\n  when b > 10\n  then note m \"M\"\n",
    );
    let case = Case::from_json(r#"{"facts": {"a": 5}}"#, &rule_set).expect("a case");
    let evaluation = clinrule_eval::evaluate(&rule_set, &case);
    let expected = reference::evaluate(&rule_set, &case).expect("modelled");
    for (outcome, wanted) in evaluation.rules.iter().zip(&expected.rules) {
        assert_eq!(outcome.status, RuleStatus::Undetermined);
        assert_eq!(outcome.missing, [1]);
        assert_eq!(wanted.status, RuleStatus::Undetermined);
        assert_eq!(wanted.missing, [1]);
    }
}
