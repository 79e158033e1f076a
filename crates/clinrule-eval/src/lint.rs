//! Warnings found by trying cases: a rule that can never fire, a rule made
//! redundant by another, and two rules that can fire together with
//! contradictory conclusions.
//!
//! A rule reads finitely many facts, and when each is compared only with
//! written thresholds, finitely many values of each matter (see
//! `whatif.rs`), plus the fact being absent. Trying every combination
//! answers these questions exactly, up to a bound on the number of
//! combinations; a rule whose facts cannot be listed (a measurement used in
//! arithmetic, an age counted from a birth date) is not checked.

use std::collections::{BTreeSet, HashMap};

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedConclusion, DiagnosisAction, Expr, ExprKind, FactIndex, FactType,
};
use clinrule_check::number::Rational;
use clinrule_syntax::Span;

use crate::case::{Case, Slot, Value, ValueKind};
use crate::evaluate::{Evaluator, RuleStatus};
use crate::whatif::Domains;

/// The most combinations of values tried for one rule or pair of rules.
const MAX_COMBINATIONS: usize = 4096;

/// A warning found by trying cases. Codes `W209` to `W211`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum LintWarning {
    /// A rule that no case can fire.
    #[error("the rule `{rule}` can never fire: no values of {facts} make its condition hold")]
    #[diagnostic(
        code(W209),
        severity(Warning),
        help(
            "look for two conditions on one fact that exclude each other, such as `age < 1 year and age > 2 years`"
        )
    )]
    NeverFires {
        /// The rule.
        rule: String,
        /// The facts it reads, in words.
        facts: String,
        /// Its condition.
        #[label("never holds")]
        span: Span,
    },

    /// A rule that fires only when another with the same conclusions fires.
    #[error(
        "the rule `{rule}` is redundant: whenever it fires, `{other}` fires too, with the same conclusions"
    )]
    #[diagnostic(
        code(W210),
        severity(Warning),
        help(
            "delete `{rule}`, or make the two rules' conclusions differ if they mean different things"
        )
    )]
    Redundant {
        /// The redundant rule.
        rule: String,
        /// The rule that covers it.
        other: String,
        /// The redundant rule's condition.
        #[label("adds nothing")]
        span: Span,
        /// The other rule's condition.
        #[label("already fires in every such case")]
        other_span: Span,
    },

    /// Two rules that can fire on one case, one suspecting and one excluding a diagnosis.
    #[error(
        "the rules `{first}` and `{second}` can both fire on one case: one suspects `{diagnosis}` and the other excludes it"
    )]
    #[diagnostic(
        code(W211),
        severity(Warning),
        help("for example, both fire on {example}; make their conditions exclude each other")
    )]
    Contradictory {
        /// The first rule.
        first: String,
        /// The second rule.
        second: String,
        /// The diagnosis.
        diagnosis: String,
        /// A case on which both fire, as JSON.
        example: String,
        /// The first rule's conclusion.
        #[label("suspects `{diagnosis}`")]
        first_span: Span,
        /// The second rule's conclusion.
        #[label("excludes it")]
        second_span: Span,
    },
}

/// The facts an expression reads, through derived values, scores and differentials.
fn facts_of(rule_set: &CheckedRuleSet, expr: &Expr, facts: &mut Vec<FactIndex>) {
    let mut stack = vec![expr];
    let mut seen_derived: Vec<(u8, usize)> = Vec::new();
    while let Some(expr) = stack.pop() {
        match expr.kind {
            ExprKind::Fact(index) => {
                if !facts.contains(&index) {
                    facts.push(index);
                }
                // An age counted from a birth date reads the birth date.
                if let Some(birth) = rule_set.facts.get(index).and_then(|fact| fact.derived_from)
                    && !facts.contains(&birth)
                {
                    facts.push(birth);
                }
            }
            ExprKind::Let(index) if !seen_derived.contains(&(0, index)) => {
                seen_derived.push((0, index));
                if let Some(derived) = rule_set.lets.get(index) {
                    stack.push(&derived.value);
                }
            }
            ExprKind::Score(index) | ExprKind::Band(index)
                if !seen_derived.contains(&(1, index)) =>
            {
                seen_derived.push((1, index));
                if let Some(score) = rule_set.scores.get(index) {
                    for criterion in &score.criteria {
                        stack.extend(criterion.choices.iter().map(|choice| &choice.condition));
                    }
                }
            }
            ExprKind::Status(index, _) if !seen_derived.contains(&(2, index)) => {
                seen_derived.push((2, index));
                if let Some(differential) = rule_set.differentials.get(index) {
                    for candidate in &differential.candidates {
                        stack.extend(
                            candidate
                                .arguments
                                .iter()
                                .map(|argument| &argument.condition),
                        );
                        stack.extend(candidate.statuses.iter().map(|status| &status.condition));
                    }
                }
            }
            _ => {}
        }
        stack.extend(expr.children());
    }
    facts.sort_unstable();
}

