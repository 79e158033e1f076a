//! The checked rule set: every name resolved, every expression typed, every
//! threshold converted to base units, and derived values in dependency
//! order. Evaluation accepts only this type.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use clinrule_syntax::Span;
use clinrule_syntax::ast::{ArithOp, CompareOp, Date, RoundMode, Status};
use clinrule_syntax::source::SourceMap;

pub use clinrule_syntax::ast::{Certainty, Obtained, Urgency};

use crate::number::Rational;
use crate::units::{Dimension, Unit};

/// The position of a fact in [`CheckedRuleSet::facts`].
pub type FactIndex = usize;
/// The position of a reference in [`CheckedRuleSet::references`].
pub type ReferenceIndex = usize;

/// The statuses a differential's candidate can have, in the order shown.
/// `not_suggested` is the status when none of the candidate's status rules holds.
pub const CANDIDATE_STATUSES: [&str; 6] = [
    "suspected",
    "likely",
    "possible",
    "unlikely",
    "excluded",
    "not_suggested",
];

/// The status of a candidate none of whose status rules holds.
pub const NOT_SUGGESTED: usize = 5;

/// A rule set that passed every check.
///
/// Only [`crate::check`] makes one (the type is `#[non_exhaustive]`), so
/// holding a `CheckedRuleSet` proves that the rule set was checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CheckedRuleSet {
    /// The rule set's text, its files and its lines: every span points into it.
    source: Arc<SourceMap>,
    /// The rule set's identity and review metadata.
    metadata: Metadata,
    /// The references, in the order written.
    references: Vec<CheckedReference>,
    /// The facts, in the order declared.
    facts: Vec<Fact>,
    /// The derived values (`let`), in the order written.
    lets: Vec<DerivedValue>,
    /// The scores, in the order written.
    scores: Vec<Score>,
    /// Whom the whole rule set applies to: the header's `applies`
    /// conditions, already the first conditions of every rule and part of
    /// every score's population.
    population: Vec<ScoreApplies>,
    /// The differentials, in the order written.
    differentials: Vec<Differential>,
    /// The rules, in the order written.
    rules: Vec<CheckedRule>,
    /// Whether some fact declares `set aside`: found once, since trying
    /// values for missing facts asks it in every world.
    sets_values_aside: bool,
    /// The order in which derived values, scores and differentials are
    /// computed: everything before what uses it.
    order: Vec<Derived>,
    /// Each fact's index by name, for reading cases.
    fact_lookup: HashMap<String, FactIndex>,
    /// How the rule set depends on the case's `as_of` date, found once.
    as_of: AsOfUses,
    /// What each derived value, score, differential and rule reads directly,
    /// found when first asked for.
    dependencies: OnceLock<Dependencies>,
}

