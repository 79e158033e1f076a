//! Explanations in words: why a rule fired (HOW), why it did not (WHY NOT),
//! what leaves it undecided (UNKNOWN), and what each missing fact would
//! decide. Every rendering (text, JSON, Markdown, `explain`) uses these, so
//! a clinician reads the same sentence wherever they look.

use std::collections::{HashMap, HashSet};

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedConclusion, CheckedExprKind, ConclusionKind, Const, Count, DiagnosisAction, Expr,
    FactIndex, ReferenceIndex, Score, ScoreApplies, ValueType,
};
use clinrule_eval::{NeedOption, RuleStatus, ScoreOutcome, Threshold, Truth, Val, ValueRange};
use clinrule_syntax::ast::CompareOp;

use crate::render::report::{
    Condition, Evaluated, conditions, tested_value, threshold_text, value_text,
};

/// A condition that decided a rule's outcome, in words.
pub struct Reason<'a> {
    /// The condition.
    pub condition: Condition<'a>,
    /// Its position among the rule's conditions as the trace lists them.
    pub position: usize,
    /// The sentence: "Venous blood lead level 1.2 ug/dL is below 3.5 ug/dL".
    pub text: String,
    /// When the condition tests a derived value or a score, how that was
    /// obtained: "bmi = weight / (height * height), from weight 90 kg, height 1.7 m".
    pub derivation: Option<String>,
}

/// The conditions that decided an expression's value: for a value that
/// holds, the parts that made it hold; for one that fails, the parts that
/// made it fail; for an unknown one, the unknown parts it waits on.
pub fn reasons<'a>(
    evaluated: &Evaluated<'_>,
    expr: &'a Expr,
    values: &'a [Val],
) -> Vec<Reason<'a>> {
    let target = values.first().map_or(Truth::Unknown, Val::truth);
    let mut decisive = Vec::new();
    decisive_conditions(expr, values, target, &mut decisive);
    let listed = conditions(expr, values);
    decisive
        .into_iter()
        .map(|condition| Reason {
            position: listed
                .iter()
                .position(|known| std::ptr::eq(known.expr, condition.expr))
                .unwrap_or(0),
            text: sentence(evaluated, condition.expr, condition.values),
            derivation: derivation(evaluated, condition.expr),
            condition,
        })
        .collect()
}

/// What a condition tests, when it is a derived value, score or band.
fn tested_expr(expr: &Expr) -> &Expr {
    match &expr.kind {
        CheckedExprKind::Not(inner) => tested_expr(inner),
        CheckedExprKind::Compare { left: tested, .. }
        | CheckedExprKind::Between { value: tested, .. }
        | CheckedExprKind::Member { value: tested, .. }
        | CheckedExprKind::Presence { value: tested, .. } => tested,
        _ => expr,
    }
}

/// How the derived value or score a condition tests was obtained, back to
/// the facts.
fn derivation(evaluated: &Evaluated<'_>, expr: &Expr) -> Option<String> {
    let rule_set = evaluated.rule_set;
    let evaluation = evaluated.evaluation;
    match tested_expr(expr).kind {
        CheckedExprKind::Let(index) => {
            let derived = rule_set.lets().get(index)?;
            let outcome = evaluation.lets.get(index)?;
            let uses: Vec<String> =
                crate::render::report::derived_uses(evaluated, &derived.value, &outcome.nodes)
                    .into_iter()
                    .map(|(name, value)| {
                        format!("{name} {}", value.unwrap_or_else(|| "not given".to_owned()))
                    })
                    .collect();
            Some(format!(
                "{} = {}, from {}",
                derived.name,
                crate::render::report::derived_source(rule_set, derived),
                uses.join(", ")
            ))
        }
        CheckedExprKind::Score(index) | CheckedExprKind::Band(index) => {
            let score = rule_set.scores().get(index)?;
            let outcome = evaluation.scores.get(index)?;
            match outcome.applicable {
                Truth::False => {
                    return Some(format!(
                        "{} does not apply, not met: {}",
                        score.id,
                        population_text(rule_set, score, outcome, Truth::False)
                    ));
                }
                Truth::Unknown => {
                    return Some(format!(
                        "{} may not apply, not yet known: {}",
                        score.id,
                        population_text(rule_set, score, outcome, Truth::Unknown)
                    ));
                }
                Truth::True => {}
            }
            let parts: Vec<String> = score
                .criteria
                .iter()
                .zip(&outcome.criteria)
                .filter(|(_, points)| {
                    points.low != points.high
                        || points.low != clinrule_check::number::Rational::ZERO
                })
                .map(|(criterion, points)| {
                    let title = criterion.title.as_deref().unwrap_or(&criterion.id);
                    if points.low == points.high {
                        format!("{title} {}", points.low)
                    } else {
                        format!("{title} {} to {}", points.low, points.high)
                    }
                })
                .collect();
            let total = if outcome.low == outcome.high {
                outcome.low.to_string()
            } else {
                format!("{} to {}", outcome.low, outcome.high)
            };
            let from = if parts.is_empty() {
                "no criterion scores".to_owned()
            } else {
                parts.join(", ")
            };
            Some(format!("{} {total}, from {from}", score.id))
        }
        _ => None,
    }
}

