//! The follow-up question, as a library: the data that is missing from a
//! case, asked for one fact at a time, the most decisive first.
//!
//! A [`Consultation`] holds the case being completed (a [`Draft`], every
//! value kept exactly as written). It says which question comes next, with
//! the unit or the answers allowed and what each answer would decide; it
//! checks each answer exactly as a case file is checked; and it says which
//! conclusions an accepted answer changed. It never reads or prints: the
//! command asks at the terminal, a playground in a form, with the same words.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{CheckedExprKind, FactIndex, FactType, Obtained};
use clinrule_eval::Evaluation;
use clinrule_eval::case::Slot;
use clinrule_eval::json::{JsonNode, JsonValue, parse_json};

use crate::RuleSet;
use crate::render::reasons;
use crate::render::report::{Evaluated, decides_words, set_aside_text};
use crate::render::text::{Level, Palette, headline, option_lines};

/// The case being completed: its fields other than `facts`, and its facts,
/// each as JSON text, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    fields: Vec<(String, String)>,
    facts: Vec<(String, String)>,
}

impl Draft {
    /// An empty case.
    pub fn empty() -> Draft {
        Draft {
            fields: Vec::new(),
            facts: Vec::new(),
        }
    }

    /// The case a file gives, keeping every value exactly as written.
    pub fn from_text(text: &str) -> Draft {
        let mut draft = Draft::empty();
        let Ok(JsonNode {
            value: JsonValue::Object(entries),
            ..
        }) = parse_json(text)
        else {
            return draft;
        };
        for (key, _, node) in entries {
            if key == "facts" {
                if let JsonValue::Object(facts) = &node.value {
                    for (name, _, value) in facts {
                        draft.facts.push((name.clone(), json_text(value)));
                    }
                }
            } else if key != "expect" {
                draft.fields.push((key, json_text(&node)));
            }
        }
        draft
    }

    /// Whether the case has a field other than `facts`, such as `as_of`.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|(key, _)| key == name)
    }

    /// Sets a fact to a JSON value, keeping its place if it was given.
    pub fn set_fact(&mut self, name: &str, value: String) {
        match self.facts.iter_mut().find(|(known, _)| known == name) {
            Some(slot) => slot.1 = value,
            None => self.facts.push((name.to_owned(), value)),
        }
    }

    /// Removes a fact, if it was given.
    pub fn remove_fact(&mut self, name: &str) {
        self.facts.retain(|(known, _)| known != name);
    }

    /// The case as JSON text.
    pub fn to_text(&self) -> String {
        let mut text = String::from("{\n");
        for (key, value) in &self.fields {
            let _ = writeln!(text, "  {}: {value},", quoted(key));
        }
        text.push_str("  \"facts\": {");
        for (position, (name, value)) in self.facts.iter().enumerate() {
            let comma = if position + 1 < self.facts.len() {
                ","
            } else {
                ""
            };
            let _ = write!(text, "\n    {}: {value}{comma}", quoted(name));
        }
        if !self.facts.is_empty() {
            text.push_str("\n  ");
        }
        text.push_str("}\n}\n");
        text
    }
}