impl CheckedRuleSet {
    /// Assembles a checked rule set and the lookups that reading cases
    /// needs; only the checker calls it.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per part of the rule set"
    )]
    pub(crate) fn new(
        source: Arc<SourceMap>,
        metadata: Metadata,
        references: Vec<CheckedReference>,
        facts: Vec<Fact>,
        lets: Vec<DerivedValue>,
        scores: Vec<Score>,
        differentials: Vec<Differential>,
        rules: Vec<CheckedRule>,
        order: Vec<Derived>,
        reads_as_of: bool,
    ) -> CheckedRuleSet {
        let fact_lookup = facts
            .iter()
            .enumerate()
            .map(|(index, fact)| (fact.name.clone(), index))
            .collect();
        let mut rule_set = CheckedRuleSet {
            source,
            metadata,
            references,
            facts,
            lets,
            scores,
            population: Vec::new(),
            differentials,
            rules,
            order,
            fact_lookup,
            as_of: AsOfUses::default(),
            sets_values_aside: false,
            dependencies: OnceLock::new(),
        };
        // Looking for the uses of `as_of` walks every expression: only
        // when one was written.
        if reads_as_of {
            rule_set.as_of = rule_set.find_as_of_uses();
        }
        rule_set.sets_values_aside = rule_set.facts.iter().any(|fact| !fact.set_aside.is_empty());
        rule_set
    }

    /// The rule set's text, its files and its lines: every span points into it.
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// The source map, shared: for a caller that keeps the text beside
    /// results that outlive the rule set.
    pub fn shared_source(&self) -> &Arc<SourceMap> {
        &self.source
    }

    /// The rule set's identity and review metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The references, in the order written.
    pub fn references(&self) -> &[CheckedReference] {
        &self.references
    }

    /// The facts, in the order declared; a [`FactIndex`] is a position here.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// The derived values (`let`), in the order written.
    pub fn lets(&self) -> &[DerivedValue] {
        &self.lets
    }

    /// The scores, in the order written.
    pub fn scores(&self) -> &[Score] {
        &self.scores
    }

    /// Whether some fact declares when its value is set aside.
    pub fn sets_values_aside(&self) -> bool {
        self.sets_values_aside
    }

    /// Whom the whole rule set applies to (`applies` in its header): every
    /// condition must hold. Empty when it applies to every patient.
    pub fn population(&self) -> &[ScoreApplies] {
        &self.population
    }

    /// The rule set with its population.
    pub(crate) fn with_population(mut self, population: Vec<ScoreApplies>) -> CheckedRuleSet {
        self.population = population;
        self
    }

    /// The differentials, in the order written.
    pub fn differentials(&self) -> &[Differential] {
        &self.differentials
    }

    /// The rules, in the order written.
    pub fn rules(&self) -> &[CheckedRule] {
        &self.rules
    }

    /// The order in which derived values, scores and differentials are
    /// computed: everything before what uses it.
    pub fn order(&self) -> &[Derived] {
        &self.order
    }

    /// The index of the fact with this name.
    pub fn fact_index(&self, name: &str) -> Option<FactIndex> {
        self.fact_lookup.get(name).copied()
    }

    /// The text a span covers in the rule file, on one line.
    pub fn text(&self, span: Span) -> String {
        span.text(self.source.text())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every top-level expression of the rule set: derived values, score
    /// choices, differential arguments and status rules, and rule conditions.
    pub fn expressions(&self) -> Vec<&Expr> {
        let derived = (0..self.lets.len())
            .map(Derived::Let)
            .chain((0..self.scores.len()).map(Derived::Score))
            .chain((0..self.differentials.len()).map(Derived::Differential));
        let mut all: Vec<&Expr> = derived
            .flat_map(|derived| self.expressions_of(derived))
            .collect();
        all.extend(self.rules.iter().map(|rule| &rule.condition));
        all
    }

    /// The facts an expression reads, directly or through the derived values
    /// (`let`) it uses, each once: the expression's own facts in the order
    /// written, then those its derived values read.
    pub fn facts_read(&self, expr: &Expr) -> Vec<FactIndex> {
        // The expression itself, a part of an item, is walked here; the
        // derived values it uses are read from the graph.
        let mut facts = Vec::new();
        let mut lets = Vec::new();
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr.kind {
                CheckedExprKind::Fact(index) if !facts.contains(&index) => facts.push(index),
                CheckedExprKind::Let(index) => lets.push(index),
                _ => {}
            }
            stack.extend(expr.children().rev());
        }
        let dependencies = self.dependencies();
        let mut seen = vec![false; self.lets.len()];
        let mut next = 0;
        while let Some(&index) = lets.get(next) {
            next += 1;
            if std::mem::replace(seen.get_mut(index).unwrap_or(&mut true), true) {
                continue;
            }
            let reads = dependencies.of(Derived::Let(index));
            facts.extend(
                reads
                    .facts
                    .iter()
                    .filter(|fact| !facts.contains(fact))
                    .collect::<Vec<_>>(),
            );
            lets.extend(reads.derived.iter().filter_map(|derived| match derived {
                Derived::Let(index) => Some(*index),
                _ => None,
            }));
        }
        facts
    }

    /// The expressions of one derived value, score or differential: a
    /// value's expression, a score's choices, a differential's arguments
    /// and status rules.
    pub fn expressions_of(&self, derived: Derived) -> Vec<&Expr> {
        match derived {
            Derived::Let(index) => self
                .lets
                .get(index)
                .map(|derived| &derived.value)
                .into_iter()
                .collect(),
            Derived::Score(index) => self
                .scores
                .get(index)
                .into_iter()
                .flat_map(|score| {
                    score
                        .applies
                        .iter()
                        .map(|applies| &applies.condition)
                        .chain(score.criteria.iter().flat_map(|criterion| {
                            criterion.choices.iter().map(|choice| &choice.condition)
                        }))
                })
                .collect(),
            Derived::Differential(index) => self
                .differentials
                .get(index)
                .into_iter()
                .flat_map(|differential| &differential.candidates)
                .flat_map(|candidate| {
                    candidate
                        .arguments
                        .iter()
                        .map(|argument| &argument.condition)
                        .chain(candidate.statuses.iter().map(|status| &status.condition))
                })
                .collect(),
        }
    }

    /// The dependency graph: what each derived value, score, differential
    /// and rule reads directly. Found once, when first asked for, and shared
    /// by everything that follows it: the graph command, the warnings found
    /// by trying cases, deciding by cases and the compiled program.
    pub fn dependencies(&self) -> &Dependencies {
        self.dependencies.get_or_init(|| {
            let mut marks = Marks::new(self);
            let mut of = |kind: fn(usize) -> Derived, count: usize| -> Vec<Reads> {
                (0..count)
                    .map(|index| Reads::of(self.expressions_of(kind(index)), &mut marks))
                    .collect()
            };
            let lets = of(Derived::Let, self.lets.len());
            let scores = of(Derived::Score, self.scores.len());
            let differentials = of(Derived::Differential, self.differentials.len());
            let rules = self
                .rules
                .iter()
                .map(|rule| Reads::of([&rule.condition], &mut marks))
                .collect();
            let mut dependencies = Dependencies {
                lets,
                scores,
                differentials,
                rules,
                needed: Vec::new(),
            };
            dependencies.needed = (0..dependencies.rules.len())
                .map(|rule| dependencies.find_needed(rule))
                .collect();
            dependencies
        })
    }

    /// How the rule set depends on the case's `as_of` date: the facts it
    /// counts to `as_of` (the facts read by each comparison or calculation
    /// that reads `as_of`, such as `last_fracture` in
    /// `last_fracture within 30 days before as_of`), and whether some use of
    /// `as_of` reads no fact at all, so that every case needs the date.
    pub fn as_of_uses(&self) -> &AsOfUses {
        &self.as_of
    }

    fn find_as_of_uses(&self) -> AsOfUses {
        let mut uses = AsOfUses::default();
        // One stack for every expression: a large rule set has many.
        let mut stack: Vec<(&Expr, Option<&Expr>)> = Vec::new();
        for root in self.expressions() {
            // Each smallest comparison, range test or calculation around an
            // `as_of` names the facts that are counted to it.
            stack.push((root, None));
            while let Some((expr, context)) = stack.pop() {
                let context = match expr.kind {
                    CheckedExprKind::Compare { .. }
                    | CheckedExprKind::Between { .. }
                    | CheckedExprKind::Arith { .. }
                    | CheckedExprKind::Member { .. } => Some(context.unwrap_or(expr)),
                    CheckedExprKind::All(_)
                    | CheckedExprKind::Any(_)
                    | CheckedExprKind::Not(_)
                    | CheckedExprKind::Count { .. }
                    | CheckedExprKind::Otherwise(_) => None,
                    _ => context,
                };
                if matches!(expr.kind, CheckedExprKind::AsOf) {
                    let facts = context
                        .map(|context| self.facts_read(context))
                        .unwrap_or_default();
                    if facts.is_empty() {
                        uses.always = true;
                    }
                    for fact in facts {
                        if !uses.facts.contains(&fact) {
                            uses.facts.push(fact);
                        }
                    }
                }
                stack.extend(expr.children().map(|child| (child, context)));
            }
        }
        uses.facts.sort_unstable();
        uses
    }
}

