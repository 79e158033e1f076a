//! The tree evaluation of one case, whole: derived values, scores and
//! differentials, then every rule; a rule left undetermined by missing facts
//! is decided by cases where it can be (`whatif.rs`); then the needs.
//!
//! This module joins the evaluator (`evaluate.rs`) and deciding by cases
//! (`whatif.rs`), which itself evaluates with the evaluator, so that neither
//! of those two imports the other back.

use clinrule_check::CheckedRuleSet;

use crate::case::Case;
use crate::error::EvalError;
use crate::evaluate::{
    Evaluation, Evaluator, RuleStatus, add_populations, add_required, fact_value, needs, set_aside,
};
use crate::value::Val;
use crate::whatif::{Domains, decide_by_cases};

impl Case {
    /// Reads a case from JSON text, checking every value against `rule_set`,
    /// and sets aside the values the rule set's `set aside` conditions rule
    /// out. Returns every problem found when the case cannot be used.
    pub fn from_json(text: &str, rule_set: &CheckedRuleSet) -> Result<Case, Vec<EvalError>> {
        let mut case = Case::read_json(text, rule_set)?;
        set_aside(rule_set, &mut case);
        Ok(case)
    }
}

/// Evaluates every derived value, score, differential and rule of `rule_set` against `case`.
pub fn evaluate(rule_set: &CheckedRuleSet, case: &Case) -> Evaluation {
    let mut evaluator = Evaluator::new(rule_set, case);
    evaluator.derived();
    let mut rules = Vec::with_capacity(rule_set.rules().len());
    let mut conclusions = Vec::new();
    let mut domains: Option<Domains> = None;
    for (rule_index, rule) in rule_set.rules().iter().enumerate() {
        let mut outcome = evaluator.rule(rule);
        if outcome.status == RuleStatus::Undetermined && !outcome.missing.is_empty() {
            let domains = domains.get_or_insert_with(|| Domains::new(rule_set));
            if let Some(status) = decide_by_cases(
                rule_set,
                case,
                (rule_index, rule),
                &outcome.missing,
                domains,
            ) {
                outcome.status = status;
                outcome.decided_without = std::mem::take(&mut outcome.missing);
            }
        }
        if outcome.status == RuleStatus::Fired {
            conclusions
                .extend((0..rule.conclusions.len()).map(|conclusion| (rule_index, conclusion)));
        }
        rules.push(outcome);
    }
    let mut needs = needs(rule_set, &rules);
    add_required(rule_set, &mut needs, |fact| {
        matches!(fact_value(rule_set, case, fact), Val::Unknown)
    });
    let mut evaluation = evaluator.into_evaluation(rules, conclusions, needs);
    add_populations(
        &mut evaluation.needs,
        evaluation
            .scores
            .iter()
            .map(|score| score.population_missing.as_slice()),
    );
    evaluation
}
