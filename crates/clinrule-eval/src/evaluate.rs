//! Evaluation of a checked rule set against a case, in three-valued logic,
//! recording the value of every expression node for the trace.
//!
//! Derived values, scores and differentials are computed first, in the
//! dependency order the checker found; then every rule. A rule that is
//! undetermined because of missing facts is tried again with every value
//! those facts could take (when they are few and every use of them is a
//! comparison with a written threshold): if every value gives the same
//! answer, the rule is decided.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedExprKind, CheckedRule, Const, Count, Derived, DiagnosisAction, Expr, FactIndex,
    NOT_SUGGESTED, TableRow,
};
use clinrule_check::number::Rational;

use crate::case::{Case, Slot, Value, ValueKind};
use crate::value::{Truth, Val, arithmetic, compare};

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

    fn from_truth(truth: Truth) -> RuleStatus {
        match truth {
            Truth::True => RuleStatus::Fired,
            Truth::False => RuleStatus::NotFired,
            Truth::Unknown => RuleStatus::Undetermined,
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Fired, not fired or undetermined.
    pub status: RuleStatus,
    /// The value of every node of the condition, in pre-order (a node before its parts).
    pub nodes: Vec<Val>,
    /// For an undetermined rule, the missing facts whose values could change
    /// it, in declaration order.
    pub missing: Vec<FactIndex>,
    /// Missing facts the rule was decided without: every value they could
    /// take gives the same answer.
    pub decided_without: Vec<FactIndex>,
}

/// The outcome of a derived value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedOutcome {
    /// Its value.
    pub value: Val,
    /// The value of every node of its expression, in pre-order.
    pub nodes: Vec<Val>,
    /// The missing facts that leave it unknown (or a range).
    pub missing: Vec<FactIndex>,
}

/// The outcome of one criterion of a score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionOutcome {
    /// The fewest points it can give.
    pub low: Rational,
    /// The most points it can give.
    pub high: Rational,
    /// For each choice, the values of its condition's nodes.
    pub choices: Vec<Vec<Val>>,
}

/// The outcome of a score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreOutcome {
    /// Whether the score applies to the patient: true when it declares no
    /// population or every `applies` condition holds, false when one does
    /// not, unknown otherwise. A score that does not apply has no total
    /// and no band; one whose population is unknown has neither yet.
    pub applicable: Truth,
    /// For each `applies` condition, the values of its nodes.
    pub applies: Vec<Vec<Val>>,
    /// The lowest possible total, if the score applies.
    pub low: Rational,
    /// The highest possible total; the same as `low` when every input is known.
    pub high: Rational,
    /// The band, when the score applies and the whole range lies in one band.
    pub band: Option<usize>,
    /// Each criterion.
    pub criteria: Vec<CriterionOutcome>,
    /// The missing facts that leave the total a range, or leave unknown
    /// whether the score applies.
    pub missing: Vec<FactIndex>,
    /// The missing facts that leave unknown whether the score applies.
    pub population_missing: Vec<FactIndex>,
}

impl ScoreOutcome {
    /// The total as a value: not applicable, unknown while the population
    /// is, or the range of possible totals.
    pub fn total(&self) -> Val {
        match self.applicable {
            Truth::True => Val::Num(self.low, self.high),
            Truth::False => Val::NotApplicable,
            Truth::Unknown => Val::Unknown,
        }
    }

    /// The band as a value, like the total.
    pub fn band_value(&self) -> Val {
        match (self.applicable, self.band) {
            (Truth::False, _) => Val::NotApplicable,
            (Truth::True, Some(band)) => Val::Code(band),
            _ => Val::Unknown,
        }
    }
}

/// The outcome of one candidate of a differential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateOutcome {
    /// Its status, by position in the candidate statuses, when decided.
    pub status: Option<usize>,
    /// The weight of the arguments for that hold: lowest and highest possible.
    pub support: (Rational, Rational),
    /// The weight of the arguments against that hold: lowest and highest possible.
    pub opposition: (Rational, Rational),
    /// For each argument, the values of its condition's nodes.
    pub arguments: Vec<Vec<Val>>,
    /// For each status rule, the values of its condition's nodes (empty for
    /// rules after the one that decided).
    pub statuses: Vec<Vec<Val>>,
    /// The missing facts that leave the status undecided.
    pub missing: Vec<FactIndex>,
}

/// The outcome of a differential.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DifferentialOutcome {
    /// Each candidate.
    pub candidates: Vec<CandidateOutcome>,
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
    /// Whether the rule set declares the fact `required`: then it is a need
    /// whenever the case lacks it, even when it decides no rule yet.
    pub required: bool,
    /// The scores, by position, whose population it would decide: a score
    /// that may not apply to the patient needs the facts that say whether
    /// it does.
    pub scores: Vec<usize>,
}

