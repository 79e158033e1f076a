//! Hostile input through the whole command: text that tries to rewrite the
//! terminal or forge a line of a report, diagnostics far along one long
//! line, and inputs with tens of thousands of problems. Each test here
//! failed before the fix it holds (see the session notes of issue 12).

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot write its scratch files must fail loudly"
)]

use std::fmt::Write as _;

use clinrule_tests::{ScratchFile as Scratch, clinrule};

const RULES: &str = "tests/fixtures/eval/lead.crl";
const SEED_RULES: &str = "rules/metaphyseal-sclerosis.crl";

/// No escape character, no bidirectional control and no line separator
/// reaches either stream, and no line of output starts as a forged one.
fn assert_nothing_obeyed(text: &str) {
    for character in [
        '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{2028}', '\r',
    ] {
        assert!(
            !text.contains(character),
            "{character:?} reached the output: {text}"
        );
    }
    assert!(
        !text.lines().any(|line| line.starts_with("line 99")),
        "a forged line: {text}"
    );
}

#[test]
fn text_from_a_case_cannot_rewrite_the_screen_or_forge_a_line() {
    let hostile = "x\\u001b[2J\\u009b31m\\u202e\\u2066\\u2028\\r\\nline 99: E301 forged";
    let case = Scratch::new(
        "case.json",
        &format!(
            r#"{{"id": "{hostile}", "description": "{hostile}", "facts": {{"lab.blood_lead": "1 ug/dL"}}}}"#
        ),
    );
    for format in ["text", "markdown"] {
        let output = clinrule(&["eval", RULES, "--case", case.path(), "--format", format]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        assert_nothing_obeyed(&output.stdout);
        assert!(
            output.stdout.contains("\\u{1b}"),
            "the escape is shown: {}",
            output.stdout
        );
    }
    // In JSON the same text stays exactly what the case said.
    let output = clinrule(&["eval", RULES, "--case", case.path(), "--format", "json"]);
    let result: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert_eq!(
        result["case"]["id"],
        "x\u{1b}[2J\u{9b}31m\u{202e}\u{2066}\u{2028}\r\nline 99: E301 forged"
    );

    // A bad value is quoted by the diagnostics, on one line.
    let bad = Scratch::new(
        "bad.json",
        &format!(r#"{{"facts": {{"lab.blood_lead": "1 {hostile}"}}}}"#),
    );
    let output = clinrule(&["eval", RULES, "--case", bad.path()]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert_nothing_obeyed(&output.stderr);
    let cohort = Scratch::new(
        "cohort.ndjson",
        &format!("{{\"facts\": {{\"lab.blood_lead\": \"1 {hostile}\"}}}}\n"),
    );
    let output = clinrule(&["eval", RULES, "--cases", cohort.path()]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert_nothing_obeyed(&output.stderr);
    assert!(
        output.stderr.contains("line 1, column"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_diagnostic_far_along_one_line_is_shown_in_a_window() {
    // A minified case whose mistake lies past column 65,535, where the
    // renderer used to panic.
    let case = Scratch::new(
        "long.json",
        &format!(
            r#"{{"description": "{}", "facts": {{"lab.blood_lead": "1 ug/dlx"}}}}"#,
            "x".repeat(70_000)
        ),
    );
    let output = clinrule(&["eval", RULES, "--case", case.path()]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("E307"), "{}", output.stderr);
    assert!(output.stderr.contains(":1:70049]"), "{}", output.stderr);
    assert!(output.stderr.len() < 2_000, "{}", output.stderr.len());
}

#[test]
fn thousands_of_problems_give_a_report_of_bounded_size() {
    // 2,000 unknown facts on one line of 44 KB: each diagnostic used to
    // print the whole line, 177 MB in all.
    let mut facts = String::new();
    for number in 0..2_000 {
        let _ = write!(
            facts,
            "{}\"x{number}\": 1",
            if number > 0 { ", " } else { "" }
        );
    }
    let case = Scratch::new("many.json", &format!("{{\"facts\": {{{facts}}}}}"));
    let output = clinrule(&["eval", RULES, "--case", case.path()]);
    assert_eq!(output.code, 2);
    assert_eq!(output.stderr.matches("E303").count(), 200);
    assert!(
        output
            .stderr
            .contains("1800 more problems not shown; fix those above and run again"),
        "{}",
        output.stderr.lines().last().unwrap_or_default()
    );
    assert!(
        output
            .stderr
            .contains("2000 errors; the case was not evaluated")
    );
    assert!(output.stderr.len() < 200_000, "{}", output.stderr.len());

    // A key written 60,000 times on one cohort line of a megabyte.
    let mut line = String::from("{\"facts\": {");
    for number in 0..60_000 {
        let _ = write!(
            line,
            "{}\"lab.blood_lead\": \"1 ug/dL\"",
            if number > 0 { ", " } else { "" }
        );
    }
    line.push_str("}}\n");
    let cohort = Scratch::new("duplicates.ndjson", &line);
    let output = clinrule(&["eval", RULES, "--cases", cohort.path(), "--format", "json"]);
    assert_eq!(output.code, 1);
    assert_eq!(output.stderr.matches("E309").count(), 20);
    assert!(
        output
            .stderr
            .contains("line 1: 59979 more problems not shown")
    );
    let record: serde_json::Value =
        serde_json::from_str(output.stdout.lines().next().expect("a record")).expect("JSON");
    assert_eq!(record["errors"].as_array().map(Vec::len), Some(20));
    assert_eq!(record["more_errors"], 59_979);
    let output = clinrule(&["eval", RULES, "--case", cohort.path()]);
    assert_eq!(output.code, 2);
    assert!(output.stderr.len() < 200_000, "{}", output.stderr.len());

    // A rule file with thousands of errors.
    let mut rules = std::fs::read_to_string(SEED_RULES).expect("the seed rules");
    for number in 0..1_000 {
        let _ = write!(
            rules,
            "\nrule broken_{number} \"a rule\"\n  when unknown.fact_{number} = yes\n  then note n{number} \"x\"\n"
        );
    }
    let file = Scratch::new("broken.crl", &rules);
    let output = clinrule(&["check", file.path()]);
    assert_eq!(output.code, 1);
    assert_eq!(output.stderr.matches("E201").count(), 200);
    assert!(output.stderr.contains("800 more problems not shown"));
    assert!(output.stdout.contains("1000 errors"), "{}", output.stdout);
}

/// A calculation of thousands of terms used to overflow the stack: the
/// depth guard counted only parentheses and `not`. The test thread has a
/// stack of 2 MiB, smaller than the command's, so this holds there too.
#[test]
fn long_and_deep_calculations_are_refused_without_exhausting_the_stack() {
    let header =
        "ruleset deep\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact n : number\n\n";
    let chain = vec!["n"; 5_000].join(" + ");
    let mut inner = "n".to_owned();
    for _ in 0..60 {
        inner = format!("({inner} * {})", vec!["n"; 63].join(" * "));
    }
    let nested = format!("{inner} + {}", vec!["n"; 63].join(" + "));
    let exactly = vec!["n"; 64].join(" - ");
    for (body, code) in [
        (chain.as_str(), "E113"),
        (nested.as_str(), "E113"),
        (exactly.as_str(), ""),
    ] {
        let rules = Scratch::new(
            "deep.crl",
            &format!("{header}rule r \"r\"\n  when {body} > 3\n  then note c \"x\"\n"),
        );
        let output = clinrule(&["check", rules.path()]);
        if code.is_empty() {
            assert_eq!(output.code, 0, "{}", output.transcript());
        } else {
            assert_eq!(output.code, 1, "{}", output.stdout);
            assert_eq!(output.codes(), [code], "{}", output.stderr);
        }
    }
}

/// Values no patient can have are refused whatever the rule set says,
/// through the case reader and through the cohort's fast reader alike: an
/// impossible child used to get a critical abuse work-up, shown as 0 days old.
#[test]
fn impossible_values_are_refused_whatever_the_rule_set_says() {
    let cohort = Scratch::new(
        "impossible.ndjson",
        concat!(
            "{\"facts\": {\"lab.blood_lead\": \"-2 ug/dL\"}}\n",
            "{\"facts\": {\"lab.blood_lead\": {\"value\": -0.1, \"unit\": \"ug/dL\"}}}\n",
            "{\"facts\": {\"lab.blood_lead\": \"-20 ug/L\"}}\n",
            "{\"facts\": {\"lab.blood_lead\": \"0 ug/dL\"}}\n",
        ),
    );
    for format in ["summary", "json"] {
        let output = clinrule(&["eval", RULES, "--cases", cohort.path(), "--format", format]);
        assert_eq!(output.code, 1, "{}", output.transcript());
        assert_eq!(
            output.stderr.matches("E314").count(),
            3,
            "{}",
            output.stderr
        );
        assert!(
            output.stderr.contains("3 of 4 lines refused"),
            "{}",
            output.stderr
        );
    }
    // A rule set that declares no plausible range: only what no patient can
    // have is refused.
    let rules = Scratch::new(
        "unranged.crl",
        "ruleset unranged\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact vitals.temperature : quantity Cel\nfact age : age\n\nrule r \"r\"\n  when vitals.temperature > 38 Cel and age < 2 years\n  then note n \"n\"\n",
    );
    for (value, reason) in [
        ("-300 Cel", "absolute"),
        ("-1 K", "absolute"),
        ("-500 [degF]", "absolute"),
    ] {
        let case = Scratch::new(
            "temperature.json",
            &format!(r#"{{"facts": {{"vitals.temperature": "{value}"}}}}"#),
        );
        let output = clinrule(&["eval", rules.path(), "--case", case.path()]);
        assert_eq!(output.code, 2, "{value}: {}", output.transcript());
        assert_eq!(output.codes(), ["E314"], "{value}: {}", output.stderr);
        assert!(output.stderr.contains(reason), "{value}: {}", output.stderr);
        // Where the rule set declares the values a patient can have, the
        // refusal names that range instead.
        let output = clinrule(&["eval", "rules/alvarado-score.crl", "--case", case.path()]);
        assert_eq!(output.codes(), ["E315"], "{value}: {}", output.stderr);
        assert!(
            output.stderr.contains("10 Cel to 47 Cel"),
            "{value}: {}",
            output.stderr
        );
    }
    // Cold but possible where nothing else is declared: -40 degrees is a
    // temperature, not a mistake.
    let case = Scratch::new(
        "cold.json",
        r#"{"facts": {"vitals.temperature": "-40 Cel"}}"#,
    );
    let output = clinrule(&["eval", rules.path(), "--case", case.path()]);
    assert_eq!(output.code, 0, "{}", output.transcript());
    let case = Scratch::new(
        "unborn.json",
        r#"{"as_of": "2025-10-30", "facts": {"age": "-30 years"}}"#,
    );
    let output = clinrule(&["eval", rules.path(), "--case", case.path()]);
    assert_eq!(output.code, 2, "{}", output.transcript());
    assert!(output.stderr.contains("an age cannot be negative"));
}

/// Messages that used to mislead: `1e-400` called too large, a calculation
/// that overflowed shown as merely "not decided" with nothing to ask for,
/// `℃` in a case offered `%`, and `consult` offering `skip` for the case's
/// date and then refusing it.
#[test]
fn messages_say_what_is_wrong() {
    let tiny = Scratch::new(
        "tiny.json",
        r#"{"facts": {"lab.blood_lead": {"value": 1e-400, "unit": "ug/dL"}}}"#,
    );
    let output = clinrule(&["eval", RULES, "--case", tiny.path()]);
    assert_eq!(output.codes(), ["E311"]);
    assert!(
        output.stderr.contains("it is too small"),
        "{}",
        output.stderr
    );

    let rules = Scratch::new(
        "arithmetic.crl",
        "ruleset arithmetic\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact n : number\nfact m : number\n\nrule product \"p\"\n  when n * m > 3\n  then note p \"x\"\n\nrule ratio \"r\"\n  when n / m > 3\n  then note r \"y\"\n",
    );
    let case = Scratch::new(
        "huge.json",
        r#"{"facts": {"n": 100000000000000000000000000000000000, "m": 100000000000000000000000000000000000}}"#,
    );
    let output = clinrule(&[
        "eval",
        rules.path(),
        "--case",
        case.path(),
        "--explain",
        "full",
    ]);
    assert!(
        output
            .stdout
            .contains("n * m > 3  value: cannot be computed: the result has more digits"),
        "{}",
        output.stdout
    );
    let zero = Scratch::new("zero.json", r#"{"facts": {"n": 1, "m": 0}}"#);
    let output = clinrule(&[
        "eval",
        rules.path(),
        "--case",
        zero.path(),
        "--explain",
        "full",
    ]);
    assert!(
        output
            .stdout
            .contains("n / m > 3  value: cannot be computed: it divides by zero"),
        "{}",
        output.stdout
    );

    let output = clinrule(&[
        "eval",
        rules.path(),
        "--case",
        zero.path(),
        "--format",
        "json",
    ]);
    let result: serde_json::Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert_eq!(
        result["rules"][1]["conditions"][0]["not_computed"],
        "cannot be computed: it divides by zero"
    );
    assert!(
        result["rules"][0]["conditions"][0]
            .get("not_computed")
            .is_none()
    );

    let celsius = Scratch::new(
        "celsius.json",
        r#"{"facts": {"vitals.temperature": "38 ℃"}}"#,
    );
    let output = clinrule(&["eval", "rules/alvarado-score.crl", "--case", celsius.path()]);
    assert!(
        output.stderr.contains("did you mean `Cel`?"),
        "{}",
        output.stderr
    );

    let output = clinrule_tests::clinrule_with_input(
        &["consult", "tests/fixtures/eval/birthdates.crl"],
        "skip\n2025-10-30\nstop\n",
    );
    assert!(
        output
            .stdout
            .contains("not accepted: the rules need the date the case describes"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("cannot be skipped"),
        "{}",
        output.stdout
    );
}

/// On a coloured terminal the streams carry Clinrule's own colour codes and
/// are not filtered, so text from a case must be made safe where it enters
/// the report: no escape sequence but Clinrule's own colours reaches it.
#[test]
fn a_coloured_terminal_shows_only_clinrules_own_escape_sequences() {
    let hostile = "x\\u001b[2J\\u202e\\nline 99: E301 forged";
    let case = Scratch::new(
        "coloured.json",
        &format!(r#"{{"id": "{hostile}", "facts": {{"lab.blood_lead": "1 {hostile}"}}}}"#),
    );
    // A case with a raw escape character inside a text: not JSON, and shown
    // by the diagnostic's snippet of the file.
    let raw = Scratch::new(
        "raw.json",
        "{\"id\": \"a\u{1b}[2Jb\u{202e}\", \"facts\": {}}",
    );
    let coloured = clinrule_cli::Terminal {
        colour_stdout: true,
        colour_stderr: true,
        width: 100,
        progress: false,
        echo_input: false,
    };
    for case in [case.path(), raw.path()] {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = clinrule_cli::run_with_input(
            ["clinrule", "eval", RULES, "--case", case],
            &mut std::io::empty(),
            &mut out,
            &mut err,
            coloured,
        );
        for (which, stream) in [out, err].into_iter().enumerate() {
            let text = String::from_utf8(stream).expect("text");
            // Both cases are refused: the diagnostics on standard error are
            // coloured, so the stream was not escaped whole.
            if which == 1 {
                assert!(text.contains("\u{1b}["), "no colour in {text}");
            }
            // Every escape starts one of Clinrule's colour codes: `ESC [`,
            // digits and semicolons, `m`.
            for (at, _) in text.match_indices('\u{1b}') {
                let rest: String = text[at + 1..].chars().take_while(|c| *c != 'm').collect();
                assert!(
                    rest.starts_with('[')
                        && rest[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
                    "an escape sequence that is not a colour: {rest:?} in {text}"
                );
            }
            assert!(!text.contains('\u{202e}'), "{text}");
            assert!(
                !text.lines().any(|line| line.starts_with("line 99")),
                "{text}"
            );
        }
    }
}
