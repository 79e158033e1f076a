//! The text rendering: a readable tree for a terminal.

use std::fmt::Write as _;

use clinrule_check::model::{CheckedConclusion, CheckedExprKind, ConclusionKind, Count, Expr};
use clinrule_eval::{RuleStatus, Truth, Val};

use crate::render::reasons;
use crate::render::report::{
    Evaluated, candidate_status, conclusion_line, decides_words, derived_source,
    derived_value_text, table_rows, tested_value, tests_a_fact,
};

/// Colours, used only when writing to a terminal and `NO_COLOR` is not set.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    /// A palette that colours when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Palette { enabled }
    }

    /// Wraps `text` in an ANSI style when colour is on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    /// Bold text.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// The mark of a truth: ✓ true, ✗ false, ? unknown.
    pub fn truth(&self, truth: Truth) -> String {
        match truth {
            Truth::True => self.paint("32", "✓"),
            Truth::False => self.paint("31", "✗"),
            Truth::Unknown => self.paint("33", "?"),
        }
    }
}

/// The order in which conclusion kinds are listed.
const KIND_ORDER: [ConclusionKind; 7] = [
    ConclusionKind::Diagnosis,
    ConclusionKind::Test,
    ConclusionKind::Referral,
    ConclusionKind::Treatment,
    ConclusionKind::Warning,
    ConclusionKind::FollowUp,
    ConclusionKind::Note,
];

/// How much of the story the text tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The conclusions and why each was reached, what is undecided and what
    /// would decide it.
    Brief,
    /// Also every rule that did not fire, with the conditions that failed.
    Rules,
    /// Every condition of every rule, and every score criterion and
    /// differential argument.
    Full,
}