/// Each condition of a score's population with its truth for the case, in
/// words: the population as the editor named it, with the condition as
/// written ("Adults (age >= 18 years)"), or the condition alone.
pub fn population(
    rule_set: &CheckedRuleSet,
    score: &Score,
    outcome: &ScoreOutcome,
) -> Vec<(Truth, String)> {
    population_of(rule_set, &score.applies, &outcome.applies)
}

/// Each `applies` condition with its truth, in words, from the values of
/// its nodes: a score's, or the whole rule set's.
pub fn population_of(
    rule_set: &CheckedRuleSet,
    clauses: &[ScoreApplies],
    values: &[Vec<Val>],
) -> Vec<(Truth, String)> {
    clauses
        .iter()
        .zip(values)
        .map(|(clause, nodes)| {
            let source = on_one_line(&rule_set.text(clause.condition.span));
            let words = match &clause.title {
                Some(title) => format!("{title} ({source})"),
                None => source,
            };
            (truth_of(nodes), words)
        })
        .collect()
}

/// The conditions of a score's population that have the truth `which`,
/// joined: why it does not apply, or what is not known about it.
pub fn population_text(
    rule_set: &CheckedRuleSet,
    score: &Score,
    outcome: &ScoreOutcome,
    which: Truth,
) -> String {
    population(rule_set, score, outcome)
        .into_iter()
        .filter(|(truth, _)| *truth == which)
        .map(|(_, words)| words)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A condition written over several lines, on one.
fn on_one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The direct parts of an expression, each with the values of its nodes.
fn parts<'a>(expr: &'a Expr, values: &'a [Val]) -> Vec<(&'a Expr, &'a [Val])> {
    let mut offset = 1;
    expr.children()
        .map(|child| {
            let count = child.node_count();
            let slice = values.get(offset..offset + count).unwrap_or_default();
            offset += count;
            (child, slice)
        })
        .collect()
}

fn truth_of(values: &[Val]) -> Truth {
    values.first().map_or(Truth::Unknown, Val::truth)
}

/// Collects the conditions under `expr` that give it the value `target`.
fn decisive_conditions<'a>(
    expr: &'a Expr,
    values: &'a [Val],
    target: Truth,
    found: &mut Vec<Condition<'a>>,
) {
    if expr.is_condition_leaf() {
        found.push(Condition { expr, values });
        return;
    }
    match &expr.kind {
        CheckedExprKind::All(_) | CheckedExprKind::Any(_) | CheckedExprKind::Count { .. } => {
            // Which value of a part supports the whole's value.
            // For `at most N of`, the parts that fail make the whole hold.
            let supporting = match &expr.kind {
                CheckedExprKind::Count {
                    count: Count::AtMost(_),
                    ..
                } => !target,
                _ => target,
            };
            for (child, slice) in parts(expr, values) {
                if truth_of(slice) == supporting {
                    decisive_conditions(child, slice, supporting, found);
                }
            }
        }
        CheckedExprKind::Not(_) => {
            if let Some((child, slice)) = parts(expr, values).into_iter().next() {
                decisive_conditions(child, slice, !target, found);
            }
        }
        CheckedExprKind::Otherwise(_) => {
            if let Some((child, slice)) = parts(expr, values)
                .into_iter()
                .find(|(_, slice)| truth_of(slice) == target)
            {
                decisive_conditions(child, slice, target, found);
            }
        }
        _ => found.push(Condition { expr, values }),
    }
}

