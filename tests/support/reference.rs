//! A deliberately simple evaluator, written from `docs/language.md` and
//! nothing else, to hold the real one to the documented meaning of a rule.
//!
//! It walks the checked rule set recursively, returns each expression's value
//! together with the missing facts that could change it, recomputes
//! everything from scratch for every combination of values it tries, and
//! keeps no node arrays, no compiled form and no caches. It is slow on
//! purpose: nothing in it is shared with `clinrule-eval` except the checked
//! rule set it reads and the case the case reader produced.
//!
//! What it does not model (differentials read by rules, arithmetic, `as_of`,
//! ages counted from a birth date) makes [`evaluate`] return `None`; the
//! generated rule sets never use them.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{CheckedExprKind, Const, Count, Expr, FactType, RowMatch};
use clinrule_check::number::Rational;
use clinrule_check::units::Unit;
use clinrule_eval::case::{Slot, ValueKind};
use clinrule_eval::{Case, RuleStatus};
use clinrule_syntax::ast::CompareOp;

/// The most combinations of values tried to decide one rule, counting one
/// per range of values that matters (`docs/language.md`: "when they are
/// few").
const MAX_WORLDS: usize = 256;

/// A value: unknown, or known exactly, or known to lie in a closed range.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Unknown,
    Bool(bool),
    /// A number, measurement or age in base units, from low to high.
    Num(Rational, Rational),
    /// A date as days since 1970-01-01, from low to high.
    Day(i64, i64),
    Code(usize),
    Text,
    /// The total or band of a score that does not apply to the patient.
    NotApplicable,
}

impl V {
    fn exact(&self) -> bool {
        match self {
            V::Unknown => false,
            V::Num(low, high) => low == high,
            V::Day(low, high) => low == high,
            _ => true,
        }
    }

    fn truth(&self) -> Option<bool> {
        match self {
            V::Bool(answer) => Some(*answer),
            _ => None,
        }
    }

    fn of_truth(truth: Option<bool>) -> V {
        truth.map_or(V::Unknown, V::Bool)
    }
}

/// What the reference concludes for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleResult {
    /// Fired, not fired or undetermined.
    pub status: RuleStatus,
    /// For an undetermined rule, the missing facts that could change it.
    pub missing: Vec<usize>,
    /// For a rule decided by trying values, the facts it was decided without.
    pub decided_without: Vec<usize>,
}

/// What the reference concludes for one score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreResult {
    /// Whether the score applies: every `applies` condition holds.
    pub applicable: Option<bool>,
    /// The facts that leave unknown whether it applies.
    pub population_missing: Vec<usize>,
    /// The lowest total the score could have.
    pub low: Rational,
    /// The highest.
    pub high: Rational,
    /// The band every possible total lies in, by position.
    pub band: Option<usize>,
    /// The missing facts that leave the total a range or the population unknown.
    pub missing: Vec<usize>,
}

/// What the reference concludes for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Each rule, in order.
    pub rules: Vec<RuleResult>,
    /// Each score, in order.
    pub scores: Vec<ScoreResult>,
    /// The conclusions reached, as (rule, conclusion) positions in order.
    pub conclusions: Vec<(usize, usize)>,
    /// The needs: each missing fact with the undetermined rules that miss
    /// it and the number of conclusions those carry, most useful first.
    pub needs: Vec<(usize, Vec<usize>, usize)>,
}

/// The values of every fact in one world: the case's, or tried ones.
struct World<'a> {
    rule_set: &'a CheckedRuleSet,
    facts: Vec<V>,
    /// The unit each quantity was written in, for thresholds written twice.
    units: Vec<Option<Unit>>,
}

/// An expression's value and the missing facts that could change it.
type Outcome = (V, Vec<usize>);

