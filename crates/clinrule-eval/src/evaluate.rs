//! Evaluation of a checked rule set against a case, in three-valued logic,
//! recording the outcome of every condition for the trace.

use std::cmp::Ordering;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{CheckedRule, Condition, FactIndex, Test, TestKind, Threshold};
use clinrule_syntax::ast::CompareOp;

use crate::case::{Case, Slot, Value, ValueKind};

/// A truth value in Kleene's three-valued logic: unknown is neither true nor false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// Known to hold.
    True,
    /// Known not to hold.
    False,
    /// Cannot be decided from the case.
    Unknown,
}

impl Truth {
    /// The word used in results.
    pub fn word(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
        }
    }

    /// Kleene conjunction: false if any part is false, else unknown if any is unknown.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction: true if any part is true, else unknown if any is unknown.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    fn from_bool(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Kleene negation: `not unknown` is unknown.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// The status of a rule for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleStatus {
    /// The condition holds: the conclusions follow.
    Fired,
    /// The condition does not hold.
    NotFired,
    /// The condition cannot be decided: some facts it needs are missing.
    Undetermined,
}

impl RuleStatus {
    /// The word used in results.
    pub fn word(self) -> &'static str {
        match self {
            RuleStatus::Fired => "fired",
            RuleStatus::NotFired => "not_fired",
            RuleStatus::Undetermined => "undetermined",
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Fired, not fired or undetermined.
    pub status: RuleStatus,
    /// The truth of every condition node, in pre-order (a node before its parts).
    pub node_results: Vec<Truth>,
    /// The missing facts whose values could change the outcome, for an
    /// undetermined rule, in declaration order.
    pub missing: Vec<FactIndex>,
}

/// A missing fact and what it would decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// The missing fact.
    pub fact: FactIndex,
    /// The undetermined rules it could decide, by position.
    pub rules: Vec<usize>,
    /// How many conclusions those rules carry.
    pub conclusions: usize,
}

/// The evaluation of a whole rule set against one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// One outcome per rule, in the rule set's order.
    pub rules: Vec<RuleOutcome>,
    /// The conclusions reached: `(rule, conclusion)` positions, in rule order.
    pub conclusions: Vec<(usize, usize)>,
    /// The missing facts, most useful first.
    pub needs: Vec<Need>,
}

/// The value a case gives a fact, after the fact's declared meaning of absence.
pub fn effective_value<'case>(
    rule_set: &CheckedRuleSet,
    case: &'case Case,
    fact: FactIndex,
) -> Option<EffectiveValue<'case>> {
    match case.slots.get(fact)? {
        Slot::Given(value) => Some(EffectiveValue::Given(value)),
        Slot::Absent
            if rule_set
                .facts
                .get(fact)
                .is_some_and(|fact| fact.absent_means_no) =>
        {
            Some(EffectiveValue::AbsentMeansNo)
        }
        Slot::Absent | Slot::Unknown => None,
    }
}

/// A value a rule can use: given by the case, or "no" by declaration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EffectiveValue<'case> {
    /// The case gives this value.
    Given(&'case Value),
    /// The case does not mention the fact, and the fact declares that absent means no.
    AbsentMeansNo,
}

impl EffectiveValue<'_> {
    /// The value as shown in the trace.
    pub fn display(&self) -> String {
        match self {
            EffectiveValue::Given(value) => value.display.clone(),
            EffectiveValue::AbsentMeansNo => "no (not reported)".to_owned(),
        }
    }

    fn kind(&self) -> ValueKind {
        match self {
            EffectiveValue::Given(value) => value.kind.clone(),
            EffectiveValue::AbsentMeansNo => ValueKind::YesNo(false),
        }
    }
}

/// Evaluates every rule of `rule_set` against `case`.
pub fn evaluate(rule_set: &CheckedRuleSet, case: &Case) -> Evaluation {
    let mut rules = Vec::with_capacity(rule_set.rules.len());
    let mut conclusions = Vec::new();
    for (rule_index, rule) in rule_set.rules.iter().enumerate() {
        let outcome = evaluate_rule(rule_set, case, rule);
        if outcome.status == RuleStatus::Fired {
            conclusions
                .extend((0..rule.conclusions.len()).map(|conclusion| (rule_index, conclusion)));
        }
        rules.push(outcome);
    }
    let needs = needs(rule_set, &rules);
    Evaluation {
        rules,
        conclusions,
        needs,
    }
}