/// A string as JSON.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A value as JSON text, numbers exactly as written.
fn json_text(node: &JsonNode) -> String {
    match &node.value {
        JsonValue::Null => "null".to_owned(),
        JsonValue::Bool(value) => value.to_string(),
        JsonValue::Number(number) => number.clone(),
        JsonValue::String(text) => quoted(text),
        JsonValue::Array(items) => {
            let items: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", items.join(", "))
        }
        JsonValue::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, _, value)| format!("{}: {}", quoted(key), json_text(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// How to answer for a fact, in words.
pub fn answer_hint(fact_type: &FactType) -> String {
    match fact_type {
        FactType::YesNo => "yes or no".to_owned(),
        FactType::Number => "a number".to_owned(),
        FactType::Quantity { unit_text, .. } => {
            format!("a measurement with its unit, such as `12 {unit_text}`")
        }
        FactType::Age => "an age with its unit, such as `18 months` or `2 years`".to_owned(),
        FactType::Date => "a date, such as `2025-10-30`".to_owned(),
        FactType::Text => "free text".to_owned(),
        FactType::OneOf(codes) => format!("one of: {}", codes.join(", ")),
    }
}

/// An answer as JSON text for the fact, or why it cannot be one.
fn answer_json(fact_type: &FactType, answer: &str) -> Result<String, String> {
    if let FactType::Quantity { .. } | FactType::Age = fact_type {
        let example_unit = match fact_type {
            FactType::Quantity { unit_text, .. } => unit_text.as_str(),
            _ => "months",
        };
        // A number alone: the unit is what makes it a measurement.
        if is_plain_number(answer) {
            return Err(format!(
                "`{answer}` needs a unit: for example `{answer} {example_unit}`"
            ));
        }
        let starts_with_number = answer
            .trim_start_matches('-')
            .starts_with(|character: char| character.is_ascii_digit() || character == '.');
        if !starts_with_number {
            return Err(format!(
                "`{answer}` is not a measurement: write a number and its unit, for example `12 {example_unit}`"
            ));
        }
    }
    match fact_type {
        FactType::YesNo => match answer.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" => Ok("true".to_owned()),
            "no" | "n" | "false" => Ok("false".to_owned()),
            _ => Err("answer `yes` or `no`".to_owned()),
        },
        FactType::Number => {
            let plain = answer
                .strip_prefix('-')
                .unwrap_or(answer)
                .chars()
                .all(|character| character.is_ascii_digit() || character == '.');
            if plain && answer.chars().any(|character| character.is_ascii_digit()) {
                // The case reader checks the number itself.
                Ok(answer.to_owned())
            } else {
                Err(format!("`{answer}` is not a number"))
            }
        }
        _ => Ok(quoted(answer)),
    }
}

/// Whether an answer is a number and nothing else: `12`, `-0.5`.
fn is_plain_number(answer: &str) -> bool {
    let digits = answer.strip_prefix('-').unwrap_or(answer);
    !digits.is_empty()
        && digits.chars().any(|character| character.is_ascii_digit())
        && digits
            .chars()
            .all(|character| character.is_ascii_digit() || character == '.')
}

/// An answer with a decimal comma read as a decimal point: `1,2 ug/dL` is
/// `1.2 ug/dL`. A comma followed by three digits could as well separate
/// thousands (`1,200`), so it is refused with both readings.
fn decimal_point(answer: &str) -> Result<Option<String>, String> {
    let number_end = answer
        .find(|character: char| !(character.is_ascii_digit() || matches!(character, ',' | '-')))
        .unwrap_or(answer.len());
    let number = answer.get(..number_end).unwrap_or_default();
    let Some((whole, fraction)) = number.split_once(',') else {
        return Ok(None);
    };
    let whole_digits = whole.strip_prefix('-').unwrap_or(whole);
    if whole_digits.is_empty()
        || fraction.is_empty()
        || !whole_digits
            .chars()
            .all(|character| character.is_ascii_digit())
        || !fraction.chars().all(|character| character.is_ascii_digit())
    {
        return Ok(None);
    }
    let rest = answer.get(number_end..).unwrap_or_default();
    if fraction.len() == 3 {
        return Err(format!(
            "`{number}` could be {whole}{fraction} or {whole}.{fraction}: write it without the comma, such as `{whole}{fraction}{rest}` or `{whole}.{fraction}{rest}`"
        ));
    }
    Ok(Some(format!("{whole}.{fraction}{rest}")))
}

/// A case reader's refusal of an answer, in the words of a clinician: the
/// message, and its help unless that shows the case file's JSON.
fn refusal(error: &clinrule_eval::EvalError) -> String {
    let help = miette::Diagnostic::help(error)
        .map(|help| help.to_string())
        .filter(|help| !help.contains('{') && !help.contains('"'))
        .map(|help| format!("; {help}"))
        .unwrap_or_default();
    format!("{error}{help}")
}

/// The conclusion identifiers reached, with their headlines.
fn reached(rule_set: &CheckedRuleSet, evaluation: &Evaluation) -> Vec<(String, String)> {
    evaluation
        .reached(rule_set)
        .into_iter()
        .filter_map(|entry| {
            let found = rule_set
                .rules()
                .get(entry.rule)?
                .conclusions
                .get(entry.conclusion)?;
            let action = found.action.map_or("", |action| action.word());
            Some((format!("{}:{action}", found.id), headline(found)))
        })
        .collect()
}

/// The next step of a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A question to ask.
    Question(Question),
    /// Nothing that is missing would change the conclusions.
    Settled,
    /// The case as completed so far cannot be read (a value it was started
    /// with is refused): the consultation cannot go on.
    Unreadable,
}

/// A question: the fact asked for, and the question in words, ending with
/// how to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The fact asked for.
    pub fact: FactIndex,
    /// The question, numbered, with the fact's description, what it would
    /// decide and how to answer, each on a line of its own.
    pub text: String,
}

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// The case accepts it; what changed, one conclusion a line (`+` reached,
    /// `-` no longer reached), or that no conclusion changed.
    Accepted(String),
    /// Not known (`skip` or `unknown`): recorded as unknown, not asked
    /// again, and named at the end if it would still change the conclusions.
    Skipped,
    /// Refused, with why: the question stands.
    Refused(String),
    /// Nothing was answered: the question stands, with how to answer.
    Again(String),
}

