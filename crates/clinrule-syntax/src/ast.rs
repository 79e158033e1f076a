//! The typed syntax tree of a rule file.
//!
//! Every node carries the span of the words that wrote it. Equality of
//! every node ignores spans, so two trees are equal when they say the same
//! thing, wherever it was written (a formatted file and its original, a
//! rule read directly and by the grammar); the `Debug` form shows spans, for
//! the tests that compare positions too.

use crate::span::{Span, Spanned};
pub use crate::word::Word;

/// Equality of a node that compares every field but its span. The node is
/// taken apart whole, without `..`, so a field added later and not listed
/// here is a compile error rather than a field silently left out.
macro_rules! equal_but_span {
    ($node:ident { $($field:ident),* $(,)? }) => {
        impl PartialEq for $node {
            fn eq(&self, other: &Self) -> bool {
                let $node { $($field,)* span: _ } = self;
                true $(&& *$field == other.$field)*
            }
        }
    };
}

/// A word with its span: an identifier, a fact name, a code or a unit.
#[derive(Debug, Clone, Eq)]
pub struct Ident {
    /// The word as written.
    pub name: Word,
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

impl Date {
    /// The date `days` days after 1970-01-01 (before, when negative), if the
    /// year fits.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        // Howard Hinnant's civil-from-days algorithm.
        let shifted = days.checked_add(719_468)?;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The date `months` calendar months later (earlier, when negative). A
    /// day that the target month lacks becomes its last day: one month after
    /// 31 January is 28 (or 29) February, and a year after 29 February is
    /// 28 February.
    pub fn add_months(self, months: i64) -> Option<Date> {
        let index = i64::from(self.year)
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(months)?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        let mut day = self.day;
        loop {
            if let Some(date) = Date::new(year, month, day) {
                return Some(date);
            }
            day = day.checked_sub(1)?;
        }
    }

    /// The date `days` days later (earlier, when negative).
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }

    /// Whole calendar months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: Date) -> i64 {
        let mut months = (i64::from(later.year) - i64::from(self.year)) * 12
            + i64::from(later.month)
            - i64::from(self.month);
        // Back off while the anniversary has not been reached.
        while months > 0
            && self
                .add_months(months)
                .is_some_and(|anniversary| anniversary > later)
        {
            months -= 1;
        }
        while months < 0
            && self
                .add_months(months)
                .is_some_and(|anniversary| anniversary < later)
        {
            months += 1;
        }
        months
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
            Item::RuleSet(header) => Some(&**header),
            _ => None,
        })
    }

    /// The references.
    pub fn references(&self) -> impl Iterator<Item = &Reference> {
        self.items.iter().filter_map(|item| match item {
            Item::Reference(reference) => Some(&**reference),
            _ => None,
        })
    }

    /// The fact declarations.
    pub fn facts(&self) -> impl Iterator<Item = &FactDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Fact(fact) => Some(&**fact),
            _ => None,
        })
    }

    /// The derived values.
    pub fn lets(&self) -> impl Iterator<Item = &LetDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Let(let_decl) => Some(&**let_decl),
            _ => None,
        })
    }

    /// The scores.
    pub fn scores(&self) -> impl Iterator<Item = &ScoreDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Score(score) => Some(&**score),
            _ => None,
        })
    }

    /// The differentials.
    pub fn differentials(&self) -> impl Iterator<Item = &DifferentialDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Differential(differential) => Some(&**differential),
            _ => None,
        })
    }

    /// The rules.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.items.iter().filter_map(|item| match item {
            Item::Rule(rule) => Some(&**rule),
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
    /// `let`
    Let,
    /// `score`
    Score,
    /// `differential`
    Differential,
    /// `rule`
    Rule,
}

/// An item with a syntax error: its kind and name where they could be read.
#[derive(Debug, Clone, Eq)]
pub struct BrokenItem {
    /// The kind of item, if its first word is a known keyword.
    pub kind: Option<ItemKind>,
    /// The name after the keyword, if one could be read.
    pub name: Option<String>,
    /// The whole item.
    pub span: Span,
}

