//! Cohort evaluation: one record per input line, in input order, bad lines
//! reported by number and kept as error records, and counts per conclusion.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use std::fmt::Write as _;

use clinrule_tests::clinrule;
use serde_json::Value;

const RULES: &str = "tests/fixtures/eval/lead.crl";
const COHORT: &str = "tests/fixtures/cohort/lead.ndjson";

#[test]
fn every_line_gets_a_record_in_order() {
    let output = clinrule(&["eval", RULES, "--cases", COHORT, "--format", "json"]);
    // Two lines are refused, so the run reports findings, but it goes on.
    assert_eq!(output.code, 1, "{}", output.transcript());
    let mut records: Vec<Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each record is JSON"))
        .collect();
    // The last record says the stream is whole, with the counts a reader
    // can check against the records it read.
    let end = records.pop().expect("the end record");
    assert_eq!(
        end,
        serde_json::json!({"end": {"lines": 6, "evaluated": 4, "refused": 2}})
    );
    assert_eq!(records.len(), 6, "{}", output.stdout);
    for (position, record) in records.iter().enumerate() {
        assert_eq!(record["line"], position + 1);
    }
    assert_eq!(records[0]["result"]["case"]["id"], "high");
    assert_eq!(records[0]["result"]["conclusions"][0]["action"], "suspect");
    assert_eq!(records[2]["errors"][0]["code"], "E301");
    assert_eq!(records[3]["errors"][0]["code"], "E305");
    assert_eq!(records[4]["result"]["rules"][0]["status"], "fired");
    assert_eq!(records[5]["result"]["needs"][0]["fact"], "lab.blood_lead");
    // Each bad line is reported on standard error with its number.
    assert!(
        output.stderr.contains("line 3, column 1: E301"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("line 4, column 47: E305"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("2 of 6 lines refused"),
        "{}",
        output.stderr
    );
}

#[test]
fn the_summary_counts_each_conclusion() {
    let output = clinrule(&["eval", RULES, "--cases", COHORT]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    insta::assert_snapshot!(output.stdout);
}

/// A cohort larger than a batch keeps its order across workers, and a
/// malformed line among thousands is reported without losing any other.
#[test]
fn a_large_cohort_keeps_its_order_and_every_good_record() {
    let folder = std::env::temp_dir().join(format!("clinrule-cohort-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    let cohort = folder.join("cohort.ndjson");
    let mut text = String::new();
    for line in 1..=5_000 {
        if line % 1_000 == 0 {
            text.push_str("{\"facts\": {\"lab.blood_lead\": \n");
        } else {
            let _ = writeln!(
                text,
                "{{\"id\": \"{line}\", \"facts\": {{\"lab.blood_lead\": \"{}.{} ug/dL\"}}}}",
                line % 7,
                line % 10
            );
        }
    }
    std::fs::write(&cohort, text).expect("written");
    let results = folder.join("results.ndjson");
    let cohort_name = cohort.to_string_lossy().into_owned();
    let results_name = results.to_string_lossy().into_owned();
    let output = clinrule(&[
        "eval",
        RULES,
        "--cases",
        &cohort_name,
        "--format",
        "json",
        "--out",
        &results_name,
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&results).expect("the results");
    let mut refused = Vec::new();
    let (records, end) = written.rsplit_once("{\"end\"").expect("the end record");
    assert_eq!(end, ":{\"lines\":5000,\"evaluated\":4995,\"refused\":5}}\n");
    for (position, line) in records.lines().enumerate() {
        let record: Value = serde_json::from_str(line).expect("JSON");
        let number = position + 1;
        assert_eq!(record["line"], number);
        if record.get("errors").is_some() {
            refused.push(number);
        } else {
            assert_eq!(record["result"]["case"]["id"], number.to_string());
        }
    }
    assert_eq!(refused, [1_000, 2_000, 3_000, 4_000, 5_000]);
    assert_eq!(written.lines().count(), 5_001);
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn results_written_to_a_file_appear_only_when_complete() {
    let folder = std::env::temp_dir().join(format!("clinrule-out-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let out = folder.join("results.ndjson");
    let out_text = out.to_string_lossy().into_owned();
    let output = clinrule(&[
        "eval", RULES, "--cases", COHORT, "--format", "json", "--out", &out_text,
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(output.stdout.is_empty(), "{}", output.stdout);
    let written = std::fs::read_to_string(&out).expect("the results file");
    assert_eq!(written.lines().count(), 7, "{written}");
    // Nothing else is left in the folder: the partial file was renamed.
    let left: Vec<String> = std::fs::read_dir(&folder)
        .expect("the folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(left, ["results.ndjson"]);

    // A run that cannot read its cohort writes nothing at all.
    std::fs::remove_file(&out).expect("removed");
    let output = clinrule(&[
        "eval",
        RULES,
        "--cases",
        "tests/fixtures/cohort/no-such-cohort.ndjson",
        "--out",
        &out_text,
    ]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert_eq!(
        std::fs::read_dir(&folder).expect("the folder").count(),
        0,
        "an output file was left behind"
    );
    let _ = std::fs::remove_dir_all(&folder);
}
