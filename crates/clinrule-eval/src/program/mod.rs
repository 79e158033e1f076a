//! The compiled program: a checked rule set lowered, once, to a flat list
//! of operations over numbered slots, for evaluating many cases quickly.
//!
//! Every fact the rules compare with written thresholds gets a slot, and a
//! value in a slot is a **code**: its place among the sorted thresholds of
//! that fact. With thresholds `t0 < t1 < ... < tk`, a value below `t0` is
//! code 0, `t0` itself is 1, a value between `t0` and `t1` is 2, `t1` is 3,
//! and so on; yes is 3 and no is 1; the code at position `c` of a set is
//! `2c + 1`. The mapping keeps order and equality, so a comparison with a
//! threshold becomes a comparison of two small integers, decided once when
//! the case is read, and evaluation never touches a fraction, a string or a
//! map. A slot holds a range of codes (`low..=high`): exact values have
//! `low == high`, a partial date the codes of its first and last day, and an
//! unknown value every code, so that Kleene's logic needs no special case.
//!
//! Derived values, score totals and bands get slots too, written when they
//! are computed, so that rules read them as they read facts.
//!
//! Evaluation runs the operations in order (each after the parts it reads)
//! and records every condition's outcome: the compact trace. The rest of
//! the explanation (values, sentences, JSON) is made only when asked, by
//! [`crate::evaluate`], which the program agrees with on every status,
//! every missing fact and every condition; `tests/program.rs` holds it to
//! that on generated rule sets and cases.
//!
//! A rule set that uses what the program does not compile (differentials,
//! arithmetic, dates counted to `as_of`, ages from birth dates, thresholds
//! in two units, derived numbers, scores with a population) is evaluated
//! by [`crate::evaluate`] and the program gives the same compact results
//! from it.

mod codes;
mod compile;
mod read;
mod run;

use std::sync::Arc;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::FactIndex;
use clinrule_check::number::Rational;
use clinrule_syntax::ast::Date;

use crate::case::Case;
use crate::evaluate::{Need, RuleStatus};
use crate::value::Truth;

pub use read::FastRead;

/// Kleene truth as a small number, ordered false < unknown < true, so that
/// `and` is the minimum, `or` the maximum and `not x` is `2 - x`.
pub(crate) const FALSE: u8 = 0;
/// Unknown, between false and true.
pub(crate) const UNKNOWN: u8 = 1;
/// True.
pub(crate) const TRUE: u8 = 2;

/// The parent of an operation that is part of nothing.
const NO_PARENT: u32 = u32::MAX;

/// The range of codes a slot's value may have; see the module notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coded {
    low: u32,
    high: u32,
}

impl Coded {
    /// Nothing is known: every code is possible.
    pub const UNKNOWN: Coded = Coded {
        low: 0,
        high: u32::MAX,
    };

    const fn exact(code: u32) -> Coded {
        Coded {
            low: code,
            high: code,
        }
    }

    /// Whether anything is known of the value.
    pub fn is_known(self) -> bool {
        self.high != u32::MAX
    }
}

/// How the values of one fact become codes.
#[derive(Debug, Clone)]
enum Coding {
    /// No is 1, yes is 3.
    YesNo,
    /// The code at position `c` is `2c + 1`.
    Codes,
    /// Numbers, measurements and ages in base units, by their place among
    /// these sorted thresholds.
    Numbers(Vec<Rational>),
    /// Dates, by their place among these sorted dates.
    Dates(Vec<Date>),
    /// Free text: known or not, never compared.
    Text,
}

/// The place of `value` among sorted `thresholds`: `2i + 1` when it is
/// threshold `i`, `2i` when it lies below threshold `i` and above the one
/// before.
fn place<T: Ord>(thresholds: &[T], value: &T) -> u32 {
    let below = thresholds.partition_point(|threshold| threshold < value);
    let at = thresholds
        .get(below)
        .is_some_and(|threshold| threshold == value);
    // A rule set has far fewer than two billion thresholds per fact.
    u32::try_from(below * 2 + usize::from(at)).unwrap_or(u32::MAX - 1)
}