/// Evaluates every score and rule of `rule_set` for `case`, or `None` when
/// the rule set uses something the reference does not model.
pub fn evaluate(rule_set: &CheckedRuleSet, case: &Case) -> Option<Reference> {
    if !modelled(rule_set) {
        return None;
    }
    let mut facts = Vec::new();
    let mut units = Vec::new();
    for (index, fact) in rule_set.facts().iter().enumerate() {
        let (value, unit) = match case.slots.get(index)? {
            Slot::Absent if fact.absent_means_no => (V::Bool(false), None),
            Slot::Absent | Slot::Unknown | Slot::SetAside { .. } => (V::Unknown, None),
            Slot::Given(value) => match &value.kind {
                ValueKind::YesNo(answer) => (V::Bool(*answer), None),
                ValueKind::Number(number) => (V::Num(*number, *number), None),
                ValueKind::Quantity { base, unit } => (V::Num(*base, *base), Some(*unit)),
                ValueKind::Date { low, high } => (
                    V::Day(low.days_since_epoch(), high.days_since_epoch()),
                    None,
                ),
                ValueKind::Code(code) => (V::Code(*code), None),
                ValueKind::Text(_) => (V::Text, None),
            },
        };
        facts.push(value);
        units.push(unit);
    }
    let world = World {
        rule_set,
        facts,
        units,
    };
    let mut rules = Vec::new();
    let mut conclusions = Vec::new();
    for (position, rule) in rule_set.rules().iter().enumerate() {
        let (value, missing) = world.expr(&rule.condition);
        let mut result = match value.truth() {
            Some(true) => RuleResult {
                status: RuleStatus::Fired,
                missing: Vec::new(),
                decided_without: Vec::new(),
            },
            Some(false) => RuleResult {
                status: RuleStatus::NotFired,
                missing: Vec::new(),
                decided_without: Vec::new(),
            },
            None => RuleResult {
                status: RuleStatus::Undetermined,
                missing,
                decided_without: Vec::new(),
            },
        };
        if result.status == RuleStatus::Undetermined
            && let Some(status) = world.decide(&rule.condition, &result.missing)
        {
            result.status = status;
            result.decided_without = std::mem::take(&mut result.missing);
        }
        if result.status == RuleStatus::Fired {
            conclusions
                .extend((0..rule.conclusions.len()).map(|conclusion| (position, conclusion)));
        }
        rules.push(result);
    }
    let scores: Vec<ScoreResult> = (0..rule_set.scores().len())
        .map(|index| world.score(index))
        .collect();
    let mut needs = needs(rule_set, &rules);
    // A fact declared `required` that the case lacks is a need whatever the
    // rules: after the others, in declaration order.
    for (index, fact) in rule_set.facts().iter().enumerate() {
        let lacking = matches!(world.facts.get(index), Some(V::Unknown));
        if fact.required && lacking && !needs.iter().any(|(known, _, _)| *known == index) {
            needs.push((index, Vec::new(), 0));
        }
    }
    // The facts that would decide whether a score applies, for each score
    // whose population is unknown: after those, score by score.
    for score in &scores {
        let score: &ScoreResult = score;
        for fact in &score.population_missing {
            if !needs.iter().any(|(known, _, _)| known == fact) {
                needs.push((*fact, Vec::new(), 0));
            }
        }
    }
    Some(Reference {
        rules,
        scores,
        conclusions,
        needs,
    })
}

/// Whether every expression uses only what the reference models.
fn modelled(rule_set: &CheckedRuleSet) -> bool {
    fn plain(expr: &Expr) -> bool {
        !matches!(
            expr.kind,
            CheckedExprKind::Arith { .. }
                | CheckedExprKind::Round { .. }
                | CheckedExprKind::AsOf
                | CheckedExprKind::Status(..)
                | CheckedExprKind::Tally(_)
        ) && expr.children().all(plain)
    }
    // A differential that no rule, score or derived value reads is shown,
    // not decided on: the reference leaves it aside.
    let read: Vec<&Expr> = rule_set
        .rules()
        .iter()
        .map(|rule| &rule.condition)
        .chain(rule_set.lets().iter().map(|derived| &derived.value))
        .chain(rule_set.scores().iter().flat_map(|score| {
            score.applies.iter().map(|clause| &clause.condition).chain(
                score
                    .criteria
                    .iter()
                    .flat_map(|criterion| criterion.choices.iter().map(|choice| &choice.condition)),
            )
        }))
        .collect();
    rule_set
        .facts()
        .iter()
        .all(|fact| fact.set_aside.is_empty())
        && rule_set
            .facts()
            .iter()
            .all(|fact| fact.derived_from.is_none())
        && read.into_iter().all(plain)
}

