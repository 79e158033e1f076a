//! The compiled program against the tree evaluator: on every bundled rule
//! set and case, on the evaluation fixtures, and on thousands of generated
//! rule sets and cases, the program must give every rule the same status,
//! every condition the same outcome, every undetermined rule the same
//! missing facts, every decided rule the same facts it was decided without,
//! and the same needs; and the fast case reader must take only cases the
//! full reader takes, coding them the same.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a disagreement must fail the test with the rule set and case that show it"
)]

use clinrule_check::CheckedRuleSet;
use clinrule_eval::{Case, FastRead, Program, RuleStatus};
use clinrule_tests::generate::{self, Random};
use clinrule_tests::{bundled_with_cases, checked, eval_fixtures_with_cases};

/// What one comparison saw, to show that the interesting paths were taken.
#[derive(Debug, Default)]
struct Seen {
    cases: usize,
    refused: usize,
    fast_reads: usize,
    undetermined: usize,
    decided_by_cases: usize,
    compiled_rule_sets: usize,
}

/// Compares the program with the tree evaluator on one case.
fn agree(rule_set: &CheckedRuleSet, program: &Program, text: &str, seen: &mut Seen) {
    let mut fast = program.new_case();
    let fast_read = program.read_fast(text, &mut fast);
    let case = match Case::from_json(text, rule_set) {
        Ok(case) => case,
        Err(_) => {
            assert_eq!(
                fast_read,
                FastRead::Declined,
                "the fast reader took a case the full reader refuses:\n{text}\n{}",
                rule_set.source().text()
            );
            seen.refused += 1;
            return;
        }
    };
    seen.cases += 1;
    let mut coded = program.new_case();
    let mut trace = program.new_trace();
    program.evaluate(&case, &mut coded, &mut trace);
    if fast_read == FastRead::Read {
        seen.fast_reads += 1;
        assert_eq!(
            fast.slots(),
            coded.slots(),
            "the fast reader coded a case differently:\n{text}\n{}",
            rule_set.source().text()
        );
    }
    let evaluation = clinrule_eval::evaluate(rule_set, &case);
    let context = || format!("case:\n{text}\nrule set:\n{}", rule_set.source().text());
    for (index, outcome) in evaluation.rules.iter().enumerate() {
        let id = rule_set
            .rules()
            .get(index)
            .map_or("?", |rule| rule.id.as_str());
        assert_eq!(
            trace.statuses().get(index),
            Some(&outcome.status),
            "rule {id}: status\n{}",
            context()
        );
        assert_eq!(
            trace.missing(index),
            outcome.missing.as_slice(),
            "rule {id}: missing facts\n{}",
            context()
        );
        assert_eq!(
            trace.decided_without(index),
            outcome.decided_without.as_slice(),
            "rule {id}: decided without\n{}",
            context()
        );
        for (node, truth) in program.condition_outcomes(&trace, index) {
            let value = outcome
                .nodes
                .get(node)
                .unwrap_or_else(|| panic!("rule {id}: no node {node}\n{}", context()));
            assert_eq!(
                value.truth(),
                truth,
                "rule {id}: condition at node {node}\n{}",
                context()
            );
        }
        if outcome.status == RuleStatus::Undetermined {
            seen.undetermined += 1;
        }
        if !outcome.decided_without.is_empty() {
            seen.decided_by_cases += 1;
        }
    }
    assert_eq!(
        trace.conclusions(rule_set).collect::<Vec<_>>(),
        evaluation.conclusions,
        "conclusions\n{}",
        context()
    );
    assert_eq!(
        trace.needs(rule_set),
        evaluation.needs,
        "needs\n{}",
        context()
    );

    // Reading and evaluating in one step gives the same statuses.
    let mut one_step = program.new_trace();
    program
        .evaluate_json(text, &mut coded, &mut one_step)
        .expect("the case reads");
    assert_eq!(one_step.statuses(), trace.statuses(), "{}", context());
}

#[test]
fn every_bundled_rule_set_compiles_and_agrees_on_its_cases() {
    let mut seen = Seen::default();
    for set in bundled_with_cases() {
        let rules = checked(&set.stem, &set.source);
        let rule_set = rules.checked();
        let program = rules.program();
        // A score with a population is still left to the tree evaluator,
        // whose results the program then gives.
        let expected = match set.stem.as_str() {
            "perc" => Some("a value set aside under a condition"),
            "glasgow-blatchford" | "wells-pe" => Some("a score that applies only to some patients"),
            _ => None,
        };
        assert_eq!(program.fallback(), expected, "{} is not compiled", set.stem);
        if expected.is_none() {
            seen.compiled_rule_sets += 1;
        }
        for case in &set.cases {
            agree(rule_set, program, case, &mut seen);
        }
    }
    assert_eq!(seen.compiled_rule_sets, 5);
    assert!(seen.cases > 60, "{seen:?}");
    assert!(seen.undetermined > 5, "{seen:?}");
}

#[test]
fn the_evaluation_fixtures_agree_compiled_or_not() {
    let mut seen = Seen::default();
    let mut fallbacks = Vec::new();
    for set in eval_fixtures_with_cases() {
        let rules = checked(&set.stem, &set.source);
        let rule_set = rules.checked();
        let program = rules.program();
        if let Some(reason) = program.fallback() {
            fallbacks.push(format!("{}: {reason}", set.stem));
        }
        for case in &set.cases {
            agree(rule_set, program, case, &mut seen);
        }
    }
    fallbacks.sort();
    // What the program leaves to the tree evaluator, as the module notes say.
    assert_eq!(
        fallbacks,
        [
            "applicability: a score that applies only to some patients",
            "birthdates: an age is counted from a birth date",
            "differential: a differential",
            "fallback: a derived value is a number, a date or a code",
            "otherwise: a differential",
            "population: a score that applies only to some patients",
            "presence: a derived value is a number, a date or a code",
            "rounding: a derived value is a number, a date or a code",
            "set_aside: a value set aside under a condition",
            "substance: a comparison of two values",
            "tables: a derived value is a number, a date or a code",
            "units: a threshold written in two units",
        ]
    );
    assert!(seen.cases > 30, "{seen:?}");
}

#[test]
fn generated_rule_sets_and_cases_agree() {
    let mut random = Random::new(20_261_130);
    let mut seen = Seen::default();
    for _ in 0..400 {
        let generated = generate::rule_set(&mut random);
        let rules = checked("generated", &generated.text);
        let rule_set = rules.checked();
        let program = rules.program();
        assert_eq!(
            program.fallback(),
            None,
            "a generated rule set is not compiled:\n{}",
            generated.text
        );
        seen.compiled_rule_sets += 1;
        // Some facts declare plausible ranges that refuse cases: enough
        // cases that more than 10,000 are read.
        for _ in 0..46 {
            let case = generate::case(&mut random, &generated.facts);
            agree(rule_set, program, &case, &mut seen);
        }
    }
    // Every path was taken, many times.
    assert!(seen.cases > 10_000, "{seen:?}");
    assert!(seen.refused > 500, "{seen:?}");
    assert!(seen.fast_reads > 5_000, "{seen:?}");
    assert!(seen.fast_reads < seen.cases, "{seen:?}");
    assert!(seen.undetermined > 5_000, "{seen:?}");
    assert!(seen.decided_by_cases > 1_000, "{seen:?}");
}