impl Coding {
    fn number(&self, value: Rational) -> Coded {
        match self {
            Coding::Numbers(thresholds) => Coded::exact(place(thresholds, &value)),
            _ => Coded::UNKNOWN,
        }
    }

    fn dates(&self, low: Date, high: Date) -> Coded {
        match self {
            Coding::Dates(thresholds) => Coded {
                low: place(thresholds, &low),
                high: place(thresholds, &high),
            },
            _ => Coded::UNKNOWN,
        }
    }
}

/// What a slot holds, so that a missing value can be traced to the facts
/// it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A fact.
    Fact(FactIndex),
    /// A derived value or a score, by position in the program's derived list.
    Derived(usize),
}

/// One operation. Each writes one truth; parts are operations before it.
/// Operations are small and flat (no nested choices), because evaluation
/// is a loop over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// A constant yes or no.
    Const(u8),
    /// The slot's codes lie within `low..high` (or, negated, do not): true
    /// when every code the slot may have does, false when none does. Every
    /// comparison and range test is one: `< k` is `0..k`, `>= k` is
    /// `k..MAX`, `= k` is `k..k + 1`, `!= k` the same negated, and
    /// `between` the codes from one end to the other.
    Within {
        slot: u32,
        low: u32,
        high: u32,
        negate: bool,
    },
    /// The slot's code is (or is not) in the list at `list` in the plan's lists.
    Member { slot: u32, list: u32 },
    /// The slot is known.
    Known(u32),
    /// The slot is missing.
    Missing(u32),
    /// Negation of an earlier operation.
    Not(u32),
    /// Every part holds. The parts are `first..first + count` in the part
    /// list, or, when `direct`, the operations `first..first + count`
    /// themselves (the usual case: a rule's comparisons lie together), which
    /// evaluation reads as one slice.
    All {
        first: u32,
        count: u32,
        direct: bool,
    },
    /// Some part holds.
    Any {
        first: u32,
        count: u32,
        direct: bool,
    },
    /// At least `needed` parts hold.
    AtLeast {
        first: u32,
        count: u32,
        needed: u32,
        direct: bool,
    },
    /// At most `limit` parts hold.
    AtMost {
        first: u32,
        count: u32,
        limit: u32,
        direct: bool,
    },
    /// The first known part (`otherwise` over conditions).
    FirstKnown {
        first: u32,
        count: u32,
        direct: bool,
    },
}

/// Where an operation's parts are: `count` operations from `first`, either
/// consecutive operations (`direct`) or listed from `first` in a part list.
type PartRange = (u32, u32, bool);

impl Op {
    /// Where the parts of an operation over parts are (`not` has one,
    /// direct); `None` for an operation that reads only slots.
    fn part_range(&self) -> Option<PartRange> {
        match *self {
            Op::Not(inner) => Some((inner, 1, true)),
            Op::All {
                first,
                count,
                direct,
            }
            | Op::Any {
                first,
                count,
                direct,
            }
            | Op::FirstKnown {
                first,
                count,
                direct,
            }
            | Op::AtLeast {
                first,
                count,
                direct,
                ..
            }
            | Op::AtMost {
                first,
                count,
                direct,
                ..
            } => Some((first, count, direct)),
            _ => None,
        }
    }

    /// Moves an operation's parts (when they are laid out).
    fn set_parts(&mut self, new_first: u32, new_direct: bool) {
        match self {
            Op::Not(inner) => *inner = new_first,
            Op::All { first, direct, .. }
            | Op::Any { first, direct, .. }
            | Op::FirstKnown { first, direct, .. }
            | Op::AtLeast { first, direct, .. }
            | Op::AtMost { first, direct, .. } => {
                *first = new_first;
                *direct = new_direct;
            }
            _ => {}
        }
    }

    /// The order of kinds among operations of one height, so that
    /// operations of one kind run one after the other.
    fn kind_rank(&self) -> u32 {
        match self {
            Op::Within { .. } => 0,
            Op::Const(_) => 1,
            Op::Member { .. } => 2,
            Op::Known(_) => 3,
            Op::Missing(_) => 4,
            Op::Not(_) => 5,
            Op::All { direct: true, .. } => 6,
            Op::All { direct: false, .. } => 7,
            Op::Any { direct: true, .. } => 8,
            Op::Any { direct: false, .. } => 9,
            Op::AtLeast { .. } => 10,
            Op::AtMost { .. } => 11,
            Op::FirstKnown { .. } => 12,
        }
    }
}