/// Writes the result for a terminal, at the given level of detail.
pub fn render(evaluated: &Evaluated<'_>, palette: Palette, level: Level) -> String {
    let Evaluated {
        rule_set,
        case,
        evaluation,
        ..
    } = *evaluated;
    let _ = case;
    let metadata = rule_set.metadata();
    let mut out = String::new();
    let _ = writeln!(out, "{}", palette.bold(&metadata.title));
    let reviewed = metadata.reviewed.map_or_else(
        || "no review date".to_owned(),
        |date| format!("reviewed {date}"),
    );
    let _ = writeln!(
        out,
        "rule set {} {} · status {} · {}",
        metadata.id,
        metadata.version,
        metadata.status.word(),
        reviewed
    );
    if metadata.status != clinrule_syntax::ast::Status::Approved {
        let _ = writeln!(
            out,
            "{}",
            palette.paint(
                "33",
                &format!(
                    "not approved for clinical use: this rule set's status is `{}`",
                    metadata.status.word()
                )
            )
        );
    }
    // The case's own words, on one line each: a line break or an escape
    // sequence in them could otherwise forge a line of this report.
    let safe = |text: &str| crate::safe_text::one_line(text).into_owned();
    match (
        case.id.as_deref().map(safe),
        case.description.as_deref().map(safe),
    ) {
        (Some(id), Some(description)) => {
            let _ = writeln!(out, "case {id}: {description}");
        }
        (Some(id), None) => {
            let _ = writeln!(out, "case {id}");
        }
        (None, Some(description)) => {
            let _ = writeln!(out, "case: {description}");
        }
        (None, None) => {}
    }

    // Whom the rule set applies to, when the patient is not, or not yet
    // known to be, among them.
    let population =
        reasons::population_of(rule_set, rule_set.population(), &evaluation.population);
    let heading = match evaluation.applicable {
        Truth::False => Some("not for this patient: this rule set applies only to"),
        Truth::Unknown => Some("not known yet whether this rule set applies:"),
        Truth::True => None,
    };
    if let Some(heading) = heading {
        let conditions: Vec<&str> = population
            .iter()
            .filter(|(truth, _)| *truth == evaluation.applicable)
            .map(|(_, words)| words.as_str())
            .collect();
        let _ = writeln!(
            out,
            "{} {heading} {}",
            palette.truth(evaluation.applicable),
            conditions.join("; ")
        );
    }

    // Values the case gives that the rule set sets aside: shown, not used.
    for (fact, slot) in rule_set.facts().iter().zip(&case.slots) {
        if let (clinrule_eval::case::Slot::SetAside { value, .. }, Some(why)) =
            (slot, crate::render::report::set_aside_text(fact, slot))
        {
            let _ = writeln!(
                out,
                "{} {} {}: set aside: {why}",
                palette.truth(Truth::Unknown),
                fact.name,
                safe(&value.display)
            );
        }
    }

    // Conclusions, grouped by kind; one reached by several rules is
    // written once, with every rule that reached it.
    let reached = evaluation.reached(rule_set);
    let _ = writeln!(
        out,
        "\n{}",
        palette.bold(&format!("Conclusions ({})", reached.len()))
    );
    if reached.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let mut cited: Vec<usize> = Vec::new();
    for kind in KIND_ORDER {
        for entry in &reached {
            let Some(rule) = rule_set.rules().get(entry.rule) else {
                continue;
            };
            let Some(conclusion) = rule.conclusions.get(entry.conclusion) else {
                continue;
            };
            if conclusion.kind != kind {
                continue;
            }
            let by: Vec<&CheckedConclusion> = entry
                .by
                .iter()
                .filter_map(|(rule, conclusion)| {
                    rule_set.rules().get(*rule)?.conclusions.get(*conclusion)
                })
                .collect();
            let rule_ids: Vec<&str> = entry
                .by
                .iter()
                .filter_map(|(rule, _)| rule_set.rules().get(*rule))
                .map(|rule| rule.id.as_str())
                .collect();
            let headline = headline(conclusion);
            let _ = writeln!(out, "  {:<10} {headline}", kind.word());
            let label = if rule_ids.len() == 1 { "rule" } else { "rules" };
            let mut details = format!("id {} · {label} {}", conclusion.id, rule_ids.join(", "));
            let citations: Vec<usize> = by
                .iter()
                .flat_map(|conclusion| conclusion.citations.iter().copied())
                .collect();
            if !citations.is_empty() {
                // In the order the rule set lists its references.
                let mut sorted = citations.clone();
                sorted.sort_unstable();
                sorted.dedup();
                let ids: Vec<&str> = sorted
                    .iter()
                    .filter_map(|index| {
                        rule_set
                            .references()
                            .get(*index)
                            .map(|reference| reference.id.as_str())
                    })
                    .collect();
                let _ = write!(details, " · cites {}", ids.join(", "));
                for index in &citations {
                    if !cited.contains(index) {
                        cited.push(*index);
                    }
                }
            }
            let _ = writeln!(out, "  {:<10} {}", "", palette.dim(&details));
            // Each rule's own reason, once.
            let mut said: Vec<&str> = Vec::new();
            for rationale in by
                .iter()
                .filter_map(|conclusion| conclusion.rationale.as_deref())
            {
                if said.contains(&rationale) {
                    continue;
                }
                said.push(rationale);
                let _ = writeln!(
                    out,
                    "  {:<10} {}",
                    "",
                    palette.dim(&format!("because {rationale}"))
                );
            }
        }
    }

    // The diagnoses the rules considered, and what argued against each.
    let considered = reasons::not_suspected(evaluated);
    if !considered.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            palette.bold(&format!(
                "Considered and not suspected ({})",
                considered.len()
            ))
        );
        for item in &considered {
            let _ = writeln!(out, "  {}", item.texts());
            let rules: Vec<&str> = item
                .rules
                .iter()
                .filter_map(|index| rule_set.rules().get(*index))
                .map(|rule| rule.id.as_str())
                .collect();
            let label = if rules.len() == 1 { "rule" } else { "rules" };
            let _ = writeln!(
                out,
                "  {}",
                palette.dim(&format!(
                    "not suspected: {} · {label} {}",
                    item.because,
                    rules.join(", ")
                ))
            );
        }
    }

    scores_and_differentials(&mut out, evaluated, palette, level == Level::Full);

    let needs = reasons::needs_explained(evaluated);
    let alone = reasons::deciding_alone(evaluated, &needs);
    if level == Level::Full {
        full_rules(&mut out, evaluated, palette);
    } else {
        rule_reasons(&mut out, evaluated, palette, level, &alone);
    }

    // The facts worth obtaining, and what each would decide.
    if !evaluation.needs.is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Needs"));
        for (rank, (need, explained)) in evaluation.needs.iter().zip(&needs).enumerate() {
            let Some(fact) = rule_set.facts().get(need.fact) else {
                continue;
            };
            let description = fact
                .description
                .as_deref()
                .map(|text| format!(": {text}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}. {}{description}", rank + 1, fact.name);
            if let Some(ask) = &fact.ask {
                let _ = writeln!(out, "     {}", palette.dim(&format!("ask: {ask}")));
            }
            if !need.scores.is_empty() {
                let scores: Vec<&str> = need
                    .scores
                    .iter()
                    .filter_map(|index| rule_set.scores().get(*index))
                    .map(|score| score.id.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "     would decide whether {} applies to the patient",
                    scores.join(", ")
                );
            }
            if need.rules.is_empty() {
                if need.required {
                    // Declared `required`: a result the work-up always needs.
                    let _ = writeln!(out, "     required by the rule set; no rule reads it yet");
                }
                continue;
            }
            let rules = rule_ids(evaluated, &need.rules);
            let required = if need.required { "; required" } else { "" };
            let _ = writeln!(
                out,
                "     would decide {}: {rules}{required}",
                decides_words(need.rules.len(), need.conclusions)
            );
            for line in option_lines(evaluated, explained) {
                let _ = writeln!(out, "       {line}");
            }
        }
    }

    // The references the conclusions cite.
    write_references(&mut out, evaluated, palette, cited);
    out
}