equal_but_span!(BrokenItem { kind, name });

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// Each kind is boxed, so that a file's list of items stays small: a large
/// rule set's items are then one pointer each, not the size of the largest.
pub enum Item {
    /// The `ruleset` header.
    RuleSet(Box<RuleSetHeader>),
    /// A `reference`.
    Reference(Box<Reference>),
    /// A `fact` declaration.
    Fact(Box<FactDecl>),
    /// A derived value: `let`.
    Let(Box<LetDecl>),
    /// A `score`.
    Score(Box<ScoreDecl>),
    /// A `differential`.
    Differential(Box<DifferentialDecl>),
    /// A `rule`.
    Rule(Box<Rule>),
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
#[derive(Debug, Clone, Eq)]
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
    /// `patient "..."`: the title in words a family understands.
    pub patient: Option<Text>,
    /// Whom the whole rule set applies to: `applies "Adults" when age >= 18 years`.
    pub applies: Vec<Applies>,
    /// The whole header.
    pub span: Span,
}

equal_but_span!(RuleSetHeader {
    id,
    title,
    version,
    status,
    reviewed,
    authors,
    audience,
    patient,
    applies
});

/// A literature reference that statements can cite.
#[derive(Debug, Clone, Eq)]
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

equal_but_span!(Reference {
    id,
    citation,
    pmid,
    doi,
    url
});

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
#[derive(Debug, Clone, Eq)]
pub struct FactType {
    /// The type.
    pub kind: FactTypeKind,
    /// Where the type was written.
    pub span: Span,
}

equal_but_span!(FactType { kind });

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
#[derive(Debug, Clone, Eq)]
pub struct FactDecl {
    /// The fact's name, possibly dotted.
    pub name: Ident,
    /// The fact's type.
    pub fact_type: FactType,
    /// A description for readers and reports.
    pub description: Option<Text>,
    /// `ask "..."`: the question or test that obtains the fact.
    pub ask: Option<Text>,
    /// What an absent value means.
    pub absent: Option<Spanned<AbsentMeans>>,
    /// Terminology bindings.
    pub codes: Vec<CodeBinding>,
    /// Substance-specific conversions to a unit of another dimension.
    pub conversions: Vec<Conversion>,
    /// `from birth_date`: the date fact an age is derived from.
    pub derived_from: Option<Ident>,
    /// `plausible from <low> to <high>`: the values a patient can have.
    pub plausible: Option<PlausibleRange>,
    /// `obtained by <way>`: how the fact is obtained.
    pub obtained: Option<Spanned<Obtained>>,
    /// `required`: in the needs whenever the case lacks it.
    pub required: bool,
    /// `patient "..."`: the fact in words a family understands.
    pub patient: Option<Text>,
    /// `set aside when <condition> because "..."`: when a given value
    /// cannot be used.
    pub set_aside: Vec<SetAside>,
    /// The whole declaration.
    pub span: Span,
}

/// `set aside when lab.haemolysed because "..."`.
#[derive(Debug, Clone, Eq)]
pub struct SetAside {
    /// When the value cannot be used.
    pub condition: Expr,
    /// Why, in the words the result shows.
    pub reason: Text,
    /// The whole option.
    pub span: Span,
}

equal_but_span!(SetAside { condition, reason });

/// `plausible from 0 ug/dL to 300 ug/dL`: the values of a fact a patient can
/// have, both ends included; each end a number, a measurement or a date.
#[derive(Debug, Clone, Eq)]
pub struct PlausibleRange {
    /// The lowest value.
    pub low: Expr,
    /// The highest value.
    pub high: Expr,
    /// The whole option.
    pub span: Span,
}

equal_but_span!(PlausibleRange { low, high });

equal_but_span!(FactDecl {
    name,
    fact_type,
    description,
    ask,
    absent,
    codes,
    conversions,
    derived_from,
    plausible,
    obtained,
    required,
    patient,
    set_aside
});

/// How a fact is obtained, in the order a clinician usually asks: the
/// history before the examination, the examination before tests, tests
/// before imaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Obtained {
    /// Asked of the patient or the family.
    History,
    /// Found on examining the patient.
    Examination,
    /// A laboratory or bedside test.
    Test,
    /// Imaging.
    Imaging,
}