/// The combinations of values of some facts (each one of its listed
/// values, or absent), tried one at a time: a rule that fires in its first
/// combination is not tried in the others.
struct Worlds<'a> {
    /// The values of each fact, absent last.
    choices: Vec<Vec<Option<&'a Value>>>,
    /// How many combinations there are.
    total: usize,
}

/// The combinations of values of `facts`, or `None` when there are too many
/// or some cannot be listed.
fn combinations<'a>(domains: &'a Domains, facts: &[FactIndex]) -> Option<Worlds<'a>> {
    let mut choices: Vec<Vec<Option<&Value>>> = Vec::with_capacity(facts.len());
    let mut total = 1usize;
    for fact in facts {
        let mut values: Vec<Option<&Value>> =
            domains.values(*fact)?.into_iter().map(Some).collect();
        values.push(None);
        total = total.checked_mul(values.len())?;
        if total > MAX_COMBINATIONS {
            return None;
        }
        choices.push(values);
    }
    Some(Worlds { choices, total })
}

impl<'a> Worlds<'a> {
    /// The `world`-th combination, written into `values`.
    fn fill(&self, world: usize, values: &mut Vec<Option<&'a Value>>) {
        values.clear();
        let mut rest = world;
        for choice in &self.choices {
            values.push(choice.get(rest % choice.len()).copied().flatten());
            rest /= choice.len();
        }
    }
}

/// Sets `case` to the one where `facts` take these values and nothing else
/// is given; `case` held nothing but, perhaps, the same facts before.
fn set_case(case: &mut Case, facts: &[FactIndex], values: &[Option<&Value>]) {
    for (index, fact) in facts.iter().enumerate() {
        if let Some(slot) = case.slots.get_mut(*fact) {
            *slot = match values.get(index).copied().flatten() {
                Some(value) => Slot::Given(value.clone()),
                None => Slot::Absent,
            };
        }
    }
}

/// Gives nothing again for `facts`, after [`set_case`].
fn clear_case(case: &mut Case, facts: &[FactIndex]) {
    for fact in facts {
        if let Some(slot) = case.slots.get_mut(*fact) {
            *slot = Slot::Absent;
        }
    }
}

/// Whether some combination of `worlds` gives `rules` these statuses; the
/// first such combination is left in `values`.
fn find_world<'a>(
    rule_set: &CheckedRuleSet,
    case: &mut Case,
    facts: &[FactIndex],
    worlds: &Worlds<'a>,
    rules: &[usize],
    wanted: &[RuleStatus],
    values: &mut Vec<Option<&'a Value>>,
) -> bool {
    for world in 0..worlds.total {
        worlds.fill(world, values);
        set_case(case, facts, values);
        let found = statuses(rule_set, case, rules) == wanted;
        clear_case(case, facts);
        if found {
            return true;
        }
    }
    false
}

/// The statuses of some rules in one case.
fn statuses(rule_set: &CheckedRuleSet, case: &Case, rules: &[usize]) -> Vec<RuleStatus> {
    let mut evaluator = Evaluator::new(rule_set, case);
    evaluator.derived();
    rules
        .iter()
        .filter_map(|rule| rule_set.rules.get(*rule))
        .map(|rule| evaluator.rule(rule).status)
        .collect()
}