fn evaluate_rule(rule_set: &CheckedRuleSet, case: &Case, rule: &CheckedRule) -> RuleOutcome {
    let mut node_results = Vec::new();
    let result = evaluate_condition(rule_set, case, &rule.condition, &mut node_results);
    let status = match result {
        Truth::True => RuleStatus::Fired,
        Truth::False => RuleStatus::NotFired,
        Truth::Unknown => RuleStatus::Undetermined,
    };
    let mut missing = Vec::new();
    if status == RuleStatus::Undetermined {
        let mut position = 0;
        collect_missing(
            rule_set,
            case,
            &rule.condition,
            &node_results,
            &mut position,
            true,
            &mut missing,
        );
        missing.sort_unstable();
        missing.dedup();
    }
    RuleOutcome {
        status,
        node_results,
        missing,
    }
}

fn evaluate_condition(
    rule_set: &CheckedRuleSet,
    case: &Case,
    condition: &Condition,
    results: &mut Vec<Truth>,
) -> Truth {
    let slot = results.len();
    results.push(Truth::Unknown);
    let result = match condition {
        Condition::All(parts, _) => parts.iter().fold(Truth::True, |truth, part| {
            truth.and(evaluate_condition(rule_set, case, part, results))
        }),
        Condition::Any(parts, _) => parts.iter().fold(Truth::False, |truth, part| {
            truth.or(evaluate_condition(rule_set, case, part, results))
        }),
        Condition::Not(part, _) => !evaluate_condition(rule_set, case, part, results),
        Condition::Test(test) => evaluate_test(rule_set, case, test),
    };
    if let Some(entry) = results.get_mut(slot) {
        *entry = result;
    }
    result
}

/// Evaluates one test against the case, `not` included.
pub fn evaluate_test(rule_set: &CheckedRuleSet, case: &Case, test: &Test) -> Truth {
    let truth = evaluate_plain_test(rule_set, case, test);
    if test.negated { !truth } else { truth }
}

fn evaluate_plain_test(rule_set: &CheckedRuleSet, case: &Case, test: &Test) -> Truth {
    let value = effective_value(rule_set, case, test.fact);
    if let TestKind::Presence { known } = test.kind {
        return Truth::from_bool(value.is_some() == known);
    }
    let Some(value) = value else {
        return Truth::Unknown;
    };
    let value = value.kind();
    match (&test.kind, &value) {
        (TestKind::Flag, ValueKind::YesNo(answer)) => Truth::from_bool(*answer),
        (TestKind::Member { negated, codes }, ValueKind::Code(code)) => {
            Truth::from_bool(codes.contains(code) != *negated)
        }
        (TestKind::Compare { op, threshold }, _) => {
            let ordering = match (threshold, &value) {
                (Threshold::YesNo(expected), ValueKind::YesNo(answer)) => {
                    Some(answer.cmp(expected))
                }
                (Threshold::Number(expected), ValueKind::Number(number)) => {
                    Some(number.cmp(expected))
                }
                (Threshold::Quantity { base, .. }, ValueKind::Quantity(quantity)) => {
                    Some(quantity.cmp(base))
                }
                (Threshold::Date(expected), ValueKind::Date(date)) => Some(date.cmp(expected)),
                (Threshold::Code(expected), ValueKind::Code(code)) => Some(code.cmp(expected)),
                _ => None,
            };
            match ordering {
                Some(ordering) => Truth::from_bool(holds(*op, ordering)),
                // The case reader types every value by its fact, so this cannot
                // happen; if it did, the honest answer is "unknown".
                None => Truth::Unknown,
            }
        }
        _ => Truth::Unknown,
    }
}

fn holds(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Less => ordering == Ordering::Less,
        CompareOp::LessOrEqual => ordering != Ordering::Greater,
        CompareOp::Greater => ordering == Ordering::Greater,
        CompareOp::GreaterOrEqual => ordering != Ordering::Less,
        CompareOp::Equal => ordering == Ordering::Equal,
        CompareOp::NotEqual => ordering != Ordering::Equal,
    }
}