/// The evaluation of a whole rule set against one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Whether the rule set applies to the patient (`applies` in its
    /// header): true when it declares no population or every condition
    /// holds, false when one does not, unknown otherwise.
    pub applicable: Truth,
    /// For each `applies` condition of the rule set, the values of its nodes.
    pub population: Vec<Vec<Val>>,
    /// One outcome per derived value, in the rule set's order.
    pub lets: Vec<DerivedOutcome>,
    /// One outcome per score.
    pub scores: Vec<ScoreOutcome>,
    /// One outcome per differential.
    pub differentials: Vec<DifferentialOutcome>,
    /// One outcome per rule, in the rule set's order.
    pub rules: Vec<RuleOutcome>,
    /// The conclusions reached: `(rule, conclusion)` positions, in rule order.
    pub conclusions: Vec<(usize, usize)>,
    /// The missing facts, most useful first.
    pub needs: Vec<Need>,
}

/// A conclusion reached, once however many rules reached it: several rules
/// may reach one conclusion identifier (with the same verb and words), each
/// for its own reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// The rule whose conclusion speaks for all: the most urgent, and of
    /// those the first in the rule set.
    pub rule: usize,
    /// The conclusion's position in that rule.
    pub conclusion: usize,
    /// Every rule that reached it, in the rule set's order, with the
    /// conclusion's position in each.
    pub by: Vec<(usize, usize)>,
}

impl Evaluation {
    /// The conclusions reached, each once, in the order first reached. A
    /// diagnosis suspected and excluded (by different rules) is two.
    pub fn reached(&self, rule_set: &CheckedRuleSet) -> Vec<Reached> {
        let mut found: Vec<Reached> = Vec::with_capacity(self.conclusions.len());
        let mut by_key: std::collections::HashMap<(&str, Option<DiagnosisAction>), usize> =
            std::collections::HashMap::with_capacity(self.conclusions.len());
        for (rule, conclusion) in &self.conclusions {
            let Some(written) = rule_set
                .rules()
                .get(*rule)
                .and_then(|found| found.conclusions.get(*conclusion))
            else {
                continue;
            };
            let key = (written.id.as_str(), written.action);
            match by_key.get(&key).and_then(|at| found.get_mut(*at)) {
                Some(entry) => {
                    entry.by.push((*rule, *conclusion));
                    let speaking = rule_set
                        .rules()
                        .get(entry.rule)
                        .and_then(|found| found.conclusions.get(entry.conclusion));
                    if speaking.is_some_and(|speaking| written.urgency > speaking.urgency) {
                        entry.rule = *rule;
                        entry.conclusion = *conclusion;
                    }
                }
                None => {
                    by_key.insert(key, found.len());
                    found.push(Reached {
                        rule: *rule,
                        conclusion: *conclusion,
                        by: vec![(*rule, *conclusion)],
                    });
                }
            }
        }
        found
    }
}

/// The value a case gives a fact, after the fact's declared meaning of
/// absence and its derivation from a birth date.
pub fn fact_value(rule_set: &CheckedRuleSet, case: &Case, fact: FactIndex) -> Val {
    match case.slots.get(fact) {
        Some(Slot::Given(value)) => value_of(value),
        Some(Slot::Absent) => {
            let Some(declaration) = rule_set.facts().get(fact) else {
                return Val::Unknown;
            };
            if declaration.absent_means_no {
                return Val::Bool(false);
            }
            if let (Some(birth), Some(as_of)) = (declaration.derived_from, case.as_of)
                && let Some(Slot::Given(Value {
                    kind: ValueKind::Date { low, high },
                    ..
                })) = case.slots.get(birth)
            {
                return Val::Age {
                    born_low: *low,
                    born_high: *high,
                    as_of,
                };
            }
            Val::Unknown
        }
        Some(Slot::Unknown | Slot::SetAside { .. }) | None => Val::Unknown,
    }
}

/// Sets aside each value the case gives that its fact's `set aside`
/// conditions rule out, in declaration order: a value whose condition holds
/// is set aside for certain; one whose condition is not known yet is set
/// aside until the facts that would decide it are known. Values already
/// set aside stay as they are.
pub fn set_aside(rule_set: &CheckedRuleSet, case: &mut Case) {
    if rule_set.sets_values_aside() {
        set_aside_where(rule_set, case, |_| true);
    }
}

/// In a case where the facts `fresh` were given new values (a value tried
/// for a missing fact), decides again whether each other value is set
/// aside: a condition may read a fact that now has a value. The new values
/// themselves are new measurements, used as they are.
pub(crate) fn reconsider_set_asides(
    rule_set: &CheckedRuleSet,
    case: &mut Case,
    fresh: &[FactIndex],
) {
    if !rule_set.sets_values_aside() {
        return;
    }
    let mut any = false;
    for (index, slot) in case.slots.iter_mut().enumerate() {
        if !fresh.contains(&index)
            && matches!(slot, Slot::SetAside { .. })
            && let Slot::SetAside { value, .. } = std::mem::replace(slot, Slot::Unknown)
        {
            *slot = Slot::Given(value);
            any = true;
        }
    }
    if any {
        set_aside_where(rule_set, case, |fact| !fresh.contains(&fact));
    }
}

