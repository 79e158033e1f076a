//! Work per byte: for each path that once grew faster than its input (the
//! lints on rules that share a fact, long chains of derived values, long
//! lists of codes, thousands of problems on one line, duplicate keys, a
//! cohort), the command runs on an input of size N and of size 2N, and the
//! work must at most a little more than double.
//!
//! Work is counted in instructions by valgrind's callgrind, which gives the
//! same count for the same binary and input whatever else the machine is
//! doing: a test of seconds would fail on a busy machine and pass a
//! quadratic path on a quiet one. Where valgrind is not installed the test
//! says that it was not run; under `CI`, where it is, it fails instead.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    reason = "a test that cannot set up its input must fail loudly"
)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

mod common;
use common::binary;

/// The most the work may grow when the input doubles.
const MOST_GROWTH: f64 = 2.3;

fn valgrind_present() -> bool {
    let present = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI machines have valgrind; the growth tests must run there"
        );
        eprintln!("not run: valgrind is not installed");
    }
    present
}

/// A scratch file, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, text: &str) -> Scratch {
        let path =
            std::env::temp_dir().join(format!("clinrule-growth-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("a scratch file");
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The instructions the command executes, as callgrind counts them.
fn instructions(arguments: &[&str]) -> u64 {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(binary())
        .args(arguments)
        .output()
        .expect("valgrind runs");
    let report = String::from_utf8_lossy(&output.stderr);
    let line = report
        .lines()
        .find(|line| line.contains("I   refs:"))
        .unwrap_or_else(|| panic!("no instruction count in {report}"));
    line.rsplit(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .expect("a count")
}

/// Runs `arguments` (where `{}` stands for the input file) on the inputs
/// `make(0)`, `make(size)` and `make(2 * size)`, and checks that the work
/// beyond the fixed cost of starting at most a little more than doubles.
fn doubles(name: &str, size: usize, arguments: &[&str], make: impl Fn(usize) -> String) {
    let counts: Vec<u64> = [0, size, 2 * size]
        .iter()
        .map(|size| {
            let input = Scratch::new(&format!("{name}-{size}"), &make(*size));
            let arguments: Vec<&str> = arguments
                .iter()
                .map(|argument| {
                    if *argument == "{}" {
                        input.path()
                    } else {
                        argument
                    }
                })
                .collect();
            instructions(&arguments)
        })
        .collect();
    let (base, single, double) = (counts[0], counts[1], counts[2]);
    let growth = (double.saturating_sub(base)) as f64 / (single.saturating_sub(base)).max(1) as f64;
    eprintln!(
        "{name}: {base} instructions at 0, {single} at {size}, {double} at {}: growth {growth:.2}",
        2 * size
    );
    assert!(
        growth <= MOST_GROWTH,
        "{name}: doubling the input multiplied the work by {growth:.2}"
    );
}

const HEADER: &str =
    "ruleset growth\n  title \"Growth\"\n  version 1.0.0\n  status draft\n\nfact n : number\n\n";

#[test]
fn checking_rules_that_share_one_fact_grows_linearly() {
    if !valgrind_present() {
        return;
    }
    // Every rule covered by the first, with the same words: the worst case
    // of the redundancy warnings, once cubic.
    doubles("shared fact", 400, &["check", "{}"], |size| {
        let mut text = HEADER.to_owned();
        for rule in 0..size {
            let _ = write!(
                text,
                "rule r{rule} \"r\"\n  when n > {rule}\n  then note c{rule} \"the same words\"\n\n"
            );
        }
        text
    });
}

#[test]
fn checking_long_chains_of_derived_values_grows_linearly() {
    if !valgrind_present() {
        return;
    }
    doubles("derived chain", 1_000, &["check", "{}"], |size| {
        let mut text = HEADER.to_owned();
        text.push_str("let d0 \"d\" = n + 1\n");
        for index in 1..=size {
            let _ = writeln!(text, "let d{index} \"d\" = d{} + 1", index - 1);
        }
        let _ = write!(
            text,
            "\nrule r \"r\"\n  when d{size} > 3\n  then note c \"x\"\n"
        );
        text
    });
}

#[test]
fn checking_long_lists_of_codes_grows_linearly() {
    if !valgrind_present() {
        return;
    }
    doubles("codes", 2_000, &["check", "{}"], |size| {
        let codes: Vec<String> = (0..size.max(1)).map(|code| format!("c{code}")).collect();
        let mut text = HEADER.to_owned();
        let _ = write!(
            text,
            "fact kind : one of {}\n\nrule r \"r\"\n  when kind in ({}) and n > 1\n  then note c \"x\"\n",
            codes.join(", "),
            codes.join(", ")
        );
        text
    });
}

#[test]
fn thousands_of_problems_on_one_line_grow_linearly() {
    if !valgrind_present() {
        return;
    }
    doubles(
        "unknown facts on one line",
        2_000,
        &["eval", "../../tests/fixtures/eval/lead.crl", "--case", "{}"],
        |size| {
            let facts: Vec<String> = (0..size).map(|fact| format!("\"x{fact}\": 1")).collect();
            format!("{{\"facts\": {{{}}}}}", facts.join(", "))
        },
    );
    doubles(
        "duplicate keys on one line",
        4_000,
        &["eval", "../../tests/fixtures/eval/lead.crl", "--case", "{}"],
        |size| {
            let facts: Vec<&str> = (0..size)
                .map(|_| "\"lab.blood_lead\": \"1 ug/dL\"")
                .collect();
            format!("{{\"facts\": {{{}}}}}", facts.join(", "))
        },
    );
}

#[test]
fn a_cohort_grows_linearly() {
    if !valgrind_present() {
        return;
    }
    doubles(
        "cohort",
        2_000,
        &[
            "eval",
            "../../tests/fixtures/eval/lead.crl",
            "--cases",
            "{}",
            "--format",
            "json",
        ],
        |size| {
            let mut text = String::new();
            for line in 0..size {
                let _ = writeln!(
                    text,
                    "{{\"id\": \"{line}\", \"facts\": {{\"lab.blood_lead\": \"{}.{} ug/dL\"}}}}",
                    line % 7,
                    line % 10
                );
            }
            text
        },
    );
}

/// A small generator of the same pseudo-random numbers on every run.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// A rule file of about `bytes` bytes mixing, at random, the shapes that
/// once cost more than their size: rules on one shared fact, chains of
/// derived values, long code lists, calculations near the limit of terms
/// and, `with_errors`, long lines and misspellings that each give a
/// diagnostic (a file with errors is not linted, so both kinds are tried).
fn hostile_rule_file(random: &mut Random, bytes: usize, with_errors: bool) -> String {
    let mut text = HEADER.to_owned();
    text.push_str("fact kind : one of ");
    let codes: Vec<String> = (0..200).map(|code| format!("c{code}")).collect();
    text.push_str(&codes.join(", "));
    text.push_str("\n\nlet d0 \"d\" = n + 1\n");
    let mut lets = 1;
    let mut rules = 0;
    while text.len() < bytes {
        match random.below(if with_errors { 6 } else { 3 }) {
            0 => {
                let _ = writeln!(
                    text,
                    "let d{lets} \"d\" = d{} + {}",
                    lets - 1,
                    random.below(9) + 1
                );
                lets += 1;
            }
            1 => {
                let _ = write!(
                    text,
                    "rule r{rules} \"r\"\n  when n > {}\n  then note c{rules} \"the same words\"\n\n",
                    random.below(1_000)
                );
                rules += 1;
            }
            2 => {
                let picked: Vec<&str> = (0..random.below(150) + 1)
                    .map(|_| codes[random.below(codes.len())].as_str())
                    .collect();
                let _ = write!(
                    text,
                    "rule r{rules} \"r\"\n  when kind in ({}) and d{} > 2\n  then note c{rules} \"x\"\n\n",
                    picked.join(", "),
                    random.below(lets)
                );
                rules += 1;
            }
            3 => {
                let _ = write!(
                    text,
                    "rule r{rules} \"{}\"\n  when unknown_{} = yes\n  then note c{rules} \"x\"\n\n",
                    "long title ".repeat(random.below(400)),
                    random.below(50)
                );
                rules += 1;
            }
            4 => {
                let terms: Vec<&str> = (0..random.below(64) + 1).map(|_| "n").collect();
                let _ = write!(
                    text,
                    "rule r{rules} \"r\"\n  when {} > 3\n  then note c{rules} \"sum\"\n\n",
                    terms.join(" + ")
                );
                rules += 1;
            }
            _ => {
                let _ = write!(
                    text,
                    "rule r{rules} \"r\"\n  whne n > 1\n  then note c{rules} \"x\"\n\n"
                );
                rules += 1;
            }
        }
    }
    text
}

/// Performance fuzzing: random mixes of the shapes that once grew faster
/// than their size must each cost a bounded number of instructions per
/// byte, at a size where a quadratic path would be hundreds of times over.
/// The files hold errors, so the warnings that try cases do not run: their
/// comparison of rules pair by pair is quadratic by nature and bounded by
/// its own budget of work (W212), which `tests/check.rs` holds.
#[test]
fn random_hostile_rule_files_cost_a_bounded_work_per_byte() {
    if !valgrind_present() {
        return;
    }
    // Instructions of the test build per byte of rule file; the largest
    // seen when this test was written was about a quarter of it.
    const MOST_PER_BYTE: u64 = 6_000;
    let mut random = Random(0x00c1_1b0b);
    for round in 0..4 {
        let text = hostile_rule_file(&mut random, 40_000 + 20_000 * round, true);
        let file = Scratch::new(&format!("hostile-{round}.crl"), &text);
        let count = instructions(&["check", file.path()]);
        let per_byte = count / text.len() as u64;
        eprintln!(
            "round {round}: {} bytes, {count} instructions, {per_byte} per byte",
            text.len()
        );
        assert!(
            per_byte <= MOST_PER_BYTE,
            "round {round}: {per_byte} instructions per byte of rule file"
        );
    }
}
