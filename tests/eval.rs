//! Evaluation fixtures: each `<rules>.<case>.case.json` is evaluated against
//! `<rules>.crl`, and its JSON result and text rendering are snapshotted.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{clinrule, fixtures};

#[test]
fn fixture_cases_evaluate() {
    insta::glob!("fixtures/eval/*.case.json", |path| {
        let file_name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a file name");
        let rules_name = file_name.split('.').next().expect("a rule set name");
        let rules = format!("tests/fixtures/eval/{rules_name}.crl");
        let case = format!("tests/fixtures/eval/{file_name}");
        let json = clinrule(&["eval", &rules, "--case", &case, "--format", "json"]);
        assert_eq!(json.code, 0, "{}", json.transcript());
        let text = clinrule(&["eval", &rules, "--case", &case, "--explain", "full"]);
        assert_eq!(text.code, 0, "{}", text.transcript());
        insta::assert_snapshot!(format!("{}\n-------- text\n{}", json.stdout, text.stdout));
    });
}

fn statuses(rules: &str, case: &str) -> Vec<(String, String)> {
    let output = clinrule(&["eval", rules, "--case", case, "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let result: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
    result["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| {
            (
                rule["id"].as_str().unwrap_or_default().to_owned(),
                rule["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A threshold at a published boundary holds whatever unit the value comes in.
#[test]
fn boundaries_hold_in_every_unit() {
    assert!(fixtures().join("eval/lead.crl").exists());
    for case in ["boundary-ugdl", "boundary-ugl", "boundary-mgl"] {
        let statuses = statuses(
            "tests/fixtures/eval/lead.crl",
            &format!("tests/fixtures/eval/lead.{case}.case.json"),
        );
        assert_eq!(
            statuses,
            [
                ("lead_high".to_owned(), "fired".to_owned()),
                ("lead_normal".to_owned(), "not_fired".to_owned())
            ],
            "{case}"
        );
    }
    let below = statuses(
        "tests/fixtures/eval/lead.crl",
        "tests/fixtures/eval/lead.below-mgdl.case.json",
    );
    assert_eq!(below[0].1, "not_fired");
    assert_eq!(below[1].1, "fired");
}

/// A missing value and an explicit `null` are both unknown, never false.
#[test]
fn missing_is_not_false() {
    for case in ["missing", "null"] {
        let statuses = statuses(
            "tests/fixtures/eval/lead.crl",
            &format!("tests/fixtures/eval/lead.{case}.case.json"),
        );
        assert!(
            statuses.iter().all(|(_, status)| status == "undetermined"),
            "{case}: {statuses:?}"
        );
    }
}

/// Eighteen months, one and a half years and 79 weeks are all toddlers
/// (78 weeks, 546 days, is under 18 months of 30.4375 days).
#[test]
fn ages_compare_across_units() {
    for case in ["years", "months", "weeks"] {
        let statuses = statuses(
            "tests/fixtures/eval/ages.crl",
            &format!("tests/fixtures/eval/ages.{case}.case.json"),
        );
        assert_eq!(
            statuses[0],
            ("toddler".to_owned(), "fired".to_owned()),
            "{case}"
        );
        assert_eq!(
            statuses[1],
            ("infant".to_owned(), "not_fired".to_owned()),
            "{case}"
        );
    }
    let days = statuses(
        "tests/fixtures/eval/ages.crl",
        "tests/fixtures/eval/ages.days.case.json",
    );
    assert_eq!(days[0].1, "not_fired");
    assert_eq!(days[1].1, "fired");
    assert_eq!(days[2].1, "undetermined");
}

/// Kleene logic over the logic fixture, rule by rule.
#[test]
fn kleene_logic_decides_what_it_can() {
    let nothing = statuses(
        "tests/fixtures/eval/logic.crl",
        "tests/fixtures/eval/logic.nothing.case.json",
    );
    let expected = [
        ("and_rule", "undetermined"),
        ("or_rule", "undetermined"),
        ("not_rule", "undetermined"),
        ("absent_means_no", "fired"),
        ("presence", "fired"),
        ("nested", "undetermined"),
        ("membership", "undetermined"),
        ("only_one_missing_matters", "undetermined"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(id, status)| ((*id).to_owned(), (*status).to_owned()))
        .collect();
    assert_eq!(nothing, expected);

    let a_false = statuses(
        "tests/fixtures/eval/logic.crl",
        "tests/fixtures/eval/logic.a-false.case.json",
    );
    // `false and unknown` is false; `false or unknown` is unknown.
    assert_eq!(a_false[0].1, "not_fired");
    assert_eq!(a_false[1].1, "undetermined");
    assert_eq!(a_false[2].1, "fired");
    assert_eq!(a_false[5].1, "not_fired");

    let a_true = statuses(
        "tests/fixtures/eval/logic.crl",
        "tests/fixtures/eval/logic.a-true.case.json",
    );
    // `true or unknown` is true; `a and (b or not reported)` is true because reported is absent, so no.
    assert_eq!(a_true[1].1, "fired");
    assert_eq!(a_true[5].1, "fired");
    assert_eq!(a_true[6].1, "fired");

    let reported_null = statuses(
        "tests/fixtures/eval/logic.crl",
        "tests/fixtures/eval/logic.reported-null.case.json",
    );
    // An explicit null overrides "absent means no": the finding is unknown.
    assert_eq!(reported_null[3].1, "undetermined");
}

/// Only the missing facts that could change a rule are listed as missing.
#[test]
fn missing_lists_only_facts_that_matter() {
    let output = clinrule(&[
        "eval",
        "tests/fixtures/eval/logic.crl",
        "--case",
        "tests/fixtures/eval/logic.a-false.case.json",
        "--format",
        "json",
    ]);
    let result: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
    let rule = |id: &str| {
        result["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|rule| rule["id"] == id))
            .cloned()
            .expect("the rule")
    };
    // `(a and b) or reported` with a false: b cannot matter, reported is absent so no: decided.
    assert_eq!(rule("only_one_missing_matters")["status"], "not_fired");
    // `a or b` with a false: only b can decide it.
    assert_eq!(rule("or_rule")["missing"], serde_json::json!(["b"]));
    // `a and b` with a false is decided: nothing is missing.
    assert_eq!(rule("and_rule")["missing"], serde_json::json!([]));
}

/// A lookup table over a score left a range by a missing input reaches
/// every row the range meets, and its value is the span of their published
/// estimates; with the input known it is one row's.
#[test]
fn a_table_over_a_score_range_reports_every_row_it_may_reach() {
    let derived = |case: &str| {
        let output = clinrule(&[
            "eval",
            "rules/heart-score.crl",
            "--case",
            &format!("rules/tests/heart-score/{case}.json"),
            "--format",
            "json",
        ]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        let result: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
        let table = result["derived"]
            .as_array()
            .expect("derived values")
            .iter()
            .find(|derived| derived["name"] == "mace_rate")
            .cloned()
            .expect("the table");
        let rows: Vec<String> = table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row["text"].as_str().unwrap_or_default().to_owned())
            .collect();
        (table["value"].as_str().unwrap_or_default().to_owned(), rows)
    };
    assert_eq!(
        derived("troponin-missing-band-open"),
        (
            "1.7 to 16.6 %".to_owned(),
            vec!["Low risk".to_owned(), "Moderate risk".to_owned()]
        )
    );
    assert_eq!(
        derived("maximum"),
        ("50.1 %".to_owned(), vec!["High risk".to_owned()])
    );
}
