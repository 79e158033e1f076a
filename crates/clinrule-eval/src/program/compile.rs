//! Lowering a checked rule set to the program: thresholds become codes,
//! expressions become operations in post-order.

use std::collections::BTreeSet;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedExprKind, Const, Count, Derived, Expr, Fact, FactType, ValueType,
};
use clinrule_check::number::Rational;
use clinrule_syntax::ast::{CompareOp, Date};

use super::codes::{code_of_position, code_value, member, within};
use super::{
    Coded, Coding, DeclaredUnit, DerivedPlan, FALSE, Leaf, MemberList, NO_PARENT, Op, Parts, Plan,
    Root, RulePlan, Source, TRUE, UNKNOWN, place, read,
};
use crate::value::flip;
use crate::whatif::Domains;

/// Why a rule set is left to the tree evaluator.
type Unsupported = &'static str;

/// A score's points must be whole numbers this small, so that no total of
/// any rule set can overflow.
const MAX_POINTS: i64 = 1 << 40;

pub(super) fn compile(rule_set: &CheckedRuleSet) -> Result<Plan, Unsupported> {
    // What the rules read, in the order the checker computes it.
    let mut wanted: BTreeSet<Derived> = BTreeSet::new();
    let dependencies = rule_set.dependencies();
    for rule in 0..rule_set.rules().len() {
        wanted.extend(dependencies.needed_by_rule(rule).iter().copied());
    }
    let order: Vec<Derived> = rule_set
        .order()
        .iter()
        .copied()
        .filter(|derived| wanted.contains(derived))
        .collect();
    for fact in rule_set.facts() {
        if fact.derived_from.is_some() {
            return Err("an age is counted from a birth date");
        }
        if !fact.set_aside.is_empty() {
            return Err("a value set aside under a condition");
        }
    }
    // A score's population also decides what is missing, for every case,
    // whether or not a rule reads the score.
    if rule_set
        .scores()
        .iter()
        .any(|score| !score.applies.is_empty())
    {
        return Err("a score that applies only to some patients");
    }

    let mut compiler = Compiler::new(rule_set);
    // First every threshold, so that codes are known before any operation.
    let mut stack = Vec::new();
    for derived in &order {
        match *derived {
            Derived::Let(index) => {
                let value = &rule_set
                    .lets()
                    .get(index)
                    .ok_or("a derived value is missing")?
                    .value;
                if value.value_type != ValueType::Bool {
                    return Err("a derived value is a number, a date or a code");
                }
                compiler.thresholds(value, &mut stack)?;
            }
            Derived::Score(index) => {
                let score = rule_set.scores().get(index).ok_or("a score is missing")?;
                for criterion in &score.criteria {
                    for choice in &criterion.choices {
                        compiler.thresholds(&choice.condition, &mut stack)?;
                    }
                }
            }
            Derived::Differential(_) => return Err("a differential"),
        }
    }
    for rule in rule_set.rules() {
        compiler.thresholds(&rule.condition, &mut stack)?;
    }
    compiler.sort_thresholds();

    // Then the derived values and scores, each with its slots.
    let mut derived_positions: Vec<(Derived, usize)> = Vec::new();
    for derived in &order {
        let position = compiler.derived.len();
        match *derived {
            Derived::Let(index) => {
                let value = &rule_set
                    .lets()
                    .get(index)
                    .ok_or("a derived value is missing")?
                    .value;
                compiler.root(value)?;
                let root = compiler
                    .place()?
                    .pop()
                    .ok_or("a derived value has no condition")?;
                let slot = compiler.new_slot(Source::Derived(position));
                compiler.let_slots.push((index, slot));
                compiler.derived.push(DerivedPlan::Let { root, slot });
            }
            Derived::Score(index) => {
                let score = rule_set.scores().get(index).ok_or("a score is missing")?;
                let mut points = Vec::new();
                for criterion in &score.criteria {
                    for choice in &criterion.choices {
                        points.push(whole_points(choice.points)?);
                        compiler.root(&choice.condition)?;
                    }
                }
                let mut roots = compiler.place()?.into_iter().zip(points);
                let criteria = score
                    .criteria
                    .iter()
                    .map(|criterion| roots.by_ref().take(criterion.choices.len()).collect())
                    .collect();
                let total_slot = compiler.new_slot(Source::Derived(position));
                let band_slot = compiler.new_slot(Source::Derived(position));
                compiler.score_slots.push((index, total_slot, band_slot));
                let thresholds = compiler
                    .score_thresholds
                    .iter()
                    .find(|(score, _)| *score == index)
                    .map_or_else(Vec::new, |(_, thresholds)| thresholds.clone());
                compiler.derived.push(DerivedPlan::Score {
                    index,
                    criteria,
                    total_slot,
                    band_slot,
                    thresholds: Coding::Numbers(thresholds),
                });
            }
            Derived::Differential(_) => return Err("a differential"),
        }
        derived_positions.push((*derived, position));
    }

    let rules_first = compiler.ops.len();
    for rule in rule_set.rules() {
        compiler.root(&rule.condition)?;
    }
    let conditions = compiler.place()?;
    let _ = rules_first;
    let rule_groups = std::mem::take(&mut compiler.last_groups);
    let rules_inner = compiler.last_inner;
    let mut rules = Vec::with_capacity(rule_set.rules().len());
    for (rule, condition) in conditions.into_iter().enumerate() {
        let needed = dependencies.needed_by_rule(rule);
        let derived = derived_positions
            .iter()
            .filter(|(derived, _)| needed.contains(derived))
            .map(|(_, position)| *position)
            .collect();
        rules.push(RulePlan { condition, derived });
    }

    let codings = std::mem::take(&mut compiler.codings);
    let domain_values = Domains::new(rule_set);
    let domains: Vec<Option<Vec<Coded>>> = (0..rule_set.facts().len())
        .map(|fact| {
            let values = domain_values.values(fact)?;
            let coding = codings.get(fact)?;
            Some(
                values
                    .into_iter()
                    .map(|value| code_value(coding, value))
                    .collect(),
            )
        })
        .collect();
    let read_once: Vec<bool> = rules
        .iter()
        .map(|rule| {
            reads_once(
                &compiler.ops,
                &compiler.root_ops,
                &compiler.sources,
                &domains,
                &compiler.lists,
                &compiler.member_tables,
                rule,
            )
        })
        .collect();
    // Only rules that may be decided by trying values need the values.
    let rule_domains = rules
        .iter()
        .zip(&read_once)
        .map(|(rule, once)| {
            if *once {
                return None;
            }
            rule_domain(
                &compiler.ops,
                &compiler.root_ops,
                &compiler.sources,
                &domains,
                rule,
            )
        })
        .collect();
    let declared = rule_set
        .facts()
        .iter()
        .zip(&codings)
        .map(|(fact, coding)| declared_unit(fact, coding))
        .collect();
    let uses = rule_set.as_of_uses();
    Ok(Plan {
        absent_means_no: rule_set
            .facts()
            .iter()
            .map(|fact| fact.absent_means_no)
            .collect(),
        codings,
        parents: parents(&compiler.ops, &compiler.parts),
        sources: compiler.sources,
        leaves: compiler
            .ops
            .iter()
            .map(|op| match *op {
                Op::Within {
                    slot,
                    low,
                    high,
                    negate,
                } => Leaf {
                    slot,
                    low,
                    high,
                    negate,
                },
                _ => Leaf::default(),
            })
            .collect(),
        ops: compiler.ops,
        parts: compiler.parts,
        member_tables: compiler.member_tables,
        lists: compiler.lists,
        root_ops: std::mem::take(&mut compiler.root_ops),
        rule_groups,
        rules_inner,
        op_nodes: compiler.op_nodes,
        derived: compiler.derived,
        rules,
        domains,
        rule_domains,
        read_once,
        declared,
        names: read::NameTable::new(rule_set),
        // A birth date must be read with `as_of`, to refuse one after it:
        // the full reader does.
        fast_reading: !uses.always
            && uses.facts.is_empty()
            && rule_set
                .facts()
                .iter()
                .all(|fact| fact.derived_from.is_none()),
    })
}

