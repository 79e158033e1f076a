//! Running the program on one case: the operations in order, then, for
//! undetermined rules, the missing facts that matter and the values they
//! could take.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::FactIndex;
use clinrule_check::number::Rational;

use super::codes::{code_of_position, code_slot, member, within};
use super::{
    Coded, CodedCase, CompactTrace, DerivedPlan, FALSE, NO_PARENT, Op, Parts, Plan, Root, Source,
    TRUE, UNKNOWN, status_of,
};
use crate::case::Case;
use crate::evaluate::RuleStatus;

use crate::MAX_WORLDS;

impl Plan {
    /// Writes a case's facts into coded slots.
    pub(super) fn code(&self, case: &Case, coded: &mut CodedCase) {
        coded.slots.clear();
        coded.slots.extend(
            self.codings
                .iter()
                .zip(&self.absent_means_no)
                .enumerate()
                .map(
                    |(index, (coding, absent_means_no))| match case.slots.get(index) {
                        Some(slot) => code_slot(coding, *absent_means_no, slot),
                        None => Coded::UNKNOWN,
                    },
                ),
        );
    }

    /// Evaluates every derived value, score and rule, records every
    /// outcome, and finds what undetermined rules wait on.
    pub(super) fn run(&self, rule_set: &CheckedRuleSet, facts: &[Coded], trace: &mut CompactTrace) {
        if trace.slots.len() != self.sources.len() || trace.truths.len() != self.ops.len() {
            trace.slots = vec![Coded::UNKNOWN; self.sources.len()];
            trace.world_slots = trace.slots.clone();
            trace.truths = vec![UNKNOWN; self.ops.len()];
            trace.world_truths = trace.truths.clone();
        }
        let rule_count = self.rules.len();
        trace.statuses.resize(rule_count, RuleStatus::Undetermined);
        trace.missing.resize_with(rule_count, Vec::new);
        trace.decided.resize(rule_count, false);
        trace
            .derived_missing
            .resize_with(self.derived.len(), Vec::new);
        let fact_count = facts.len().min(trace.slots.len());
        if let (Some(into), Some(from)) =
            (trace.slots.get_mut(..fact_count), facts.get(..fact_count))
        {
            into.copy_from_slice(from);
        }

        for (position, derived) in self.derived.iter().enumerate() {
            self.compute_derived(
                rule_set,
                derived,
                &mut trace.slots,
                &mut trace.truths,
                &mut trace.criteria,
            );
            self.derived_missing(position, trace);
        }
        // Every rule's condition in one pass: first every comparison, then
        // the rest, each after its parts.
        for (slot, first, end) in &self.rule_groups {
            let value = trace
                .slots
                .get(*slot as usize)
                .copied()
                .unwrap_or(Coded::UNKNOWN);
            self.compare_group(value, *first as usize, *end as usize, &mut trace.truths);
        }
        self.evaluate_ops(
            self.rules_inner as usize,
            self.ops.len(),
            &trace.slots,
            &mut trace.truths,
        );
        for (status, rule) in trace.statuses.iter_mut().zip(&self.rules) {
            *status = status_of(
                trace
                    .truths
                    .get(rule.condition.root as usize)
                    .copied()
                    .unwrap_or(UNKNOWN),
            );
        }
        // The missing facts of the rules that waited on some last time.
        for index in trace.waiting.drain(..) {
            if let Some(missing) = trace.missing.get_mut(index) {
                missing.clear();
            }
            if let Some(flag) = trace.decided.get_mut(index) {
                *flag = false;
            }
        }
        for index in 0..self.rules.len() {
            if trace.statuses.get(index) != Some(&RuleStatus::Undetermined) {
                continue;
            }
            let Some(rule) = self.rules.get(index) else {
                continue;
            };
            trace.waiting.push(index);
            let mut missing = trace
                .missing
                .get_mut(index)
                .map(std::mem::take)
                .unwrap_or_default();
            missing.clear();
            self.missing_of(rule.condition, trace, &mut missing);
            // A rule that reads each fact once, each in a test that some
            // values pass and others fail, is undetermined exactly when its
            // missing facts could make it fire and could make it fail:
            // trying their values would only confirm it.
            let read_once = self.read_once.get(index).copied().unwrap_or(false);
            if !read_once
                && let Some(decided) = self.decide_by_cases(rule_set, index, &missing, trace)
            {
                if let Some(entry) = trace.statuses.get_mut(index) {
                    *entry = decided;
                }
                if let Some(flag) = trace.decided.get_mut(index) {
                    *flag = true;
                }
            }
            if let Some(entry) = trace.missing.get_mut(index) {
                *entry = missing;
            }
        }
    }

