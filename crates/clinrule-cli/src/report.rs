//! What the renderings share: the facts about one evaluated case, gathered
//! from the checked rule set, the case and the evaluation.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{FactType, Test, TestKind, Threshold};
use clinrule_eval::{Case, effective_value};

/// The threshold a test compares with, as an editor wrote it.
pub fn threshold_text(rule_set: &CheckedRuleSet, test: &Test) -> Option<String> {
    let fact = rule_set.facts.get(test.fact)?;
    let code_name = |position: &usize| match &fact.fact_type {
        FactType::OneOf(codes) => codes.get(*position).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    match &test.kind {
        // `not xray.cupping` holds when the answer is no.
        TestKind::Flag if test.negated => Some("no".to_owned()),
        TestKind::Flag => Some("yes".to_owned()),
        TestKind::Presence { .. } => None,
        TestKind::Member { codes, .. } => Some(format!(
            "({})",
            codes.iter().map(code_name).collect::<Vec<_>>().join(", ")
        )),
        TestKind::Compare { threshold, .. } => Some(match threshold {
            Threshold::YesNo(true) => "yes".to_owned(),
            Threshold::YesNo(false) => "no".to_owned(),
            Threshold::Number(number) => number.to_string(),
            Threshold::Quantity { text, .. } => text.clone(),
            Threshold::Date(date) => date.to_string(),
            Threshold::Code(position) => code_name(position),
        }),
    }
}

/// The patient's value for a test's fact, as the case gave it, if any.
pub fn value_text(rule_set: &CheckedRuleSet, case: &Case, test: &Test) -> Option<String> {
    effective_value(rule_set, case, test.fact).map(|value| value.display())
}
