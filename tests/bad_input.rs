//! Bad input, case by case, through the `clinrule` command as an editor or
//! a pipeline meets it: every bundled rule file cut at every token
//! boundary, every keyword of a real file misspelt, and a battery of
//! malformed cases, each with the exit code and diagnostic code it must
//! give. Exit code 3 (an internal error) is never acceptable.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot write its input must fail loudly"
)]

use clinrule_tests::{check_source, clinrule, files_in, read, root};

/// A folder of this test's own for the files it writes.
fn folder(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir()
        .join(format!("clinrule-bad-input-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(folder.join("a")).expect("a folder");
    std::fs::create_dir_all(folder.join("b")).expect("a folder");
    std::fs::create_dir_all(&folder).expect("a folder");
    folder
}

/// Where a character belongs when a file is cut into tokens.
fn class(character: char) -> u8 {
    match character {
        c if c.is_whitespace() => 0,
        c if c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '-') => 1,
        '"' => 2,
        _ => 3,
    }
}

/// Every place a token starts or ends: where the kind of character changes.
fn token_boundaries(source: &str) -> Vec<usize> {
    let mut boundaries = Vec::new();
    let mut previous = None;
    for (at, character) in source.char_indices() {
        let here = class(character);
        if previous.is_some_and(|previous| previous != here || here >= 2) {
            boundaries.push(at);
        }
        previous = Some(here);
    }
    boundaries
}

/// Cuts one rule file at every `stride`th token boundary from `first` and
/// checks each prefix with the command. Returns how many prefixes were
/// refused and accepted.
fn cut_everywhere(
    path: &std::path::Path,
    folder: &std::path::Path,
    first: usize,
    stride: usize,
) -> (usize, usize) {
    let source = read(path);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let whole = check_source(&name, &source)
        .rule_set
        .expect("the bundled rule file checks");
    let rule_ids: Vec<&str> = whole
        .checked()
        .rules()
        .iter()
        .map(|rule| rule.id.as_str())
        .collect();
    let file = folder.join(&name);
    let shown = file.to_string_lossy().into_owned();
    let (mut refused, mut accepted) = (0, 0);
    for cut in token_boundaries(&source)
        .into_iter()
        .skip(first)
        .step_by(stride)
    {
        let prefix = &source[..cut];
        std::fs::write(&file, prefix).expect("written");
        let output = clinrule(&["check", &shown]);
        let context = || format!("{name} cut at byte {cut}\n{}", output.transcript());
        match output.code {
            1 => {
                // A diagnostic with its code and the place in the file.
                assert!(
                    !output.codes().is_empty(),
                    "no diagnostic code: {}",
                    context()
                );
                assert!(
                    output.stderr.contains(&format!("{shown}:")),
                    "no place in the file: {}",
                    context()
                );
                refused += 1;
            }
            0 => {
                // A complete, smaller rule file: its rules are the first
                // rules of the whole file, and it checks clean.
                let checked = check_source(&name, prefix);
                let rule_set = checked
                    .rule_set
                    .unwrap_or_else(|| panic!("accepted but does not check: {}", context()));
                let ids: Vec<&str> = rule_set
                    .checked()
                    .rules()
                    .iter()
                    .map(|rule| rule.id.as_str())
                    .collect();
                assert!(
                    rule_ids.starts_with(&ids),
                    "accepted with other rules: {}",
                    context()
                );
                accepted += 1;
            }
            code => panic!("exit code {code}: {}", context()),
        }
    }
    (refused, accepted)
}

/// Every bundled rule file cut at every token boundary: a cut that leaves
/// a complete, smaller rule file (after a whole declaration, or before an
/// optional part such as a description, `urgency` or a band's upper end)
/// checks with exit 0; every other cut gives exit 1 with at least one
/// diagnostic code and its place in the file. Nothing else, ever.
#[test]
fn every_rule_file_cut_at_every_token_boundary() {
    let folder = folder("cuts");
    let paths = files_in(&root().join("rules"), ".crl");
    assert_eq!(paths.len(), 8);
    // Two threads, one per core of the CI machine, each taking every other cut.
    let cut_all = |thread: usize| {
        let own = folder.join(["a", "b"][thread]);
        paths
            .iter()
            .map(|path| cut_everywhere(path, &own, thread, 2))
            .fold(
                (0, 0),
                |(refused, accepted), (more_refused, more_accepted)| {
                    (refused + more_refused, accepted + more_accepted)
                },
            )
    };
    let (refused, accepted) = std::thread::scope(|scope| {
        let other = scope.spawn(|| cut_all(1));
        let here = cut_all(0);
        let there = other.join().expect("the other thread finished");
        (here.0 + there.0, here.1 + there.1)
    });
    // Most cuts leave a broken file; some leave a complete one.
    assert!(refused > 7_000, "refused {refused}, accepted {accepted}");
    assert!(accepted > 500, "refused {refused}, accepted {accepted}");
}

/// The word tokens of a rule file outside strings and comments, with
/// where each starts.
fn words(source: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut in_string = false;
    let mut in_comment = false;
    let mut start = None;
    for (at, character) in source.char_indices() {
        let word_character = class(character) == 1 && !in_string && !in_comment;
        match (start, word_character) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                found.push((from, &source[from..at]));
                start = None;
            }
            _ => {}
        }
        match character {
            '"' if !in_comment => in_string = !in_string,
            '#' if !in_string => in_comment = true,
            '\n' => in_comment = false,
            _ => {}
        }
    }
    if let Some(from) = start {
        found.push((from, &source[from..]));
    }
    found
}

