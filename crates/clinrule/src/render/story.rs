//! `clinrule explain`: the story of one rule or one conclusion for a case.
//!
//! For a rule that fired, the conditions that made it fire and what it
//! concludes; for one that did not, the conditions that failed, each with
//! the patient's value against the threshold, and what it would have
//! concluded; for an undetermined one, what it waits on and what each
//! missing fact's values would decide.

use std::fmt::Write as _;

use serde::Serialize;

use clinrule_check::CheckedRuleSet;
use clinrule_eval::RuleStatus;

use crate::render::json::{
    ConditionJson, FORMAT_VERSION, ReasonJson, conditions_json, reasons_json,
};
use crate::render::reasons::{self, NeedExplained};
use crate::render::report::Evaluated;
use crate::render::text::{
    Palette, fact_names, headline, rule_mark, write_condition_tree, write_reasons, write_references,
};

/// What to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One rule, by identifier.
    Rule(String),
    /// One conclusion, by identifier: every rule that can reach it.
    Conclusion(String),
}

/// A rule or conclusion the rule set does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTarget {
    /// "rule" or "conclusion".
    pub what: &'static str,
    /// The identifier asked for.
    pub id: String,
    /// The nearest identifier, or the list of them.
    pub help: String,
}

/// The rules to explain, by position; an unknown identifier is an error
/// that proposes the nearest one.
pub fn rules_for(rule_set: &CheckedRuleSet, target: &Target) -> Result<Vec<usize>, UnknownTarget> {
    let (what, id, found, known): (&'static str, &str, Vec<usize>, Vec<&str>) = match target {
        Target::Rule(id) => (
            "rule",
            id,
            rule_set
                .rules()
                .iter()
                .position(|rule| rule.id == *id)
                .into_iter()
                .collect(),
            rule_set
                .rules()
                .iter()
                .map(|rule| rule.id.as_str())
                .collect(),
        ),
        Target::Conclusion(id) => (
            "conclusion",
            id,
            rule_set
                .rules()
                .iter()
                .enumerate()
                .filter(|(_, rule)| {
                    rule.conclusions
                        .iter()
                        .any(|conclusion| conclusion.id == *id)
                })
                .map(|(index, _)| index)
                .collect(),
            rule_set
                .rules()
                .iter()
                .flat_map(|rule| {
                    rule.conclusions
                        .iter()
                        .map(|conclusion| conclusion.id.as_str())
                })
                .collect(),
        ),
    };
    if !found.is_empty() {
        return Ok(found);
    }
    let help = match clinrule_syntax::suggest::did_you_mean(id, known.iter().copied()) {
        Some(nearest) => format!("did you mean `{nearest}`?"),
        None => {
            let mut listed: Vec<&str> = known;
            listed.sort_unstable();
            listed.dedup();
            format!("the {what}s are: {}", listed.join(", "))
        }
    };
    Err(UnknownTarget {
        what,
        id: id.to_owned(),
        help,
    })
}

/// What the values of one missing fact would do to one rule.
struct WouldDecide {
    fact: usize,
    options: Vec<(String, RuleStatus)>,
}

/// For a rule, what each of its missing facts would decide.
fn would_decide(
    evaluated: &Evaluated<'_>,
    needs: &[NeedExplained],
    rule: usize,
) -> Vec<WouldDecide> {
    evaluated
        .evaluation
        .needs
        .iter()
        .zip(needs)
        .filter(|(need, _)| need.rules.contains(&rule))
        .map(|(need, explained)| WouldDecide {
            fact: need.fact,
            options: explained
                .options
                .iter()
                .map(|option| {
                    let status = if option.fires.contains(&rule) {
                        RuleStatus::Fired
                    } else if option.not_fired.contains(&rule) {
                        RuleStatus::NotFired
                    } else {
                        RuleStatus::Undetermined
                    };
                    (option.text.clone(), status)
                })
                .collect(),
        })
        .collect()
}

