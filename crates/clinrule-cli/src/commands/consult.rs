//! `clinrule consult`: the follow-up question, asked at the terminal. What
//! to ask, how to check an answer and what it changed are the library's
//! (`clinrule::consult`); this reads the answers and writes the words.
//!
//! The natural follow-up to a result is the data that is missing. Consult
//! asks for the most decisive missing fact first, with its unit or allowed
//! answers, checks each answer exactly as a case file is checked (and asks
//! again when it is refused), re-evaluates after every answer, and stops
//! when nothing more would change the conclusions, when the user says
//! `stop`, or at the end of the input. It reads answers line by line, so it
//! works the same when they are piped in.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clinrule::RuleSet;
use clinrule::consult::{Answered, Consultation, Draft, Next};

use crate::args::ConsultArguments;
use crate::error::CliError;
use crate::exit::{EXIT_OUTPUT, EXIT_SUCCESS};
use crate::output;
use crate::session::Session;

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
    /// An answer the case accepts, and what it changed.
    Accepted(String),
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

/// Asks for the missing data of a case (or of an empty one) against the one
/// rule set named, and saves the case as completed where asked, whole or
/// not at all.
pub(crate) fn run(session: &mut Session<'_>, arguments: &ConsultArguments) -> u8 {
    if arguments.case.as_deref() == Some(std::path::Path::new("-")) {
        return session.usage_error(&CliError::CaseAndAnswersOnStandardInput);
    }
    let (rules, case_text) = match &arguments.case {
        Some(case_path) => match session.read_rules_and_case(&arguments.rules, case_path) {
            Ok((rules, _, case_file)) => (rules, Some(case_file)),
            Err(code) => return code,
        },
        None => match session.read_one_rule_set(&arguments.rules) {
            Ok(rules) => (rules, None),
            Err(code) => return code,
        },
    };
    let rule_set = &rules.rule_set;
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
        &mut *session.input,
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

/// Runs the consultation at the terminal and returns the case as completed:
/// the questions and what each answer changed come from the library; this
/// reads the answers, repeats them when asked, and knows `stop`.
fn consult(
    rules: &RuleSet,
    draft: Draft,
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
    let mut consultation = Consultation::new(rules, draft);
    say(out, &consultation.opening());

    // Ages from birth dates and dates counted to `as_of` need the case's date.
    if consultation.needs_date() {
        loop {
            say(out, &format!("{}> ", consultation.date_question()));
            let Some(answer) = read_answer(input) else {
                return consultation.into_draft();
            };
            if echo {
                say(out, &format!("{answer}\n"));
            }
            if answer == "stop" {
                return consultation.into_draft();
            }
            match consultation.give_date(&answer) {
                Ok(()) => break,
                Err(refused) => say(out, &format!("  not accepted: {refused}\n")),
            }
        }
    }

    let ending = loop {
        let question = match consultation.next_step() {
            Next::Question(question) => question,
            Next::Settled => break Ending::Settled,
            Next::Unreadable => break Ending::Stopped,
        };
        say(out, &format!("{}> ", question.text));
        // Ask until the answer is accepted, skipped, or the user stops.
        let outcome = loop {
            let Some(answer) = read_answer(input) else {
                break Answer::End;
            };
            if echo {
                say(out, &format!("{answer}\n"));
            }
            if matches!(answer.as_str(), "stop" | "quit") {
                break Answer::Stop;
            }
            match consultation.answer(&question, &answer) {
                Answered::Skipped => break Answer::Skipped,
                Answered::Accepted(changes) => break Answer::Accepted(changes),
                Answered::Refused(refused) => {
                    say(out, &format!("  not accepted: {refused}\n> "));
                }
                Answered::Again(how) => say(out, &format!("  {how}\n> ")),
            }
        };
        match outcome {
            Answer::End => break Ending::EndOfInput,
            Answer::Stop => break Ending::Stopped,
            Answer::Skipped => {}
            Answer::Accepted(changes) => say(out, &changes),
        }
    };
    // A fact skipped is not settled: if it would still change the
    // conclusions, the consultation says so rather than that nothing would.
    let skipped = consultation.skipped_still_deciding();
    let closing = match ending {
        Ending::Settled if skipped.is_empty() => {
            "\nNothing more that is missing would change the conclusions.\n"
        }
        Ending::Settled => "\nNo question is left but those skipped.\n",
        Ending::Stopped => "\nStopped.\n",
        Ending::EndOfInput => "\nThe answers ended.\n",
    };
    say(out, closing);
    if !skipped.is_empty() {
        let mut text = String::from("Skipped, and still able to change the conclusions:\n");
        for line in &skipped {
            text.push_str(&format!("  {line}\n"));
        }
        say(out, &text);
    }
    if let Some(result) = consultation.result() {
        say(out, &format!("\n{result}"));
    }
    consultation.into_draft()
}
