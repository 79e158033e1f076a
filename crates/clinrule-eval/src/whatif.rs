//! What the missing facts could change.
//!
//! A fact compared only with written thresholds (a yes/no finding, a code, or
//! a measurement, number, age or date compared with constants) can take only
//! finitely many values that matter: each threshold, one value between each
//! pair, and one beyond each end. Trying them answers two questions:
//!
//! - is a rule undetermined at all, or does every value of its missing facts
//!   give the same answer (`decide_by_cases`)?
//! - for a missing fact, which values would make which rules fire
//!   (`need_options`)? That is the explanation a clinician wants: "a blood
//!   lead at or above 3.5 ug/dL would make lead poisoning suspected".

use std::collections::BTreeMap;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedExprKind, CheckedRule, Const, Expr, FactIndex, FactType, RowMatch, ValueType,
};
use clinrule_check::number::Rational;
use clinrule_syntax::Span;
use clinrule_syntax::ast::Date;

use crate::case::{Case, Slot, Value, ValueKind};
use crate::evaluate::{Evaluation, Evaluator, RuleStatus, reconsider_set_asides};

use crate::MAX_WORLDS;

/// A threshold a fact is compared with, in base units (dates as dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Threshold {
    /// A number, measurement or age in base units.
    Number(Rational),
    /// A calendar date.
    Date(Date),
}

/// One end of a range of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The threshold.
    pub threshold: Threshold,
    /// Whether the threshold itself is in the range.
    pub inclusive: bool,
    /// Where the threshold is written in the rule file (its first use).
    pub span: Span,
}

/// A set of values a fact could take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueRange {
    /// Yes or no.
    YesNo(bool),
    /// One of these codes, by position in the fact's declaration.
    Codes(Vec<usize>),
    /// The values between two bounds; `None` for no bound on that side.
    Between {
        /// The lower end.
        low: Option<Bound>,
        /// The upper end.
        high: Option<Bound>,
    },
}

/// One value worth trying, with the range of values it stands for.
#[derive(Debug, Clone)]
struct Region {
    range: ValueRange,
    value: Value,
}

/// What a missing fact could decide: for each range of its values, the
/// status each rule it could decide would then have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedOption {
    /// The values.
    pub range: ValueRange,
    /// The status of each rule of the need, in the need's order.
    pub statuses: Vec<RuleStatus>,
}

/// The values worth trying for every fact, computed once per rule set; or,
/// for one rule or a pair, for the few facts they read, from their own
/// thresholds only.
pub(crate) struct Domains {
    regions: Vec<Option<Vec<Region>>>,
    /// For domains of a few facts: those facts, sorted; `regions` is then
    /// indexed by position in this list.
    local: Option<Vec<FactIndex>>,
}

/// Where thresholds are recorded: a slot per fact of the rule set, or per
/// fact of a short sorted list.
trait ThresholdSlots {
    fn slot(&mut self, fact: FactIndex) -> Option<&mut Option<BTreeMap<Threshold, Span>>>;
}

impl ThresholdSlots for [Option<BTreeMap<Threshold, Span>>] {
    fn slot(&mut self, fact: FactIndex) -> Option<&mut Option<BTreeMap<Threshold, Span>>> {
        self.get_mut(fact)
    }
}

/// Slots for a few facts, found by binary search.
struct LocalSlots<'facts> {
    facts: &'facts [FactIndex],
    slots: Vec<Option<BTreeMap<Threshold, Span>>>,
}

impl ThresholdSlots for LocalSlots<'_> {
    fn slot(&mut self, fact: FactIndex) -> Option<&mut Option<BTreeMap<Threshold, Span>>> {
        let position = self.facts.binary_search(&fact).ok()?;
        self.slots.get_mut(position)
    }
}

