//! Patient cases: reading a case file against a checked rule set.
//!
//! A case is a JSON object with an optional `id` and `description` and a
//! `facts` object that gives values by fact name. Every value is checked
//! against its fact's declaration; a case with any problem is refused with
//! every problem listed. The format is documented in `docs/case-format.md`.

use std::collections::HashMap;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{FactIndex, FactType};
use clinrule_check::number::{NumberProblem, Rational};
use clinrule_check::units::{Dimension, Unit, parse_unit_often_used, to_base};
use clinrule_syntax::Span;
use clinrule_syntax::ast::Date;
use clinrule_syntax::suggest::did_you_mean;

use crate::error::EvalError;
use crate::json::{JsonNode, JsonValue, parse_json};

/// A patient case, read and checked against one rule set.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case's identifier, if it gives one.
    pub id: Option<String>,
    /// A description for readers.
    pub description: Option<String>,
    /// The date the case describes: ages derived from birth dates and
    /// `within ... before as_of` are counted to it.
    pub as_of: Option<Date>,
    /// One slot per declared fact, in declaration order.
    pub slots: Vec<Slot>,
    /// What an editor expects of this case, for tests: kept as written and
    /// not used by evaluation (see `docs/case-format.md`).
    pub expect: Option<JsonNode>,
}

/// What a case says about one fact.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// The case does not mention the fact.
    Absent,
    /// The case says the value is unknown (`null`).
    Unknown,
    /// The case gives a value.
    Given(Value),
    /// The case gives a value that the rule set sets aside (`set aside
    /// when ...`): it is treated as missing.
    SetAside {
        /// The value given.
        value: Value,
        /// Which of the fact's `set aside` conditions, by position.
        by: usize,
        /// Whether the condition holds; `false` while it is not known yet,
        /// and the value waits on the facts that would decide it.
        certain: bool,
        /// While the condition is not known: the missing facts it reads.
        waiting_on: Vec<usize>,
    },
}

/// A value given by a case, typed by its fact.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The value.
    pub kind: ValueKind,
    /// The value as the case wrote it, with its unit: `12 ug/dL`, `18 months`, `yes`.
    pub display: String,
}

/// The typed content of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// Yes or no.
    YesNo(bool),
    /// A plain number.
    Number(Rational),
    /// A quantity or age in base units (grams, metres, seconds, moles ...)
    /// of the fact's dimension, with the unit the case gave it in.
    Quantity {
        /// The value in base units.
        base: Rational,
        /// The unit the case wrote; a threshold written in this unit is used as written.
        unit: Unit,
    },
    /// A date, or the range of days a partial date (`2024-05`, `2024`) allows.
    Date {
        /// The earliest day.
        low: Date,
        /// The latest day; the same as `low` for a full date.
        high: Date,
    },
    /// A code, by its position in the fact's set.
    Code(usize),
    /// Free text.
    Text(String),
}

impl Case {
    /// Reads a case from JSON text, checking every value against `rule_set`,
    /// before any value is set aside: [`Case::from_json`] does both.
    /// Returns every problem found when the case cannot be used.
    pub(crate) fn read_json(text: &str, rule_set: &CheckedRuleSet) -> Result<Case, Vec<EvalError>> {
        let root = parse_json(text).map_err(|problem| {
            vec![EvalError::InvalidJson {
                message: problem.message,
                span: problem.span,
            }]
        })?;
        let mut reader = CaseReader {
            rule_set,
            errors: Vec::new(),
        };
        let case = reader.case(&root);
        reader.check_as_of(&case, &root);
        reader.check_plausible(&case, &root);
        if reader.errors.is_empty() {
            Ok(case)
        } else {
            // In the order of the case file, as an editor reads it.
            reader.errors.sort_by_key(|error| error.span().start);
            Err(reader.errors)
        }
    }

    /// An empty case: every fact absent.
    pub fn empty(rule_set: &CheckedRuleSet) -> Case {
        Case {
            id: None,
            description: None,
            as_of: None,
            slots: vec![Slot::Absent; rule_set.facts().len()],
            expect: None,
        }
    }
}

struct CaseReader<'rules> {
    rule_set: &'rules CheckedRuleSet,
    errors: Vec<EvalError>,
}

