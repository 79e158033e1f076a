//! Check fixtures: every `ok` file checks clean and gives a rule set; every
//! `err` file gives at least one diagnostic, snapshotted as an editor sees it.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{check_source, display_name, fixtures, read};

#[test]
fn ok_files_check_clean() {
    insta::glob!("fixtures/check/ok/*.crl", |path| {
        let source = read(path);
        let checked = check_source(&display_name(path), &source);
        assert!(
            checked.codes.is_empty(),
            "{}:\n{}",
            path.display(),
            checked.rendered
        );
        assert!(
            checked.rule_set.is_some(),
            "{}: no rule set",
            path.display()
        );
    });
}

#[test]
fn err_files_give_diagnostics() {
    insta::glob!("fixtures/check/err/*.crl", |path| {
        let source = read(path);
        let checked = check_source(&display_name(path), &source);
        assert!(
            !checked.codes.is_empty(),
            "{} gave no diagnostic",
            path.display()
        );
        insta::assert_snapshot!(format!(
            "{}\n-------- diagnostics\n{}",
            clinrule_cli::terminal_safe(&source),
            checked.rendered
        ));
    });
}

/// The four mistakes of the issue, in one file: each is reported, none hides another.
#[test]
fn no_problem_hides_another() {
    let path = clinrule_tests::fixtures().join("check/err/editor_mistakes.crl");
    let checked = check_source("editor_mistakes.crl", &read(&path));
    assert_eq!(checked.codes, ["E201", "E208", "E202", "E101"]);
    assert!(checked.rendered.contains("did you mean `lab.blood_lead`?"));
    assert!(checked.rendered.contains("did you mean `cdc`?"));
    assert!(checked.rendered.contains("did you mean `when`?"));
    assert!(checked.rendered.contains("such as `3.5 ug/dL`"));
}

/// Each lint has a fixture that triggers exactly that lint and nothing else.
#[test]
fn each_lint_fixture_triggers_exactly_its_lint() {
    for (fixture, code) in [
        ("bands_overlap", "W205"),
        ("bands_gap", "W206"),
        ("approved_without_review", "W207"),
        ("approved_uncited_conclusion", "W208"),
        ("never_fires", "W209"),
        ("redundant_rule", "W210"),
        ("contradictory_conclusions", "W211"),
    ] {
        let path = fixtures().join(format!("check/err/{fixture}.crl"));
        let checked = check_source(&display_name(&path), &read(&path));
        assert_eq!(checked.codes, [code], "{fixture}: {}", checked.rendered);
        assert_eq!(checked.errors, 0, "{fixture}: a lint is a warning");
    }
}

/// A large file's rules are checked on two threads: whatever a file holds,
/// the outcome (the checked rule set, and every diagnostic in order) is the
/// one a single thread gives. Each fixture and bundled rule set is checked
/// repeated until it has enough rules to be split (so that repeated
/// identifiers across the two halves are met), and after and before enough
/// rules of its own (so that its rules are all in one half, and what only
/// they use is found by that half alone).
#[test]
fn checking_on_two_threads_gives_what_one_gives() {
    let mut files = clinrule_tests::files_in(&fixtures().join("check/err"), ".crl");
    files.extend(clinrule_tests::files_in(
        &fixtures().join("check/ok"),
        ".crl",
    ));
    files.extend(clinrule_tests::files_in(
        &clinrule_tests::root().join("rules"),
        ".crl",
    ));
    // Of the evaluation fixtures, those whose rules count time to `as_of`.
    files.extend(
        clinrule_tests::files_in(&fixtures().join("eval"), ".crl")
            .into_iter()
            .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("as_of"))),
    );
    let mut filler = String::from("fact split_filler : yes/no\n");
    for index in 0..520 {
        filler.push_str(&format!(
            "rule split_{index}\n  when split_filler\n  then note split_{index} \"Filler\"\n"
        ));
    }
    let mut split = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let rules = text.matches("\nrule ").count();
        if rules == 0 {
            continue;
        }
        for source in [
            text.repeat(520_usize.div_ceil(rules)),
            format!("{filler}\n{text}"),
            format!("{text}\n{filler}"),
        ] {
            // The checker alone, on one thread and on two.
            let (file, _) = clinrule_syntax::parse(&source);
            let map = std::sync::Arc::new(clinrule::SourceMap::new("", source.as_str()));
            let one = outcome_text(&clinrule_check::check(&map, &file));
            let two = outcome_text(&clinrule_check::check_on(&map, &file, 2));
            assert!(
                one == two,
                "{}: checked on two threads, the outcome differs",
                path.display()
            );
        }
        split += 1;
    }
    assert!(split > 40, "only {split} files were checked on two threads");
}