/// The explanation as text.
pub fn render_text(evaluated: &Evaluated<'_>, rules: &[usize], palette: Palette) -> String {
    let Evaluated {
        rule_set,
        evaluation,
        ..
    } = *evaluated;
    let needs = reasons::needs_explained(evaluated);
    let mut out = String::new();
    let mut cited = Vec::new();
    for (position, index) in rules.iter().enumerate() {
        let (Some(rule), Some(outcome)) =
            (rule_set.rules().get(*index), evaluation.rules.get(*index))
        else {
            continue;
        };
        if position > 0 {
            out.push('\n');
        }
        let title = rule
            .title
            .as_deref()
            .map(|title| format!(": {title}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{}", palette.bold(&format!("Rule {}{title}", rule.id)));
        let verdict = match outcome.status {
            RuleStatus::Fired => "fired, because",
            RuleStatus::NotFired => "did not fire, because",
            RuleStatus::Undetermined => "is undetermined: it waits on",
        };
        let _ = writeln!(out, "  {} {verdict}", rule_mark(palette, outcome.status));
        write_reasons(
            &mut out,
            evaluated,
            &rule.condition,
            &outcome.nodes,
            palette,
        );
        if !outcome.decided_without.is_empty() {
            let _ = writeln!(
                out,
                "    decided without {}: every value it could take gives the same answer",
                fact_names(evaluated, &outcome.decided_without)
            );
        }
        for decide in would_decide(evaluated, &needs, *index) {
            let Some(fact) = rule_set.facts().get(decide.fact) else {
                continue;
            };
            let _ = writeln!(out, "    {} would decide it:", fact.name);
            if decide.options.is_empty() {
                let _ = writeln!(out, "      once it is known");
            }
            for (values, status) in &decide.options {
                let _ = writeln!(
                    out,
                    "      if {values}: {}",
                    status.word().replace('_', " ")
                );
            }
        }
        let heading = match outcome.status {
            RuleStatus::Fired => "it concludes",
            RuleStatus::NotFired | RuleStatus::Undetermined => "it would conclude",
        };
        let _ = writeln!(out, "  {heading}:");
        for conclusion in &rule.conclusions {
            let _ = writeln!(
                out,
                "    {:<10} {}",
                conclusion.kind.word(),
                headline(conclusion)
            );
            if let Some(rationale) = &conclusion.rationale {
                let _ = writeln!(
                    out,
                    "    {:<10} {}",
                    "",
                    palette.dim(&format!("because {rationale}"))
                );
            }
            for citation in &conclusion.citations {
                if !cited.contains(citation) {
                    cited.push(*citation);
                }
            }
        }
        let _ = writeln!(out, "  every condition:");
        write_condition_tree(
            &mut out,
            evaluated,
            &rule.condition,
            &outcome.nodes,
            palette,
            4,
        );
    }
    write_references(&mut out, evaluated, palette, cited);
    out
}

#[derive(Serialize)]
struct ExplainJson<'a> {
    format_version: u32,
    rules: Vec<RuleExplainedJson<'a>>,
}

#[derive(Serialize)]
struct RuleExplainedJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    status: &'static str,
    reasons: Vec<ReasonJson>,
    conditions: Vec<ConditionJson>,
    missing: Vec<&'a str>,
    decided_without: Vec<&'a str>,
    would_decide: Vec<WouldDecideJson<'a>>,
    conclusions: Vec<&'a str>,
    citations: Vec<&'a str>,
}

#[derive(Serialize)]
struct WouldDecideJson<'a> {
    fact: &'a str,
    options: Vec<OptionJson>,
}

#[derive(Serialize)]
struct OptionJson {
    values: String,
    status: &'static str,
}

/// The explanation as JSON, described in docs/trace-format.md.
pub fn render_json(evaluated: &Evaluated<'_>, rules: &[usize]) -> String {
    let Evaluated {
        rule_set,
        evaluation,
        ..
    } = *evaluated;
    let needs = reasons::needs_explained(evaluated);
    let fact_name = |index: &usize| {
        rule_set
            .facts()
            .get(*index)
            .map_or("", |fact| fact.name.as_str())
    };
    let explained = rules
        .iter()
        .filter_map(|index| {
            let rule = rule_set.rules().get(*index)?;
            let outcome = evaluation.rules.get(*index)?;
            let mut citations: Vec<&str> = Vec::new();
            for conclusion in &rule.conclusions {
                for citation in &conclusion.citations {
                    if let Some(reference) = rule_set.references().get(*citation)
                        && !citations.contains(&reference.id.as_str())
                    {
                        citations.push(&reference.id);
                    }
                }
            }
            Some(RuleExplainedJson {
                id: &rule.id,
                title: rule.title.as_deref(),
                status: outcome.status.word(),
                reasons: reasons_json(evaluated, &rule.condition, &outcome.nodes),
                conditions: conditions_json(evaluated, &rule.condition, &outcome.nodes),
                missing: outcome.missing.iter().map(fact_name).collect(),
                decided_without: outcome.decided_without.iter().map(fact_name).collect(),
                would_decide: would_decide(evaluated, &needs, *index)
                    .into_iter()
                    .map(|decide| WouldDecideJson {
                        fact: fact_name(&decide.fact),
                        options: decide
                            .options
                            .into_iter()
                            .map(|(values, status)| OptionJson {
                                values,
                                status: status.word(),
                            })
                            .collect(),
                    })
                    .collect(),
                conclusions: rule
                    .conclusions
                    .iter()
                    .map(|conclusion| conclusion.id.as_str())
                    .collect(),
                citations,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&ExplainJson {
        format_version: FORMAT_VERSION,
        rules: explained,
    })
    .unwrap_or_else(|error| {
        format!("{{\"format_version\": {FORMAT_VERSION}, \"error\": \"{error}\"}}")
    });
    text.push('\n');
    text
}
