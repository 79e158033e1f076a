//! `clinrule test`: runs the editors' test cases, with coverage.
//!
//! The tests of `rules/<name>.crl` are the cases in `rules/tests/<name>/`,
//! each with an `expect` object (docs/case-format.md). Each case is read and
//! checked like any case, its expectations are read against the rule set
//! (a misspelt name is an error with a suggestion), it is evaluated, and
//! every expectation it does not meet is shown, expected against actual,
//! with the trace of the rule that differed.

use std::path::{Path, PathBuf};

use clinrule::{CheckedRuleSet, RuleSet};
use clinrule_eval::expect::{ExpectError, check_expectations, read_expectations};
use clinrule_eval::{Evaluation, RuleStatus, Truth};

use crate::error::CliError;
use crate::exit::{EXIT_FINDINGS, EXIT_SUCCESS};
use crate::files;
use crate::session::{Session, read_rules};
use clinrule::render::report::{Evaluated, conditions};
use clinrule::render::text::{Palette, write_reasons};

/// What the tests did to one rule: the statuses seen, and for each
/// condition the results seen (true, false, unknown).
#[derive(Debug, Clone, Default)]
struct RuleCoverage {
    statuses: [bool; 3],
    conditions: Vec<[bool; 3]>,
}

fn status_slot(status: RuleStatus) -> usize {
    match status {
        RuleStatus::Fired => 0,
        RuleStatus::NotFired => 1,
        RuleStatus::Undetermined => 2,
    }
}

fn truth_slot(truth: Truth) -> usize {
    match truth {
        Truth::True => 0,
        Truth::False => 1,
        Truth::Unknown => 2,
    }
}

/// The folder holding a rule file's tests.
pub fn tests_folder(rule_file: &Path) -> PathBuf {
    let stem = rule_file
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    rule_file
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join("tests")
        .join(stem)
}

/// The test cases of a rule file, sorted by name.
fn test_cases(rule_file: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(tests_folder(rule_file)) else {
        return Vec::new();
    };
    let mut cases: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    cases.sort();
    cases
}

/// Totals over every rule file tested.
#[derive(Default)]
struct Totals {
    passed: usize,
    failed: usize,
    rules: usize,
    rules_fired: usize,
}

/// A percentage, rounded down, of `part` in `whole`.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(100)
}