/// What a condition tests, as a clinician names it: a fact's description,
/// a derived value's or score's title.
fn subject(rule_set: &CheckedRuleSet, expr: &Expr) -> String {
    match expr.kind {
        CheckedExprKind::Fact(index) => {
            rule_set
                .facts()
                .get(index)
                .map_or_else(String::new, |fact| {
                    fact.description
                        .clone()
                        .unwrap_or_else(|| fact.name.clone())
                })
        }
        CheckedExprKind::Let(index) => {
            rule_set
                .lets()
                .get(index)
                .map_or_else(String::new, |derived| {
                    derived
                        .title
                        .clone()
                        .unwrap_or_else(|| derived.name.clone())
                })
        }
        CheckedExprKind::Score(index) => rule_set
            .scores()
            .get(index)
            .map_or_else(String::new, |score| {
                score.title.clone().unwrap_or_else(|| score.id.clone())
            }),
        CheckedExprKind::Band(index) => rule_set
            .scores()
            .get(index)
            .map_or_else(String::new, |score| {
                format!("{} band", score.title.as_deref().unwrap_or(&score.id))
            }),
        CheckedExprKind::Status(differential, candidate) => rule_set
            .differentials()
            .get(differential)
            .and_then(|differential| differential.candidates.get(candidate))
            .map_or_else(String::new, |candidate| {
                format!(
                    "The status of {}",
                    candidate.title.as_deref().unwrap_or(&candidate.id)
                )
            }),
        // "Temperature rounded to 0.1 Cel": what is rounded, then how.
        CheckedExprKind::Round { ref value, .. } => {
            let written = rule_set.text(expr.span);
            let how = written
                .find("rounded")
                .and_then(|at| written.get(at..))
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("{} {how}", subject(rule_set, value))
        }
        _ => format!("`{}`", rule_set.text(expr.span)),
    }
}

/// What "not given" means for what a condition tests.
fn not_given(expr: &Expr) -> &'static str {
    if matches!(expr.kind, CheckedExprKind::Fact(_)) {
        "is not given"
    } else {
        "is not known"
    }
}

/// The words for a comparison that holds or fails.
fn relation(op: CompareOp, holds: bool, dates: bool) -> &'static str {
    match (op, holds, dates) {
        (CompareOp::GreaterOrEqual, true, false) | (CompareOp::Less, false, false) => "at or above",
        (CompareOp::GreaterOrEqual, false, false) | (CompareOp::Less, true, false) => "below",
        (CompareOp::Greater, true, false) | (CompareOp::LessOrEqual, false, false) => "above",
        (CompareOp::Greater, false, false) | (CompareOp::LessOrEqual, true, false) => "at or below",
        (CompareOp::GreaterOrEqual, true, true) | (CompareOp::Less, false, true) => "on or after",
        (CompareOp::GreaterOrEqual, false, true) | (CompareOp::Less, true, true) => "before",
        (CompareOp::Greater, true, true) | (CompareOp::LessOrEqual, false, true) => "after",
        (CompareOp::Greater, false, true) | (CompareOp::LessOrEqual, true, true) => "on or before",
        (CompareOp::Equal, true, _) | (CompareOp::NotEqual, false, _) => "equal to",
        (CompareOp::Equal, false, _) | (CompareOp::NotEqual, true, _) => "not equal to",
    }
}