/// Sorted, without repeats.
fn union(mut facts: Vec<usize>) -> Vec<usize> {
    facts.sort_unstable();
    facts.dedup();
    facts
}

impl World<'_> {
    /// An expression's value, and the missing facts that could change it:
    /// none when the value is exact; otherwise the fact itself for a fact,
    /// the missing facts of a derived value or score for one, nothing for
    /// `is known` and `is missing` (never unknown), and the missing facts of
    /// every part for everything else.
    fn expr(&self, expr: &Expr) -> Outcome {
        let parts: Vec<Outcome> = match &expr.kind {
            CheckedExprKind::Presence { .. } => Vec::new(),
            _ => expr.children().map(|child| self.expr(child)).collect(),
        };
        let value = self.value(expr, &parts);
        if value.exact() {
            return (value, Vec::new());
        }
        let missing = match &expr.kind {
            CheckedExprKind::Fact(index) => vec![*index],
            CheckedExprKind::Let(index) => self
                .rule_set
                .lets()
                .get(*index)
                .map(|derived| self.expr(&derived.value).1)
                .unwrap_or_default(),
            CheckedExprKind::Score(index) | CheckedExprKind::Band(index) => {
                self.score(*index).missing
            }
            _ => parts.into_iter().flat_map(|(_, missing)| missing).collect(),
        };
        (value, union(missing))
    }

    /// An expression's value from its parts' values.
    fn value(&self, expr: &Expr, parts: &[Outcome]) -> V {
        let part = |index: usize| {
            parts
                .get(index)
                .map_or(V::Unknown, |(value, _)| value.clone())
        };
        let truths = || parts.iter().map(|(value, _)| value.truth());
        match &expr.kind {
            CheckedExprKind::Const(Const::Bool(answer)) => V::Bool(*answer),
            CheckedExprKind::Const(Const::Number(number)) => V::Num(*number, *number),
            CheckedExprKind::Const(Const::Date(date)) => {
                let day = date.days_since_epoch();
                V::Day(day, day)
            }
            CheckedExprKind::Const(Const::Code(code)) => V::Code(*code),
            CheckedExprKind::Fact(index) => self.facts.get(*index).cloned().unwrap_or(V::Unknown),
            CheckedExprKind::Let(index) => self
                .rule_set
                .lets()
                .get(*index)
                .map_or(V::Unknown, |derived| self.expr(&derived.value).0),
            // A score that does not apply has no total and no band; one whose
            // population is unknown has neither yet.
            CheckedExprKind::Score(index) => {
                let score = self.score(*index);
                match score.applicable {
                    Some(true) => V::Num(score.low, score.high),
                    Some(false) => V::NotApplicable,
                    None => V::Unknown,
                }
            }
            CheckedExprKind::Band(index) => {
                let score = self.score(*index);
                match score.applicable {
                    Some(true) => score.band.map_or(V::Unknown, V::Code),
                    Some(false) => V::NotApplicable,
                    None => V::Unknown,
                }
            }
            CheckedExprKind::Compare {
                op,
                left,
                alternatives,
                ..
            } => {
                let mut right = part(1);
                // A threshold also written in the unit the case used is
                // compared as written.
                if let CheckedExprKind::Fact(fact) = left.kind
                    && let Some(Some(unit)) = self.units.get(fact)
                    && let Some(alternative) = alternatives.iter().find(|alt| alt.unit == *unit)
                {
                    right = V::Num(alternative.base, alternative.base);
                }
                V::of_truth(compare(*op, &part(0), &right))
            }
            CheckedExprKind::Between {
                low_inclusive,
                high_inclusive,
                ..
            } => {
                let above = compare(
                    if *low_inclusive {
                        CompareOp::GreaterOrEqual
                    } else {
                        CompareOp::Greater
                    },
                    &part(0),
                    &part(1),
                );
                let below = compare(
                    if *high_inclusive {
                        CompareOp::LessOrEqual
                    } else {
                        CompareOp::Less
                    },
                    &part(0),
                    &part(2),
                );
                V::of_truth(and([above, below]))
            }
            CheckedExprKind::Member { negated, codes, .. } => match part(0) {
                V::Code(code) => V::Bool(codes.contains(&code) != *negated),
                V::NotApplicable => V::Bool(*negated),
                _ => V::Unknown,
            },
            CheckedExprKind::Presence { value, known } => {
                // A fact is present when given, even in part; a score or a
                // derived value when exact.
                let tested = self.expr(value).0;
                let present = if matches!(value.kind, CheckedExprKind::Fact(_)) {
                    tested != V::Unknown
                } else {
                    tested.exact()
                };
                V::Bool(present == *known)
            }
            CheckedExprKind::Not(_) => V::of_truth(part(0).truth().map(|answer| !answer)),
            CheckedExprKind::All(_) => V::of_truth(and(truths())),
            CheckedExprKind::Any(_) => V::of_truth(or(truths())),
            CheckedExprKind::Otherwise(_) => {
                let values: Vec<V> = parts.iter().map(|(value, _)| value.clone()).collect();
                values
                    .iter()
                    .find(|value| value.exact())
                    .or_else(|| values.iter().find(|value| **value != V::Unknown))
                    .cloned()
                    .unwrap_or(V::Unknown)
            }
            CheckedExprKind::Count { count, .. } => {
                let holding = truths().filter(|truth| *truth == Some(true)).count();
                let open = truths().filter(Option::is_none).count();
                V::of_truth(match count {
                    Count::AtLeast(needed) if holding >= *needed => Some(true),
                    Count::AtLeast(needed) if holding + open < *needed => Some(false),
                    Count::AtMost(limit) if holding + open <= *limit => Some(true),
                    Count::AtMost(limit) if holding > *limit => Some(false),
                    _ => None,
                })
            }
            CheckedExprKind::Table { rows, .. } => {
                // The rows the key may fall in: all of them while it is
                // unknown, none for a score that does not apply.
                let key = part(0);
                if key == V::NotApplicable {
                    return V::NotApplicable;
                }
                let reachable: Vec<_> = rows
                    .iter()
                    .filter(|row| match (&key, &row.key) {
                        (V::Unknown, _) => true,
                        (V::Code(code), RowMatch::Codes(codes)) => codes.contains(code),
                        (
                            V::Num(low, high),
                            RowMatch::Range {
                                low: from,
                                high: to,
                            },
                        ) => {
                            from.is_none_or(|from| from <= *high) && to.is_none_or(|to| *low <= to)
                        }
                        _ => false,
                    })
                    .collect();
                let values: Vec<Rational> = reachable.iter().filter_map(|row| row.value).collect();
                match (values.iter().min(), values.iter().max()) {
                    (Some(low), Some(high)) => V::Num(*low, *high),
                    _ if !reachable.is_empty()
                        && reachable.iter().all(|row| row.text == reachable[0].text) =>
                    {
                        V::Text
                    }
                    _ => V::Unknown,
                }
            }
            CheckedExprKind::Arith { .. }
            | CheckedExprKind::Round { .. }
            | CheckedExprKind::AsOf
            | CheckedExprKind::Status(..)
            | CheckedExprKind::Tally(_) => V::Unknown,
        }
    }

    /// A score: each criterion gives the points of its first choice that
    /// holds, or 0; with unknown choices, every total it could reach.
    fn score(&self, index: usize) -> ScoreResult {
        let mut low = Rational::ZERO;
        let mut high = Rational::ZERO;
        let mut missing = Vec::new();
        let Some(score) = self.rule_set.scores().get(index) else {
            return ScoreResult {
                applicable: None,
                population_missing: Vec::new(),
                low,
                high,
                band: None,
                missing,
            };
        };
        let mut population = Vec::new();
        let mut population_missing = Vec::new();
        for clause in &score.applies {
            let (value, clause_missing) = self.expr(&clause.condition);
            population.push(value.truth());
            population_missing.extend(clause_missing);
        }
        let applicable = and(population);
        for criterion in &score.criteria {
            let mut possible = Vec::new();
            let mut open_missing = Vec::new();
            let mut settled = false;
            for choice in &criterion.choices {
                let (value, choice_missing) = self.expr(&choice.condition);
                match value.truth() {
                    Some(true) => {
                        possible.push(choice.points);
                        settled = true;
                        break;
                    }
                    Some(false) => {}
                    None => {
                        possible.push(choice.points);
                        open_missing.extend(choice_missing);
                    }
                }
            }
            if !settled {
                possible.push(Rational::ZERO);
            }
            let least = possible.iter().min().copied().unwrap_or(Rational::ZERO);
            let most = possible.iter().max().copied().unwrap_or(Rational::ZERO);
            if least != most {
                missing.extend(open_missing);
            }
            low = low.checked_add(least).unwrap_or(low);
            high = high.checked_add(most).unwrap_or(high);
        }
        let band = score.bands.iter().position(|band| {
            band.low.is_none_or(|band_low| band_low <= low)
                && band.high.is_none_or(|band_high| high <= band_high)
        });
        match applicable {
            Some(true) => ScoreResult {
                applicable,
                population_missing: Vec::new(),
                low,
                high,
                band,
                missing: union(missing),
            },
            Some(false) => ScoreResult {
                applicable,
                population_missing: Vec::new(),
                low,
                high,
                band: None,
                missing: Vec::new(),
            },
            None => ScoreResult {
                applicable,
                population_missing: union(population_missing.clone()),
                low,
                high,
                band: None,
                missing: union(population_missing.into_iter().chain(missing).collect()),
            },
        }
    }

    /// Tries every combination of values of the missing facts, one in each
    /// range of values that the rule set's thresholds separate: the status
    /// every combination agrees on, if they all agree.
    fn decide(&self, condition: &Expr, missing: &[usize]) -> Option<RuleStatus> {
        let mut tried: Vec<(usize, Vec<V>)> = Vec::new();
        let mut worlds = 1usize;
        for fact in missing {
            // A fact given as a range (a partial date) is known in part:
            // nothing is tried in its place.
            if self.facts.get(*fact) != Some(&V::Unknown) {
                return None;
            }
            let (values, ranges) = self.values_to_try(*fact)?;
            worlds = worlds.checked_mul(ranges)?;
            if worlds > MAX_WORLDS || values.is_empty() {
                return None;
            }
            tried.push((*fact, values));
        }
        let mut agreed = None;
        let mut world = World {
            rule_set: self.rule_set,
            facts: self.facts.clone(),
            units: self.units.clone(),
        };
        let declared_unit =
            |fact: usize| match self.rule_set.facts().get(fact).map(|f| &f.fact_type) {
                Some(FactType::Quantity { unit, .. }) => Some(*unit),
                _ => None,
            };
        let combinations: usize = tried.iter().map(|(_, values)| values.len()).product();
        for combination in 0..combinations {
            let mut rest = combination;
            for (fact, values) in &tried {
                let value = values.get(rest % values.len())?.clone();
                rest /= values.len();
                *world.facts.get_mut(*fact)? = value;
                *world.units.get_mut(*fact)? = declared_unit(*fact);
            }
            let status = match world.expr(condition).0.truth() {
                Some(true) => RuleStatus::Fired,
                Some(false) => RuleStatus::NotFired,
                None => return None,
            };
            if agreed.is_some_and(|agreed| agreed != status) {
                return None;
            }
            agreed = Some(status);
        }
        agreed
    }

    /// The values worth trying for a missing fact, and how many ranges of
    /// values they stand for; `None` when its values cannot be listed (text,
    /// or a fact used other than against written thresholds).
    fn values_to_try(&self, fact: usize) -> Option<(Vec<V>, usize)> {
        let declaration = self.rule_set.facts().get(fact)?;
        match &declaration.fact_type {
            FactType::YesNo => Some((vec![V::Bool(true), V::Bool(false)], 2)),
            FactType::OneOf(codes) => Some(((0..codes.len()).map(V::Code).collect(), codes.len())),
            FactType::Text => None,
            FactType::Date => {
                let mut days = Vec::new();
                for expr in self.rule_set.expressions() {
                    thresholds(expr, fact, &mut days)?;
                }
                let mut days: Vec<i64> = days
                    .into_iter()
                    .map(|threshold| match threshold {
                        V::Day(day, _) => Some(day),
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                days.sort_unstable();
                days.dedup();
                // Each threshold day and the days either side of it: every
                // stretch of days between two thresholds holds one of them.
                let mut values: Vec<i64> = days
                    .iter()
                    .flat_map(|day| [day - 1, *day, day + 1])
                    .collect();
                values.sort_unstable();
                values.dedup();
                let gaps = days
                    .windows(2)
                    .filter(|pair| matches!(pair, [first, second] if second - first > 1))
                    .count();
                let ranges = if days.is_empty() {
                    0
                } else {
                    2 * days.len() + 1 - (days.len() - 1 - gaps)
                };
                Some((
                    values.into_iter().map(|day| V::Day(day, day)).collect(),
                    ranges,
                ))
            }
            FactType::Number | FactType::Quantity { .. } | FactType::Age => {
                let mut found = Vec::new();
                for expr in self.rule_set.expressions() {
                    thresholds(expr, fact, &mut found)?;
                }
                let mut numbers: Vec<Rational> = found
                    .into_iter()
                    .map(|threshold| match threshold {
                        V::Num(number, _) => Some(number),
                        _ => None,
                    })
                    .collect::<Option<_>>()?;
                numbers.sort_unstable();
                numbers.dedup();
                let (Some(first), Some(last)) = (numbers.first(), numbers.last()) else {
                    return Some((Vec::new(), 0));
                };
                // Measurements and ages are never negative.
                let can_be_negative = declaration.fact_type == FactType::Number;
                let below = if can_be_negative || *first > Rational::ONE {
                    first.checked_sub(Rational::ONE)?
                } else {
                    first.checked_div(Rational::integer(4))?
                };
                let mut values = vec![below, last.checked_add(Rational::ONE)?];
                for pair in numbers.windows(2) {
                    if let [low, high] = pair {
                        values.push(
                            low.checked_mul(Rational::integer(2))?
                                .checked_add(*high)?
                                .checked_div(Rational::integer(3))?,
                        );
                    }
                }
                values.extend(numbers.iter().copied());
                let ranges = 2 * numbers.len() + 1;
                Some((
                    values
                        .into_iter()
                        .map(|number| V::Num(number, number))
                        .collect(),
                    ranges,
                ))
            }
        }
    }
}

/// Collects the constants `fact` is compared with in `expr`; `None` when
/// the fact is used in any other way than against a written constant or in
/// `is known`, `is missing` and `in (...)`.
fn thresholds(expr: &Expr, fact: usize, found: &mut Vec<V>) -> Option<()> {
    let is_fact = |expr: &Expr| expr.kind == CheckedExprKind::Fact(fact);
    let constant = |expr: &Expr| match &expr.kind {
        CheckedExprKind::Const(Const::Number(number)) => Some(V::Num(*number, *number)),
        CheckedExprKind::Const(Const::Date(date)) => {
            let day = date.days_since_epoch();
            Some(V::Day(day, day))
        }
        _ => None,
    };
    match &expr.kind {
        CheckedExprKind::Fact(index) if *index == fact => None,
        CheckedExprKind::Compare {
            left,
            right,
            alternatives,
            ..
        } if is_fact(left) || is_fact(right) => {
            let other = if is_fact(left) { right } else { left };
            found.push(constant(other)?);
            if is_fact(left) {
                found.extend(
                    alternatives
                        .iter()
                        .map(|alternative| V::Num(alternative.base, alternative.base)),
                );
            }
            Some(())
        }
        CheckedExprKind::Between {
            value, low, high, ..
        } if is_fact(value) => {
            found.push(constant(low)?);
            found.push(constant(high)?);
            Some(())
        }
        CheckedExprKind::Presence { value, .. } | CheckedExprKind::Member { value, .. }
            if is_fact(value) =>
        {
            Some(())
        }
        _ => expr
            .children()
            .try_for_each(|child| thresholds(child, fact, found)),
    }
}

/// Compares two values: true when it holds for every value in both ranges,
/// false when it holds for none, unknown otherwise.
fn compare(op: CompareOp, left: &V, right: &V) -> Option<bool> {
    fn ranges<T: PartialOrd + Copy>(op: CompareOp, (a, b): (T, T), (c, d): (T, T)) -> Option<bool> {
        let (always, never) = match op {
            CompareOp::Less => (b < c, a >= d),
            CompareOp::LessOrEqual => (b <= c, a > d),
            CompareOp::Greater => (a > d, b <= c),
            CompareOp::GreaterOrEqual => (a >= d, b < c),
            CompareOp::Equal => (a == b && b == c && c == d, b < c || a > d),
            CompareOp::NotEqual => (b < c || a > d, a == b && b == c && c == d),
        };
        if always {
            Some(true)
        } else if never {
            Some(false)
        } else {
            None
        }
    }
    match (left, right) {
        // Nothing equals, exceeds or falls below the total of a score that
        // does not apply.
        (V::NotApplicable, _) | (_, V::NotApplicable) => Some(op == CompareOp::NotEqual),
        (V::Bool(a), V::Bool(b)) => ranges(op, (*a, *a), (*b, *b)),
        (V::Code(a), V::Code(b)) => ranges(op, (*a, *a), (*b, *b)),
        (V::Num(a, b), V::Num(c, d)) => ranges(op, (*a, *b), (*c, *d)),
        (V::Day(a, b), V::Day(c, d)) => ranges(op, (*a, *b), (*c, *d)),
        _ => None,
    }
}

/// Kleene's `and`: false if any part is, true if every part is.
fn and(truths: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let truths: Vec<Option<bool>> = truths.into_iter().collect();
    if truths.contains(&Some(false)) {
        Some(false)
    } else if truths.iter().all(|truth| *truth == Some(true)) {
        Some(true)
    } else {
        None
    }
}

/// Kleene's `or`: true if any part is, false if every part is.
fn or(truths: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let truths: Vec<Option<bool>> = truths.into_iter().collect();
    if truths.contains(&Some(true)) {
        Some(true)
    } else if truths.iter().all(|truth| *truth == Some(false)) {
        Some(false)
    } else {
        None
    }
}

/// Ranks the missing facts of the undetermined rules: most conclusions
/// they would decide first, then most rules, then declaration order.
fn needs(rule_set: &CheckedRuleSet, rules: &[RuleResult]) -> Vec<(usize, Vec<usize>, usize)> {
    let mut facts: Vec<usize> = rules
        .iter()
        .flat_map(|rule| rule.missing.iter().copied())
        .collect();
    facts.sort_unstable();
    facts.dedup();
    let mut needs: Vec<(usize, Vec<usize>, usize)> = facts
        .into_iter()
        .map(|fact| {
            let deciding: Vec<usize> = rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| {
                    rule.status == RuleStatus::Undetermined && rule.missing.contains(&fact)
                })
                .map(|(position, _)| position)
                .collect();
            let conclusions = deciding
                .iter()
                .filter_map(|position| rule_set.rules().get(*position))
                .map(|rule| rule.conclusions.len())
                .sum();
            (fact, deciding, conclusions)
        })
        .collect();
    needs.sort_by(|left, right| {
        right
            .2
            .cmp(&left.2)
            .then(right.1.len().cmp(&left.1.len()))
            .then(left.0.cmp(&right.0))
    });
    needs
}