/// A keyword as an editor might mistype it: two letters swapped, or one
/// doubled for a word of one letter.
fn misspelt(keyword: &str) -> String {
    let mut letters: Vec<char> = keyword.chars().collect();
    if letters.len() >= 2 {
        let last = letters.len() - 1;
        letters.swap(last - 1, last);
        if letters.iter().collect::<String>() == keyword {
            letters.push('x');
        }
    } else {
        letters.extend(letters.clone());
    }
    letters.into_iter().collect()
}

/// Every keyword the seed rule set uses, misspelt where it first appears,
/// one at a time: exit 1, a diagnostic code, the line of the mistake, and
/// help that proposes the keyword.
#[test]
fn every_keyword_misspelt() {
    let path = root().join("rules/metaphyseal-sclerosis.crl");
    let source = read(&path);
    let folder = folder("keywords");
    let file = folder.join("misspelt.crl");
    let shown = file.to_string_lossy().into_owned();
    let tokens = words(&source);
    let mut tried = 0;
    for keyword in clinrule_syntax::KEYWORDS {
        let Some((at, _)) = tokens.iter().find(|(_, word)| word == keyword) else {
            continue;
        };
        let wrong = misspelt(keyword);
        let text = format!("{}{wrong}{}", &source[..*at], &source[at + keyword.len()..]);
        std::fs::write(&file, &text).expect("written");
        let output = clinrule(&["check", &shown]);
        let context = || format!("`{keyword}` misspelt `{wrong}`\n{}", output.transcript());
        assert_eq!(output.code, 1, "{}", context());
        assert!(
            !output.codes().is_empty(),
            "no diagnostic code: {}",
            context()
        );
        let line = source[..*at].matches('\n').count() + 1;
        assert!(
            output.stderr.contains(&format!("{shown}:{line}:")),
            "not reported on line {line}: {}",
            context()
        );
        // The diagnostic names the keyword, alone or in its two-word form.
        let named = [
            format!("`{keyword}`"),
            format!(" {keyword}`"),
            format!("`{keyword} "),
        ]
        .iter()
        .any(|form| output.stderr.contains(form.as_str()));
        assert!(named, "no suggestion of `{keyword}`: {}", context());
        tried += 1;
    }
    assert!(tried > 40, "only {tried} keywords tried");
}

