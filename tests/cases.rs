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
