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
            "{source}\n-------- diagnostics\n{}",
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