impl Domains {
    /// The values worth trying for `facts` (sorted), from the thresholds
    /// written in `expressions` alone: what one rule, or a pair, can tell
    /// apart. Exact for those rules, since their conditions change value
    /// only at their own thresholds, and as small as they are.
    pub(crate) fn local(
        rule_set: &CheckedRuleSet,
        expressions: &[&Expr],
        facts: &[FactIndex],
    ) -> Domains {
        let mut slots = LocalSlots {
            facts,
            slots: vec![Some(BTreeMap::new()); facts.len()],
        };
        for expr in expressions {
            collect_thresholds(expr, &mut slots);
        }
        let regions = facts
            .iter()
            .zip(slots.slots)
            .map(|(fact, thresholds)| {
                let fact = rule_set.facts().get(*fact)?;
                regions(&fact.fact_type, fact.derived_from, thresholds)
            })
            .collect();
        Domains {
            regions,
            local: Some(facts.to_vec()),
        }
    }

    /// Finds every threshold of every fact.
    pub(crate) fn new(rule_set: &CheckedRuleSet) -> Domains {
        let mut thresholds: Vec<Option<BTreeMap<Threshold, Span>>> =
            vec![Some(BTreeMap::new()); rule_set.facts().len()];
        for expr in rule_set.expressions() {
            collect_thresholds(expr, thresholds.as_mut_slice());
        }
        let regions = rule_set
            .facts()
            .iter()
            .zip(thresholds)
            .map(|(fact, thresholds)| regions(&fact.fact_type, fact.derived_from, thresholds))
            .collect();
        Domains {
            regions,
            local: None,
        }
    }

    /// How many values were listed in all: what building these domains
    /// cost.
    pub(crate) fn size(&self) -> usize {
        self.regions
            .iter()
            .map(|regions| regions.as_ref().map_or(1, Vec::len))
            .sum()
    }

    fn of(&self, fact: FactIndex) -> Option<&Vec<Region>> {
        let position = match &self.local {
            Some(facts) => facts.binary_search(&fact).ok()?,
            None => fact,
        };
        self.regions.get(position)?.as_ref()
    }

    /// How many regions a fact's values fall into, or `None` when its
    /// values cannot be listed.
    pub(crate) fn count(&self, fact: FactIndex) -> Option<usize> {
        Some(self.of(fact)?.len())
    }

    /// A value for each region of a fact's values, or `None` when its
    /// values cannot be listed.
    pub(crate) fn values(&self, fact: FactIndex) -> Option<Vec<&Value>> {
        Some(self.of(fact)?.iter().map(|region| &region.value).collect())
    }
}

fn given(kind: ValueKind) -> Value {
    Value {
        kind,
        display: String::new(),
    }
}