/// Sets aside the values of the facts `decide` selects.
fn set_aside_where(rule_set: &CheckedRuleSet, case: &mut Case, decide: impl Fn(FactIndex) -> bool) {
    for (index, fact) in rule_set.facts().iter().enumerate() {
        if fact.set_aside.is_empty()
            || !decide(index)
            || !matches!(case.slots.get(index), Some(Slot::Given(_)))
        {
            continue;
        }
        let mut decided: Option<(usize, bool, Vec<FactIndex>)> = None;
        {
            let mut evaluator = Evaluator::new(rule_set, case);
            for (by, clause) in fact.set_aside.iter().enumerate() {
                let mut nodes = Vec::with_capacity(clause.condition.node_count());
                match evaluator.value(&clause.condition, &mut nodes).truth() {
                    Truth::True => {
                        decided = Some((by, true, Vec::new()));
                        break;
                    }
                    Truth::Unknown if decided.is_none() => {
                        let waiting_on = evaluator.missing_of(&clause.condition, &nodes);
                        decided = Some((by, false, waiting_on));
                    }
                    Truth::Unknown | Truth::False => {}
                }
            }
        }
        if let Some((by, certain, waiting_on)) = decided
            && let Some(slot) = case.slots.get_mut(index)
            && let Slot::Given(value) = std::mem::replace(slot, Slot::Unknown)
        {
            *slot = Slot::SetAside {
                value,
                by,
                certain,
                waiting_on,
            };
        }
    }
}

fn value_of(value: &Value) -> Val {
    match &value.kind {
        ValueKind::YesNo(answer) => Val::Bool(*answer),
        ValueKind::Number(number) => Val::number(*number),
        ValueKind::Quantity { base, .. } => Val::number(*base),
        ValueKind::Date { low, high } => Val::Date(*low, *high),
        ValueKind::Code(code) => Val::Code(*code),
        ValueKind::Text(_) => Val::Text,
    }
}

impl Default for DerivedOutcome {
    fn default() -> Self {
        DerivedOutcome {
            value: Val::Unknown,
            nodes: Vec::new(),
            missing: Vec::new(),
        }
    }
}

impl Default for ScoreOutcome {
    fn default() -> Self {
        ScoreOutcome {
            applicable: Truth::True,
            applies: Vec::new(),
            low: Rational::ZERO,
            high: Rational::ZERO,
            band: None,
            criteria: Vec::new(),
            missing: Vec::new(),
            population_missing: Vec::new(),
        }
    }
}

pub(crate) struct Evaluator<'a> {
    rule_set: &'a CheckedRuleSet,
    case: &'a Case,
    lets: Vec<Option<DerivedOutcome>>,
    scores: Vec<Option<ScoreOutcome>>,
    differentials: Vec<Option<DifferentialOutcome>>,
    /// Inside a candidate's status rules: the weights for and against.
    tallies: Option<((Rational, Rational), (Rational, Rational))>,
    /// Inside a candidate's status rules: the facts its undecided arguments miss.
    tally_missing: Vec<FactIndex>,
}

impl<'a> Evaluator<'a> {
    /// The evaluation, from what this evaluator computed before the rules
    /// and the rules' outcomes, conclusions and needs.
    pub(crate) fn into_evaluation(
        mut self,
        rules: Vec<RuleOutcome>,
        conclusions: Vec<(usize, usize)>,
        needs: Vec<Need>,
    ) -> Evaluation {
        // Whom the rule set applies to, for the result's header; the rules
        // and scores test it themselves.
        let mut applicable = Truth::True;
        let mut population = Vec::with_capacity(self.rule_set.population().len());
        for clause in self.rule_set.population() {
            let mut nodes = Vec::with_capacity(clause.condition.node_count());
            applicable = applicable.and(self.value(&clause.condition, &mut nodes).truth());
            population.push(nodes);
        }
        Evaluation {
            applicable,
            population,
            lets: self
                .lets
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            scores: self
                .scores
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            differentials: self
                .differentials
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            rules,
            conclusions,
            needs,
        }
    }

    pub(crate) fn new(rule_set: &'a CheckedRuleSet, case: &'a Case) -> Self {
        Evaluator {
            rule_set,
            case,
            lets: vec![None; rule_set.lets().len()],
            scores: vec![None; rule_set.scores().len()],
            differentials: vec![None; rule_set.differentials().len()],
            tallies: None,
            tally_missing: Vec::new(),
        }
    }

    /// Computes every derived value, score and differential, in dependency order.
    pub(crate) fn derived(&mut self) {
        self.derived_where(|_| true);
    }

    /// Computes only these derived values, scores and differentials (which
    /// must include everything they use), in dependency order.
    pub(crate) fn derived_only(&mut self, needed: &[Derived]) {
        self.derived_where(|derived| needed.contains(&derived));
    }

