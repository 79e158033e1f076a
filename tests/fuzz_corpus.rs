//! Replays the committed fuzzing corpora (`fuzz/corpus/<target>/`) through
//! the same code the fuzz targets run (`clinrule_tests::fuzz`), so that CI
//! keeps every input the fuzzers ever found interesting passing, without a
//! fuzzer or a nightly compiler. See `docs/fuzzing.md`.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a corpus that cannot be read must fail the test"
)]

use arbitrary::{Arbitrary, Unstructured};
use clinrule_tests::{fuzz, root};

/// Every file of one target's corpus.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let folder = root().join("fuzz").join("corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
        .map(|entry| {
            let path = entry.expect("an entry").path();
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).expect("a corpus file");
            (name, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the {target} corpus is empty");
    files
}

/// The rule files the corpora were seeded with: the bundled rule sets and
/// every rule-file fixture, kept where they are rather than copied.
fn seeds() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut folders = vec![root().join("rules"), root().join("tests/fixtures")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "crl") {
                files.push(std::fs::read(&path).expect("a rule file"));
            }
        }
    }
    assert!(files.len() > 50, "the seeds are missing");
    files
}

#[test]
fn the_parse_corpus_replays() {
    for (_, bytes) in corpus("parse") {
        fuzz::parse(&bytes);
    }
    for bytes in seeds() {
        fuzz::parse(&bytes);
    }
}

#[test]
fn the_check_corpus_replays() {
    for (_, bytes) in corpus("check") {
        fuzz::check(&bytes);
    }
    for bytes in seeds() {
        fuzz::check(&bytes);
    }
}

#[test]
fn the_format_corpus_replays() {
    for (_, bytes) in corpus("format") {
        fuzz::format(&bytes);
    }
    for bytes in seeds() {
        fuzz::format(&bytes);
    }
}

#[test]
fn the_evaluate_corpus_replays() {
    for (_, bytes) in corpus("evaluate") {
        // As libFuzzer's `fuzz_target!` reads a structured input: inputs
        // that do not make a case are skipped there too.
        if let Ok(case) = fuzz::FuzzCase::arbitrary_take_rest(Unstructured::new(&bytes)) {
            fuzz::evaluate(&case);
        }
    }
}