/// The parts of an operation, as operation indices, given the part list
/// that listed parts are read from.
enum Parts<'list> {
    /// Consecutive operations.
    Direct(std::ops::Range<u32>),
    /// Operations listed in a part list.
    Listed(std::slice::Iter<'list, u32>),
}

impl<'list> Parts<'list> {
    fn new(list: &'list [u32], (first, count, direct): PartRange) -> Parts<'list> {
        if direct {
            Parts::Direct(first..first.saturating_add(count))
        } else {
            let first = first as usize;
            Parts::Listed(
                list.get(first..first + count as usize)
                    .unwrap_or_default()
                    .iter(),
            )
        }
    }
}

impl Iterator for Parts<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Parts::Direct(range) => range.next(),
            Parts::Listed(listed) => listed.next().copied(),
        }
    }
}

/// A comparison, as the comparison loop reads it: see [`Op::Within`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Leaf {
    slot: u32,
    low: u32,
    high: u32,
    negate: bool,
}

/// A list of codes for `Member`: `table..table + len` in the member
/// tables says whether each code is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MemberList {
    table: u32,
    len: u32,
    negated: bool,
}

/// A compiled expression: its comparisons (`leaves`) and its other
/// operations (`inner`, each after its parts), each a range of the plan's
/// expression lists, and the operation that gives its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Root {
    leaves: (u32, u32),
    inner: (u32, u32),
    root: u32,
}

/// A derived value or score, computed before the rules.
#[derive(Debug, Clone)]
enum DerivedPlan {
    /// A yes/no derived value written to `slot`.
    Let { root: Root, slot: u32 },
    /// A score: each criterion's choices (condition and whole points),
    /// its total coded among the thresholds it is compared with, and its band.
    Score {
        index: usize,
        criteria: Vec<Vec<(Root, i64)>>,
        total_slot: u32,
        band_slot: u32,
        thresholds: Coding,
    },
}

/// A compiled rule.
#[derive(Debug, Clone)]
struct RulePlan {
    condition: Root,
    /// What the rule reads, directly or not, by position in the derived
    /// list, in the order they are computed.
    derived: Vec<usize>,
}

/// A measurement's thresholds in its declared unit.
#[derive(Debug, Clone)]
struct DeclaredUnit {
    unit_text: String,
    thresholds: Vec<Rational>,
    /// The fact's plausible range in this unit, both ends included.
    plausible: Option<(Rational, Rational)>,
}

/// For one rule, the values worth trying for each fact it reads.
type RuleDomain = Vec<(FactIndex, Vec<Coded>)>;

/// The compiled form of a rule set.
#[derive(Debug, Clone)]
struct Plan {
    /// How each fact's values become codes; slot `i` is fact `i`.
    codings: Vec<Coding>,
    /// Whether an absent fact means no.
    absent_means_no: Vec<bool>,
    /// What each slot holds.
    sources: Vec<Source>,
    ops: Vec<Op>,
    /// For each operation, its comparison when it is one (`Op::Within`),
    /// laid out plainly for the loop that runs comparisons.
    leaves: Vec<Leaf>,
    /// The parts of n-ary operations.
    parts: Vec<u32>,
    /// For each operation, the operation it is a part of ([`NO_PARENT`]
    /// for the operation that gives an expression's value).
    parents: Vec<u32>,
    /// For `Member`: whether each code is in the list.
    member_tables: Vec<bool>,
    /// For `Member`: the lists.
    lists: Vec<MemberList>,
    /// The operations of each expression, by [`Root`]: comparisons, then
    /// the rest in an order where each comes after its parts.
    root_ops: Vec<u32>,
    /// The comparisons of every rule's condition lie together, ordered by
    /// the slot they read: each group of comparisons of one slot, as
    /// `(slot, first, end)`. The rules' other operations follow them, up to
    /// the end of the program, ordered by height and then kind.
    rule_groups: Vec<(u32, u32, u32)>,
    /// Where the rules' other operations start.
    rules_inner: u32,
    /// For each operation, its node's position in its expression, in the
    /// pre-order of [`crate::Evaluation`]'s node values.
    op_nodes: Vec<u32>,
    derived: Vec<DerivedPlan>,
    rules: Vec<RulePlan>,
    /// For each fact, the codes of the values that stand for every region
    /// of its values, for deciding rules by cases; `None` when its values
    /// cannot be listed.
    domains: Vec<Option<Vec<Coded>>>,
    /// For each rule that reads no derived value, the values worth trying
    /// for each fact it reads: one per region of the thresholds the rule
    /// itself compares the fact with (values in one such region give the
    /// rule the same outcome, so trying one of them is trying all).
    rule_domains: Vec<Option<RuleDomain>>,
    /// For each rule, whether it reads each fact in one test only, each
    /// test passed by some values and failed by others (or on a fact whose
    /// values cannot be listed), and no derived value. In Kleene's logic such
    /// a rule is undetermined only when its missing facts could go either
    /// way, so it is never decided by trying values.
    read_once: Vec<bool>,
    /// For each measurement, its thresholds in its own declared unit, for
    /// the fast reader to place a value given in that unit without
    /// converting it (`None` where the unit has an offset, as Celsius does).
    declared: Vec<Option<DeclaredUnit>>,
    /// The fact names, for the fast case reader.
    names: read::NameTable,
    /// Whether cases can be read by the fast reader: nothing is counted to `as_of`.
    fast_reading: bool,
}