/// Everything a check gives, as text: the diagnostics in order and every
/// part of the checked rule set (its lookup tables are hash maps, whose
/// order differs from one map to the next, so they are left out; what they
/// are made from is in).
fn outcome_text(outcome: &clinrule_check::CheckOutcome) -> String {
    let rule_set = outcome.rule_set.as_ref().map(|rule_set| {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            rule_set.metadata(),
            rule_set.references(),
            rule_set.facts(),
            rule_set.lets(),
            rule_set.scores(),
            rule_set.differentials(),
            rule_set.rules(),
            rule_set.order(),
            rule_set.as_of_uses()
        )
    });
    format!("{:?}\n{rule_set:?}", outcome.diagnostics)
}

/// A rule set of `count` rules on one fact, each firing above its own
/// threshold with the same conclusion: every rule but the first is
/// redundant, covered by the first.
fn rules_sharing_one_fact(count: usize) -> String {
    let mut text = String::from(
        "ruleset shared\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact n : number\n\n",
    );
    for rule in 0..count {
        text.push_str(&format!(
            "rule r{rule} \"r\"\n  when n > {rule}\n  then note c{rule} \"the same words\"\n\n"
        ));
    }
    text
}

/// Rules that share one fact used to be compared pair by pair, each pair
/// over every combination, and every pair reported: 400 rules took 32 s and
/// printed 79,800 warnings. Now each redundant rule is named once.
#[test]
fn rules_sharing_one_fact_give_one_warning_per_redundant_rule() {
    let rules = clinrule_tests::checked("shared.crl", &rules_sharing_one_fact(200));
    let rule_set = rules.checked();
    let warnings = clinrule_eval::lint::lint(rule_set);
    assert_eq!(warnings.len(), 199);
    for (position, warning) in warnings.iter().enumerate() {
        match warning {
            clinrule_eval::lint::LintWarning::Redundant { rule, other, .. } => {
                assert_eq!(rule, &format!("r{}", position + 1));
                assert_eq!(other, "r0");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// When the budget of work is spent, what was not compared is reported,
/// and every warning given is one the full check gives too.
#[test]
fn a_spent_budget_is_reported_not_hidden() {
    let rules = clinrule_tests::checked("shared.crl", &rules_sharing_one_fact(120));
    let rule_set = rules.checked();
    let full = clinrule_eval::lint::lint(rule_set);
    assert!(!full.iter().any(|warning| matches!(
        warning,
        clinrule_eval::lint::LintWarning::NotCompared { .. }
    )));
    // Enough to try the rules, not to compare them all.
    let partial = clinrule_eval::lint::lint_within(rule_set, 1_000);
    let Some(clinrule_eval::lint::LintWarning::NotCompared { pairs, .. }) = partial.last() else {
        panic!("no W212 in {partial:?}");
    };
    assert!(*pairs > 0);
    for warning in &partial[..partial.len() - 1] {
        assert!(
            full.contains(warning),
            "{warning:?} is not in the full check"
        );
    }
    assert!(partial.len() - 1 <= full.len());
}

/// The dependency graph the checked rule set keeps: what each rule and each
/// derived value reads directly, and what a rule needs computed before it,
/// through a chain of derived values and a score.
#[test]
fn the_dependency_graph_is_kept_from_checking() {
    use clinrule_check::model::Derived;
    let source = "ruleset chain\n  title \"Chain\"\n  version 1.0.0\n  status draft\n\n\
        fact a : yes/no\nfact b : yes/no\nfact c : yes/no\n\n\
        let first = a and b\n\
        let second = first or c\n\n\
        score s \"S\"\n  criterion one \"One\"\n    1 point when second\n    0 points when not second\n  \
        band low \"Low\" from 0 to 0\n  band high \"High\" from 1 to 1\n\n\
        rule r \"R\"\n  when s >= 1 and c\n  then note n \"N\"\n\n\
        rule plain \"Plain\"\n  when a\n  then note m \"M\"\n";
    let rules = clinrule_tests::checked("chain.crl", source);
    let rule_set = rules.checked();
    let graph = rule_set.dependencies();
    let fact = |name: &str| rule_set.fact_index(name).expect("declared");
    assert_eq!(graph.of_rule(0).facts, [fact("c")]);
    assert_eq!(graph.of_rule(0).derived, [Derived::Score(0)]);
    assert_eq!(graph.of(Derived::Let(0)).facts, [fact("a"), fact("b")]);
    assert_eq!(graph.of(Derived::Let(1)).derived, [Derived::Let(0)]);
    let mut needed = graph.needed_by_rule(0).to_vec();
    needed.sort();
    assert_eq!(
        needed,
        [Derived::Let(0), Derived::Let(1), Derived::Score(0)]
    );
    assert!(graph.needed_by_rule(1).is_empty());
    // The graph command draws the same edges.
    let mermaid = rules.graph_mermaid();
    assert!(mermaid.contains("let0 --> let1"), "{mermaid}");
    assert!(mermaid.contains("score0 --> rule0"), "{mermaid}");
}
