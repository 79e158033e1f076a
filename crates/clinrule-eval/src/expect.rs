//! Expectations: what an editor says a test case must give.
//!
//! A case may carry an `expect` object (see docs/case-format.md). It is read
//! against the rule set like the rest of the case, so that a misspelt
//! conclusion, rule, score or fact is an error with a suggestion rather than
//! a test that silently checks nothing; it is then compared with an
//! evaluation, and every difference is reported with where the expectation
//! is written.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{CANDIDATE_STATUSES, FactIndex};
use clinrule_check::number::Rational;
use clinrule_syntax::Span;
use clinrule_syntax::suggest::did_you_mean;

use crate::evaluate::{Evaluation, RuleStatus};
use crate::json::{JsonNode, JsonValue};
use crate::value::Truth;

/// The keys an `expect` object may hold.
const KEYS: [&str; 6] = [
    "conclusions",
    "no_conclusions",
    "rules",
    "scores",
    "differentials",
    "needs",
];

/// The keys of a score's expectation.
const SCORE_KEYS: [&str; 6] = ["applicable", "total", "min", "max", "band", "missing"];

/// A problem in a test case's expectations. Codes `E32x`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ExpectError {
    /// A key the expectations do not have.
    #[error("`{key}` is not something a test can expect")]
    #[diagnostic(code(E321))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// Where.
        #[label("not an expectation")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A conclusion, rule, score, band, candidate or fact the rule set does not have.
    #[error("the rule set has no {what} `{name}`")]
    #[diagnostic(code(E322))]
    UnknownName {
        /// "conclusion", "rule" ...
        what: &'static str,
        /// The name as written.
        name: String,
        /// Where.
        #[label("no {what} of this name")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A value of the wrong shape, or a status that does not exist.
    #[error("{message}")]
    #[diagnostic(code(E323))]
    BadValue {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// A proposed fix.
        #[help]
        help: String,
    },

    /// A test case that expects nothing, and so tests nothing.
    #[error("this test case has no `expect`, so it tests nothing")]
    #[diagnostic(
        code(E324),
        help("add what the case must give, such as `\"expect\": {{\"conclusions\": [\"...\"]}}`")
    )]
    NoExpectations {
        /// The start of the case.
        #[label("no expectations")]
        span: Span,
    },
}

impl ExpectError {
    /// Where the problem is.
    pub fn span(&self) -> Span {
        match self {
            ExpectError::UnknownKey { span, .. }
            | ExpectError::UnknownName { span, .. }
            | ExpectError::BadValue { span, .. }
            | ExpectError::NoExpectations { span } => *span,
        }
    }
}

/// One thing a score is expected to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreExpectation {
    /// Whether the score applies to the patient: `true`, `false`, or `null`
    /// for not known yet.
    Applicable(Truth),
    /// The total, or `None` for a range or a score that does not apply.
    Total(Option<Rational>),
    /// The lowest total the case allows.
    Min(Rational),
    /// The highest total the case allows.
    Max(Rational),
    /// The band, by position, or `None` for no band.
    Band(Option<usize>),
    /// The missing facts that could change it, in any order.
    Missing(Vec<FactIndex>),
}

/// One expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// This conclusion is reached.
    Reached(String),
    /// This conclusion is not reached.
    NotReached(String),
    /// This rule has this status.
    Rule(usize, RuleStatus),
    /// This score is so.
    Score(usize, ScoreExpectation),
    /// This candidate has this status (`None`: undecided).
    Candidate(usize, usize, Option<usize>),
    /// This fact is among the needs.
    Need(FactIndex),
}

/// One expectation with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// What is expected.
    pub expected: Expected,
    /// Where.
    pub span: Span,
}

/// An expectation the evaluation does not meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Where the expectation is written.
    pub span: Span,
    /// Expected against actual, in words.
    pub message: String,
    /// The rules whose trace explains the difference, by position.
    pub rules: Vec<usize>,
}

