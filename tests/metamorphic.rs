//! Metamorphic tests: changes that must not change any answer. The same
//! case in other units, the same rule file and case with Windows line
//! ends, and the same rule set with its files in another order in its
//! folder give the same statuses, conclusions and needs.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that cannot read its fixtures must fail loudly"
)]

use std::path::{Path, PathBuf};

use clinrule_check::number::Rational;
use clinrule_tests::{clinrule, files_in, read, root};
use serde_json::Value;

/// Every bundled case: the example cases and the editors' tests, each with
/// the rule file it is for.
fn bundled_cases() -> Vec<(PathBuf, PathBuf)> {
    let rules = root().join("rules");
    let mut cases: Vec<(PathBuf, PathBuf)> = files_in(&rules.join("cases"), ".json")
        .into_iter()
        .map(|case| (rules.join("metaphyseal-sclerosis.crl"), case))
        .collect();
    for rule_file in files_in(&rules, ".crl") {
        let stem = rule_file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("a name")
            .to_owned();
        for case in files_in(&rules.join("tests").join(&stem), ".json") {
            cases.push((rule_file.clone(), case));
        }
    }
    assert!(cases.len() > 60, "only {} bundled cases", cases.len());
    cases
}

/// What a result says about the patient: each rule's status, each
/// conclusion, each score's range and band, and each need's fact, without
/// the positions and names of files.
fn answers(json: &str) -> Value {
    let result: Value = serde_json::from_str(json).expect("the JSON result");
    let rules: Vec<Value> = result["rules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|rule| serde_json::json!([rule["id"], rule["status"], rule["missing"]]))
                .collect()
        })
        .unwrap_or_default();
    let conclusions: Vec<Value> = result["conclusions"]
        .as_array()
        .map(|conclusions| {
            conclusions
                .iter()
                .map(|conclusion| conclusion["id"].clone())
                .collect()
        })
        .unwrap_or_default();
    let scores: Vec<Value> = result["scores"]
        .as_array()
        .map(|scores| {
            scores
                .iter()
                .map(|score| {
                    serde_json::json!([score["id"], score["low"], score["high"], score["band"]])
                })
                .collect()
        })
        .unwrap_or_default();
    let needs: Vec<Value> = result["needs"]
        .as_array()
        .map(|needs| needs.iter().map(|need| need["fact"].clone()).collect())
        .unwrap_or_default();
    serde_json::json!({"rules": rules, "conclusions": conclusions, "scores": scores, "needs": needs})
}

fn evaluate(rules: &str, case: &str) -> Value {
    let output = clinrule(&["eval", rules, "--case", case, "--format", "json"]);
    assert_eq!(output.code, 0, "{rules} {case}: {}", output.transcript());
    answers(&output.stdout)
}