/// Collects the missing facts of unknown tests that could still change the
/// rule's outcome: a part of `all` matters only while no other part is false,
/// a part of `any` only while no other part is true.
fn collect_missing(
    rule_set: &CheckedRuleSet,
    case: &Case,
    condition: &Condition,
    results: &[Truth],
    position: &mut usize,
    relevant: bool,
    missing: &mut Vec<FactIndex>,
) {
    let own = results.get(*position).copied().unwrap_or(Truth::Unknown);
    *position += 1;
    match condition {
        Condition::All(parts, _) | Condition::Any(parts, _) => {
            let blocker = if matches!(condition, Condition::All(..)) {
                Truth::False
            } else {
                Truth::True
            };
            // The positions of each part's results, to look at siblings.
            let mut starts = Vec::with_capacity(parts.len());
            let mut scan = *position;
            for part in parts {
                starts.push(scan);
                scan += node_count(part);
            }
            let blocked_by: Vec<bool> = starts
                .iter()
                .map(|start| results.get(*start).copied() == Some(blocker))
                .collect();
            let blockers = blocked_by.iter().filter(|blocked| **blocked).count();
            for (part, is_blocker) in parts.iter().zip(&blocked_by) {
                let others_block = blockers > usize::from(*is_blocker);
                collect_missing(
                    rule_set,
                    case,
                    part,
                    results,
                    position,
                    relevant && !others_block,
                    missing,
                );
            }
        }
        Condition::Not(part, _) => {
            collect_missing(rule_set, case, part, results, position, relevant, missing)
        }
        Condition::Test(test) => {
            if relevant
                && own == Truth::Unknown
                && effective_value(rule_set, case, test.fact).is_none()
            {
                missing.push(test.fact);
            }
        }
    }
}

/// How many nodes a condition has, itself included.
fn node_count(condition: &Condition) -> usize {
    match condition {
        Condition::All(parts, _) | Condition::Any(parts, _) => {
            1 + parts.iter().map(node_count).sum::<usize>()
        }
        Condition::Not(part, _) => 1 + node_count(part),
        Condition::Test(_) => 1,
    }
}

/// Ranks the missing facts: those that would decide the most conclusions
/// first, then those that would decide the most rules, then declaration order.
fn needs(rule_set: &CheckedRuleSet, outcomes: &[RuleOutcome]) -> Vec<Need> {
    let mut needs: Vec<Need> = Vec::new();
    for (rule_index, outcome) in outcomes.iter().enumerate() {
        let conclusion_count = rule_set
            .rules
            .get(rule_index)
            .map_or(0, |rule| rule.conclusions.len());
        for fact in &outcome.missing {
            match needs.iter_mut().find(|need| need.fact == *fact) {
                Some(need) => {
                    need.rules.push(rule_index);
                    need.conclusions += conclusion_count;
                }
                None => needs.push(Need {
                    fact: *fact,
                    rules: vec![rule_index],
                    conclusions: conclusion_count,
                }),
            }
        }
    }
    needs.sort_by(|left, right| {
        right
            .conclusions
            .cmp(&left.conclusions)
            .then(right.rules.len().cmp(&left.rules.len()))
            .then(left.fact.cmp(&right.fact))
    });
    needs
}

/// One node of a rule's condition with its outcome, for rendering the trace.
#[derive(Debug, Clone, Copy)]
pub struct TraceNode<'rule> {
    /// How deep the node is: 0 for the whole condition.
    pub depth: usize,
    /// The node.
    pub condition: &'rule Condition,
    /// Its truth for this case.
    pub result: Truth,
}

/// The nodes of a rule's condition in pre-order, each with its outcome.
pub fn trace_nodes<'rule>(
    rule: &'rule CheckedRule,
    outcome: &RuleOutcome,
) -> Vec<TraceNode<'rule>> {
    fn walk<'rule>(
        condition: &'rule Condition,
        depth: usize,
        results: &[Truth],
        nodes: &mut Vec<TraceNode<'rule>>,
    ) {
        let result = results.get(nodes.len()).copied().unwrap_or(Truth::Unknown);
        nodes.push(TraceNode {
            depth,
            condition,
            result,
        });
        match condition {
            Condition::All(parts, _) | Condition::Any(parts, _) => {
                for part in parts {
                    walk(part, depth + 1, results, nodes);
                }
            }
            Condition::Not(part, _) => walk(part, depth + 1, results, nodes),
            Condition::Test(_) => {}
        }
    }
    let mut nodes = Vec::new();
    walk(&rule.condition, 0, &outcome.node_results, &mut nodes);
    nodes
}

#[cfg(test)]
mod tests {
    use super::Truth::{self, False, True, Unknown};

    const ALL: [Truth; 3] = [True, False, Unknown];

    #[test]
    fn kleene_truth_tables() {
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(!Unknown, Unknown);
        for left in ALL {
            assert_eq!(!!left, left);
            for right in ALL {
                assert_eq!(left.and(right), right.and(left));
                assert_eq!(left.or(right), right.or(left));
                // De Morgan holds in Kleene logic.
                assert_eq!(!left.and(right), (!left).or(!right));
            }
        }
    }
}