    fn derived_where(&mut self, wanted: impl Fn(Derived) -> bool) {
        for derived in self.rule_set.order() {
            if !wanted(*derived) {
                continue;
            }
            match *derived {
                Derived::Let(index) => {
                    let Some(let_decl) = self.rule_set.lets().get(index) else {
                        continue;
                    };
                    let mut nodes = Vec::with_capacity(let_decl.value.node_count());
                    let value = self.value(&let_decl.value, &mut nodes);
                    let missing = self.missing_of(&let_decl.value, &nodes);
                    if let Some(slot) = self.lets.get_mut(index) {
                        *slot = Some(DerivedOutcome {
                            value,
                            nodes,
                            missing,
                        });
                    }
                }
                Derived::Score(index) => {
                    let outcome = self.score(index);
                    if let Some(slot) = self.scores.get_mut(index) {
                        *slot = outcome;
                    }
                }
                Derived::Differential(index) => {
                    let outcome = self.differential(index);
                    if let Some(slot) = self.differentials.get_mut(index) {
                        *slot = outcome;
                    }
                }
            }
        }
    }

    /// A rule's status alone, without its trace.
    pub(crate) fn rule_status(&mut self, rule: &CheckedRule) -> RuleStatus {
        let mut nodes = Vec::with_capacity(rule.condition.node_count());
        RuleStatus::from_truth(self.value(&rule.condition, &mut nodes).truth())
    }

    pub(crate) fn rule(&mut self, rule: &CheckedRule) -> RuleOutcome {
        let mut nodes = Vec::with_capacity(rule.condition.node_count());
        let status = RuleStatus::from_truth(self.value(&rule.condition, &mut nodes).truth());
        let missing = if status == RuleStatus::Undetermined {
            self.missing_of(&rule.condition, &nodes)
        } else {
            Vec::new()
        };
        RuleOutcome {
            status,
            nodes,
            missing,
            decided_without: Vec::new(),
        }
    }

    fn score(&mut self, index: usize) -> Option<ScoreOutcome> {
        let score = self.rule_set.scores().get(index)?;
        // Whom the score applies to: every condition must hold.
        let mut applicable = Truth::True;
        let mut applies = Vec::with_capacity(score.applies.len());
        let mut population_missing = Vec::new();
        for clause in &score.applies {
            let mut nodes = Vec::with_capacity(clause.condition.node_count());
            let truth = self.value(&clause.condition, &mut nodes).truth();
            if truth == Truth::Unknown {
                merge(
                    &mut population_missing,
                    self.missing_of(&clause.condition, &nodes),
                );
            }
            applicable = applicable.and(truth);
            applies.push(nodes);
        }
        let mut low = Rational::ZERO;
        let mut high = Rational::ZERO;
        let mut criteria = Vec::with_capacity(score.criteria.len());
        let mut missing = Vec::new();
        for criterion in &score.criteria {
            // The first choice that holds counts; each choice that may hold
            // before it is a possibility, and so is no choice at all.
            let mut possible: Vec<Rational> = Vec::new();
            let mut decided = false;
            let mut choices = Vec::with_capacity(criterion.choices.len());
            let mut undecided_choices = Vec::new();
            for choice in &criterion.choices {
                let mut nodes = Vec::with_capacity(choice.condition.node_count());
                let truth = self.value(&choice.condition, &mut nodes).truth();
                if !decided {
                    match truth {
                        Truth::True => {
                            possible.push(choice.points);
                            decided = true;
                        }
                        Truth::Unknown => {
                            possible.push(choice.points);
                            undecided_choices.push((&choice.condition, nodes.clone()));
                        }
                        Truth::False => {}
                    }
                }
                choices.push(nodes);
            }
            if !decided {
                possible.push(Rational::ZERO);
            }
            let criterion_low = possible.iter().min().copied().unwrap_or(Rational::ZERO);
            let criterion_high = possible.iter().max().copied().unwrap_or(Rational::ZERO);
            if criterion_low != criterion_high {
                for (condition, nodes) in undecided_choices {
                    merge(&mut missing, self.missing_of(condition, &nodes));
                }
            }
            low = low.checked_add(criterion_low).unwrap_or(low);
            high = high.checked_add(criterion_high).unwrap_or(high);
            criteria.push(CriterionOutcome {
                low: criterion_low,
                high: criterion_high,
                choices,
            });
        }
        let band = if applicable == Truth::True {
            score.bands.iter().position(|band| band.contains(low, high))
        } else {
            None
        };
        // Outside its population nothing is missing for the score; with the
        // population unknown, the facts that decide it are missing too.
        let missing = match applicable {
            Truth::True => missing,
            Truth::False => Vec::new(),
            Truth::Unknown => {
                let mut both = population_missing.clone();
                merge(&mut both, missing);
                both
            }
        };
        if applicable != Truth::Unknown {
            population_missing.clear();
        }
        Some(ScoreOutcome {
            applicable,
            applies,
            low,
            high,
            band,
            criteria,
            missing,
            population_missing,
        })
    }

