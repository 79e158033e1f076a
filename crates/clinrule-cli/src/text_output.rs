//! The text rendering: a readable tree for a terminal.

use std::fmt::Write as _;

use clinrule_check::model::{ConclusionKind, Condition, DiagnosisAction};
use clinrule_eval::{RuleStatus, Truth};

use crate::json_output::Evaluated;
use crate::report::value_text;

/// Colours, used only when writing to a terminal and `NO_COLOR` is not set.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    /// A palette that colours when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Palette { enabled }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    fn truth(&self, truth: Truth) -> String {
        match truth {
            Truth::True => self.paint("32", "✓"),
            Truth::False => self.paint("31", "✗"),
            Truth::Unknown => self.paint("33", "?"),
        }
    }
}

/// The order in which conclusion kinds are listed.
const KIND_ORDER: [ConclusionKind; 7] = [
    ConclusionKind::Diagnosis,
    ConclusionKind::Test,
    ConclusionKind::Referral,
    ConclusionKind::Treatment,
    ConclusionKind::Warning,
    ConclusionKind::FollowUp,
    ConclusionKind::Note,
];

/// Writes the result as a tree: conclusions, every rule with its conditions, needs and references.
pub fn render(evaluated: &Evaluated<'_>, palette: Palette) -> String {
    let Evaluated {
        rule_set,
        case,
        evaluation,
        ..
    } = *evaluated;
    let metadata = &rule_set.metadata;
    let mut out = String::new();
    let _ = writeln!(out, "{}", palette.bold(&metadata.title));
    let reviewed = metadata.reviewed.map_or_else(
        || "no review date".to_owned(),
        |date| format!("reviewed {date}"),
    );
    let _ = writeln!(
        out,
        "rule set {} {} · status {} · {}",
        metadata.id,
        metadata.version,
        metadata.status.word(),
        reviewed
    );
    if metadata.status != clinrule_syntax::ast::Status::Approved {
        let _ = writeln!(
            out,
            "{}",
            palette.paint(
                "33",
                &format!(
                    "not approved for clinical use: this rule set's status is `{}`",
                    metadata.status.word()
                )
            )
        );
    }
    match (&case.id, &case.description) {
        (Some(id), Some(description)) => {
            let _ = writeln!(out, "case {id}: {description}");
        }
        (Some(id), None) => {
            let _ = writeln!(out, "case {id}");
        }
        (None, Some(description)) => {
            let _ = writeln!(out, "case: {description}");
        }
        (None, None) => {}
    }

    // Conclusions, grouped by kind.
    let _ = writeln!(
        out,
        "\n{}",
        palette.bold(&format!("Conclusions ({})", evaluation.conclusions.len()))
    );
    if evaluation.conclusions.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let mut cited: Vec<usize> = Vec::new();
    for kind in KIND_ORDER {
        for (rule_index, conclusion_index) in &evaluation.conclusions {
            let Some(rule) = rule_set.rules.get(*rule_index) else {
                continue;
            };
            let Some(conclusion) = rule.conclusions.get(*conclusion_index) else {
                continue;
            };
            if conclusion.kind != kind {
                continue;
            }
            let mut headline = conclusion.text.clone();
            match (conclusion.action, conclusion.certainty) {
                (Some(DiagnosisAction::Exclude), Some(certainty)) => {
                    let _ = write!(headline, ": excluded ({})", certainty.word());
                }
                (Some(DiagnosisAction::Suspect), Some(certainty)) => {
                    let _ = write!(headline, ": {}", certainty.word());
                }
                _ => {}
            }
            if let Some(interval) = &conclusion.interval {
                let when = if interval.repeats { "every" } else { "in" };
                let _ = write!(headline, ", {when} {}", interval.text);
            }
            if let Some(urgency) = conclusion.urgency {
                let _ = write!(headline, " [{}]", urgency.word());
            }
            let _ = writeln!(out, "  {:<10} {headline}", kind.word());
            let mut details = format!("id {} · rule {}", conclusion.id, rule.id);
            if !conclusion.citations.is_empty() {
                let ids: Vec<&str> = conclusion
                    .citations
                    .iter()
                    .filter_map(|index| {
                        rule_set
                            .references
                            .get(*index)
                            .map(|reference| reference.id.as_str())
                    })
                    .collect();
                let _ = write!(details, " · cites {}", ids.join(", "));
                for index in &conclusion.citations {
                    if !cited.contains(index) {
                        cited.push(*index);
                    }
                }
            }
            let _ = writeln!(out, "  {:<10} {}", "", palette.dim(&details));
            if let Some(rationale) = &conclusion.rationale {
                let _ = writeln!(
                    out,
                    "  {:<10} {}",
                    "",
                    palette.dim(&format!("because {rationale}"))
                );
            }
        }
    }

    // Every rule with its conditions.
    let _ = writeln!(out, "\n{}", palette.bold("Rules"));
    for (rule, outcome) in rule_set.rules.iter().zip(&evaluation.rules) {
        let truth = match outcome.status {
            RuleStatus::Fired => Truth::True,
            RuleStatus::NotFired => Truth::False,
            RuleStatus::Undetermined => Truth::Unknown,
        };
        let status = format!("{:<12}", outcome.status.word().replace('_', " "));
        let title = rule
            .title
            .as_deref()
            .map(|title| format!("  {}", palette.dim(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}{title}",
            palette.truth(truth),
            status,
            rule.id
        );

        let nodes = clinrule_eval::trace_nodes(rule, outcome);
        // A rule's condition is usually `a and b and c`: list the parts directly.
        let skip_root = matches!(rule.condition, Condition::All(..));
        let lines: Vec<(usize, String, Truth, Option<String>)> = nodes
            .iter()
            .filter(|node| !(skip_root && node.depth == 0))
            .map(|node| {
                let depth = if skip_root {
                    node.depth - 1
                } else {
                    node.depth
                };
                let (label, detail) = match node.condition {
                    Condition::All(..) => ("all of".to_owned(), None),
                    Condition::Any(..) => ("any of".to_owned(), None),
                    Condition::Not(..) => ("not".to_owned(), None),
                    Condition::Test(test) => {
                        let value = value_text(rule_set, case, test)
                            .unwrap_or_else(|| "not given".to_owned());
                        (test.source.clone(), Some(format!("patient: {value}")))
                    }
                };
                (depth, label, node.result, detail)
            })
            .collect();
        let width = lines
            .iter()
            .map(|(depth, label, _, _)| depth * 2 + label.chars().count())
            .max()
            .unwrap_or(0)
            .min(56);
        for (depth, label, result, detail) in &lines {
            let indent = "  ".repeat(*depth);
            let used = depth * 2 + label.chars().count();
            let padding = " ".repeat(width.saturating_sub(used));
            match detail {
                Some(detail) => {
                    let _ = writeln!(
                        out,
                        "      {indent}{} {label}{padding}  {}",
                        palette.truth(*result),
                        palette.dim(detail)
                    );
                }
                None => {
                    let _ = writeln!(out, "      {indent}{} {label}", palette.truth(*result));
                }
            }
        }
        if !outcome.missing.is_empty() {
            let names: Vec<&str> = outcome
                .missing
                .iter()
                .filter_map(|fact| rule_set.facts.get(*fact).map(|fact| fact.name.as_str()))
                .collect();
            let _ = writeln!(out, "      missing: {}", names.join(", "));
        }
    }

    // The facts worth obtaining.
    if !evaluation.needs.is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Needs"));
        for (rank, need) in evaluation.needs.iter().enumerate() {
            let Some(fact) = rule_set.facts.get(need.fact) else {
                continue;
            };
            let description = fact
                .description
                .as_deref()
                .map(|text| format!(": {text}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}. {}{description}", rank + 1, fact.name);
            let rules: Vec<&str> = need
                .rules
                .iter()
                .filter_map(|index| rule_set.rules.get(*index).map(|rule| rule.id.as_str()))
                .collect();
            let rule_word = if rules.len() == 1 { "rule" } else { "rules" };
            let conclusion_word = if need.conclusions == 1 {
                "conclusion"
            } else {
                "conclusions"
            };
            let _ = writeln!(
                out,
                "     would decide {} {rule_word} ({} {conclusion_word}): {}",
                rules.len(),
                need.conclusions,
                rules.join(", ")
            );
        }
    }

    // The references the conclusions cite.
    if !cited.is_empty() {
        cited.sort_unstable();
        let _ = writeln!(out, "\n{}", palette.bold("References"));
        for index in cited {
            let Some(reference) = rule_set.references.get(index) else {
                continue;
            };
            let mut line = format!("  [{}] {}", reference.id, reference.citation);
            if let Some(pmid) = &reference.pmid {
                let _ = write!(line, " PMID {pmid}.");
            }
            if let Some(doi) = &reference.doi {
                let _ = write!(line, " doi:{doi}");
            }
            if let Some(url) = &reference.url {
                let _ = write!(line, " {url}");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