/// One condition as a sentence, with the patient's value against the
/// threshold: "Venous blood lead level 1.2 ug/dL is below 3.5 ug/dL".
pub fn sentence(evaluated: &Evaluated<'_>, expr: &Expr, values: &[Val]) -> String {
    let rule_set = evaluated.rule_set;
    let truth = truth_of(values);
    // A value the case gives but the rule set sets aside is not used: the
    // condition waits, and the sentence says why.
    if truth == Truth::Unknown
        && let CheckedExprKind::Fact(index) = tested_expr(expr).kind
        && let Some(slot @ clinrule_eval::case::Slot::SetAside { value, .. }) =
            evaluated.case.slots.get(index)
        && let Some(fact) = rule_set.facts().get(index)
    {
        let why = crate::render::report::set_aside_text(fact, slot).unwrap_or_default();
        return format!(
            "{} {} is set aside: {why}",
            subject(rule_set, tested_expr(expr)),
            value.display
        );
    }
    match &expr.kind {
        CheckedExprKind::Not(inner)
            if matches!(
                inner.kind,
                CheckedExprKind::Fact(_) | CheckedExprKind::Let(_)
            ) =>
        {
            let plain = sentence(evaluated, inner, values.get(1..).unwrap_or_default());
            if truth == Truth::False {
                format!("{plain}, where the rule needs no")
            } else {
                plain
            }
        }
        CheckedExprKind::Not(inner) if inner.is_condition_leaf() => {
            sentence(evaluated, inner, values.get(1..).unwrap_or_default())
        }
        CheckedExprKind::Compare {
            op, left, right, ..
        } => {
            let who = subject(rule_set, left);
            let value = tested_value(evaluated, expr, values);
            let threshold = threshold_text(rule_set, expr).unwrap_or_default();
            // `x = yes` and `x = no` read like the yes/no finding itself.
            if let CheckedExprKind::Const(Const::Bool(wanted)) = right.kind {
                let wanted = if wanted == (*op == CompareOp::Equal) {
                    "yes"
                } else {
                    "no"
                };
                return match (value, truth) {
                    (Some(value), Truth::False) => {
                        format!("{who}: {value}, where the rule needs {wanted}")
                    }
                    (Some(value), _) => format!("{who}: {value}"),
                    (None, _) => format!("{who}: not given"),
                };
            }
            let dates = matches!(left.value_type, ValueType::Date);
            let codes = matches!(left.value_type, ValueType::Code(_));
            match (truth, value) {
                (_, None) => format!("{who} {}", not_given(left)),
                (Truth::Unknown, Some(value)) => format!(
                    "{who} {value} may or may not be {} {threshold}",
                    relation(*op, true, dates)
                ),
                (truth, Some(value)) if codes => {
                    let holds = truth == Truth::True;
                    match (op, holds) {
                        (CompareOp::Equal, true) | (CompareOp::NotEqual, false) => {
                            format!("{who} is {value}")
                        }
                        _ => format!("{who} is {value}, not {threshold}"),
                    }
                }
                (truth, Some(value)) => format!(
                    "{who} {value} is {} {threshold}",
                    relation(*op, truth == Truth::True, dates)
                ),
            }
        }
        CheckedExprKind::Between { value: tested, .. } => {
            let who = subject(rule_set, tested);
            let threshold = threshold_text(rule_set, expr).unwrap_or_default();
            match (truth, tested_value(evaluated, expr, values)) {
                (_, None) => format!("{who} {}", not_given(tested)),
                (Truth::True, Some(value)) => {
                    format!("{who} {value} is in the range {threshold}")
                }
                (Truth::False, Some(value)) => {
                    format!("{who} {value} is outside the range {threshold}")
                }
                (Truth::Unknown, Some(value)) => {
                    format!("{who} {value} may or may not be in the range {threshold}")
                }
            }
        }
        CheckedExprKind::Member {
            value: tested,
            negated,
            ..
        } => {
            let who = subject(rule_set, tested);
            let list = threshold_text(rule_set, expr).unwrap_or_default();
            match (truth, tested_value(evaluated, expr, values)) {
                (_, None) => format!("{who} {}", not_given(tested)),
                (Truth::Unknown, Some(value)) => {
                    format!("{who} {value} may or may not be one of {list}")
                }
                (truth, Some(value)) => {
                    let inside = (truth == Truth::True) != *negated;
                    if inside {
                        format!("{who} is {value}, one of {list}")
                    } else {
                        format!("{who} is {value}, not one of {list}")
                    }
                }
            }
        }
        CheckedExprKind::Presence { value: tested, .. } => {
            let who = subject(rule_set, tested);
            let is_fact = matches!(tested.kind, CheckedExprKind::Fact(_));
            // The tested value's own result follows the condition's.
            let exact = values.get(1).is_some_and(Val::is_exact);
            match tested_value(evaluated, expr, values) {
                Some(value) if is_fact => format!("{who} is given: {value}"),
                // A computed value is known when exact; a range is what an
                // input still missing leaves.
                Some(value) if exact => format!("{who} is known: {value}"),
                Some(value) => format!("{who} is not known exactly: {value}"),
                None => format!("{who} {}", not_given(tested)),
            }
        }
        CheckedExprKind::Fact(_) | CheckedExprKind::Let(_) => {
            let who = subject(rule_set, expr);
            match value_text(evaluated, expr, values.first().unwrap_or(&Val::Unknown)) {
                Some(value) => format!("{who}: {value}"),
                None => format!("{who}: not given"),
            }
        }
        _ => {
            let source = rule_set.text(expr.span);
            match truth {
                Truth::True => format!("`{source}` holds"),
                Truth::False => format!("`{source}` does not hold"),
                Truth::Unknown => format!("`{source}` cannot be decided yet"),
            }
        }
    }
}

