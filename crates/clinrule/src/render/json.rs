//! The JSON result: its shapes, converted from the engine's types.
//!
//! This module is the contract with integrators, documented in
//! `docs/trace-format.md`. Keys are never renamed or removed within a
//! `format_version`; new keys may be added.

use serde::Serialize;
use serde_json::Value as Json;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{CANDIDATE_STATUSES, CheckedExprKind, Expr};
use clinrule_eval::{Truth, Val};
use clinrule_syntax::Span;

use crate::render::reasons;
use crate::render::report::{
    Evaluated, conditions, derived_source, derived_uses, derived_value_text, json_number,
    table_rows, tested_value, threshold_text,
};

/// The version of the result format described in `docs/trace-format.md`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct ResultJson<'a> {
    format_version: u32,
    ruleset: RuleSetJson<'a>,
    case: CaseJson<'a>,
    conclusions: Vec<ConclusionJson<'a>>,
    rules: Vec<RuleJson<'a>>,
    derived: Vec<DerivedJson<'a>>,
    scores: Vec<ScoreJson<'a>>,
    differentials: Vec<DifferentialJson<'a>>,
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
    applicable: &'static str,
    population: Vec<PopulationJson<'a>>,
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: Option<&'a str>,
    description: Option<&'a str>,
    as_of: Option<String>,
    set_aside: Vec<SetAsideJson<'a>>,
}

#[derive(Serialize)]
struct SetAsideJson<'a> {
    fact: &'a str,
    value: &'a str,
    reason: &'a str,
    certain: bool,
    waiting_on: Vec<&'a str>,
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
    clinicians_only: bool,
    interval: Option<IntervalJson<'a>>,
    rule: &'a str,
    rules: Vec<&'a str>,
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
    conditions: Vec<ConditionJson>,
    missing: Vec<&'a str>,
    missing_alone_deciding: Vec<&'a str>,
    decided_without: Vec<&'a str>,
    reasons: Vec<ReasonJson>,
}

/// A condition that decided a rule's outcome, in words.
#[derive(Serialize)]
pub(crate) struct ReasonJson {
    /// Its position in the rule's `conditions`.
    pub condition: usize,
    /// Its own result.
    pub result: &'static str,
    /// The sentence.
    pub text: String,
    /// How the derived value or score it tests was obtained.
    pub derivation: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ConditionJson {
    source: String,
    span: SpanJson,
    fact: Option<String>,
    value: Option<String>,
    threshold: Option<String>,
    result: &'static str,
    /// Why a calculation has no value although everything it reads is
    /// known; written only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_computed: Option<&'static str>,
}

#[derive(Serialize)]
pub(crate) struct SpanJson {
    file: String,
    start: u32,
    end: u32,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct DerivedJson<'a> {
    name: &'a str,
    title: Option<&'a str>,
    source: String,
    value: Option<String>,
    rows: Vec<RowJson<'a>>,
    uses: Vec<UseJson>,
    conditions: Vec<ConditionJson>,
    missing: Vec<&'a str>,
}

#[derive(Serialize)]
struct RowJson<'a> {
    row: String,
    text: Option<&'a str>,
    citations: Vec<&'a str>,
}

#[derive(Serialize)]
struct UseJson {
    name: String,
    value: Option<String>,
}

#[derive(Serialize)]
struct ScoreJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    applicable: &'static str,
    population: Vec<PopulationJson<'a>>,
    total: Json,
    min: Json,
    max: Json,
    band: Option<&'a str>,
    band_title: Option<&'a str>,
    recommendation: Option<&'a str>,
    missing: Vec<&'a str>,
    criteria: Vec<CriterionJson<'a>>,
    citations: Vec<&'a str>,
}

#[derive(Serialize)]
struct PopulationJson<'a> {
    title: Option<&'a str>,
    source: String,
    result: &'static str,
}

#[derive(Serialize)]
struct CriterionJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    points: Json,
    min: Json,
    max: Json,
    choices: Vec<ChoiceJson>,
}

