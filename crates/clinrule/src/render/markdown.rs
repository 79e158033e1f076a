//! The clinical report in Markdown: `clinrule eval --format markdown`.
//!
//! For clinicians it is laid out like a clinical note: the case, the
//! assessment and differential, the recommended work-up, management,
//! pitfalls, follow-up, what data would change the picture, and the
//! references actually cited, numbered in the order they are first cited.
//! For patients and families (`--audience patient`) it uses the
//! plain-language text the rules provide, marks clearly where a rule has
//! none, and leaves out what is only for clinicians: rationales, reasons,
//! pitfalls, scores and references.
//!
//! A rule set that is not `approved` is marked as such at the top.

use std::fmt::Write as _;

use clinrule_check::model::{CheckedConclusion, ConclusionKind, DiagnosisAction, ReferenceIndex};
use clinrule_eval::case::Slot;
use clinrule_eval::{RuleStatus, Truth, Val};
use clinrule_syntax::ast::Status;

use crate::render::reasons::{self, NeedExplained};
use crate::render::report::{Evaluated, candidate_status, conclusion_line, derived_value_text};
use crate::render::text::Level;

/// A conclusion in one line for Markdown: its text, certainty, interval and
/// urgency, the editor's words escaped.
fn headline(conclusion: &CheckedConclusion) -> String {
    conclusion_line(conclusion, escape, |urgency| {
        format!(" (urgency: {urgency})")
    })
}

/// Who the report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Clinicians: the whole clinical note.
    Clinician,
    /// Patients and families: plain language only.
    Patient,
}

