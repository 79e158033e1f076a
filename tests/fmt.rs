//! `clinrule fmt`: one canonical layout, comments kept, idempotent, and
//! the same rule set before and after.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::generate::{self, Random};
use clinrule_tests::{check_source, clinrule, read, root};

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

/// The text of a rule file with its layout undone the way a hurried editor
/// might: each line indented anyhow (spaces or tabs), the spaces between
/// words outside texts doubled or tripled, trailing blanks, Windows line
/// endings, and now and then a comment on a line of its own or at the
/// end of a line.
fn scramble(random: &mut Random, source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    for line in source.lines() {
        if random.one_in(60) {
            out.push_str("# an editor's note\n");
        }
        let indent = random.pick(&["", " ", "   ", "\t", "      ", " \t "]);
        out.push_str(indent);
        let mut in_text = false;
        for character in line.trim().chars() {
            if character == '"' {
                in_text = !in_text;
            }
            if character == ' ' && !in_text {
                out.push_str(random.pick(&[" ", "  ", "   ", "\t"]));
            } else {
                out.push(character);
            }
        }
        if random.one_in(60) && !line.trim().is_empty() {
            out.push_str(" # an editor's note");
        }
        out.push_str(random.pick(&["", " ", "\t"]));
        out.push_str(random.pick(&["\n", "\n", "\r\n"]));
    }
    out
}

/// On hundreds of generated rule sets, scrambled: formatting keeps every
/// token and comment, gives a file that checks clean and evaluates every
/// case the same, changes nothing when run again, and lays out the code
/// exactly as it lays out the unscrambled file.
#[test]
fn generated_rule_sets_survive_scrambling_and_formatting() {
    use clinrule_syntax::format::{format, tokens};
    let mut random = Random::new(4_242);
    let (mut commented, mut compared) = (0, 0);
    for round in 0..300 {
        let generated = if round % 3 == 0 {
            generate::rule_set_comparing_facts(&mut random)
        } else {
            generate::rule_set(&mut random)
        };
        let scrambled = scramble(&mut random, &generated.text);
        let formatted = format(&scrambled);
        let context = || format!("scrambled:\n{scrambled}\nformatted:\n{formatted}");
        assert_eq!(tokens(&formatted), tokens(&generated.text), "{}", context());
        assert_eq!(
            format(&formatted),
            formatted,
            "not idempotent\n{}",
            context()
        );
        let notes = scrambled.matches("# an editor's note").count();
        assert_eq!(
            formatted.matches("# an editor's note").count(),
            notes,
            "a comment was lost\n{}",
            context()
        );
        if notes == 0 {
            assert_eq!(formatted, format(&generated.text), "{}", context());
            compared += 1;
        } else {
            commented += 1;
        }
        let original = check_source("generated", &generated.text)
            .rule_set
            .expect("a generated rule set checks");
        let checked = check_source("formatted", &formatted);
        let rule_set = checked
            .rule_set
            .unwrap_or_else(|| panic!("{}\n{}", checked.rendered, context()));
        for _ in 0..10 {
            let text = generate::case(&mut random, &generated.facts);
            let (Ok(before), Ok(after)) = (original.read_case(&text), rule_set.read_case(&text))
            else {
                continue;
            };
            let statuses = |evaluation: clinrule_eval::Evaluation| -> Vec<_> {
                evaluation.rules.iter().map(|rule| rule.status).collect()
            };
            assert_eq!(
                statuses(original.evaluate(&before)),
                statuses(rule_set.evaluate(&after)),
                "case {text}\n{}",
                context()
            );
        }
    }
    assert!(commented > 50 && compared > 50, "{commented} {compared}");
}
