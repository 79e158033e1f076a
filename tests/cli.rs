//! The command line: exit codes, messages and determinism.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{CLI_ERROR_SCENARIOS, clinrule};

#[test]
fn check_reports_clean_files() {
    let output = clinrule(&["check", "rules/metaphyseal-sclerosis.crl"]);
    assert_eq!(output.code, 0);
    assert_eq!(
        output.stdout,
        "rules/metaphyseal-sclerosis.crl: clean\nchecked 1 rule file: 0 errors, 0 warnings\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn check_exits_1_on_errors_and_reports_each() {
    let output = clinrule(&["check", "tests/fixtures/check/err/editor_mistakes.crl"]);
    assert_eq!(output.code, 1);
    assert_eq!(output.codes(), ["E201", "E208", "E202", "E101"]);
    insta::assert_snapshot!(output.transcript());
}

#[test]
fn warnings_fail_only_when_denied() {
    let path = "tests/fixtures/check/err/unused_reference_and_fact.crl";
    assert_eq!(clinrule(&["check", path]).code, 0);
    assert_eq!(clinrule(&["check", "--deny-warnings", path]).code, 1);
}

#[test]
fn eval_refuses_a_rule_file_with_errors() {
    let output = clinrule(&[
        "eval",
        "tests/fixtures/check/err/editor_mistakes.crl",
        "--case",
        "rules/cases/toddler-sclerosis.json",
    ]);
    assert_eq!(output.code, 1);
    assert!(output.stdout.is_empty());
    assert!(
        output.stderr.contains("fix them and run again"),
        "{}",
        output.stderr
    );
}

#[test]
fn usage_and_input_errors_exit_2() {
    for (name, arguments, code) in CLI_ERROR_SCENARIOS {
        let output = clinrule(arguments);
        assert_eq!(output.code, 2, "{name}: {}", output.transcript());
        assert_eq!(output.codes(), [*code], "{name}: {}", output.transcript());
        insta::assert_snapshot!(*name, output.transcript());
    }
    for arguments in [
        &["frobnicate"][..],
        &["eval", "rules/"][..],
        &["eval", "--case", "rules/cases/toddler-sclerosis.json"][..],
        &["check"][..],
        &[
            "eval",
            "rules/",
            "--case",
            "rules/cases/toddler-sclerosis.json",
            "--format",
            "yaml",
        ][..],
        &["eval", "rules/", "--case", "does-not-exist.json"][..],
    ] {
        let output = clinrule(arguments);
        assert_eq!(output.code, 2, "{arguments:?}: {}", output.transcript());
        assert!(!output.stderr.is_empty(), "{arguments:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let help = clinrule(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("check"), "{}", help.stdout);
    assert!(help.stdout.contains("eval"), "{}", help.stdout);
    assert_eq!(clinrule(&["--version"]).code, 0);
}

/// The same rule file and case give byte-identical output, run after run,
/// in every format and for `explain`.
#[test]
fn output_is_deterministic() {
    let rules = "rules/metaphyseal-sclerosis.crl";
    let case = "rules/cases/toddler-sclerosis.json";
    let runs: [&[&str]; 7] = [
        &["eval", rules, "--case", case, "--format", "json"],
        &["eval", rules, "--case", case, "--format", "text"],
        &["eval", rules, "--case", case, "--explain", "full"],
        &["eval", rules, "--case", case, "--format", "markdown"],
        &[
            "eval",
            rules,
            "--case",
            case,
            "--format",
            "markdown",
            "--audience",
            "patient",
        ],
        &[
            "explain",
            rules,
            "--case",
            case,
            "--conclusion",
            "lead_poisoning",
        ],
        &[
            "explain",
            rules,
            "--case",
            case,
            "--rule",
            "dysplasia_pattern",
            "--format",
            "json",
        ],
    ];
    for arguments in runs {
        let first = clinrule(arguments);
        assert_eq!(first.code, 0, "{arguments:?}: {}", first.transcript());
        for _ in 0..10 {
            let again = clinrule(arguments);
            assert_eq!(again.stdout, first.stdout, "{arguments:?}");
        }
    }
}

/// A folder with one rule file works as well as the file itself.
#[test]
fn eval_accepts_a_folder_with_one_rule_file() {
    let case = "tests/fixtures/eval/lead.high.case.json";
    let folder = clinrule(&[
        "eval",
        "tests/fixtures/cli/one-rule-set",
        "--case",
        case,
        "--format",
        "json",
    ]);
    let file = clinrule(&[
        "eval",
        "tests/fixtures/cli/one-rule-set/lead.crl",
        "--case",
        case,
        "--format",
        "json",
    ]);
    assert_eq!(folder.code, 0, "{}", folder.transcript());
    assert_eq!(folder.stdout, file.stdout);
}

/// `graph` draws what each fact influences, in Mermaid and in DOT.
#[test]
fn graph_shows_what_each_fact_influences() {
    let mermaid = clinrule(&["graph", "rules/metaphyseal-sclerosis.crl"]);
    assert_eq!(mermaid.code, 0, "{}", mermaid.transcript());
    assert!(
        mermaid.stdout.starts_with("flowchart LR\n"),
        "{}",
        mermaid.stdout
    );
    // The blood lead feeds the lead rules.
    let lead_fact = mermaid
        .stdout
        .lines()
        .find(|line| line.contains("[\"lab.blood_lead: Blood lead level\"]"))
        .and_then(|line| line.trim().split('[').next())
        .expect("the blood lead node")
        .to_owned();
    let lead_rule = mermaid
        .stdout
        .lines()
        .find(|line| line.contains("rule lead_poisoning:"))
        .and_then(|line| line.trim().split('{').next())
        .expect("the lead rule node")
        .to_owned();
    assert!(
        mermaid
            .stdout
            .contains(&format!("  {lead_fact} --> {lead_rule}\n")),
        "{}",
        mermaid.stdout
    );
    insta::assert_snapshot!("graph_mermaid", mermaid.stdout);
    let dot = clinrule(&[
        "graph",
        "--format",
        "dot",
        "tests/fixtures/eval/fallback.crl",
    ]);
    assert_eq!(dot.code, 0, "{}", dot.transcript());
    insta::assert_snapshot!("graph_dot", dot.stdout);
}

/// A rule set in several files: names resolve across the files of one
/// folder, positions are given in the file that holds them, and a name
/// defined twice shows both places.
#[test]
fn a_rule_set_can_span_several_files() {
    let check = clinrule(&["check", "tests/fixtures/multi/lead"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert!(
        check.stdout.starts_with(
            "tests/fixtures/multi/lead/lead.crl (with tests/fixtures/multi/lead/rules.crl): clean"
        ),
        "{}",
        check.stdout
    );
    let eval = clinrule(&[
        "eval",
        "tests/fixtures/multi/lead",
        "--case",
        "tests/fixtures/eval/lead.high.case.json",
        "--format",
        "json",
    ]);
    assert_eq!(eval.code, 0, "{}", eval.transcript());
    let result: serde_json::Value = serde_json::from_str(&eval.stdout).expect("JSON");
    let span = &result["rules"][0]["conditions"][0]["span"];
    assert_eq!(span["file"], "tests/fixtures/multi/lead/rules.crl");
    assert_eq!(span["line"], 3);
    assert_eq!(span["column"], 8);
    assert_eq!(result["conclusions"][0]["id"], "lead_exposure");

    let duplicate = clinrule(&["check", "tests/fixtures/multi/duplicate"]);
    assert_eq!(duplicate.code, 1, "{}", duplicate.transcript());
    assert!(
        duplicate
            .stderr
            .contains("─[tests/fixtures/multi/duplicate/main.crl:7:6]"),
        "{}",
        duplicate.stderr
    );
    assert!(
        duplicate
            .stderr
            .contains("─[tests/fixtures/multi/duplicate/more.crl:2:6]"),
        "{}",
        duplicate.stderr
    );
    insta::assert_snapshot!("multi_file_duplicate", duplicate.transcript());
}

/// `--case -` reads the case from standard input, with diagnostics that name
/// it; `clinrule help eval` shows the command's options.
#[test]
fn a_case_from_standard_input_and_help_for_a_command() {
    let case =
        std::fs::read_to_string("tests/fixtures/eval/lead.high.case.json").expect("the case");
    let from_input = clinrule_tests::clinrule_with_input(
        &["eval", "tests/fixtures/eval/lead.crl", "--case", "-"],
        &case,
    );
    let from_file = clinrule_tests::clinrule(&[
        "eval",
        "tests/fixtures/eval/lead.crl",
        "--case",
        "tests/fixtures/eval/lead.high.case.json",
    ]);
    assert_eq!(from_input.code, 0, "{}", from_input.transcript());
    assert_eq!(from_input.stdout, from_file.stdout);

    let refused = clinrule_tests::clinrule_with_input(
        &["eval", "tests/fixtures/eval/lead.crl", "--case", "-"],
        r#"{"facts": {"lab.blood_lead": "12"}}"#,
    );
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains("[standard input:1:"),
        "{}",
        refused.stderr
    );

    let help = clinrule_tests::clinrule(&["help", "eval"]);
    assert_eq!(help.code, 0, "{}", help.transcript());
    assert!(
        help.stdout.contains("Usage: clinrule eval"),
        "{}",
        help.stdout
    );
    assert!(help.stdout.contains("--case"), "{}", help.stdout);
}

/// `--explain` is honoured in the clinical report: `rules` adds how each
/// rule was decided, `full` every condition with its mark; the brief report
/// and the family's report are unchanged by it.
#[test]
fn the_report_honours_explain() {
    let report = |explain: &str, audience: &str| {
        let output = clinrule(&[
            "eval",
            "rules/qsofa.crl",
            "--case",
            "rules/tests/qsofa/gcs-14.json",
            "--format",
            "markdown",
            "--audience",
            audience,
            "--explain",
            explain,
        ]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        output.stdout
    };
    let brief = report("brief", "clinician");
    let rules = report("rules", "clinician");
    let full = report("full", "clinician");
    assert!(!brief.contains("## How each rule was decided"), "{brief}");
    assert!(
        rules.contains("- `qsofa_negative` (qSOFA below two in suspected infection): did not fire\n  - qSOFA band is positive, not negative\n"),
        "{rules}"
    );
    assert!(
        full.contains("did not fire\n  - ✓ Infection is suspected: yes\n  - ✗ qSOFA band is positive, not negative\n"),
        "{full}"
    );
    assert_eq!(report("full", "patient"), report("brief", "patient"));
}