/// A range of a missing fact's values, in words: "at or above 3.5 ug/dL",
/// "female or other", "yes".
pub fn range_text(rule_set: &CheckedRuleSet, fact: FactIndex, range: &ValueRange) -> String {
    match range {
        ValueRange::YesNo(answer) => if *answer { "yes" } else { "no" }.to_owned(),
        ValueRange::Codes(codes) => {
            let names: Vec<String> = match rule_set.facts().get(fact).map(|fact| &fact.fact_type) {
                Some(clinrule_check::model::FactType::OneOf(known)) => codes
                    .iter()
                    .filter_map(|code| known.get(*code).cloned())
                    .collect(),
                _ => Vec::new(),
            };
            names.join(" or ")
        }
        ValueRange::Between { low, high } => {
            let written = |bound: &clinrule_eval::Bound| rule_set.text(bound.span);
            let dates =
                |bound: &clinrule_eval::Bound| matches!(bound.threshold, Threshold::Date(_));
            let low_words = low.as_ref().map(|bound| {
                let words = match (bound.inclusive, dates(bound)) {
                    (true, false) => "at or above",
                    (false, false) => "above",
                    (true, true) => "on or after",
                    (false, true) => "after",
                };
                format!("{words} {}", written(bound))
            });
            let high_words = high.as_ref().map(|bound| {
                let words = match (bound.inclusive, dates(bound)) {
                    (true, false) => "at or below",
                    (false, false) => "below",
                    (true, true) => "on or before",
                    (false, true) => "before",
                };
                format!("{words} {}", written(bound))
            });
            match (low, high, low_words, high_words) {
                (Some(low), Some(high), _, _)
                    if low.inclusive && high.inclusive && low.threshold == high.threshold =>
                {
                    if dates(low) {
                        format!("on {}", written(low))
                    } else {
                        format!("exactly {}", written(low))
                    }
                }
                (_, _, Some(low), Some(high)) => format!("{low} and {high}"),
                (_, _, Some(words), None) | (_, _, None, Some(words)) => words,
                (_, _, None, None) => "any value".to_owned(),
            }
        }
    }
}

/// What a missing fact would decide, for every rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedExplained {
    /// Each range of values, in words, with the rules that would then fire,
    /// not fire, or stay undetermined (by position in the rule set).
    pub options: Vec<OptionExplained>,
}

impl NeedExplained {
    /// Whether some value of the fact, on its own, decides one of its rules.
    pub fn decides_something(&self) -> bool {
        self.options
            .iter()
            .any(|option| !option.fires.is_empty() || !option.not_fired.is_empty())
    }
}

/// One range of a missing fact's values and what it would decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionExplained {
    /// The values, in words.
    pub text: String,
    /// The rules that would fire.
    pub fires: Vec<usize>,
    /// The rules that would not fire.
    pub not_fired: Vec<usize>,
    /// The rules that would still be undetermined.
    pub undetermined: Vec<usize>,
}

/// Explains every need of an evaluation.
pub fn needs_explained(evaluated: &Evaluated<'_>) -> Vec<NeedExplained> {
    let options =
        clinrule_eval::need_options(evaluated.rule_set, evaluated.case, evaluated.evaluation);
    evaluated
        .evaluation
        .needs
        .iter()
        .zip(options)
        .map(|(need, options)| NeedExplained {
            options: options
                .iter()
                .map(|option| explain_option(evaluated.rule_set, need.fact, &need.rules, option))
                .collect(),
        })
        .collect()
}

fn explain_option(
    rule_set: &CheckedRuleSet,
    fact: FactIndex,
    rules: &[usize],
    option: &NeedOption,
) -> OptionExplained {
    let mut explained = OptionExplained {
        text: range_text(rule_set, fact, &option.range),
        fires: Vec::new(),
        not_fired: Vec::new(),
        undetermined: Vec::new(),
    };
    for (rule, status) in rules.iter().zip(&option.statuses) {
        match status {
            RuleStatus::Fired => explained.fires.push(*rule),
            RuleStatus::NotFired => explained.not_fired.push(*rule),
            RuleStatus::Undetermined => explained.undetermined.push(*rule),
        }
    }
    explained
}