/// A value as a case would write it.
fn json_value(rule_set: &CheckedRuleSet, fact: FactIndex, value: &Value) -> String {
    let quoted = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let fact_type = rule_set.facts.get(fact).map(|fact| &fact.fact_type);
    match (&value.kind, fact_type) {
        (ValueKind::YesNo(answer), _) => answer.to_string(),
        (ValueKind::Number(number), _) => number.to_string(),
        (ValueKind::Code(code), Some(FactType::OneOf(codes))) => {
            quoted(codes.get(*code).map_or("", String::as_str))
        }
        (ValueKind::Quantity { base, .. }, Some(FactType::Quantity { unit_text, unit })) => {
            let shown = clinrule_check::units::from_base(*base, unit).unwrap_or(*base);
            quoted(&format!("{shown} {unit_text}"))
        }
        (ValueKind::Quantity { base, .. }, _) => {
            // An age, in seconds: shown in the largest unit that divides it.
            let shown = [
                (31_557_600, "years"),
                (2_629_800, "months"),
                (604_800, "weeks"),
                (86_400, "days"),
            ]
            .into_iter()
            .find_map(|(seconds, unit)| {
                let count = base.checked_div(Rational::integer(seconds))?;
                count.is_integer().then(|| format!("{count} {unit}"))
            })
            .unwrap_or_else(|| format!("{base} s"));
            quoted(&shown)
        }
        (ValueKind::Date { low, .. }, _) => quoted(&low.to_string()),
        (ValueKind::Text(text), _) => quoted(text),
        (ValueKind::Code(code), _) => code.to_string(),
    }
}

/// A case as JSON text, giving only the facts given.
fn example(rule_set: &CheckedRuleSet, facts: &[FactIndex], values: &[Option<&Value>]) -> String {
    let given: Vec<String> = facts
        .iter()
        .zip(values)
        .filter_map(|(fact, value)| {
            let value = (*value)?;
            let name = &rule_set.facts.get(*fact)?.name;
            Some(format!(
                "\"{name}\": {}",
                json_value(rule_set, *fact, value)
            ))
        })
        .collect();
    format!("{{\"facts\": {{{}}}}}", given.join(", "))
}

/// A conclusion as its meaning, for comparing two rules' conclusions.
fn meaning(conclusion: &CheckedConclusion) -> (&'static str, &'static str, String) {
    let action = match conclusion.action {
        Some(DiagnosisAction::Suspect) => "suspect",
        Some(DiagnosisAction::Exclude) => "exclude",
        None => "",
    };
    (conclusion.kind.word(), action, conclusion.text.clone())
}

