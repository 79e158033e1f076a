//! What the renderings share: how values, thresholds and conditions read to a clinician.

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CANDIDATE_STATUSES, CheckedConclusion, CheckedExprKind, Const, DerivedValue, DiagnosisAction,
    Expr, RowMatch, TableRow, ValueType,
};
use clinrule_check::number::Rational;
use clinrule_check::units::{Dimension, Unit};
use clinrule_eval::case::{Slot, Value};
use clinrule_eval::{Case, Evaluation, Val};

/// Everything a rendering needs to know about one evaluated case.
#[derive(Debug, Clone, Copy)]
pub struct Evaluated<'a> {
    /// The checked rule set (with its source text).
    pub rule_set: &'a CheckedRuleSet,
    /// The case.
    pub case: &'a Case,
    /// The evaluation.
    pub evaluation: &'a Evaluation,
}

/// A conclusion in one line, as every rendering writes it: its text, its
/// certainty, its interval and its urgency. `words` writes the editor's
/// words (as they are, or escaped for Markdown), `urgency` the urgency.
pub fn conclusion_line(
    conclusion: &CheckedConclusion,
    words: fn(&str) -> String,
    urgency: fn(&str) -> String,
) -> String {
    let mut line = words(&conclusion.text);
    match (conclusion.action, conclusion.certainty) {
        (Some(DiagnosisAction::Exclude), Some(certainty)) => {
            line.push_str(&format!(": excluded ({})", certainty.word()));
        }
        (Some(DiagnosisAction::Suspect), Some(certainty)) => {
            line.push_str(&format!(": {}", certainty.word()));
        }
        _ => {}
    }
    if let Some(interval) = &conclusion.interval {
        let when = if interval.repeats { "every" } else { "in" };
        line.push_str(&format!(", {when} {}", words(&interval.text)));
    }
    if let Some(level) = conclusion.urgency {
        line.push_str(&urgency(level.word()));
    }
    line
}

/// A candidate's status in words: `not suggested`, or `undecided` when the
/// data leave it open.
pub fn candidate_status(status: Option<usize>) -> String {
    status
        .and_then(|status| CANDIDATE_STATUSES.get(status))
        .map_or("undecided".to_owned(), |status| status.replace('_', " "))
}

/// How many rules and conclusions a missing fact would decide, in words:
/// "1 rule (2 conclusions)".
pub fn decides_words(rules: usize, conclusions: usize) -> String {
    let rule_word = if rules == 1 { "rule" } else { "rules" };
    let conclusion_word = if conclusions == 1 {
        "conclusion"
    } else {
        "conclusions"
    };
    format!("{rules} {rule_word} ({conclusions} {conclusion_word})")
}

/// One condition of a trace: a test, or a yes/no value on its own.
pub struct Condition<'a> {
    /// The condition's node.
    pub expr: &'a Expr,
    /// The values of its nodes, itself first.
    pub values: &'a [Val],
}

impl Condition<'_> {
    /// The condition's own value.
    pub fn value(&self) -> &Val {
        self.values.first().unwrap_or(&Val::Unknown)
    }
}

/// The conditions of an expression, in the order written: its tests and
/// yes/no values, each once (a `not` in front of a test is part of it).
pub fn conditions<'a>(expr: &'a Expr, values: &'a [Val]) -> Vec<Condition<'a>> {
    let mut found = Vec::new();
    let mut skip_until = 0;
    for (position, node) in clinrule_eval::trace_nodes(expr, values)
        .into_iter()
        .enumerate()
    {
        if position < skip_until {
            continue;
        }
        if node.expr.is_condition_leaf() {
            let count = node.expr.node_count();
            found.push(Condition {
                expr: node.expr,
                values: values.get(position..position + count).unwrap_or_default(),
            });
            skip_until = position + count;
        }
    }
    found
}

/// Whether the value a condition tests is a fact of the patient (rather
/// than a derived value, a score or a differential).
pub fn tests_a_fact(expr: &Expr) -> bool {
    match &expr.kind {
        CheckedExprKind::Not(inner) => tests_a_fact(inner),
        CheckedExprKind::Compare { left: tested, .. }
        | CheckedExprKind::Between { value: tested, .. }
        | CheckedExprKind::Member { value: tested, .. }
        | CheckedExprKind::Presence { value: tested, .. } => {
            matches!(tested.kind, CheckedExprKind::Fact(_))
        }
        _ => matches!(expr.kind, CheckedExprKind::Fact(_)),
    }
}