    fn differential(&mut self, index: usize) -> Option<DifferentialOutcome> {
        let differential = self.rule_set.differentials().get(index)?;
        let mut candidates = Vec::with_capacity(differential.candidates.len());
        for candidate in &differential.candidates {
            let mut support = (Rational::ZERO, Rational::ZERO);
            let mut opposition = (Rational::ZERO, Rational::ZERO);
            let mut arguments = Vec::with_capacity(candidate.arguments.len());
            let mut argument_missing = Vec::new();
            for argument in &candidate.arguments {
                let mut nodes = Vec::with_capacity(argument.condition.node_count());
                let truth = self.value(&argument.condition, &mut nodes).truth();
                let tally = if argument.supports {
                    &mut support
                } else {
                    &mut opposition
                };
                match truth {
                    Truth::True => {
                        tally.0 = tally.0.checked_add(argument.weight).unwrap_or(tally.0);
                        tally.1 = tally.1.checked_add(argument.weight).unwrap_or(tally.1);
                    }
                    Truth::Unknown => {
                        tally.1 = tally.1.checked_add(argument.weight).unwrap_or(tally.1);
                        merge(
                            &mut argument_missing,
                            self.missing_of(&argument.condition, &nodes),
                        );
                    }
                    Truth::False => {}
                }
                arguments.push(nodes);
            }
            self.tallies = Some((support, opposition));
            self.tally_missing = argument_missing;
            // The first status rule that holds gives the status; one that
            // may or may not hold before it leaves the status undecided.
            let mut status = Some(NOT_SUGGESTED);
            let mut settled = false;
            let mut statuses = Vec::with_capacity(candidate.statuses.len());
            let mut missing = Vec::new();
            // With an `otherwise` status, the status rules after one that
            // cannot be decided are still read: one that holds leaves the
            // status undecided (the earlier one might hold too), and when
            // none holds the `otherwise` status applies, with the facts that
            // could still change it kept as missing.
            let mut undecided_before = false;
            for rule in &candidate.statuses {
                if settled {
                    statuses.push(Vec::new());
                    continue;
                }
                let mut nodes = Vec::with_capacity(rule.condition.node_count());
                match self.value(&rule.condition, &mut nodes).truth() {
                    Truth::True => {
                        status = if undecided_before {
                            None
                        } else {
                            Some(rule.status)
                        };
                        settled = true;
                    }
                    Truth::False => {}
                    Truth::Unknown => {
                        if missing.is_empty() {
                            missing = self.missing_of(&rule.condition, &nodes);
                        }
                        status = None;
                        if candidate.otherwise.is_some() {
                            undecided_before = true;
                        } else {
                            settled = true;
                        }
                    }
                }
                statuses.push(nodes);
            }
            if !settled && let Some(otherwise) = candidate.otherwise {
                status = Some(otherwise);
            }
            self.tallies = None;
            self.tally_missing = Vec::new();
            candidates.push(CandidateOutcome {
                status,
                support,
                opposition,
                arguments,
                statuses,
                missing,
            });
        }
        Some(DifferentialOutcome { candidates })
    }