/// The values worth trying for each fact a rule reads directly: one from
/// each region of the codes the rule's own tests tell apart. `None` for a
/// rule that reads derived values or scores, which read facts of their own.
fn rule_domain(
    ops: &[Op],
    root_ops: &[u32],
    sources: &[Source],
    domains: &[Option<Vec<Coded>>],
    rule: &RulePlan,
) -> Option<Vec<(usize, Vec<Coded>)>> {
    if !rule.derived.is_empty() {
        return None;
    }
    // Where the rule's tests cut each fact's codes: a cut at `k` separates
    // codes below `k` from the rest. A fact tested for membership in a list
    // keeps every code.
    let mut cuts: Vec<(usize, Option<Vec<u32>>)> = Vec::new();
    let condition = rule.condition;
    let listed = root_ops
        .get(condition.leaves.0 as usize..condition.inner.1 as usize)
        .unwrap_or_default();
    for op in listed.iter().filter_map(|index| ops.get(*index as usize)) {
        let (slot, bounds) = match *op {
            Op::Within {
                slot, low, high, ..
            } => (slot, Some([Some(low), Some(high)])),
            Op::Member { slot, .. } => (slot, None),
            Op::Known(slot) | Op::Missing(slot) => (slot, Some([None, None])),
            _ => continue,
        };
        let Some(Source::Fact(fact)) = sources.get(slot as usize).copied() else {
            return None;
        };
        let entry = match cuts.iter_mut().find(|(known, _)| *known == fact) {
            Some((_, entry)) => entry,
            None => {
                cuts.push((fact, Some(Vec::new())));
                &mut cuts.last_mut()?.1
            }
        };
        match (entry.as_mut(), bounds) {
            (Some(points), Some(bounds)) => points.extend(bounds.into_iter().flatten()),
            _ => *entry = None,
        }
    }
    let mut reduced = Vec::with_capacity(cuts.len());
    for (fact, points) in cuts {
        let Some(Some(domain)) = domains.get(fact) else {
            continue;
        };
        let values = match points {
            None => domain.clone(),
            Some(mut points) => {
                points.sort_unstable();
                let region = |code: u32| points.partition_point(|cut| *cut <= code);
                let mut regions: Vec<usize> = Vec::new();
                let mut values = Vec::new();
                for value in domain {
                    // Values to try are exact, so one code stands for each.
                    let here = region(value.low);
                    if value.low == value.high && !regions.contains(&here) {
                        regions.push(here);
                        values.push(*value);
                    } else if value.low != value.high {
                        return None;
                    }
                }
                values
            }
        };
        reduced.push((fact, values));
    }
    Some(reduced)
}