#[derive(Serialize)]
struct ChoiceJson {
    points: Json,
    source: String,
    result: &'static str,
}

#[derive(Serialize)]
struct DifferentialJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    candidates: Vec<CandidateJson<'a>>,
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    id: &'a str,
    title: Option<&'a str>,
    status: Option<&'static str>,
    #[serde(rename = "for")]
    support: RangeJson,
    against: RangeJson,
    arguments: Vec<ArgumentJson<'a>>,
    missing: Vec<&'a str>,
}

#[derive(Serialize)]
struct RangeJson {
    min: Json,
    max: Json,
}

#[derive(Serialize)]
struct ArgumentJson<'a> {
    id: &'a str,
    kind: &'static str,
    text: Option<&'a str>,
    weight: Json,
    source: String,
    result: &'static str,
    citations: Vec<&'a str>,
}

#[derive(Serialize)]
struct NeedJson<'a> {
    fact: &'a str,
    description: Option<&'a str>,
    ask: Option<&'a str>,
    rules: Vec<&'a str>,
    conclusions: usize,
    required: bool,
    scores: Vec<&'a str>,
    options: Vec<NeedOptionJson<'a>>,
}

#[derive(Serialize)]
struct NeedOptionJson<'a> {
    values: String,
    fires: Vec<&'a str>,
    not_fired: Vec<&'a str>,
    undetermined: Vec<&'a str>,
}

#[derive(Serialize)]
struct ReferenceJson<'a> {
    id: &'a str,
    citation: &'a str,
    pmid: Option<&'a str>,
    doi: Option<&'a str>,
    url: Option<&'a str>,
}

/// Where a span is: in a rule set written in several files, offsets,
/// line and column are within the file that holds it.
fn span_json(span: Span, rule_set: &CheckedRuleSet) -> SpanJson {
    let start = rule_set.source().locate(span.start);
    SpanJson {
        file: start.file.to_owned(),
        start: start.offset,
        end: start.offset + (span.end - span.start.min(span.end)),
        line: start.line,
        column: start.column,
    }
}

/// The name of what a condition tests, when it is one fact or value.
fn tested_name(rule_set: &CheckedRuleSet, expr: &Expr) -> Option<String> {
    let tested = match &expr.kind {
        CheckedExprKind::Not(inner) => return tested_name(rule_set, inner),
        CheckedExprKind::Compare { left, .. } => left,
        CheckedExprKind::Between { value, .. }
        | CheckedExprKind::Member { value, .. }
        | CheckedExprKind::Presence { value, .. } => value,
        _ => expr,
    };
    match tested.kind {
        CheckedExprKind::Fact(index) => rule_set.facts().get(index).map(|fact| fact.name.clone()),
        CheckedExprKind::Let(_)
        | CheckedExprKind::Score(_)
        | CheckedExprKind::Band(_)
        | CheckedExprKind::Status(..) => Some(rule_set.text(tested.span)),
        _ => None,
    }
}

/// The conditions of an expression, as JSON.
pub(crate) fn conditions_json(
    evaluated: &Evaluated<'_>,
    expr: &Expr,
    values: &[Val],
) -> Vec<ConditionJson> {
    let rule_set = evaluated.rule_set;
    conditions(expr, values)
        .into_iter()
        .map(|condition| ConditionJson {
            source: rule_set.text(condition.expr.span),
            span: span_json(condition.expr.span, rule_set),
            fact: tested_name(rule_set, condition.expr),
            value: tested_value(evaluated, condition.expr, condition.values),
            threshold: threshold_text(rule_set, condition.expr),
            result: condition.value().truth().word(),
            not_computed: crate::render::report::not_computed(condition.expr, condition.values),
        })
        .collect()
}

