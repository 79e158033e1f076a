//! `clinrule fmt`: lays rule files out canonically, comments kept; with
//! `--check`, reports the files that would change.

use std::path::PathBuf;

use miette::Diagnostic;

use crate::exit::{EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OUTPUT, EXIT_SUCCESS};
use crate::session::{Session, count};
use crate::{files, output};

/// Formats rule files in place, or with `check` reports those that would change.
pub(crate) fn run(session: &mut Session<'_>, paths: &[PathBuf], check: bool) -> u8 {
    let files = match files::rule_files(paths) {
        Ok(files) => files,
        Err(error) => return session.usage_error(&error),
    };
    let (mut changed, mut refused) = (0, 0);
    for path in &files {
        let file = match files::read(path) {
            Ok(file) => file,
            Err(error) => {
                session.report(&error, None);
                refused += 1;
                continue;
            }
        };
        let (_, errors) = clinrule_syntax::parse(file.text());
        if !errors.is_empty() {
            session.report_many(errors.iter().map(|error| error as &dyn Diagnostic), &file);
            let _ = writeln!(
                session.out,
                "{}: not formatted: fix its syntax errors first",
                file.name()
            );
            refused += 1;
            continue;
        }
        let formatted = clinrule_syntax::format::format(file.text());
        // The layout may change only whitespace: anything else is a bug,
        // and the file is left as it was.
        let same_rules = clinrule_syntax::format::tokens(&formatted)
            == clinrule_syntax::format::tokens(file.text())
            && clinrule_syntax::parse(&formatted).1.is_empty();
        if !same_rules {
            let _ = writeln!(
                session.err,
                "internal error: formatting {} would change more than its layout; the file was left as it was; please report this",
                file.name()
            );
            return EXIT_INTERNAL;
        }
        if formatted == file.text() {
            if !check {
                let _ = writeln!(session.out, "{}: unchanged", file.name());
            }
            continue;
        }
        changed += 1;
        if check {
            let _ = writeln!(session.out, "{}: would be reformatted", file.name());
            continue;
        }
        // Written whole or not at all: on a full disk the editor's file
        // keeps its old text.
        let written = output::Target::check(path, &[])
            .and_then(|target| output::write_text(&target, &formatted));
        if let Err(error) = written {
            session.report(&error, None);
            return EXIT_OUTPUT;
        }
        let _ = writeln!(session.out, "{}: formatted", file.name());
    }
    let verb = if check { "would change" } else { "changed" };
    let _ = writeln!(
        session.out,
        "{} checked: {changed} {verb}{}",
        count(files.len(), "rule file"),
        if refused > 0 {
            format!(", {refused} not formatted")
        } else {
            String::new()
        }
    );
    if refused > 0 || (check && changed > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_SUCCESS
    }
}
