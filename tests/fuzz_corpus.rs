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
use clinrule_tests::{files_below, files_in, fuzz, root};

/// Every file of one target's corpus.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let files: Vec<(String, Vec<u8>)> =
        files_in(&root().join("fuzz").join("corpus").join(target), "")
            .iter()
            .map(|path| {
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (name, std::fs::read(path).expect("a corpus file"))
            })
            .collect();
    assert!(!files.is_empty(), "the {target} corpus is empty");
    files
}

/// The rule files the corpora were seeded with: the bundled rule sets and
/// every rule-file fixture, kept where they are rather than copied.
fn seeds() -> Vec<Vec<u8>> {
    let files: Vec<Vec<u8>> = [root().join("rules"), root().join("tests/fixtures")]
        .iter()
        .flat_map(|folder| files_below(folder, ".crl"))
        .map(|path| std::fs::read(&path).expect("a rule file"))
        .collect();
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
