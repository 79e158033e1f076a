//! The typed syntax tree of a rule file.
//!
//! Every node carries the span of the words that wrote it. Equality ignores
//! spans where a node holds a [`Spanned`] value, so tests compare structure.

use crate::span::{Span, Spanned};

/// A word with its span: an identifier, a fact name, a code or a unit.
#[derive(Debug, Clone, Eq)]
pub struct Ident {
    /// The word as written.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Text written in quotes, with escapes resolved and adjacent texts joined.
#[derive(Debug, Clone, Eq)]
pub struct Text {
    /// The text.
    pub value: String,
    /// Where it was written, quotes included.
    pub span: Span,
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A calendar date, checked to exist (leap days included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, such as 2025.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// The date if `year`, `month` and `day` name a real calendar day.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if is_leap_year(year) => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year = parts.next()?;
        let month = parts.next()?;
        let day = parts.next()?;
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        if ![year, month, day]
            .iter()
            .all(|part| part.bytes().all(|byte| byte.is_ascii_digit()))
        {
            return None;
        }
        Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    }

    /// Days since 1970-01-01 (negative before), by the proleptic Gregorian calendar.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days-from-civil algorithm.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            self.year, self.month, self.day
        )
    }
}

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// A parsed rule file: its items in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleFile {
    /// The items, in source order.
    pub items: Vec<Item>,
    /// Items that could not be parsed, so that later stages do not report
    /// problems that are only echoes of the syntax error.
    pub broken: Vec<BrokenItem>,
    /// How many syntax errors the file has; a file with any is never evaluated.
    pub syntax_error_count: usize,
}

impl RuleFile {
    /// The rule set headers (a correct file has exactly one).
    pub fn headers(&self) -> impl Iterator<Item = &RuleSetHeader> {
        self.items.iter().filter_map(|item| match item {
            Item::RuleSet(header) => Some(header),
            _ => None,
        })
    }

    /// The references.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.items.iter().filter_map(|item| match item {
            Item::Reference(reference) => Some(reference),
            _ => None,
        })
    }

    /// The fact declarations.
    pub fn facts(&self) -> impl Iterator<Item = &FactDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Fact(fact) => Some(fact),
            _ => None,
        })
    }

    /// The rules.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|item| match item {
            Item::Rule(rule) => Some(rule),
            _ => None,
        })
    }
}

/// What kind of top-level item a keyword starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// `ruleset`
    RuleSet,
    /// `reference`
    Reference,
    /// `fact`
    Fact,
    /// `rule`
    Rule,
}

/// An item with a syntax error: its kind and name where they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenItem {
    /// The kind of item, if its first word is a known keyword.
    pub kind: Option<ItemKind>,
    /// The name after the keyword, if one could be read.
    pub name: Option<String>,
    /// The whole item.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The `ruleset` header.
    RuleSet(RuleSetHeader),
    /// A `reference`.
    Reference(Reference),
    /// A `fact` declaration.
    Fact(FactDecl),
    /// A `rule`.
    Rule(Rule),
}

/// The review status of a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Being written; not for clinical use.
    Draft,
    /// Written and waiting for clinical review.
    Review,
    /// Reviewed and approved for use.
    Approved,
    /// No longer to be used.
    Retired,
}

impl Status {
    /// Every status, in the order of a rule set's life.
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Review,
        Status::Approved,
        Status::Retired,
    ];

    /// The word that writes this status.
    pub fn word(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }
}

/// The `ruleset` header: the rule set's identity and review metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetHeader {
    /// The rule set identifier.
    pub id: Ident,
    /// `title "..."`
    pub title: Option<Text>,
    /// `version 1.0.0`
    pub version: Option<Ident>,
    /// `status approved`
    pub status: Option<Spanned<Status>>,
    /// `reviewed 2025-10-30`
    pub reviewed: Option<Spanned<Date>>,
    /// `authors "A", "B"`
    pub authors: Vec<Text>,
    /// `audience clinician, patient`
    pub audience: Vec<Ident>,
    /// The whole header.
    pub span: Span,
}