/// Whether a rule reads each fact in one test only, each test passed by
/// some of the fact's values and failed by others (or on a fact whose values
/// cannot be listed), and reads no derived value; see `Plan::read_once`.
fn reads_once(
    ops: &[Op],
    root_ops: &[u32],
    sources: &[Source],
    domains: &[Option<Vec<Coded>>],
    lists: &[MemberList],
    member_tables: &[bool],
    rule: &RulePlan,
) -> bool {
    if !rule.derived.is_empty() {
        return false;
    }
    let mut facts_read: Vec<usize> = Vec::new();
    let condition = rule.condition;
    let listed = root_ops
        .get(condition.leaves.0 as usize..condition.inner.1 as usize)
        .unwrap_or_default();
    for op in listed.iter().filter_map(|index| ops.get(*index as usize)) {
        let outcome = |value: Coded| match *op {
            Op::Within {
                low, high, negate, ..
            } => within(value, low, high, negate),
            Op::Member { list, .. } => lists
                .get(list as usize)
                .map_or(UNKNOWN, |list| member(value, *list, member_tables)),
            _ => UNKNOWN,
        };
        let slot = match *op {
            Op::Within { slot, .. } | Op::Member { slot, .. } => slot,
            // Whether a fact is known changes when values are tried.
            Op::Known(_) | Op::Missing(_) => return false,
            _ => continue,
        };
        let Some(Source::Fact(fact)) = sources.get(slot as usize).copied() else {
            return false;
        };
        if facts_read.contains(&fact) {
            return false;
        }
        facts_read.push(fact);
        if let Some(Some(domain)) = domains.get(fact) {
            let passes = domain.iter().any(|value| outcome(*value) == TRUE);
            let fails = domain.iter().any(|value| outcome(*value) == FALSE);
            if !(passes && fails) {
                return false;
            }
        }
    }
    true
}

/// A measurement's thresholds in its declared unit, when values given in
/// that unit convert to base units by a factor alone (no offset) small
/// enough that no value of at most 62 bits can overflow in converting: then
/// comparing the value as given with the threshold in that unit is exactly
/// comparing both in base units, and reading the case could not have failed.
fn declared_unit(fact: &Fact, coding: &Coding) -> Option<DeclaredUnit> {
    let (FactType::Quantity { unit_text, unit }, Coding::Numbers(thresholds)) =
        (&fact.fact_type, coding)
    else {
        return None;
    };
    let small = |number: Rational| {
        number.numerator().unsigned_abs() < 1 << 62 && number.denominator() < 1 << 62
    };
    if unit.offset != Rational::ZERO || !small(unit.factor) || unit.factor <= Rational::ZERO {
        return None;
    }
    let thresholds = thresholds
        .iter()
        .map(|threshold| clinrule_check::units::from_base(*threshold, unit))
        .collect::<Option<Vec<Rational>>>()?;
    // The plausible range in the same unit, so that a value outside it is
    // declined, and refused by the full reader.
    let plausible = match &fact.plausible {
        None => None,
        Some(range) => match (&range.low, &range.high) {
            (Const::Number(low), Const::Number(high)) => Some((
                clinrule_check::units::from_base(*low, unit)?,
                clinrule_check::units::from_base(*high, unit)?,
            )),
            _ => return None,
        },
    };
    Some(DeclaredUnit {
        unit_text: unit_text.clone(),
        thresholds,
        plausible,
    })
}