/// A rule set compiled for evaluating many cases; see the module notes.
#[derive(Debug, Clone)]
pub struct Program {
    rule_set: Arc<CheckedRuleSet>,
    plan: Result<Plan, &'static str>,
}

/// A case read into slots, ready for [`Program::run`].
#[derive(Debug, Clone, Default)]
pub struct CodedCase {
    slots: Vec<Coded>,
    /// Scratch for the fast reader: which facts the case named.
    seen: Vec<bool>,
}

impl CodedCase {
    /// Each fact's codes, in declaration order.
    pub fn slots(&self) -> &[Coded] {
        &self.slots
    }
}

/// The compact result of one case: each rule's status, each condition's
/// outcome, and what an undetermined rule waits on. Its buffers are reused
/// from case to case, so a program evaluates a cohort without allocating.
#[derive(Debug, Clone, Default)]
pub struct CompactTrace {
    /// Every slot: the case's facts, then derived values and scores.
    slots: Vec<Coded>,
    /// Every operation's outcome.
    truths: Vec<u8>,
    statuses: Vec<RuleStatus>,
    /// For each rule, the missing facts that leave it undetermined, or that
    /// it was decided without.
    missing: Vec<Vec<FactIndex>>,
    /// For each rule, whether it was decided by trying every value of its missing facts.
    decided: Vec<bool>,
    /// The rules that were undetermined, whose missing facts are kept.
    waiting: Vec<usize>,
    /// For each derived value or score that is not exact, the facts it misses.
    derived_missing: Vec<Vec<FactIndex>>,
    /// For each criterion of each score, the lowest and highest points.
    criteria: Vec<(i64, i64)>,
    /// For each score, the facts that leave unknown whether it applies
    /// (kept only for rule sets the program does not compile, since a
    /// score with a population is left to the tree evaluator).
    populations: Vec<Vec<FactIndex>>,
    /// Scratch for trying values: slots and outcomes.
    world_slots: Vec<Coded>,
    world_truths: Vec<u8>,
}

impl Plan {
    /// Every operation of an expression, each after its parts.
    fn root_ops(&self, root: Root) -> impl DoubleEndedIterator<Item = usize> + '_ {
        let list = |(first, end): (u32, u32)| {
            self.root_ops
                .get(first as usize..end as usize)
                .unwrap_or_default()
                .iter()
                .map(|op| *op as usize)
        };
        list(root.leaves).chain(list(root.inner))
    }
}

impl Program {
    /// Compiles a checked rule set, which the program shares. What the
    /// program cannot compile is evaluated by [`crate::evaluate`] instead;
    /// [`Program::fallback`] says why.
    pub fn compile(rule_set: &Arc<CheckedRuleSet>) -> Program {
        Program {
            rule_set: Arc::clone(rule_set),
            plan: compile::compile(rule_set),
        }
    }