/// A case being completed against a rule set, one question at a time.
#[derive(Debug)]
pub struct Consultation<'rules> {
    rules: &'rules RuleSet,
    draft: Draft,
    skipped: BTreeSet<FactIndex>,
    asked: usize,
    /// The conclusions reached when the last question was asked.
    before: Vec<(String, String)>,
    /// The answers accepted, by fact name, as read.
    answered: Vec<(String, String)>,
    /// The findings read as no that were asked to be confirmed.
    confirmed: BTreeSet<FactIndex>,
}

impl<'rules> Consultation<'rules> {
    /// A consultation of `draft` (a case file's text, or an empty case).
    pub fn new(rules: &'rules RuleSet, draft: Draft) -> Consultation<'rules> {
        Consultation {
            rules,
            draft,
            skipped: BTreeSet::new(),
            asked: 0,
            before: Vec::new(),
            answered: Vec::new(),
            confirmed: BTreeSet::new(),
        }
    }

    /// The case as completed so far.
    pub fn draft(&self) -> &Draft {
        &self.draft
    }

    /// The case as completed.
    pub fn into_draft(self) -> Draft {
        self.draft
    }

    /// What the consultation says first: the rule set, and how to answer.
    pub fn opening(&self) -> String {
        let metadata = self.rules.checked().metadata();
        format!(
            "Consulting {} ({} {}, status {}).\nAnswer each question, `skip` when it is not known, or `stop` to finish.\n",
            metadata.title,
            metadata.id,
            metadata.version,
            metadata.status.word()
        )
    }

    /// Whether the case must first give the date it describes: ages from
    /// birth dates and dates counted to `as_of` need it, and it has none.
    /// An age the case gives directly is not counted from a birth date, so
    /// it needs no date.
    pub fn needs_date(&self) -> bool {
        let rule_set = self.rules.checked();
        let needed = rule_set.facts().iter().any(|fact| {
            fact.derived_from.is_some()
                && !self
                    .draft
                    .facts
                    .iter()
                    .any(|(name, value)| *name == fact.name && value.as_str() != "null")
        }) || {
            let uses = rule_set.as_of_uses();
            uses.always || !uses.facts.is_empty()
        };
        needed && !self.draft.has_field("as_of")
    }

    /// The question for the date the case describes.
    pub fn date_question(&self) -> &'static str {
        "\nThe date the case describes (as_of), such as `2025-10-30`; the rules count ages or dates to it, so it cannot be skipped (`stop` to finish):\n"
    }

    /// Takes the date the case describes; it cannot be skipped.
    pub fn give_date(&mut self, answer: &str) -> Result<(), String> {
        if clinrule_syntax::ast::Date::parse(answer).is_some() {
            self.draft.fields.push(("as_of".to_owned(), quoted(answer)));
            return Ok(());
        }
        if matches!(answer, "skip" | "unknown" | "") {
            return Err(
                "the rules need the date the case describes; give it, such as `2025-10-30`, or `stop`"
                    .to_owned(),
            );
        }
        Err(format!("`{answer}` is not a date in the calendar"))
    }