/// The patient's value a condition tests, as a clinician reads it.
pub fn tested_value(evaluated: &Evaluated<'_>, expr: &Expr, values: &[Val]) -> Option<String> {
    let (tested, tested_values) = tested_part(expr, values)?;
    let text = value_text(evaluated, tested, tested_values.first()?)?;
    // A rounded value says what it was rounded from.
    if let CheckedExprKind::Round { value, .. } = &tested.kind
        && let Some(Some(from)) = tested_values
            .get(1)
            .map(|original| value_text(evaluated, value, original))
    {
        return Some(format!("{text} (from {from})"));
    }
    Some(text)
}

/// Why a calculation in a condition has no value although everything it
/// reads is known: a division by zero, or a result too large or too
/// precise to hold exactly. `None` when some input is simply missing,
/// which the missing facts already say.
pub fn not_computed(expr: &Expr, values: &[Val]) -> Option<&'static str> {
    let nodes = clinrule_eval::trace_nodes(expr, values);
    for (position, node) in nodes.iter().enumerate() {
        let CheckedExprKind::Arith { op, left, .. } = &node.expr.kind else {
            continue;
        };
        if !matches!(node.value, Val::Unknown) {
            continue;
        }
        let left_value = nodes.get(position + 1).map(|child| child.value);
        let right_value = nodes
            .get(position + 1 + left.node_count())
            .map(|child| child.value);
        let (Some(left_value), Some(right_value)) = (left_value, right_value) else {
            continue;
        };
        if matches!(left_value, Val::Unknown) || matches!(right_value, Val::Unknown) {
            continue;
        }
        let divides_by_zero = *op == clinrule_syntax::ast::ArithOp::Divide
            && right_value
                .as_numbers()
                .is_some_and(|(low, high)| low <= Rational::ZERO && high >= Rational::ZERO);
        return Some(if divides_by_zero {
            "cannot be computed: it divides by zero"
        } else {
            "cannot be computed: the result has more digits than can be held exactly"
        });
    }
    None
}

/// The part of a condition that holds the patient's value, with its value.
/// The value a condition tests, with the values of its nodes from its own on.
fn tested_part<'a>(expr: &'a Expr, values: &'a [Val]) -> Option<(&'a Expr, &'a [Val])> {
    match &expr.kind {
        CheckedExprKind::Not(inner) => tested_part(inner, values.get(1..)?),
        CheckedExprKind::Compare { left, .. } => Some((left, values.get(1..)?)),
        CheckedExprKind::Between { value, .. }
        | CheckedExprKind::Member { value, .. }
        | CheckedExprKind::Presence { value, .. } => Some((value, values.get(1..)?)),
        _ => Some((expr, values)),
    }
}

/// Why a value the case gives is set aside, in words: the reason the rule
/// set gives, and whether its condition holds or is not known yet; `None`
/// for a slot that is not set aside.
pub fn set_aside_text(fact: &clinrule_check::model::Fact, slot: &Slot) -> Option<String> {
    let Slot::SetAside { by, certain, .. } = slot else {
        return None;
    };
    let reason = fact
        .set_aside
        .get(*by)
        .map_or("", |clause| clause.reason.as_str());
    Some(if *certain {
        reason.to_owned()
    } else {
        format!("{reason} (until it is known whether this applies)")
    })
}

/// A value as a clinician reads it; `None` when unknown.
pub fn value_text(evaluated: &Evaluated<'_>, expr: &Expr, value: &Val) -> Option<String> {
    let rule_set = evaluated.rule_set;
    if let CheckedExprKind::Fact(index) = expr.kind {
        return fact_text(evaluated, index, value);
    }
    if let CheckedExprKind::Let(index) = expr.kind
        && let Some(derived) = rule_set.lets().get(index)
    {
        return derived_text(derived, value);
    }
    if let CheckedExprKind::Round {
        unit: Some(unit), ..
    } = &expr.kind
        && let Some(text) = in_unit(value, unit)
    {
        return Some(text);
    }
    if let (CheckedExprKind::Band(score), Val::Code(band)) = (&expr.kind, value) {
        return rule_set
            .scores()
            .get(*score)
            .and_then(|score| score.bands.get(*band))
            .map(|band| band.id.clone());
    }
    format_value(&expr.value_type, value)
}