    /// The rule set compiled.
    pub fn rule_set(&self) -> &CheckedRuleSet {
        &self.rule_set
    }

    /// Why the rule set is evaluated by the tree evaluator rather than
    /// compiled, or `None` when it is compiled.
    pub fn fallback(&self) -> Option<&'static str> {
        self.plan.as_ref().err().copied()
    }

    /// How many operations the compiled program has (0 when not compiled).
    pub fn op_count(&self) -> usize {
        self.plan.as_ref().map_or(0, |plan| plan.ops.len())
    }

    /// A compact trace sized for this program, to be reused case after case.
    pub fn new_trace(&self) -> CompactTrace {
        let rules = self.rule_set.rules().len();
        let mut trace = CompactTrace {
            statuses: vec![RuleStatus::Undetermined; rules],
            missing: vec![Vec::new(); rules],
            decided: vec![false; rules],
            ..CompactTrace::default()
        };
        if let Ok(plan) = &self.plan {
            trace.slots = vec![Coded::UNKNOWN; plan.sources.len()];
            trace.world_slots = trace.slots.clone();
            trace.truths = vec![UNKNOWN; plan.ops.len()];
            trace.world_truths = trace.truths.clone();
            trace.derived_missing = vec![Vec::new(); plan.derived.len()];
        }
        trace
    }

    /// An empty coded case for this program (every fact unknown).
    pub fn new_case(&self) -> CodedCase {
        let slots = match &self.plan {
            Ok(plan) => vec![Coded::UNKNOWN; plan.codings.len()],
            Err(_) => Vec::new(),
        };
        CodedCase {
            slots,
            seen: Vec::new(),
        }
    }

    /// Codes a case read by [`Case::from_json`]; `false` when the rule set
    /// is not compiled (use [`Program::evaluate`] then).
    pub fn code(&self, case: &Case, coded: &mut CodedCase) -> bool {
        let Ok(plan) = &self.plan else {
            return false;
        };
        plan.code(case, coded);
        true
    }

    /// Evaluates a coded case, filling `trace`; `false` when the rule set
    /// is not compiled.
    pub fn run(&self, case: &CodedCase, trace: &mut CompactTrace) -> bool {
        let Ok(plan) = &self.plan else {
            return false;
        };
        plan.run(&self.rule_set, &case.slots, trace);
        true
    }

    /// Evaluates a case read by [`Case::from_json`], compiled or not.
    pub fn evaluate(&self, case: &Case, coded: &mut CodedCase, trace: &mut CompactTrace) {
        match &self.plan {
            Ok(plan) => {
                plan.code(case, coded);
                plan.run(&self.rule_set, &coded.slots, trace);
            }
            Err(_) => trace.fill_from(&crate::evaluate(&self.rule_set, case)),
        }
    }

    /// Reads a case from JSON and evaluates it. The fast reader takes the
    /// usual case (plain values of declared facts); anything else, and every
    /// case with a problem, goes through [`Case::from_json`], whose errors
    /// are returned.
    pub fn evaluate_json(
        &self,
        text: &str,
        coded: &mut CodedCase,
        trace: &mut CompactTrace,
    ) -> Result<(), Vec<crate::EvalError>> {
        if self.read_fast(text, coded) == FastRead::Read {
            self.run(coded, trace);
            return Ok(());
        }
        let case = Case::from_json(text, &self.rule_set)?;
        self.evaluate(&case, coded, trace);
        Ok(())
    }

    /// Reads a case with the fast reader only. [`FastRead::Declined`] means
    /// the case needs [`Case::from_json`]: it has something the fast
    /// reader leaves to it, or a problem it reports.
    pub fn read_fast(&self, text: &str, coded: &mut CodedCase) -> FastRead {
        match &self.plan {
            Ok(plan) if plan.fast_reading => plan.read(&self.rule_set, text, coded),
            _ => FastRead::Declined,
        }
    }

    /// The pre-order position, in its rule's condition, of each condition
    /// the compact trace records for rule `rule`, with its outcome. Empty
    /// when the rule set is not compiled.
    pub fn condition_outcomes(&self, trace: &CompactTrace, rule: usize) -> Vec<(usize, Truth)> {
        let Ok(plan) = &self.plan else {
            return Vec::new();
        };
        let Some(rule_plan) = plan.rules.get(rule) else {
            return Vec::new();
        };
        plan.root_ops(rule_plan.condition)
            .filter_map(|op| {
                let node = plan.op_nodes.get(op)?;
                let truth = trace.truths.get(op)?;
                Some((*node as usize, truth_of(*truth)))
            })
            .collect()
    }
}