    /// The next question: among the missing facts not skipped, in the order
    /// of the needs, the first that decides a rule on its own, or else the
    /// first.
    pub fn next_step(&mut self) -> Next {
        let rule_set = self.rules.checked();
        let Ok(case) = self.rules.read_case(&self.draft.to_text()) else {
            return Next::Unreadable;
        };
        let evaluation = self.rules.evaluate(&case);
        let evaluated = Evaluated {
            rule_set,
            case: &case,
            evaluation: &evaluation,
        };
        let needs = reasons::needs_explained(&evaluated);
        let open: Vec<_> = evaluation
            .needs
            .iter()
            .zip(&needs)
            .filter(|(need, _)| !self.skipped.contains(&need.fact))
            .collect();
        // The most decisive first: among the needs that decide a rule on
        // their own (or else all), the one deciding the most conclusions,
        // then the most rules; among those equally decisive, the way it is
        // obtained: the history before the examination, the examination
        // before tests, tests before imaging, and last a fact that does not
        // say; then the needs' own order.
        let deciding: Vec<_> = open
            .iter()
            .filter(|(_, explained)| explained.decides_something())
            .collect();
        let pool: Vec<_> = if deciding.is_empty() {
            open.iter().collect()
        } else {
            deciding
        };
        let facts = rule_set.facts();
        let chosen = pool
            .into_iter()
            .enumerate()
            .min_by_key(|(position, (need, _))| {
                let obtained = facts
                    .get(need.fact)
                    .and_then(|fact| fact.obtained)
                    .map_or(Obtained::ALL.len(), |way| way as usize);
                (
                    std::cmp::Reverse(need.conclusions),
                    std::cmp::Reverse(need.rules.len()),
                    obtained,
                    *position,
                )
            })
            .map(|(_, chosen)| *chosen);
        let Some((need, explained)) = chosen else {
            // Nothing is missing; but a finding the case does not mention,
            // read as no, may be what a conclusion rests on: it is
            // confirmed before the consultation ends.
            return match self.unconfirmed_assumption(&case, &evaluation) {
                Some((fact, changed)) => self.confirmation(fact, changed, &evaluation),
                None => Next::Settled,
            };
        };
        let Some(fact) = rule_set.facts().get(need.fact) else {
            return Next::Settled;
        };
        self.asked += 1;
        let mut question = format!("\nQuestion {}: {}", self.asked, fact.name);
        if let Some(description) = &fact.description {
            let _ = write!(question, ": {description}");
        }
        question.push('\n');
        if let Some(ask) = &fact.ask {
            let _ = writeln!(question, "  {ask}");
        }
        // A value given but set aside is asked for again, saying why.
        if let Some(slot @ Slot::SetAside { value, .. }) = case.slots.get(need.fact)
            && let Some(why) = set_aside_text(fact, slot)
        {
            let _ = writeln!(
                question,
                "  the value given, {}, is set aside: {why}",
                value.display
            );
        }
        let _ = writeln!(
            question,
            "  it would decide {}",
            decides_words(need.rules.len(), need.conclusions)
        );
        for line in option_lines(&evaluated, explained) {
            let _ = writeln!(question, "    {line}");
        }
        let _ = writeln!(question, "  answer with {}:", answer_hint(&fact.fact_type));
        self.before = reached(rule_set, &evaluation);
        Next::Question(Question {
            fact: need.fact,
            text: question,
        })
    }

    /// The first finding the case does not mention, which the rule set reads
    /// as no (`absent means no`) and whose presence would change the
    /// conclusions, not yet confirmed; with how many conclusions it would change.
    fn unconfirmed_assumption(
        &self,
        case: &clinrule_eval::Case,
        evaluation: &Evaluation,
    ) -> Option<(FactIndex, usize)> {
        let rule_set = self.rules.checked();
        let reached_now = reached(rule_set, evaluation);
        for (index, fact) in rule_set.facts().iter().enumerate() {
            if !fact.absent_means_no
                || self.confirmed.contains(&index)
                || self.skipped.contains(&index)
                || !matches!(
                    case.slots.get(index),
                    Some(clinrule_eval::case::Slot::Absent)
                )
            {
                continue;
            }
            let mut present = case.clone();
            if let Some(slot) = present.slots.get_mut(index) {
                *slot = clinrule_eval::case::Slot::Given(clinrule_eval::case::Value {
                    kind: clinrule_eval::case::ValueKind::YesNo(true),
                    display: "yes".to_owned(),
                });
            }
            // A finding present may set another value aside.
            clinrule_eval::set_aside(rule_set, &mut present);
            let reached_if_present = reached(rule_set, &self.rules.evaluate(&present));
            let changed = reached_if_present
                .iter()
                .filter(|(key, _)| !reached_now.iter().any(|(known, _)| known == key))
                .count()
                + reached_now
                    .iter()
                    .filter(|(key, _)| !reached_if_present.iter().any(|(known, _)| known == key))
                    .count();
            if changed > 0 {
                return Some((index, changed));
            }
        }
        None
    }

