//! The JSON result: its shapes, converted from the engine's types.
//!
//! This module is the contract with integrators, documented in
//! `docs/trace-format.md`. Keys are never renamed or removed within a
//! `format_version`; new keys may be added.

use serde::Serialize;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::Condition;
use clinrule_eval::{Case, Evaluation};
use clinrule_syntax::Span;

use crate::report::{threshold_text, value_text};

/// The version of the result format described in `docs/trace-format.md`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct ResultJson<'a> {
    format_version: u32,
    ruleset: RuleSetJson<'a>,
    case: CaseJson<'a>,
    conclusions: Vec<ConclusionJson<'a>>,
    rules: Vec<RuleJson<'a>>,
    needs: Vec<NeedJson<'a>>,
    references: Vec<ReferenceJson<'a>>,
}

#[derive(Serialize)]
struct RuleSetJson<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    status: &'a str,
    reviewed: Option<String>,
    authors: &'a [String],
    file: &'a str,
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: Option<&'a str>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct ConclusionJson<'a> {
    id: &'a str,
    kind: &'a str,
    action: Option<&'a str>,
    certainty: Option<&'a str>,
    urgency: Option<&'a str>,
    text: &'a str,
    rationale: Option<&'a str>,
    patient_text: Option<&'a str>,
    interval: Option<IntervalJson<'a>>,
    rule: &'a str,
    citations: Vec<&'a str>,
}

#[derive(Serialize)]
struct IntervalJson<'a> {
    repeats: bool,
    text: &'a str,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    status: &'a str,
    conditions: Vec<ConditionJson<'a>>,
    missing: Vec<&'a str>,
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    source: &'a str,
    span: SpanJson,
    fact: &'a str,
    value: Option<String>,
    threshold: Option<String>,
    result: &'a str,
}

#[derive(Serialize)]
struct SpanJson {
    start: u32,
    end: u32,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct NeedJson<'a> {
    fact: &'a str,
    description: Option<&'a str>,
    rules: Vec<&'a str>,
    conclusions: usize,
}

#[derive(Serialize)]
struct ReferenceJson<'a> {
    id: &'a str,
    citation: &'a str,
    pmid: Option<&'a str>,
    doi: Option<&'a str>,
    url: Option<&'a str>,
}

/// Everything a rendering needs to know about one evaluated case.
pub struct Evaluated<'a> {
    /// The rule file's name as shown.
    pub file_name: &'a str,
    /// The rule file's text, for line and column numbers.
    pub source: &'a str,
    /// The checked rule set.
    pub rule_set: &'a CheckedRuleSet,
    /// The case.
    pub case: &'a Case,
    /// The evaluation.
    pub evaluation: &'a Evaluation,
}

fn span_json(span: Span, source: &str) -> SpanJson {
    let (line, column) = span.line_column(source);
    SpanJson {
        start: span.start,
        end: span.end,
        line,
        column,
    }
}

/// Writes the JSON result, pretty-printed, ending with a newline.
pub fn render(evaluated: &Evaluated<'_>) -> String {
    let Evaluated {
        file_name,
        source,
        rule_set,
        case,
        evaluation,
    } = *evaluated;
    let metadata = &rule_set.metadata;
    let reference_id = |index: &usize| {
        rule_set
            .references
            .get(*index)
            .map_or("", |reference| reference.id.as_str())
    };
    let fact_name = |index: &usize| {
        rule_set
            .facts
            .get(*index)
            .map_or("", |fact| fact.name.as_str())
    };

    let conclusions = evaluation
        .conclusions
        .iter()
        .filter_map(|(rule_index, conclusion_index)| {
            let rule = rule_set.rules.get(*rule_index)?;
            let conclusion = rule.conclusions.get(*conclusion_index)?;
            Some(ConclusionJson {
                id: &conclusion.id,
                kind: conclusion.kind.word(),
                action: conclusion.action.map(|action| action.word()),
                certainty: conclusion.certainty.map(|certainty| certainty.word()),
                urgency: conclusion.urgency.map(|urgency| urgency.word()),
                text: &conclusion.text,
                rationale: conclusion.rationale.as_deref(),
                patient_text: conclusion.patient_text.as_deref(),
                interval: conclusion.interval.as_ref().map(|interval| IntervalJson {
                    repeats: interval.repeats,
                    text: &interval.text,
                }),
                rule: &rule.id,
                citations: conclusion.citations.iter().map(reference_id).collect(),
            })
        })
        .collect();

    let rules = rule_set
        .rules
        .iter()
        .zip(&evaluation.rules)
        .map(|(rule, outcome)| {
            let mut conditions = Vec::new();
            for node in clinrule_eval::trace_nodes(rule, outcome) {
                let Condition::Test(test) = node.condition else {
                    continue;
                };
                conditions.push(ConditionJson {
                    source: &test.source,
                    span: span_json(test.span, source),
                    fact: fact_name(&test.fact),
                    value: value_text(rule_set, case, test),
                    threshold: threshold_text(rule_set, test),
                    result: node.result.word(),
                });
            }
            RuleJson {
                id: &rule.id,
                title: rule.title.as_deref(),
                status: outcome.status.word(),
                conditions,
                missing: outcome.missing.iter().map(fact_name).collect(),
            }
        })
        .collect();

    let needs = evaluation
        .needs
        .iter()
        .map(|need| NeedJson {
            fact: fact_name(&need.fact),
            description: rule_set
                .facts
                .get(need.fact)
                .and_then(|fact| fact.description.as_deref()),
            rules: need
                .rules
                .iter()
                .map(|index| {
                    rule_set
                        .rules
                        .get(*index)
                        .map_or("", |rule| rule.id.as_str())
                })
                .collect(),
            conclusions: need.conclusions,
        })
        .collect();

    let result = ResultJson {
        format_version: FORMAT_VERSION,
        ruleset: RuleSetJson {
            id: &metadata.id,
            title: &metadata.title,
            version: &metadata.version,
            status: metadata.status.word(),
            reviewed: metadata.reviewed.map(|date| date.to_string()),
            authors: &metadata.authors,
            file: file_name,
        },
        case: CaseJson {
            id: case.id.as_deref(),
            description: case.description.as_deref(),
        },
        conclusions,
        rules,
        needs,
        references: rule_set
            .references
            .iter()
            .map(|reference| ReferenceJson {
                id: &reference.id,
                citation: &reference.citation,
                pmid: reference.pmid.as_deref(),
                doi: reference.doi.as_deref(),
                url: reference.url.as_deref(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&result).unwrap_or_else(|error| {
        format!("{{\"format_version\": {FORMAT_VERSION}, \"error\": \"{error}\"}}")
    });
    text.push('\n');
    text
}