    /// Evaluates an expression, pushing the value of every node in pre-order.
    fn value(&mut self, expr: &Expr, nodes: &mut Vec<Val>) -> Val {
        let slot = nodes.len();
        nodes.push(Val::Unknown);
        let value = match &expr.kind {
            CheckedExprKind::Const(constant) => match constant {
                Const::Bool(value) => Val::Bool(*value),
                Const::Number(value) => Val::number(*value),
                Const::Date(date) => Val::Date(*date, *date),
                Const::Code(code) => Val::Code(*code),
            },
            CheckedExprKind::Fact(index) => fact_value(self.rule_set, self.case, *index),
            CheckedExprKind::Let(index) => self
                .lets
                .get(*index)
                .and_then(Option::as_ref)
                .map_or(Val::Unknown, |outcome| outcome.value.clone()),
            CheckedExprKind::Score(index) => self
                .scores
                .get(*index)
                .and_then(Option::as_ref)
                .map_or(Val::Unknown, ScoreOutcome::total),
            CheckedExprKind::Band(index) => self
                .scores
                .get(*index)
                .and_then(Option::as_ref)
                .map_or(Val::Unknown, ScoreOutcome::band_value),
            CheckedExprKind::Status(differential, candidate) => self
                .differentials
                .get(*differential)
                .and_then(Option::as_ref)
                .and_then(|outcome| outcome.candidates.get(*candidate))
                .and_then(|outcome| outcome.status)
                .map_or(Val::Unknown, Val::Code),
            CheckedExprKind::Tally(supports) => match self.tallies {
                Some((support, opposition)) => {
                    let (low, high) = if *supports { support } else { opposition };
                    Val::Num(low, high)
                }
                None => Val::Unknown,
            },
            CheckedExprKind::AsOf => self
                .case
                .as_of
                .map_or(Val::Unknown, |date| Val::Date(date, date)),
            CheckedExprKind::Arith { op, left, right } => {
                let left = self.value(left, nodes);
                let right = self.value(right, nodes);
                arithmetic(*op, &left, &right)
            }
            CheckedExprKind::Compare {
                op,
                left,
                right,
                alternatives,
            } => {
                let left_value = self.value(left, nodes);
                let mut right_value = self.value(right, nodes);
                // A threshold written in the unit the case used is used as written.
                if let CheckedExprKind::Fact(index) = left.kind
                    && let Some(Slot::Given(Value {
                        kind: ValueKind::Quantity { unit, .. },
                        ..
                    })) = self.case.slots.get(index)
                    && let Some(alternative) = alternatives
                        .iter()
                        .find(|alternative| alternative.unit == *unit)
                {
                    right_value = Val::number(alternative.base);
                }
                Val::from_truth(compare(*op, &left_value, &right_value))
            }
            CheckedExprKind::Between {
                value,
                low,
                low_inclusive,
                high,
                high_inclusive,
            } => {
                let tested = self.value(value, nodes);
                let low_value = self.value(low, nodes);
                let high_value = self.value(high, nodes);
                let above = compare(
                    if *low_inclusive {
                        clinrule_syntax::ast::CompareOp::GreaterOrEqual
                    } else {
                        clinrule_syntax::ast::CompareOp::Greater
                    },
                    &tested,
                    &low_value,
                );
                let below = compare(
                    if *high_inclusive {
                        clinrule_syntax::ast::CompareOp::LessOrEqual
                    } else {
                        clinrule_syntax::ast::CompareOp::Less
                    },
                    &tested,
                    &high_value,
                );
                Val::from_truth(above.and(below))
            }
            CheckedExprKind::Member {
                value,
                negated,
                codes,
            } => match self.value(value, nodes) {
                Val::Code(code) => Val::Bool(codes.contains(&code) != *negated),
                // A score that does not apply has no band: `not in` holds.
                Val::NotApplicable => Val::Bool(*negated),
                _ => Val::Unknown,
            },
            CheckedExprKind::Table { key, rows, .. } => {
                let key = self.value(key, nodes);
                look_up(rows, &key)
            }
            CheckedExprKind::Round {
                value,
                mode,
                step,
                origin,
                ..
            } => {
                let value = self.value(value, nodes);
                crate::value::round_value(&value, *mode, *step, *origin)
            }
            CheckedExprKind::Presence { value, known } => {
                // A fact is known when the case gives it, even in part (a
                // birth date to the month); a derived value or a score is
                // known when it is exact: a range is what is left while an
                // input is missing.
                let is_fact = matches!(value.kind, CheckedExprKind::Fact(_));
                let value = self.value(value, nodes);
                let present = if is_fact {
                    value.is_known()
                } else {
                    value.is_exact()
                };
                Val::Bool(present == *known)
            }
            CheckedExprKind::Not(inner) => Val::from_truth(!self.value(inner, nodes).truth()),
            CheckedExprKind::All(parts) => {
                let mut truth = Truth::True;
                for part in parts {
                    truth = truth.and(self.value(part, nodes).truth());
                }
                Val::from_truth(truth)
            }
            CheckedExprKind::Any(parts) => {
                let mut truth = Truth::False;
                for part in parts {
                    truth = truth.or(self.value(part, nodes).truth());
                }
                Val::from_truth(truth)
            }
            CheckedExprKind::Otherwise(parts) => {
                // The first exact value; failing that, the first partly known
                // one (a range); failing that, unknown.
                let mut exact = None;
                let mut partial = None;
                for part in parts {
                    let value = self.value(part, nodes);
                    if value.is_exact() {
                        exact = exact.or(Some(value));
                    } else if value.is_known() {
                        partial = partial.or(Some(value));
                    }
                }
                exact.or(partial).unwrap_or(Val::Unknown)
            }
            CheckedExprKind::Count { count, items } => {
                let mut holding = 0usize;
                let mut unknown = 0usize;
                for item in items {
                    match self.value(item, nodes).truth() {
                        Truth::True => holding += 1,
                        Truth::Unknown => unknown += 1,
                        Truth::False => {}
                    }
                }
                let truth = match count {
                    Count::AtLeast(needed) => {
                        if holding >= *needed {
                            Truth::True
                        } else if holding + unknown < *needed {
                            Truth::False
                        } else {
                            Truth::Unknown
                        }
                    }
                    Count::AtMost(limit) => {
                        if holding + unknown <= *limit {
                            Truth::True
                        } else if holding > *limit {
                            Truth::False
                        } else {
                            Truth::Unknown
                        }
                    }
                };
                Val::from_truth(truth)
            }
        };
        if let Some(entry) = nodes.get_mut(slot) {
            *entry = value.clone();
        }
        value
    }