/// What some expressions read directly: the facts and the derived values,
/// scores and differentials they name (a score's band names its score, a
/// candidate's status its differential), each once, in the order first met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// The facts, by position.
    pub facts: Vec<FactIndex>,
    /// The derived values, scores and differentials.
    pub derived: Vec<Derived>,
}

impl Reads {
    /// What `exprs` name, each walked once, marking each fact and derived
    /// item met in `marks`, so that a wide expression costs its size, not
    /// its square, and many items cost no more than their sizes.
    fn of<'e>(exprs: impl IntoIterator<Item = &'e Expr>, marks: &mut Marks) -> Reads {
        marks.stamp = marks.stamp.wrapping_add(1);
        if marks.stamp == 0 {
            // After four billion items, start the marks afresh.
            marks.facts.fill(0);
            marks.derived.fill(0);
            marks.stamp = 1;
        }
        let stamp = marks.stamp;
        let mut reads = Reads::default();
        let mut stack: Vec<&Expr> = Vec::new();
        for expr in exprs {
            stack.push(expr);
            while let Some(expr) = stack.pop() {
                let named = match expr.kind {
                    CheckedExprKind::Fact(index) => {
                        if let Some(mark) = marks.facts.get_mut(index)
                            && std::mem::replace(mark, stamp) != stamp
                        {
                            reads.facts.push(index);
                        }
                        None
                    }
                    CheckedExprKind::Let(index) => Some(Derived::Let(index)),
                    CheckedExprKind::Score(index) | CheckedExprKind::Band(index) => {
                        Some(Derived::Score(index))
                    }
                    CheckedExprKind::Status(index, _) => Some(Derived::Differential(index)),
                    _ => None,
                };
                if let Some(named) = named {
                    let position = marks.position(named);
                    if let Some(mark) = marks.derived.get_mut(position)
                        && std::mem::replace(mark, stamp) != stamp
                    {
                        reads.derived.push(named);
                    }
                }
                stack.extend(expr.children().rev());
            }
        }
        reads
    }
}