/// Escapes the characters Markdown would read as formatting.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    // On one line, with nothing a terminal would obey: a line break could
    // start a heading or a forged section of the report.
    for character in crate::safe_text::one_line(text).chars() {
        if matches!(
            character,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// A sentence's first letter in lower case, to follow "because": the
/// reasons start with a fact's description, which is a phrase.
fn lowercase_first(text: &str) -> String {
    let mut characters = text.chars();
    let Some(first) = characters.next() else {
        return String::new();
    };
    // An abbreviation keeps its capitals: `TSH`, `MRI`.
    if text.chars().nth(1).is_some_and(char::is_uppercase) {
        return text.to_owned();
    }
    first.to_lowercase().chain(characters).collect()
}

/// The references cited in the report, numbered in order of first citation.
struct Citations {
    order: Vec<ReferenceIndex>,
}

impl Citations {
    /// " [1, 3]" for these references, numbering new ones as they come.
    fn mark(&mut self, references: &[ReferenceIndex]) -> String {
        if references.is_empty() {
            return String::new();
        }
        let mut numbers: Vec<usize> = references
            .iter()
            .map(|reference| {
                let position = match self.order.iter().position(|known| known == reference) {
                    Some(position) => position,
                    None => {
                        self.order.push(*reference);
                        self.order.len() - 1
                    }
                };
                position + 1
            })
            .collect();
        // Numbered as first cited, listed in order: `[2, 5]`, never `[5, 2]`.
        numbers.sort_unstable();
        numbers.dedup();
        let numbers: Vec<String> = numbers.iter().map(usize::to_string).collect();
        format!(" [{}]", numbers.join(", "))
    }
}

/// The conclusions reached, each once with the rule that speaks for it, in
/// the order first reached.
fn reached<'a>(evaluated: &Evaluated<'a>) -> Vec<(usize, &'a CheckedConclusion)> {
    evaluated
        .evaluation
        .reached(evaluated.rule_set)
        .into_iter()
        .filter_map(|entry| {
            let found = evaluated
                .rule_set
                .rules()
                .get(entry.rule)?
                .conclusions
                .get(entry.conclusion)?;
            Some((entry.rule, found))
        })
        .collect()
}

/// Writes the report.
pub fn render(evaluated: &Evaluated<'_>, audience: Audience) -> String {
    render_at(evaluated, audience, Level::Brief)
}

/// Writes the report at a level of detail: `Brief` is the clinical note;
/// `Rules` adds why each rule fired, did not fire or waits; `Full` adds
/// every condition of every rule with the patient's value. The report for
/// patients and families is the same at every level.
pub fn render_at(evaluated: &Evaluated<'_>, audience: Audience, level: Level) -> String {
    match audience {
        Audience::Clinician => clinician(evaluated, level),
        Audience::Patient => patient(evaluated),
    }
}

/// Why each rule fired, did not fire or waits, and at `Full` every
/// condition with its value, as a section of the report.
fn rule_trace(out: &mut String, evaluated: &Evaluated<'_>, level: Level) {
    let rule_set = evaluated.rule_set;
    let _ = writeln!(out, "## How each rule was decided\n");
    for (rule, outcome) in rule_set.rules().iter().zip(&evaluated.evaluation.rules) {
        let status = match outcome.status {
            RuleStatus::Fired => "fired",
            RuleStatus::NotFired => "did not fire",
            RuleStatus::Undetermined => "not yet decided",
        };
        let title = rule
            .title
            .as_deref()
            .map(|title| format!(" ({})", escape(title)))
            .unwrap_or_default();
        let _ = writeln!(out, "- `{}`{title}: {status}", rule.id);
        let written = match level {
            Level::Full => crate::render::report::conditions(&rule.condition, &outcome.nodes)
                .iter()
                .map(|condition| {
                    // As the text trace marks them: holds, fails, not known.
                    let mark = match condition.value().truth() {
                        Truth::True => "✓",
                        Truth::False => "✗",
                        Truth::Unknown => "?",
                    };
                    format!(
                        "{mark} {}",
                        reasons::sentence(evaluated, condition.expr, condition.values)
                    )
                })
                .collect::<Vec<_>>(),
            _ => reasons::reasons(evaluated, &rule.condition, &outcome.nodes)
                .into_iter()
                .map(|reason| reason.text)
                .collect(),
        };
        for line in written {
            let _ = writeln!(out, "  - {}", escape(&line));
        }
    }
    out.push('\n');
}

/// Which rules made a family's summary, in plain words: their version and
/// whether their clinical reviewers have approved them, without codes.
fn plain_provenance(evaluated: &Evaluated<'_>) -> String {
    let metadata = evaluated.rule_set.metadata();
    let approval = match (metadata.status, metadata.reviewed) {
        (Status::Approved, Some(date)) => {
            format!("approved by their clinical reviewers, last reviewed on {date}")
        }
        (Status::Approved, None) => "approved by their clinical reviewers".to_owned(),
        (Status::Retired, _) => "no longer in use".to_owned(),
        _ => "not yet approved by their clinical reviewers".to_owned(),
    };
    format!(
        "The rules used, version {}, are {approval}.",
        metadata.version
    )
}

/// The line under the title: which rule set, its status and review.
fn provenance(evaluated: &Evaluated<'_>) -> String {
    let metadata = evaluated.rule_set.metadata();
    let reviewed = metadata.reviewed.map_or_else(
        || "not yet reviewed".to_owned(),
        |date| format!("reviewed {date}"),
    );
    format!(
        "Rule set `{}` version {}, status `{}`, {reviewed}.",
        metadata.id,
        escape(&metadata.version),
        metadata.status.word()
    )
}

fn clinician(evaluated: &Evaluated<'_>, level: Level) -> String {
    let Evaluated {
        rule_set,
        case,
        evaluation,
        ..
    } = *evaluated;
    let metadata = rule_set.metadata();
    let mut out = String::new();
    let mut citations = Citations { order: Vec::new() };
    let _ = writeln!(out, "# {}\n", escape(&metadata.title));
    if metadata.status != Status::Approved {
        let _ = writeln!(
            out,
            "> **Not approved for clinical use.** This rule set's status is `{}`: its content has not been approved by its clinical reviewers.\n",
            metadata.status.word()
        );
    }
    // A patient outside the rule set's population, or not yet known to be
    // in it, is told before anything else.
    let population =
        reasons::population_of(rule_set, rule_set.population(), &evaluation.population);
    let words = |which: Truth| {
        population
            .iter()
            .filter(|(truth, _)| *truth == which)
            .map(|(_, words)| escape(words))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match evaluation.applicable {
        Truth::False => {
            let _ = writeln!(
                out,
                "> **Not for this patient.** This rule set applies only to: {}.\n",
                words(Truth::False)
            );
        }
        Truth::Unknown => {
            let _ = writeln!(
                out,
                "> **Not known yet whether this rule set applies.** It applies only to: {}.\n",
                words(Truth::Unknown)
            );
        }
        Truth::True => {}
    }
    let _ = writeln!(out, "{}\n", provenance(evaluated));

    // The case.
    let _ = writeln!(out, "## Case\n");
    match (&case.id, &case.description) {
        (Some(id), Some(description)) => {
            let _ = writeln!(out, "**{}**: {}\n", escape(id), escape(description));
        }
        (Some(id), None) => {
            let _ = writeln!(out, "**{}**\n", escape(id));
        }
        (None, Some(description)) => {
            let _ = writeln!(out, "{}\n", escape(description));
        }
        (None, None) => {}
    }
    if let Some(as_of) = case.as_of {
        let _ = writeln!(out, "As of {as_of}.\n");
    }
    let given: Vec<String> = rule_set
        .facts()
        .iter()
        .zip(&case.slots)
        .filter_map(|(fact, slot)| match slot {
            Slot::Given(value) => Some(format!(
                "- {}: {}",
                escape(fact.description.as_deref().unwrap_or(&fact.name)),
                escape(&value.display)
            )),
            // A value set aside is shown, not used, with the reason.
            Slot::SetAside { value, .. } => Some(format!(
                "- {}: {} (set aside: {})",
                escape(fact.description.as_deref().unwrap_or(&fact.name)),
                escape(&value.display),
                escape(&crate::render::report::set_aside_text(fact, slot).unwrap_or_default())
            )),
            _ => None,
        })
        .collect();
    if given.is_empty() {
        let _ = writeln!(out, "The case gives no data.\n");
    } else {
        let _ = writeln!(out, "Data given:\n\n{}\n", given.join("\n"));
    }

    let conclusions = reached(evaluated);
    let of_kind = |kinds: &[ConclusionKind]| -> Vec<(usize, &CheckedConclusion)> {
        conclusions
            .iter()
            .filter(|(_, conclusion)| kinds.contains(&conclusion.kind))
            .copied()
            .collect()
    };

    // Assessment: diagnoses with the findings they rest on, scores,
    // differentials and notes.
    let _ = writeln!(out, "## Assessment\n");
    let diagnoses = of_kind(&[ConclusionKind::Diagnosis]);
    let notes = of_kind(&[ConclusionKind::Note]);
    // Only when the rules reach nothing at all: beside a warning or an
    // action, "no diagnosis" would read as reassurance.
    if evaluation.conclusions.is_empty() {
        let _ = writeln!(out, "No diagnosis is suggested by the data given.\n");
    }
    for (rule_index, conclusion) in &diagnoses {
        let mut line = format!("- **{}**", escape(&conclusion.text));
        match (conclusion.action, conclusion.certainty) {
            (Some(DiagnosisAction::Exclude), Some(certainty)) => {
                let _ = write!(line, ": excluded ({})", certainty.word());
            }
            (Some(DiagnosisAction::Suspect), Some(certainty)) => {
                let _ = write!(line, ": {}", certainty.word());
            }
            _ => {}
        }
        if let Some(rationale) = &conclusion.rationale {
            let _ = write!(line, ". {}", escape(rationale));
        }
        line.push_str(&citations.mark(&conclusion.citations));
        let _ = writeln!(out, "{line}");
        if let (Some(rule), Some(outcome)) = (
            rule_set.rules().get(*rule_index),
            evaluation.rules.get(*rule_index),
        ) {
            let reasons = reasons::reasons(evaluated, &rule.condition, &outcome.nodes);
            if !reasons.is_empty() {
                let _ = writeln!(out, "  - Based on:");
                for reason in reasons {
                    let _ = writeln!(out, "    - {}", escape(&reason.text));
                    if let Some(derivation) = &reason.derivation {
                        let _ = writeln!(out, "      - {}", escape(derivation));
                    }
                }
            }
        }
    }
    for (_, conclusion) in &notes {
        let _ = writeln!(
            out,
            "- {}{}",
            escape(&conclusion.text),
            citations.mark(&conclusion.citations)
        );
    }
    if !diagnoses.is_empty() || !notes.is_empty() {
        out.push('\n');
    }
    for (derived, outcome) in rule_set.lets().iter().zip(&evaluation.lets) {
        let value = derived_value_text(derived, &outcome.value, &outcome.nodes)
            .unwrap_or_else(|| "not known".to_owned());
        let _ = writeln!(
            out,
            "- {}: {}",
            escape(derived.title.as_deref().unwrap_or(&derived.name)),
            escape(&value)
        );
    }
    for (score, outcome) in rule_set.scores().iter().zip(&evaluation.scores) {
        let total = if outcome.low == outcome.high {
            outcome.low.to_string()
        } else {
            format!("{} to {}", outcome.low, outcome.high)
        };
        let name = escape(score.title.as_deref().unwrap_or(&score.id));
        // Outside its population a score is not used: the report says so
        // and why, and gives no total.
        if outcome.applicable == Truth::False {
            let because = reasons::population_text(rule_set, score, outcome, Truth::False);
            let _ = writeln!(
                out,
                "- {name}: **not applicable** to this patient (applies to: {}){}",
                escape(&because),
                citations.mark(&score.citations)
            );
            continue;
        }
        let mut line = if outcome.applicable == Truth::Unknown {
            let unknown = reasons::population_text(rule_set, score, outcome, Truth::Unknown);
            format!(
                "- {name}: **not known whether it applies** (applies to: {}); if it does, {total}",
                escape(&unknown)
            )
        } else {
            format!("- {name}: **{total}**")
        };
        if let Some(band) = outcome.band.and_then(|band| score.bands.get(band)) {
            let _ = write!(
                line,
                ", {}",
                escape(band.title.as_deref().unwrap_or(&band.id))
            );
            if let Some(recommendation) = &band.recommendation {
                let _ = write!(line, ": {}", escape(recommendation));
            }
            line.push_str(&citations.mark(&band.citations));
        } else if !score.bands.is_empty() && outcome.low != outcome.high {
            line.push_str(", band not decided");
        }
        if !outcome.missing.is_empty() {
            let _ = write!(
                line,
                " (missing: {})",
                escape(&fact_descriptions(evaluated, &outcome.missing))
            );
        }
        line.push_str(&citations.mark(&score.citations));
        let _ = writeln!(out, "{line}");
    }
    if !rule_set.lets().is_empty() || !rule_set.scores().is_empty() {
        out.push('\n');
    }
    for (differential, outcome) in rule_set
        .differentials()
        .iter()
        .zip(&evaluation.differentials)
    {
        let _ = writeln!(
            out,
            "Differential: {}{}\n",
            escape(differential.title.as_deref().unwrap_or(&differential.id)),
            citations.mark(&differential.citations)
        );
        for (candidate, candidate_outcome) in
            differential.candidates.iter().zip(&outcome.candidates)
        {
            let status = candidate_status(candidate_outcome.status);
            let _ = writeln!(
                out,
                "- **{}**: {status}",
                escape(candidate.title.as_deref().unwrap_or(&candidate.id))
            );
            for (argument, nodes) in candidate.arguments.iter().zip(&candidate_outcome.arguments) {
                if nodes.first().map_or(Truth::Unknown, Val::truth) != Truth::True {
                    continue;
                }
                let side = if argument.supports { "for" } else { "against" };
                let _ = writeln!(
                    out,
                    "  - {side}: {}{}",
                    escape(argument.title.as_deref().unwrap_or(&argument.id)),
                    citations.mark(&argument.citations)
                );
            }
            if !candidate_outcome.missing.is_empty() {
                let _ = writeln!(
                    out,
                    "  - waiting on: {}",
                    escape(&fact_descriptions(evaluated, &candidate_outcome.missing))
                );
            }
        }
        out.push('\n');
    }

    let sections: [(&str, &[ConclusionKind]); 4] = [
        ("Recommended work-up", &[ConclusionKind::Test]),
        (
            "Management",
            &[ConclusionKind::Referral, ConclusionKind::Treatment],
        ),
        ("Pitfalls", &[ConclusionKind::Warning]),
        ("Follow-up", &[ConclusionKind::FollowUp]),
    ];
    for (heading, kinds) in sections {
        let members = of_kind(kinds);
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {heading}\n");
        for (_, conclusion) in members {
            let prefix = match conclusion.kind {
                ConclusionKind::Referral => "Refer: ",
                ConclusionKind::Treatment => "Treat: ",
                _ => "",
            };
            let mut line = format!("- {prefix}{}", headline(conclusion));
            if let Some(rationale) = &conclusion.rationale {
                let _ = write!(line, ". {}", escape(rationale));
            }
            line.push_str(&citations.mark(&conclusion.citations));
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }

    // The diagnoses the rules considered, and what argued against each.
    let considered = reasons::not_suspected(evaluated);
    if !considered.is_empty() {
        let _ = writeln!(out, "## Considered and not suspected\n");
        for item in considered {
            let _ = writeln!(
                out,
                "- {}: not suspected, because {}{}",
                escape(&item.texts()),
                escape(&lowercase_first(&item.because)),
                // One diagnosis is cited as its rule cites it; a finding
                // that argued against several at once (the bands are not
                // there) is a statement about the case, not the literature.
                if item.conclusions.len() == 1 {
                    citations.mark(&item.citations())
                } else {
                    String::new()
                }
            );
        }
        out.push('\n');
    }

    // What is undecided and what would decide it.
    let needs = reasons::needs_explained(evaluated);
    let undetermined: Vec<usize> = evaluation
        .rules
        .iter()
        .enumerate()
        .filter(|(_, outcome)| outcome.status == RuleStatus::Undetermined)
        .map(|(index, _)| index)
        .collect();
    if !undetermined.is_empty() {
        let _ = writeln!(out, "## Not yet decided\n");
        for index in undetermined {
            let (Some(rule), Some(outcome)) =
                (rule_set.rules().get(index), evaluation.rules.get(index))
            else {
                continue;
            };
            let _ = writeln!(
                out,
                "- {}: waiting on {}",
                escape(rule.title.as_deref().unwrap_or(&rule.id)),
                escape(&fact_descriptions(evaluated, &outcome.missing))
            );
        }
        out.push('\n');
        write_needs(&mut out, evaluated, &needs, Audience::Clinician);
    }

    if level != Level::Brief {
        rule_trace(&mut out, evaluated, level);
    }

    // References, numbered in the order first cited.
    if !citations.order.is_empty() {
        let _ = writeln!(out, "## References\n");
        for (number, index) in citations.order.iter().enumerate() {
            let Some(reference) = rule_set.references().get(*index) else {
                continue;
            };
            let mut line = format!("{}. {}", number + 1, escape(&reference.citation));
            if let Some(pmid) = &reference.pmid {
                let _ = write!(line, " PMID {pmid}.");
            }
            if let Some(doi) = &reference.doi {
                let _ = write!(line, " doi:{}", escape(doi));
            }
            if let Some(url) = &reference.url {
                let _ = write!(line, " <{url}>");
            }
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "---\n");
    let _ = writeln!(
        out,
        "*{}, version {}, status `{}`, {}. This report supports clinical judgement and does not replace it: it follows only from the data given and the rules written, and every statement should be checked against the cited literature and the patient.*",
        escape(&metadata.title),
        escape(&metadata.version),
        metadata.status.word(),
        metadata.reviewed.map_or_else(
            || "not yet reviewed".to_owned(),
            |date| format!("reviewed {date}")
        )
    );
    out
}

/// The missing facts, by their descriptions.
fn fact_descriptions(evaluated: &Evaluated<'_>, facts: &[usize]) -> String {
    facts
        .iter()
        .filter_map(|index| {
            evaluated.rule_set.facts().get(*index).map(|fact| {
                fact.description
                    .clone()
                    .unwrap_or_else(|| fact.name.clone())
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The missing data, most useful first, and what it would decide.
fn write_needs(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    needs: &[NeedExplained],
    audience: Audience,
) {
    let rule_set = evaluated.rule_set;
    let heading = match audience {
        Audience::Clinician => "Data that would change the picture",
        Audience::Patient => "What is still to be found out",
    };
    let _ = writeln!(out, "## {heading}\n");
    for (rank, (need, explained)) in evaluated.evaluation.needs.iter().zip(needs).enumerate() {
        let Some(fact) = rule_set.facts().get(need.fact) else {
            continue;
        };
        // For a family, the fact's own plain words when the editor gave them.
        let plain = match audience {
            Audience::Patient => fact.patient.as_deref(),
            Audience::Clinician => None,
        };
        let name = plain.or(fact.description.as_deref()).unwrap_or(&fact.name);
        let _ = writeln!(out, "{}. **{}**", rank + 1, escape(name));
        if audience == Audience::Patient {
            continue;
        }
        if let Some(ask) = &fact.ask {
            let _ = writeln!(out, "   - To obtain: {}", escape(ask));
        }
        for score in need
            .scores
            .iter()
            .filter_map(|index| rule_set.scores().get(*index))
        {
            let _ = writeln!(
                out,
                "   - Decides whether {} applies to this patient",
                escape(score.title.as_deref().unwrap_or(&score.id))
            );
        }
        if need.rules.is_empty() {
            if need.required {
                let _ = writeln!(out, "   - Required by the rule set; no rule reads it yet");
            }
            continue;
        }
        if need.required {
            let _ = writeln!(out, "   - Required by the rule set");
        }
        for option in &explained.options {
            let fires: Vec<String> = option
                .fires
                .iter()
                .filter_map(|index| rule_set.rules().get(*index))
                .map(|rule| escape(rule.title.as_deref().unwrap_or(&rule.id)))
                .collect();
            let decides = if fires.is_empty() && option.undetermined.is_empty() {
                "none of the waiting rules applies".to_owned()
            } else if fires.is_empty() {
                "still undecided".to_owned()
            } else {
                fires.join("; ")
            };
            let _ = writeln!(out, "   - If {}: {decides}", escape(&option.text));
        }
    }
    out.push('\n');
}

fn patient(evaluated: &Evaluated<'_>) -> String {
    let rule_set = evaluated.rule_set;
    let metadata = rule_set.metadata();
    let mut out = String::new();
    let title = metadata.patient_title.as_deref().unwrap_or(&metadata.title);
    let _ = writeln!(out, "# {}\n", escape(title));
    let _ = writeln!(out, "*Information for patients and families*\n");
    if metadata.status != Status::Approved {
        let _ = writeln!(
            out,
            "> **Not yet approved.** The rules behind this summary have not yet been approved for use in care. Please talk it through with your care team.\n"
        );
    }
    // What is for clinicians only is left out entirely, not even counted.
    let conclusions: Vec<(usize, &CheckedConclusion)> = reached(evaluated)
        .into_iter()
        .filter(|(_, conclusion)| !conclusion.clinicians_only)
        .collect();
    let sections: [(&str, &[ConclusionKind]); 5] = [
        ("What the findings suggest", &[ConclusionKind::Diagnosis]),
        ("Tests", &[ConclusionKind::Test]),
        ("Who you may see", &[ConclusionKind::Referral]),
        ("Treatment", &[ConclusionKind::Treatment]),
        ("Follow-up", &[ConclusionKind::FollowUp]),
    ];
    let mut for_clinicians_only = 0;
    let mut clinical_wording = 0;
    for (heading, kinds) in sections {
        let members: Vec<&CheckedConclusion> = conclusions
            .iter()
            .filter(|(_, conclusion)| kinds.contains(&conclusion.kind))
            .map(|(_, conclusion)| *conclusion)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {heading}\n");
        for conclusion in members {
            match &conclusion.patient_text {
                Some(text) => {
                    let _ = writeln!(out, "- {}", escape(text));
                }
                None => {
                    clinical_wording += 1;
                    let _ = writeln!(out, "- {} *(clinical wording)*", headline(conclusion));
                }
            }
        }
        out.push('\n');
    }
    // Warnings and notes speak to clinicians unless the rules give them
    // plain-language text.
    let notes: Vec<&str> = conclusions
        .iter()
        .filter(|(_, conclusion)| {
            matches!(
                conclusion.kind,
                ConclusionKind::Warning | ConclusionKind::Note
            )
        })
        .filter_map(|(_, conclusion)| {
            if conclusion.patient_text.is_none() {
                for_clinicians_only += 1;
            }
            conclusion.patient_text.as_deref()
        })
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "## Good to know\n");
        for note in notes {
            let _ = writeln!(out, "- {}", escape(note));
        }
        out.push('\n');
    }
    if conclusions.is_empty() {
        let _ = writeln!(
            out,
            "There is nothing in this summary for patients and families yet: your care team will talk with you about the results.\n"
        );
    }
    if !evaluated.evaluation.needs.is_empty() {
        let needs = reasons::needs_explained(evaluated);
        write_needs(&mut out, evaluated, &needs, Audience::Patient);
    }
    let _ = writeln!(out, "---\n");
    if clinical_wording > 0 {
        let _ = writeln!(
            out,
            "Items marked *(clinical wording)* have no plain-language version yet: ask your care team what they mean.\n"
        );
    }
    if for_clinicians_only > 0 {
        let noun = if for_clinicians_only == 1 {
            "note"
        } else {
            "notes"
        };
        let _ = writeln!(
            out,
            "Your care team also has {for_clinicians_only} {noun} meant for clinicians, not shown here.\n"
        );
    }
    let _ = writeln!(
        out,
        "*This summary was produced by a computer program from the information your care team entered. It does not replace a conversation with them. {}*",
        plain_provenance(evaluated)
    );
    out
}