/// The conditions that decided an expression's value, as JSON.
pub(crate) fn reasons_json(
    evaluated: &Evaluated<'_>,
    expr: &Expr,
    values: &[Val],
) -> Vec<ReasonJson> {
    reasons::reasons(evaluated, expr, values)
        .into_iter()
        .map(|reason| ReasonJson {
            condition: reason.position,
            result: reason.condition.value().truth().word(),
            text: reason.text,
            derivation: reason.derivation,
        })
        .collect()
}

fn truth_word(value: Option<&Val>) -> &'static str {
    value.map_or(Val::Unknown.truth(), Val::truth).word()
}

/// The `applies` conditions of a score or of the rule set, each with its result.
fn population_json<'a>(
    rule_set: &'a CheckedRuleSet,
    clauses: &'a [clinrule_check::model::ScoreApplies],
    values: &[Vec<Val>],
) -> Vec<PopulationJson<'a>> {
    clauses
        .iter()
        .zip(values)
        .map(|(clause, nodes)| PopulationJson {
            title: clause.title.as_deref(),
            source: rule_set.text(clause.condition.span),
            result: truth_word(nodes.first()),
        })
        .collect()
}

/// Writes the JSON result, pretty-printed, ending with a newline.
pub fn render(evaluated: &Evaluated<'_>) -> String {
    let mut text = render_with(evaluated, true);
    text.push('\n');
    text
}

/// Writes the JSON result on one line, without a newline: a cohort record.
pub fn render_compact(evaluated: &Evaluated<'_>) -> String {
    render_with(evaluated, false)
}