impl Obtained {
    /// The word as written.
    pub fn word(self) -> &'static str {
        match self {
            Obtained::History => "history",
            Obtained::Examination => "examination",
            Obtained::Test => "test",
            Obtained::Imaging => "imaging",
        }
    }

    /// Every way, in order.
    pub const ALL: [Obtained; 4] = [
        Obtained::History,
        Obtained::Examination,
        Obtained::Test,
        Obtained::Imaging,
    ];
}

/// A substance-specific conversion declared on a measurement.
#[derive(Debug, Clone, Eq)]
pub enum Conversion {
    /// `also umol/L at 20.72 ug/dL per umol/L`
    Also {
        /// The other unit values may be given in.
        unit: Ident,
        /// How much of the declared unit one `per` unit is.
        amount: QuantityLiteral,
        /// The unit of the other dimension the amount is per.
        per: Ident,
        /// The whole option.
        span: Span,
    },
    /// `molar mass 207.2 g/mol`
    MolarMass {
        /// The molar mass.
        amount: QuantityLiteral,
        /// The whole option.
        span: Span,
    },
    /// `valence 2`: equivalents per mole.
    Valence {
        /// The valence.
        number: NumberLiteral,
        /// The whole option.
        span: Span,
    },
}

impl PartialEq for Conversion {
    /// Conversions compare by what they say, not where they were written.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Conversion::Also {
                    unit, amount, per, ..
                },
                Conversion::Also {
                    unit: other_unit,
                    amount: other_amount,
                    per: other_per,
                    ..
                },
            ) => unit == other_unit && amount == other_amount && per == other_per,
            (Conversion::MolarMass { amount, .. }, Conversion::MolarMass { amount: other, .. }) => {
                amount == other
            }
            (Conversion::Valence { number, .. }, Conversion::Valence { number: other, .. }) => {
                number == other
            }
            _ => false,
        }
    }
}

/// A derived value: `let <name> "Title" = <expression>`.
#[derive(Debug, Clone, Eq)]
pub struct LetDecl {
    /// Its name.
    pub name: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// How it is computed; for a table, its key.
    pub value: Expr,
    /// `in kg/m2`: the unit to show it in.
    pub display_unit: Option<Ident>,
    /// `table <key>` with rows: the value is looked up by the key.
    pub table: Option<Table>,
    /// The whole declaration.
    pub span: Span,
}

equal_but_span!(LetDecl {
    name,
    title,
    value,
    display_unit,
    table
});

/// The rows of a lookup table: `table heart` then `row from 0 to 3 gives 1.7 %`.
#[derive(Debug, Clone, Eq)]
pub struct Table {
    /// References for the whole table.
    pub cites: Vec<Ident>,
    /// Its rows, in the order written.
    pub rows: Vec<TableRow>,
    /// From `table` to the end of the last row.
    pub span: Span,
}

equal_but_span!(Table { cites, rows });

/// One row of a lookup table.
#[derive(Debug, Clone, Eq)]
pub struct TableRow {
    /// The key values it covers.
    pub key: RowKey,
    /// `gives 1.7 %`: its value.
    pub gives: Option<RowValue>,
    /// Its text: a label or a recommendation.
    pub text: Option<Text>,
    /// References for this row.
    pub cites: Vec<Ident>,
    /// The whole row.
    pub span: Span,
}

equal_but_span!(TableRow {
    key,
    gives,
    text,
    cites
});

/// The key values of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKey {
    /// `from 0 to 3`, `from 7`, `to 3`: numbers, both ends included.
    Range {
        /// The lowest, if bounded below.
        low: Option<NumberLiteral>,
        /// The highest, if bounded above.
        high: Option<NumberLiteral>,
    },
    /// `male, other`: codes.
    Codes(Vec<Ident>),
}

/// A row's value: a number or a measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowValue {
    /// `gives 3`
    Number(NumberLiteral),
    /// `gives 1.7 %`
    Quantity(QuantityLiteral),
}

/// A score: criteria with points, and bands over the total.
#[derive(Debug, Clone, Eq)]
pub struct ScoreDecl {
    /// Its identifier, usable as a value.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// References for the whole score.
    pub cites: Vec<Ident>,
    /// Whom it applies to: it is used only when every condition holds.
    pub applies: Vec<Applies>,
    /// Its criteria.
    pub criteria: Vec<Criterion>,
    /// Its bands.
    pub bands: Vec<Band>,
    /// The whole score.
    pub span: Span,
}