/// A mark per fact and per derived item, stamped with the number of the
/// walk that last met it: clearing them between walks costs nothing.
#[derive(Debug)]
struct Marks {
    facts: Vec<u32>,
    derived: Vec<u32>,
    /// How many lets, and how many lets and scores: where scores and
    /// differentials start among the derived marks.
    starts: (usize, usize),
    stamp: u32,
}

impl Marks {
    fn new(rule_set: &CheckedRuleSet) -> Marks {
        let lets = rule_set.lets.len();
        let scores = lets + rule_set.scores.len();
        Marks {
            facts: vec![0; rule_set.facts.len()],
            derived: vec![0; scores + rule_set.differentials.len()],
            starts: (lets, scores),
            stamp: 0,
        }
    }

    fn position(&self, derived: Derived) -> usize {
        match derived {
            Derived::Let(index) => index,
            Derived::Score(index) => self.starts.0 + index,
            Derived::Differential(index) => self.starts.1 + index,
        }
    }
}

/// The dependency graph of a checked rule set; see
/// [`CheckedRuleSet::dependencies`].
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    lets: Vec<Reads>,
    scores: Vec<Reads>,
    differentials: Vec<Reads>,
    rules: Vec<Reads>,
    /// For each rule, every derived item it needs, found once: deciding a
    /// rule by cases asks for it on every case.
    needed: Vec<Vec<Derived>>,
}

impl Dependencies {
    /// What a derived value, score or differential reads directly.
    pub fn of(&self, derived: Derived) -> &Reads {
        let found = match derived {
            Derived::Let(index) => self.lets.get(index),
            Derived::Score(index) => self.scores.get(index),
            Derived::Differential(index) => self.differentials.get(index),
        };
        found.unwrap_or(&NOTHING)
    }

    /// What a rule's condition reads directly.
    pub fn of_rule(&self, rule: usize) -> &Reads {
        self.rules.get(rule).unwrap_or(&NOTHING)
    }

    /// Every derived value, score and differential a rule needs, directly or
    /// through others, each once: what must be computed before the rule.
    pub fn needed_by_rule(&self, rule: usize) -> &[Derived] {
        self.needed.get(rule).map_or(&[], Vec::as_slice)
    }

    /// What `needed_by_rule` gives, found by following the graph.
    fn find_needed(&self, rule: usize) -> Vec<Derived> {
        let mut needed: Vec<Derived> = self.of_rule(rule).derived.clone();
        let mut seen: std::collections::HashSet<Derived> = needed.iter().copied().collect();
        let mut next = 0;
        while let Some(&derived) = needed.get(next) {
            next += 1;
            for used in &self.of(derived).derived {
                if seen.insert(*used) {
                    needed.push(*used);
                }
            }
        }
        needed
    }
}

/// What reads nothing.
static NOTHING: Reads = Reads {
    facts: Vec::new(),
    derived: Vec::new(),
};

/// How a rule set depends on the case's `as_of` date; see
/// [`CheckedRuleSet::as_of_uses`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AsOfUses {
    /// The facts counted to `as_of`, in declaration order.
    pub facts: Vec<FactIndex>,
    /// Whether some use of `as_of` reads no fact, so every case needs it.
    pub always: bool,
}

/// Something computed from facts before the rules: a derived value, a score or a differential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Derived {
    /// A `let`, by position.
    Let(usize),
    /// A `score`, by position.
    Score(usize),
    /// A `differential`, by position.
    Differential(usize),
}

/// A rule set's identity and review metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The rule set identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: String,
    /// Its review status.
    pub status: Status,
    /// When it was last reviewed.
    pub reviewed: Option<Date>,
    /// Its authors.
    pub authors: Vec<String>,
    /// Who it is written for.
    pub audience: Vec<String>,
    /// The title in words a family understands (`patient "..."`).
    pub patient_title: Option<String>,
}

/// A literature reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReference {
    /// The identifier used in `cite`.
    pub id: String,
    /// The citation text.
    pub citation: String,
    /// The PubMed identifier.
    pub pmid: Option<String>,
    /// The DOI.
    pub doi: Option<String>,
    /// A web address.
    pub url: Option<String>,
}

/// The type of a fact, with its unit resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactType {
    /// Yes or no.
    YesNo,
    /// A plain number.
    Number,
    /// A measurement in a unit of this dimension.
    Quantity {
        /// The unit as declared.
        unit_text: String,
        /// The declared unit.
        unit: Unit,
    },
    /// An age: a time since birth.
    Age,
    /// A calendar date.
    Date,
    /// Free text, never compared.
    Text,
    /// One code of a fixed set.
    OneOf(Arc<[String]>),
}

