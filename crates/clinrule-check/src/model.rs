//! The checked rule set: every name resolved, every value typed and every
//! threshold converted to base units. Evaluation accepts only this type.

use clinrule_syntax::Span;
use clinrule_syntax::ast::{CompareOp, Date, Status};

pub use clinrule_syntax::ast::{Certainty, Urgency};

use crate::number::Rational;
use crate::units::{Dimension, Unit};

/// The position of a fact in [`CheckedRuleSet::facts`].
pub type FactIndex = usize;
/// The position of a reference in [`CheckedRuleSet::references`].
pub type ReferenceIndex = usize;

/// A rule set that passed every check.
///
/// Only [`crate::check`] makes one, so holding a `CheckedRuleSet` proves that
/// the rule set was checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CheckedRuleSet {
    /// The rule set's identity and review metadata.
    pub metadata: Metadata,
    /// The references, in the order written.
    pub references: Vec<CheckedReference>,
    /// The facts, in the order declared.
    pub facts: Vec<Fact>,
    /// The rules, in the order written.
    pub rules: Vec<CheckedRule>,
}

impl CheckedRuleSet {
    /// The index of the fact with this name.
    pub fn fact_index(&self, name: &str) -> Option<FactIndex> {
        self.facts.iter().position(|fact| fact.name == name)
    }
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
    OneOf(Vec<String>),
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
            _ => None,
        }
    }
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
    /// Whether an absent value means "no" rather than unknown.
    pub absent_means_no: bool,
    /// Where it was declared.
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
    pub condition: Condition,
    /// Its conclusions.
    pub conclusions: Vec<CheckedConclusion>,
    /// Where it was written.
    pub span: Span,
}

/// A checked condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Every part holds.
    All(Vec<Condition>, Span),
    /// At least one part holds.
    Any(Vec<Condition>, Span),
    /// The part does not hold.
    Not(Box<Condition>, Span),
    /// A test on one fact.
    Test(Test),
}

impl Condition {
    /// Where the condition was written.
    pub fn span(&self) -> Span {
        match self {
            Condition::All(_, span) | Condition::Any(_, span) | Condition::Not(_, span) => *span,
            Condition::Test(test) => test.span,
        }
    }

    /// Calls `visit` on every test, in the order written.
    pub fn for_each_test<'rule>(&'rule self, visit: &mut impl FnMut(&'rule Test)) {
        match self {
            Condition::All(parts, _) | Condition::Any(parts, _) => {
                for part in parts {
                    part.for_each_test(visit);
                }
            }
            Condition::Not(part, _) => part.for_each_test(visit),
            Condition::Test(test) => visit(test),
        }
    }
}

/// A test on one fact: the leaves of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The fact tested.
    pub fact: FactIndex,
    /// What is tested.
    pub kind: TestKind,
    /// Whether the test is written with `not` in front: `not xray.cupping_fraying`.
    /// A negated test is one condition in the trace, with its own result.
    pub negated: bool,
    /// The test as written, on one line.
    pub source: String,
    /// Where it was written.
    pub span: Span,
}

/// What a test asks of its fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestKind {
    /// The yes/no fact is yes.
    Flag,
    /// The fact compared with a value.
    Compare {
        /// The comparison.
        op: CompareOp,
        /// The value, in base units.
        threshold: Threshold,
    },
    /// The fact's code is (or, when negated, is not) one of these.
    Member {
        /// Whether the test is `not in`.
        negated: bool,
        /// The codes' positions in the fact's set.
        codes: Vec<usize>,
    },
    /// The fact has (or lacks) a value.
    Presence {
        /// `true` for `is known`.
        known: bool,
    },
}

/// A value a fact is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Threshold {
    /// Yes or no.
    YesNo(bool),
    /// A plain number.
    Number(Rational),
    /// A quantity or age, converted to base units.
    Quantity {
        /// The value in base units.
        base: Rational,
        /// The value as written, with its unit.
        text: String,
    },
    /// A date.
    Date(Date),
    /// A code, by its position in the fact's set.
    Code(usize),
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
    /// For follow-up: when.
    pub interval: Option<CheckedInterval>,
    /// The references cited: the rule's, then its own, without repeats.
    pub citations: Vec<ReferenceIndex>,
    /// Where it was written.
    pub span: Span,
}