equal_but_span!(ScoreDecl {
    id,
    title,
    cites,
    applies,
    criteria,
    bands
});

/// `applies "Adults" when age >= 18 years`: one condition of a score's population.
#[derive(Debug, Clone, Eq)]
pub struct Applies {
    /// The population in words, shown when the condition does not hold.
    pub title: Option<Text>,
    /// The condition.
    pub condition: Expr,
    /// The whole clause.
    pub span: Span,
}

equal_but_span!(Applies { title, condition });

/// One criterion of a score.
#[derive(Debug, Clone, Eq)]
pub struct Criterion {
    /// Its identifier.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// The points it gives and when; the first that holds counts.
    pub choices: Vec<PointChoice>,
    /// References for this criterion.
    pub cites: Vec<Ident>,
    /// The whole criterion.
    pub span: Span,
}

equal_but_span!(Criterion {
    id,
    title,
    choices,
    cites
});

/// `2 points when <condition>`
#[derive(Debug, Clone, Eq)]
pub struct PointChoice {
    /// The points.
    pub points: NumberLiteral,
    /// When they count.
    pub condition: Expr,
    /// The whole choice.
    pub span: Span,
}

equal_but_span!(PointChoice { points, condition });

/// A band of a score's total.
#[derive(Debug, Clone, Eq)]
pub struct Band {
    /// Its identifier: the value of `<score>.band`.
    pub id: Ident,
    /// A title for readers: the category.
    pub title: Option<Text>,
    /// The lowest total in the band, if bounded below.
    pub low: Option<NumberLiteral>,
    /// The highest total in the band, if bounded above.
    pub high: Option<NumberLiteral>,
    /// What to do for a total in this band.
    pub recommendation: Option<Text>,
    /// References for this band.
    pub cites: Vec<Ident>,
    /// The whole band.
    pub span: Span,
}

equal_but_span!(Band {
    id,
    title,
    low,
    high,
    recommendation,
    cites
});

/// A differential: candidates weighed by arguments for and against.
#[derive(Debug, Clone, Eq)]
pub struct DifferentialDecl {
    /// Its identifier.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// References for the whole differential.
    pub cites: Vec<Ident>,
    /// Its candidates.
    pub candidates: Vec<Candidate>,
    /// The whole differential.
    pub span: Span,
}

equal_but_span!(DifferentialDecl {
    id,
    title,
    cites,
    candidates
});

/// A candidate diagnosis of a differential.
#[derive(Debug, Clone, Eq)]
pub struct Candidate {
    /// Its identifier: `<differential>.<candidate>` is its status.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// References for this candidate.
    pub cites: Vec<Ident>,
    /// Its arguments for and against.
    pub arguments: Vec<Argument>,
    /// How its status follows from them; the first that holds gives it.
    pub statuses: Vec<StatusRule>,
    /// `unlikely otherwise`: the status when none holds, decided or not.
    pub otherwise: Option<Ident>,
    /// The whole candidate.
    pub span: Span,
}

equal_but_span!(Candidate {
    id,
    title,
    cites,
    arguments,
    statuses,
    otherwise
});

/// An argument for or against a candidate.
#[derive(Debug, Clone, Eq)]
pub struct Argument {
    /// `true` for `for`, `false` for `against`.
    pub supports: bool,
    /// Its identifier.
    pub id: Ident,
    /// Its text for readers.
    pub title: Option<Text>,
    /// When it holds.
    pub condition: Expr,
    /// Its weight, 1 unless written.
    pub weight: Option<NumberLiteral>,
    /// References for this argument.
    pub cites: Vec<Ident>,
    /// The whole argument.
    pub span: Span,
}

equal_but_span!(Argument {
    supports,
    id,
    title,
    condition,
    weight,
    cites
});

/// `suspected when for >= 2 and against = 0`
#[derive(Debug, Clone, Eq)]
pub struct StatusRule {
    /// The status word.
    pub status: Ident,
    /// When it applies.
    pub condition: Expr,
    /// The whole status rule.
    pub span: Span,
}

equal_but_span!(StatusRule { status, condition });

