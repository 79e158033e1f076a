//! Keeps the code, the docs and the tests in step: every diagnostic code in
//! the source has an entry in `docs/errors.md` and a fixture that produces
//! it, every documented code exists, and no snapshot is left without the
//! fixture it was taken from.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a tidy check that cannot read the repository must fail loudly"
)]

use std::collections::BTreeSet;

use clinrule_tests::{
    CLI_ERROR_SCENARIOS, check_source, clinrule, display_name, files_below, fixtures, read, root,
};

/// Codes that no fixture can produce, each with the reason.
const WITHOUT_FIXTURE: &[(&str, &str)] = &[
    ("E111", "a fixture would have to be a 4 GiB rule file"),
    (
        "W212",
        "a fixture would have to spend the whole budget of work; tests/check.rs holds it with a small budget",
    ),
    (
        "E413",
        "standard output must fail; crates/clinrule-cli/tests/faults.rs writes to /dev/full and a full disk",
    ),
];

/// A diagnostic code: `E` or `W` and three digits.
fn is_code(word: &str) -> bool {
    word.len() == 4
        && (word.starts_with('E') || word.starts_with('W'))
        && word[1..].bytes().all(|byte| byte.is_ascii_digit())
}

fn codes_in_source() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for path in files_below(&root().join("crates"), ".rs") {
        let text = read(&path);
        for piece in text.split("code(").skip(1) {
            let word: String = piece
                .chars()
                .take_while(|character| character.is_ascii_alphanumeric())
                .collect();
            if is_code(&word) {
                assert!(
                    codes.insert(word.clone()),
                    "{word} is defined twice (again in {})",
                    path.display()
                );
            }
        }
    }
    codes
}

fn codes_in_docs() -> BTreeSet<String> {
    read(&root().join("docs/errors.md"))
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .filter_map(|heading| heading.split(':').next())
        .filter(|word| is_code(word))
        .map(str::to_owned)
        .collect()
}

fn codes_from_fixtures() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for folder in ["syntax/err", "check/err"] {
        for path in files_below(&fixtures().join(folder), ".crl") {
            codes.extend(check_source(&display_name(&path), &read(&path)).codes);
        }
    }
    for path in files_below(&fixtures().join("case/err"), ".case.json") {
        let case = display_name(&path);
        codes.extend(clinrule(&["eval", "tests/fixtures/case/rules.crl", "--case", &case]).codes());
    }
    codes.extend(clinrule(&["test", "tests/fixtures/test"]).codes());
    for (_, arguments, _) in CLI_ERROR_SCENARIOS {
        codes.extend(clinrule(arguments).codes());
    }
    codes
}

#[test]
fn every_code_is_documented_and_every_documented_code_exists() {
    let source = codes_in_source();
    let docs = codes_in_docs();
    assert!(source.len() > 40, "too few codes found: {source:?}");
    let undocumented: Vec<_> = source.difference(&docs).collect();
    assert!(
        undocumented.is_empty(),
        "codes without an entry in docs/errors.md: {undocumented:?}"
    );
    let stale: Vec<_> = docs.difference(&source).collect();
    assert!(
        stale.is_empty(),
        "docs/errors.md documents codes the source does not have: {stale:?}"
    );
}