/// A scratch folder of this test's own.
fn scratch(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!(
        "clinrule-metamorphic-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    folder
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Each unit the bundled cases use, with another unit of the same
/// dimension and the exact factor from one to the other, or an offset for
/// temperatures.
const OTHER_UNITS: &[(&str, &str, &str, &str)] = &[
    // unit, other unit, multiply by, then add
    ("ug/dL", "ug/L", "10", "0"),
    ("umol/L", "nmol/L", "1000", "0"),
    ("months", "h", "730.5", "0"),
    ("years", "mo", "12", "0"),
    ("/min", "/h", "60", "0"),
    // UCUM defines a metre of mercury as 133.3220 kPa.
    ("mm[Hg]", "kPa", "0.133322", "0"),
    ("kPa", "Pa", "1000", "0"),
    ("10*9/L", "10*3/uL", "1", "0"),
    ("/mm3", "/uL", "1", "0"),
    ("Cel", "K", "1", "273.15"),
];

/// `"12 ug/dL"` in its other unit, exactly, or `None` for a unit the table
/// does not know.
fn in_other_unit(value: &str) -> Option<String> {
    let (number, unit) = value.split_once(' ')?;
    let (_, other, factor, offset) = OTHER_UNITS.iter().find(|(known, ..)| *known == unit)?;
    let number = Rational::parse_decimal(number).ok()?;
    let factor = Rational::parse_decimal(factor).ok()?;
    let offset = Rational::parse_decimal(offset).ok()?;
    let converted = number.checked_mul(factor)?.checked_add(offset)?;
    // Only numbers written exactly as decimals: the case reader reads
    // decimals, and the display of a repeating fraction is cut.
    let shown = converted.to_string();
    (Rational::parse_decimal(&shown).ok()? == converted).then(|| format!("{shown} {other}"))
}

#[test]
fn the_same_case_in_other_units_gives_the_same_answers() {
    let folder = scratch("units");
    let mut converted_values = 0;
    for (rules, case) in bundled_cases() {
        let mut json: Value = serde_json::from_str(&read(&case)).expect("a case");
        let mut changed = false;
        if let Some(facts) = json["facts"].as_object_mut() {
            for value in facts.values_mut() {
                if let Some(other) = value.as_str().and_then(in_other_unit) {
                    *value = Value::String(other);
                    changed = true;
                    converted_values += 1;
                }
            }
        }
        if !changed
            || json
                .get("expect")
                .is_some_and(|expect| expect.get("error").is_some())
        {
            continue;
        }
        let output = clinrule(&[
            "eval",
            text(&rules),
            "--case",
            text(&case),
            "--format",
            "json",
        ]);
        if output.code != 0 {
            // A case the editors wrote to be refused stays refused.
            continue;
        }
        let original = answers(&output.stdout);
        let other = folder.join(case.file_name().expect("a name"));
        std::fs::write(&other, serde_json::to_string_pretty(&json).expect("JSON"))
            .expect("written");
        assert_eq!(
            evaluate(text(&rules), text(&other)),
            original,
            "{} in other units",
            case.display()
        );
    }
    assert!(
        converted_values > 50,
        "only {converted_values} values converted"
    );
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn windows_line_ends_change_nothing() {
    let folder = scratch("crlf");
    for (rules, case) in bundled_cases() {
        let crlf = |path: &Path| {
            let copy = folder.join(path.file_name().expect("a name"));
            std::fs::write(
                &copy,
                read(path).replace("\r\n", "\n").replace('\n', "\r\n"),
            )
            .expect("written");
            copy
        };
        let (rules_crlf, case_crlf) = (crlf(&rules), crlf(&case));
        let original = clinrule(&[
            "eval",
            text(&rules),
            "--case",
            text(&case),
            "--format",
            "json",
        ]);
        if original.code != 0 {
            continue;
        }
        assert_eq!(
            evaluate(text(&rules_crlf), text(&case_crlf)),
            answers(&original.stdout),
            "{} with Windows line ends",
            case.display()
        );
        // The text report is the same, word for word, apart from the file name.
        let text_original = clinrule(&["eval", text(&rules), "--case", text(&case)]);
        let text_crlf = clinrule(&["eval", text(&rules_crlf), "--case", text(&case_crlf)]);
        assert_eq!(
            text_crlf.stdout.replace(text(&rules_crlf), text(&rules)),
            text_original.stdout,
            "{}",
            case.display()
        );
    }
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn the_order_of_a_rule_sets_files_changes_nothing() {
    // The rule set in several files: its parts are joined in name order,
    // so renaming them changes the order they are read in.
    let original_folder = root().join("tests/fixtures/multi/lead");
    let case = root().join("tests/fixtures/eval/lead.high.case.json");
    let original = evaluate(text(&original_folder), text(&case));
    let parts: Vec<PathBuf> = files_in(&original_folder, ".crl");
    assert!(parts.len() >= 2, "the fixture has {} files", parts.len());
    for (order, names) in [["z_", "a_"], ["a_", "z_"]].iter().enumerate() {
        let folder = scratch(&format!("order-{order}"));
        for (position, part) in parts.iter().enumerate() {
            let name = part
                .file_name()
                .and_then(|name| name.to_str())
                .expect("a name");
            let prefix = names[position % 2];
            std::fs::copy(part, folder.join(format!("{prefix}{name}"))).expect("copied");
        }
        assert_eq!(
            evaluate(text(&folder), text(&case)),
            original,
            "order {order}"
        );
        let _ = std::fs::remove_dir_all(folder);
    }
}