impl FactType {
    /// The type as an editor writes it.
    pub fn describe(&self) -> String {
        match self {
            FactType::YesNo => "yes/no".to_owned(),
            FactType::Number => "number".to_owned(),
            FactType::Quantity { unit_text, .. } => format!("quantity {unit_text}"),
            FactType::Age => "age".to_owned(),
            FactType::Date => "date".to_owned(),
            FactType::Text => "text".to_owned(),
            FactType::OneOf(codes) => format!("one of {}", codes.join(", ")),
        }
    }

    /// The dimension of values of this type, for quantities and ages.
    pub fn dimension(&self) -> Option<Dimension> {
        match self {
            FactType::Quantity { unit, .. } => Some(unit.dimension),
            FactType::Age => Some(Dimension::TIME),
            FactType::Number => Some(Dimension::NONE),
            _ => None,
        }
    }

    /// The type of the values this fact gives to expressions.
    pub fn value_type(&self) -> ValueType {
        match self {
            FactType::YesNo => ValueType::Bool,
            FactType::Number => ValueType::Number(Dimension::NONE),
            FactType::Quantity { unit, .. } => ValueType::Number(unit.dimension),
            FactType::Age => ValueType::Number(Dimension::TIME),
            FactType::Date => ValueType::Date,
            FactType::Text => ValueType::Text,
            FactType::OneOf(codes) => ValueType::Code(codes.clone()),
        }
    }
}

/// A substance-specific conversion: values in `dimension` convert to the
/// fact's own dimension by multiplying their base value by `factor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactConversion {
    /// The other dimension, such as substance concentration for a fact in `ug/dL`.
    pub dimension: Dimension,
    /// Base units of the fact's dimension per base unit of the other.
    pub factor: Rational,
    /// The conversion as written, for the trace.
    pub text: String,
}

/// A declared fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Its name.
    pub name: String,
    /// Its type.
    pub fact_type: FactType,
    /// Its description.
    pub description: Option<String>,
    /// The question or test that obtains it (`ask "..."`).
    pub ask: Option<String>,
    /// Whether an absent value means "no" rather than unknown.
    pub absent_means_no: bool,
    /// Conversions from units of other dimensions.
    pub conversions: Vec<FactConversion>,
    /// For an age: the date fact it is derived from, with the case's `as_of`.
    pub derived_from: Option<FactIndex>,
    /// The values a patient can have (`plausible from ... to ...`); a case
    /// with a value outside them is refused.
    pub plausible: Option<Plausible>,
    /// How it is obtained (`obtained by ...`), when the editor said.
    pub obtained: Option<Obtained>,
    /// Whether it is in the needs whenever the case lacks it (`required`).
    pub required: bool,
    /// The fact in words a family understands (`patient "..."`).
    pub patient: Option<String>,
    /// When a given value cannot be used (`set aside when ...`).
    pub set_aside: Vec<FactSetAside>,
    /// Where it was declared.
    pub span: Span,
}

/// `set aside when <condition> because "..."`: a given value that cannot
/// be used is treated as missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactSetAside {
    /// When; it reads facts only.
    pub condition: Expr,
    /// Why, as the result shows it.
    pub reason: String,
    /// Where it was written.
    pub span: Span,
}

/// The values of a fact a patient can have, both ends included: numbers in
/// the fact's base units, or dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plausible {
    /// The lowest value.
    pub low: Const,
    /// The highest value.
    pub high: Const,
    /// The range as the editor wrote it: `0 ug/dL to 300 ug/dL`.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

impl Plausible {
    /// Whether a number, in the fact's base units, lies in the range.
    pub fn holds_number(&self, value: Rational) -> bool {
        matches!((&self.low, &self.high), (Const::Number(low), Const::Number(high)) if *low <= value && value <= *high)
    }

    /// Whether some day from `low` to `high` (a date, or the days a partial
    /// date allows) lies in the range.
    pub fn holds_dates(&self, low: Date, high: Date) -> bool {
        matches!((&self.low, &self.high), (Const::Date(first), Const::Date(last)) if *first <= high && low <= *last)
    }
}

/// The type of an expression's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    /// True or false (or unknown).
    Bool,
    /// A number in base units of this dimension; `Dimension::NONE` for a plain number.
    Number(Dimension),
    /// A calendar date.
    Date,
    /// One of these codes.
    Code(Arc<[String]>),
    /// Free text.
    Text,
}

impl ValueType {
    /// What values of this type are, in an editor's words.
    pub fn describe(&self) -> String {
        match self {
            ValueType::Bool => "a yes/no condition".to_owned(),
            ValueType::Number(dimension) if *dimension == Dimension::NONE => {
                "a plain number".to_owned()
            }
            ValueType::Number(dimension) => dimension.describe(),
            ValueType::Date => "a date".to_owned(),
            ValueType::Code(_) => "one of a set of codes".to_owned(),
            ValueType::Text => "free text".to_owned(),
        }
    }
}