/// A `rule`: a condition and the conclusions it supports.
#[derive(Debug, Clone, Eq)]
pub struct Rule {
    /// The rule's identifier.
    pub id: Ident,
    /// A title for readers.
    pub title: Option<Text>,
    /// References cited for every conclusion of the rule.
    pub cites: Vec<Ident>,
    /// The `when` condition.
    pub condition: Expr,
    /// The `then` conclusions.
    pub conclusions: Vec<Conclusion>,
    /// The whole rule.
    pub span: Span,
}

equal_but_span!(Rule {
    id,
    title,
    cites,
    condition,
    conclusions
});

/// An expression: a condition or a value, with its span.
#[derive(Debug, Clone, Eq)]
pub struct Expr {
    /// The expression.
    pub kind: ExprKind,
    /// Where it was written, parentheses included.
    pub span: Span,
}

equal_but_span!(Expr { kind });

impl Expr {
    /// The expressions directly inside this one, in the order written,
    /// without allocating: the checker walks every node of a large file.
    pub fn children(&self) -> impl Iterator<Item = &Expr> {
        let (list, fixed): (&[Expr], [Option<&Expr>; 3]) = match &self.kind {
            ExprKind::All(items)
            | ExprKind::Any(items)
            | ExprKind::Otherwise(items)
            | ExprKind::Count { items, .. } => (items, [None, None, None]),
            ExprKind::Not(inner) => (&[], [Some(inner), None, None]),
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                (&[], [Some(left), Some(right), None])
            }
            ExprKind::Round { value, step, .. } => (&[], [Some(value), Some(step), None]),
            ExprKind::Between {
                value, low, high, ..
            } => (&[], [Some(value), Some(low), Some(high)]),
            ExprKind::Within { value, anchor, .. } => (&[], [Some(value), Some(anchor), None]),
            ExprKind::Member { value, .. } | ExprKind::Presence { value, .. } => {
                (&[], [Some(value), None, None])
            }
            ExprKind::Number(_)
            | ExprKind::Quantity(_)
            | ExprKind::Date(_)
            | ExprKind::Yes
            | ExprKind::No
            | ExprKind::AsOf
            | ExprKind::Tally(_)
            | ExprKind::Name(_)
            | ExprKind::Invalid => (&[], [None, None, None]),
        };
        list.iter().chain(fixed.into_iter().flatten())
    }

    /// The deepest expression inside this one and its depth (1 for this
    /// expression alone), found without recursion, so that any depth can be
    /// measured before a recursive pass meets it.
    pub fn deepest(&self) -> (usize, Span) {
        let mut deepest = (1, self.span);
        let mut stack = vec![(self, 1usize)];
        while let Some((expr, depth)) = stack.pop() {
            if depth > deepest.0 {
                deepest = (depth, expr.span);
            }
            stack.extend(expr.children().map(|child| (child, depth + 1)));
        }
        deepest
    }
}

impl Item {
    /// The expressions written in this item: a rule's condition, a derived
    /// value, a score's criteria, a differential's arguments and statuses.
    pub fn expressions(&self) -> Vec<&Expr> {
        match self {
            Item::RuleSet(_) | Item::Reference(_) | Item::Fact(_) => Vec::new(),
            Item::Let(derived) => vec![&derived.value],
            Item::Rule(rule) => vec![&rule.condition],
            Item::Score(score) => score.expressions(),
            Item::Differential(differential) => differential.expressions(),
        }
    }
}

impl ScoreDecl {
    /// The conditions of its population and of its criteria's choices, in
    /// the order written.
    pub fn expressions(&self) -> Vec<&Expr> {
        self.applies
            .iter()
            .map(|applies| &applies.condition)
            .chain(
                self.criteria
                    .iter()
                    .flat_map(|criterion| criterion.choices.iter().map(|choice| &choice.condition)),
            )
            .collect()
    }
}

impl DifferentialDecl {
    /// The conditions of its candidates' arguments and statuses, in the
    /// order written.
    pub fn expressions(&self) -> Vec<&Expr> {
        self.candidates
            .iter()
            .flat_map(|candidate| {
                candidate
                    .arguments
                    .iter()
                    .map(|argument| &argument.condition)
                    .chain(candidate.statuses.iter().map(|status| &status.condition))
            })
            .collect()
    }
}

