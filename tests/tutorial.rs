//! The tutorial's commands, run as the tutorial tells an editor to run them,
//! print what the tutorial shows: `docs/tutorial.md` cannot drift from the
//! tool again. The files are the tutorial's own code blocks, written into a
//! scratch folder step by step.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that cannot read the tutorial must fail loudly"
)]

use std::path::{Path, PathBuf};

use clinrule_tests::{clinrule, read, root};

/// One fenced block of the tutorial: its info string and its text.
struct Block {
    info: String,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for line in markdown.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

/// A scratch folder for the tutorial's files, removed at the end.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(format!("clinrule-tutorial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join("rules/tests/lead-screening")).expect("a folder");
        std::fs::create_dir_all(path.join("cases")).expect("a folder");
        Folder(path)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).expect("written");
    }

    /// Runs a command line as the tutorial writes it (`$ clinrule ...`),
    /// with its paths in the scratch folder, and gives what it printed with
    /// the paths as the tutorial shows them.
    fn run(&self, command: &str) -> String {
        let words: Vec<String> = command
            .trim_start_matches("$ clinrule ")
            .split_whitespace()
            .map(|word| {
                if word.starts_with("rules") || word.starts_with("cases") {
                    self.0.join(word).to_string_lossy().into_owned()
                } else {
                    word.to_owned()
                }
            })
            .collect();
        let arguments: Vec<&str> = words.iter().map(String::as_str).collect();
        let output = clinrule(&arguments);
        let prefix = format!("{}/", self.0.display());
        // As a terminal shows them: a file's problems are written before
        // its verdict.
        format!("{}{}", output.stderr, output.stdout).replace(&prefix, "")
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A command block: the command, and what the tutorial shows it prints.
fn command(block: &Block) -> (&str, &str) {
    block
        .text
        .split_once('\n')
        .expect("a command and its output")
}

#[test]
fn the_tutorial_prints_what_the_tool_prints() {
    let tutorial = read(&root().join("docs/tutorial.md"));
    let blocks = blocks(&tutorial);
    let of = |info: &'static str| -> Vec<&Block> {
        blocks.iter().filter(|block| block.info == info).collect()
    };
    let rule_file = of("crl");
    let json = of("json");
    let shown = of("");
    assert_eq!(
        rule_file.len(),
        3,
        "the header, the rule with a slip, the rule below"
    );
    assert_eq!(json.len(), 4, "the case and three tests");
    let folder = Folder::new();

    // 1 and 2: the file with the slip, and what `check` says of it.
    let file = Path::new("rules/lead-screening.crl");
    let with_slip = format!("{}\n{}", rule_file[0].text, rule_file[1].text);
    folder.write("rules/lead-screening.crl", &with_slip);
    let (check, expected) = command(shown[0]);
    assert_eq!(check, format!("$ clinrule check {}", file.display()));
    assert_eq!(folder.run(check), expected, "the check of the slip");

    // Corrected, with the rule below the threshold: clean.
    let corrected = format!(
        "{}\n{}",
        with_slip.replace("lab.blod_lead", "lab.blood_lead"),
        rule_file[2].text
    );
    folder.write("rules/lead-screening.crl", &corrected);
    assert!(
        folder
            .run("$ clinrule check rules/")
            .contains("rules/lead-screening.crl: clean"),
        "the corrected file is clean"
    );

    // 3: the patient, and the needs without a blood lead.
    folder.write("cases/toddler.json", &json[0].text);
    let (eval, expected) = command(shown[1]);
    assert_eq!(folder.run(eval), expected, "the evaluation of the toddler");
    folder.write("cases/no-lead.json", r#"{"facts": {"age": "2 years"}}"#);
    let without_lead =
        folder.run("$ clinrule eval rules/lead-screening.crl --case cases/no-lead.json");
    assert!(
        without_lead.contains(&shown[2].text),
        "the needs without a blood lead:\n{without_lead}"
    );

    // 4: the tests at the threshold, passing, then failing after a slip.
    for (block, name) in
        json[1..]
            .iter()
            .zip(["at-the-reference-value", "just-below", "not-measured"])
    {
        folder.write(
            &format!("rules/tests/lead-screening/{name}.json"),
            &block.text,
        );
    }
    let (test, expected) = command(shown[3]);
    assert_eq!(folder.run(test), expected, "the tests with coverage");
    let slipped = corrected.replacen(
        "lab.blood_lead >= 3.5 ug/dL",
        "lab.blood_lead >= 5 ug/dL",
        1,
    );
    assert_ne!(slipped, corrected);
    folder.write("rules/lead-screening.crl", &slipped);
    let (test, expected) = command(shown[4]);
    assert_eq!(folder.run(test), expected, "the tests after the slip");

    // 5: the graph begins as shown.
    folder.write("rules/lead-screening.crl", &corrected);
    let graph = folder.run("$ clinrule graph rules/lead-screening.crl");
    let shown_graph = shown[5].text.split("  ...\n").next().unwrap_or_default();
    assert!(
        graph.starts_with(shown_graph),
        "the graph:\n{graph}\nshown:\n{shown_graph}"
    );
}
