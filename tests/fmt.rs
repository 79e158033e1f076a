//! `clinrule fmt`: one canonical layout, comments kept, idempotent, and
//! the same rule set before and after.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{clinrule, read, root};

/// A copy of a file in a fresh folder.
fn scratch_copy(source: &str, name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("clinrule-fmt-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    let path = folder.join(format!("{name}.crl"));
    std::fs::copy(root().join(source), &path).expect("a copy");
    path
}

#[test]
fn the_repository_is_formatted() {
    let output = clinrule(&["fmt", "--check", "rules/"]);
    assert_eq!(output.code, 0, "{}", output.transcript());
}

#[test]
fn a_messy_file_is_laid_out_once_and_for_all() {
    let path = scratch_copy("tests/fixtures/fmt/messy.crl", "messy");
    let name = path.to_string_lossy().into_owned();
    let original = read(&path);

    let check = clinrule(&["fmt", "--check", &name]);
    assert_eq!(check.code, 1, "{}", check.transcript());
    assert!(
        check.stdout.contains("would be reformatted"),
        "{}",
        check.stdout
    );
    assert_eq!(read(&path), original, "--check changes nothing");

    let first = clinrule(&["fmt", &name]);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let formatted = read(&path);
    insta::assert_snapshot!(formatted);

    // Every comment survives, and the code differs only in whitespace.
    for line in original
        .lines()
        .filter_map(|line| line.find('#').map(|at| &line[at..]))
    {
        let comment = line.trim_end();
        if comment.contains("not a comment") {
            continue;
        }
        assert!(formatted.contains(comment), "lost `{comment}`");
    }
    assert_eq!(
        clinrule_syntax::format::tokens(&formatted),
        clinrule_syntax::format::tokens(&original)
    );

    // Formatting again changes nothing, and the file still checks clean.
    let second = clinrule(&["fmt", &name]);
    assert!(second.stdout.contains(": unchanged"), "{}", second.stdout);
    assert_eq!(read(&path), formatted);
    assert_eq!(clinrule(&["check", &name]).code, 0);
    let _ = std::fs::remove_dir_all(path.parent().expect("a folder"));
}

/// Every bundled and fixture rule file evaluates the same after formatting.
#[test]
fn formatting_keeps_the_rule_set() {
    let path = scratch_copy("rules/metaphyseal-sclerosis.crl", "seed");
    let name = path.to_string_lossy().into_owned();
    // Undo the layout, then format it back.
    let text = read(&path);
    let scrambled: String = text
        .lines()
        .map(|line| format!("   {}   \n\n", line.trim()))
        .collect();
    std::fs::write(&path, &scrambled).expect("written");
    assert_eq!(clinrule(&["fmt", &name]).code, 0);
    let case = "rules/cases/toddler-sclerosis-lead-normal.json";
    let before = clinrule(&["eval", "rules/metaphyseal-sclerosis.crl", "--case", case]);
    let after = clinrule(&["eval", &name, "--case", case]);
    assert_eq!(after.code, 0, "{}", after.transcript());
    // The text result names no file or position: it must be identical.
    assert_eq!(before.stdout, after.stdout);
    let _ = std::fs::remove_dir_all(path.parent().expect("a folder"));
}

#[test]
fn a_file_with_syntax_errors_is_not_formatted() {
    let output = clinrule(&[
        "fmt",
        "--check",
        "tests/fixtures/syntax/err/missing_then.crl",
    ]);
    assert_eq!(output.code, 1, "{}", output.transcript());
    assert!(
        output
            .stdout
            .contains("not formatted: fix its syntax errors first"),
        "{}",
        output.stdout
    );
}