    /// The question that confirms a finding read as no.
    fn confirmation(&mut self, fact: FactIndex, changed: usize, evaluation: &Evaluation) -> Next {
        let rule_set = self.rules.checked();
        let Some(declared) = rule_set.facts().get(fact) else {
            return Next::Settled;
        };
        self.confirmed.insert(fact);
        self.asked += 1;
        let mut question = format!("\nQuestion {}: {}", self.asked, declared.name);
        if let Some(description) = &declared.description {
            let _ = write!(question, ": {description}");
        }
        question.push('\n');
        if let Some(ask) = &declared.ask {
            let _ = writeln!(question, "  {ask}");
        }
        let _ = writeln!(
            question,
            "  the case does not mention it, so the rules take it as no; if it is present, {} would change",
            if changed == 1 {
                "1 conclusion".to_owned()
            } else {
                format!("{changed} conclusions")
            }
        );
        let _ = writeln!(question, "  confirm with yes or no:");
        self.before = reached(rule_set, evaluation);
        Next::Question(Question {
            fact,
            text: question,
        })
    }

    /// Answers a question: skipped, accepted (with what changed), or refused
    /// with why, exactly as a case file would be.
    pub fn answer(&mut self, question: &Question, answer: &str) -> Answered {
        let rule_set = self.rules.checked();
        let Some(fact) = rule_set.facts().get(question.fact) else {
            return Answered::Skipped;
        };
        let answer = answer.trim();
        if answer.is_empty() {
            return Answered::Again(
                "type the answer, `skip` when it is not known, or `stop` to finish".to_owned(),
            );
        }
        if matches!(answer.to_ascii_lowercase().as_str(), "skip" | "unknown") {
            self.skipped.insert(question.fact);
            self.draft.set_fact(&fact.name, "null".to_owned());
            return Answered::Skipped;
        }
        let read_as = match decimal_point(answer) {
            Ok(read_as) => read_as,
            Err(ambiguous) => return Answered::Refused(ambiguous),
        };
        let answer = read_as.as_deref().unwrap_or(answer);
        let json = match answer_json(&fact.fact_type, answer) {
            Ok(json) => json,
            Err(reason) => return Answered::Refused(reason),
        };
        let previous = self.draft.facts.clone();
        // A new value for one that was set aside comes from a new sample or
        // measurement: what the case said about the old one (haemolysed,
        // capillary, on oxygen) no longer holds, and is asked for again.
        if let Ok(case) = self.rules.read_case(&self.draft.to_text())
            && let Some(Slot::SetAside { by, .. }) = case.slots.get(question.fact)
            && let Some(clause) = fact.set_aside.get(*by)
        {
            let mut stack = vec![&clause.condition];
            while let Some(node) = stack.pop() {
                if let CheckedExprKind::Fact(read) = node.kind
                    && let Some(described) = rule_set.facts().get(read)
                {
                    self.draft.remove_fact(&described.name);
                }
                stack.extend(node.children());
            }
        }
        self.draft.set_fact(&fact.name, json);
        let case = match self.rules.read_case(&self.draft.to_text()) {
            Ok(case) => case,
            Err(errors) => {
                self.draft.facts = previous;
                return Answered::Refused(
                    errors.iter().map(refusal).collect::<Vec<_>>().join("; "),
                );
            }
        };
        let after = reached(rule_set, &self.rules.evaluate(&case));
        let mut changes = String::new();
        for (key, text) in &after {
            if !self.before.iter().any(|(known, _)| known == key) {
                let _ = writeln!(changes, "  + {text}");
            }
        }
        for (key, text) in &self.before {
            if !after.iter().any(|(known, _)| known == key) {
                let _ = writeln!(changes, "  - {text}");
            }
        }
        if changes.is_empty() {
            changes.push_str("  no conclusion changed\n");
        }
        self.answered.push((fact.name.clone(), answer.to_owned()));
        if let Some(read_as) = read_as {
            changes.insert_str(0, &format!("  read as `{read_as}`\n"));
        }
        Answered::Accepted(changes)
    }