/// A number as written, with its span.
#[derive(Debug, Clone, Eq)]
pub struct NumberLiteral {
    /// The digits as written: `3.5`, `-2`.
    pub text: Word,
    /// Where it was written.
    pub span: Span,
}

equal_but_span!(NumberLiteral { text });

/// A number with its unit, as written: `3.5 ug/dL`.
#[derive(Debug, Clone, Eq)]
pub struct QuantityLiteral {
    /// The number.
    pub number: NumberLiteral,
    /// The unit.
    pub unit: Ident,
    /// The whole quantity.
    pub span: Span,
}

equal_but_span!(QuantityLiteral { number, unit });

/// How many parts of a counting condition must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountKind {
    /// `any of`: at least one.
    Any,
    /// `all of`: every one.
    All,
    /// `none of`: not one.
    None,
    /// `at least N of`
    AtLeast(NumberLiteral),
    /// `at most N of`
    AtMost(NumberLiteral),
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

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
}

impl ArithOp {
    /// The symbol that writes the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Subtract => "-",
            ArithOp::Multiply => "*",
            ArithOp::Divide => "/",
        }
    }
}

/// How many terms one calculation may join with `+` and `-`, or factors
/// with `*` and `/`. Each operation is a level of the expression, so
/// together with [`MAX_EXPRESSION_DEPTH`] the limit keeps a chain of a
/// thousand terms from exhausting the stack of any later pass.
pub const MAX_TERMS: usize = 64;

/// How deep an expression may be, counting each operation as a level:
/// parentheses, `not`, comparisons and every `+`, `-`, `*` and `/`.
pub const MAX_EXPRESSION_DEPTH: usize = 256;

/// The shapes an expression can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// `a and b and c`: every part holds.
    All(Vec<Expr>),
    /// `a or b or c`: at least one part holds.
    Any(Vec<Expr>),
    /// `a otherwise b`: the first part that is known.
    Otherwise(Vec<Expr>),
    /// `not <expression>`
    Not(Box<Expr>),
    /// `at least 2 of (a, b, c)` and the other counting forms.
    Count {
        /// How many must hold.
        kind: CountKind,
        /// The parts counted.
        items: Vec<Expr>,
    },
    /// `<left> <op> <right>`, optionally with the threshold in a second unit.
    Compare {
        /// The value compared.
        left: Box<Expr>,
        /// The comparison.
        op: Spanned<CompareOp>,
        /// What it is compared with.
        right: Box<Expr>,
        /// The same threshold in a second unit: `>= 3.5 ug/dL (0.17 umol/L)`.
        alternative: Option<Box<QuantityLiteral>>,
    },
    /// `<value> between <low> and <high>`, each end inclusive or exclusive.
    Between {
        /// The value tested.
        value: Box<Expr>,
        /// The lower end.
        low: Box<Expr>,
        /// Whether the lower end is included, if written.
        low_inclusive: Option<Spanned<bool>>,
        /// The upper end.
        high: Box<Expr>,
        /// Whether the upper end is included, if written.
        high_inclusive: Option<Spanned<bool>>,
    },
    /// `<date> within 30 days before <anchor>` (or `after`).
    Within {
        /// The date tested.
        value: Box<Expr>,
        /// How far from the anchor.
        amount: Box<QuantityLiteral>,
        /// `true` for `after`, `false` for `before`.
        after: bool,
        /// The date it is measured from, usually `as_of`.
        anchor: Box<Expr>,
    },
    /// `<value> in (a, b)` or `<value> not in (a, b)`
    Member {
        /// The value tested.
        value: Box<Expr>,
        /// Whether the test is `not in`.
        negated: bool,
        /// The codes listed.
        codes: Vec<Ident>,
    },
    /// `<value> is known` or `<value> is missing`
    Presence {
        /// The value tested.
        value: Box<Expr>,
        /// `true` for `is known`, `false` for `is missing`.
        known: bool,
    },
    /// `<left> + <right>` and the other arithmetic operators.
    Arith {
        /// The operator.
        op: Spanned<ArithOp>,
        /// The left operand.
        left: Box<Expr>,
        /// The right operand.
        right: Box<Expr>,
    },
    /// `<value> rounded to 0.1 mmol/L`: the value rounded to a multiple of
    /// the step, in the step's unit.
    Round {
        /// The value rounded.
        value: Box<Expr>,
        /// How: to the nearest, down or up.
        mode: Spanned<RoundMode>,
        /// The step: a number or a measurement.
        step: Box<Expr>,
    },
    /// A number without a unit: `3`, `2.5`.
    Number(NumberLiteral),
    /// A number with a unit: `3.5 ug/dL`, `6 months`.
    Quantity(Box<QuantityLiteral>),
    /// A date: `2025-10-30`.
    Date(Date),
    /// `yes`
    Yes,
    /// `no`
    No,
    /// `as_of`: the date the case describes.
    AsOf,
    /// `for` (true) or `against` (false) in a candidate's status rules.
    Tally(bool),
    /// A name: a fact, derived value, score, score band, candidate or code.
    Name(Ident),
    /// A part that could not be read, already reported as a syntax error.
    Invalid,
}