/// A truth from its small number.
fn truth_of(truth: u8) -> Truth {
    match truth {
        TRUE => Truth::True,
        FALSE => Truth::False,
        _ => Truth::Unknown,
    }
}

/// A rule's status from its condition's outcome.
fn status_of(truth: u8) -> RuleStatus {
    match truth {
        TRUE => RuleStatus::Fired,
        FALSE => RuleStatus::NotFired,
        _ => RuleStatus::Undetermined,
    }
}

impl CompactTrace {
    /// Each rule's status, in the rule set's order.
    pub fn statuses(&self) -> &[RuleStatus] {
        &self.statuses
    }

    /// For an undetermined rule, the missing facts that could change it, in
    /// declaration order; empty for a decided rule.
    pub fn missing(&self, rule: usize) -> &[FactIndex] {
        match (self.decided.get(rule), self.missing.get(rule)) {
            (Some(false), Some(missing)) => missing,
            _ => &[],
        }
    }

    /// The missing facts a rule was decided without: every value they could
    /// take gives the same status.
    pub fn decided_without(&self, rule: usize) -> &[FactIndex] {
        match (self.decided.get(rule), self.missing.get(rule)) {
            (Some(true), Some(missing)) => missing,
            _ => &[],
        }
    }

    /// The conclusions reached: `(rule, conclusion)` positions, in rule order.
    pub fn conclusions<'trace>(
        &'trace self,
        rule_set: &'trace CheckedRuleSet,
    ) -> impl Iterator<Item = (usize, usize)> + 'trace {
        self.statuses
            .iter()
            .zip(rule_set.rules())
            .enumerate()
            .filter(|(_, (status, _))| **status == RuleStatus::Fired)
            .flat_map(|(rule_index, (_, rule))| {
                (0..rule.conclusions.len()).map(move |conclusion| (rule_index, conclusion))
            })
    }

    /// The missing facts, most useful first, ranked as [`crate::Evaluation`]
    /// ranks them.
    pub fn needs(&self, rule_set: &CheckedRuleSet) -> Vec<Need> {
        let mut needs = crate::evaluate::rank_needs(
            rule_set,
            self.statuses
                .iter()
                .enumerate()
                .filter(|(_, status)| **status == RuleStatus::Undetermined)
                .map(|(index, _)| (index, self.missing(index))),
        );
        // The first slots are the case's facts, in declaration order.
        crate::evaluate::add_required(rule_set, &mut needs, |fact| {
            self.slots.get(fact).is_none_or(|slot| !slot.is_known())
        });
        crate::evaluate::add_populations(&mut needs, self.populations.iter().map(Vec::as_slice));
        needs
    }

    /// Takes the compact results from a full evaluation, for rule sets the
    /// program does not compile (conditions' outcomes are then not kept).
    fn fill_from(&mut self, evaluation: &crate::Evaluation) {
        let rules = evaluation.rules.len();
        self.populations.clear();
        self.populations.extend(
            evaluation
                .scores
                .iter()
                .map(|score| score.population_missing.clone()),
        );
        self.statuses.resize(rules, RuleStatus::Undetermined);
        self.missing.resize_with(rules, Vec::new);
        self.decided.resize(rules, false);
        for (index, outcome) in evaluation.rules.iter().enumerate() {
            if let Some(status) = self.statuses.get_mut(index) {
                *status = outcome.status;
            }
            let decided = !outcome.decided_without.is_empty();
            if let Some(flag) = self.decided.get_mut(index) {
                *flag = decided;
            }
            if let Some(missing) = self.missing.get_mut(index) {
                missing.clear();
                missing.extend_from_slice(if decided {
                    &outcome.decided_without
                } else {
                    &outcome.missing
                });
            }
        }
    }
}