/// A literature reference that statements can cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The identifier used in `cite`: `1` or `lead_cdc`.
    pub id: Ident,
    /// The citation text.
    pub citation: Text,
    /// The PubMed identifier.
    pub pmid: Option<Ident>,
    /// The DOI.
    pub doi: Option<Text>,
    /// A web address.
    pub url: Option<Text>,
    /// The whole reference.
    pub span: Span,
}

/// The type of a fact, as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactTypeKind {
    /// `yes/no`
    YesNo,
    /// `number`: a count or score without a unit.
    Number,
    /// `quantity <unit>`: a measurement, stored in the declared unit.
    Quantity(Ident),
    /// `age`: a duration since birth.
    Age,
    /// `date`
    Date,
    /// `text`: free text, shown but never compared.
    Text,
    /// `one of a, b, c`: one code from a fixed set.
    OneOf(Vec<Ident>),
}

/// A fact's type with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactType {
    /// The type.
    pub kind: FactTypeKind,
    /// Where the type was written.
    pub span: Span,
}

/// What an absent fact means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentMeans {
    /// Absent is unknown (the default).
    Unknown,
    /// Absent means "no" (for yes/no findings a report would always mention).
    No,
}

/// A binding of a fact to a code in a terminology, for later FHIR input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBinding {
    /// The terminology, such as `loinc` or `snomed`.
    pub system: Ident,
    /// The code in that terminology.
    pub code: Text,
}

/// A `fact` declaration: a piece of patient data the rules may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactDecl {
    /// The fact's name, possibly dotted.
    pub name: Ident,
    /// The fact's type.
    pub fact_type: FactType,
    /// A description for readers and reports.
    pub description: Option<Text>,
    /// What an absent value means.
    pub absent: Option<Spanned<AbsentMeans>>,
    /// Terminology bindings.
    pub codes: Vec<CodeBinding>,
    /// The whole declaration.
    pub span: Span,
}

/// A `rule`: a condition and the conclusions it supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The rule's identifier.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// References cited for every conclusion of the rule.
    pub cites: Vec<Ident>,
    /// The `when` condition.
    pub condition: Condition,
    /// The `then` conclusions.
    pub conclusions: Vec<Conclusion>,
    /// The whole rule.
    pub span: Span,
}

/// A condition with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The condition.
    pub kind: ConditionKind,
    /// Where it was written.
    pub span: Span,
}

/// The shapes a condition can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionKind {
    /// Every part holds.
    All(Vec<Condition>),
    /// At least one part holds.
    Any(Vec<Condition>),
    /// `not <condition>`
    Not(Box<Condition>),
    /// `<fact> <op> <value>`
    Compare {
        /// The fact being tested.
        subject: Ident,
        /// The comparison.
        op: Spanned<CompareOp>,
        /// The value it is compared with.
        value: Value,
    },
    /// `<fact> in (a, b)` or `<fact> not in (a, b)`
    Member {
        /// The fact being tested.
        subject: Ident,
        /// Whether the test is `not in`.
        negated: bool,
        /// The codes listed.
        codes: Vec<Ident>,
    },
    /// `<fact> is known` or `<fact> is missing`
    Presence {
        /// The fact being tested.
        subject: Ident,
        /// `true` for `is known`, `false` for `is missing`.
        known: bool,
    },
    /// A yes/no fact on its own.
    Flag(Ident),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
}

impl CompareOp {
    /// The symbol that writes the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Less => "<",
            CompareOp::LessOrEqual => "<=",
            CompareOp::Greater => ">",
            CompareOp::GreaterOrEqual => ">=",
            CompareOp::Equal => "=",
            CompareOp::NotEqual => "!=",
        }
    }

    /// Whether the operator orders values (as opposed to testing equality).
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Equal | CompareOp::NotEqual)
    }
}

