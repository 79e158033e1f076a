//! `clinrule consult`: the follow-up question, asked at the terminal.
//!
//! The natural follow-up to a result is the data that is missing. Consult
//! asks for the most decisive missing fact first, with its unit or allowed
//! answers, checks each answer exactly as a case file is checked (and asks
//! again when it is refused), re-evaluates after every answer, and stops
//! when nothing more would change the conclusions, when the user says
//! `stop`, or at the end of the input. It reads answers line by line, so it
//! works the same when they are piped in.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, Write};

use std::path::PathBuf;

use clinrule::{CheckedRuleSet, RuleSet};
use clinrule_check::model::{FactIndex, FactType};
use clinrule_eval::Evaluation;
use clinrule_eval::json::{JsonNode, JsonValue, parse_json};

use clinrule::render::reasons;

use crate::args::ConsultArguments;
use crate::exit::{EXIT_FINDINGS, EXIT_OUTPUT, EXIT_SUCCESS};
use crate::output;
use crate::session::Session;
use clinrule::render::report::Evaluated;
use clinrule::render::text::{self, Level, Palette, headline, option_lines};

/// The case being completed: its fields other than `facts`, and its facts,
/// each as JSON text, in the order given.
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

    fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|(key, _)| key == name)
    }

    fn set_fact(&mut self, name: &str, value: String) {
        match self.facts.iter_mut().find(|(known, _)| known == name) {
            Some(slot) => slot.1 = value,
            None => self.facts.push((name.to_owned(), value)),
        }
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
fn answer_hint(fact_type: &FactType) -> String {
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

/// Reads one answer; `None` at the end of the input.
fn read_answer(input: &mut dyn BufRead) -> Option<String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}

/// What became of one question.
enum Answer {
    /// An answer the case accepts.
    Accepted,
    /// Not known: recorded as unknown, and not asked again.
    Skipped,
    /// The user said `stop`.
    Stop,
    /// The input ended.
    End,
}

/// What ended the consultation.
enum Ending {
    /// Nothing more would change the conclusions.
    Settled,
    /// The user said `stop`.
    Stopped,
    /// The input ended.
    EndOfInput,
}

/// The conclusion identifiers reached, with their headlines.
fn reached(rule_set: &CheckedRuleSet, evaluation: &Evaluation) -> Vec<(String, String)> {
    evaluation
        .conclusions
        .iter()
        .filter_map(|(rule, conclusion)| {
            let found = rule_set.rules().get(*rule)?.conclusions.get(*conclusion)?;
            Some((format!("{}:{rule}", found.id), headline(found)))
        })
        .collect()
}

/// Asks for the missing data of a case (or of an empty one) against the one
/// rule set named, and saves the case as completed where asked, whole or
/// not at all.
pub(crate) fn run(
    session: &mut Session<'_>,
    arguments: &ConsultArguments,
    input: &mut dyn BufRead,
) -> u8 {
    let (rules, case_text) = match &arguments.case {
        Some(case_path) => match session.load_case(&arguments.rules, case_path) {
            Ok((rules, _, case_file)) => (rules, Some(case_file)),
            Err(code) => return code,
        },
        None => match session.load_rule_set(&arguments.rules) {
            Ok(rules) => (rules, None),
            Err(code) => return code,
        },
    };
    let Some(rule_set) = rules.rule_set() else {
        return EXIT_FINDINGS;
    };
    // The case is saved only where it overwrites none of the inputs,
    // checked before the first question is asked.
    let target = match &arguments.save {
        Some(path) => {
            let mut inputs: Vec<&std::path::Path> =
                rules.file_paths.iter().map(PathBuf::as_path).collect();
            inputs.extend(arguments.case.as_deref());
            match output::Target::check(path, &inputs) {
                Ok(target) => Some(target),
                Err(error) => return session.usage_error(&error),
            }
        }
        None => None,
    };
    let draft = match &case_text {
        Some(file) => Draft::from_text(file.text()),
        None => Draft::empty(),
    };
    let completed = consult(
        rule_set,
        draft,
        input,
        session.out,
        session.terminal.echo_input,
    );
    if let Some(target) = &target {
        if let Err(error) = output::write_text(target, &completed.to_text()) {
            session.report(&error, None);
            return EXIT_OUTPUT;
        }
        let _ = writeln!(session.out, "\nThe case was saved to {}.", target.shown());
    }
    EXIT_SUCCESS
}

/// Runs the consultation and returns the case as completed.
fn consult(
    rules: &RuleSet,
    mut draft: Draft,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Draft {
    // What consult says quotes the answers typed: nothing in them may act
    // on the terminal (the streams are filtered too, but not when coloured).
    let say = |out: &mut dyn Write, text: &str| {
        let _ = out.write_all(crate::safe_text::keeping_lines(text).as_bytes());
        let _ = out.flush();
    };
    let rule_set = rules.checked();
    let metadata = rule_set.metadata();
    say(
        out,
        &format!(
            "Consulting {} ({} {}, status {}).\nAnswer each question, `skip` when it is not known, or `stop` to finish.\n",
            metadata.title,
            metadata.id,
            metadata.version,
            metadata.status.word()
        ),
    );

    // Ages from birth dates and dates counted to `as_of` need the case's date.
    let needs_date = rule_set
        .facts()
        .iter()
        .any(|fact| fact.derived_from.is_some())
        || {
            let uses = rule_set.as_of_uses();
            uses.always || !uses.facts.is_empty()
        };
    if needs_date && !draft.has_field("as_of") {
        loop {
            say(
                out,
                "\nThe date the case describes (as_of), such as `2025-10-30`; the rules count ages or dates to it, so it cannot be skipped (`stop` to finish):\n> ",
            );
            let Some(answer) = read_answer(input) else {
                return draft;
            };
            if echo {
                say(out, &format!("{answer}\n"));
            }
            if answer == "stop" {
                return draft;
            }
            if clinrule_syntax::ast::Date::parse(&answer).is_some() {
                draft.fields.push(("as_of".to_owned(), quoted(&answer)));
                break;
            }
            if matches!(answer.as_str(), "skip" | "unknown" | "") {
                say(
                    out,
                    "  not accepted: the rules need the date the case describes; give it, such as `2025-10-30`, or `stop`\n",
                );
                continue;
            }
            say(
                out,
                &format!("  not accepted: `{answer}` is not a date in the calendar\n"),
            );
        }
    }

    let mut skipped: BTreeSet<FactIndex> = BTreeSet::new();
    let mut asked = 0;
    let ending = loop {
        let case = match rules.read_case(&draft.to_text()) {
            Ok(case) => case,
            Err(_) => break Ending::Stopped,
        };
        let evaluation = rules.evaluate(&case);
        let evaluated = Evaluated {
            rule_set,
            case: &case,
            evaluation: &evaluation,
        };
        let needs = reasons::needs_explained(&evaluated);
        // The most decisive first: among the needs not skipped, in rank
        // order, the first that decides a rule on its own.
        let open: Vec<_> = evaluation
            .needs
            .iter()
            .zip(&needs)
            .filter(|(need, _)| !skipped.contains(&need.fact))
            .collect();
        let Some(&(need, explained)) = open
            .iter()
            .find(|(_, explained)| explained.decides_something())
            .or_else(|| open.first())
        else {
            break Ending::Settled;
        };
        let Some(fact) = rule_set.facts().get(need.fact) else {
            break Ending::Settled;
        };
        asked += 1;
        let mut question = format!("\nQuestion {asked}: {}", fact.name);
        if let Some(description) = &fact.description {
            let _ = write!(question, ": {description}");
        }
        question.push('\n');
        if let Some(ask) = &fact.ask {
            let _ = writeln!(question, "  {ask}");
        }
        let rule_word = if need.rules.len() == 1 {
            "rule"
        } else {
            "rules"
        };
        let conclusion_word = if need.conclusions == 1 {
            "conclusion"
        } else {
            "conclusions"
        };
        let _ = writeln!(
            question,
            "  it would decide {} {rule_word} ({} {conclusion_word})",
            need.rules.len(),
            need.conclusions
        );
        for line in option_lines(&evaluated, explained) {
            let _ = writeln!(question, "    {line}");
        }
        let _ = write!(
            question,
            "  answer with {}:\n> ",
            answer_hint(&fact.fact_type)
        );
        say(out, &question);
        let before = reached(rule_set, &evaluation);
        // Ask until the answer is accepted, skipped, or the user stops.
        let outcome = loop {
            let Some(answer) = read_answer(input) else {
                break Answer::End;
            };
            if echo {
                say(out, &format!("{answer}\n"));
            }
            match answer.as_str() {
                "stop" | "quit" => break Answer::Stop,
                "skip" | "unknown" | "" => {
                    skipped.insert(need.fact);
                    draft.set_fact(&fact.name, "null".to_owned());
                    break Answer::Skipped;
                }
                _ => {}
            }
            let refused = match answer_json(&fact.fact_type, &answer) {
                Ok(json) => {
                    let previous = draft.facts.clone();
                    draft.set_fact(&fact.name, json);
                    match rules.read_case(&draft.to_text()) {
                        Ok(_) => break Answer::Accepted,
                        Err(errors) => {
                            draft.facts = previous;
                            errors
                                .iter()
                                .map(|error| {
                                    let help = miette::Diagnostic::help(error)
                                        .map(|help| format!("; {help}"))
                                        .unwrap_or_default();
                                    format!("{error}{help}")
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        }
                    }
                }
                Err(reason) => reason,
            };
            say(out, &format!("  not accepted: {refused}\n> "));
        };
        match outcome {
            Answer::End => break Ending::EndOfInput,
            Answer::Stop => break Ending::Stopped,
            Answer::Skipped => continue,
            Answer::Accepted => {}
        }
        // What changed.
        if let Ok(case) = rules.read_case(&draft.to_text()) {
            let after = reached(rule_set, &rules.evaluate(&case));
            let mut changes = String::new();
            for (key, text) in &after {
                if !before.iter().any(|(known, _)| known == key) {
                    let _ = writeln!(changes, "  + {text}");
                }
            }
            for (key, text) in &before {
                if !after.iter().any(|(known, _)| known == key) {
                    let _ = writeln!(changes, "  - {text}");
                }
            }
            if changes.is_empty() {
                changes.push_str("  no conclusion changed\n");
            }
            say(out, &changes);
        }
    };
    let closing = match ending {
        Ending::Settled => "\nNothing more that is missing would change the conclusions.\n",
        Ending::Stopped => "\nStopped.\n",
        Ending::EndOfInput => "\nThe answers ended.\n",
    };
    say(out, closing);
    if let Ok(case) = rules.read_case(&draft.to_text()) {
        let evaluation = rules.evaluate(&case);
        let evaluated = Evaluated {
            rule_set,
            case: &case,
            evaluation: &evaluation,
        };
        say(
            out,
            &format!(
                "\n{}",
                text::render(&evaluated, Palette::new(false), Level::Brief)
            ),
        );
    }
    draft
}
