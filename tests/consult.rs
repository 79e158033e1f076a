//! `clinrule consult` with answers piped in: the most decisive question
//! first, answers refused and asked again, re-evaluation after each answer,
//! and the completed case saved.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{clinrule, clinrule_with_input};
use serde_json::Value;

const SEED: &str = "rules/metaphyseal-sclerosis.crl";

/// A place for a saved case that no other test uses.
fn scratch(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("clinrule-consult-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    folder.join(name)
}

#[test]
fn the_blood_lead_is_asked_first_and_a_bare_number_is_refused() {
    let saved = scratch("toddler.json");
    let saved_name = saved.to_string_lossy().into_owned();
    let output = clinrule_with_input(
        &[
            "consult",
            SEED,
            "--case",
            "rules/cases/toddler-sclerosis.json",
            "--save",
            &saved_name,
        ],
        "1.2\n1.2 ug/dL\nnormal\nnormal\nno\nnormal\nno\nno\nno\nno\nno\nno\n",
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    // The case gives the age directly, so its date is not asked for,
    // although the rule set could count the age from a birth date.
    assert!(!stdout.contains("The date the case describes"), "{stdout}");
    let question = stdout
        .find("Question 1: lab.blood_lead")
        .expect("the blood lead is asked first");
    let refused = stdout
        .find("not accepted: `1.2` needs a unit: for example `1.2 ug/dL`")
        .expect("a bare number is refused");
    let concluded = stdout
        .find("+ Osteosclerotic metaphyseal dysplasia")
        .expect("the dysplasia is now suspected");
    assert!(question < refused && refused < concluded, "{stdout}");
    assert!(
        stdout.contains("Nothing more that is missing would change the conclusions."),
        "{stdout}"
    );
    // The lead, the thyroid, the diet and the calcium were missing; then
    // the findings the case leaves unmentioned, which the rules would read
    // as no and on which conclusions rest, are confirmed.
    for (number, fact) in [
        (2, "lab.tsh"),
        (3, "lab.free_t4"),
        (4, "history.restricted_diet"),
        (5, "lab.calcium"),
    ] {
        assert!(
            stdout.contains(&format!("Question {number}: {fact}")),
            "{fact} is asked:\n{stdout}"
        );
    }
    for (number, fact) in [
        (6, "xray.cupping"),
        (7, "xray.fraying"),
        (8, "xray.physeal_widening"),
        (9, "xray.scurvy_signs"),
        (10, "xray.growth_recovery_lines"),
        (11, "xray.classic_metaphyseal_lesion"),
    ] {
        let asked = stdout
            .find(&format!("Question {number}: {fact}"))
            .unwrap_or_else(|| panic!("{fact} is confirmed:\n{stdout}"));
        assert!(
            stdout
                .get(asked..)
                .is_some_and(|after| after
                    .contains("the case does not mention it, so the rules take it as no")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("Question 12"), "{stdout}");
    insta::assert_snapshot!(stdout.replace(&saved_name, "<saved>"));

    // The saved case keeps what the file gave, adds the answer, and
    // evaluates to the same conclusions.
    let text = std::fs::read_to_string(&saved).expect("the case was saved");
    let case: Value = serde_json::from_str(&text).expect("the saved case is JSON");
    assert_eq!(case["id"], "toddler-sclerosis");
    assert_eq!(case["facts"]["lab.blood_lead"], "1.2 ug/dL");
    assert_eq!(case["facts"]["age"], "18 months");
    let evaluated = clinrule(&["eval", SEED, "--case", &saved_name, "--format", "json"]);
    assert_eq!(evaluated.code, 0, "{}", evaluated.transcript());
    let result: Value = serde_json::from_str(&evaluated.stdout).expect("JSON");
    assert!(
        result["conclusions"]
            .as_array()
            .expect("conclusions")
            .iter()
            .any(|conclusion| conclusion["id"] == "osteosclerotic_metaphyseal_dysplasia"),
        "{}",
        evaluated.stdout
    );
    let _ = std::fs::remove_file(saved);
}

#[test]
fn skip_records_unknown_and_stop_ends_the_consultation() {
    let output = clinrule_with_input(&["consult", "rules/qsofa.crl"], "yes\nskip\nstop\n");
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    assert!(
        stdout.contains("Question 1: infection_suspected"),
        "{stdout}"
    );
    assert!(stdout.contains("Question 2: vitals.systolic"), "{stdout}");
    assert!(
        stdout.contains("Question 3: vitals.respiratory_rate"),
        "{stdout}"
    );
    assert!(stdout.contains("\nStopped.\n"), "{stdout}");
    // A skipped fact is not asked again.
    let asked = stdout
        .lines()
        .filter(|line| line.starts_with("Question") && line.contains("vitals.systolic"))
        .count();
    assert_eq!(asked, 1, "{stdout}");
}

#[test]
fn the_end_of_the_answers_ends_the_consultation() {
    let output = clinrule_with_input(&["consult", "rules/qsofa.crl"], "");
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        output.stdout.contains("The answers ended."),
        "{}",
        output.stdout
    );
}

#[test]
fn a_case_that_counts_dates_asks_for_its_date_first() {
    let output = clinrule_with_input(
        &["consult", "tests/fixtures/eval/birthdates.crl"],
        "30 October\n2025-10-30\n2023-10-30\n",
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    assert!(
        stdout.contains("not accepted: `30 October` is not a date in the calendar"),
        "{stdout}"
    );
    assert!(stdout.contains("Question 1: birth_date"), "{stdout}");
    // Born two years to the day before: both rules fire.
    assert!(stdout.contains("+ 24 months or older"), "{stdout}");
    assert!(stdout.contains("+ Under 36 months"), "{stdout}");
}

/// An answer outside the fact's plausible range is refused with the range,
/// and the question asked again; the accepted answer is the one evaluated.
#[test]
fn an_implausible_answer_is_refused_and_asked_again() {
    let output = clinrule_with_input(
        &[
            "consult",
            SEED,
            "--case",
            "rules/cases/toddler-sclerosis.json",
        ],
        "-2 ug/dL\n1.2 mg/dL\n1.2 ug/dL\nnormal\nnormal\n",
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    for refused in ["`-2 ug/dL`", "`1.2 mg/dL`"] {
        let at = stdout
            .find(&format!("not accepted: {refused} is outside what `lab.blood_lead` can be: the rule set allows 0 ug/dL to 1000 ug/dL"))
            .unwrap_or_else(|| panic!("{refused} is refused with the range:\n{stdout}"));
        assert!(
            stdout
                .get(at..)
                .is_some_and(|after| after.contains("+ Osteosclerotic metaphyseal dysplasia")),
            "{stdout}"
        );
    }
    // The next questions are the thyroid tests.
    assert!(stdout.contains("Question 2: lab.tsh"), "{stdout}");
}

/// An empty line asks again rather than skipping; a decimal comma is read,
/// or explained when it could separate thousands; refusals speak of values
/// and units, never of the case file's JSON; a skipped fact that would
/// still change the conclusions is named at the end, and the end does not
/// claim that nothing missing would change them.
#[test]
fn empty_lines_ask_again_and_skipped_facts_are_reported() {
    let output = clinrule_with_input(
        &[
            "consult",
            SEED,
            "--case",
            "rules/cases/toddler-sclerosis.json",
        ],
        "\n1.2\nabc\n1,200 ug/dL\nskip\n",
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    assert!(
        stdout.contains("> \n  type the answer, `skip` when it is not known, or `stop` to finish"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`1.2` needs a unit: for example `1.2 ug/dL`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`abc` is not a measurement: write a number and its unit"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`1,200` could be 1200 or 1.200"),
        "{stdout}"
    );
    // No refusal shows JSON.
    for line in stdout.lines().filter(|line| line.contains("not accepted")) {
        assert!(!line.contains('{') && !line.contains('"'), "{line}");
    }
    assert!(
        !stdout.contains("Nothing more that is missing would change the conclusions."),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Skipped, and still able to change the conclusions:\n  lab.blood_lead would decide"
        ),
        "{stdout}"
    );

    // A decimal comma is a decimal point; the header says what was answered.
    let output = clinrule_with_input(
        &[
            "consult",
            SEED,
            "--case",
            "rules/cases/toddler-sclerosis.json",
        ],
        "1,2 ug/dL\n",
    );
    assert!(
        output.stdout.contains("  read as `1.2 ug/dL`\n"),
        "{}",
        output.stdout
    );
    assert!(
        output
            .stdout
            .contains("(answered since: lab.blood_lead 1.2 ug/dL)"),
        "{}",
        output.stdout
    );
}

/// Among questions that would decide as much, the history comes before the
/// examination, the examination before tests, and tests before imaging,
/// whatever the order the facts are declared in.
#[test]
fn equally_decisive_questions_come_in_the_order_they_are_obtained() {
    let rules = clinrule_tests::ScratchFile::new(
        "order.crl",
        "ruleset order\n  title \"Order\"\n  version 1.0.0\n  status draft\n\n\
         fact scan : yes/no, obtained by imaging\n\
         fact blood : yes/no, obtained by test\n\
         fact look : yes/no, obtained by examination\n\
         fact ask : yes/no, obtained by history\n\
         fact other : yes/no\n\n\
         rule a \"A\"\n  when scan\n  then note na \"A\"\n\
         rule b \"B\"\n  when blood\n  then note nb \"B\"\n\
         rule c \"C\"\n  when look\n  then note nc \"C\"\n\
         rule d \"D\"\n  when ask\n  then note nd \"D\"\n\
         rule e \"E\"\n  when other\n  then note ne \"E\"\n",
    );
    let output = clinrule_with_input(&["consult", rules.path()], "no\nno\nno\nno\nno\n");
    assert_eq!(output.code, 0, "{}", output.transcript());
    let asked: Vec<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix("Question "))
        .filter_map(|rest| rest.split(": ").nth(1))
        .collect();
    assert_eq!(
        asked,
        ["ask", "look", "blood", "scan", "other"],
        "{}",
        output.stdout
    );
}

/// A rule set that counts an age from a birth date needs the case's date
/// only when it must count the age: a case that gives the age directly is
/// not asked for it, a blank one is, first.
#[test]
fn an_age_given_directly_needs_no_date() {
    let rules = "tests/fixtures/consult/age-from-birth-date.crl";
    let case =
        clinrule_tests::ScratchFile::new("age-given.json", r#"{"facts": {"age": "8 months"}}"#);
    let output = clinrule_with_input(&["consult", rules, "--case", case.path()], "yes\n");
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        !output.stdout.contains("The date the case describes"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("Question 1: finding"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("+ An infant with the finding"),
        "{}",
        output.stdout
    );

    let output = clinrule_with_input(&["consult", rules], "2025-10-30\nstop\n");
    assert_eq!(output.code, 0, "{}", output.transcript());
    let date = output
        .stdout
        .find("The date the case describes")
        .expect("a blank case is asked for its date");
    let question = output.stdout.find("Question 1").unwrap_or(usize::MAX);
    assert!(date < question, "{}", output.stdout);
}

/// A value set aside (a saturation measured on oxygen) is asked for again,
/// saying why; the new value comes from a new measurement, so what the case
/// said about the old one is asked for again too, before the answer settles.
#[test]
fn a_value_set_aside_is_asked_for_again_with_its_reason() {
    let output = clinrule_with_input(
        &[
            "consult",
            "rules/perc.crl",
            "--case",
            "rules/tests/perc/saturation-on-oxygen.json",
        ],
        "96 %\nno\n",
    );
    assert_eq!(output.code, 0, "{}", output.transcript());
    let stdout = &output.stdout;
    let question = stdout
        .find("Question 1: vitals.spo2")
        .expect("the saturation is asked for again");
    let reason = stdout
        .find("the value given, 97 %, is set aside: Measured on supplemental oxygen")
        .expect("with the reason it was set aside");
    let oxygen = stdout
        .find("Question 2: vitals.supplemental_oxygen")
        .expect("whether the new value is on oxygen is confirmed");
    assert!(question < reason && reason < oxygen, "{stdout}");
    assert!(
        stdout.contains("Pulmonary embolism, ruled out clinically"),
        "{stdout}"
    );
}