/// The regions of one fact's values, each with a value that stands for it.
fn regions(
    fact_type: &FactType,
    derived_from: Option<FactIndex>,
    thresholds: Option<BTreeMap<Threshold, Span>>,
) -> Option<Vec<Region>> {
    match fact_type {
        FactType::YesNo => Some(
            [true, false]
                .into_iter()
                .map(|answer| Region {
                    range: ValueRange::YesNo(answer),
                    value: given(ValueKind::YesNo(answer)),
                })
                .collect(),
        ),
        FactType::OneOf(codes) => Some(
            (0..codes.len())
                .map(|code| Region {
                    range: ValueRange::Codes(vec![code]),
                    value: given(ValueKind::Code(code)),
                })
                .collect(),
        ),
        FactType::Text => None,
        _ if derived_from.is_some() => None,
        FactType::Date => {
            let points: Vec<(Threshold, Span)> = thresholds?
                .into_iter()
                .filter(|(threshold, _)| matches!(threshold, Threshold::Date(_)))
                .collect();
            between_thresholds(&points, |threshold, direction| {
                let Threshold::Date(date) = threshold else {
                    return None;
                };
                let day = date.days_since_epoch();
                let value = |day: i64| {
                    let date = Date::from_days_since_epoch(day)?;
                    Some(given(ValueKind::Date {
                        low: date,
                        high: date,
                    }))
                };
                match direction {
                    Direction::At => value(day),
                    Direction::Below => value(day.checked_sub(1)?),
                    Direction::Above => value(day.checked_add(1)?),
                    Direction::Between(Threshold::Date(next)) => {
                        let next = next.days_since_epoch();
                        // Consecutive days have nothing between them.
                        (next - day > 1)
                            .then(|| value(day + (next - day) / 2))
                            .flatten()
                    }
                    Direction::Between(Threshold::Number(_)) => None,
                }
            })
        }
        FactType::Number | FactType::Quantity { .. } | FactType::Age => {
            let points: Vec<(Threshold, Span)> = thresholds?
                .into_iter()
                .filter(|(threshold, _)| matches!(threshold, Threshold::Number(_)))
                .collect();
            let make = |number: Rational| match fact_type {
                FactType::Quantity { unit, .. } => given(ValueKind::Quantity {
                    base: number,
                    unit: *unit,
                }),
                FactType::Number => given(ValueKind::Number(number)),
                _ => given(ValueKind::Quantity {
                    base: number,
                    unit: clinrule_check::units::Unit {
                        dimension: clinrule_check::units::Dimension::TIME,
                        factor: Rational::ONE,
                        offset: Rational::ZERO,
                    },
                }),
            };
            between_thresholds(&points, |threshold, direction| {
                let Threshold::Number(number) = threshold else {
                    return None;
                };
                let value = match direction {
                    Direction::At => number,
                    // A value a clinician would recognise in an example:
                    // half or twice a positive threshold, one less or more
                    // than the others.
                    Direction::Below if number > Rational::ZERO => {
                        number.checked_div(Rational::integer(2))?
                    }
                    Direction::Below => number.checked_sub(Rational::ONE)?,
                    Direction::Above if number > Rational::ZERO => {
                        number.checked_mul(Rational::integer(2))?
                    }
                    Direction::Above => number.checked_add(Rational::ONE)?,
                    Direction::Between(Threshold::Number(next)) => number
                        .checked_add(next)?
                        .checked_div(Rational::integer(2))?,
                    Direction::Between(Threshold::Date(_)) => return None,
                };
                Some(make(value))
            })
        }
    }
}

/// Where a value lies with respect to a threshold.
#[derive(Clone, Copy)]
enum Direction {
    /// At the threshold.
    At,
    /// Below the lowest threshold.
    Below,
    /// Above the highest threshold.
    Above,
    /// Between the threshold and the next one.
    Between(Threshold),
}

/// The regions around sorted thresholds: below the first, at each, between
/// each pair, above the last. `value` gives a value in each region, or `None`
/// for an empty one; a failure to make one where one is needed gives `None`.
fn between_thresholds(
    points: &[(Threshold, Span)],
    value: impl Fn(Threshold, Direction) -> Option<Value>,
) -> Option<Vec<Region>> {
    let (first, last) = (points.first()?, points.last()?);
    let bound = |(threshold, span): &(Threshold, Span), inclusive: bool| Bound {
        threshold: *threshold,
        inclusive,
        span: *span,
    };
    let mut regions = vec![Region {
        range: ValueRange::Between {
            low: None,
            high: Some(bound(first, false)),
        },
        value: value(first.0, Direction::Below)?,
    }];
    for (index, point) in points.iter().enumerate() {
        regions.push(Region {
            range: ValueRange::Between {
                low: Some(bound(point, true)),
                high: Some(bound(point, true)),
            },
            value: value(point.0, Direction::At)?,
        });
        if let Some(next) = points.get(index + 1)
            && let Some(between) = value(point.0, Direction::Between(next.0))
        {
            regions.push(Region {
                range: ValueRange::Between {
                    low: Some(bound(point, false)),
                    high: Some(bound(next, false)),
                },
                value: between,
            });
        }
    }
    regions.push(Region {
        range: ValueRange::Between {
            low: Some(bound(last, false)),
            high: None,
        },
        value: value(last.0, Direction::Above)?,
    });
    Some(regions)
}

