//! Case error fixtures: every malformed case is refused with exit code 2 and
//! diagnostics that point into the case file, snapshotted.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::clinrule;

#[test]
fn bad_cases_are_refused() {
    insta::glob!("fixtures/case/err/*.case.json", |path| {
        let file_name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a file name");
        let case = format!("tests/fixtures/case/err/{file_name}");
        let output = clinrule(&["eval", "tests/fixtures/case/rules.crl", "--case", &case]);
        assert_eq!(output.code, 2, "{}", output.transcript());
        assert!(
            output.stdout.is_empty(),
            "a refused case printed a result: {}",
            output.stdout
        );
        assert!(
            !output.codes().is_empty(),
            "no diagnostic code: {}",
            output.transcript()
        );
        let source = std::fs::read_to_string(path).expect("the case");
        insta::assert_snapshot!(format!("{source}\n-------- diagnostics\n{}", output.stderr));
    });
}

/// Which facts a rule set counts to the case's `as_of` date, found through
/// derived values too, and when every case needs the date.
#[test]
fn the_dates_counted_to_as_of_are_found() {
    use clinrule_eval::{Case, EvalError};
    let source = "ruleset dates\n  title \"Dates\"\n  version 1.0.0\n  status draft\n\n\
        fact visit : date\nfact other : date\nfact unrelated : date\n\n\
        let last_seen = visit otherwise other\n\
        let days = as_of - last_seen in days\n\n\
        rule late \"Late\"\n  when days > 30 days and unrelated > 2020-01-01\n  then note late \"Late\"\n";
    let checked = clinrule_tests::check_source("dates.crl", source);
    let rules = checked.rule_set.expect("the rule set checks");
    let rule_set = rules.checked();
    let uses = rule_set.as_of_uses();
    let names: Vec<&str> = uses
        .facts
        .iter()
        .map(|index| rule_set.facts()[*index].name.as_str())
        .collect();
    assert_eq!(names, ["visit", "other"]);
    assert!(!uses.always);

    // A case giving a counted date without `as_of` is refused; one that gives
    // only an unrelated date, or the date with `as_of`, is read.
    let refused =
        Case::from_json(r#"{"facts": {"other": "2025-01-01"}}"#, rule_set).expect_err("refused");
    assert!(
        matches!(&refused[..], [EvalError::AsOfNeeded { fact: Some(fact), .. }] if fact == "other"),
        "{refused:?}"
    );
    assert!(Case::from_json(r#"{"facts": {"unrelated": "2025-01-01"}}"#, rule_set).is_ok());
    assert!(
        Case::from_json(
            r#"{"as_of": "2025-02-01", "facts": {"visit": "2025-01-01"}}"#,
            rule_set
        )
        .is_ok()
    );

    // A comparison of `as_of` with a fixed date needs the date in every case.
    let fixed = source.replace("days > 30 days", "as_of > 2025-01-01");
    let checked = clinrule_tests::check_source("dates.crl", &fixed);
    let rules = checked.rule_set.expect("the rule set checks");
    let rule_set = rules.checked();
    assert!(rule_set.as_of_uses().always);
    let refused = Case::from_json(r#"{"facts": {}}"#, rule_set).expect_err("refused");
    assert!(
        matches!(&refused[..], [EvalError::AsOfNeeded { fact: None, .. }]),
        "{refused:?}"
    );
}

/// A birth date after the case's date is refused with exit code 2, naming
/// the fact and the date it cannot pass: the age would be counted backwards.
#[test]
fn a_birth_date_after_as_of_is_refused() {
    let scratch = clinrule_tests::ScratchFile::new(
        "born-later.json",
        r#"{"as_of": "2025-10-30", "facts": {"birth_date": "2026-01-01"}}"#,
    );
    let output = clinrule_tests::clinrule(&[
        "eval",
        "tests/fixtures/eval/birthdates.crl",
        "--case",
        scratch.path(),
    ]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert_eq!(output.codes(), ["E314"], "{}", output.transcript());
    let message = output.stderr.replace("\n  │ ", " ");
    assert!(
        message.contains(
            "`2026-01-01` cannot be the value of `birth_date`: it is after the case's `as_of` date, 2025-10-30"
        ),
        "{}",
        output.transcript()
    );
}

/// A bundled case given a value outside its fact's plausible range is
/// refused with exit code 2, naming the fact, the value and the range: a
/// negative blood lead, a blood lead in mg/dL read as ug/dL, a negative age.
#[test]
fn values_outside_a_plausible_range_are_refused_with_the_range() {
    let case = "rules/cases/toddler-sclerosis.json";
    let original = clinrule_tests::read(&clinrule_tests::root().join(case));
    for (fact, value, range) in [
        ("lab.blood_lead", "-2 ug/dL", "0 ug/dL to 1000 ug/dL"),
        ("lab.blood_lead", "3.5 mg/dL", "0 ug/dL to 1000 ug/dL"),
        ("age", "-18 months", "0 days to 125 years"),
    ] {
        let mut parsed: serde_json::Value =
            serde_json::from_str(&original).expect("the case is JSON");
        parsed["facts"][fact] = serde_json::Value::String(value.to_owned());
        let scratch = clinrule_tests::ScratchFile::new("implausible.json", &parsed.to_string());
        let output = clinrule_tests::clinrule(&[
            "eval",
            "rules/metaphyseal-sclerosis.crl",
            "--case",
            scratch.path(),
        ]);
        assert_eq!(output.code, 2, "{}", output.transcript());
        assert_eq!(output.codes(), ["E315"], "{}", output.transcript());
        // The message as one line, undoing the wrapping at 80 columns.
        let message = output.stderr.replace("\n  │ ", " ");
        assert!(
            message.contains(&format!(
                "`{value}` is outside what `{fact}` can be: the rule set allows {range}"
            )),
            "{}",
            output.transcript()
        );
    }
}
