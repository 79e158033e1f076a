//! Faults as a careless or a hostile user, or a bad day, would bring them:
//! results aimed at the run's own inputs or at special files, a full disk,
//! a closed or failing standard output, a read-only disk, signals in the
//! middle of a cohort, folders that loop and files that never end.
//!
//! These tests run the real `clinrule` binary, because what they test is
//! what the operating system does to it. The full-disk and read-only tests
//! mount a small tmpfs and need root, which CI has; elsewhere they say that
//! they were not run, and under `CI` they fail instead.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test that cannot set up its fault must fail loudly"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::binary;
const RULES: &str = "../../tests/fixtures/eval/lead.crl";
const SEED_RULES: &str = "../../rules/metaphyseal-sclerosis.crl";
const SEED_CASE: &str = "../../rules/cases/toddler-sclerosis.json";

/// A scratch folder of this test's own, removed at the end.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path =
            std::env::temp_dir().join(format!("clinrule-faults-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a scratch folder");
        Scratch { path }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The names in the folder, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .expect("the folder")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).output();
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs the command to its end, or fails the test if it takes more than a
/// minute: a hang is a defect, never a wait.
fn run_bounded(command: &mut Command) -> Output {
    let mut child = command.spawn().expect("the command starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("the command").is_some() {
            return child.wait_with_output().expect("its output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command hung: {command:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn clinrule(arguments: &[&str]) -> Output {
    run_bounded(
        Command::new(binary())
            .args(arguments)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A cohort of `lines` good cases for the lead rule set.
fn cohort(lines: usize) -> String {
    let mut text = String::new();
    for line in 0..lines {
        let _ = writeln!(
            text,
            "{{\"id\": \"{line}\", \"facts\": {{\"lab.blood_lead\": \"{}.{} ug/dL\"}}}}",
            line % 7,
            line % 10
        );
    }
    text
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn results_are_never_written_over_an_input_or_a_special_file() {
    let scratch = Scratch::new("inputs");
    let cases = scratch.file("in.ndjson");
    std::fs::write(&cases, cohort(20)).expect("the cohort");
    let rules = scratch.file("lead.crl");
    std::fs::copy(RULES, &rules).expect("the rules");
    let link = scratch.file("link.ndjson");
    std::os::unix::fs::symlink(&cases, &link).expect("a link");
    let fifo = scratch.file("pipe.ndjson");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let before = (
        std::fs::read(&cases).unwrap(),
        std::fs::read(&rules).unwrap(),
    );
    for (target, code) in [
        (cases.clone(), "E412"),
        (rules.clone(), "E412"),
        (link.clone(), "E412"),
        (fifo.clone(), "E411"),
        (PathBuf::from("/dev/null"), "E411"),
        (scratch.path.clone(), "E411"),
    ] {
        for format in ["json", "summary"] {
            let output = clinrule(&[
                "eval",
                path_text(&rules),
                "--cases",
                path_text(&cases),
                "--format",
                format,
                "--out",
                path_text(&target),
            ]);
            let stderr = text(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{target:?}: {stderr}");
            assert!(stderr.contains(code), "{target:?}: {stderr}");
            assert!(output.stdout.is_empty());
        }
    }
    assert_eq!(
        before,
        (
            std::fs::read(&cases).unwrap(),
            std::fs::read(&rules).unwrap()
        ),
        "an input changed"
    );
    assert_eq!(
        scratch.names(),
        ["in.ndjson", "lead.crl", "link.ndjson", "pipe.ndjson"]
    );
    // consult --save follows the same rule: the case it completes is an input.
    let case = scratch.file("case.json");
    std::fs::write(&case, r#"{"facts": {}}"#).expect("a case");
    let output = clinrule(&[
        "consult",
        path_text(&rules),
        "--case",
        path_text(&case),
        "--save",
        path_text(&case),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("E412"));
    assert_eq!(std::fs::read_to_string(&case).unwrap(), r#"{"facts": {}}"#);
}

#[test]
fn a_result_through_a_link_replaces_the_file_and_keeps_the_link() {
    let scratch = Scratch::new("link");
    let cases = scratch.file("in.ndjson");
    std::fs::write(&cases, cohort(3)).expect("the cohort");
    let results = scratch.file("results.ndjson");
    std::fs::write(&results, "old results\n").expect("old results");
    let link = scratch.file("latest.ndjson");
    std::os::unix::fs::symlink("results.ndjson", &link).expect("a link");
    let output = clinrule(&[
        "eval",
        RULES,
        "--cases",
        path_text(&cases),
        "--format",
        "json",
        "--out",
        path_text(&link),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(&results).unwrap();
    assert!(written.ends_with("{\"end\":{\"lines\":3,\"evaluated\":3,\"refused\":0}}\n"));
    assert_eq!(
        scratch.names(),
        ["in.ndjson", "latest.ndjson", "results.ndjson"]
    );
}

/// Every command that writes to standard output fails with exit code 4 and
/// E413 when standard output is a full device, instead of claiming success.
#[test]
fn a_full_standard_output_is_an_error() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let cohort_file = std::env::temp_dir().join(format!("clinrule-full-{}", std::process::id()));
    std::fs::write(&cohort_file, cohort(2_000)).expect("a cohort");
    let cohort_name = path_text(&cohort_file).to_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["eval", SEED_RULES, "--case", SEED_CASE],
        vec!["eval", SEED_RULES, "--case", SEED_CASE, "--format", "json"],
        vec![
            "eval", SEED_RULES, "--case", SEED_CASE, "--format", "markdown",
        ],
        vec![
            "explain",
            SEED_RULES,
            "--case",
            SEED_CASE,
            "--rule",
            "lead_poisoning",
        ],
        vec!["check", SEED_RULES],
        vec!["graph", SEED_RULES],
        vec!["fmt", "--check", SEED_RULES],
        vec!["test", "../../rules/heart-score.crl"],
        vec!["eval", RULES, "--cases", &cohort_name],
        vec!["eval", RULES, "--cases", &cohort_name, "--format", "json"],
    ];
    for arguments in commands {
        let output = run_bounded(
            Command::new(binary())
                .args(&arguments)
                .stdin(Stdio::null())
                .stdout(full())
                .stderr(Stdio::piped()),
        );
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{arguments:?}: {stderr}");
        assert!(stderr.contains("E413"), "{arguments:?}: {stderr}");
        assert!(
            stderr.contains("the disk is full"),
            "{arguments:?}: {stderr}"
        );
    }
    let _ = std::fs::remove_file(cohort_file);
}

/// A program that stops reading (a pager closed early) ends the run
/// quietly with exit code 4: no message, no panic, and no work past it.
#[test]
fn a_reader_that_stops_ends_the_run_quietly() {
    let cohort_file = std::env::temp_dir().join(format!("clinrule-pipe-{}", std::process::id()));
    std::fs::write(&cohort_file, cohort(20_000)).expect("a cohort");
    let mut child = Command::new(binary())
        .args([
            "eval",
            RULES,
            "--cases",
            path_text(&cohort_file),
            "--format",
            "json",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    // Read one record, then close the pipe as a pager would.
    let mut stdout = child.stdout.take().expect("its output");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("a first record");
    drop(stdout);
    let output = child.wait_with_output().expect("the command ends");
    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert_eq!(text(&output.stderr), "");
    let _ = std::fs::remove_file(cohort_file);

    // Standard output closed before the command starts (`>&-`) is not a
    // fault the command can see: the Rust runtime opens /dev/null in its
    // place before `main`, so the output is discarded as with `>/dev/null`.
}

/// Mounts a tmpfs of `kilobytes` on the scratch folder, or says why not.
fn small_disk(scratch: &Scratch, kilobytes: u32) -> bool {
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={kilobytes}k"), "tmpfs"])
        .arg(&scratch.path)
        .output()
        .is_ok_and(|output| output.status.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must be able to mount a tmpfs"
        );
        eprintln!("not run: mounting a tmpfs needs root");
    }
    mounted
}

/// Fills the disk under `folder` to its last byte.
fn fill(folder: &Path) {
    let filler = folder.join("filler");
    let mut file = std::fs::File::create(filler).expect("a filler file");
    let block = vec![b'x'; 4096];
    while std::io::Write::write_all(&mut file, &block).is_ok() {}
    let _ = std::io::Write::write_all(&mut file, b"x");
}

#[test]
fn a_full_disk_leaves_every_file_as_it_was() {
    let scratch = Scratch::new("disk");
    if !small_disk(&scratch, 256) {
        return;
    }
    // A rule file laid out badly, so that `fmt` rewrites it.
    let messy = std::fs::read_to_string(RULES)
        .unwrap()
        .replace("  when", "      when");
    let rules = scratch.file("lead.crl");
    std::fs::write(&rules, &messy).expect("the rules");
    let cases = scratch.file("in.ndjson");
    std::fs::write(&cases, cohort(100)).expect("a cohort");
    let results = scratch.file("results.ndjson");
    std::fs::write(&results, "the results of yesterday\n").expect("old results");
    fill(&scratch.path);
    let names = scratch.names();

    let output = clinrule(&["fmt", path_text(&rules)]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("E407") && stderr.contains("the disk is full"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), messy);

    for format in ["json", "summary"] {
        let output = clinrule(&[
            "eval",
            path_text(&rules),
            "--cases",
            path_text(&cases),
            "--format",
            format,
            "--out",
            path_text(&results),
        ]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        assert!(stderr.contains("the disk is full"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&results).unwrap(),
            "the results of yesterday\n"
        );
    }
    // No partial file is left behind.
    assert_eq!(scratch.names(), names);

    // Once there is room again, the same commands succeed.
    std::fs::remove_file(scratch.file("filler")).expect("room");
    let output = clinrule(&["fmt", path_text(&rules)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_ne!(std::fs::read_to_string(&rules).unwrap(), messy);
}

#[test]
fn a_read_only_disk_is_reported_and_nothing_changes() {
    let scratch = Scratch::new("readonly");
    if !small_disk(&scratch, 1024) {
        return;
    }
    let messy = std::fs::read_to_string(RULES)
        .unwrap()
        .replace("  when", "      when");
    let rules = scratch.file("lead.crl");
    std::fs::write(&rules, &messy).expect("the rules");
    let remounted = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&scratch.path)
        .status()
        .expect("mount");
    assert!(remounted.success());
    let output = clinrule(&["fmt", path_text(&rules)]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("the disk is read-only"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), messy);
}

/// SIGTERM, SIGINT or SIGHUP at any point of a cohort run with `--out`
/// leaves either the whole new results or the old file, never a part of a
/// file, and no temporary file with patient data.
#[test]
fn signals_at_any_point_leave_no_partial_file() {
    let scratch = Scratch::new("signals");
    let cases = scratch.file("in.ndjson");
    std::fs::write(&cases, cohort(60_000)).expect("a cohort");
    let results = scratch.file("results.ndjson");
    let mut seed: u64 = 0x5eed_1234;
    let mut killed = 0;
    for (round, (signal, number)) in [("TERM", 15), ("INT", 2), ("HUP", 1)]
        .iter()
        .cycle()
        .take(12)
        .enumerate()
    {
        std::fs::write(&results, "old\n").expect("old results");
        // A pseudo-random delay from 0 to 400 ms, the same on every run.
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let delay = Duration::from_millis((seed >> 33) % 400);
        let mut child = Command::new(binary())
            .args([
                "eval",
                RULES,
                "--cases",
                path_text(&cases),
                "--format",
                "json",
                "--out",
                path_text(&results),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the command starts");
        std::thread::sleep(delay);
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        let status = child.wait().expect("the command ends");
        let written = std::fs::read_to_string(&results).unwrap();
        match status.code() {
            Some(0) => assert!(written.ends_with("\"refused\":0}}\n"), "round {round}"),
            Some(code) => {
                assert_eq!(code, 128 + number, "round {round}");
                assert_eq!(written, "old\n", "round {round}");
                killed += 1;
            }
            None => panic!("round {round}: ended by the signal without cleaning up"),
        }
        assert_eq!(
            scratch.names(),
            ["in.ndjson", "results.ndjson"],
            "round {round}"
        );
    }
    assert!(killed > 0, "no round was interrupted");

    // A run waiting on a pipe that never ends is interrupted mid-line.
    let fifo = scratch.file("pipe.ndjson");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(&results, "old\n").expect("old results");
    let mut child = Command::new(binary())
        .args([
            "eval",
            RULES,
            "--cases",
            path_text(&fifo),
            "--out",
            path_text(&results),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command starts");
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("the pipe");
    std::io::Write::write_all(&mut writer, cohort(100).as_bytes()).expect("cases");
    std::thread::sleep(Duration::from_millis(300));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("the command ends");
    drop(writer);
    assert_eq!(status.code(), Some(143));
    assert_eq!(std::fs::read_to_string(&results).unwrap(), "old\n");
    assert_eq!(
        scratch.names(),
        ["in.ndjson", "pipe.ndjson", "results.ndjson"]
    );
}

#[test]
fn folders_that_loop_and_files_that_never_end_are_not_waited_on() {
    let scratch = Scratch::new("loops");
    let folder = scratch.file("rules");
    std::fs::create_dir_all(folder.join("inner")).expect("folders");
    std::fs::copy(RULES, folder.join("lead.crl")).expect("the rules");
    std::os::unix::fs::symlink(&folder, folder.join("inner/back")).expect("a loop");
    std::os::unix::fs::symlink("itself.crl", folder.join("itself.crl")).expect("a link loop");
    assert!(
        Command::new("mkfifo")
            .arg(folder.join("waiting.crl"))
            .status()
            .unwrap()
            .success()
    );
    let output = clinrule(&["check", path_text(&folder)]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("checked 1 rule file"), "{stdout}");

    for endless in ["/dev/zero", "/dev/urandom"] {
        let output = clinrule(&["eval", RULES, "--cases", endless]);
        assert_eq!(output.status.code(), Some(2));
        assert!(text(&output.stderr).contains("its contents never end"));
        let output = clinrule(&["check", endless]);
        assert_eq!(output.status.code(), Some(2));
        let output = clinrule(&["eval", RULES, "--case", endless]);
        assert_eq!(output.status.code(), Some(2));
    }
    let output = clinrule(&["eval", RULES, "--cases", path_text(&scratch.path)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("E401") && stderr.contains("a folder, not a file"),
        "{stderr}"
    );
}

/// Rules and cases given through a pipe are read once, as they came.
#[test]
fn rules_and_cases_through_pipes() {
    let rules = std::fs::read(SEED_RULES).unwrap();
    let mut child = Command::new(binary())
        .args(["check", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, &rules).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(text(&output.stdout).contains("/dev/stdin: clean"));

    let mut child = Command::new("sh")
        .args([
            "-c",
            "\"$0\" eval \"$1\" --case /dev/stdin < \"$2\"",
            &binary(),
            SEED_RULES,
            SEED_CASE,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Conclusions"));

    let output = run_bounded(
        Command::new("sh")
            .args([
                "-c",
                "cat \"$1\" | \"$0\" eval \"$2\" --cases /dev/stdin",
                &binary(),
                "../../tests/fixtures/cohort/lead.ndjson",
                RULES,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("6 lines: 4 cases evaluated, 2 refused"));
}