/// A derived value: `let`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedValue {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// How it is computed.
    pub value: Expr,
    /// The unit to show a measurement in, as written and read.
    pub display_unit: Option<(String, Unit)>,
    /// Where it was declared.
    pub span: Span,
}

/// A score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Whom it applies to: it is used only when every condition holds.
    pub applies: Vec<ScoreApplies>,
    /// Its criteria.
    pub criteria: Vec<ScoreCriterion>,
    /// Its bands, in the order written.
    pub bands: Vec<ScoreBand>,
    /// References for the score.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was declared.
    pub span: Span,
}

/// One condition of a score's population: `applies "Adults" when age >= 18 years`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreApplies {
    /// The population in words.
    pub title: Option<String>,
    /// The condition.
    pub condition: Expr,
    /// Where it was written.
    pub span: Span,
}

/// A criterion of a score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCriterion {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Points and when they count; the first that holds counts, none gives 0.
    pub choices: Vec<ScoreChoice>,
    /// References for the criterion.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}

/// `2 points when <condition>`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChoice {
    /// The points.
    pub points: Rational,
    /// When they count.
    pub condition: Expr,
    /// Where it was written.
    pub span: Span,
}

/// A band of a score's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreBand {
    /// Its identifier.
    pub id: String,
    /// Its title: the category.
    pub title: Option<String>,
    /// The lowest total in the band, if bounded below.
    pub low: Option<Rational>,
    /// The highest total in the band, if bounded above.
    pub high: Option<Rational>,
    /// What to do for a total in this band.
    pub recommendation: Option<String>,
    /// References for the band.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}

impl ScoreBand {
    /// Whether every total from `low` to `high` lies in this band.
    pub fn contains(&self, low: Rational, high: Rational) -> bool {
        self.low.is_none_or(|band_low| band_low <= low)
            && self.high.is_none_or(|band_high| high <= band_high)
    }
}

/// A differential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differential {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its candidates.
    pub candidates: Vec<DifferentialCandidate>,
    /// References for the differential.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was declared.
    pub span: Span,
}

/// A candidate of a differential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DifferentialCandidate {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its arguments.
    pub arguments: Vec<CandidateArgument>,
    /// Its status rules: the first that holds gives the status.
    pub statuses: Vec<CandidateStatus>,
    /// The status when no status rule holds, whether the others are false
    /// or cannot be decided (`unlikely otherwise`), by position in
    /// [`CANDIDATE_STATUSES`]; without it, `not_suggested` when every one
    /// is false and undecided while one cannot be decided.
    pub otherwise: Option<usize>,
    /// References for the candidate.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}

/// An argument for or against a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateArgument {
    /// `true` for an argument for, `false` against.
    pub supports: bool,
    /// Its identifier.
    pub id: String,
    /// Its text.
    pub title: Option<String>,
    /// When it holds.
    pub condition: Expr,
    /// Its weight.
    pub weight: Rational,
    /// References for the argument.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}

/// A status rule of a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateStatus {
    /// The status, by position in [`CANDIDATE_STATUSES`].
    pub status: usize,
    /// When it applies; `for` and `against` are the weights of the arguments that hold.
    pub condition: Expr,
    /// Where it was written.
    pub span: Span,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRule {
    /// Its identifier.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its condition.
    pub condition: Expr,
    /// Its conclusions.
    pub conclusions: Vec<CheckedConclusion>,
    /// Where it was written.
    pub span: Span,
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// The expression.
    pub kind: CheckedExprKind,
    /// Its type.
    pub value_type: ValueType,
    /// Where it was written.
    pub span: Span,
}

impl Expr {
    /// Whether this expression is one condition in the trace: a test, or a
    /// yes/no value on its own, rather than a combination of conditions.
    pub fn is_condition_leaf(&self) -> bool {
        self.value_type == ValueType::Bool
            && !matches!(
                self.kind,
                CheckedExprKind::All(_)
                    | CheckedExprKind::Any(_)
                    | CheckedExprKind::Otherwise(_)
                    | CheckedExprKind::Count { .. }
            )
            && !matches!(&self.kind, CheckedExprKind::Not(inner) if !inner.is_condition_leaf())
    }