fn render_with(evaluated: &Evaluated<'_>, pretty: bool) -> String {
    let Evaluated {
        rule_set,
        case,
        evaluation,
    } = *evaluated;
    let metadata = rule_set.metadata();
    let reference_id = |index: &usize| {
        rule_set
            .references()
            .get(*index)
            .map_or("", |reference| reference.id.as_str())
    };
    let fact_name = |index: &usize| {
        rule_set
            .facts()
            .get(*index)
            .map_or("", |fact| fact.name.as_str())
    };

    let conclusions = evaluation
        .reached(rule_set)
        .into_iter()
        .filter_map(|entry| {
            let rule = rule_set.rules().get(entry.rule)?;
            let conclusion = rule.conclusions.get(entry.conclusion)?;
            let by: Vec<(&str, &clinrule_check::model::CheckedConclusion)> = entry
                .by
                .iter()
                .filter_map(|(rule, conclusion)| {
                    let rule = rule_set.rules().get(*rule)?;
                    Some((rule.id.as_str(), rule.conclusions.get(*conclusion)?))
                })
                .collect();
            let mut citations: Vec<&str> = Vec::new();
            for index in by.iter().flat_map(|(_, conclusion)| &conclusion.citations) {
                let id = reference_id(index);
                if !citations.contains(&id) {
                    citations.push(id);
                }
            }
            Some(ConclusionJson {
                id: &conclusion.id,
                kind: conclusion.kind.word(),
                action: conclusion.action.map(|action| action.word()),
                certainty: conclusion.certainty.map(|certainty| certainty.word()),
                urgency: conclusion.urgency.map(|urgency| urgency.word()),
                text: &conclusion.text,
                rationale: conclusion.rationale.as_deref(),
                patient_text: conclusion.patient_text.as_deref(),
                clinicians_only: conclusion.clinicians_only,
                interval: conclusion.interval.as_ref().map(|interval| IntervalJson {
                    repeats: interval.repeats,
                    text: &interval.text,
                }),
                rule: &rule.id,
                rules: by.iter().map(|(rule, _)| *rule).collect(),
                citations,
            })
        })
        .collect();

    let rule_id = |index: &usize| {
        rule_set
            .rules()
            .get(*index)
            .map_or("", |rule| rule.id.as_str())
    };
    let needs_explained = reasons::needs_explained(evaluated);
    let alone = reasons::deciding_alone(evaluated, &needs_explained);
    let rules = rule_set
        .rules()
        .iter()
        .zip(&evaluation.rules)
        .enumerate()
        .map(|(index, (rule, outcome))| RuleJson {
            id: &rule.id,
            title: rule.title.as_deref(),
            status: outcome.status.word(),
            conditions: conditions_json(evaluated, &rule.condition, &outcome.nodes),
            missing: outcome.missing.iter().map(fact_name).collect(),
            missing_alone_deciding: alone
                .get(index)
                .map(|facts| facts.iter().map(fact_name).collect())
                .unwrap_or_default(),
            decided_without: outcome.decided_without.iter().map(fact_name).collect(),
            reasons: reasons_json(evaluated, &rule.condition, &outcome.nodes),
        })
        .collect();

    let derived = rule_set
        .lets()
        .iter()
        .zip(&evaluation.lets)
        .map(|(derived, outcome)| {
            let uses = derived_uses(evaluated, &derived.value, &outcome.nodes)
                .into_iter()
                .map(|(name, value)| UseJson { name, value })
                .collect();
            let conditions = if derived.value.value_type == clinrule_check::model::ValueType::Bool {
                conditions_json(evaluated, &derived.value, &outcome.nodes)
            } else {
                Vec::new()
            };
            DerivedJson {
                name: &derived.name,
                title: derived.title.as_deref(),
                source: derived_source(rule_set, derived),
                value: derived_value_text(derived, &outcome.value, &outcome.nodes),
                rows: table_rows(derived, &outcome.nodes)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(words, row)| RowJson {
                        row: words,
                        text: row.text.as_deref(),
                        citations: row.citations.iter().map(reference_id).collect(),
                    })
                    .collect(),
                uses,
                conditions,
                missing: outcome.missing.iter().map(fact_name).collect(),
            }
        })
        .collect();

    let scores = rule_set
        .scores()
        .iter()
        .zip(&evaluation.scores)
        .map(|(score, outcome)| {
            let band = outcome.band.and_then(|band| score.bands.get(band));
            let exact = outcome.low == outcome.high;
            // Outside its population a score has no total and no range; while
            // the population is unknown, the range is what it would be.
            let applies = outcome.applicable != Truth::False;
            ScoreJson {
                id: &score.id,
                title: score.title.as_deref(),
                applicable: outcome.applicable.word(),
                population: population_json(rule_set, &score.applies, &outcome.applies),
                total: if exact && outcome.applicable == Truth::True {
                    json_number(outcome.low)
                } else {
                    Json::Null
                },
                min: if applies {
                    json_number(outcome.low)
                } else {
                    Json::Null
                },
                max: if applies {
                    json_number(outcome.high)
                } else {
                    Json::Null
                },
                band: band.map(|band| band.id.as_str()),
                band_title: band.and_then(|band| band.title.as_deref()),
                recommendation: band.and_then(|band| band.recommendation.as_deref()),
                missing: outcome.missing.iter().map(fact_name).collect(),
                criteria: score
                    .criteria
                    .iter()
                    .zip(&outcome.criteria)
                    .map(|(criterion, criterion_outcome)| CriterionJson {
                        id: &criterion.id,
                        title: criterion.title.as_deref(),
                        points: if criterion_outcome.low == criterion_outcome.high {
                            json_number(criterion_outcome.low)
                        } else {
                            Json::Null
                        },
                        min: json_number(criterion_outcome.low),
                        max: json_number(criterion_outcome.high),
                        choices: criterion
                            .choices
                            .iter()
                            .zip(&criterion_outcome.choices)
                            .map(|(choice, nodes)| ChoiceJson {
                                points: json_number(choice.points),
                                source: rule_set.text(choice.condition.span),
                                result: truth_word(nodes.first()),
                            })
                            .collect(),
                    })
                    .collect(),
                citations: score.citations.iter().map(reference_id).collect(),
            }
        })
        .collect();

    let differentials = rule_set
        .differentials()
        .iter()
        .zip(&evaluation.differentials)
        .map(|(differential, outcome)| DifferentialJson {
            id: &differential.id,
            title: differential.title.as_deref(),
            candidates: differential
                .candidates
                .iter()
                .zip(&outcome.candidates)
                .map(|(candidate, candidate_outcome)| CandidateJson {
                    id: &candidate.id,
                    title: candidate.title.as_deref(),
                    status: candidate_outcome
                        .status
                        .and_then(|status| CANDIDATE_STATUSES.get(status).copied()),
                    support: RangeJson {
                        min: json_number(candidate_outcome.support.0),
                        max: json_number(candidate_outcome.support.1),
                    },
                    against: RangeJson {
                        min: json_number(candidate_outcome.opposition.0),
                        max: json_number(candidate_outcome.opposition.1),
                    },
                    arguments: candidate
                        .arguments
                        .iter()
                        .zip(&candidate_outcome.arguments)
                        .map(|(argument, nodes)| ArgumentJson {
                            id: &argument.id,
                            kind: if argument.supports { "for" } else { "against" },
                            text: argument.title.as_deref(),
                            weight: json_number(argument.weight),
                            source: rule_set.text(argument.condition.span),
                            result: truth_word(nodes.first()),
                            citations: argument.citations.iter().map(reference_id).collect(),
                        })
                        .collect(),
                    missing: candidate_outcome.missing.iter().map(fact_name).collect(),
                })
                .collect(),
        })
        .collect();

    let needs = evaluation
        .needs
        .iter()
        .zip(&needs_explained)
        .map(|(need, explained)| NeedJson {
            fact: fact_name(&need.fact),
            description: rule_set
                .facts()
                .get(need.fact)
                .and_then(|fact| fact.description.as_deref()),
            ask: rule_set
                .facts()
                .get(need.fact)
                .and_then(|fact| fact.ask.as_deref()),
            rules: need.rules.iter().map(rule_id).collect(),
            conclusions: need.conclusions,
            required: need.required,
            scores: need
                .scores
                .iter()
                .filter_map(|index| rule_set.scores().get(*index))
                .map(|score| score.id.as_str())
                .collect(),
            // A required fact that no rule reads yet decides nothing.
            options: if need.rules.is_empty() {
                Vec::new()
            } else {
                explained
                    .options
                    .iter()
                    .map(|option| NeedOptionJson {
                        values: option.text.clone(),
                        fires: option.fires.iter().map(rule_id).collect(),
                        not_fired: option.not_fired.iter().map(rule_id).collect(),
                        undetermined: option.undetermined.iter().map(rule_id).collect(),
                    })
                    .collect()
            },
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
            file: rule_set.source().name(),
            applicable: evaluation.applicable.word(),
            population: population_json(rule_set, rule_set.population(), &evaluation.population),
        },
        case: CaseJson {
            id: case.id.as_deref(),
            description: case.description.as_deref(),
            as_of: case.as_of.map(|date| date.to_string()),
            set_aside: rule_set
                .facts()
                .iter()
                .zip(&case.slots)
                .filter_map(|(fact, slot)| match slot {
                    clinrule_eval::case::Slot::SetAside {
                        value,
                        by,
                        certain,
                        waiting_on,
                    } => Some(SetAsideJson {
                        fact: &fact.name,
                        value: &value.display,
                        reason: fact
                            .set_aside
                            .get(*by)
                            .map_or("", |clause| clause.reason.as_str()),
                        certain: *certain,
                        waiting_on: waiting_on.iter().map(fact_name).collect(),
                    }),
                    _ => None,
                })
                .collect(),
        },
        conclusions,
        rules,
        derived,
        scores,
        differentials,
        needs,
        references: rule_set
            .references()
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
    let written = if pretty {
        serde_json::to_string_pretty(&result)
    } else {
        serde_json::to_string(&result)
    };
    written.unwrap_or_else(|error| {
        format!("{{\"format_version\": {FORMAT_VERSION}, \"error\": \"{error}\"}}")
    })
}
