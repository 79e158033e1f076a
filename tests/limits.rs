//! Every limit and odd input in `docs/limits.md`, one row each: what the
//! command does with it, its exit code and its diagnostic code. Nothing
//! here may panic (a panic is exit code 3).

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot write its input must fail loudly"
)]

use clinrule_tests::clinrule;

/// A small rule set, with the header every file needs.
fn rules(body: &str) -> String {
    format!("ruleset limits\n  title \"Limits\"\n  version 1.0.0\n  status draft\n\n{body}")
}

const RULE_SET: &str =
    "fact a : yes/no\nfact lead : quantity ug/dL\n\nrule r \"R\"\n  when a\n  then note n \"N\"\n";

/// A folder of its own for one row's files.
fn folder(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir()
        .join(format!("clinrule-limits-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&folder).expect("a folder");
    folder
}

fn write(folder: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = folder.join(name);
    std::fs::write(&path, bytes).expect("written");
    path.to_string_lossy().into_owned()
}

/// Checks a rule file's bytes: the exit code and, for a refusal, the code.
fn check(name: &str, bytes: &[u8], code: u8, diagnostic: Option<&str>) {
    let folder = folder(name);
    let path = write(&folder, "rules.crl", bytes);
    let output = clinrule(&["check", &path]);
    assert_eq!(output.code, code, "{name}: {}", output.transcript());
    if let Some(diagnostic) = diagnostic {
        assert!(
            output.stdout.contains(diagnostic) || output.stderr.contains(diagnostic),
            "{name}: no {diagnostic}: {}",
            output.transcript()
        );
    }
}

/// Evaluates a case's bytes against the small rule set.
fn eval(name: &str, bytes: &[u8], code: u8, diagnostic: Option<&str>) {
    let folder = folder(name);
    let rules_path = write(&folder, "rules.crl", rules(RULE_SET).as_bytes());
    let case_path = write(&folder, "case.json", bytes);
    let output = clinrule(&["eval", &rules_path, "--case", &case_path]);
    assert_eq!(output.code, code, "{name}: {}", output.transcript());
    if let Some(diagnostic) = diagnostic {
        assert!(
            output.stderr.contains(diagnostic),
            "{name}: no {diagnostic}: {}",
            output.transcript()
        );
    }
}

#[test]
fn rule_files_at_and_beyond_the_limits() {
    let nested = |depth: usize| {
        rules(&format!(
            "fact a : yes/no\n\nrule r \"R\"\n  when {}a{}\n  then note n \"N\"\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ))
    };
    check("nesting-64", nested(60).as_bytes(), 0, None);
    check("nesting-1000", nested(1000).as_bytes(), 1, Some("E112"));
    check(
        "nesting-nots",
        rules(&format!(
            "fact a : yes/no\n\nrule r \"R\"\n  when {}a\n  then note n \"N\"\n",
            "not ".repeat(500)
        ))
        .as_bytes(),
        1,
        Some("E112"),
    );
    let long_title = "x".repeat(200_000);
    check(
        "long-line",
        rules(&format!(
            "fact a : yes/no\n\nrule r \"{long_title}\"\n  when a\n  then note n \"N\"\n"
        ))
        .as_bytes(),
        0,
        None,
    );
    check(
        "huge-number",
        rules(&format!(
            "fact a : number\n\nrule r \"R\"\n  when a > 1{}\n  then note n \"N\"\n",
            "0".repeat(60)
        ))
        .as_bytes(),
        1,
        Some("E222"),
    );
    check(
        "tiny-number",
        rules("fact a : number\n\nrule r \"R\"\n  when a > 0.0000000000000000000000000000000000000000001\n  then note n \"N\"\n").as_bytes(),
        1,
        Some("E222"),
    );
    let crlf = rules(RULE_SET).replace('\n', "\r\n");
    check("crlf", crlf.as_bytes(), 0, None);
    let mut bom = "\u{feff}".to_owned();
    bom.push_str(&rules(RULE_SET).replace("  ", "\t"));
    check("bom-and-tabs", bom.as_bytes(), 0, None);
    check(
        "invalid-utf8",
        b"ruleset x\n  title \"\xff\"\n",
        2,
        Some("E403"),
    );
    check("empty", b"", 1, Some("E212"));
    check(
        "binary",
        &[0u8, 159, 146, 150, 1, 2, 3, 255, 0, 7],
        2,
        Some("E403"),
    );
}

#[test]
fn cases_at_and_beyond_the_limits() {
    eval("case-ok", br#"{"facts": {"a": true}}"#, 0, None);
    eval(
        "case-deep",
        format!(
            "{{\"facts\": {{\"a\": {}{}}}}}",
            "[".repeat(100),
            "]".repeat(100)
        )
        .as_bytes(),
        2,
        Some("E301"),
    );
    eval(
        "case-very-deep",
        "[".repeat(1_000_000).as_bytes(),
        2,
        Some("E301"),
    );
    eval("case-nan", br#"{"facts": {"lead": NaN}}"#, 2, Some("E301"));
    eval(
        "case-infinity",
        br#"{"facts": {"lead": Infinity}}"#,
        2,
        Some("E301"),
    );
    eval(
        "case-huge-number",
        br#"{"facts": {"lead": {"value": 1e400, "unit": "ug/dL"}}}"#,
        2,
        Some("E311"),
    );
    eval(
        "case-many-digits",
        format!(
            "{{\"facts\": {{\"lead\": {{\"value\": 1.{}, \"unit\": \"ug/dL\"}}}}}}",
            "1".repeat(100)
        )
        .as_bytes(),
        2,
        Some("E311"),
    );
    eval(
        "case-duplicate-key",
        br#"{"facts": {"a": true, "a": false}}"#,
        2,
        Some("E309"),
    );
    eval("case-null", br#"{"facts": {"a": null}}"#, 0, None);
    eval("case-null-case", b"null", 2, Some("E302"));
    eval(
        "case-invalid-utf8",
        b"{\"facts\": {\"\xff\": 1}}",
        2,
        Some("E403"),
    );
    eval(
        "case-bom-crlf",
        "\u{feff}{\r\n\t\"facts\": {\"a\": true}\r\n}\r\n".as_bytes(),
        0,
        None,
    );
    eval(
        "case-huge-array",
        format!("{{\"facts\": {{\"a\": [{}1]}}}}", "1,".repeat(200_000)).as_bytes(),
        2,
        Some("E304"),
    );
    eval(
        "case-long-text",
        format!("{{\"id\": \"{}\", \"facts\": {{}}}}", "x".repeat(1_000_000)).as_bytes(),
        0,
        None,
    );
}

#[test]
fn command_lines_that_cannot_run() {
    let folder = folder("command-lines");
    let rules_path = write(&folder, "rules.crl", rules(RULE_SET).as_bytes());
    let case_path = write(&folder, "case.json", br#"{"facts": {"a": true}}"#);
    let empty = folder.join("empty");
    std::fs::create_dir_all(&empty).expect("a folder");
    let empty = empty.to_string_lossy().into_owned();
    let rows: [(&str, Vec<&str>, u8, Option<&str>); 9] = [
        ("no command", vec![], 2, None),
        ("unknown command", vec!["evaluate"], 2, None),
        (
            "missing rule file",
            vec!["check", "no-such-file.crl"],
            2,
            Some("E401"),
        ),
        (
            "folder without rule files",
            vec!["check", &empty],
            2,
            Some("E402"),
        ),
        (
            "the same file twice",
            vec!["check", &rules_path, &rules_path],
            0,
            None,
        ),
        (
            "missing case",
            vec!["eval", &rules_path, "--case", "no-such-case.json"],
            2,
            Some("E401"),
        ),
        (
            "a case and a cohort",
            vec![
                "eval",
                &rules_path,
                "--case",
                &case_path,
                "--cases",
                &case_path,
            ],
            2,
            None,
        ),
        ("eval without a case", vec!["eval", &rules_path], 2, None),
        (
            "unknown flag",
            vec!["check", &rules_path, "--frobnicate"],
            2,
            None,
        ),
    ];
    for (name, arguments, code, diagnostic) in rows {
        let output = clinrule(&arguments);
        assert_eq!(output.code, code, "{name}: {}", output.transcript());
        if let Some(diagnostic) = diagnostic {
            assert!(
                output.stderr.contains(diagnostic) || output.stdout.contains(diagnostic),
                "{name}: no {diagnostic}: {}",
                output.transcript()
            );
        }
    }
}