    /// The direct parts of this expression, in the order written.
    pub fn children(&self) -> Children<'_> {
        fn fixed<'a>(this: &'a Expr, parts: &[&'a Expr]) -> Children<'a> {
            let mut items = [this; 3];
            for (slot, part) in items.iter_mut().zip(parts) {
                *slot = part;
            }
            Children::Fixed {
                items,
                range: 0..parts.len(),
            }
        }
        match &self.kind {
            CheckedExprKind::All(parts)
            | CheckedExprKind::Any(parts)
            | CheckedExprKind::Otherwise(parts) => Children::Slice(parts.iter()),
            CheckedExprKind::Count { items, .. } => Children::Slice(items.iter()),
            CheckedExprKind::Not(inner) => fixed(self, &[inner]),
            CheckedExprKind::Arith { left, right, .. }
            | CheckedExprKind::Compare { left, right, .. } => fixed(self, &[left, right]),
            CheckedExprKind::Between {
                value, low, high, ..
            } => fixed(self, &[value, low, high]),
            CheckedExprKind::Member { value, .. } | CheckedExprKind::Presence { value, .. } => {
                fixed(self, &[value])
            }
            CheckedExprKind::Table { key, .. } => fixed(self, &[key]),
            CheckedExprKind::Round { value, .. } => fixed(self, &[value]),
            CheckedExprKind::Const(_)
            | CheckedExprKind::Fact(_)
            | CheckedExprKind::Let(_)
            | CheckedExprKind::Score(_)
            | CheckedExprKind::Band(_)
            | CheckedExprKind::Status(..)
            | CheckedExprKind::Tally(_)
            | CheckedExprKind::AsOf => fixed(self, &[]),
        }
    }

    /// How many nodes this expression has, itself included.
    pub fn node_count(&self) -> usize {
        1 + self
            .children()
            .map(|child| child.node_count())
            .sum::<usize>()
    }
}

/// The direct parts of an expression, in order, without allocating: walks
/// over large rule sets visit every node, and a list per node would cost
/// more than the visit.
#[derive(Debug, Clone)]
pub enum Children<'a> {
    /// The parts of `all`, `any`, `otherwise` and counts.
    Slice(std::slice::Iter<'a, Expr>),
    /// Up to three parts; only those in `range` are real.
    Fixed {
        /// The parts, padded with the expression itself.
        items: [&'a Expr; 3],
        /// The positions still to visit.
        range: std::ops::Range<usize>,
    },
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        match self {
            Children::Slice(parts) => parts.next(),
            Children::Fixed { items, range } => items.get(range.next()?).copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = match self {
            Children::Slice(parts) => parts.len(),
            Children::Fixed { range, .. } => range.len(),
        };
        (left, Some(left))
    }
}

impl DoubleEndedIterator for Children<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Children::Slice(parts) => parts.next_back(),
            Children::Fixed { items, range } => items.get(range.next_back()?).copied(),
        }
    }
}

impl ExactSizeIterator for Children<'_> {}

/// How many parts of a counting condition must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// At least this many.
    AtLeast(usize),
    /// At most this many.
    AtMost(usize),
}

/// A constant written in a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Const {
    /// `yes` or `no`.
    Bool(bool),
    /// A number in base units.
    Number(Rational),
    /// A date.
    Date(Date),
    /// A code, by position in its set.
    Code(usize),
}

/// The same threshold written in a second unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// The unit it is written in.
    pub unit: Unit,
    /// The threshold in base units of the compared value's dimension.
    pub base: Rational,
    /// Where it was written.
    pub span: Span,
}

/// The shapes a typed expression can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckedExprKind {
    /// A constant.
    Const(Const),
    /// A fact's value.
    Fact(FactIndex),
    /// A derived value's value.
    Let(usize),
    /// A score's total.
    Score(usize),
    /// A score's band, as a code.
    Band(usize),
    /// A candidate's status, as a code: differential and candidate positions.
    Status(usize, usize),
    /// In a candidate's status rules: the weight of its arguments for (`true`) or against.
    Tally(bool),
    /// The case's `as_of` date.
    AsOf,
    /// Arithmetic.
    Arith {
        /// The operator.
        op: ArithOp,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// A comparison.
    Compare {
        /// The operator.
        op: CompareOp,
        /// The value compared.
        left: Box<Expr>,
        /// What it is compared with.
        right: Box<Expr>,
        /// The threshold in other units: used when the case's value comes in that unit.
        alternatives: Vec<Alternative>,
    },
    /// A range test.
    Between {
        /// The value tested.
        value: Box<Expr>,
        /// The lower end.
        low: Box<Expr>,
        /// Whether the lower end is included.
        low_inclusive: bool,
        /// The upper end.
        high: Box<Expr>,
        /// Whether the upper end is included.
        high_inclusive: bool,
    },
    /// Membership of a code in a list.
    Member {
        /// The value tested.
        value: Box<Expr>,
        /// Whether the test is `not in`.
        negated: bool,
        /// The codes, by position in the value's code set.
        codes: Vec<usize>,
    },
    /// Whether a value is known.
    Presence {
        /// The value tested.
        value: Box<Expr>,
        /// `true` for `is known`.
        known: bool,
    },
    /// Negation.
    Not(Box<Expr>),
    /// Every part holds.
    All(Vec<Expr>),
    /// At least one part holds.
    Any(Vec<Expr>),
    /// The first part that is known.
    Otherwise(Vec<Expr>),
    /// Counting.
    Count {
        /// How many must hold.
        count: Count,
        /// The parts.
        items: Vec<Expr>,
    },
    /// A value rounded to a multiple of a step, as a publication rounds it.
    Round {
        /// The value rounded.
        value: Box<Expr>,
        /// To the nearest (a half away from zero), down or up.
        mode: RoundMode,
        /// The step in base units.
        step: Rational,
        /// The base value of the step unit's zero (273.15 K for `Cel`): the
        /// multiples are counted from it.
        origin: Rational,
        /// The step's unit as written, in which the result is shown.
        unit: Option<(String, Unit)>,
    },
    /// A lookup table: the value of the row the key falls in; with the key
    /// a range, the span of the values of every row it may fall in.
    Table {
        /// The key.
        key: Box<Expr>,
        /// The rows, in the order written.
        rows: Vec<TableRow>,
        /// References for the whole table.
        citations: Vec<ReferenceIndex>,
    },
}