    /// Computes one derived value or score into its slots.
    fn compute_derived(
        &self,
        rule_set: &CheckedRuleSet,
        derived: &DerivedPlan,
        slots: &mut [Coded],
        truths: &mut [u8],
        criteria_points: &mut Vec<(i64, i64)>,
    ) {
        match derived {
            DerivedPlan::Let { root, slot } => {
                self.evaluate_root(*root, slots, truths);
                let value = match truths.get(root.root as usize).copied() {
                    Some(TRUE) => Coded::exact(3),
                    Some(FALSE) => Coded::exact(1),
                    _ => Coded::UNKNOWN,
                };
                if let Some(entry) = slots.get_mut(*slot as usize) {
                    *entry = value;
                }
            }
            DerivedPlan::Score {
                index,
                criteria,
                total_slot,
                band_slot,
                thresholds,
            } => {
                let mut low = 0i64;
                let mut high = 0i64;
                criteria_points.clear();
                for choices in criteria {
                    // The first choice that holds counts; each choice that
                    // may hold before it is a possibility, and so is none.
                    let mut decided = false;
                    let mut criterion_low = i64::MAX;
                    let mut criterion_high = i64::MIN;
                    for (root, points) in choices {
                        self.evaluate_root(*root, slots, truths);
                        if decided {
                            continue;
                        }
                        match truths.get(root.root as usize).copied() {
                            Some(TRUE) => {
                                criterion_low = criterion_low.min(*points);
                                criterion_high = criterion_high.max(*points);
                                decided = true;
                            }
                            Some(FALSE) => {}
                            _ => {
                                criterion_low = criterion_low.min(*points);
                                criterion_high = criterion_high.max(*points);
                            }
                        }
                    }
                    if !decided {
                        criterion_low = criterion_low.min(0);
                        criterion_high = criterion_high.max(0);
                    }
                    criteria_points.push((criterion_low, criterion_high));
                    low += criterion_low;
                    high += criterion_high;
                }
                let total = Coded {
                    low: thresholds.number(Rational::integer(low)).low,
                    high: thresholds.number(Rational::integer(high)).high,
                };
                if let Some(entry) = slots.get_mut(*total_slot as usize) {
                    *entry = total;
                }
                let band = band_of(rule_set, *index, low, high);
                if let Some(entry) = slots.get_mut(*band_slot as usize) {
                    *entry = band;
                }
            }
        }
    }

    /// Runs the operations of one expression.
    #[inline]
    fn evaluate_root(&self, root: Root, slots: &[Coded], truths: &mut [u8]) {
        let list = |(first, end): (u32, u32)| {
            self.root_ops
                .get(first as usize..end as usize)
                .unwrap_or_default()
        };
        for op in list(root.leaves) {
            if let (Some(leaf), Some(outcome)) =
                (self.leaves.get(*op as usize), truths.get_mut(*op as usize))
            {
                let value = slots
                    .get(leaf.slot as usize)
                    .copied()
                    .unwrap_or(Coded::UNKNOWN);
                *outcome = within(value, leaf.low, leaf.high, leaf.negate);
            }
        }
        let cells = std::cell::Cell::from_mut(truths).as_slice_of_cells();
        for op in list(root.inner) {
            if let (Some(operation), Some(outcome)) =
                (self.ops.get(*op as usize), cells.get(*op as usize))
            {
                outcome.set(self.step(operation, slots, cells));
            }
        }
    }