fn suggestion<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    match did_you_mean(name, known.iter().copied()) {
        Some(nearest) => format!("did you mean `{nearest}`?"),
        None if known.is_empty() => "the rule set has none".to_owned(),
        None => {
            let mut listed = known;
            listed.sort_unstable();
            listed.dedup();
            if listed.len() > 12 {
                listed.truncate(12);
                format!("the names include: {} ...", listed.join(", "))
            } else {
                format!("the names are: {}", listed.join(", "))
            }
        }
    }
}

struct Reader<'a> {
    rule_set: &'a CheckedRuleSet,
    errors: Vec<ExpectError>,
    expectations: Vec<Expectation>,
}

impl Reader<'_> {
    fn bad(&mut self, message: String, span: Span, help: &str) {
        self.errors.push(ExpectError::BadValue {
            message,
            span,
            help: help.to_owned(),
        });
    }

    fn strings<'n>(&mut self, node: &'n JsonNode, what: &str) -> Vec<(&'n str, Span)> {
        let JsonValue::Array(items) = &node.value else {
            self.bad(
                format!("{what} is a list, but this is {}", node.value.describe()),
                node.span,
                "write a list of names, such as `[\"lead_poisoning\"]`",
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match &item.value {
                JsonValue::String(text) => Some((text.as_str(), item.span)),
                other => {
                    self.bad(
                        format!("{what} holds names, but this is {}", other.describe()),
                        item.span,
                        "write each name in double quotes",
                    );
                    None
                }
            })
            .collect()
    }

    fn entries<'n>(&mut self, node: &'n JsonNode, what: &str) -> &'n [(String, Span, JsonNode)] {
        match &node.value {
            JsonValue::Object(entries) => entries,
            other => {
                self.bad(
                    format!("{what} is an object, but this is {}", other.describe()),
                    node.span,
                    "write an object of names and what each is expected to be",
                );
                &[]
            }
        }
    }

    fn conclusion(&mut self, name: &str, span: Span) -> bool {
        let known = self.rule_set.rules().iter().any(|rule| {
            rule.conclusions
                .iter()
                .any(|conclusion| conclusion.id == name)
        });
        if !known {
            let help = suggestion(
                name,
                self.rule_set.rules().iter().flat_map(|rule| {
                    rule.conclusions
                        .iter()
                        .map(|conclusion| conclusion.id.as_str())
                }),
            );
            self.errors.push(ExpectError::UnknownName {
                what: "conclusion",
                name: name.to_owned(),
                span,
                help,
            });
        }
        known
    }

    fn fact(&mut self, name: &str, span: Span) -> Option<FactIndex> {
        let found = self.rule_set.fact_index(name);
        if found.is_none() {
            let help = suggestion(
                name,
                self.rule_set.facts().iter().map(|fact| fact.name.as_str()),
            );
            self.errors.push(ExpectError::UnknownName {
                what: "fact",
                name: name.to_owned(),
                span,
                help,
            });
        }
        found
    }

    fn number(&mut self, node: &JsonNode, what: &str) -> Option<Rational> {
        match &node.value {
            JsonValue::Number(text) => Rational::parse_decimal(text).ok().or_else(|| {
                self.bad(
                    format!("`{text}` cannot be held exactly"),
                    node.span,
                    "write the number with fewer digits",
                );
                None
            }),
            other => {
                self.bad(
                    format!("{what} is a number, but this is {}", other.describe()),
                    node.span,
                    "write a number, such as `4`",
                );
                None
            }
        }
    }

    fn push(&mut self, expected: Expected, span: Span) {
        self.expectations.push(Expectation { expected, span });
    }

    fn read(&mut self, node: &JsonNode) {
        let JsonValue::Object(entries) = &node.value else {
            self.bad(
                format!(
                    "`expect` is an object, but this is {}",
                    node.value.describe()
                ),
                node.span,
                "write `\"expect\": {\"conclusions\": [\"...\"]}`",
            );
            return;
        };
        for (key, key_span, value) in entries {
            match key.as_str() {
                "conclusions" | "no_conclusions" => {
                    for (name, span) in self.strings(value, &format!("`{key}`")) {
                        if self.conclusion(name, span) {
                            let expected = if key == "conclusions" {
                                Expected::Reached(name.to_owned())
                            } else {
                                Expected::NotReached(name.to_owned())
                            };
                            self.push(expected, span);
                        }
                    }
                }
                "needs" => {
                    for (name, span) in self.strings(value, "`needs`") {
                        if let Some(fact) = self.fact(name, span) {
                            self.push(Expected::Need(fact), span);
                        }
                    }
                }
                "rules" => {
                    for (name, span, status) in self.entries(value, "`rules`") {
                        let Some(rule) = self
                            .rule_set
                            .rules()
                            .iter()
                            .position(|rule| rule.id == *name)
                        else {
                            let help = suggestion(
                                name,
                                self.rule_set.rules().iter().map(|rule| rule.id.as_str()),
                            );
                            self.errors.push(ExpectError::UnknownName {
                                what: "rule",
                                name: name.clone(),
                                span: *span,
                                help,
                            });
                            continue;
                        };
                        let word = match &status.value {
                            JsonValue::String(word) => word.as_str(),
                            _ => "",
                        };
                        let status_value = match word {
                            "fired" => RuleStatus::Fired,
                            "not_fired" => RuleStatus::NotFired,
                            "undetermined" => RuleStatus::Undetermined,
                            _ => {
                                self.bad(
                                    format!("a rule's status is `fired`, `not_fired` or `undetermined`, but this is {}", status.value.describe_value()),
                                    status.span,
                                    "write one of \"fired\", \"not_fired\", \"undetermined\"",
                                );
                                continue;
                            }
                        };
                        self.push(Expected::Rule(rule, status_value), status.span);
                    }
                }
                "scores" => {
                    for (name, span, wanted) in self.entries(value, "`scores`") {
                        let Some(score) = self
                            .rule_set
                            .scores()
                            .iter()
                            .position(|score| score.id == *name)
                        else {
                            let help = suggestion(
                                name,
                                self.rule_set.scores().iter().map(|score| score.id.as_str()),
                            );
                            self.errors.push(ExpectError::UnknownName {
                                what: "score",
                                name: name.clone(),
                                span: *span,
                                help,
                            });
                            continue;
                        };
                        for (field, field_span, field_value) in
                            self.entries(wanted, "a score's expectation")
                        {
                            let expectation = match field.as_str() {
                                "applicable" => match &field_value.value {
                                    JsonValue::Bool(answer) => Some(ScoreExpectation::Applicable(
                                        Truth::from_bool(*answer),
                                    )),
                                    JsonValue::Null => {
                                        Some(ScoreExpectation::Applicable(Truth::Unknown))
                                    }
                                    other => {
                                        self.bad(
                                            format!("`applicable` is true, false or null, but this is {}", other.describe()),
                                            field_value.span,
                                            "write true, false, or null for not known yet",
                                        );
                                        None
                                    }
                                },
                                "total" if field_value.value == JsonValue::Null => {
                                    Some(ScoreExpectation::Total(None))
                                }
                                "total" => self
                                    .number(field_value, "`total`")
                                    .map(|total| ScoreExpectation::Total(Some(total))),
                                "min" => {
                                    self.number(field_value, "`min`").map(ScoreExpectation::Min)
                                }
                                "max" => {
                                    self.number(field_value, "`max`").map(ScoreExpectation::Max)
                                }
                                "band" => match &field_value.value {
                                    JsonValue::Null => Some(ScoreExpectation::Band(None)),
                                    JsonValue::String(band) => {
                                        let bands = self
                                            .rule_set
                                            .scores()
                                            .get(score)
                                            .map_or(&[][..], |score| &score.bands[..]);
                                        match bands.iter().position(|known| known.id == *band) {
                                            Some(found) => {
                                                Some(ScoreExpectation::Band(Some(found)))
                                            }
                                            None => {
                                                let help = suggestion(
                                                    band,
                                                    bands.iter().map(|known| known.id.as_str()),
                                                );
                                                self.errors.push(ExpectError::UnknownName {
                                                    what: "band",
                                                    name: band.clone(),
                                                    span: field_value.span,
                                                    help,
                                                });
                                                None
                                            }
                                        }
                                    }
                                    other => {
                                        self.bad(
                                            format!("`band` is a band's name or null, but this is {}", other.describe()),
                                            field_value.span,
                                            "write the band's name in double quotes, or null for no band",
                                        );
                                        None
                                    }
                                },
                                "missing" => {
                                    let names = self.strings(field_value, "`missing`");
                                    let facts: Vec<FactIndex> = names
                                        .into_iter()
                                        .filter_map(|(name, span)| self.fact(name, span))
                                        .collect();
                                    Some(ScoreExpectation::Missing(facts))
                                }
                                other => {
                                    let help = match did_you_mean(other, SCORE_KEYS) {
                                        Some(nearest) => format!("did you mean `{nearest}`?"),
                                        None => "a score's expectation has `applicable`, `total`, `min`, `max`, `band` and `missing`".to_owned(),
                                    };
                                    self.errors.push(ExpectError::UnknownKey {
                                        key: other.to_owned(),
                                        span: *field_span,
                                        help,
                                    });
                                    None
                                }
                            };
                            if let Some(expectation) = expectation {
                                self.push(Expected::Score(score, expectation), field_value.span);
                            }
                        }
                    }
                }
                "differentials" => {
                    for (name, span, status) in self.entries(value, "`differentials`") {
                        let found = name.split_once('.').and_then(|(differential, candidate)| {
                            let differential_index = self
                                .rule_set
                                .differentials()
                                .iter()
                                .position(|known| known.id == differential)?;
                            let candidate_index = self
                                .rule_set
                                .differentials()
                                .get(differential_index)?
                                .candidates
                                .iter()
                                .position(|known| known.id == candidate)?;
                            Some((differential_index, candidate_index))
                        });
                        let Some((differential, candidate)) = found else {
                            let known: Vec<String> = self
                                .rule_set
                                .differentials()
                                .iter()
                                .flat_map(|differential| {
                                    differential.candidates.iter().map(move |candidate| {
                                        format!("{}.{}", differential.id, candidate.id)
                                    })
                                })
                                .collect();
                            let help = suggestion(name, known.iter().map(String::as_str));
                            self.errors.push(ExpectError::UnknownName {
                                what: "candidate",
                                name: name.clone(),
                                span: *span,
                                help,
                            });
                            continue;
                        };
                        let expected = match &status.value {
                            JsonValue::Null => Some(None),
                            JsonValue::String(word) => CANDIDATE_STATUSES
                                .iter()
                                .position(|known| known == word)
                                .map(Some),
                            _ => None,
                        };
                        match expected {
                            Some(expected) => {
                                self.push(Expected::Candidate(differential, candidate, expected), status.span);
                            }
                            None => self.bad(
                                format!(
                                    "a candidate's status is one of {}, or null for undecided, but this is {}",
                                    CANDIDATE_STATUSES.join(", "),
                                    status.value.describe_value()
                                ),
                                status.span,
                                "write one of the statuses in double quotes, or null",
                            ),
                        }
                    }
                }
                other => {
                    let help = match did_you_mean(other, KEYS) {
                        Some(nearest) => format!("did you mean `{nearest}`?"),
                        None => format!("a test can expect: {}", KEYS.join(", ")),
                    };
                    self.errors.push(ExpectError::UnknownKey {
                        key: other.to_owned(),
                        span: *key_span,
                        help,
                    });
                }
            }
        }
    }
}