/// Records the constants each fact is compared with, and marks a fact used
/// any other way (in arithmetic, against another value) as not enumerable.
fn collect_thresholds<Slots: ThresholdSlots + ?Sized>(expr: &Expr, thresholds: &mut Slots) {
    let constant = |expr: &Expr| match &expr.kind {
        CheckedExprKind::Const(Const::Number(number)) => {
            Some((Threshold::Number(*number), expr.span))
        }
        CheckedExprKind::Const(Const::Date(date)) => Some((Threshold::Date(*date), expr.span)),
        _ => None,
    };
    let record = |fact: FactIndex, found: Option<(Threshold, Span)>, thresholds: &mut Slots| {
        if let Some(slot) = thresholds.slot(fact) {
            match (found, slot.as_mut()) {
                (Some((threshold, span)), Some(set)) => {
                    set.entry(threshold).or_insert(span);
                }
                (None, _) => *slot = None,
                _ => {}
            }
        }
    };
    match &expr.kind {
        CheckedExprKind::Compare {
            left,
            right,
            alternatives,
            ..
        } => {
            // Each side that is a fact is compared with the other side: a
            // constant is a threshold; another fact (`a > b`) is not, and
            // leaves neither fact's values listable.
            if let CheckedExprKind::Fact(fact) = left.kind {
                record(fact, constant(right), thresholds);
                for alternative in alternatives {
                    record(
                        fact,
                        Some((Threshold::Number(alternative.base), alternative.span)),
                        thresholds,
                    );
                }
            }
            if let CheckedExprKind::Fact(fact) = right.kind {
                record(fact, constant(left), thresholds);
            }
            for side in [left, right] {
                if !matches!(side.kind, CheckedExprKind::Fact(_)) {
                    collect_thresholds(side, thresholds);
                }
            }
        }
        CheckedExprKind::Between {
            value, low, high, ..
        } => {
            if let CheckedExprKind::Fact(fact) = value.kind {
                record(fact, constant(low), thresholds);
                record(fact, constant(high), thresholds);
            } else {
                collect_thresholds(value, thresholds);
            }
            collect_thresholds(low, thresholds);
            collect_thresholds(high, thresholds);
        }
        CheckedExprKind::Presence { value, .. } | CheckedExprKind::Member { value, .. } => {
            if !matches!(value.kind, CheckedExprKind::Fact(_)) {
                collect_thresholds(value, thresholds);
            }
        }
        CheckedExprKind::Table { key, rows, .. } => match key.kind {
            // A number looked up in a table: the ends of its rows are its
            // thresholds. A code's values are listed already.
            CheckedExprKind::Fact(fact) => {
                for row in rows {
                    if let RowMatch::Range { low, high } = &row.key {
                        for end in [low, high].into_iter().flatten() {
                            record(fact, Some((Threshold::Number(*end), row.span)), thresholds);
                        }
                    }
                }
            }
            _ => collect_thresholds(key, thresholds),
        },
        CheckedExprKind::Fact(fact) => {
            // A yes/no fact on its own is a finite domain; anything else used
            // bare (in arithmetic, as a derived value) cannot be enumerated.
            if expr.value_type != ValueType::Bool {
                record(*fact, None, thresholds);
            }
        }
        _ => {
            for child in expr.children() {
                collect_thresholds(child, thresholds);
            }
        }
    }
}

/// The status of one rule in a case, after trying the values of its
/// missing facts.
fn status_in(
    rule_set: &CheckedRuleSet,
    case: &Case,
    (index, rule): (usize, &CheckedRule),
    domains: &Domains,
) -> RuleStatus {
    // Only what the rule reads is computed: a differential shown beside
    // the rules, say, is not worked out again for each value tried.
    let mut evaluator = Evaluator::new(rule_set, case);
    let needed = rule_set.dependencies().needed_by_rule(index);
    if !needed.is_empty() {
        evaluator.derived_only(needed);
    }
    let outcome = evaluator.rule(rule);
    if outcome.status == RuleStatus::Undetermined
        && let Some(status) =
            decide_by_cases(rule_set, case, (index, rule), &outcome.missing, domains)
    {
        return status;
    }
    outcome.status
}