    /// The missing facts that could still change an expression's value.
    fn missing_of(&self, expr: &Expr, nodes: &[Val]) -> Vec<FactIndex> {
        let mut missing = Vec::new();
        let mut position = 0;
        self.missing(expr, nodes, &mut position, true, &mut missing);
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Walks an expression with its node values, collecting missing facts
    /// under nodes that are not exact and could still matter: a part of
    /// `all` matters only while no other part is false, a part of `any` only
    /// while no other part is true, a part of `otherwise` only while every
    /// part before it is unknown.
    fn missing(
        &self,
        expr: &Expr,
        nodes: &[Val],
        position: &mut usize,
        relevant: bool,
        out: &mut Vec<FactIndex>,
    ) {
        let own = nodes.get(*position).cloned().unwrap_or(Val::Unknown);
        *position += 1;
        let open = relevant && !own.is_exact();
        let children: Vec<&Expr> = expr.children().collect();
        // Where each child's nodes start, to look at siblings.
        let mut starts = Vec::with_capacity(children.len());
        let mut scan = *position;
        for child in &children {
            starts.push(scan);
            scan += child.node_count();
        }
        let child_value = |index: usize| -> Val {
            starts
                .get(index)
                .and_then(|start: &usize| nodes.get(*start))
                .cloned()
                .unwrap_or(Val::Unknown)
        };
        match &expr.kind {
            CheckedExprKind::All(_) | CheckedExprKind::Any(_) => {
                let blocker = if matches!(expr.kind, CheckedExprKind::All(_)) {
                    Truth::False
                } else {
                    Truth::True
                };
                let blocked: Vec<bool> = (0..children.len())
                    .map(|index| child_value(index).truth() == blocker)
                    .collect();
                let blockers = blocked.iter().filter(|blocked| **blocked).count();
                for (child, is_blocker) in children.iter().zip(&blocked) {
                    let others_block = blockers > usize::from(*is_blocker);
                    self.missing(child, nodes, position, open && !others_block, out);
                }
            }
            CheckedExprKind::Otherwise(_) => {
                // A part matters only while every part before it is inexact.
                let mut earlier_exact = false;
                for (index, child) in children.iter().enumerate() {
                    self.missing(child, nodes, position, open && !earlier_exact, out);
                    if child_value(index).is_exact() {
                        earlier_exact = true;
                    }
                }
            }
            CheckedExprKind::Presence { .. } => {
                for child in &children {
                    self.missing(child, nodes, position, false, out);
                }
            }
            CheckedExprKind::Fact(index) => {
                if open {
                    // An age counted from a birth date the case lacks (or
                    // gives only in part) needs the birth date.
                    let birth = self
                        .rule_set
                        .facts()
                        .get(*index)
                        .and_then(|fact| fact.derived_from)
                        .filter(|_| matches!(self.case.slots.get(*index), Some(Slot::Absent)));
                    match self.case.slots.get(*index) {
                        // A value set aside until a condition is known waits
                        // on the facts that would decide the condition.
                        Some(Slot::SetAside {
                            certain: false,
                            waiting_on,
                            ..
                        }) => out.extend(waiting_on.iter().copied()),
                        _ => out.push(birth.unwrap_or(*index)),
                    }
                }
            }
            CheckedExprKind::Let(index) => {
                if open && let Some(Some(outcome)) = self.lets.get(*index) {
                    out.extend(outcome.missing.iter().copied());
                }
            }
            CheckedExprKind::Score(index) | CheckedExprKind::Band(index) => {
                if open && let Some(Some(outcome)) = self.scores.get(*index) {
                    out.extend(outcome.missing.iter().copied());
                }
            }
            CheckedExprKind::Status(differential, candidate) => {
                if open
                    && let Some(Some(outcome)) = self.differentials.get(*differential)
                    && let Some(candidate) = outcome.candidates.get(*candidate)
                {
                    out.extend(candidate.missing.iter().copied());
                }
            }
            CheckedExprKind::Tally(_) => {
                if open {
                    out.extend(self.tally_missing.iter().copied());
                }
            }
            _ => {
                for child in &children {
                    self.missing(child, nodes, position, open, out);
                }
            }
        }
    }
}

/// Adds facts to a list, without repeats, keeping declaration order.
/// The rows of a table that a key may fall in: every row the range of
/// numbers meets, the row of the code, or every row while the key is
/// unknown; none for a score that does not apply.
pub fn reachable_rows<'rows>(
    rows: &'rows [TableRow],
    key: &Val,
) -> impl Iterator<Item = (usize, &'rows TableRow)> {
    let key = key.clone();
    rows.iter().enumerate().filter(move |(_, row)| match &key {
        Val::Unknown => true,
        Val::Code(code) => row.key.has_code(*code),
        Val::NotApplicable => false,
        other => other
            .as_numbers()
            .is_some_and(|(low, high)| row.key.meets(low, high)),
    })
}

