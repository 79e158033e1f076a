//! The bundled rule sets under `rules/`: every file checks clean, every
//! bundled case evaluates, and each case reaches the conclusions the seed
//! note and clinical practice call for.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use std::collections::BTreeSet;

use clinrule_tests::{check_source, clinrule, display_name, files_below, files_in, read, root};
use serde_json::Value;

/// The rule set the bundled cases in `rules/cases/` are written for.
const SEED_RULES: &str = "rules/metaphyseal-sclerosis.crl";

fn rule_files() -> Vec<std::path::PathBuf> {
    files_below(&root().join("rules"), ".crl")
}

fn bundled_cases() -> Vec<String> {
    files_in(&root().join("rules/cases"), ".json")
        .iter()
        .map(|path| display_name(path))
        .collect()
}

fn evaluate(case: &str) -> Value {
    let output = clinrule(&["eval", SEED_RULES, "--case", case, "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    serde_json::from_str(&output.stdout).expect("the result is JSON")
}

fn conclusion_ids(result: &Value) -> BTreeSet<String> {
    result["conclusions"]
        .as_array()
        .expect("conclusions")
        .iter()
        .map(|conclusion| conclusion["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Every one of `expected` is among the conclusions reached.
fn assert_reached(reached: &BTreeSet<String>, expected: &[&str]) {
    for id in expected {
        assert!(reached.contains(*id), "{id} is missing: {reached:?}");
    }
}

fn conclusion<'a>(result: &'a Value, id: &str) -> Option<&'a Value> {
    result["conclusions"]
        .as_array()?
        .iter()
        .find(|conclusion| conclusion["id"] == id)
}

fn rule_status<'a>(result: &'a Value, id: &str) -> &'a str {
    result["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|rule| rule["id"] == id))
        .and_then(|rule| rule["status"].as_str())
        .unwrap_or_else(|| panic!("no rule {id}"))
}

#[test]
fn every_rule_file_checks_clean() {
    let files = rule_files();
    assert!(!files.is_empty(), "rules/ holds no rule file");
    for path in files {
        let checked = check_source(&display_name(&path), &read(&path));
        assert!(
            checked.codes.is_empty(),
            "{}:\n{}",
            path.display(),
            checked.rendered
        );
        assert!(checked.rule_set.is_some());
    }
    let output = clinrule(&["check", "rules/"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        output
            .stdout
            .contains("rules/metaphyseal-sclerosis.crl: clean"),
        "{}",
        output.stdout
    );
}

#[test]
fn every_bundled_case_evaluates_and_is_snapshotted() {
    let cases = bundled_cases();
    assert!(cases.len() >= 5, "{cases:?}");
    for case in cases {
        let json = clinrule(&["eval", SEED_RULES, "--case", &case, "--format", "json"]);
        assert_eq!(json.code, 0, "{}", json.transcript());
        let text = clinrule(&["eval", SEED_RULES, "--case", &case]);
        assert_eq!(text.code, 0, "{}", text.transcript());
        let name = case
            .trim_start_matches("rules/cases/")
            .trim_end_matches(".json")
            .to_owned();
        let markdown = clinrule(&["eval", SEED_RULES, "--case", &case, "--format", "markdown"]);
        assert_eq!(markdown.code, 0, "{}", markdown.transcript());
        let patient = clinrule(&[
            "eval",
            SEED_RULES,
            "--case",
            &case,
            "--format",
            "markdown",
            "--audience",
            "patient",
        ]);
        assert_eq!(patient.code, 0, "{}", patient.transcript());
        check_report(&name, &markdown.stdout, &json.stdout);
        insta::assert_snapshot!(format!("{name}.json"), json.stdout);
        insta::assert_snapshot!(format!("{name}.text"), text.stdout);
        insta::assert_snapshot!(format!("{name}.md"), markdown.stdout);
        insta::assert_snapshot!(format!("{name}.patient.md"), patient.stdout);
    }
}

/// The seed child with no blood lead yet: lead and the thyroid first, the
/// neurological work-up at once, the dysplasia undecided.
#[test]
fn toddler_without_blood_lead_gets_lead_measured_first() {
    let result = evaluate("rules/cases/toddler-sclerosis.json");
    let ids = conclusion_ids(&result);
    assert_reached(
        &ids,
        &[
            "blood_lead_level",
            "lead_safety_while_waiting",
            "thyroid_function",
            "bone_profile",
            "neurology",
            "brain_mri",
            "early_intervention",
        ],
    );
    assert!(ids.contains("not_abuse"), "{ids:?}");
    assert!(ids.contains("no_vitamin_d_assumption"), "{ids:?}");
    assert!(
        !ids.contains("osteosclerotic_metaphyseal_dysplasia"),
        "{ids:?}"
    );
    assert!(!ids.contains("genetics"), "{ids:?}");
    assert!(
        !ids.contains("skeletal_survey_abuse") && !ids.contains("child_protection"),
        "{ids:?}"
    );
    assert_eq!(rule_status(&result, "dysplasia_pattern"), "undetermined");
    let pattern = result["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|rule| rule["id"] == "dysplasia_pattern"))
        .expect("the dysplasia rule");
    assert_eq!(
        pattern["missing"],
        serde_json::json!(["lab.blood_lead", "lab.tsh", "lab.free_t4"])
    );
    assert_eq!(result["needs"][0]["fact"], "lab.blood_lead");
    let needed_by: Vec<&str> = result["needs"][0]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(needed_by.contains(&"dysplasia_pattern"), "{needed_by:?}");
}

/// The same child with a normal blood lead and normal thyroid function: the
/// dysplasia is possible, with the dysplasia survey (not the abuse survey),
/// a brain MRI (not a whole-spine MRI) and genetics.
#[test]
fn normal_blood_lead_raises_the_dysplasia() {
    let result = evaluate("rules/cases/toddler-sclerosis-lead-normal.json");
    let dysplasia = conclusion(&result, "osteosclerotic_metaphyseal_dysplasia")
        .expect("the dysplasia is suspected");
    assert_eq!(dysplasia["kind"], "diagnosis");
    assert_eq!(dysplasia["action"], "suspect");
    assert_eq!(dysplasia["certainty"], "possible");
    assert_reached(
        &conclusion_ids(&result),
        &[
            "genetics",
            "neurology",
            "skeletal_survey_dysplasia",
            "brain_mri",
            "early_intervention",
        ],
    );
    let lead = conclusion(&result, "lead_poisoning").expect("lead is excluded");
    assert_eq!(lead["action"], "exclude");
    assert_eq!(
        conclusion(&result, "genetics").expect("genetics")["kind"],
        "referral"
    );
    let mri = conclusion(&result, "brain_mri").expect("MRI");
    assert_eq!(mri["kind"], "test");
    assert!(
        mri["text"]
            .as_str()
            .is_some_and(|text| text.contains("sedation")),
        "{mri}"
    );
    let hypothyroidism = conclusion(&result, "hypothyroidism").expect("the thyroid is read");
    assert_eq!(hypothyroidism["action"], "exclude");
    assert!(conclusion(&result, "skeletal_survey_abuse").is_none());
    assert!(
        result["needs"]
            .as_array()
            .expect("needs")
            .iter()
            .all(|need| need["fact"] != "lab.blood_lead")
    );
}

/// A venous blood lead of 12 ug/dL is acted on by its tier (CDC): the
/// public health programme, nutrition, development, the household and a
/// repeat in 1 to 3 months; it is not lead poisoning, which starts at 45.
#[test]
fn a_raised_blood_lead_is_acted_on_by_its_tier() {
    let result = evaluate("rules/cases/toddler-lead-elevated.json");
    let ids = conclusion_ids(&result);
    assert_reached(
        &ids,
        &[
            "lead_programme",
            "lead_exposure_reduction",
            "lead_nutrition",
            "lead_developmental_monitoring",
            "household_lead_testing",
            "lead_repeat_1_to_3_months",
            "lead_not_the_cause",
        ],
    );
    for id in ["lead_poisoning", "chelation", "lead_repeat_3_months"] {
        assert!(!ids.contains(id), "{id} is reached: {ids:?}");
    }
    assert_eq!(rule_status(&result, "dysplasia_pattern"), "not_fired");
}

/// The reviewer's child: hypotonic and delayed, with the dysplasia's
/// pattern, a raised alkaline phosphatase and a blood lead of 4 ug/dL. The
/// lead is acted on, and it does not end the assessment.
#[test]
fn a_low_blood_lead_keeps_the_neurological_and_genetic_work_up() {
    let result = evaluate("rules/cases/toddler-low-lead-hypotonia.json");
    let ids = conclusion_ids(&result);
    assert_reached(
        &ids,
        &[
            "lead_exposure_reduction",
            "lead_programme",
            "lead_not_the_cause",
            "neurology",
            "brain_mri",
            "early_intervention",
            "thyroid_function",
        ],
    );
    assert!(!ids.contains("lead_poisoning"), "{ids:?}");
    assert_eq!(rule_status(&result, "dysplasia_pattern"), "undetermined");
    let needs: Vec<&str> = result["needs"]
        .as_array()
        .expect("needs")
        .iter()
        .filter_map(|need| need["fact"].as_str())
        .collect();
    assert!(
        needs.contains(&"lab.tsh") && needs.contains(&"lab.free_t4"),
        "{needs:?}"
    );
}

#[test]
fn rickets_features_raise_rickets_and_the_vitamin_d_pitfall() {
    let result = evaluate("rules/cases/toddler-rickets.json");
    // Cupping, fraying and physeal widening together: rickets is likely.
    // Two rules suspect rickets under one identifier, as possible with one
    // or two signs and as likely with all three; here only the second.
    let rickets = conclusion(&result, "rickets").expect("rickets is considered");
    assert_eq!(rickets["action"], "suspect");
    assert_eq!(rickets["certainty"], "likely");
    assert_eq!(rickets["rules"], serde_json::json!(["rickets_likely"]));
    let panel = conclusion(&result, "rickets_biochemistry").expect("the panel");
    let panel = panel["text"].as_str().expect("text");
    for test in [
        "parathyroid hormone",
        "25-hydroxyvitamin D",
        "urine calcium",
    ] {
        assert!(panel.contains(test), "{test} is not in {panel}");
    }
    let warning = conclusion(&result, "rickets_cause_confirmed").expect("the vitamin D pitfall");
    assert_eq!(warning["kind"], "warning");
    assert!(conclusion(&result, "child_protection").is_none());
}

#[test]
fn a_classic_metaphyseal_lesion_starts_the_abuse_evaluation() {
    let result = evaluate("rules/cases/toddler-metaphyseal-lesion.json");
    assert_eq!(
        conclusion(&result, "skeletal_survey_abuse").expect("skeletal survey")["kind"],
        "test"
    );
    assert_eq!(
        conclusion(&result, "child_protection").expect("child protection")["kind"],
        "referral"
    );
}

/// Dense bands alone never start an abuse work-up, in any bundled case.
#[test]
fn dense_bands_alone_never_start_an_abuse_work_up() {
    for case in bundled_cases() {
        let result = evaluate(&case);
        let lesion = case.contains("metaphyseal-lesion");
        assert_eq!(
            conclusion(&result, "child_protection").is_some(),
            lesion,
            "{case}"
        );
    }
}

/// Every conclusion kind in every result is one of the seven words.
#[test]
fn conclusion_kinds_are_the_seven_words() {
    let kinds = [
        "diagnosis",
        "test",
        "referral",
        "treatment",
        "warning",
        "follow_up",
        "note",
    ];
    for case in bundled_cases() {
        let result = evaluate(&case);
        for conclusion in result["conclusions"].as_array().expect("conclusions") {
            let kind = conclusion["kind"].as_str().expect("a kind");
            assert!(kinds.contains(&kind), "{case}: {kind}");
        }
    }
}

/// Every editor-written test under `rules/tests/<rule set>/` passes, run
/// by `clinrule test` exactly as an editor runs it.
#[test]
fn editor_written_tests_pass() {
    let output = clinrule(&["test", "rules/"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let summary = output.stdout.lines().last().expect("a summary line");
    let (passed, rest) = summary.split_once(" passed, ").expect("N passed, M failed");
    assert_eq!(rest, "0 failed", "{summary}");
    let passed: usize = passed.parse().expect("a count");
    assert!(passed >= 60, "only {passed} editor-written tests");
    // Every bundled rule set has tests.
    assert!(!output.stdout.contains("no tests"), "{}", output.stdout);
}

/// The seed rule set's tests fire every one of its rules.
#[test]
fn the_seed_tests_cover_every_rule() {
    let output = clinrule(&["test", "--coverage", "--min-coverage", "100", SEED_RULES]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    assert!(
        !output.stdout.contains("no test fires"),
        "{}",
        output.stdout
    );
    let tests: usize = output
        .stdout
        .lines()
        .next()
        .and_then(|line| line.split(": ").nth(1))
        .and_then(|count| count.split(' ').next())
        .and_then(|count| count.parse().ok())
        .expect("the number of tests");
    assert!(tests >= 20, "only {tests} seed tests");
}

/// Every conclusion of the seed rule set is expected by name in at least one
/// of its editors' tests, so that no recommendation goes untested.
#[test]
fn the_seed_tests_name_every_conclusion() {
    let checked = check_source(SEED_RULES, &read(&root().join(SEED_RULES)));
    let rule_set = checked.rule_set.expect("the seed rule set checks");
    let mut expected = BTreeSet::new();
    for path in files_in(&root().join("rules/tests/metaphyseal-sclerosis"), ".json") {
        let test: Value = serde_json::from_str(&read(&path)).expect("a test is JSON");
        for id in test["expect"]["conclusions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            expected.insert(id.as_str().expect("an identifier").to_owned());
        }
    }
    let untested: Vec<&str> = rule_set
        .checked()
        .rules()
        .iter()
        .flat_map(|rule| &rule.conclusions)
        .map(|conclusion| conclusion.id.as_str())
        .filter(|id| !expected.contains(*id))
        .collect();
    assert!(untested.is_empty(), "no editor test expects {untested:?}");
}

/// A diagnosis two rules suspect with different certainties is listed once
/// among those considered and not suspected, and diagnoses that one finding
/// argued against share a line.
#[test]
fn a_diagnosis_considered_is_listed_once() {
    let text = clinrule(&[
        "eval",
        SEED_RULES,
        "--case",
        "rules/cases/toddler-lead-elevated.json",
    ]);
    assert_eq!(text.code, 0, "{}", text.transcript());
    let section = text
        .stdout
        .split("Considered and not suspected")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("the section");
    let rickets_lines = section
        .lines()
        .filter(|line| *line == "  Rickets" || line.starts_with("  Rickets;"))
        .count();
    assert_eq!(rickets_lines, 1, "{section}");
    assert!(
        section.contains("  Rickets; Nutritional rickets from vitamin D deficiency; "),
        "{section}"
    );
    assert!(
        section.contains("rules rickets_features, nutritional_rickets, "),
        "{section}"
    );
    // Once rickets is reached, neither rule that suspects it is listed.
    let rickets = clinrule(&[
        "eval",
        SEED_RULES,
        "--case",
        "rules/cases/toddler-rickets.json",
    ]);
    let section = rickets
        .stdout
        .split("Considered and not suspected")
        .nth(1)
        .expect("the section");
    assert!(!section.contains("  Rickets;"), "{section}");
    assert!(!section.contains("rule rickets_features"), "{section}");
}

/// The seed child with no blood lead: the dysplasia waits on the blood lead,
/// and the needs rank it first with the threshold that matters.
#[test]
fn the_blood_lead_is_needed_first_with_its_threshold() {
    let result = evaluate("rules/cases/toddler-sclerosis.json");
    let dysplasia = result["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|rule| rule["id"] == "dysplasia_pattern"))
        .expect("the dysplasia rule");
    assert_eq!(dysplasia["status"], "undetermined");
    let need = &result["needs"][0];
    assert_eq!(need["fact"], "lab.blood_lead");
    // The options are the published tiers, each with what it would fire.
    let options: Vec<(String, Vec<String>)> = need["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|option| {
            (
                option["values"].as_str().expect("values").to_owned(),
                option["fires"]
                    .as_array()
                    .expect("fires")
                    .iter()
                    .filter_map(|rule| rule.as_str().map(str::to_owned))
                    .collect(),
            )
        })
        .collect();
    let values: Vec<&str> = options.iter().map(|(values, _)| values.as_str()).collect();
    assert_eq!(
        values,
        [
            "below 3.5 ug/dL",
            "at or above 3.5 ug/dL and below 10 ug/dL",
            "at or above 10 ug/dL and below 20 ug/dL",
            "at or above 20 ug/dL and below 45 ug/dL",
            "at or above 45 ug/dL and below 70 ug/dL",
            "at or above 70 ug/dL",
        ]
    );
    assert_eq!(options[0].1, ["lead_excluded"]);
    assert!(options[3].1.contains(&"low_lead_not_the_cause".to_owned()));
    assert!(options[4].1.contains(&"lead_poisoning".to_owned()));
    let text = clinrule(&[
        "eval",
        SEED_RULES,
        "--case",
        "rules/cases/toddler-sclerosis.json",
    ]);
    assert!(
        text.stdout.contains(
            "if below 3.5 ug/dL: fires lead_excluded; still undecided: dysplasia_pattern"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("missing: lab.blood_lead, lab.tsh, lab.free_t4"),
        "{}",
        text.stdout
    );
}

/// `explain` says why the lead rule did not fire, with the patient's value
/// against the threshold, in text and in JSON.
#[test]
fn explain_says_why_the_lead_rule_did_not_fire() {
    let case = "rules/cases/toddler-sclerosis-lead-normal.json";
    let text = clinrule(&[
        "explain",
        SEED_RULES,
        "--case",
        case,
        "--rule",
        "lead_poisoning",
    ]);
    assert_eq!(text.code, 0, "{}", text.transcript());
    assert!(
        text.stdout
            .contains("✗ Blood lead level 1.2 ug/dL is below 45 ug/dL"),
        "{}",
        text.stdout
    );
    insta::assert_snapshot!("explain-lead-poisoning-lead-normal.text", text.stdout);
    let json = clinrule(&[
        "explain",
        SEED_RULES,
        "--case",
        case,
        "--rule",
        "lead_poisoning",
        "--format",
        "json",
    ]);
    assert_eq!(json.code, 0, "{}", json.transcript());
    let result: Value = serde_json::from_str(&json.stdout).expect("JSON");
    let rule = &result["rules"][0];
    assert_eq!(rule["status"], "not_fired");
    assert_eq!(
        rule["reasons"][0]["text"],
        "Blood lead level 1.2 ug/dL is below 45 ug/dL"
    );
    // The reason points at the condition it explains.
    let position = rule["reasons"][0]["condition"]
        .as_u64()
        .expect("a position");
    assert_eq!(
        rule["conditions"][position as usize]["source"],
        "lab.blood_lead >= 45 ug/dL"
    );

    // A conclusion reached by two rules (suspect and exclude) explains both.
    let both = clinrule(&[
        "explain",
        SEED_RULES,
        "--case",
        "rules/cases/toddler-sclerosis.json",
        "--conclusion",
        "lead_poisoning",
    ]);
    assert_eq!(both.code, 0, "{}", both.transcript());
    insta::assert_snapshot!("explain-lead-poisoning-conclusion.text", both.stdout);
}

/// `--explain rules` adds why every other rule did not fire.
#[test]
fn explain_levels_add_detail() {
    let case = "rules/cases/toddler-sclerosis-lead-normal.json";
    let brief = clinrule(&["eval", SEED_RULES, "--case", case]);
    let rules = clinrule(&["eval", SEED_RULES, "--case", case, "--explain", "rules"]);
    let full = clinrule(&["eval", SEED_RULES, "--case", case, "--explain", "full"]);
    assert!(!brief.stdout.contains("Why not"), "{}", brief.stdout);
    assert!(rules.stdout.contains("Why not"), "{}", rules.stdout);
    assert!(
        rules
            .stdout
            .contains("alkaline phosphatase above the laboratory's reference range for age: yes, where the rule needs no"),
        "{}",
        rules.stdout
    );
    assert!(
        full.stdout.contains("✗ lab.blood_lead >= 3.5 ug/dL"),
        "{}",
        full.stdout
    );
    assert!(brief.stdout.len() < rules.stdout.len());
    insta::assert_snapshot!(
        "toddler-sclerosis-lead-normal.rules-level.text",
        rules.stdout
    );
}

/// The clinical report: the review status at the top, the sections of a
/// clinical note for what was concluded, and only the references cited,
/// numbered from 1 without gaps.
fn check_report(name: &str, markdown: &str, json: &str) {
    let result: Value = serde_json::from_str(json).expect("JSON");
    let lines: Vec<&str> = markdown.lines().collect();
    assert!(lines[0].starts_with("# "), "{name}: {markdown}");
    assert!(
        lines[2].starts_with("> **Not approved for clinical use.**"),
        "{name}: the review status must come first: {markdown}"
    );
    assert!(markdown.contains("## Case"), "{name}");
    assert!(markdown.contains("## Assessment"), "{name}");
    let kinds: BTreeSet<&str> = result["conclusions"]
        .as_array()
        .expect("conclusions")
        .iter()
        .filter_map(|conclusion| conclusion["kind"].as_str())
        .collect();
    for (kind, heading) in [
        ("test", "## Recommended work-up"),
        ("referral", "## Management"),
        ("treatment", "## Management"),
        ("warning", "## Pitfalls"),
        ("follow_up", "## Follow-up"),
    ] {
        assert_eq!(
            markdown.contains(heading),
            kinds.contains(kind)
                || (heading == "## Management"
                    && (kinds.contains("referral") || kinds.contains("treatment"))),
            "{name}: {heading} for {kinds:?}"
        );
    }
    // References: numbered 1, 2, 3 ... and each number is cited in the text.
    let references: Vec<&str> = markdown
        .split("## References\n\n")
        .nth(1)
        .map(|rest| rest.split("\n\n").next().unwrap_or(""))
        .unwrap_or("")
        .lines()
        .collect();
    for (position, line) in references.iter().enumerate() {
        let number = position + 1;
        assert!(line.starts_with(&format!("{number}. ")), "{name}: {line}");
        let body = markdown.split("## References").next().unwrap_or("");
        assert!(
            body.contains(&format!("[{number}]"))
                || body.contains(&format!("[{number}, "))
                || body.contains(&format!(", {number}]"))
                || body.contains(&format!(", {number},")),
            "{name}: reference {number} is listed but never cited"
        );
    }
    let cited: BTreeSet<&str> = result["conclusions"]
        .as_array()
        .expect("conclusions")
        .iter()
        .flat_map(|conclusion| conclusion["citations"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    // The conclusions reached cite these; the diagnoses considered and not
    // suspected may cite more, each listed once.
    assert!(
        references.len() >= cited.len(),
        "{name}: {references:?} vs {cited:?}"
    );
}

/// The family's report for every bundled case speaks plainly: none of the
/// words in this list, which a family would not know, and no status codes;
/// and where the child has dense bands, it says what the family can do.
#[test]
fn the_familys_report_has_no_jargon() {
    const JARGON: [&str; 9] = [
        "metaphys",
        "scleros",
        "epiphys",
        "venous",
        "provisional calcification",
        "`review`",
        "`draft`",
        "`approved`",
        "status",
    ];
    for case in clinrule_tests::files_in(&clinrule_tests::root().join("rules/cases"), ".json") {
        let case = case.to_string_lossy().into_owned();
        let output = clinrule_tests::clinrule(&[
            "eval",
            "rules/metaphyseal-sclerosis.crl",
            "--case",
            &case,
            "--format",
            "markdown",
            "--audience",
            "patient",
        ]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        let report = output.stdout.to_lowercase();
        for word in JARGON {
            assert!(
                !report.contains(word),
                "{case}: `{word}` in\n{}",
                output.stdout
            );
        }
        // A family whose child has dense bands is told what it can do now:
        // lower any lead exposure, start therapy without waiting.
        let facts: Value = serde_json::from_str(&clinrule_tests::read(std::path::Path::new(&case)))
            .expect("the case is JSON");
        if facts["facts"]["xray.metaphyseal_sclerosis"] == true {
            assert!(report.contains("you can"), "{case}:\n{}", output.stdout);
        }
    }
}