/// The fields a case may have.
const CASE_FIELDS: [&str; 5] = ["id", "description", "as_of", "facts", "expect"];

/// A fact's entry in a case: where its key is written, and its value.
fn fact_entry<'root>(root: &'root JsonNode, name: &str) -> Option<(Span, &'root JsonNode)> {
    let JsonValue::Object(entries) = &root.value else {
        return None;
    };
    let (_, _, facts) = entries.iter().find(|(key, _, _)| key == "facts")?;
    let JsonValue::Object(facts) = &facts.value else {
        return None;
    };
    facts
        .iter()
        .find(|(key, _, _)| key == name)
        .map(|(_, span, value)| (*span, value))
}

/// Where a case names a fact: the key under `facts`.
fn fact_key_span(root: &JsonNode, name: &str) -> Option<Span> {
    fact_entry(root, name).map(|(span, _)| span)
}

/// Where a case gives a fact's value.
fn fact_value_span(root: &JsonNode, name: &str) -> Option<Span> {
    fact_entry(root, name).map(|(_, value)| value.span)
}

/// Reads `YYYY-MM-DD`, or a partial date `YYYY-MM` or `YYYY`, as the range
/// of days it allows.
pub(crate) fn partial_date(text: &str) -> Option<(Date, Date)> {
    if let Some(date) = Date::parse(text) {
        return Some((date, date));
    }
    let digits = |part: &str, length: usize| {
        part.len() == length && part.bytes().all(|byte| byte.is_ascii_digit())
    };
    let mut parts = text.split('-');
    let year_text = parts.next()?;
    if !digits(year_text, 4) {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    match (parts.next(), parts.next()) {
        (None, _) => Some((Date::new(year, 1, 1)?, Date::new(year, 12, 31)?)),
        (Some(month_text), None) if digits(month_text, 2) => {
            let month: u8 = month_text.parse().ok()?;
            let first = Date::new(year, month, 1)?;
            let last = first.add_months(1)?.add_days(-1)?;
            Some((first, last))
        }
        _ => None,
    }
}

impl CaseReader<'_> {
    /// A value outside the range its fact declares plausible is refused:
    /// it would be evaluated as if a patient could have it.
    fn check_plausible(&mut self, case: &Case, root: &JsonNode) {
        for (fact, slot) in self.rule_set.facts().iter().zip(&case.slots) {
            let (Some(range), Slot::Given(value)) = (&fact.plausible, slot) else {
                continue;
            };
            let holds = match &value.kind {
                ValueKind::Number(number) => range.holds_number(*number),
                ValueKind::Quantity { base, .. } => range.holds_number(*base),
                ValueKind::Date { low, high } => range.holds_dates(*low, *high),
                ValueKind::YesNo(_) | ValueKind::Code(_) | ValueKind::Text(_) => true,
            };
            if holds {
                continue;
            }
            let span = fact_value_span(root, &fact.name)
                .unwrap_or(Span::new(root.span.start, root.span.start + 1));
            self.errors.push(EvalError::Implausible {
                value: value.display.clone(),
                fact: fact.name.clone(),
                range: range.text.clone(),
                span,
            });
        }
    }

    /// An age derived from a birth date, and a date the rules count to
    /// `as_of`, need the case's `as_of` date: without it they would be
    /// unknown with no missing fact to ask for.
    fn check_as_of(&mut self, case: &Case, root: &JsonNode) {
        if let Some(as_of) = case.as_of {
            // A birth after the date the case describes is impossible: the
            // age would be counted backwards.
            for fact in self.rule_set.facts() {
                let Some(birth) = fact.derived_from else {
                    continue;
                };
                if let Some(Slot::Given(value)) = case.slots.get(birth)
                    && let ValueKind::Date { low, .. } = value.kind
                    && low > as_of
                    && let Some(birth_fact) = self.rule_set.facts().get(birth)
                {
                    let birth_name = birth_fact.name.clone();
                    let span = fact_key_span(root, &birth_name)
                        .unwrap_or(Span::new(root.span.start, root.span.start + 1));
                    if !self.errors.iter().any(|error| error.span() == span) {
                        self.errors.push(EvalError::ImpossibleValue {
                            value: value.display.clone(),
                            fact: birth_name,
                            reason: format!("it is after the case's `as_of` date, {as_of}"),
                            span,
                        });
                    }
                }
            }
            return;
        }
        let case_start = Span::new(root.span.start, root.span.start + 1);
        let given = |index: usize| matches!(case.slots.get(index), Some(Slot::Given(_)));
        let name = |index: usize| {
            self.rule_set
                .facts()
                .get(index)
                .map(|fact| fact.name.clone())
                .unwrap_or_default()
        };
        let mut errors = Vec::new();
        for (index, fact) in self.rule_set.facts().iter().enumerate() {
            let Some(birth) = fact.derived_from else {
                continue;
            };
            if given(birth) && !given(index) {
                let birth_name = name(birth);
                errors.push(EvalError::MissingAsOf {
                    fact: fact.name.clone(),
                    span: fact_key_span(root, &birth_name).unwrap_or(case_start),
                    birth: birth_name,
                });
            }
        }
        let uses = self.rule_set.as_of_uses();
        if uses.always {
            errors.push(EvalError::AsOfNeeded {
                fact: None,
                span: case_start,
            });
        } else {
            for index in uses.facts.iter().copied().filter(|index| given(*index)) {
                let fact = name(index);
                errors.push(EvalError::AsOfNeeded {
                    span: fact_key_span(root, &fact).unwrap_or(case_start),
                    fact: Some(fact),
                });
            }
        }
        self.errors.extend(errors);
    }

    fn case(&mut self, root: &JsonNode) -> Case {
        let mut case = Case::empty(self.rule_set);
        let JsonValue::Object(entries) = &root.value else {
            self.errors.push(EvalError::InvalidCase {
                message: format!(
                    "a case is a JSON object, but this is {}",
                    root.value.describe()
                ),
                span: root.span,
                help: "write the case as `{\"id\": \"...\", \"facts\": {\"age\": \"18 months\"}}`"
                    .to_owned(),
            });
            return case;
        };
        self.check_duplicates(entries);
        let mut saw_facts = false;
        let mut unknown_fields = false;
        for (key, key_span, value) in entries {
            match key.as_str() {
                "id" => case.id = self.text_field(key, value),
                "description" => case.description = self.text_field(key, value),
                "as_of" => {
                    if let Some(text) = self.text_field(key, value) {
                        match Date::parse(&text) {
                            Some(date) => case.as_of = Some(date),
                            None => self.errors.push(EvalError::InvalidValueText {
                                text,
                                expected: "a date in the calendar".to_owned(),
                                span: value.span,
                                help: "write the case's date as year-month-day, such as `\"2025-10-30\"`".to_owned(),
                            }),
                        }
                    }
                }
                "facts" => {
                    saw_facts = true;
                    self.facts(value, &mut case);
                }
                "expect" => case.expect = Some(value.clone()),
                other => {
                    unknown_fields = true;
                    let help = match did_you_mean(other, CASE_FIELDS) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None if self.rule_set.fact_index(other).is_some() => {
                            format!(
                                "facts go inside `\"facts\"`: `\"facts\": {{\"{other}\": ...}}`"
                            )
                        }
                        None => "a case has `id`, `description`, `as_of`, `facts` and `expect`"
                            .to_owned(),
                    };
                    self.errors.push(EvalError::InvalidCase {
                        message: format!("`{other}` is not a field of a case"),
                        span: *key_span,
                        help,
                    });
                }
            }
        }
        // A misspelled `facts` is reported above; saying it is missing too would only repeat it.
        if !saw_facts && !unknown_fields {
            self.errors.push(EvalError::InvalidCase {
                message: "the case has no `facts`".to_owned(),
                span: Span::new(root.span.start, root.span.start + 1),
                help: "add `\"facts\": {...}` with the patient's values; write `\"facts\": {}` for a case with none".to_owned(),
            });
        }
        case
    }

    fn check_duplicates(&mut self, entries: &[(String, Span, JsonNode)]) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (key, span, _) in entries {
            if let Some(first) = seen.get(key.as_str()) {
                self.errors.push(EvalError::DuplicateKey {
                    key: key.clone(),
                    span: *span,
                    first: *first,
                });
            } else {
                seen.insert(key.as_str(), *span);
            }
        }
    }

    fn text_field(&mut self, key: &str, value: &JsonNode) -> Option<String> {
        match &value.value {
            JsonValue::String(text) => Some(text.clone()),
            JsonValue::Null => None,
            other => {
                self.errors.push(EvalError::InvalidCase {
                    message: format!("`{key}` should be text, but it is {}", other.describe()),
                    span: value.span,
                    help: format!("write `\"{key}\": \"...\"`"),
                });
                None
            }
        }
    }

    fn facts(&mut self, node: &JsonNode, case: &mut Case) {
        let JsonValue::Object(entries) = &node.value else {
            self.errors.push(EvalError::InvalidCase {
                message: format!("`facts` is an object of values by fact name, but this is {}", node.value.describe()),
                span: node.span,
                help: "write `\"facts\": {\"age\": \"18 months\", \"lab.blood_lead\": {\"value\": 2.1, \"unit\": \"ug/dL\"}}`".to_owned(),
            });
            return;
        };
        // Each name is looked up once; when every name is a declared fact
        // named once, there is no duplicate to look for by text.
        let indices: Vec<Option<FactIndex>> = entries
            .iter()
            .map(|(name, _, _)| self.rule_set.fact_index(name))
            .collect();
        let mut named = vec![false; self.rule_set.facts().len()];
        let all_distinct_facts = indices.iter().all(|index| {
            index.is_some_and(|index| {
                named
                    .get_mut(index)
                    .is_some_and(|seen| !std::mem::replace(seen, true))
            })
        });
        if !all_distinct_facts {
            self.check_duplicates(entries);
        }
        for ((name, name_span, value), index) in entries.iter().zip(indices) {
            let Some(index) = index else {
                let names = self.rule_set.facts().iter().map(|fact| fact.name.as_str());
                let is_group = self
                    .rule_set
                    .facts()
                    .iter()
                    .any(|fact| fact.name.starts_with(&format!("{name}.")));
                let help = match did_you_mean(name, names) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None if is_group => format!(
                        "write dotted names in full, such as `\"{}\"`, rather than nesting objects",
                        self.rule_set
                            .facts()
                            .iter()
                            .find(|fact| fact.name.starts_with(&format!("{name}.")))
                            .map_or(String::new(), |fact| fact.name.clone())
                    ),
                    None => "only facts declared in the rule set can be given; run `clinrule check` to list them".to_owned(),
                };
                self.errors.push(EvalError::UndeclaredFact {
                    name: name.clone(),
                    span: *name_span,
                    help,
                });
                continue;
            };
            if let Some(slot) = self.value(index, value)
                && let Some(target) = case.slots.get_mut(index)
            {
                *target = slot;
            }
        }
    }

    /// Reads one fact's value by its declared type.
    fn value(&mut self, index: FactIndex, node: &JsonNode) -> Option<Slot> {
        let rule_set = self.rule_set;
        let fact = rule_set.facts().get(index)?;
        let name = fact.name.as_str();
        if node.value == JsonValue::Null {
            return Some(Slot::Unknown);
        }
        let wrong_type = |reader: &mut Self, expected: &str, help: String| {
            reader.errors.push(EvalError::WrongType {
                fact: name.to_owned(),
                expected: expected.to_owned(),
                found: node.value.describe_value(),
                span: node.span,
                help,
            });
            None
        };
        let given = |kind: ValueKind, display: String| Some(Slot::Given(Value { kind, display }));
        match (&fact.fact_type, &node.value) {
            (FactType::YesNo, JsonValue::Bool(answer)) => given(
                ValueKind::YesNo(*answer),
                if *answer { "yes" } else { "no" }.to_owned(),
            ),
            (FactType::YesNo, JsonValue::String(text)) if text == "yes" || text == "no" => {
                given(ValueKind::YesNo(text == "yes"), text.clone())
            }
            (FactType::YesNo, _) => wrong_type(
                self,
                "a yes/no finding",
                format!(
                    "write `\"{name}\": true` or `false` (or `\"yes\"`, `\"no\"`); write `null` if it is not known"
                ),
            ),
            (FactType::Number, JsonValue::Number(text)) => {
                let number = self.number(text, node.span)?;
                given(ValueKind::Number(number), text.clone())
            }
            (FactType::Number, _) => wrong_type(
                self,
                "a plain number",
                format!("write a number, such as `\"{name}\": 3`"),
            ),
            (FactType::Quantity { .. } | FactType::Age, _) => self.quantity(index, node),
            (FactType::Date, JsonValue::String(text)) => match partial_date(text) {
                Some((low, high)) => given(ValueKind::Date { low, high }, text.clone()),
                None => {
                    self.errors.push(EvalError::InvalidValueText {
                        text: text.clone(),
                        expected: "a date in the calendar".to_owned(),
                        span: node.span,
                        help: "write dates as year-month-day, such as `\"2024-05-01\"`; when only the month or year is known, write `\"2024-05\"` or `\"2024\"`".to_owned(),
                    });
                    None
                }
            },
            (FactType::Date, _) => wrong_type(
                self,
                "a date",
                "write the date as text, such as `\"2024-05-01\"`".to_owned(),
            ),
            (FactType::OneOf(codes), JsonValue::String(code)) => {
                match codes.iter().position(|known| known == code) {
                    Some(position) => given(ValueKind::Code(position), code.clone()),
                    None => {
                        let help = match did_you_mean(code, codes.iter().map(String::as_str)) {
                            Some(suggestion) => format!("did you mean `{suggestion}`?"),
                            None => format!(
                                "the codes of `{name}` are {}",
                                codes
                                    .iter()
                                    .map(|known| format!("`{known}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        };
                        self.errors.push(EvalError::UnknownCode {
                            code: code.clone(),
                            fact: name.to_owned(),
                            span: node.span,
                            help,
                        });
                        None
                    }
                }
            }
            (FactType::OneOf(codes), _) => wrong_type(
                self,
                "one of a set of codes",
                format!(
                    "write one of its codes as text: {}",
                    codes
                        .iter()
                        .map(|known| format!("`\"{known}\"`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            (FactType::Text, JsonValue::String(text)) => {
                given(ValueKind::Text(text.clone()), text.clone())
            }
            (FactType::Text, _) => wrong_type(
                self,
                "free text",
                "write the text in double quotes".to_owned(),
            ),
        }
    }

    fn number(&mut self, text: &str, span: Span) -> Option<Rational> {
        match Rational::parse_decimal(text) {
            Ok(number) => Some(number),
            Err(NumberProblem::OutOfRange | NumberProblem::Malformed) => {
                self.errors.push(EvalError::NumberOutOfRange {
                    number: text.to_owned(),
                    span,
                });
                None
            }
        }
    }

    /// Reads a measurement or an age: `{"value": 2.1, "unit": "ug/dL"}` or `"2.1 ug/dL"`.
    fn quantity(&mut self, index: FactIndex, node: &JsonNode) -> Option<Slot> {
        let rule_set = self.rule_set;
        let fact = rule_set.facts().get(index)?;
        let name = fact.name.as_str();
        let expected_dimension = fact.fact_type.dimension().unwrap_or(Dimension::NONE);
        // The words for errors are made only when there is an error.
        let example_unit = match &fact.fact_type {
            FactType::Quantity { unit_text, .. } => unit_text.as_str(),
            _ => "months",
        };
        let kind_words = || match &fact.fact_type {
            FactType::Quantity { unit_text, .. } => format!("a measurement in `{unit_text}`"),
            _ => "an age".to_owned(),
        };
        let (number_text, number_span, unit_text, unit_span) = match &node.value {
            JsonValue::Object(entries) => {
                self.check_duplicates(entries);
                let mut number = None;
                let mut unit = None;
                let mut broken = false;
                for (key, key_span, value) in entries {
                    match (key.as_str(), &value.value) {
                        ("value", JsonValue::Number(text)) => {
                            number = Some((text.clone(), value.span))
                        }
                        ("unit", JsonValue::String(text)) => {
                            unit = Some((text.clone(), value.span))
                        }
                        ("value" | "unit", other) => {
                            let help = if key == "value" {
                                "write the number without quotes, such as `\"value\": 2.1`"
                            } else {
                                "write the unit in quotes, such as `\"unit\": \"ug/dL\"`"
                            };
                            self.errors.push(EvalError::WrongType {
                                fact: format!("{name}.{key}"),
                                expected: if key == "value" {
                                    "a number".to_owned()
                                } else {
                                    "a unit in quotes".to_owned()
                                },
                                found: other.describe_value(),
                                span: value.span,
                                help: help.to_owned(),
                            });
                            broken = true;
                        }
                        (other, _) => {
                            let help = match did_you_mean(other, ["value", "unit"]) {
                                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                                None => "a measurement has exactly `value` and `unit`".to_owned(),
                            };
                            self.errors.push(EvalError::InvalidCase {
                                message: format!("`{other}` is not a part of a measurement"),
                                span: *key_span,
                                help,
                            });
                            broken = true;
                        }
                    }
                }
                if broken {
                    return None;
                }
                match (number, unit) {
                    (Some((number, number_span)), Some((unit, unit_span))) => {
                        (number, number_span, unit, unit_span)
                    }
                    (Some(_), None) => {
                        self.errors.push(EvalError::MissingUnit {
                            fact: name.to_owned(),
                            span: node.span,
                            help: format!(
                                "add the unit: `{{\"value\": ..., \"unit\": \"{example_unit}\"}}`"
                            ),
                        });
                        return None;
                    }
                    (None, _) => {
                        self.errors.push(EvalError::InvalidCase {
                            message: format!("the measurement of `{name}` has no `value`"),
                            span: node.span,
                            help: format!(
                                "write `{{\"value\": 2.1, \"unit\": \"{example_unit}\"}}`"
                            ),
                        });
                        return None;
                    }
                }
            }
            JsonValue::String(text) => {
                let Some((number, unit)) = split_measurement(text) else {
                    self.errors.push(EvalError::InvalidValueText {
                        text: text.clone(),
                        expected: format!("{} with its unit", kind_words()),
                        span: node.span,
                        help: format!("write a number and a unit, such as `\"18 {example_unit}\"`, or `{{\"value\": 18, \"unit\": \"{example_unit}\"}}`"),
                    });
                    return None;
                };
                (number.to_owned(), node.span, unit.to_owned(), node.span)
            }
            JsonValue::Number(text) => {
                self.errors.push(EvalError::MissingUnit {
                    fact: name.to_owned(),
                    span: node.span,
                    help: format!("give the unit: `{{\"value\": {text}, \"unit\": \"{example_unit}\"}}` or `\"{text} {example_unit}\"`"),
                });
                return None;
            }
            other => {
                self.errors.push(EvalError::WrongType {
                    fact: name.to_owned(),
                    expected: kind_words(),
                    found: other.describe_value(),
                    span: node.span,
                    help: format!("write `{{\"value\": 2.1, \"unit\": \"{example_unit}\"}}`"),
                });
                return None;
            }
        };
        let unit = match case_unit(&fact.fact_type, &unit_text) {
            Ok(unit) => unit,
            Err(problem) => {
                self.errors.push(match problem.help(example_unit) {
                    Some(help) => EvalError::UnknownUnit {
                        unit: unit_text,
                        span: unit_span,
                        help,
                    },
                    None => EvalError::NumberOutOfRange {
                        number: unit_text,
                        span: unit_span,
                    },
                });
                return None;
            }
        };
        let Some(conversion) = conversion_for(fact, &unit) else {
            self.errors.push(EvalError::WrongDimension {
                fact: name.to_owned(),
                unit: unit_text,
                unit_dimension: unit.dimension.describe(),
                fact_dimension: expected_dimension.describe(),
                span: unit_span,
                help: format!(
                    "give the value in a unit of {}, such as `{example_unit}`",
                    expected_dimension.describe()
                ),
            });
            return None;
        };
        let number = self.number(&number_text, number_span)?;
        let Some(base) = to_fact_base(number, &unit, conversion) else {
            self.errors.push(EvalError::NumberOutOfRange {
                number: number_text,
                span: number_span,
            });
            return None;
        };
        // A fact with a plausible range that leaves the value out says so
        // itself, with its range (E315, after every fact is read).
        let outside_range = fact
            .plausible
            .as_ref()
            .is_some_and(|range| !range.holds_number(base));
        if let Some(reason) = impossible(fact, base)
            && !outside_range
        {
            self.errors.push(EvalError::ImpossibleValue {
                value: format!("{number_text} {unit_text}"),
                fact: name.to_owned(),
                reason,
                span: number_span,
            });
            return None;
        }
        Some(Slot::Given(Value {
            kind: ValueKind::Quantity { base, unit },
            display: format!("{number_text} {unit_text}"),
        }))
    }
}

/// Whether a negative value of this fact could be impossible: an age, or a
/// measurement of any dimension but a plain number and an amount of
/// substance. A concentration in `mmol/L` may be negative (a base excess
/// of -5 mmol/L is a base deficit); a mass concentration, a count, a
/// length, a duration or a temperature in kelvins cannot.
pub(crate) fn may_be_impossible(fact: &clinrule_check::model::Fact) -> bool {
    match &fact.fact_type {
        FactType::Age => true,
        FactType::Quantity { unit, .. } => {
            unit.dimension != Dimension::NONE && unit.dimension.0.get(3).copied() == Some(0)
        }
        _ => false,
    }
}

/// Why a value, in base units, cannot be true of any patient whatever the
/// rule set says: a negative age, duration, mass, count or concentration
/// by mass, or a temperature below absolute zero.
pub(crate) fn impossible(fact: &clinrule_check::model::Fact, base: Rational) -> Option<String> {
    if !may_be_impossible(fact) || base >= Rational::integer(0) {
        return None;
    }
    Some(match &fact.fact_type {
        FactType::Age => "an age cannot be negative".to_owned(),
        FactType::Quantity { unit, .. } if unit.dimension == Dimension::TEMPERATURE => {
            "it is below absolute zero".to_owned()
        }
        FactType::Quantity { unit, .. } if unit.dimension == Dimension::TIME => {
            "a duration cannot be negative".to_owned()
        }
        FactType::Quantity { unit_text, .. } => {
            format!("a measurement in `{unit_text}` cannot be negative")
        }
        _ => "it cannot be negative".to_owned(),
    })
}

/// Splits a measurement written as text, `"12 ug/dL"`, into its number and
/// its unit; `None` when either is missing or the number is not a decimal.
pub(crate) fn split_measurement(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|character: char| {
            !(character.is_ascii_digit() || matches!(character, '.' | '-' | '+' | 'e' | 'E'))
        })
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    if number.is_empty() || unit.is_empty() || Rational::parse_decimal(number).is_err() {
        return None;
    }
    Some((number, unit))
}

/// Reads the unit a case gives a measurement in: the fact's own unit as
/// declared, else any unit.
pub(crate) fn case_unit(
    fact_type: &FactType,
    unit_text: &str,
) -> Result<Unit, clinrule_check::units::UnitProblem> {
    match fact_type {
        FactType::Quantity {
            unit_text: declared_text,
            unit,
        } if declared_text == unit_text => Ok(*unit),
        _ => parse_unit_often_used(unit_text),
    }
}

/// How a value in `unit` becomes a value of the fact: `Some(None)` when the
/// unit has the fact's own dimension, `Some(Some(factor))` when the fact
/// declares a conversion from the unit's dimension (a molar mass, say), and
/// `None` when the unit cannot measure the fact.
pub(crate) fn conversion_for(
    fact: &clinrule_check::model::Fact,
    unit: &Unit,
) -> Option<Option<Rational>> {
    let expected_dimension = fact.fact_type.dimension().unwrap_or(Dimension::NONE);
    if unit.dimension == expected_dimension {
        return Some(None);
    }
    fact.conversions
        .iter()
        .find(|conversion| conversion.dimension == unit.dimension)
        .map(|conversion| Some(conversion.factor))
}

/// A measurement in base units of its fact's dimension, converting by the
/// fact's declared conversion when it was given in another dimension.
pub(crate) fn to_fact_base(
    number: Rational,
    unit: &Unit,
    conversion: Option<Rational>,
) -> Option<Rational> {
    let base = to_base(number, unit)?;
    match conversion {
        Some(factor) => base.checked_mul(factor),
        None => Some(base),
    }
}
