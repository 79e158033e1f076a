//! `clinrule test`: the editors' test runner, its failures, its diagnostics
//! and its coverage.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use std::path::{Path, PathBuf};

use clinrule_tests::{clinrule, root};

/// Passing and failing tests, and every kind of mistake in expectations.
#[test]
fn failures_and_mistakes_are_reported() {
    let output = clinrule(&["test", "tests/fixtures/test"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output.stdout.ends_with("\n2 passed, 6 failed\n"),
        "{}",
        output.stdout
    );
    assert_eq!(output.codes(), ["E323", "E322", "E324", "E321"]);
    assert!(
        output
            .stdout
            .contains("expected the rule `lead_high` not to fire, but it fired (line 3)"),
        "{}",
        output.stdout
    );
    insta::assert_snapshot!(output.transcript());
}

/// Coverage of the fixture: which rules and conditions the tests exercised.
#[test]
fn coverage_shows_what_the_tests_exercised() {
    let output = clinrule(&["test", "--coverage", "tests/fixtures/test/scored.crl"]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output
            .stdout
            .contains("coverage: 1 of 1 rules fired by a test (100%)"),
        "{}",
        output.stdout
    );
    insta::assert_snapshot!(output.stdout);
}

/// `--min-coverage` fails when too few rules are fired by a test.
#[test]
fn a_minimum_coverage_is_enforced() {
    // The lead fixture's passing test fires one of its two rules.
    let output = clinrule(&[
        "test",
        "--min-coverage",
        "100",
        "tests/fixtures/test/lead.crl",
    ]);
    assert_eq!(output.code, 1);
    assert!(
        output
            .stdout
            .contains("rule coverage 50% (1 of 2 rules fired by a test); the minimum is 100%"),
        "{}",
        output.stdout
    );
    let refused = clinrule(&["test", "--min-coverage", "101", "rules/qsofa.crl"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
}

/// Copies a rule file and its tests into a fresh folder.
fn copy_with_tests(stem: &str, name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!(
        "clinrule-editor-tests-{}-{name}",
        std::process::id()
    ));
    let tests = folder.join("tests").join(stem);
    std::fs::create_dir_all(&tests).expect("a scratch folder");
    let source = root().join("rules");
    std::fs::copy(
        source.join(format!("{stem}.crl")),
        folder.join(format!("{stem}.crl")),
    )
    .expect("the rule file");
    for entry in std::fs::read_dir(source.join("tests").join(stem)).expect("the tests") {
        let path = entry.expect("an entry").path();
        std::fs::copy(&path, tests.join(path.file_name().expect("a name"))).expect("a test");
    }
    folder
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("the rule file");
    assert!(text.contains(from), "`{from}` is not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("written");
}

/// Moving a published threshold makes exactly the tests at that threshold
/// fail, with a readable difference.
#[test]
fn a_changed_threshold_fails_the_right_tests() {
    let folder = copy_with_tests("qsofa", "threshold");
    let rules = folder.join("qsofa.crl");
    let rules_name = rules.to_string_lossy().into_owned();
    assert_eq!(clinrule(&["test", &rules_name]).code, 0);
    // The respiratory rate threshold moves from 22 to 23 per minute.
    replace_in(
        &rules,
        "vitals.respiratory_rate >= 22 /min",
        "vitals.respiratory_rate >= 23 /min",
    );
    let output = clinrule(&["test", &rules_name]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    let failed: Vec<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("  ✗ "))
        .map(|line| line.split_whitespace().next().unwrap_or(""))
        .collect();
    // Both tests with a respiratory rate of exactly 22 per minute.
    assert_eq!(
        failed,
        ["at-both-thresholds", "kpa-units"],
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("expected qsofa total 2, got 1"),
        "{}",
        output.stdout
    );
    let _ = std::fs::remove_dir_all(folder);
}