/// A table's value for a key: the value of its row, or the span of the
/// values of every row it may fall in; a text when every such row has the
/// same; unknown when it falls in no row.
fn look_up(rows: &[TableRow], key: &Val) -> Val {
    if matches!(key, Val::NotApplicable) {
        return Val::NotApplicable;
    }
    let mut span: Option<(Rational, Rational)> = None;
    let mut text: Option<Option<&String>> = None;
    let mut texts_agree = true;
    let mut any = false;
    for (_, row) in reachable_rows(rows, key) {
        any = true;
        if let Some(value) = row.value {
            span = Some(span.map_or((value, value), |(low, high)| {
                (low.min(value), high.max(value))
            }));
        }
        match text {
            None => text = Some(row.text.as_ref()),
            Some(seen) if seen != row.text.as_ref() => texts_agree = false,
            Some(_) => {}
        }
    }
    match span {
        Some((low, high)) => Val::Num(low, high),
        None if any && texts_agree => Val::Text,
        None => Val::Unknown,
    }
}

fn merge(into: &mut Vec<FactIndex>, facts: Vec<FactIndex>) {
    into.extend(facts);
    into.sort_unstable();
    into.dedup();
}

/// Ranks the missing facts: those that would decide the most conclusions
/// first, then those that would decide the most rules, then declaration order.
pub(crate) fn needs(rule_set: &CheckedRuleSet, outcomes: &[RuleOutcome]) -> Vec<Need> {
    rank_needs(
        rule_set,
        outcomes.iter().enumerate().filter_map(|(index, outcome)| {
            (outcome.status == RuleStatus::Undetermined).then_some((index, &outcome.missing[..]))
        }),
    )
}

/// Ranks missing facts given, for each undetermined rule, the facts it is
/// missing: those that would decide the most conclusions first, then those
/// that would decide the most rules, then declaration order. Both the full
/// evaluation and the compiled program's compact results rank this way.
pub(crate) fn rank_needs<'facts>(
    rule_set: &CheckedRuleSet,
    undetermined: impl Iterator<Item = (usize, &'facts [FactIndex])>,
) -> Vec<Need> {
    let mut needs: Vec<Need> = Vec::new();
    for (rule_index, missing) in undetermined {
        let conclusion_count = rule_set
            .rules()
            .get(rule_index)
            .map_or(0, |rule| rule.conclusions.len());
        for fact in missing {
            match needs.iter_mut().find(|need| need.fact == *fact) {
                Some(need) => {
                    need.rules.push(rule_index);
                    need.conclusions += conclusion_count;
                }
                None => needs.push(Need {
                    fact: *fact,
                    rules: vec![rule_index],
                    conclusions: conclusion_count,
                    required: false,
                    scores: Vec::new(),
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

/// Marks the required facts among the needs, and adds those the case lacks
/// that no undetermined rule reads, after the others, in declaration order.
pub(crate) fn add_required(
    rule_set: &CheckedRuleSet,
    needs: &mut Vec<Need>,
    missing: impl Fn(FactIndex) -> bool,
) {
    for (index, fact) in rule_set.facts().iter().enumerate() {
        if !fact.required || !missing(index) {
            continue;
        }
        match needs.iter_mut().find(|need| need.fact == index) {
            Some(need) => need.required = true,
            None => needs.push(Need {
                fact: index,
                rules: Vec::new(),
                conclusions: 0,
                required: true,
                scores: Vec::new(),
            }),
        }
    }
}

/// Adds to `needs` the facts that would decide whether a score applies to
/// the patient, for every score whose population is unknown, after the
/// needs that decide rules.
pub(crate) fn add_populations<'a>(
    needs: &mut Vec<Need>,
    scores: impl IntoIterator<Item = &'a [FactIndex]>,
) {
    for (score, population_missing) in scores.into_iter().enumerate() {
        for &fact in population_missing {
            match needs.iter_mut().find(|need| need.fact == fact) {
                Some(need) => need.scores.push(score),
                None => needs.push(Need {
                    fact,
                    rules: Vec::new(),
                    conclusions: 0,
                    required: false,
                    scores: vec![score],
                }),
            }
        }
    }
}

/// One node of an expression with its value, for rendering the trace.
#[derive(Debug, Clone, Copy)]
pub struct TraceNode<'expr, 'values> {
    /// How deep the node is: 0 for the whole expression.
    pub depth: usize,
    /// The node.
    pub expr: &'expr Expr,
    /// Its value for this case.
    pub value: &'values Val,
}

/// The nodes of an expression in pre-order, each with its value.
pub fn trace_nodes<'expr, 'values>(
    expr: &'expr Expr,
    values: &'values [Val],
) -> Vec<TraceNode<'expr, 'values>> {
    fn walk<'expr, 'values>(
        expr: &'expr Expr,
        depth: usize,
        values: &'values [Val],
        nodes: &mut Vec<TraceNode<'expr, 'values>>,
    ) {
        const UNKNOWN: &Val = &Val::Unknown;
        let value = values.get(nodes.len()).unwrap_or(UNKNOWN);
        nodes.push(TraceNode { depth, expr, value });
        for child in expr.children() {
            walk(child, depth + 1, values, nodes);
        }
    }
    let mut nodes = Vec::new();
    walk(expr, 0, values, &mut nodes);
    nodes
}