/// Each operation's parent: the operation it is a part of.
fn parents(ops: &[Op], parts: &[u32]) -> Vec<u32> {
    let mut parents = vec![NO_PARENT; ops.len()];
    for (index, op) in ops.iter().enumerate() {
        let Ok(parent) = u32::try_from(index) else {
            continue;
        };
        let Some(range) = op.part_range() else {
            continue;
        };
        for child in Parts::new(parts, range) {
            if let Some(entry) = parents.get_mut(child as usize) {
                *entry = parent;
            }
        }
    }
    parents
}

fn whole_points(points: Rational) -> Result<i64, Unsupported> {
    if !points.is_integer() {
        return Err("a score gives points that are not whole numbers");
    }
    i64::try_from(points.numerator())
        .ok()
        .filter(|points| points.abs() < MAX_POINTS)
        .ok_or("a score gives too many points")
}

struct Compiler<'rules> {
    rule_set: &'rules CheckedRuleSet,
    codings: Vec<Coding>,
    /// The thresholds each fact is compared with, before sorting.
    fact_numbers: Vec<Vec<Rational>>,
    fact_dates: Vec<Vec<Date>>,
    /// The thresholds each score's total is compared with.
    score_thresholds: Vec<(usize, Vec<Rational>)>,
    /// Each score's total coded by its thresholds, made once they are sorted.
    score_codings: Vec<(usize, Coding)>,
    /// The coding of a score total that no condition compares.
    no_thresholds: Coding,
    sources: Vec<Source>,
    ops: Vec<Op>,
    parts: Vec<u32>,
    member_tables: Vec<bool>,
    lists: Vec<MemberList>,
    op_nodes: Vec<u32>,
    /// Operations compiled but not yet laid out, with local indices.
    pending_ops: Vec<Op>,
    pending_nodes: Vec<u32>,
    pending_parts: Vec<u32>,
    /// Where each pending expression's operations lie in `pending_ops`.
    pending_roots: Vec<(usize, usize)>,
    /// The operations of each placed expression.
    root_ops: Vec<u32>,
    /// The groups of comparisons of the last placement, by slot.
    last_groups: Vec<(u32, u32, u32)>,
    /// Where the other operations of the last placement start.
    last_inner: u32,
    derived: Vec<DerivedPlan>,
    let_slots: Vec<(usize, u32)>,
    score_slots: Vec<(usize, u32, u32)>,
}

/// What a compared value reads.
#[derive(Clone, Copy)]
enum Operand {
    Fact(usize),
    Let(usize),
    Score(usize),
    Band(usize),
}

impl<'rules> Compiler<'rules> {
    fn new(rule_set: &'rules CheckedRuleSet) -> Compiler<'rules> {
        let codings = rule_set
            .facts()
            .iter()
            .map(|fact| match &fact.fact_type {
                FactType::YesNo => Coding::YesNo,
                FactType::OneOf(_) => Coding::Codes,
                FactType::Number | FactType::Quantity { .. } | FactType::Age => {
                    Coding::Numbers(Vec::new())
                }
                FactType::Date => Coding::Dates(Vec::new()),
                FactType::Text => Coding::Text,
            })
            .collect();
        let count = rule_set.facts().len();
        Compiler {
            rule_set,
            codings,
            fact_numbers: vec![Vec::new(); count],
            fact_dates: vec![Vec::new(); count],
            score_thresholds: Vec::new(),
            score_codings: Vec::new(),
            no_thresholds: Coding::Numbers(Vec::new()),
            sources: (0..count).map(Source::Fact).collect(),
            ops: Vec::new(),
            parts: Vec::new(),
            member_tables: Vec::new(),
            lists: Vec::new(),
            op_nodes: Vec::new(),
            pending_ops: Vec::new(),
            pending_nodes: Vec::new(),
            pending_parts: Vec::new(),
            pending_roots: Vec::new(),
            root_ops: Vec::new(),
            last_groups: Vec::new(),
            last_inner: 0,
            derived: Vec::new(),
            let_slots: Vec::new(),
            score_slots: Vec::new(),
        }
    }

    fn new_slot(&mut self, source: Source) -> u32 {
        self.sources.push(source);
        u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX)
    }

    /// What a compared expression reads, when the program can compile it.
    fn operand(&self, expr: &Expr) -> Option<Operand> {
        match expr.kind {
            CheckedExprKind::Fact(index) => {
                let fact = self.rule_set.facts().get(index)?;
                (fact.fact_type != FactType::Text).then_some(Operand::Fact(index))
            }
            CheckedExprKind::Let(index) => Some(Operand::Let(index)),
            CheckedExprKind::Score(index) => Some(Operand::Score(index)),
            CheckedExprKind::Band(index) => Some(Operand::Band(index)),
            _ => None,
        }
    }