/// How a value is rounded to a multiple of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundMode {
    /// `rounded to`: to the nearest multiple, a half away from zero.
    Nearest,
    /// `rounded down to`: to the multiple at or below.
    Down,
    /// `rounded up to`: to the multiple at or above.
    Up,
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
    /// The verb a keyword writes; `follow_up` and the `follow` of
    /// `follow up` both write [`Verb::FollowUp`].
    pub fn from_keyword(word: &str) -> Option<Verb> {
        Some(match word {
            "suspect" => Verb::Suspect,
            "exclude" => Verb::Exclude,
            "order" => Verb::Order,
            "refer" => Verb::Refer,
            "treat" => Verb::Treat,
            "warn" => Verb::Warn,
            "follow" | "follow_up" => Verb::FollowUp,
            "note" => Verb::Note,
            _ => return None,
        })
    }

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
#[derive(Debug, Clone, Eq)]
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

equal_but_span!(Interval {
    repeats,
    number,
    unit
});

/// A conclusion of a rule.
#[derive(Debug, Clone, Eq)]
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
    /// `clinicians only`: where it is written, when it is.
    pub clinicians_only: Option<Span>,
    /// `in 6 months` or `every 6 months` (follow-up only).
    pub interval: Option<Interval>,
    /// References cited for this conclusion.
    pub cites: Vec<Ident>,
    /// The whole conclusion.
    pub span: Span,
}

equal_but_span!(Conclusion {
    verb,
    id,
    text,
    certainty,
    urgency,
    rationale,
    patient_text,
    clinicians_only,
    interval,
    cites
});

impl Conclusion {
    /// A conclusion with its verb, identifier and text, and no options yet.
    pub fn new(verb: Spanned<Verb>, id: Ident, text: Text, span: Span) -> Conclusion {
        Conclusion {
            verb,
            id,
            text,
            certainty: None,
            urgency: None,
            rationale: None,
            patient_text: None,
            clinicians_only: None,
            interval: None,
            cites: Vec::new(),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn days_round_trip() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "1899-03-01",
            "2100-02-28",
        ] {
            let day = date(text);
            assert_eq!(
                Date::from_days_since_epoch(day.days_since_epoch()),
                Some(day),
                "{text}"
            );
        }
        assert_eq!(
            date("2024-03-01").days_since_epoch() - date("2024-02-28").days_since_epoch(),
            2
        );
        assert_eq!(
            date("2023-03-01").days_since_epoch() - date("2023-02-28").days_since_epoch(),
            1
        );
    }

    #[test]
    fn months_follow_the_calendar() {
        assert_eq!(date("2024-01-31").add_months(1), Some(date("2024-02-29")));
        assert_eq!(date("2023-01-31").add_months(1), Some(date("2023-02-28")));
        assert_eq!(date("2024-02-29").add_months(12), Some(date("2025-02-28")));
        assert_eq!(date("2024-02-29").add_months(48), Some(date("2028-02-29")));
        assert_eq!(date("2024-05-15").add_months(-5), Some(date("2023-12-15")));
        assert_eq!(date("2023-11-20").months_until(date("2025-11-19")), 23);
        assert_eq!(date("2023-11-20").months_until(date("2025-11-20")), 24);
        assert_eq!(date("2024-02-29").months_until(date("2025-02-28")), 12);
    }
}