    /// Runs the comparisons `first..end`, which all read one slot's value.
    #[inline]
    fn compare_group(&self, value: Coded, first: usize, end: usize, truths: &mut [u8]) {
        let (Some(leaves), Some(outcomes)) =
            (self.leaves.get(first..end), truths.get_mut(first..end))
        else {
            return;
        };
        for (leaf, outcome) in leaves.iter().zip(outcomes) {
            *outcome = within(value, leaf.low, leaf.high, leaf.negate);
        }
    }

    /// Runs the operations `first..end` in order. The outcomes are cells,
    /// so that an operation can read its parts' outcomes while its own is
    /// written, without checking every index twice.
    #[inline]
    fn evaluate_ops(&self, first: usize, end: usize, slots: &[Coded], truths: &mut [u8]) {
        let cells = std::cell::Cell::from_mut(truths).as_slice_of_cells();
        let (Some(ops), Some(outcomes)) = (self.ops.get(first..end), cells.get(first..end)) else {
            return;
        };
        for (op, outcome) in ops.iter().zip(outcomes) {
            outcome.set(self.step(op, slots, cells));
        }
    }

    /// The parts of an n-ary operation, as operation indices.
    #[inline]
    fn parts(&self, first: u32, count: u32, direct: bool) -> Parts<'_> {
        Parts::new(&self.parts, (first, count, direct))
    }

    /// Folds the outcomes of an n-ary operation's parts: a slice of
    /// outcomes when the parts are consecutive operations, else through the
    /// part list.
    #[inline(always)]
    fn fold_parts(
        &self,
        first: u32,
        count: u32,
        direct: bool,
        truths: &[std::cell::Cell<u8>],
        start: u8,
        combine: impl Fn(u8, u8) -> u8,
    ) -> u8 {
        // No early exit: whether a part settles the outcome is not
        // predictable, and a mispredicted branch costs more than the parts.
        let range = first as usize..(first + count) as usize;
        if direct {
            truths
                .get(range)
                .unwrap_or_default()
                .iter()
                .fold(start, |value, truth| combine(value, truth.get()))
        } else {
            self.parts
                .get(range)
                .unwrap_or_default()
                .iter()
                .fold(start, |value, part| {
                    combine(
                        value,
                        truths
                            .get(*part as usize)
                            .map_or(UNKNOWN, std::cell::Cell::get),
                    )
                })
        }
    }

    /// How many parts hold and how many are unknown.
    #[inline(always)]
    fn tally(
        &self,
        first: u32,
        count: u32,
        direct: bool,
        truths: &[std::cell::Cell<u8>],
    ) -> (u32, u32) {
        let mut holding = 0;
        let mut unknown = 0;
        for part in self.parts(first, count, direct) {
            match truths.get(part as usize).map(std::cell::Cell::get) {
                Some(TRUE) => holding += 1,
                Some(FALSE) => {}
                _ => unknown += 1,
            }
        }
        (holding, unknown)
    }

    /// One operation's outcome.
    #[inline(always)]
    fn step(&self, op: &Op, slots: &[Coded], truths: &[std::cell::Cell<u8>]) -> u8 {
        let slot = |slot: u32| slots.get(slot as usize).copied().unwrap_or(Coded::UNKNOWN);
        let truth = |op: u32| {
            truths
                .get(op as usize)
                .map_or(UNKNOWN, std::cell::Cell::get)
        };
        match *op {
            Op::Within {
                slot: index,
                low,
                high,
                negate,
            } => within(slot(index), low, high, negate),
            Op::Const(value) => value,
            Op::Member { slot: index, list } => match self.lists.get(list as usize) {
                Some(list) => member(slot(index), *list, &self.member_tables),
                None => UNKNOWN,
            },
            Op::Known(index) => {
                if slot(index).is_known() {
                    TRUE
                } else {
                    FALSE
                }
            }
            Op::Missing(index) => {
                if slot(index).is_known() {
                    FALSE
                } else {
                    TRUE
                }
            }
            Op::Not(inner) => TRUE - truth(inner),
            Op::All {
                first,
                count,
                direct,
            } => self.fold_parts(first, count, direct, truths, TRUE, u8::min),
            Op::Any {
                first,
                count,
                direct,
            } => self.fold_parts(first, count, direct, truths, FALSE, u8::max),
            Op::AtLeast {
                first,
                count,
                needed,
                direct,
            } => {
                let (holding, unknown) = self.tally(first, count, direct, truths);
                if holding >= needed {
                    TRUE
                } else if holding + unknown < needed {
                    FALSE
                } else {
                    UNKNOWN
                }
            }
            Op::AtMost {
                first,
                count,
                limit,
                direct,
            } => {
                let (holding, unknown) = self.tally(first, count, direct, truths);
                if holding + unknown <= limit {
                    TRUE
                } else if holding > limit {
                    FALSE
                } else {
                    UNKNOWN
                }
            }
            Op::FirstKnown {
                first,
                count,
                direct,
            } => self
                .parts(first, count, direct)
                .map(truth)
                .find(|value| *value != UNKNOWN)
                .unwrap_or(UNKNOWN),
        }
    }

    /// The missing facts that could still change an expression, as the
    /// tree evaluator finds them: those read by a test that is unknown
    /// under parts that are all unknown up to the expression itself. (A
    /// part of `all` matters only while no other part is false, which for
    /// an unknown `all` always holds; likewise for `any`, `otherwise` and
    /// the counts; the value tested by `is known` never matters, and such a
    /// test reads no fact here.)
    fn missing_of(&self, root: Root, trace: &CompactTrace, out: &mut Vec<FactIndex>) {
        let truth = |op: usize| trace.truths.get(op).copied().unwrap_or(UNKNOWN);
        for index in self.root_ops(root) {
            let slot = match self.ops.get(index) {
                Some(Op::Within { slot, .. } | Op::Member { slot, .. }) => *slot,
                _ => continue,
            };
            if truth(index) != UNKNOWN {
                continue;
            }
            let mut ancestor = self.parents.get(index).copied().unwrap_or(NO_PARENT);
            let mut open = true;
            while ancestor != NO_PARENT {
                if truth(ancestor as usize) != UNKNOWN {
                    open = false;
                    break;
                }
                ancestor = self
                    .parents
                    .get(ancestor as usize)
                    .copied()
                    .unwrap_or(NO_PARENT);
            }
            if !open {
                continue;
            }
            match self.sources.get(slot as usize) {
                Some(Source::Fact(fact)) => out.push(*fact),
                Some(Source::Derived(position)) => {
                    if let Some(facts) = trace.derived_missing.get(*position) {
                        out.extend_from_slice(facts);
                    }
                }
                None => {}
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// After computing a derived value or score: the facts it misses, when
    /// it is not exact.
    fn derived_missing(&self, position: usize, trace: &mut CompactTrace) {
        let mut missing = trace
            .derived_missing
            .get_mut(position)
            .map(std::mem::take)
            .unwrap_or_default();
        missing.clear();
        match self.derived.get(position) {
            Some(DerivedPlan::Let { root, .. })
                if trace.truths.get(root.root as usize).copied() == Some(UNKNOWN) =>
            {
                self.missing_of(*root, trace, &mut missing);
            }
            Some(DerivedPlan::Let { .. }) => {}
            Some(DerivedPlan::Score { criteria, .. }) => {
                let points = std::mem::take(&mut trace.criteria);
                let mut gathered = Vec::new();
                for (choices, (low, high)) in criteria.iter().zip(points.iter().copied()) {
                    if low == high {
                        continue;
                    }
                    // The choices that may hold before the first that does.
                    for (root, _) in choices {
                        match trace.truths.get(root.root as usize).copied() {
                            Some(TRUE) => break,
                            Some(UNKNOWN) => {
                                self.missing_of(*root, trace, &mut gathered);
                                missing.append(&mut gathered);
                            }
                            _ => {}
                        }
                    }
                }
                trace.criteria = points;
                missing.sort_unstable();
                missing.dedup();
            }
            None => {}
        }
        if let Some(entry) = trace.derived_missing.get_mut(position) {
            *entry = missing;
        }
    }

    /// Tries every combination of values of an undetermined rule's missing
    /// facts: when all give the same status, that is the rule's status.
    fn decide_by_cases(
        &self,
        rule_set: &CheckedRuleSet,
        rule: usize,
        missing: &[FactIndex],
        trace: &mut CompactTrace,
    ) -> Option<RuleStatus> {
        if missing.is_empty() {
            return None;
        }
        let plan = self.rules.get(rule)?;
        let mut worlds = 1usize;
        for fact in missing {
            // A fact given as a range (a partial date) is not missing: keep it.
            if trace.slots.get(*fact).copied()? != Coded::UNKNOWN {
                return None;
            }
            let domain = self.domains.get(*fact)?.as_ref()?;
            worlds = worlds.checked_mul(domain.len())?;
            if worlds > MAX_WORLDS || domain.is_empty() {
                return None;
            }
        }
        let CompactTrace {
            slots,
            world_slots,
            world_truths,
            criteria,
            ..
        } = trace;
        world_slots.clear();
        world_slots.extend_from_slice(slots);
        // The combinations are counted with every value of each fact, as
        // the tree evaluator counts them, but a rule that reads facts only
        // directly need try just one value per region of its own thresholds.
        let reduced = self.rule_domains.get(rule).and_then(Option::as_ref);
        let domain_of = |fact: FactIndex| -> Option<&Vec<Coded>> {
            match reduced {
                Some(reduced) => reduced
                    .iter()
                    .find(|(known, _)| *known == fact)
                    .map(|(_, values)| values),
                None => self.domains.get(fact)?.as_ref(),
            }
        };
        let mut tried = 1usize;
        for fact in missing {
            tried = tried.checked_mul(domain_of(*fact)?.len())?;
        }
        let mut agreed: Option<RuleStatus> = None;
        for world in 0..tried {
            let mut rest = world;
            for fact in missing {
                let domain = domain_of(*fact)?;
                let value = domain.get(rest % domain.len())?;
                rest /= domain.len();
                *world_slots.get_mut(*fact)? = *value;
            }
            for position in &plan.derived {
                self.compute_derived(
                    rule_set,
                    self.derived.get(*position)?,
                    world_slots,
                    world_truths,
                    criteria,
                );
            }
            self.evaluate_root(plan.condition, world_slots, world_truths);
            let status = status_of(world_truths.get(plan.condition.root as usize).copied()?);
            if status == RuleStatus::Undetermined || agreed.is_some_and(|agreed| agreed != status) {
                return None;
            }
            agreed = Some(status);
        }
        agreed
    }
}

/// The band of a score whose total lies from `low` to `high`, as a code.
fn band_of(rule_set: &CheckedRuleSet, index: usize, low: i64, high: i64) -> Coded {
    let Some(score) = rule_set.scores().get(index) else {
        return Coded::UNKNOWN;
    };
    let (low, high) = (Rational::integer(low), Rational::integer(high));
    score
        .bands
        .iter()
        .position(|band| band.contains(low, high))
        .map_or(Coded::UNKNOWN, |band| Coded::exact(code_of_position(band)))
}
