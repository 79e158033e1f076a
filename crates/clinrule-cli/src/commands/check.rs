//! `clinrule check`: every problem of every rule set named, and a verdict per file.

use std::path::PathBuf;

use crate::exit::{EXIT_FINDINGS, EXIT_SUCCESS, EXIT_USAGE};
use crate::files;
use crate::session::{Session, count, read_rules};

/// Checks every rule set in the files and folders named; exit code 1 on any
/// error, or on any warning with `deny_warnings`.
pub(crate) fn run(session: &mut Session<'_>, paths: &[PathBuf], deny_warnings: bool) -> u8 {
    let files = match files::rule_files(paths) {
        Ok(files) => files,
        Err(error) => return session.usage_error(&error),
    };
    let mut total_errors = 0;
    let mut total_warnings = 0;
    let mut unreadable = 0;
    let file_count = files.len();
    for set in files::rule_sets(files) {
        let names: Vec<String> = set
            .iter()
            .map(|file| file.path.display().to_string())
            .collect();
        // With the warnings found by trying cases, once the file is sound.
        let rules = match read_rules(set, true) {
            Ok(rules) => rules,
            Err(error) => {
                session.report(&error, None);
                let _ = writeln!(session.out, "{}: not read", names.join(", "));
                unreadable += 1;
                continue;
            }
        };
        session.report_problems(&rules);
        let (errors, warnings) = (rules.loaded.errors(), rules.loaded.warnings());
        total_errors += errors;
        total_warnings += warnings;
        let verdict = match (errors, warnings) {
            (0, 0) => "clean".to_owned(),
            (errors, warnings) => {
                format!("{}, {}", count(errors, "error"), count(warnings, "warning"))
            }
        };
        let _ = writeln!(session.out, "{}: {verdict}", rules.file.display_name());
    }
    let not_read = if unreadable > 0 {
        format!(", {unreadable} not read")
    } else {
        String::new()
    };
    let _ = writeln!(
        session.out,
        "checked {}: {}, {}{not_read}",
        count(file_count, "rule file"),
        count(total_errors, "error"),
        count(total_warnings, "warning")
    );
    if unreadable > 0 {
        EXIT_USAGE
    } else if total_errors > 0 || (deny_warnings && total_warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_SUCCESS
    }
}