/// For each rule, the missing facts that would decide it on their own:
/// every value of the fact leaves the rule fired or not fired.
pub fn deciding_alone(evaluated: &Evaluated<'_>, needs: &[NeedExplained]) -> Vec<Vec<FactIndex>> {
    let mut alone = vec![Vec::new(); evaluated.rule_set.rules().len()];
    for (need, explained) in evaluated.evaluation.needs.iter().zip(needs) {
        if explained.options.is_empty() {
            continue;
        }
        for rule in &need.rules {
            let decided = explained
                .options
                .iter()
                .all(|option| !option.undetermined.contains(rule));
            if decided && let Some(facts) = alone.get_mut(*rule) {
                facts.push(need.fact);
                facts.sort_unstable();
            }
        }
    }
    alone
}

/// The diagnoses a rule would have suspected, whose rules did not fire,
/// with the finding that argued against them. Diagnoses that the same
/// finding ruled out are one entry, so that a finding absent from the case
/// (no signs of rickets) is said once for every diagnosis that needed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSuspected<'a> {
    /// The conclusions the rules would have reached, in rule order.
    pub conclusions: Vec<&'a CheckedConclusion>,
    /// The rules, by position, in rule order.
    pub rules: Vec<usize>,
    /// The finding that argued against them, in words.
    pub because: String,
}

impl NotSuspected<'_> {
    /// The diagnoses in words, joined by semicolons.
    #[must_use]
    pub fn texts(&self) -> String {
        self.conclusions
            .iter()
            .map(|conclusion| conclusion.text.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The references the diagnoses cite, each once, in order of first
    /// appearance.
    #[must_use]
    pub fn citations(&self) -> Vec<ReferenceIndex> {
        let mut all: Vec<ReferenceIndex> = Vec::new();
        for conclusion in &self.conclusions {
            for index in &conclusion.citations {
                if !all.contains(index) {
                    all.push(*index);
                }
            }
        }
        all
    }
}

/// The diagnoses considered and not suspected: each diagnosis a rule would
/// suspect, when that rule did not fire and no rule reached the diagnosis
/// (suspected or excluded), in rule order, with the first condition that
/// failed. A diagnosis is known by its identifier, which several rules may
/// share (rickets suspected as possible by one and as likely by another):
/// once one of them fires, the others are not listed. Diagnoses ruled out
/// by the same finding share one entry. A rule still
/// undetermined is not here: it waits on data, and the needs say which.
pub fn not_suspected<'a>(evaluated: &Evaluated<'a>) -> Vec<NotSuspected<'a>> {
    let rule_set = evaluated.rule_set;
    let evaluation = evaluated.evaluation;
    // The diagnoses reached, and those already listed, by identifier: found
    // once, so that a large rule set is not scanned again for
    // every rule that did not fire.
    let mut seen: HashSet<&str> = HashSet::new();
    for (rule, conclusion) in &evaluation.conclusions {
        if let Some(reached) = rule_set
            .rules()
            .get(*rule)
            .and_then(|rule| rule.conclusions.get(*conclusion))
            .filter(|reached| reached.kind == ConclusionKind::Diagnosis)
        {
            seen.insert(&reached.id);
        }
    }
    let mut found: Vec<NotSuspected<'a>> = Vec::new();
    let mut by_reason: HashMap<String, usize> = HashMap::new();
    for (index, (rule, outcome)) in rule_set.rules().iter().zip(&evaluation.rules).enumerate() {
        if outcome.status != RuleStatus::NotFired {
            continue;
        }
        for conclusion in &rule.conclusions {
            let suspected = conclusion.kind == ConclusionKind::Diagnosis
                && conclusion.action == Some(DiagnosisAction::Suspect);
            if !suspected || seen.contains(conclusion.id.as_str()) {
                continue;
            }
            let Some(because) = reasons(evaluated, &rule.condition, &outcome.nodes)
                .into_iter()
                .next()
                .map(|reason| reason.text)
            else {
                continue;
            };
            seen.insert(&conclusion.id);
            match by_reason.get(&because).and_then(|at| found.get_mut(*at)) {
                Some(entry) => {
                    entry.conclusions.push(conclusion);
                    if !entry.rules.contains(&index) {
                        entry.rules.push(index);
                    }
                }
                None => {
                    by_reason.insert(because.clone(), found.len());
                    found.push(NotSuspected {
                        conclusions: vec![conclusion],
                        rules: vec![index],
                        because,
                    });
                }
            }
        }
    }
    found
}