/// A value written in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of value a condition can write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueKind {
    /// A number without a unit, as written: `3`, `2.5`.
    Number(String),
    /// A number with a unit: `3.5 ug/dL`, `6 months`.
    Quantity {
        /// The number as written.
        number: String,
        /// The unit as written.
        unit: Ident,
    },
    /// A date: `2025-10-30`.
    Date(Date),
    /// `yes`
    Yes,
    /// `no`
    No,
    /// A bare word: a code such as `female`, or a misplaced fact name.
    Word(Ident),
}

/// What a conclusion does; each verb gives one kind of conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `suspect`: a diagnosis to consider.
    Suspect,
    /// `exclude`: a diagnosis made unlikely.
    Exclude,
    /// `order`: a laboratory test or imaging.
    Order,
    /// `refer`: a referral.
    Refer,
    /// `treat`: a treatment or therapy.
    Treat,
    /// `warn`: a pitfall or safety warning.
    Warn,
    /// `follow up`: follow-up, possibly with an interval.
    FollowUp,
    /// `note`: information for the reader.
    Note,
}

impl Verb {
    /// The word that writes the verb.
    pub fn word(self) -> &'static str {
        match self {
            Verb::Suspect => "suspect",
            Verb::Exclude => "exclude",
            Verb::Order => "order",
            Verb::Refer => "refer",
            Verb::Treat => "treat",
            Verb::Warn => "warn",
            Verb::FollowUp => "follow up",
            Verb::Note => "note",
        }
    }
}

/// How certain a diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Certainty {
    /// Unlikely.
    Unlikely,
    /// Possible.
    Possible,
    /// Likely.
    Likely,
    /// Suspected: to be confirmed.
    Suspected,
}

impl Certainty {
    /// Every certainty.
    pub const ALL: [Certainty; 4] = [
        Certainty::Possible,
        Certainty::Likely,
        Certainty::Suspected,
        Certainty::Unlikely,
    ];

    /// The word that writes the certainty.
    pub fn word(self) -> &'static str {
        match self {
            Certainty::Unlikely => "unlikely",
            Certainty::Possible => "possible",
            Certainty::Likely => "likely",
            Certainty::Suspected => "suspected",
        }
    }
}

/// How urgent a conclusion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// For information.
    Info,
    /// Needs attention.
    Warning,
    /// Needs action now.
    Critical,
}

impl Urgency {
    /// Every urgency.
    pub const ALL: [Urgency; 3] = [Urgency::Info, Urgency::Warning, Urgency::Critical];

    /// The word that writes the urgency.
    pub fn word(self) -> &'static str {
        match self {
            Urgency::Info => "info",
            Urgency::Warning => "warning",
            Urgency::Critical => "critical",
        }
    }
}

/// A follow-up interval: `in 6 months` or `every 6 months`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// Whether the follow-up repeats (`every`) or happens once (`in`).
    pub repeats: bool,
    /// The number as written.
    pub number: String,
    /// The unit as written.
    pub unit: Ident,
    /// Where the interval was written.
    pub span: Span,
}

/// A conclusion of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conclusion {
    /// What the conclusion does.
    pub verb: Spanned<Verb>,
    /// Its stable identifier.
    pub id: Ident,
    /// Its text for clinicians.
    pub text: Text,
    /// `certainty likely` (diagnoses only).
    pub certainty: Option<Spanned<Certainty>>,
    /// `urgency critical`
    pub urgency: Option<Spanned<Urgency>>,
    /// `because "..."`: the rationale.
    pub rationale: Option<Text>,
    /// `patient "..."`: a plain-language version for patients and families.
    pub patient_text: Option<Text>,
    /// `in 6 months` or `every 6 months` (follow-up only).
    pub interval: Option<Interval>,
    /// References cited for this conclusion.
    pub cites: Vec<Ident>,
    /// The whole conclusion.
    pub span: Span,
}