#[test]
fn every_code_has_a_fixture_that_produces_it() {
    let produced = codes_from_fixtures();
    let exempt: BTreeSet<&str> = WITHOUT_FIXTURE.iter().map(|(code, _)| *code).collect();
    let missing: Vec<_> = codes_in_source()
        .into_iter()
        .filter(|code| !produced.contains(code) && !exempt.contains(code.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes no fixture produces: {missing:?}");
}

/// Every snapshot still has the fixture, bundled case or scenario it was taken from.
#[test]
fn no_orphan_snapshots() {
    let fixture_names: BTreeSet<String> = files_below(&fixtures(), "")
        .iter()
        .filter_map(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .collect();
    let scenario_names: BTreeSet<&str> = CLI_ERROR_SCENARIOS
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    let mut orphans = Vec::new();
    for path in files_below(&root().join("tests/snapshots"), ".snap") {
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .trim_end_matches(".snap")
            .to_owned();
        let known = if let Some((_, fixture)) = name.split_once('@') {
            fixture_names.contains(fixture)
        } else if let Some(snapshot) = name.strip_prefix("rules__") {
            let case = snapshot
                .trim_end_matches(".json")
                .trim_end_matches(".text")
                .trim_end_matches(".patient.md")
                .trim_end_matches(".md");
            root()
                .join("rules/cases")
                .join(format!("{case}.json"))
                .exists()
                || read(&root().join("tests/rules.rs")).contains(&format!("\"{snapshot}\""))
        } else if let Some(test) = name.strip_prefix("consult__") {
            read(&root().join("tests/consult.rs")).contains(&format!("fn {test}()"))
        } else if let Some(test) = name.strip_prefix("cohort__") {
            read(&root().join("tests/cohort.rs")).contains(&format!("fn {test}()"))
        } else if let Some(test) = name.strip_prefix("fmt__") {
            read(&root().join("tests/fmt.rs")).contains(&format!("fn {test}()"))
        } else if let Some(test) = name.strip_prefix("editor_tests__") {
            read(&root().join("tests/editor_tests.rs")).contains(&format!("fn {test}()"))
        } else if let Some(test) = name.strip_prefix("cli__") {
            let cli_tests = read(&root().join("tests/cli.rs"));
            scenario_names.contains(test)
                || cli_tests.contains(&format!("fn {test}()"))
                || cli_tests.contains(&format!("\"{test}\""))
        } else {
            false
        };
        if !known {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots whose fixture is gone (delete them): {orphans:?}"
    );
}

/// The modules of a crate, by path (`crate`, `crate::program::run`), each
/// with the text of its file before its tests.
fn modules_of(source_folder: &std::path::Path) -> Vec<(String, String)> {
    let mut modules = Vec::new();
    for path in files_below(source_folder, ".rs") {
        let relative = path
            .strip_prefix(source_folder)
            .expect("below the folder")
            .with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|last| last == "mod") {
            parts.pop();
        }
        let name = if parts == ["lib"] || parts == ["main"] {
            "crate".to_owned()
        } else if parts.first().is_some_and(|first| first == "bin") {
            // A binary is a crate of its own.
            continue;
        } else {
            format!("crate::{}", parts.join("::"))
        };
        let text = read(&path);
        let code = match text.find("#[cfg(test)]") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        modules.push((name, code));
    }
    modules
}

/// The modules a module's code names with `crate::` or `super::`.
fn imports(name: &str, code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let words = |rest: &str| -> Vec<String> {
        rest.split("::")
            .map(|part| {
                part.chars()
                    .take_while(|character| character.is_alphanumeric() || *character == '_')
                    .collect::<String>()
            })
            .take_while(|part| !part.is_empty())
            .collect()
    };
    // The longest known module a path names, or the path's own start.
    let resolve = |base: Vec<String>, path: Vec<String>| -> Option<String> {
        (0..=path.len()).rev().find_map(|length| {
            let mut candidate = base.clone();
            candidate.extend(path[..length].iter().cloned());
            let candidate = candidate.join("::");
            known.contains(&candidate).then_some(candidate)
        })
    };
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().last();
        if before.is_some_and(|character| character.is_alphanumeric() || character == '_') {
            continue;
        }
        let path = words(&code[at + "crate::".len()..]);
        found.extend(resolve(vec!["crate".to_owned()], path));
    }
    let mut parent: Vec<String> = name.split("::").map(str::to_owned).collect();
    parent.pop();
    for (at, _) in code.match_indices("super::") {
        let path = words(&code[at + "super::".len()..]);
        found.extend(resolve(parent.clone(), path));
    }
    found.remove(name);
    found
}

/// No module imports another that imports it back, in any crate: each
/// crate's modules form layers, so each can be read knowing only those
/// below it.
#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut folders: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("crates"))
        .expect("the crates")
        .map(|entry| entry.expect("an entry").path().join("src"))
        .collect();
    folders.push(root().join("tests/support"));
    folders.sort();
    let mut cycles = Vec::new();
    for folder in &folders {
        let modules = modules_of(folder);
        let known: BTreeSet<String> = modules.iter().map(|(name, _)| name.clone()).collect();
        let graph: Vec<(String, BTreeSet<String>)> = modules
            .iter()
            .map(|(name, code)| (name.clone(), imports(name, code, &known)))
            .collect();
        let uses = |name: &str| {
            graph
                .iter()
                .find(|(known, _)| known == name)
                .map(|(_, uses)| uses.clone())
                .unwrap_or_default()
        };
        for (start, _) in &graph {
            // Everything `start` reaches; a cycle if that includes itself.
            let mut reached: BTreeSet<String> = BTreeSet::new();
            let mut stack: Vec<String> = uses(start).into_iter().collect();
            while let Some(next) = stack.pop() {
                if reached.insert(next.clone()) {
                    stack.extend(uses(&next));
                }
            }
            if reached.contains(start) {
                cycles.push(format!("{}: {start}", display_name(folder)));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import a module that imports them back:\n{}",
        cycles.join("\n")
    );
    // The check finds what it looks for: two modules naming each other.
    let known: BTreeSet<String> = ["crate::a", "crate::b"].map(str::to_owned).into();
    assert!(imports("crate::a", "use crate::b::thing;", &known).contains("crate::b"));
    assert!(imports("crate::a", "use super::b;", &known).contains("crate::b"));
}