    /// The facts skipped that would still change the conclusions, each with
    /// what it would decide: the consultation ends, but they are not settled.
    pub fn skipped_still_deciding(&self) -> Vec<String> {
        let Ok(case) = self.rules.read_case(&self.draft.to_text()) else {
            return Vec::new();
        };
        let evaluation = self.rules.evaluate(&case);
        let facts = self.rules.checked().facts();
        evaluation
            .needs
            .iter()
            .filter(|need| self.skipped.contains(&need.fact))
            .filter_map(|need| {
                let fact = facts.get(need.fact)?;
                Some(format!(
                    "{} would decide {}",
                    fact.name,
                    decides_words(need.rules.len(), need.conclusions)
                ))
            })
            .collect()
    }

    /// The answers accepted in this consultation, by fact name, as read.
    pub fn answers(&self) -> &[(String, String)] {
        &self.answered
    }

    /// The result of the case as completed, in brief, as text; `None` when
    /// it cannot be read.
    pub fn result(&self) -> Option<String> {
        let mut case = self.rules.read_case(&self.draft.to_text()).ok()?;
        // The case's own description was written before the answers: the
        // header says what was answered since.
        if !self.answered.is_empty() {
            let answered = self
                .answered
                .iter()
                .map(|(fact, answer)| format!("{fact} {answer}"))
                .collect::<Vec<_>>()
                .join(", ");
            case.description = Some(match case.description.take() {
                Some(description) => format!("{description} (answered since: {answered})"),
                None => format!("answered in consultation: {answered}"),
            });
        }
        let evaluation = self.rules.evaluate(&case);
        Some(crate::render::text::render(
            &Evaluated {
                rule_set: self.rules.checked(),
                case: &case,
                evaluation: &evaluation,
            },
            Palette::new(false),
            Level::Brief,
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::expect_used, reason = "tests fail loudly")]

    use super::*;
    use crate::SourceMap;

    const LEAD: &str = "ruleset lead\n  title \"Blood lead\"\n  version 1.0.0\n  status draft\n\n\
        fact lab.blood_lead : quantity ug/dL\n  \"Venous blood lead level\"\n\n\
        rule lead_high \"At or above the reference value\"\n  when lab.blood_lead >= 3.5 ug/dL\n  \
        then suspect lead_exposure \"Lead exposure\" certainty likely\n";

    #[test]
    fn a_consultation_asks_checks_and_says_what_changed() {
        let loaded = crate::load(SourceMap::new("lead.crl", LEAD));
        let rules = loaded.rule_set().expect("the rule set checks");
        let mut consultation = Consultation::new(rules, Draft::empty());
        assert!(!consultation.needs_date());
        let Next::Question(question) = consultation.next_step() else {
            panic!("the blood lead is asked for");
        };
        assert!(
            question
                .text
                .starts_with("\nQuestion 1: lab.blood_lead: Venous blood lead level\n"),
            "{}",
            question.text
        );
        assert!(
            question
                .text
                .contains("answer with a measurement with its unit")
        );
        // A value in a unit of another dimension is refused, as a case file's would be.
        let Answered::Refused(why) = consultation.answer(&question, "12 kg") else {
            panic!("12 kg is not a blood lead");
        };
        assert!(why.contains("kg"), "{why}");
        assert_eq!(
            consultation.answer(&question, "12 ug/dL"),
            Answered::Accepted("  + Lead exposure: likely\n".to_owned())
        );
        assert_eq!(consultation.next_step(), Next::Settled);
        assert!(
            consultation
                .draft()
                .to_text()
                .contains("\"lab.blood_lead\": \"12 ug/dL\"")
        );
    }

    #[test]
    fn unknown_is_an_answer_and_is_not_asked_again() {
        let loaded = crate::load(SourceMap::new("lead.crl", LEAD));
        let rules = loaded.rule_set().expect("the rule set checks");
        let mut consultation = Consultation::new(rules, Draft::empty());
        let Next::Question(question) = consultation.next_step() else {
            panic!("the blood lead is asked for");
        };
        assert_eq!(consultation.answer(&question, "unknown"), Answered::Skipped);
        assert!(
            consultation
                .draft()
                .to_text()
                .contains("\"lab.blood_lead\": null")
        );
        assert_eq!(consultation.next_step(), Next::Settled);
    }
}