/// Malformed cases against the seed rule set, each with the exit code and
/// the diagnostic code it must give: 2 and a code for every refusal, 0 for
/// the odd but valid ones.
#[test]
fn a_battery_of_malformed_cases() {
    let folder = folder("cases");
    let rules = "rules/metaphyseal-sclerosis.crl";
    let deep = format!("{{\"facts\": {}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    let huge = format!("{{\"facts\": {{\"age\": [{}1]}}}}", "1,".repeat(100_000));
    let rows: Vec<(&str, String, u8, Option<&str>)> = vec![
        ("empty file", String::new(), 2, Some("E301")),
        ("only spaces", "  \n\t\n".to_owned(), 2, Some("E301")),
        ("a list", "[]".to_owned(), 2, Some("E302")),
        ("a number", "12".to_owned(), 2, Some("E302")),
        ("no facts", "{}".to_owned(), 2, Some("E302")),
        (
            "facts not an object",
            r#"{"facts": []}"#.to_owned(),
            2,
            Some("E302"),
        ),
        (
            "unknown field",
            r#"{"facts": {}, "fatcs": {}}"#.to_owned(),
            2,
            Some("E302"),
        ),
        (
            "two objects",
            r#"{"facts": {}} {"facts": {}}"#.to_owned(),
            2,
            Some("E301"),
        ),
        (
            "trailing comma",
            r#"{"facts": {"age": "2 years",}}"#.to_owned(),
            2,
            Some("E301"),
        ),
        ("single quotes", "{'facts': {}}".to_owned(), 2, Some("E301")),
        (
            "comment",
            "{\"facts\": {}} // note".to_owned(),
            2,
            Some("E301"),
        ),
        (
            "undeclared fact",
            r#"{"facts": {"xray.metaphyseal_sklerosis": true}}"#.to_owned(),
            2,
            Some("E303"),
        ),
        (
            "yes/no as a number",
            r#"{"facts": {"neuro.hypotonia": 1}}"#.to_owned(),
            2,
            Some("E304"),
        ),
        (
            "yes/no as text",
            r#"{"facts": {"neuro.hypotonia": "maybe"}}"#.to_owned(),
            2,
            Some("E304"),
        ),
        (
            "yes/no as a list",
            r#"{"facts": {"neuro.hypotonia": [true]}}"#.to_owned(),
            2,
            Some("E304"),
        ),
        (
            "measurement as yes",
            r#"{"facts": {"lab.blood_lead": true}}"#.to_owned(),
            2,
            Some("E304"),
        ),
        (
            "measurement without a unit",
            r#"{"facts": {"lab.blood_lead": 12}}"#.to_owned(),
            2,
            Some("E305"),
        ),
        (
            "measurement as text without a unit",
            r#"{"facts": {"lab.blood_lead": "12"}}"#.to_owned(),
            2,
            Some("E310"),
        ),
        (
            "age without a unit",
            r#"{"facts": {"age": 18}}"#.to_owned(),
            2,
            Some("E305"),
        ),
        (
            "measurement of a mass",
            r#"{"facts": {"lab.blood_lead": "12 mg"}}"#.to_owned(),
            2,
            Some("E306"),
        ),
        (
            "age in grams",
            r#"{"facts": {"age": "18 g"}}"#.to_owned(),
            2,
            Some("E306"),
        ),
        (
            "unknown unit",
            r#"{"facts": {"lab.blood_lead": "12 ug/dLL"}}"#.to_owned(),
            2,
            Some("E307"),
        ),
        (
            "unreadable age",
            r#"{"facts": {"age": "18 monhts"}}"#.to_owned(),
            2,
            Some("E307"),
        ),
        (
            "fact named twice",
            r#"{"facts": {"age": "2 years", "age": "3 years"}}"#.to_owned(),
            2,
            Some("E309"),
        ),
        (
            "number too large",
            r#"{"facts": {"lab.blood_lead": {"value": 1e999, "unit": "ug/dL"}}}"#.to_owned(),
            2,
            Some("E311"),
        ),
        ("nested a thousand deep", deep, 2, Some("E301")),
        ("a huge list", huge, 2, Some("E304")),
        (
            "a null",
            r#"{"facts": {"lab.blood_lead": null}}"#.to_owned(),
            0,
            None,
        ),
        (
            "molar units",
            r#"{"facts": {"lab.blood_lead": "0.5 umol/L"}}"#.to_owned(),
            0,
            None,
        ),
        ("nothing known", r#"{"facts": {}}"#.to_owned(), 0, None),
    ];
    for (index, (name, text, code, diagnostic)) in rows.iter().enumerate() {
        let path = folder.join(format!("{index}.json"));
        std::fs::write(&path, text).expect("written");
        let output = clinrule(&["eval", rules, "--case", &path.to_string_lossy()]);
        assert_eq!(output.code, *code, "{name}: {}", output.transcript());
        match diagnostic {
            Some(diagnostic) => assert_eq!(
                output.codes().first().map(String::as_str),
                Some(*diagnostic),
                "{name}: {}",
                output.transcript()
            ),
            None => assert!(output.codes().is_empty(), "{name}: {}", output.transcript()),
        }
    }
}

/// Every bundled case cut at every token boundary, through the command:
/// exit 2 and a diagnostic code, never a result from half a case.
#[test]
fn every_bundled_case_cut_at_every_token_boundary() {
    let folder = folder("case-cuts");
    let rules = "rules/metaphyseal-sclerosis.crl";
    let file = folder.join("cut.json");
    let shown = file.to_string_lossy().into_owned();
    let mut cuts = 0;
    for path in files_in(&root().join("rules/cases"), ".json") {
        let text = read(&path);
        let complete = text.trim_end().len();
        for cut in token_boundaries(&text)
            .into_iter()
            .filter(|cut| *cut < complete)
        {
            std::fs::write(&file, &text[..cut]).expect("written");
            let output = clinrule(&["eval", rules, "--case", &shown]);
            assert_eq!(
                (output.code, output.codes()),
                (2, vec!["E301".to_owned()]),
                "{} cut at byte {cut}: {}",
                path.display(),
                output.transcript()
            );
            cuts += 1;
        }
    }
    assert!(cuts > 400, "{cuts} cuts");
}

/// Command lines that cannot run as written, beyond those in `limits.rs`:
/// each with its exit code and diagnostic code (none for usage errors,
/// which say what is wrong and point to `--help` instead).
#[test]
fn command_lines_that_cannot_run() {
    let seed = "rules/metaphyseal-sclerosis.crl";
    let case = "rules/cases/toddler-sclerosis.json";
    let cohort = "tests/fixtures/cohort/lead.ndjson";
    let rows: [(&str, Vec<&str>, u8, Option<&str>); 7] = [
        (
            "a folder as the case",
            vec!["eval", seed, "--case", "rules/cases"],
            2,
            Some("E401"),
        ),
        (
            "a case as the rule file",
            vec!["check", case],
            1,
            Some("E101"),
        ),
        (
            "results to a folder that does not exist",
            vec![
                "eval",
                "tests/fixtures/eval/lead.crl",
                "--cases",
                cohort,
                "--out",
                "tests/fixtures/no-such-folder/results.ndjson",
            ],
            2,
            Some("E407"),
        ),
        (
            "a format given twice",
            vec![
                "eval", seed, "--case", case, "--format", "json", "--format", "text",
            ],
            2,
            None,
        ),
        (
            "an unknown format",
            vec!["eval", seed, "--case", case, "--format", "xml"],
            2,
            None,
        ),
        (
            "a flag without its value",
            vec!["eval", seed, "--case"],
            2,
            None,
        ),
        (
            "the seed twice",
            vec!["eval", seed, seed, "--case", case],
            0,
            None,
        ),
    ];
    let mut rows = rows.to_vec();
    // A file that exists but cannot be read, even by the administrator:
    // Linux refuses to read a process's own memory as a file.
    if cfg!(target_os = "linux") {
        rows.push((
            "an unreadable rule file",
            vec!["check", "/proc/self/mem"],
            2,
            Some("E401"),
        ));
        rows.push((
            "an unreadable case",
            vec!["eval", seed, "--case", "/proc/self/mem"],
            2,
            Some("E401"),
        ));
    }
    for (name, arguments, code, diagnostic) in rows {
        let output = clinrule(&arguments);
        assert_eq!(output.code, code, "{name}: {}", output.transcript());
        match diagnostic {
            Some(diagnostic) => assert!(
                output.codes().iter().any(|found| found == diagnostic),
                "{name}: no {diagnostic}: {}",
                output.transcript()
            ),
            None if code == 2 => assert!(
                output.stderr.starts_with("error:") && output.stderr.contains("--help"),
                "{name}: no usage error: {}",
                output.transcript()
            ),
            None => {}
        }
    }
    // A case given where a rule file belongs is named for what it is.
    let output = clinrule(&["check", case]);
    assert!(
        output
            .stderr
            .contains("looks like JSON, such as a patient case"),
        "{}",
        output.transcript()
    );
}