/// Every warning found by trying cases, in the order of the rules.
pub fn lint(rule_set: &CheckedRuleSet) -> Vec<LintWarning> {
    let domains = Domains::new(rule_set);
    let facts: Vec<Vec<FactIndex>> = rule_set
        .rules
        .iter()
        .map(|rule| {
            let mut facts = Vec::new();
            facts_of(rule_set, &rule.condition, &mut facts);
            facts
        })
        .collect();
    let mut warnings = Vec::new();

    // Rules that never fire.
    let mut can_fire = vec![true; rule_set.rules.len()];
    // One case and one list of values for every combination tried.
    let mut case = Case::empty(rule_set);
    let mut values: Vec<Option<&Value>> = Vec::new();
    for ((index, rule), read) in rule_set.rules.iter().enumerate().zip(&facts) {
        let Some(worlds) = combinations(&domains, read) else {
            continue;
        };
        let fires = find_world(
            rule_set,
            &mut case,
            read,
            &worlds,
            &[index],
            &[RuleStatus::Fired],
            &mut values,
        );
        if !fires {
            if let Some(slot) = can_fire.get_mut(index) {
                *slot = false;
            }
            let names: Vec<String> = read
                .iter()
                .filter_map(|fact| {
                    rule_set
                        .facts
                        .get(*fact)
                        .map(|fact| format!("`{}`", fact.name))
                })
                .collect();
            warnings.push(LintWarning::NeverFires {
                rule: rule.id.clone(),
                facts: if names.is_empty() {
                    "its facts".to_owned()
                } else {
                    names.join(", ")
                },
                span: rule.condition.span,
            });
        }
    }

    // Only two kinds of pair can give a warning: rules with the same
    // conclusions (redundancy), and rules where one suspects what the other
    // excludes. Finding them by their conclusions keeps a large rule set's
    // check from trying every pair; they are then tried in order, as pairs.
    let meanings: Vec<Vec<(&'static str, &'static str, String)>> = rule_set
        .rules
        .iter()
        .map(|rule| {
            let mut mine: Vec<_> = rule.conclusions.iter().map(meaning).collect();
            mine.sort();
            mine
        })
        .collect();
    let mut candidates: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut same: HashMap<&[(&'static str, &'static str, String)], Vec<usize>> = HashMap::new();
    for (index, mine) in meanings.iter().enumerate() {
        same.entry(mine.as_slice()).or_default().push(index);
    }
    let mut suspecting: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut excluding: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, rule) in rule_set.rules.iter().enumerate() {
        for conclusion in &rule.conclusions {
            match conclusion.action {
                Some(DiagnosisAction::Suspect) => {
                    suspecting.entry(&conclusion.id).or_default().push(index);
                }
                Some(DiagnosisAction::Exclude) => {
                    excluding.entry(&conclusion.id).or_default().push(index);
                }
                None => {}
            }
        }
    }
    for group in same.values() {
        for (position, first) in group.iter().enumerate() {
            for second in group.iter().skip(position + 1) {
                candidates.insert((*first.min(second), *first.max(second)));
            }
        }
    }
    for (diagnosis, suspects) in &suspecting {
        for excluder in excluding.get(diagnosis).into_iter().flatten() {
            for suspect in suspects {
                if suspect != excluder {
                    candidates.insert((*suspect.min(excluder), *suspect.max(excluder)));
                }
            }
        }
    }

    for (first, second) in candidates {
        let (Some(rule), Some(other), Some(first_facts), Some(second_facts)) = (
            rule_set.rules.get(first),
            rule_set.rules.get(second),
            facts.get(first),
            facts.get(second),
        ) else {
            continue;
        };
        {
            if can_fire.get(first) != Some(&true) || can_fire.get(second) != Some(&true) {
                continue;
            }
            let mut union = first_facts.clone();
            for fact in second_facts {
                if !union.contains(fact) {
                    union.push(*fact);
                }
            }
            union.sort_unstable();

            // Contradictory conclusions: one suspects what the other excludes.
            let clash = rule.conclusions.iter().find_map(|mine| {
                let theirs = other.conclusions.iter().find(|theirs| {
                    theirs.id == mine.id
                        && matches!(
                            (mine.action, theirs.action),
                            (
                                Some(DiagnosisAction::Suspect),
                                Some(DiagnosisAction::Exclude)
                            ) | (
                                Some(DiagnosisAction::Exclude),
                                Some(DiagnosisAction::Suspect)
                            )
                        )
                })?;
                Some((mine, theirs))
            });
            if let Some((mine, theirs)) = clash
                && let Some(worlds) = combinations(&domains, &union)
                && find_world(
                    rule_set,
                    &mut case,
                    &union,
                    &worlds,
                    &[first, second],
                    &[RuleStatus::Fired, RuleStatus::Fired],
                    &mut values,
                )
            {
                let (suspecting, excluding) = if mine.action == Some(DiagnosisAction::Suspect) {
                    ((rule, mine), (other, theirs))
                } else {
                    ((other, theirs), (rule, mine))
                };
                warnings.push(LintWarning::Contradictory {
                    first: suspecting.0.id.clone(),
                    second: excluding.0.id.clone(),
                    diagnosis: mine.id.clone(),
                    example: example(rule_set, &union, &values),
                    first_span: suspecting.1.span,
                    second_span: excluding.1.span,
                });
            }

            // Redundancy: the same conclusions, and one fires only when the other does.
            if meanings.get(first) != meanings.get(second) {
                continue;
            }
            let Some(worlds) = combinations(&domains, &union) else {
                continue;
            };
            let (mut first_only, mut second_only) = (false, false);
            for world in 0..worlds.total {
                worlds.fill(world, &mut values);
                set_case(&mut case, &union, &values);
                let both = statuses(rule_set, &case, &[first, second]);
                clear_case(&mut case, &union);
                match both.as_slice() {
                    [RuleStatus::Fired, second_status] if *second_status != RuleStatus::Fired => {
                        first_only = true;
                    }
                    [first_status, RuleStatus::Fired] if *first_status != RuleStatus::Fired => {
                        second_only = true;
                    }
                    _ => {}
                }
            }
            // The one that never fires alone adds nothing; when both always
            // fire together, the later one is reported.
            let redundant = match (first_only, second_only) {
                (false, _) if second_only => Some((first, second)),
                (_, false) => Some((second, first)),
                _ => None,
            };
            if let Some((redundant, covering)) = redundant
                && let (Some(redundant_rule), Some(covering_rule)) =
                    (rule_set.rules.get(redundant), rule_set.rules.get(covering))
            {
                warnings.push(LintWarning::Redundant {
                    rule: redundant_rule.id.clone(),
                    other: covering_rule.id.clone(),
                    span: redundant_rule.condition.span,
                    other_span: covering_rule.condition.span,
                });
            }
        }
    }
    warnings
}