    /// Records the constants each fact and score is compared with.
    /// Records the thresholds `expr` compares with; `stack` is room to
    /// walk it, passed in so that it serves every expression of a rule set.
    fn thresholds<'e>(
        &mut self,
        expr: &'e Expr,
        stack: &mut Vec<&'e Expr>,
    ) -> Result<(), Unsupported> {
        stack.push(expr);
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                CheckedExprKind::Compare { left, right, .. } => {
                    if let (Some(operand), CheckedExprKind::Const(constant)) =
                        (self.operand(left), &right.kind)
                    {
                        self.record(operand, constant);
                    } else if let (CheckedExprKind::Const(constant), Some(operand)) =
                        (&left.kind, self.operand(right))
                    {
                        self.record(operand, constant);
                    }
                }
                CheckedExprKind::Between {
                    value, low, high, ..
                } => {
                    if let Some(operand) = self.operand(value) {
                        for end in [low, high] {
                            if let CheckedExprKind::Const(constant) = &end.kind {
                                self.record(operand, constant);
                            }
                        }
                    }
                }
                _ => {}
            }
            stack.extend(expr.children());
        }
        Ok(())
    }

    fn record(&mut self, operand: Operand, constant: &Const) {
        match (operand, constant) {
            (Operand::Fact(index), Const::Number(number)) => {
                if let Some(numbers) = self.fact_numbers.get_mut(index) {
                    numbers.push(*number);
                }
            }
            (Operand::Fact(index), Const::Date(date)) => {
                if let Some(dates) = self.fact_dates.get_mut(index) {
                    dates.push(*date);
                }
            }
            (Operand::Score(index), Const::Number(number)) => {
                match self
                    .score_thresholds
                    .iter_mut()
                    .find(|(score, _)| *score == index)
                {
                    Some((_, thresholds)) => thresholds.push(*number),
                    None => self.score_thresholds.push((index, vec![*number])),
                }
            }
            _ => {}
        }
    }

    fn sort_thresholds(&mut self) {
        for (coding, (numbers, dates)) in self
            .codings
            .iter_mut()
            .zip(self.fact_numbers.iter_mut().zip(self.fact_dates.iter_mut()))
        {
            match coding {
                Coding::Numbers(thresholds) => {
                    numbers.sort_unstable();
                    numbers.dedup();
                    *thresholds = std::mem::take(numbers);
                }
                Coding::Dates(thresholds) => {
                    dates.sort_unstable();
                    dates.dedup();
                    *thresholds = std::mem::take(dates);
                }
                _ => {}
            }
        }
        for (_, thresholds) in &mut self.score_thresholds {
            thresholds.sort_unstable();
            thresholds.dedup();
        }
        self.score_codings = self
            .score_thresholds
            .iter()
            .map(|(score, thresholds)| (*score, Coding::Numbers(thresholds.clone())))
            .collect();
    }

    /// Compiles a whole expression into the pending operations; [`Compiler::place`]
    /// lays it out.
    fn root(&mut self, expr: &Expr) -> Result<(), Unsupported> {
        let start = self.pending_ops.len();
        let mut node = 0u32;
        self.compile(expr, &mut node)?;
        self.pending_roots.push((start, self.pending_ops.len()));
        Ok(())
    }

    /// Lays out the pending expressions: first the comparisons of all of
    /// them, in order, then their other operations, in order. Comparisons
    /// read only slots, so they can run first, in a loop of their own that
    /// does not branch on what kind of operation comes next.
    fn place(&mut self) -> Result<Vec<Root>, Unsupported> {
        let index = |value: usize| u32::try_from(value).map_err(|_| "too many conditions");
        let base = self.ops.len();
        let pending = &self.pending_ops;
        // Each operation's height: comparisons are 0, and an operation is
        // one above its highest part.
        let mut heights = vec![0u32; pending.len()];
        for (local, op) in pending.iter().enumerate() {
            let parts = op
                .part_range()
                .map(|range| Parts::new(&self.pending_parts, range));
            let height = parts
                .into_iter()
                .flatten()
                .map(|part| heights.get(part as usize).copied().unwrap_or(0) + 1)
                .max()
                .unwrap_or(0);
            if let Some(entry) = heights.get_mut(local) {
                *entry = height;
            }
        }
        // Comparisons first, by the slot they read, so that each slot is
        // read once for all its comparisons; then the rest by height, and
        // within a height by kind, so that evaluation meets runs of the same
        // kind of operation and predicts its branches. Ties keep the order
        // operations were compiled in. The whole place is packed into one
        // number, because an unstable sort of plain numbers is quick.
        if pending.len() >= 1 << 31 {
            return Err("too many conditions");
        }
        let mut keys: Vec<u64> = pending
            .iter()
            .enumerate()
            .map(|(local, op)| {
                let height = u64::from(heights.get(local).copied().unwrap_or(0).min(0xFF_FFFF));
                let (section, major, minor) = match op {
                    Op::Within { slot, .. } => (0u64, u64::from(*slot).min(0xFF_FFFF), 0u64),
                    op => (1, height, u64::from(op.kind_rank())),
                };
                (section << 63) | (major << 39) | (minor << 31) | local as u64
            })
            .collect();
        keys.sort_unstable();
        let order: Vec<usize> = keys
            .iter()
            .map(|key| (key & 0x7FFF_FFFF) as usize)
            .collect();
        let mut map = vec![0u32; pending.len()];
        for (position, local) in order.iter().enumerate() {
            *map.get_mut(*local).ok_or("an operation is missing")? = index(base + position)?;
        }
        let leaf_end = base
            + pending
                .iter()
                .filter(|op| matches!(op, Op::Within { .. }))
                .count();
        let mut roots = Vec::with_capacity(self.pending_roots.len());
        // One list for every root's operations: a large rule set has many.
        let mut placed: Vec<u32> = Vec::new();
        for (start, end) in self.pending_roots.drain(..) {
            placed.clear();
            placed.extend((start..end).filter_map(|local| map.get(local).copied()));
            placed.sort_unstable();
            let split = placed.partition_point(|op| (*op as usize) < leaf_end);
            let first = index(self.root_ops.len())?;
            self.root_ops.extend(&placed);
            let split = first + index(split)?;
            let root = *map
                .get(end.checked_sub(1).ok_or("an empty condition")?)
                .ok_or("an operation is missing")?;
            roots.push(Root {
                leaves: (first, split),
                inner: (split, index(self.root_ops.len())?),
                root,
            });
        }
        // The groups of comparisons of one slot.
        self.last_groups.clear();
        for position in base..leaf_end {
            let Some(Op::Within { slot, .. }) = order
                .get(position - base)
                .and_then(|local| pending.get(*local))
            else {
                continue;
            };
            match self.last_groups.last_mut() {
                Some((group_slot, _, group_end)) if group_slot == slot => {
                    *group_end = index(position + 1)?;
                }
                _ => self
                    .last_groups
                    .push((*slot, index(position)?, index(position + 1)?)),
            }
        }
        self.last_inner = index(leaf_end)?;
        let parts_base = index(self.parts.len())?;
        let remap = |local: u32| map.get(local as usize).copied().unwrap_or(u32::MAX);
        let mut placed = vec![(Op::Const(FALSE), 0u32); self.pending_ops.len()];
        let pending_parts = &self.pending_parts;
        // Parts that are consecutive operations are read as one slice.
        let parts_of = |first: u32, count: u32| -> (u32, bool) {
            let parts = pending_parts
                .get(first as usize..(first + count) as usize)
                .unwrap_or_default();
            let start = parts.first().map_or(0, |part| remap(*part));
            let direct = parts
                .iter()
                .enumerate()
                .all(|(offset, part)| remap(*part) as usize == start as usize + offset);
            if direct {
                (start, true)
            } else {
                (first + parts_base, false)
            }
        };
        for (local, (op, node)) in self.pending_ops.iter().zip(&self.pending_nodes).enumerate() {
            let mut op = *op;
            if let Some((first, count, direct)) = op.part_range() {
                // In compilation, direct parts (`not`'s one) are operations
                // themselves; listed ones are read from the part list.
                let (first, direct) = if direct {
                    (remap(first), true)
                } else {
                    parts_of(first, count)
                };
                op.set_parts(first, direct);
            }
            let at = (remap(u32::try_from(local).map_err(|_| "too many conditions")?) as usize)
                .checked_sub(base)
                .ok_or("an operation is misplaced")?;
            *placed.get_mut(at).ok_or("an operation is misplaced")? = (op, *node);
        }
        self.parts
            .extend(self.pending_parts.iter().map(|part| remap(*part)));
        for (op, node) in placed {
            self.ops.push(op);
            self.op_nodes.push(node);
        }
        self.pending_ops.clear();
        self.pending_nodes.clear();
        self.pending_parts.clear();
        Ok(roots)
    }

    fn push(&mut self, op: Op, node: u32) -> u32 {
        let index = u32::try_from(self.pending_ops.len()).unwrap_or(u32::MAX);
        self.pending_ops.push(op);
        self.pending_nodes.push(node);
        index
    }

    /// The slot an operand is read from and how its values are coded,
    /// borrowed: a fact measured against many thresholds has a long coding.
    fn slot(&self, operand: Operand) -> Result<(u32, &Coding), Unsupported> {
        match operand {
            Operand::Fact(index) => Ok((
                u32::try_from(index).map_err(|_| "too many facts")?,
                self.codings.get(index).ok_or("a fact is missing")?,
            )),
            Operand::Let(index) => self
                .let_slots
                .iter()
                .find(|(let_index, _)| *let_index == index)
                .map(|(_, slot)| (*slot, &Coding::YesNo))
                .ok_or("a derived value is used before it is computed"),
            Operand::Score(index) => {
                let (_, total, _) = self
                    .score_slots
                    .iter()
                    .find(|(score, _, _)| *score == index)
                    .ok_or("a score is used before it is computed")?;
                let coding = self
                    .score_codings
                    .iter()
                    .find(|(score, _)| *score == index)
                    .map_or(&self.no_thresholds, |(_, coding)| coding);
                Ok((*total, coding))
            }
            Operand::Band(index) => self
                .score_slots
                .iter()
                .find(|(score, _, _)| *score == index)
                .map(|(_, _, band)| (*band, &Coding::Codes))
                .ok_or("a score is used before it is computed"),
        }
    }

    /// The code of a constant among a slot's codes.
    fn constant_code(coding: &Coding, constant: &Const) -> Result<u32, Unsupported> {
        let threshold = |code: u32| {
            if code % 2 == 1 {
                Ok(code)
            } else {
                Err("a threshold was not recorded")
            }
        };
        match (coding, constant) {
            (Coding::YesNo, Const::Bool(answer)) => Ok(if *answer { 3 } else { 1 }),
            (Coding::Codes, Const::Code(code)) => Ok(code_of_position(*code)),
            (Coding::Numbers(thresholds), Const::Number(number)) => {
                threshold(place(thresholds, number))
            }
            (Coding::Dates(thresholds), Const::Date(date)) => threshold(place(thresholds, date)),
            _ => Err("a comparison of values of different kinds"),
        }
    }

    /// `slot op k` as codes within a range: see [`Op::Within`].
    fn within(slot: u32, op: CompareOp, code: u32) -> Op {
        let after = code.saturating_add(1);
        let (low, high, negate) = match op {
            CompareOp::Less => (0, code, false),
            CompareOp::LessOrEqual => (0, after, false),
            CompareOp::Greater => (after, u32::MAX, false),
            CompareOp::GreaterOrEqual => (code, u32::MAX, false),
            CompareOp::Equal => (code, after, false),
            CompareOp::NotEqual => (code, after, true),
        };
        Op::Within {
            slot,
            low,
            high,
            negate,
        }
    }

    /// Compiles an expression whose value is yes or no, returning the
    /// operation that gives it. `node` counts the expression's nodes in
    /// pre-order, as the tree evaluator records them.
    fn compile(&mut self, expr: &Expr, node: &mut u32) -> Result<u32, Unsupported> {
        let own = *node;
        *node += 1;
        let skip = |node: &mut u32, expr: &Expr| {
            *node += u32::try_from(expr.node_count()).unwrap_or(u32::MAX);
        };
        if expr.value_type != ValueType::Bool {
            return Err("a condition that is not yes or no");
        }
        match &expr.kind {
            CheckedExprKind::Const(Const::Bool(answer)) => {
                Ok(self.push(Op::Const(if *answer { TRUE } else { FALSE }), own))
            }
            CheckedExprKind::Fact(_) | CheckedExprKind::Let(_) => {
                let operand = self.operand(expr).ok_or("a condition on free text")?;
                let (slot, coding) = self.slot(operand)?;
                let code = Self::constant_code(coding, &Const::Bool(true))?;
                Ok(self.push(Self::within(slot, CompareOp::Equal, code), own))
            }
            CheckedExprKind::Compare {
                op,
                left,
                right,
                alternatives,
            } => {
                if !alternatives.is_empty() {
                    return Err("a threshold written in two units");
                }
                let (operand, constant, op) = match (&left.kind, &right.kind) {
                    (_, CheckedExprKind::Const(constant)) => (
                        self.operand(left).ok_or("a comparison of two values")?,
                        constant,
                        *op,
                    ),
                    (CheckedExprKind::Const(constant), _) => (
                        self.operand(right).ok_or("a comparison of two values")?,
                        constant,
                        flip(*op),
                    ),
                    _ => return Err("a comparison of two values"),
                };
                skip(node, left);
                skip(node, right);
                let (slot, coding) = self.slot(operand)?;
                let code = Self::constant_code(coding, constant)?;
                Ok(self.push(Self::within(slot, op, code), own))
            }
            CheckedExprKind::Between {
                value,
                low,
                low_inclusive,
                high,
                high_inclusive,
            } => {
                let operand = self.operand(value).ok_or("a range of a computed value")?;
                let (CheckedExprKind::Const(low_constant), CheckedExprKind::Const(high_constant)) =
                    (&low.kind, &high.kind)
                else {
                    return Err("a range with computed ends");
                };
                skip(node, value);
                skip(node, low);
                skip(node, high);
                let (slot, coding) = self.slot(operand)?;
                // Both ends at once: the codes from the lower end (after
                // it when it is excluded) up to the upper end.
                let low_code = Self::constant_code(coding, low_constant)?;
                let high_code = Self::constant_code(coding, high_constant)?;
                let op = Op::Within {
                    slot,
                    low: if *low_inclusive {
                        low_code
                    } else {
                        low_code.saturating_add(1)
                    },
                    high: if *high_inclusive {
                        high_code.saturating_add(1)
                    } else {
                        high_code
                    },
                    negate: false,
                };
                Ok(self.push(op, own))
            }
            CheckedExprKind::Member {
                value,
                negated,
                codes,
            } => {
                let operand = self
                    .operand(value)
                    .ok_or("membership of a computed value")?;
                skip(node, value);
                let (slot, coding) = self.slot(operand)?;
                if !matches!(coding, Coding::Codes) {
                    return Err("membership of a value that is not a code");
                }
                let length = codes.iter().max().map_or(0, |largest| largest + 1);
                let table =
                    u32::try_from(self.member_tables.len()).map_err(|_| "too many lists")?;
                let mut entries = vec![false; length];
                for code in codes {
                    if let Some(entry) = entries.get_mut(*code) {
                        *entry = true;
                    }
                }
                self.member_tables.extend(entries);
                let len = u32::try_from(length).map_err(|_| "too long a list")?;
                let list = u32::try_from(self.lists.len()).map_err(|_| "too many lists")?;
                self.lists.push(MemberList {
                    table,
                    len,
                    negated: *negated,
                });
                Ok(self.push(Op::Member { slot, list }, own))
            }
            CheckedExprKind::Presence { value, known } => {
                // A computed number or score is known when exact, which its
                // region in the program does not tell: left to the tree
                // evaluator. A yes/no or a code is exact whenever known.
                let exact_when_known = matches!(
                    value.value_type,
                    ValueType::Bool | ValueType::Code(_) | ValueType::Text
                );
                let operand = match value.kind {
                    // Free text is known or not like any other fact.
                    CheckedExprKind::Fact(index) => Some(Operand::Fact(index)),
                    _ if exact_when_known => self.operand(value),
                    _ => None,
                }
                .ok_or("the presence of a computed value")?;
                skip(node, value);
                let (slot, _) = self.slot(operand)?;
                Ok(self.push(
                    if *known {
                        Op::Known(slot)
                    } else {
                        Op::Missing(slot)
                    },
                    own,
                ))
            }
            CheckedExprKind::Not(inner) => {
                let inner = self.compile(inner, node)?;
                Ok(self.push(Op::Not(inner), own))
            }
            CheckedExprKind::All(parts)
            | CheckedExprKind::Any(parts)
            | CheckedExprKind::Otherwise(parts)
            | CheckedExprKind::Count { items: parts, .. } => {
                let mut compiled = Vec::with_capacity(parts.len());
                for part in parts {
                    compiled.push(self.compile(part, node)?);
                }
                let first =
                    u32::try_from(self.pending_parts.len()).map_err(|_| "too many conditions")?;
                let count = u32::try_from(compiled.len()).map_err(|_| "too many conditions")?;
                self.pending_parts.extend(compiled);
                let direct = false;
                let op = match &expr.kind {
                    CheckedExprKind::All(_) => Op::All {
                        first,
                        count,
                        direct,
                    },
                    CheckedExprKind::Any(_) => Op::Any {
                        first,
                        count,
                        direct,
                    },
                    CheckedExprKind::Otherwise(_) => Op::FirstKnown {
                        first,
                        count,
                        direct,
                    },
                    CheckedExprKind::Count {
                        count: Count::AtLeast(needed),
                        ..
                    } => Op::AtLeast {
                        first,
                        count,
                        needed: u32::try_from(*needed).unwrap_or(u32::MAX),
                        direct,
                    },
                    CheckedExprKind::Count {
                        count: Count::AtMost(limit),
                        ..
                    } => Op::AtMost {
                        first,
                        count,
                        limit: u32::try_from(*limit).unwrap_or(u32::MAX),
                        direct,
                    },
                    _ => return Err("an unexpected condition"),
                };
                Ok(self.push(op, own))
            }
            CheckedExprKind::Const(_) => Err("a constant that is not yes or no"),
            CheckedExprKind::Score(_) | CheckedExprKind::Band(_) => {
                Err("a score used as a condition")
            }
            CheckedExprKind::Status(..) | CheckedExprKind::Tally(_) => Err("a differential"),
            CheckedExprKind::AsOf => Err("a date counted to as_of"),
            CheckedExprKind::Arith { .. } => Err("arithmetic"),
            CheckedExprKind::Table { .. } => Err("a lookup table"),
            CheckedExprKind::Round { .. } => Err("rounding"),
        }
    }
}