/// Runs the tests of every rule file named.
pub(crate) fn run(
    session: &mut Session<'_>,
    paths: &[PathBuf],
    coverage: bool,
    min_coverage: Option<u8>,
) -> u8 {
    let files = match files::rule_files(paths) {
        Ok(files) => files,
        Err(error) => return session.usage_error(&error),
    };
    let mut totals = Totals::default();
    let mut broken_rule_files = 0;
    let mut found_tests = false;
    for set in files::rule_sets(files) {
        let Some(path) = set.first().map(|file| file.path.clone()) else {
            continue;
        };
        let path = &path;
        let loaded = match read_rules(set, false) {
            Ok(loaded) => loaded,
            Err(error) => {
                session.report(&error, None);
                broken_rule_files += 1;
                continue;
            }
        };
        let Some(rule_set) = loaded.rule_set() else {
            session.report_problems(&loaded);
            let _ = writeln!(
                session.out,
                "{}: has errors; its tests were not run (see `clinrule check`)",
                loaded.file.name()
            );
            broken_rule_files += 1;
            continue;
        };
        let cases = test_cases(path);
        if cases.is_empty() {
            let _ = writeln!(
                session.out,
                "{}: no tests (write them in {})",
                loaded.file.name(),
                tests_folder(path).display()
            );
            continue;
        }
        found_tests = true;
        let _ = writeln!(
            session.out,
            "{}: {} test{}",
            loaded.file.name(),
            cases.len(),
            if cases.len() == 1 { "" } else { "s" }
        );
        let mut covered = vec![RuleCoverage::default(); rule_set.checked().rules().len()];
        for case_path in &cases {
            if run_test(session, rule_set, case_path, &mut covered) {
                totals.passed += 1;
            } else {
                totals.failed += 1;
            }
        }
        totals.rules += rule_set.checked().rules().len();
        totals.rules_fired += covered.iter().filter(|rule| rule.statuses[0]).count();
        if coverage {
            write_coverage(session, rule_set.checked(), &covered);
        }
    }
    if !found_tests && broken_rule_files == 0 {
        return session.usage_error(&CliError::NoTests {
            rules: paths
                .iter()
                .map(|path| format!("`{}`", path.display()))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let _ = writeln!(
        session.out,
        "\n{} passed, {} failed",
        totals.passed, totals.failed
    );
    let mut code = if totals.failed > 0 || broken_rule_files > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_SUCCESS
    };
    if let Some(minimum) = min_coverage {
        let reached = percent(totals.rules_fired, totals.rules);
        let _ = writeln!(
            session.out,
            "rule coverage {reached}% ({} of {} rules fired by a test); the minimum is {minimum}%",
            totals.rules_fired, totals.rules
        );
        if reached < usize::from(minimum) {
            code = EXIT_FINDINGS;
        }
    }
    code
}

/// Runs one test case; returns whether it passed.
fn run_test(
    session: &mut Session<'_>,
    rules: &RuleSet,
    case_path: &Path,
    covered: &mut [RuleCoverage],
) -> bool {
    let rule_set = rules.checked();
    let name = case_path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let case_file = match files::read(case_path) {
        Ok(file) => file,
        Err(error) => {
            session.report(&error, None);
            let _ = writeln!(session.out, "  ✗ {name}: not read");
            return false;
        }
    };
    let case = match rules.read_case(case_file.text()) {
        Ok(case) => case,
        Err(errors) => {
            session.report_many(
                errors.iter().map(|error| error as &dyn miette::Diagnostic),
                &case_file,
            );
            let _ = writeln!(session.out, "  ✗ {name}: the case has errors");
            return false;
        }
    };
    let expectations = match &case.expect {
        None => Err(vec![ExpectError::NoExpectations {
            span: clinrule_syntax::Span::new(0, 1),
        }]),
        Some(node) => read_expectations(node, rule_set),
    };
    let expectations = match expectations {
        Ok(expectations) => expectations,
        Err(errors) => {
            session.report_many(
                errors.iter().map(|error| error as &dyn miette::Diagnostic),
                &case_file,
            );
            let _ = writeln!(session.out, "  ✗ {name}: the expectations have errors");
            return false;
        }
    };
    let evaluation = rules.evaluate(&case);
    record_coverage(rule_set, &evaluation, covered);
    let failures = check_expectations(&expectations, rule_set, &evaluation);
    let title = case
        .id
        .as_deref()
        .map(|id| format!("  {id}"))
        .unwrap_or_default();
    if failures.is_empty() {
        let _ = writeln!(session.out, "  ✓ {name}{title}");
        return true;
    }
    let _ = writeln!(session.out, "  ✗ {name}{title}");
    let evaluated = Evaluated {
        rule_set,
        case: &case,
        evaluation: &evaluation,
    };
    let mut shown_rules: Vec<usize> = Vec::new();
    for failure in &failures {
        let (line, _) = case_file.map().line_column(failure.span.start);
        let _ = writeln!(session.out, "      {} (line {line})", failure.message);
        for rule in &failure.rules {
            if shown_rules.contains(rule) {
                continue;
            }
            shown_rules.push(*rule);
            let (Some(definition), Some(outcome)) =
                (rule_set.rules().get(*rule), evaluation.rules.get(*rule))
            else {
                continue;
            };
            let _ = writeln!(
                session.out,
                "        rule {} {}:",
                definition.id,
                outcome.status.word().replace('_', " ")
            );
            let mut trace = String::new();
            write_reasons(
                &mut trace,
                &evaluated,
                &definition.condition,
                &outcome.nodes,
                Palette::new(false),
            );
            for line in trace.lines() {
                let _ = writeln!(session.out, "    {line}");
            }
        }
    }
    false
}

/// Writes what the tests made of each rule and condition.
fn write_coverage(session: &mut Session<'_>, rule_set: &CheckedRuleSet, covered: &[RuleCoverage]) {
    let fired = covered.iter().filter(|rule| rule.statuses[0]).count();
    let outcomes: usize = covered
        .iter()
        .flat_map(|rule| &rule.conditions)
        .map(|seen| usize::from(seen[0]) + usize::from(seen[1]))
        .sum();
    let possible: usize = covered.iter().map(|rule| rule.conditions.len() * 2).sum();
    let _ = writeln!(
        session.out,
        "  coverage: {fired} of {} rules fired by a test ({}%); conditions seen true and false: {outcomes} of {possible} outcomes ({}%)",
        rule_set.rules().len(),
        percent(fired, rule_set.rules().len()),
        percent(outcomes, possible)
    );
    let mark = |seen: bool, word: &str| {
        if seen {
            format!("{word} ✓")
        } else {
            format!("{word} ·")
        }
    };
    // One column for the names, as wide as the longest (within reason).
    let width = rule_set
        .rules()
        .iter()
        .flat_map(|rule| {
            std::iter::once(rule.id.chars().count()).chain(
                conditions(&rule.condition, &[])
                    .into_iter()
                    .map(|condition| rule_set.text(condition.expr.span).chars().count() + 2),
            )
        })
        .max()
        .unwrap_or(0)
        .min(60);
    for (rule, seen) in rule_set.rules().iter().zip(covered) {
        let _ = writeln!(
            session.out,
            "    {:<width$} {}  {}  {}",
            rule.id,
            mark(seen.statuses[0], "fired"),
            mark(seen.statuses[1], "not fired"),
            mark(seen.statuses[2], "undetermined")
        );
        let sources: Vec<String> = conditions(&rule.condition, &[])
            .iter()
            .map(|condition| rule_set.text(condition.expr.span))
            .collect();
        let inner = width.saturating_sub(2);
        for (source, results) in sources.iter().zip(&seen.conditions) {
            let _ = writeln!(
                session.out,
                "      {:<inner$} {}  {}  {}",
                source,
                mark(results[0], "true"),
                mark(results[1], "false"),
                mark(results[2], "unknown")
            );
        }
    }
    let never: Vec<&str> = rule_set
        .rules()
        .iter()
        .zip(covered)
        .filter(|(_, seen)| !seen.statuses[0])
        .map(|(rule, _)| rule.id.as_str())
        .collect();
    if !never.is_empty() {
        let _ = writeln!(session.out, "  no test fires: {}", never.join(", "));
    }
}

/// Records the statuses and condition results of one evaluation.
fn record_coverage(
    rule_set: &CheckedRuleSet,
    evaluation: &Evaluation,
    covered: &mut [RuleCoverage],
) {
    for ((rule, outcome), seen) in rule_set.rules().iter().zip(&evaluation.rules).zip(covered) {
        if let Some(slot) = seen.statuses.get_mut(status_slot(outcome.status)) {
            *slot = true;
        }
        let results = conditions(&rule.condition, &outcome.nodes);
        if seen.conditions.len() < results.len() {
            seen.conditions.resize(results.len(), [false; 3]);
        }
        for (condition, slots) in results.iter().zip(seen.conditions.iter_mut()) {
            if let Some(slot) = slots.get_mut(truth_slot(condition.value().truth())) {
                *slot = true;
            }
        }
    }
}