/// Tries every combination of values of the missing facts: when all give the
/// same status, that is the rule's status whatever the facts turn out to be.
pub(crate) fn decide_by_cases(
    rule_set: &CheckedRuleSet,
    case: &Case,
    (index, rule): (usize, &CheckedRule),
    missing: &[FactIndex],
    domains: &Domains,
) -> Option<RuleStatus> {
    if missing.is_empty() {
        return None;
    }
    let mut choices: Vec<(FactIndex, &Vec<Region>)> = Vec::with_capacity(missing.len());
    let mut worlds = 1usize;
    for fact in missing {
        // A fact given as a range (a partial date) is not missing: keep it.
        // A value set aside for certain is missing: another value may come.
        if !matches!(
            case.slots.get(*fact),
            Some(Slot::Absent | Slot::Unknown | Slot::SetAside { certain: true, .. })
        ) {
            return None;
        }
        let domain = domains.of(*fact)?;
        worlds = worlds.checked_mul(domain.len())?;
        if worlds > MAX_WORLDS || domain.is_empty() {
            return None;
        }
        choices.push((*fact, domain));
    }
    // Only what the rule reads is recomputed in each world.
    let needed = rule_set.dependencies().needed_by_rule(index);
    let mut agreed: Option<RuleStatus> = None;
    let mut hypothetical = case.clone();
    for world in 0..worlds {
        let mut rest = world;
        for (fact, domain) in &choices {
            let region = domain.get(rest % domain.len())?;
            rest /= domain.len();
            if let Some(slot) = hypothetical.slots.get_mut(*fact) {
                *slot = Slot::Given(region.value.clone());
            }
        }
        reconsider_set_asides(rule_set, &mut hypothetical, missing);
        let mut evaluator = Evaluator::new(rule_set, &hypothetical);
        if !needed.is_empty() {
            evaluator.derived_only(needed);
        }
        let status = evaluator.rule_status(rule);
        if status == RuleStatus::Undetermined || agreed.is_some_and(|agreed| agreed != status) {
            return None;
        }
        agreed = Some(status);
    }
    agreed
}

/// For each need of an evaluation, what its fact's values would decide:
/// ranges of values, each with the status every rule of the need would then
/// have. Adjacent ranges with the same statuses are merged, and codes with
/// the same statuses grouped. A fact with no finite set of values that
/// matter (used in arithmetic, say) has no options.
pub fn need_options(
    rule_set: &CheckedRuleSet,
    case: &Case,
    evaluation: &Evaluation,
) -> Vec<Vec<NeedOption>> {
    let domains = Domains::new(rule_set);
    evaluation
        .needs
        .iter()
        .map(|need| {
            let Some(domain) = domains.of(need.fact) else {
                return Vec::new();
            };
            let mut options: Vec<NeedOption> = Vec::new();
            for region in domain {
                let mut hypothetical = case.clone();
                if let Some(slot) = hypothetical.slots.get_mut(need.fact) {
                    *slot = Slot::Given(region.value.clone());
                }
                reconsider_set_asides(rule_set, &mut hypothetical, &[need.fact]);
                let statuses: Vec<RuleStatus> = need
                    .rules
                    .iter()
                    .filter_map(|index| Some((*index, rule_set.rules().get(*index)?)))
                    .map(|rule| status_in(rule_set, &hypothetical, rule, &domains))
                    .collect();
                merge_option(&mut options, region.range.clone(), statuses);
            }
            options
        })
        .collect()
}

/// Adds a range to the options, merging it with a neighbour or a code
/// group that has the same statuses.
fn merge_option(options: &mut Vec<NeedOption>, range: ValueRange, statuses: Vec<RuleStatus>) {
    match range {
        ValueRange::Codes(codes) => {
            if let Some(option) = options
                .iter_mut()
                .find(|option| option.statuses == statuses)
                && let ValueRange::Codes(group) = &mut option.range
            {
                group.extend(codes);
                return;
            }
            options.push(NeedOption {
                range: ValueRange::Codes(codes),
                statuses,
            });
        }
        ValueRange::Between { high, .. } => {
            if let Some(last) = options.last_mut()
                && last.statuses == statuses
                && let ValueRange::Between {
                    high: last_high, ..
                } = &mut last.range
            {
                *last_high = high;
                return;
            }
            options.push(NeedOption { range, statuses });
        }
        ValueRange::YesNo(_) => options.push(NeedOption { range, statuses }),
    }
}