/// Reads a case's `expect` object against the rule set.
pub fn read_expectations(
    node: &JsonNode,
    rule_set: &CheckedRuleSet,
) -> Result<Vec<Expectation>, Vec<ExpectError>> {
    let mut reader = Reader {
        rule_set,
        errors: Vec::new(),
        expectations: Vec::new(),
    };
    reader.read(node);
    if reader.errors.is_empty() {
        Ok(reader.expectations)
    } else {
        Err(reader.errors)
    }
}

fn range_text(low: Rational, high: Rational) -> String {
    if low == high {
        low.to_string()
    } else {
        format!("{low} to {high}")
    }
}

/// Compares expectations with an evaluation; returns every difference.
pub fn check_expectations(
    expectations: &[Expectation],
    rule_set: &CheckedRuleSet,
    evaluation: &Evaluation,
) -> Vec<Failure> {
    let reached = |id: &str| {
        evaluation.conclusions.iter().any(|(rule, conclusion)| {
            rule_set
                .rules()
                .get(*rule)
                .and_then(|rule| rule.conclusions.get(*conclusion))
                .is_some_and(|conclusion| conclusion.id == id)
        })
    };
    let carrying = |id: &str| -> Vec<usize> {
        rule_set
            .rules()
            .iter()
            .enumerate()
            .filter(|(_, rule)| {
                rule.conclusions
                    .iter()
                    .any(|conclusion| conclusion.id == id)
            })
            .map(|(index, _)| index)
            .collect()
    };
    let fact_name = |fact: &FactIndex| {
        rule_set
            .facts()
            .get(*fact)
            .map_or_else(String::new, |fact| fact.name.clone())
    };
    let mut failures = Vec::new();
    for expectation in expectations {
        let failure = |message: String, rules: Vec<usize>| Failure {
            span: expectation.span,
            message,
            rules,
        };
        match &expectation.expected {
            Expected::Reached(id) if !reached(id) => failures.push(failure(
                format!("expected the conclusion `{id}`, which was not reached"),
                carrying(id),
            )),
            Expected::NotReached(id) if reached(id) => failures.push(failure(
                format!("the conclusion `{id}` was reached, and the test expects it not to be"),
                carrying(id),
            )),
            Expected::Rule(rule, status) => {
                let actual = evaluation.rules.get(*rule).map(|outcome| outcome.status);
                if actual != Some(*status) {
                    let id = rule_set
                        .rules()
                        .get(*rule)
                        .map_or("", |rule| rule.id.as_str());
                    let expected_words = match status {
                        RuleStatus::Fired => "to fire",
                        RuleStatus::NotFired => "not to fire",
                        RuleStatus::Undetermined => "to be undetermined",
                    };
                    let actual_words = match actual {
                        Some(RuleStatus::Fired) => "fired",
                        Some(RuleStatus::NotFired) => "did not fire",
                        Some(RuleStatus::Undetermined) => "was undetermined",
                        None => "was not evaluated",
                    };
                    failures.push(failure(
                        format!("expected the rule `{id}` {expected_words}, but it {actual_words}"),
                        vec![*rule],
                    ));
                }
            }
            Expected::Score(score, expected) => {
                let (Some(definition), Some(outcome)) =
                    (rule_set.scores().get(*score), evaluation.scores.get(*score))
                else {
                    continue;
                };
                let band_name = |band: Option<usize>| {
                    band.and_then(|band| definition.bands.get(band))
                        .map_or_else(
                            || "no band".to_owned(),
                            |band| format!("band `{}`", band.id),
                        )
                };
                let mismatch = match expected {
                    ScoreExpectation::Applicable(applicable) => (outcome.applicable != *applicable)
                        .then(|| {
                            let words = |truth: Truth| match truth {
                                Truth::True => "to apply",
                                Truth::False => "not to apply",
                                Truth::Unknown => "to be not known yet whether it applies",
                            };
                            format!(
                                "expected {} {}, but it was {}",
                                definition.id,
                                words(*applicable),
                                match outcome.applicable {
                                    Truth::True => "applicable",
                                    Truth::False => "not applicable",
                                    Truth::Unknown => "not known yet whether it applies",
                                }
                            )
                        }),
                    ScoreExpectation::Total(total) => {
                        // A score that does not apply, or may not, has no total.
                        let actual = (outcome.low == outcome.high
                            && outcome.applicable == Truth::True)
                            .then_some(outcome.low);
                        (actual != *total).then(|| {
                            format!(
                                "expected {} total {}, got {}",
                                definition.id,
                                total.map_or_else(
                                    || "a range (null)".to_owned(),
                                    |total| total.to_string()
                                ),
                                range_text(outcome.low, outcome.high)
                            )
                        })
                    }
                    ScoreExpectation::Min(min) => (outcome.low != *min).then(|| {
                        format!(
                            "expected {} at least {min}, got {}",
                            definition.id,
                            range_text(outcome.low, outcome.high)
                        )
                    }),
                    ScoreExpectation::Max(max) => (outcome.high != *max).then(|| {
                        format!(
                            "expected {} at most {max}, got {}",
                            definition.id,
                            range_text(outcome.low, outcome.high)
                        )
                    }),
                    ScoreExpectation::Band(band) => (outcome.band != *band).then(|| {
                        format!(
                            "expected {} in {}, got {} (total {})",
                            definition.id,
                            band_name(*band),
                            band_name(outcome.band),
                            range_text(outcome.low, outcome.high)
                        )
                    }),
                    ScoreExpectation::Missing(facts) => {
                        let mut expected_facts = facts.clone();
                        expected_facts.sort_unstable();
                        let mut actual = outcome.missing.clone();
                        actual.sort_unstable();
                        (expected_facts != actual).then(|| {
                            format!(
                                "expected {} to miss [{}], got [{}]",
                                definition.id,
                                expected_facts
                                    .iter()
                                    .map(fact_name)
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                actual.iter().map(fact_name).collect::<Vec<_>>().join(", ")
                            )
                        })
                    }
                };
                if let Some(message) = mismatch {
                    failures.push(failure(message, Vec::new()));
                }
            }
            Expected::Candidate(differential, candidate, status) => {
                let actual = evaluation
                    .differentials
                    .get(*differential)
                    .and_then(|outcome| outcome.candidates.get(*candidate))
                    .and_then(|outcome| outcome.status);
                if actual != *status {
                    let word = |status: Option<usize>| {
                        status
                            .and_then(|status| CANDIDATE_STATUSES.get(status))
                            .map_or("undecided", |word| word)
                    };
                    let name = rule_set
                        .differentials()
                        .get(*differential)
                        .and_then(|known| {
                            Some(format!(
                                "{}.{}",
                                known.id,
                                known.candidates.get(*candidate)?.id
                            ))
                        })
                        .unwrap_or_default();
                    failures.push(failure(
                        format!("expected `{name}` {}, got {}", word(*status), word(actual)),
                        Vec::new(),
                    ));
                }
            }
            Expected::Need(fact) => {
                if !evaluation.needs.iter().any(|need| need.fact == *fact) {
                    let listed: Vec<String> = evaluation
                        .needs
                        .iter()
                        .map(|need| fact_name(&need.fact))
                        .collect();
                    failures.push(failure(
                        format!(
                            "expected `{}` among the needs, which are [{}]",
                            fact_name(fact),
                            listed.join(", ")
                        ),
                        Vec::new(),
                    ));
                }
            }
            Expected::Reached(_) | Expected::NotReached(_) => {}
        }
    }
    failures
}