/// A conclusion in one line: its text, certainty, interval and urgency.
pub fn headline(conclusion: &CheckedConclusion) -> String {
    conclusion_line(conclusion, str::to_owned, |urgency| {
        format!(" [urgency: {urgency}]")
    })
}

/// The rules' identifiers, joined for a line of text.
fn rule_ids(evaluated: &Evaluated<'_>, rules: &[usize]) -> String {
    rules
        .iter()
        .filter_map(|index| {
            evaluated
                .rule_set
                .rules()
                .get(*index)
                .map(|rule| rule.id.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What each range of a missing fact's values would decide, one line each;
/// one line saying so when, on its own, the fact decides none of its rules.
pub fn option_lines(evaluated: &Evaluated<'_>, explained: &reasons::NeedExplained) -> Vec<String> {
    if explained.options.is_empty() {
        return Vec::new();
    }
    if !explained.decides_something() {
        return vec![
            "on its own it decides none of them: other missing facts are needed too".to_owned(),
        ];
    }
    explained
        .options
        .iter()
        .map(|option| option_line(evaluated, option))
        .collect()
}

/// One range of a missing fact's values and what it would decide:
/// "at or above 3.5 ug/dL: fires lead_poisoning".
pub fn option_line(evaluated: &Evaluated<'_>, option: &reasons::OptionExplained) -> String {
    let mut parts = Vec::new();
    if !option.fires.is_empty() {
        parts.push(format!("fires {}", rule_ids(evaluated, &option.fires)));
    }
    if option.fires.is_empty() && option.undetermined.is_empty() {
        parts.push("none of them fires".to_owned());
    }
    if !option.undetermined.is_empty() {
        parts.push(format!(
            "still undecided: {}",
            rule_ids(evaluated, &option.undetermined)
        ));
    }
    format!("if {}: {}", option.text, parts.join("; "))
}

/// The rule's mark and status word.
pub fn rule_mark(palette: Palette, status: RuleStatus) -> String {
    let truth = match status {
        RuleStatus::Fired => Truth::True,
        RuleStatus::NotFired => Truth::False,
        RuleStatus::Undetermined => Truth::Unknown,
    };
    palette.truth(truth)
}

/// The rules that fired with the conditions that made them fire, the
/// undetermined ones with what they wait on, and (at `Level::Rules`) the
/// rules that did not fire with the conditions that failed.
fn rule_reasons(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    palette: Palette,
    level: Level,
    alone: &[Vec<usize>],
) {
    let Evaluated {
        rule_set,
        evaluation,
        ..
    } = *evaluated;
    let sections = [
        (RuleStatus::Fired, "Why: the rules that fired"),
        (
            RuleStatus::Undetermined,
            "Undecided: the rules that wait on missing data",
        ),
        (RuleStatus::NotFired, "Why not: the rules that did not fire"),
    ];
    for (status, heading) in sections {
        if status == RuleStatus::NotFired && level < Level::Rules {
            continue;
        }
        let members: Vec<usize> = evaluation
            .rules
            .iter()
            .enumerate()
            .filter(|(_, outcome)| outcome.status == status)
            .map(|(index, _)| index)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", palette.bold(heading));
        for index in members {
            let (Some(rule), Some(outcome)) =
                (rule_set.rules().get(index), evaluation.rules.get(index))
            else {
                continue;
            };
            let title = rule
                .title
                .as_deref()
                .map(|title| format!("  {}", palette.dim(title)))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} {}{title}", rule_mark(palette, status), rule.id);
            write_reasons(out, evaluated, &rule.condition, &outcome.nodes, palette);
            if !outcome.decided_without.is_empty() {
                let _ = writeln!(
                    out,
                    "      decided without {}: every value it could take gives the same answer",
                    fact_names(evaluated, &outcome.decided_without)
                );
            }
            if !outcome.missing.is_empty() {
                let deciding = alone.get(index).map(Vec::as_slice).unwrap_or_default();
                let named: Vec<String> = outcome
                    .missing
                    .iter()
                    .filter_map(|fact| {
                        let name = &rule_set.facts().get(*fact)?.name;
                        Some(if deciding.contains(fact) {
                            format!("{name} (would decide it alone)")
                        } else {
                            name.clone()
                        })
                    })
                    .collect();
                let _ = writeln!(out, "      missing: {}", named.join(", "));
            }
        }
    }
}

/// The conditions that decided an expression, each in words with its mark,
/// and under it how a derived value or score it tests was obtained.
pub fn write_reasons(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    expr: &Expr,
    values: &[Val],
    palette: Palette,
) {
    for reason in reasons::reasons(evaluated, expr, values) {
        let _ = writeln!(
            out,
            "      {} {}",
            palette.truth(reason.condition.value().truth()),
            reason.text
        );
        if let Some(derivation) = &reason.derivation {
            let _ = writeln!(out, "          {}", palette.dim(derivation));
        }
    }
}

/// Every rule with every condition, as a tree.
fn full_rules(out: &mut String, evaluated: &Evaluated<'_>, palette: Palette) {
    let Evaluated {
        rule_set,
        evaluation,
        ..
    } = *evaluated;
    let _ = writeln!(out, "\n{}", palette.bold("Rules"));
    for (rule, outcome) in rule_set.rules().iter().zip(&evaluation.rules) {
        let truth = match outcome.status {
            RuleStatus::Fired => Truth::True,
            RuleStatus::NotFired => Truth::False,
            RuleStatus::Undetermined => Truth::Unknown,
        };
        let status = format!("{:<12}", outcome.status.word().replace('_', " "));
        let title = rule
            .title
            .as_deref()
            .map(|title| format!("  {}", palette.dim(title)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} {}{title}",
            palette.truth(truth),
            status,
            rule.id
        );
        write_condition_tree(out, evaluated, &rule.condition, &outcome.nodes, palette, 6);
        if !outcome.missing.is_empty() {
            let _ = writeln!(
                out,
                "      missing: {}",
                fact_names(evaluated, &outcome.missing)
            );
        }
        if !outcome.decided_without.is_empty() {
            let _ = writeln!(
                out,
                "      decided without {}: every value it could take gives the same answer",
                fact_names(evaluated, &outcome.decided_without)
            );
        }
    }
}

/// The references the conclusions cite, in the order of the file.
pub fn write_references(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    palette: Palette,
    mut cited: Vec<usize>,
) {
    let rule_set = evaluated.rule_set;
    if !cited.is_empty() {
        cited.sort_unstable();
        let _ = writeln!(out, "\n{}", palette.bold("References"));
        for index in cited {
            let Some(reference) = rule_set.references().get(index) else {
                continue;
            };
            let mut line = format!("  [{}] {}", reference.id, reference.citation);
            if let Some(pmid) = &reference.pmid {
                let _ = write!(line, " PMID {pmid}.");
            }
            if let Some(doi) = &reference.doi {
                let _ = write!(line, " doi:{doi}");
            }
            if let Some(url) = &reference.url {
                let _ = write!(line, " {url}");
            }
            let _ = writeln!(out, "{line}");
        }
    }
}

/// Fact names joined for a line of text.
pub fn fact_names(evaluated: &Evaluated<'_>, facts: &[usize]) -> String {
    facts
        .iter()
        .filter_map(|fact| {
            evaluated
                .rule_set
                .facts()
                .get(*fact)
                .map(|fact| fact.name.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a condition as a tree: groups (`all of`, `any of` ...) and, under
/// them, each condition with its mark and the patient's value.
pub fn write_condition_tree(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    expr: &Expr,
    values: &[Val],
    palette: Palette,
    indent: usize,
) {
    // A rule's condition is usually `a and b and c`: list the parts directly.
    let skip_root = matches!(expr.kind, CheckedExprKind::All(_));
    let mut lines: Vec<(usize, String, Truth, Option<String>)> = Vec::new();
    let mut skip_until = 0;
    for (position, node) in clinrule_eval::trace_nodes(expr, values)
        .into_iter()
        .enumerate()
    {
        if position < skip_until || (skip_root && position == 0) {
            continue;
        }
        let depth = if skip_root {
            node.depth.saturating_sub(1)
        } else {
            node.depth
        };
        let truth = node.value.truth();
        if node.expr.is_condition_leaf() {
            let count = node.expr.node_count();
            skip_until = position + count;
            let node_values = values.get(position..position + count).unwrap_or_default();
            let detail = match (
                tests_a_fact(node.expr),
                tested_value(evaluated, node.expr, node_values),
            ) {
                (true, Some(value)) => format!("patient: {value}"),
                (true, None) => "patient: not given".to_owned(),
                (false, Some(value)) => format!("value: {value}"),
                (false, None) => {
                    match crate::render::report::not_computed(node.expr, node_values) {
                        Some(reason) => format!("value: {reason}"),
                        None => "value: not decided".to_owned(),
                    }
                }
            };
            lines.push((
                depth,
                evaluated.rule_set.text(node.expr.span),
                truth,
                Some(detail),
            ));
            continue;
        }
        let label = match &node.expr.kind {
            CheckedExprKind::All(_) => "all of".to_owned(),
            CheckedExprKind::Any(_) => "any of".to_owned(),
            CheckedExprKind::Otherwise(_) => "the first known of".to_owned(),
            CheckedExprKind::Not(_) => "not".to_owned(),
            CheckedExprKind::Count { count, .. } => match count {
                Count::AtLeast(needed) => format!("at least {needed} of"),
                Count::AtMost(limit) => format!("at most {limit} of"),
            },
            _ => continue,
        };
        lines.push((depth, label, truth, None));
    }
    let width = lines
        .iter()
        .map(|(depth, label, _, _)| depth * 2 + label.chars().count())
        .max()
        .unwrap_or(0)
        .min(56);
    let margin = " ".repeat(indent);
    for (depth, label, truth, detail) in &lines {
        let nested = "  ".repeat(*depth);
        let used = depth * 2 + label.chars().count();
        let padding = " ".repeat(width.saturating_sub(used));
        match detail {
            Some(detail) => {
                let _ = writeln!(
                    out,
                    "{margin}{nested}{} {label}{padding}  {}",
                    palette.truth(*truth),
                    palette.dim(detail)
                );
            }
            None => {
                let _ = writeln!(out, "{margin}{nested}{} {label}", palette.truth(*truth));
            }
        }
    }
}

/// Writes the derived values, scores and differentials, when the rule set has any.
fn scores_and_differentials(
    out: &mut String,
    evaluated: &Evaluated<'_>,
    palette: Palette,
    detail: bool,
) {
    let Evaluated {
        rule_set,
        evaluation,
        ..
    } = *evaluated;
    if !rule_set.lets().is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Derived values"));
        for (derived, outcome) in rule_set.lets().iter().zip(&evaluation.lets) {
            let value = derived_value_text(derived, &outcome.value, &outcome.nodes)
                .unwrap_or_else(|| "unknown".to_owned());
            let title = derived
                .title
                .as_deref()
                .map(|title| format!("  {}", palette.dim(title)))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} = {value}{title}", derived.name);
            let _ = writeln!(
                out,
                "      {}",
                palette.dim(&format!("from {}", derived_source(rule_set, derived)))
            );
            // A lookup table shows the rows its key may fall in.
            if let Some(rows) = table_rows(derived, &outcome.nodes) {
                let truth = if rows.len() == 1 {
                    Truth::True
                } else {
                    Truth::Unknown
                };
                if rows.is_empty() && !matches!(outcome.value, Val::NotApplicable) {
                    let _ = writeln!(
                        out,
                        "      {} no row has this key",
                        palette.truth(Truth::False)
                    );
                }
                for (words, _) in rows {
                    let _ = writeln!(out, "      {} {words}", palette.truth(truth));
                }
            }
            if detail && derived.value.value_type == clinrule_check::model::ValueType::Bool {
                write_condition_tree(out, evaluated, &derived.value, &outcome.nodes, palette, 6);
            }
            if !outcome.missing.is_empty() {
                let _ = writeln!(
                    out,
                    "      missing: {}",
                    fact_names(evaluated, &outcome.missing)
                );
            }
        }
    }
    if !rule_set.scores().is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Scores"));
        for (score, outcome) in rule_set.scores().iter().zip(&evaluation.scores) {
            let total = if outcome.low == outcome.high {
                outcome.low.to_string()
            } else {
                format!("{} to {}", outcome.low, outcome.high)
            };
            // A score written without bands reports its total alone. While
            // its population is unknown, the band is the one it would have.
            let band = if outcome.applicable == Truth::Unknown {
                score
                    .bands
                    .iter()
                    .position(|band| band.contains(outcome.low, outcome.high))
            } else {
                outcome.band
            };
            let band = match band.and_then(|band| score.bands.get(band)) {
                Some(band) => {
                    let title = band
                        .title
                        .as_deref()
                        .map(|title| format!(": {title}"))
                        .unwrap_or_default();
                    format!(", band {}{title}", band.id)
                }
                None if score.bands.is_empty() => String::new(),
                None if outcome.low != outcome.high => ", band not decided".to_owned(),
                None => ", no band covers this total".to_owned(),
            };
            let title = score
                .title
                .as_deref()
                .map(|title| format!("  {}", palette.dim(title)))
                .unwrap_or_default();
            // Outside its population a score has no total; while the
            // population is unknown, its total is only what it would be.
            match outcome.applicable {
                Truth::True => {
                    let _ = writeln!(out, "  {} = {total}{band}{title}", score.id);
                }
                Truth::False => {
                    let _ = writeln!(out, "  {} = not applicable{title}", score.id);
                }
                Truth::Unknown => {
                    let _ = writeln!(
                        out,
                        "  {} = not known whether it applies; if it does, {total}{band}{title}",
                        score.id
                    );
                }
            }
            for (truth, words) in reasons::population(rule_set, score, outcome) {
                if detail || truth != Truth::True {
                    let _ = writeln!(out, "      {} applies to: {words}", palette.truth(truth));
                }
            }
            if outcome.applicable == Truth::False {
                continue;
            }
            if let Some(recommendation) = outcome
                .band
                .and_then(|band| score.bands.get(band))
                .and_then(|band| band.recommendation.as_deref())
            {
                let _ = writeln!(
                    out,
                    "      {}",
                    palette.dim(&format!("recommend: {recommendation}"))
                );
            }
            for (criterion, criterion_outcome) in score.criteria.iter().zip(&outcome.criteria) {
                if !detail {
                    break;
                }
                let plural = |value: clinrule_check::number::Rational| {
                    if value == clinrule_check::number::Rational::ONE {
                        "point"
                    } else {
                        "points"
                    }
                };
                let points = if criterion_outcome.low == criterion_outcome.high {
                    format!(
                        "{} {}",
                        criterion_outcome.low,
                        plural(criterion_outcome.low)
                    )
                } else {
                    format!(
                        "{} to {} points",
                        criterion_outcome.low, criterion_outcome.high
                    )
                };
                let truth = if criterion_outcome.low == criterion_outcome.high {
                    Truth::True
                } else {
                    Truth::Unknown
                };
                let title = criterion.title.as_deref().unwrap_or(&criterion.id);
                let _ = writeln!(out, "      {} {title}: {points}", palette.truth(truth));
            }
            if !outcome.missing.is_empty() {
                let _ = writeln!(
                    out,
                    "      missing: {}",
                    fact_names(evaluated, &outcome.missing)
                );
            }
        }
    }
    if !rule_set.differentials().is_empty() {
        let _ = writeln!(out, "\n{}", palette.bold("Differentials"));
        for (differential, outcome) in rule_set
            .differentials()
            .iter()
            .zip(&evaluation.differentials)
        {
            let title = differential
                .title
                .as_deref()
                .map(|title| format!("  {}", palette.dim(title)))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}{title}", differential.id);
            for (candidate, candidate_outcome) in
                differential.candidates.iter().zip(&outcome.candidates)
            {
                let mut status = candidate_status(candidate_outcome.status).to_string();
                // A status that the candidate's `otherwise` gave while some
                // status rule could not be decided says so.
                if candidate.otherwise.is_some()
                    && candidate_outcome.status == candidate.otherwise
                    && !candidate_outcome.missing.is_empty()
                {
                    status.push_str(", otherwise, until what is missing is known");
                }
                let range = |(low, high): (
                    clinrule_check::number::Rational,
                    clinrule_check::number::Rational,
                )| {
                    if low == high {
                        low.to_string()
                    } else {
                        format!("{low} to {high}")
                    }
                };
                let title = candidate.title.as_deref().unwrap_or(&candidate.id);
                let _ = writeln!(
                    out,
                    "    {}: {status} (for {}, against {})",
                    title,
                    range(candidate_outcome.support),
                    range(candidate_outcome.opposition)
                );
                for (argument, nodes) in
                    candidate.arguments.iter().zip(&candidate_outcome.arguments)
                {
                    let truth = nodes.first().map_or(Truth::Unknown, Val::truth);
                    // Briefly, only the arguments that hold.
                    if !detail && truth != Truth::True {
                        continue;
                    }
                    let side = if argument.supports { "for" } else { "against" };
                    let text = argument.title.as_deref().unwrap_or(&argument.id);
                    let _ = writeln!(out, "      {} {side}: {text}", palette.truth(truth));
                }
                if !candidate_outcome.missing.is_empty() {
                    let _ = writeln!(
                        out,
                        "      missing: {}",
                        fact_names(evaluated, &candidate_outcome.missing)
                    );
                }
            }
        }
    }
}