/// What a derived value's expression reads, each with its value, in the
/// order written and without repeats: facts, derived values, scores, bands
/// and candidate statuses.
pub fn derived_uses(
    evaluated: &Evaluated<'_>,
    expr: &Expr,
    values: &[Val],
) -> Vec<(String, Option<String>)> {
    let rule_set = evaluated.rule_set;
    let mut uses: Vec<(String, Option<String>)> = Vec::new();
    for node in clinrule_eval::trace_nodes(expr, values) {
        if matches!(
            node.expr.kind,
            CheckedExprKind::Fact(_)
                | CheckedExprKind::Let(_)
                | CheckedExprKind::Score(_)
                | CheckedExprKind::Band(_)
                | CheckedExprKind::Status(..)
        ) {
            let name = match node.expr.kind {
                CheckedExprKind::Fact(index) => rule_set
                    .facts()
                    .get(index)
                    .map_or_else(String::new, |fact| fact.name.clone()),
                _ => rule_set.text(node.expr.span),
            };
            if !uses.iter().any(|(known, _)| *known == name) {
                uses.push((name, value_text(evaluated, node.expr, node.value)));
            }
        }
    }
    uses
}

/// A fact's value as the case gave it: `12 ug/dL`, `no (not reported)`, or
/// an age counted from a birth date.
fn fact_text(evaluated: &Evaluated<'_>, index: usize, value: &Val) -> Option<String> {
    let rule_set = evaluated.rule_set;
    match evaluated.case.slots.get(index) {
        Some(Slot::Given(Value { display, .. })) => Some(display.clone()),
        Some(Slot::SetAside { value, .. }) => Some(format!("{}, set aside", value.display)),
        _ => match value {
            Val::Unknown => None,
            Val::Bool(false) => Some("no (not reported)".to_owned()),
            Val::Age {
                born_low,
                born_high,
                as_of,
            } => {
                let birth = rule_set
                    .facts()
                    .get(index)
                    .and_then(|fact| fact.derived_from)
                    .and_then(|birth| match evaluated.case.slots.get(birth) {
                        Some(Slot::Given(value)) => Some(value.display.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let age = |born: clinrule_syntax::ast::Date| {
                    age_words(born.months_until(*as_of), born, *as_of)
                };
                if born_low == born_high {
                    Some(format!("{} (born {birth}, as of {as_of})", age(*born_low)))
                } else {
                    Some(format!(
                        "{} to {} (born {birth}, as of {as_of})",
                        age(*born_high),
                        age(*born_low)
                    ))
                }
            }
            other => format_value(
                &rule_set
                    .facts()
                    .get(index)
                    .map_or(ValueType::Text, |fact| fact.fact_type.value_type()),
                other,
            ),
        },
    }
}

/// How a derived value is computed, in one line: its expression as
/// written, or for a lookup table `table <key>`, without its rows.
pub fn derived_source(rule_set: &CheckedRuleSet, derived: &DerivedValue) -> String {
    match &derived.value.kind {
        CheckedExprKind::Table { key, .. } => format!("table {}", rule_set.text(key.span)),
        _ => rule_set.text(derived.value.span),
    }
}

/// A derived value as the result shows it: in its display unit, and for a
/// lookup table that gives texts, the text of its row.
pub fn derived_value_text(derived: &DerivedValue, value: &Val, nodes: &[Val]) -> Option<String> {
    if matches!(value, Val::Text)
        && let Some(rows) = table_rows(derived, nodes)
        && let Some((_, row)) = rows.first()
    {
        return row.text.clone();
    }
    derived_text(derived, value)
}

/// The rows of a lookup table that a derived value's key may fall in, each
/// with the row in words ("row from 2 to 3: 16.6 %, Moderate risk"); `None`
/// when the derived value is not a table.
pub fn table_rows<'d>(
    derived: &'d DerivedValue,
    nodes: &[Val],
) -> Option<Vec<(String, &'d TableRow)>> {
    let CheckedExprKind::Table { key, rows, .. } = &derived.value.kind else {
        return None;
    };
    // The key is the node after the table itself.
    let key_value = nodes.get(1).cloned().unwrap_or(Val::Unknown);
    let codes = match &key.value_type {
        ValueType::Code(codes) => Some(codes.clone()),
        _ => None,
    };
    Some(
        clinrule_eval::reachable_rows(rows, &key_value)
            .map(|(_, row)| (row_words(derived, row, codes.as_deref()), row))
            .collect(),
    )
}

/// A row of a lookup table in words: its keys, its value and its text.
pub fn row_words(derived: &DerivedValue, row: &TableRow, codes: Option<&[String]>) -> String {
    let key = match &row.key {
        RowMatch::Range { low, high } => match (low, high) {
            (Some(low), Some(high)) if low == high => format!("{low}"),
            (Some(low), Some(high)) => format!("from {low} to {high}"),
            (Some(low), None) => format!("from {low}"),
            (None, Some(high)) => format!("to {high}"),
            (None, None) => "any".to_owned(),
        },
        RowMatch::Codes(positions) => positions
            .iter()
            .filter_map(|position| codes.and_then(|codes| codes.get(*position)))
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    };
    let mut words = format!("row {key}");
    let value = row
        .value
        .and_then(|value| derived_text(derived, &Val::number(value)));
    match (value, &row.text) {
        (Some(value), Some(text)) => words.push_str(&format!(": {value}, {text}")),
        (Some(value), None) => words.push_str(&format!(": {value}")),
        (None, Some(text)) => words.push_str(&format!(": {text}")),
        (None, None) => {}
    }
    words
}

/// A derived value, in its display unit when it has one.
pub fn derived_text(derived: &DerivedValue, value: &Val) -> Option<String> {
    if let Some(unit) = &derived.display_unit
        && let Some(text) = in_unit(value, unit)
    {
        return Some(text);
    }
    format_value(&derived.value.value_type, value)
}

/// A number, or a range, shown in a unit as written: `6.5 mmol/L`; `None`
/// for a value that is not a number.
fn in_unit(value: &Val, (unit_text, unit): &(String, Unit)) -> Option<String> {
    let Val::Num(low, high) = value else {
        return None;
    };
    let shown = |base: Rational| {
        clinrule_check::units::from_base(base, unit)
            .map_or_else(|| base.to_string(), readable_number)
    };
    Some(if low == high {
        format!("{} {unit_text}", shown(*low))
    } else {
        format!("{} to {} {unit_text}", shown(*low), shown(*high))
    })
}

/// A number as a clinician reads it: exact when it has at most four
/// decimals, otherwise rounded to two and marked as such.
pub fn readable_number(value: Rational) -> String {
    let exact = value.to_string();
    let decimals = exact
        .split_once('.')
        .map_or(0, |(_, decimals)| decimals.len());
    let terminates = value
        .checked_mul(Rational::integer(10_000))
        .is_some_and(Rational::is_integer);
    if terminates && decimals <= 4 {
        return exact;
    }
    let hundredths = value.checked_mul(Rational::integer(100)).map(|scaled| {
        let (numerator, denominator) = (scaled.numerator(), scaled.denominator());
        // Round half away from zero.
        let rounded = (2 * numerator + numerator.signum() * denominator) / (2 * denominator);
        Rational::new(rounded, 100)
    });
    match hundredths.flatten() {
        Some(rounded) => format!("about {rounded}"),
        None => exact,
    }
}

/// An age in years, months and days.
fn age_words(
    months: i64,
    born: clinrule_syntax::ast::Date,
    as_of: clinrule_syntax::ast::Date,
) -> String {
    let days = born.add_months(months).map_or(0, |anniversary| {
        as_of.days_since_epoch() - anniversary.days_since_epoch()
    });
    let (years, months) = (months / 12, months % 12);
    let mut parts = Vec::new();
    if years > 0 {
        parts.push(format!("{years} year{}", if years == 1 { "" } else { "s" }));
    }
    if months > 0 {
        parts.push(format!(
            "{months} month{}",
            if months == 1 { "" } else { "s" }
        ));
    }
    if days > 0 || parts.is_empty() {
        parts.push(format!("{days} day{}", if days == 1 { "" } else { "s" }));
    }
    parts.join(" ")
}

/// A computed value: numbers in base units, with a range shown as `a to b`.
pub fn format_value(value_type: &ValueType, value: &Val) -> Option<String> {
    match value {
        Val::Unknown => None,
        Val::Bool(true) => Some("yes".to_owned()),
        Val::Bool(false) => Some("no".to_owned()),
        Val::Num(low, high) => {
            let dimension = match value_type {
                ValueType::Number(dimension) => *dimension,
                _ => Dimension::NONE,
            };
            if low == high {
                Some(number_with_unit(*low, dimension))
            } else {
                Some(format!(
                    "{} to {}",
                    number_with_unit(*low, dimension),
                    number_with_unit(*high, dimension)
                ))
            }
        }
        Val::Date(low, high) if low == high => Some(low.to_string()),
        Val::Date(low, high) => Some(format!("{low} to {high}")),
        Val::Code(code) => match value_type {
            ValueType::Code(codes) => codes.get(*code).cloned(),
            _ => CANDIDATE_STATUSES
                .get(*code)
                .map(|status| (*status).to_owned()),
        },
        Val::Text => Some("(text)".to_owned()),
        Val::Age { .. } => Some("an age".to_owned()),
        Val::NotApplicable => Some("not applicable".to_owned()),
    }
}

/// A number in base units with its dimension's symbol; times are shown in
/// days, months or years when they divide evenly.
fn number_with_unit(value: Rational, dimension: Dimension) -> String {
    if dimension == Dimension::NONE {
        return readable_number(value);
    }
    if dimension == Dimension::TIME {
        for (seconds, unit) in [
            (31_557_600, "years"),
            (2_629_800, "months"),
            (604_800, "weeks"),
            (86_400, "days"),
        ] {
            if let Some(count) = value.checked_div(Rational::integer(seconds))
                && count.is_integer()
            {
                return format!("{count} {unit}");
            }
        }
        return format!("{} s", readable_number(value));
    }
    format!("{} {dimension}", readable_number(value))
}

/// What a condition compares the patient's value with, as written.
pub fn threshold_text(rule_set: &CheckedRuleSet, expr: &Expr) -> Option<String> {
    match &expr.kind {
        CheckedExprKind::Not(inner) => match &inner.kind {
            CheckedExprKind::Fact(_) | CheckedExprKind::Let(_) => Some("no".to_owned()),
            _ => threshold_text(rule_set, inner),
        },
        CheckedExprKind::Compare {
            right,
            alternatives,
            ..
        } => {
            let mut text = written(rule_set, right);
            for alternative in alternatives {
                text.push_str(&format!(" ({})", rule_set.text(alternative.span)));
            }
            Some(text)
        }
        CheckedExprKind::Between {
            low,
            low_inclusive,
            high,
            high_inclusive,
            ..
        } => Some(format!(
            "{} {} to {} {}",
            written(rule_set, low),
            if *low_inclusive {
                "inclusive"
            } else {
                "exclusive"
            },
            written(rule_set, high),
            if *high_inclusive {
                "inclusive"
            } else {
                "exclusive"
            }
        )),
        CheckedExprKind::Member { value, codes, .. } => {
            let names: Vec<String> = match &value.value_type {
                ValueType::Code(known) => codes
                    .iter()
                    .filter_map(|code| known.get(*code).cloned())
                    .collect(),
                _ => Vec::new(),
            };
            Some(format!("({})", names.join(", ")))
        }
        CheckedExprKind::Presence { .. } => None,
        _ if expr.value_type == ValueType::Bool => Some("yes".to_owned()),
        _ => None,
    }
}

/// A sub-expression as written in the rule file; a code as its name.
fn written(rule_set: &CheckedRuleSet, expr: &Expr) -> String {
    if let (CheckedExprKind::Const(Const::Code(code)), ValueType::Code(codes)) =
        (&expr.kind, &expr.value_type)
    {
        return codes.get(*code).cloned().unwrap_or_default();
    }
    rule_set.text(expr.span)
}

/// A rational number for JSON: an integer when whole, else a decimal.
pub fn json_number(value: Rational) -> serde_json::Value {
    if value.is_integer()
        && let Ok(whole) = i64::try_from(value.numerator())
    {
        return serde_json::Value::from(whole);
    }
    serde_json::Number::from_f64(value.to_f64())
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}
