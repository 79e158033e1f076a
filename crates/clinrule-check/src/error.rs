//! Check diagnostics: what is wrong with what a rule file says, as opposed to
//! how it is written. Codes `E2xx` are errors and `W2xx` warnings.

use clinrule_syntax::Span;

/// A problem found by the checker.
///
/// Each variant has a stable code documented in `docs/errors.md`. Warnings
/// have the `W` prefix and miette's warning severity; they never stop evaluation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    /// A condition names a fact (or derived value, score, differential) that is not declared.
    #[error("`{name}` is not a declared fact or value")]
    #[diagnostic(code(E201))]
    UndeclaredFact {
        /// The name as written.
        name: String,
        /// Where it was written.
        #[label("nothing of this name")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A citation names a reference that does not exist.
    #[error("`{id}` is not a reference of this rule set")]
    #[diagnostic(code(E202))]
    UnknownReference {
        /// The reference identifier as written.
        id: String,
        /// Where it was cited.
        #[label("cited here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// Two rules share an identifier.
    #[error("there are two rules called `{id}`")]
    #[diagnostic(
        code(E203),
        help("give each rule its own identifier: tests and results name rules by it")
    )]
    DuplicateRule {
        /// The identifier.
        id: String,
        /// The second rule.
        #[label("second rule called `{id}`")]
        span: Span,
        /// The first rule.
        #[label("first rule called `{id}`")]
        first: Span,
    },

    /// Two conclusions share an identifier.
    #[error("there are two conclusions called `{id}`")]
    #[diagnostic(code(E204))]
    DuplicateConclusion {
        /// The identifier.
        id: String,
        /// The second conclusion.
        #[label("second conclusion called `{id}`")]
        span: Span,
        /// The first conclusion.
        #[label("first conclusion called `{id}`")]
        first: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// Two facts share a name.
    #[error("the fact `{name}` is declared twice")]
    #[diagnostic(code(E205), help("delete one declaration, or rename one of the facts"))]
    DuplicateFact {
        /// The name.
        name: String,
        /// The second declaration.
        #[label("declared again here")]
        span: Span,
        /// The first declaration.
        #[label("first declared here")]
        first: Span,
    },

    /// Two references share an identifier.
    #[error("there are two references called `{id}`")]
    #[diagnostic(code(E206), help("give each reference its own number or name"))]
    DuplicateReference {
        /// The identifier.
        id: String,
        /// The second reference.
        #[label("second reference `{id}`")]
        span: Span,
        /// The first reference.
        #[label("first reference `{id}`")]
        first: Span,
    },

    /// A value is compared with a value of the wrong kind.
    #[error("`{fact}` is {fact_kind}, but it is compared with {value_kind}")]
    #[diagnostic(code(E207))]
    TypeMismatch {
        /// The compared value as written.
        fact: String,
        /// What it holds, in words.
        fact_kind: String,
        /// What the other value is, in words.
        value_kind: String,
        /// The other value.
        #[label("{value_kind}")]
        span: Span,
        /// Where the compared value is declared or written.
        #[label("`{fact}` is {fact_kind}")]
        declared: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A measurement is compared with a number without a unit.
    #[error("`{fact}` is measured in {unit}, but `{number}` has no unit")]
    #[diagnostic(code(E208))]
    MissingUnit {
        /// The fact's name.
        fact: String,
        /// The fact's declared unit.
        unit: String,
        /// The number as written.
        number: String,
        /// The number.
        #[label("which unit is this?")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A measurement is compared with a value of another dimension.
    #[error("`{unit}` is {value_dimension}, but `{fact}` is {fact_dimension}")]
    #[diagnostic(code(E209))]
    IncompatibleUnit {
        /// The compared value as written.
        fact: String,
        /// The other value's unit or text.
        unit: String,
        /// What the other value measures.
        value_dimension: String,
        /// What the compared value measures.
        fact_dimension: String,
        /// The other value.
        #[label("{value_dimension}")]
        span: Span,
        /// Where the compared value is declared or written.
        #[label("`{fact}` is {fact_dimension}")]
        declared: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A unit that is not known.
    #[error("`{unit}` is not a known unit")]
    #[diagnostic(code(E210))]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// Where it was written.
        #[label("unknown unit")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A code that is not in the fact's declared set.
    #[error("`{code}` is not one of the codes of `{fact}`")]
    #[diagnostic(code(E211))]
    UnknownCode {
        /// The code as written.
        code: String,
        /// The fact's name.
        fact: String,
        /// Where it was written.
        #[label("not a code of `{fact}`")]
        span: Span,
        /// The fact's declaration.
        #[label("the codes are declared here")]
        declared: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A file without a `ruleset` header.
    #[error("this file has no `ruleset` header")]
    #[diagnostic(
        code(E212),
        help(
            "start the file with `ruleset <id>` followed by its `title`, `version` and `status`; a file that is part of a rule set in several files belongs in a folder where exactly one file has the header"
        )
    )]
    MissingHeader {
        /// The start of the file.
        #[label("the rule set needs a header")]
        span: Span,
    },

    /// A file with two `ruleset` headers.
    #[error("this file has two `ruleset` headers")]
    #[diagnostic(code(E213), help("keep one header per rule set"))]
    DuplicateHeader {
        /// The second header.
        #[label("second header")]
        span: Span,
        /// The first header.
        #[label("first header")]
        first: Span,
    },

    /// A header without a required field.
    #[error("the rule set header has no `{field}`")]
    #[diagnostic(code(E214))]
    MissingHeaderField {
        /// The missing field's keyword.
        field: String,
        /// The header.
        #[label("add `{field}` to this header")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// `absent means no` on a fact that is not yes/no.
    #[error("only a yes/no fact can say that absent means no")]
    #[diagnostic(
        code(E215),
        help("delete `absent means no`: a missing measurement, code or date stays unknown")
    )]
    AbsentMeansNoNotYesNo {
        /// The option.
        #[label("here")]
        span: Span,
        /// The fact's type.
        #[label("this fact is {fact_type}")]
        type_span: Span,
        /// The fact's type in words.
        fact_type: String,
    },

    /// A code listed twice in a one-of set.
    #[error("the code `{code}` is listed twice")]
    #[diagnostic(code(E216), help("delete one of the two"))]
    DuplicateCode {
        /// The code.
        code: String,
        /// The second listing.
        #[label("listed again here")]
        span: Span,
        /// The first listing.
        #[label("first listed here")]
        first: Span,
    },

    /// A unit on a value compared with a plain number.
    #[error("`{fact}` is a plain number without a unit, but `{unit}` is written here")]
    #[diagnostic(code(E217))]
    UnexpectedUnit {
        /// The fact's name.
        fact: String,
        /// The unit written.
        unit: String,
        /// The unit.
        #[label("unit on a plain number")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// An ordering comparison on a fact without order.
    #[error("`{op}` cannot compare `{fact}`, which is {fact_kind}")]
    #[diagnostic(code(E218))]
    OperatorNotAllowed {
        /// The operator.
        op: String,
        /// The fact's name.
        fact: String,
        /// What the fact holds, in words.
        fact_kind: String,
        /// The operator.
        #[label("no order between values of `{fact}`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A test on a free-text fact.
    #[error("`{fact}` is free text, which conditions cannot test")]
    #[diagnostic(
        code(E219),
        help("declare the fact as `one of ...` with the codes the rules need, and test those")
    )]
    TextNotComparable {
        /// The fact's name.
        fact: String,
        /// The test.
        #[label("a test on free text")]
        span: Span,
    },

    /// A certainty on a conclusion that is not a diagnosis.
    #[error("only `suspect` and `exclude` conclusions have a certainty")]
    #[diagnostic(
        code(E220),
        help("delete the certainty, or use `urgency` to say how pressing this conclusion is")
    )]
    CertaintyNotDiagnosis {
        /// The certainty.
        #[label("`{verb}` conclusions have no certainty")]
        span: Span,
        /// The conclusion's verb.
        verb: String,
    },

    /// An interval on a conclusion that is not a follow-up.
    #[error("only `follow up` conclusions have an interval")]
    #[diagnostic(
        code(E221),
        help("delete the interval, or make the conclusion a `follow up`")
    )]
    IntervalNotFollowUp {
        /// The interval.
        #[label("`{verb}` conclusions have no interval")]
        span: Span,
        /// The conclusion's verb.
        verb: String,
    },

    /// A number too large or too precise to hold exactly.
    #[error("`{number}` is too large or has too many digits")]
    #[diagnostic(
        code(E222),
        help(
            "numbers are held exactly with up to 36 digits; write the value in a larger or smaller unit"
        )
    )]
    NumberOutOfRange {
        /// The number as written.
        number: String,
        /// Where it was written.
        #[label("cannot be held exactly")]
        span: Span,
    },

    /// A value used as a condition that is not yes/no.
    #[error("`{fact}` is {fact_kind}, so on its own it is not a condition")]
    #[diagnostic(code(E223))]
    NotYesNo {
        /// The fact's name.
        fact: String,
        /// What the fact holds, in words.
        fact_kind: String,
        /// Where it was used.
        #[label("needs a comparison")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A follow-up interval in a unit that is not a time.
    #[error("`{unit}` is {dimension}, but a follow-up interval is a time")]
    #[diagnostic(
        code(E224),
        help("write the interval in days, weeks, months or years, such as `every 6 months`")
    )]
    IntervalNotTime {
        /// The unit as written.
        unit: String,
        /// What the unit measures.
        dimension: String,
        /// The unit.
        #[label("{dimension}")]
        span: Span,
        /// The conclusion's verb.
        #[label("this follow-up")]
        verb: Span,
    },

    /// Two declarations share a name.
    #[error("`{name}` names two things: a {first_kind} and a {second_kind}")]
    #[diagnostic(
        code(E225),
        help(
            "facts, derived values, scores and differentials share one set of names; rename one of them"
        )
    )]
    DuplicateName {
        /// The name.
        name: String,
        /// What the first declaration is.
        first_kind: String,
        /// What the second declaration is.
        second_kind: String,
        /// The second declaration.
        #[label("the {second_kind}")]
        span: Span,
        /// The first declaration.
        #[label("the {first_kind}")]
        first: Span,
    },

    /// Derived values, scores or differentials that depend on themselves.
    #[error("`{name}` depends on itself: {cycle}")]
    #[diagnostic(
        code(E226),
        help(
            "a value cannot be computed from itself; break the cycle by computing one of them from facts alone"
        )
    )]
    Cycle {
        /// The first name of the cycle.
        name: String,
        /// The whole cycle, as `a` → `b` → `a`.
        cycle: String,
        /// Each step of the cycle, where one uses the next.
        #[label(collection)]
        steps: Vec<miette::LabeledSpan>,
    },

    /// A candidate status word that does not exist.
    #[error("`{found}` is not a candidate status")]
    #[diagnostic(code(E227))]
    UnknownCandidateStatus {
        /// The word as written.
        found: String,
        /// Where it was written.
        #[label("expected `suspected`, `likely`, `possible`, `unlikely` or `excluded`")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// `for` or `against` outside a candidate's status rules.
    #[error(
        "`{word}` counts a candidate's arguments, so it only has a meaning in its status rules"
    )]
    #[diagnostic(
        code(E228),
        help("use `for` and `against` in lines such as `suspected when for >= 2 and against = 0`")
    )]
    TallyOutsideStatus {
        /// `for` or `against`.
        word: String,
        /// Where it was written.
        #[label("not in a status rule")]
        span: Span,
    },

    /// A range without saying whether its ends are included.
    #[error("say whether the ends of this range are included")]
    #[diagnostic(code(E229))]
    BetweenInclusivity {
        /// The range.
        #[label("is the end a value inside or outside the range?")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A substance-specific conversion that cannot be used.
    #[error("{message}")]
    #[diagnostic(code(E230))]
    BadConversion {
        /// What is wrong.
        message: String,
        /// The conversion.
        #[label("this conversion")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// An age derived from something other than a date.
    #[error("{message}")]
    #[diagnostic(code(E231))]
    BadDerivedFrom {
        /// What is wrong.
        message: String,
        /// The option.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// Arithmetic on values that do not combine.
    #[error("{message}")]
    #[diagnostic(code(E232))]
    BadArithmetic {
        /// What is wrong.
        message: String,
        /// The operator.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A threshold in a second unit that cannot be used.
    #[error("{message}")]
    #[diagnostic(code(E233))]
    BadAlternative {
        /// What is wrong.
        message: String,
        /// The second threshold.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A score band whose lower end is above its upper end.
    #[error("the band `{id}` starts above where it ends")]
    #[diagnostic(code(E235), help("write the lower total first: `from 4 to 6`"))]
    BandRange {
        /// The band.
        id: String,
        /// Its range.
        #[label("empty range")]
        span: Span,
    },

    /// Two criteria, bands, candidates or arguments with one identifier.
    #[error("there are two {whats} called `{id}`")]
    #[diagnostic(code(E236), help("give each {what} its own identifier"))]
    DuplicateMember {
        /// What kind of member.
        what: String,
        /// The plural of `what`.
        whats: String,
        /// The identifier.
        id: String,
        /// The second one.
        #[label("second {what} `{id}`")]
        span: Span,
        /// The first one.
        #[label("first {what} `{id}`")]
        first: Span,
    },

    /// A count that cannot hold, or is not a whole number.
    #[error("{message}")]
    #[diagnostic(code(E237))]
    ImpossibleCount {
        /// What is wrong.
        message: String,
        /// The count.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A display unit that does not fit the derived value.
    #[error("`{unit}` is {unit_dimension}, but the value is {value_kind}")]
    #[diagnostic(
        code(E238),
        help("show the value in a unit of its own dimension, or delete `in {unit}`")
    )]
    BadDisplayUnit {
        /// The unit as written.
        unit: String,
        /// What the unit measures.
        unit_dimension: String,
        /// What the value is.
        value_kind: String,
        /// The unit.
        #[label("{unit_dimension}")]
        span: Span,
    },

    /// A conclusion kept from patients that has patient text.
    #[error("this conclusion is for clinicians only, but it has a text for patients")]
    #[diagnostic(
        code(E239),
        help(
            "delete `clinicians only` to show the patient text in the patient report, or delete the `patient` text"
        )
    )]
    PatientTextForCliniciansOnly {
        /// `clinicians only`.
        #[label("kept from patients here")]
        only: Span,
        /// The patient text.
        #[label("but written for patients here")]
        patient: Span,
    },

    /// A plausible range on a fact whose values have no order.
    #[error("a plausible range needs values in order, but this fact is {fact_type}")]
    #[diagnostic(
        code(E240),
        help(
            "delete the range: a yes/no answer, a code or a text is checked against its declaration already; a range fits a number, a measurement, an age or a date"
        )
    )]
    PlausibleWithoutOrder {
        /// The range.
        #[label("this range")]
        span: Span,
        /// The fact's type.
        #[label("this fact is {fact_type}")]
        type_span: Span,
        /// The fact's type in words.
        fact_type: String,
    },

    /// A plausible range whose lowest value is above its highest.
    #[error("the plausible range of `{fact}` starts at {low}, above where it ends, {high}")]
    #[diagnostic(
        code(E241),
        help("write the lowest value first: `plausible from {high} to {low}`")
    )]
    PlausibleReversed {
        /// The fact.
        fact: String,
        /// The lowest value as written.
        low: String,
        /// The highest value as written.
        high: String,
        /// The range.
        #[label("no value can lie in this range")]
        span: Span,
    },

    /// A table keyed by something that is neither a plain number nor a code.
    #[error("`{name}` is looked up by `{key}`, which is {kind}")]
    #[diagnostic(
        code(E242),
        help(
            "key a table by a plain number, such as a score's total or a count, or by a code, such as a band or a `one of` fact; for a measurement, key it by a derived yes/no value or code instead"
        )
    )]
    TableKey {
        /// The table's derived value.
        name: String,
        /// The key as written.
        key: String,
        /// What the key is, in words.
        kind: String,
        /// The key.
        #[label("not a plain number or a code")]
        span: Span,
    },

    /// A row whose key does not fit the table's key.
    #[error("this row gives {row_kind}, but `{key}` is {key_kind}")]
    #[diagnostic(code(E243))]
    TableRowKind {
        /// The key as written.
        key: String,
        /// What the row's key is, in words.
        row_kind: String,
        /// What the table's key is, in words.
        key_kind: String,
        /// The row's key.
        #[label("this row")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// Two rows of a table that share a key.
    #[error("the rows of `{name}` overlap: {shared} falls in both")]
    #[diagnostic(
        code(E244),
        help(
            "a key should fall in one row: make one row end where the next begins, such as `from 0 to 3` and `from 4 to 6`, and list each code once"
        )
    )]
    TableRowsOverlap {
        /// The table's derived value.
        name: String,
        /// The shared key, in words.
        shared: String,
        /// The later row.
        #[label("this row")]
        span: Span,
        /// The earlier row.
        #[label("overlaps this one")]
        first: Span,
    },

    /// Rows that give values of different kinds, or some rows no value.
    #[error("this row of `{name}` gives {found}, where the first row gives {first_kind}")]
    #[diagnostic(
        code(E245),
        help(
            "give every row a value of one kind, such as `gives 1.7 %` in each, or give no row a value and keep the texts"
        )
    )]
    TableValues {
        /// The table's derived value.
        name: String,
        /// What this row gives, in words.
        found: String,
        /// What the first row gives, in words.
        first_kind: String,
        /// This row.
        #[label("this row")]
        span: Span,
        /// The first row.
        #[label("the first row")]
        first: Span,
    },

    /// A rounding that cannot be done.
    #[error("{message}")]
    #[diagnostic(code(E246))]
    BadRounding {
        /// What is wrong, in words.
        message: String,
        /// Where.
        #[label("{label}")]
        span: Span,
        /// What the label says.
        label: String,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A `set aside` condition that reads more than other facts.
    #[error("{message}")]
    #[diagnostic(
        code(E247),
        help(
            "test the facts that describe the sample or the measurement, such as `set aside when lab.haemolysed because \"...\"`"
        )
    )]
    BadSetAside {
        /// What is wrong, in words.
        message: String,
        /// Where.
        #[label("read here")]
        span: Span,
    },

    /// A rule set's population that reads a computed value.
    #[error(
        "whom a rule set applies to is decided from the facts alone, but `{name}` is computed from the case"
    )]
    #[diagnostic(
        code(E248),
        help(
            "test the facts that describe the population, such as `applies \"Adults\" when age >= 18 years`; a score's own population may read computed values"
        )
    )]
    BadPopulation {
        /// What is read, as written.
        name: String,
        /// Where.
        #[label("computed here")]
        span: Span,
    },

    /// Two bands of a score that share a total.
    #[error("the bands `{first}` and `{second}` overlap: {shared} in both")]
    #[diagnostic(
        code(W205),
        severity(Warning),
        help(
            "a total should fall in one band: make one band end where the next begins, such as `from 0 to 3` and `from 4 to 6`"
        )
    )]
    OverlappingBands {
        /// The first band.
        first: String,
        /// The second band.
        second: String,
        /// The totals both cover, in words.
        shared: String,
        /// The first band.
        #[label("this band")]
        first_span: Span,
        /// The second band.
        #[label("overlaps this one")]
        second_span: Span,
    },

    /// A total a score can reach that no band covers: between two bands,
    /// below the lowest or above the highest.
    #[error("the score `{score}` can reach a total of {total}, which no band covers")]
    #[diagnostic(
        code(W206),
        severity(Warning),
        help(
            "extend a band to cover {total}, or add a band for it; otherwise the band of a patient with that total is unknown, and every rule that tests the band is undetermined for them"
        )
    )]
    BandGap {
        /// The score.
        score: String,
        /// The first uncovered total.
        total: String,
        /// The score.
        #[label("{total} falls in no band")]
        span: Span,
    },

    /// An approved rule set without a review date.
    #[error("the rule set is approved but has no review date")]
    #[diagnostic(
        code(W207),
        severity(Warning),
        help("add `reviewed YYYY-MM-DD` with the date of the clinical review that approved it")
    )]
    ApprovedWithoutReview {
        /// The status.
        #[label("approved")]
        span: Span,
    },

    /// A conclusion of an approved rule set that cites nothing.
    #[error("the conclusion `{id}` cites no reference, but the rule set is approved")]
    #[diagnostic(
        code(W208),
        severity(Warning),
        help(
            "add `cite <reference>` to the conclusion or its rule, so a reviewer can check it against the literature"
        )
    )]
    UncitedConclusion {
        /// The conclusion.
        id: String,
        /// The conclusion.
        #[label("no citation")]
        span: Span,
        /// The status.
        #[label("approved here")]
        status: Span,
    },

    /// A reference that nothing cites.
    #[error("the reference `{id}` is never cited")]
    #[diagnostic(
        code(W201),
        severity(Warning),
        help("cite it with `cite {id}` where it supports a statement, or delete it")
    )]
    UnusedReference {
        /// The identifier.
        id: String,
        /// The reference.
        #[label("not cited anywhere")]
        span: Span,
    },

    /// A fact that no rule uses.
    #[error("the fact `{name}` is never used")]
    #[diagnostic(
        code(W202),
        severity(Warning),
        help("use it in a condition, or delete the declaration")
    )]
    UnusedFact {
        /// The name.
        name: String,
        /// The declaration.
        #[label("no rule tests this fact")]
        span: Span,
    },

    /// A derived value that nothing uses.
    #[error("the derived value `{name}` is never used")]
    #[diagnostic(
        code(W204),
        severity(Warning),
        help("use it in a condition, a score or a differential, or delete it")
    )]
    UnusedDerived {
        /// The name.
        name: String,
        /// The declaration.
        #[label("nothing uses this value")]
        span: Span,
    },

    /// A reference a reader cannot look up.
    #[error("the reference `{id}` has no PMID, DOI or URL")]
    #[diagnostic(
        code(W203),
        severity(Warning),
        help("add `pmid <number>`, `doi \"...\"` or `url \"...\"` so that readers can find it")
    )]
    ReferenceWithoutLink {
        /// The identifier.
        id: String,
        /// The reference.
        #[label("cannot be looked up")]
        span: Span,
    },
}

impl CheckError {
    /// Whether this is a warning rather than an error.
    pub fn is_warning(&self) -> bool {
        miette::Diagnostic::severity(self) == Some(miette::Severity::Warning)
    }
}