/// One row of a lookup table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The key values it covers.
    pub key: RowMatch,
    /// Its value in base units, when it gives one.
    pub value: Option<Rational>,
    /// Its text: a label or a recommendation.
    pub text: Option<String>,
    /// References for this row.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}

/// The key values of a table's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowMatch {
    /// Numbers from `low` to `high`, both included; an end left out is open.
    Range {
        /// The lowest, if bounded below.
        low: Option<Rational>,
        /// The highest, if bounded above.
        high: Option<Rational>,
    },
    /// Codes, by position in the key's code set.
    Codes(Vec<usize>),
}

impl RowMatch {
    /// Whether some key from `low` to `high` falls in the row (numbers).
    pub fn meets(&self, low: Rational, high: Rational) -> bool {
        match self {
            RowMatch::Range {
                low: row_low,
                high: row_high,
            } => {
                row_low.is_none_or(|row_low| row_low <= high)
                    && row_high.is_none_or(|row_high| low <= row_high)
            }
            RowMatch::Codes(_) => false,
        }
    }

    /// Whether the code falls in the row.
    pub fn has_code(&self, code: usize) -> bool {
        matches!(self, RowMatch::Codes(codes) if codes.contains(&code))
    }
}

/// The kinds of conclusion, as named in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConclusionKind {
    /// A diagnosis to suspect or exclude.
    Diagnosis,
    /// A laboratory test or imaging to order.
    Test,
    /// A referral.
    Referral,
    /// A treatment or therapy.
    Treatment,
    /// A pitfall or safety warning.
    Warning,
    /// Follow-up.
    FollowUp,
    /// Information.
    Note,
}

impl ConclusionKind {
    /// The word used for this kind in results.
    pub fn word(self) -> &'static str {
        match self {
            ConclusionKind::Diagnosis => "diagnosis",
            ConclusionKind::Test => "test",
            ConclusionKind::Referral => "referral",
            ConclusionKind::Treatment => "treatment",
            ConclusionKind::Warning => "warning",
            ConclusionKind::FollowUp => "follow_up",
            ConclusionKind::Note => "note",
        }
    }
}

/// Whether a diagnosis conclusion raises or lowers the diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosisAction {
    /// `suspect`
    Suspect,
    /// `exclude`
    Exclude,
}

impl DiagnosisAction {
    /// The verb.
    pub fn word(self) -> &'static str {
        match self {
            DiagnosisAction::Suspect => "suspect",
            DiagnosisAction::Exclude => "exclude",
        }
    }
}

/// A follow-up interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedInterval {
    /// Whether it repeats.
    pub repeats: bool,
    /// The interval as written, such as `6 months`.
    pub text: String,
    /// The interval in seconds.
    pub seconds: Rational,
}

/// A checked conclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedConclusion {
    /// Its stable identifier.
    pub id: String,
    /// Its kind.
    pub kind: ConclusionKind,
    /// For diagnoses: suspect or exclude.
    pub action: Option<DiagnosisAction>,
    /// For diagnoses: how certain.
    pub certainty: Option<Certainty>,
    /// How urgent.
    pub urgency: Option<Urgency>,
    /// Its text for clinicians.
    pub text: String,
    /// Why it follows.
    pub rationale: Option<String>,
    /// Plain-language text for patients and families.
    pub patient_text: Option<String>,
    /// Never shown to patients and families (`clinicians only`).
    pub clinicians_only: bool,
    /// For follow-up: when.
    pub interval: Option<CheckedInterval>,
    /// The references cited: the rule's, then its own, without repeats.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}
