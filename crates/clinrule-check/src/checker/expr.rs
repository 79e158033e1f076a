//! Typing expressions: resolving names, checking that values compare and
//! combine, and converting every constant to base units.

use clinrule_syntax::Span;
use clinrule_syntax::ast::{self, ArithOp, CompareOp, CountKind, ExprKind, RoundMode};
use clinrule_syntax::suggest::did_you_mean;
use std::collections::HashMap;

use super::names::Symbol;
use super::{Checker, fact_kind, one_line, value_example};
use crate::error::CheckError;
use crate::model::*;
use crate::number::Rational;
use crate::units::{Dimension, Unit, parse_unit_often_used, to_base};

/// Where an expression stands, which decides what it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Context {
    /// Whether `for` and `against` (a candidate's tallies) may be used.
    pub(crate) tallies: bool,
}

impl Context {
    /// A rule's condition, a derived value, a score criterion, an argument.
    pub(crate) const RULE: Context = Context { tallies: false };
    /// A candidate's status rule.
    pub(crate) const STATUS: Context = Context { tallies: true };
}

impl Checker<'_> {
    /// Types an expression that must be a condition.
    pub(crate) fn condition(&mut self, expr: &ast::Expr, context: Context) -> Option<Expr> {
        let checked = self.expr(expr, context)?;
        if checked.value_type == ValueType::Bool {
            return Some(checked);
        }
        let written = one_line(expr.span.text(self.source));
        let help = match (&expr.kind, &checked.kind) {
            (_, CheckedExprKind::Fact(index)) => {
                let fact_type = self.facts.get(*index).map(|fact| fact.fact_type.clone());
                match fact_type {
                    Some(FactType::Age) => {
                        format!("write a comparison such as `{written} >= 6 months`")
                    }
                    Some(FactType::Text) => {
                        "test a yes/no, number, quantity, age, date or coded fact".to_owned()
                    }
                    Some(other) => format!(
                        "{}, or test whether it is known: `{written} is known`",
                        value_example(&other)
                    ),
                    None => String::new(),
                }
            }
            _ => format!(
                "compare it with something, such as `{written} >= 3`, or test whether it is known: `{written} is known`"
            ),
        };
        self.diagnostics.push(CheckError::NotYesNo {
            fact: written,
            fact_kind: self.kind_of(&checked),
            span: expr.span,
            help,
        });
        None
    }

    /// Types an expression.
    pub(crate) fn expr(&mut self, expr: &ast::Expr, context: Context) -> Option<Expr> {
        let span = expr.span;
        let typed = |kind: CheckedExprKind, value_type: ValueType| {
            Some(Expr {
                kind,
                value_type,
                span,
            })
        };
        match &expr.kind {
            ExprKind::All(parts) | ExprKind::Any(parts) => {
                let checked = self.conditions(parts, context)?;
                let kind = if matches!(expr.kind, ExprKind::All(_)) {
                    CheckedExprKind::All(checked)
                } else {
                    CheckedExprKind::Any(checked)
                };
                typed(kind, ValueType::Bool)
            }
            ExprKind::Otherwise(parts) => {
                let checked: Vec<Option<Expr>> =
                    parts.iter().map(|part| self.expr(part, context)).collect();
                let checked: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
                let first_type = checked.first().map(|part| part.value_type.clone())?;
                for (part, ast_part) in checked.iter().zip(parts).skip(1) {
                    if part.value_type != first_type {
                        self.diagnostics.push(CheckError::TypeMismatch {
                            fact: parts.first().map(|first| one_line(first.span.text(self.source))).unwrap_or_default(),
                            fact_kind: first_type.describe(),
                            value_kind: part.value_type.describe(),
                            span: ast_part.span,
                            declared: parts.first().map_or(span, |first| first.span),
                            help: "each side of `otherwise` must be the same kind of value: the second stands in for the first when it is unknown".to_owned(),
                        });
                        return None;
                    }
                }
                typed(CheckedExprKind::Otherwise(checked), first_type)
            }
            ExprKind::Not(inner) => {
                let inner = self.condition(inner, context)?;
                typed(CheckedExprKind::Not(Box::new(inner)), ValueType::Bool)
            }
            ExprKind::Count { kind, items } => {
                let checked = self.conditions(items, context)?;
                let count = self.count(kind, checked.len(), span)?;
                typed(
                    CheckedExprKind::Count {
                        count,
                        items: checked,
                    },
                    ValueType::Bool,
                )
            }
            ExprKind::Compare {
                left,
                op,
                right,
                alternative,
            } => self.compare(expr, left, *op, right, alternative.as_deref(), context),
            ExprKind::Between {
                value,
                low,
                low_inclusive,
                high,
                high_inclusive,
            } => {
                let (low_inclusive, high_inclusive) = match (low_inclusive, high_inclusive) {
                    (Some(low), Some(high)) => (low.value, high.value),
                    // `between A and B inclusive` speaks of both ends.
                    (None, Some(both)) => (both.value, both.value),
                    _ => {
                        self.diagnostics.push(CheckError::BetweenInclusivity {
                            span,
                            help: format!(
                                "write `inclusive` or `exclusive` after each end, such as `{} between {} inclusive and {} exclusive`, or once at the end for both",
                                one_line(value.span.text(self.source)),
                                one_line(low.span.text(self.source)),
                                one_line(high.span.text(self.source)),
                            ),
                        });
                        return None;
                    }
                };
                let checked_value = self.expr(value, context)?;
                let checked_low = self.expr(low, context);
                let checked_high = self.expr(high, context);
                let ordering = |value: CompareOp| clinrule_syntax::Spanned { value, span };
                let checked_low = self.make_comparable(
                    &checked_value,
                    value,
                    checked_low?,
                    low,
                    ordering(CompareOp::GreaterOrEqual),
                )?;
                let checked_high = self.make_comparable(
                    &checked_value,
                    value,
                    checked_high?,
                    high,
                    ordering(CompareOp::LessOrEqual),
                )?;
                typed(
                    CheckedExprKind::Between {
                        value: Box::new(checked_value),
                        low: Box::new(checked_low),
                        low_inclusive,
                        high: Box::new(checked_high),
                        high_inclusive,
                    },
                    ValueType::Bool,
                )
            }
            ExprKind::Within {
                value,
                amount,
                after,
                anchor,
            } => self.within(expr, value, amount, *after, anchor, context),
            ExprKind::Member {
                value,
                negated,
                codes,
            } => {
                let checked = self.expr(value, context)?;
                let ValueType::Code(known) = &checked.value_type else {
                    let written = one_line(value.span.text(self.source));
                    self.diagnostics.push(CheckError::TypeMismatch {
                        fact: written,
                        fact_kind: self.kind_of(&checked),
                        value_kind: "a list of codes".to_owned(),
                        span,
                        declared: self.declared_span(&checked, value.span),
                        help: "`in (...)` tests a value that is one of a set of codes, such as a fact declared `one of ...` or a score's band".to_owned(),
                    });
                    return None;
                };
                let known = known.clone();
                let mut positions = Vec::new();
                let mut all_known = true;
                // A long list of codes is looked up by name, not by a walk
                // of the fact's codes for each: linear in both lists.
                let by_name: Option<HashMap<&str, usize>> = (codes.len() > 8).then(|| {
                    known
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(position, code)| (code.as_str(), position))
                        .collect()
                });
                for code in codes {
                    let found = match &by_name {
                        Some(by_name) => by_name.get(code.name.as_str()).copied(),
                        None => known.iter().position(|candidate| *candidate == code.name),
                    };
                    match found {
                        Some(position) => positions.push(position),
                        None => {
                            all_known = false;
                            self.unknown_code(&checked, value, code, &known);
                        }
                    }
                }
                if !all_known {
                    return None;
                }
                typed(
                    CheckedExprKind::Member {
                        value: Box::new(checked),
                        negated: *negated,
                        codes: positions,
                    },
                    ValueType::Bool,
                )
            }
            ExprKind::Presence { value, known } => {
                let checked = self.expr(value, context)?;
                typed(
                    CheckedExprKind::Presence {
                        value: Box::new(checked),
                        known: *known,
                    },
                    ValueType::Bool,
                )
            }
            ExprKind::Arith { op, left, right } => {
                self.arith(expr, op.value, op.span, left, right, context)
            }
            ExprKind::Round { value, mode, step } => {
                self.round(expr, value, mode.value, step, context)
            }
            ExprKind::Number(number) => {
                let value = self.number(&number.text, number.span)?;
                typed(
                    CheckedExprKind::Const(Const::Number(value)),
                    ValueType::Number(Dimension::NONE),
                )
            }
            ExprKind::Quantity(quantity) => {
                let (value, unit) = self.quantity(quantity)?;
                typed(
                    CheckedExprKind::Const(Const::Number(value)),
                    ValueType::Number(unit.dimension),
                )
            }
            ExprKind::Date(date) => {
                typed(CheckedExprKind::Const(Const::Date(*date)), ValueType::Date)
            }
            ExprKind::Yes => typed(CheckedExprKind::Const(Const::Bool(true)), ValueType::Bool),
            ExprKind::No => typed(CheckedExprKind::Const(Const::Bool(false)), ValueType::Bool),
            ExprKind::AsOf => {
                self.reads_as_of = true;
                typed(CheckedExprKind::AsOf, ValueType::Date)
            }
            ExprKind::Tally(supports) => {
                if !context.tallies {
                    self.diagnostics.push(CheckError::TallyOutsideStatus {
                        word: if *supports { "for" } else { "against" }.to_owned(),
                        span,
                    });
                    return None;
                }
                typed(
                    CheckedExprKind::Tally(*supports),
                    ValueType::Number(Dimension::NONE),
                )
            }
            ExprKind::Name(name) => self.name(name, None),
            // Already reported as a syntax error.
            ExprKind::Invalid => None,
        }
    }

    /// What a value holds, in an editor's words: a fact by its declaration.
    fn kind_of(&self, checked: &Expr) -> String {
        match checked.kind {
            CheckedExprKind::Fact(index) => self.facts.get(index).map_or_else(
                || checked.value_type.describe(),
                |fact| fact_kind(&fact.fact_type),
            ),
            _ => checked.value_type.describe(),
        }
    }

    fn conditions(&mut self, parts: &[ast::Expr], context: Context) -> Option<Vec<Expr>> {
        let checked: Vec<Option<Expr>> = parts
            .iter()
            .map(|part| self.condition(part, context))
            .collect();
        checked.into_iter().collect()
    }

    fn count(&mut self, kind: &CountKind, items: usize, span: Span) -> Option<Count> {
        let whole = |checker: &mut Self, number: &ast::NumberLiteral| -> Option<usize> {
            let value = checker.number(&number.text, number.span)?;
            let whole = if value.is_integer() && value >= Rational::ZERO {
                usize::try_from(value.numerator()).ok()
            } else {
                None
            };
            if whole.is_none() {
                checker.diagnostics.push(CheckError::ImpossibleCount {
                    message: format!("`{}` is not a count of conditions", number.text),
                    span: number.span,
                    help: "write a whole number, such as `at least 2 of (...)`".to_owned(),
                });
            }
            whole
        };
        let count = match kind {
            CountKind::Any => Count::AtLeast(1),
            CountKind::All => Count::AtLeast(items),
            CountKind::None => Count::AtMost(0),
            CountKind::AtLeast(number) => Count::AtLeast(whole(self, number)?),
            CountKind::AtMost(number) => Count::AtMost(whole(self, number)?),
        };
        if let Count::AtLeast(needed) = count
            && needed > items
        {
            self.diagnostics.push(CheckError::ImpossibleCount {
                message: format!("at least {needed} of {items} conditions can never hold"),
                span,
                help: "lower the count or add the missing conditions".to_owned(),
            });
            return None;
        }
        Some(count)
    }

    /// Resolves a name to the value it refers to; `hint` is the type the
    /// context suggests, for the help on an undeclared name.
    fn name(&mut self, name: &ast::Ident, hint: Option<String>) -> Option<Expr> {
        let span = name.span;
        let Some(symbol) = self.lookup(&name.name) else {
            self.undeclared(name, hint);
            return None;
        };
        if self.untyped.contains(&symbol) {
            return None;
        }
        if let Some(derived) = symbol.derived() {
            self.used_derived.insert(derived);
        }
        let typed = |kind, value_type| {
            Some(Expr {
                kind,
                value_type,
                span,
            })
        };
        let member = name.name.rsplit_once('.').map(|(_, member)| member);
        match symbol {
            Symbol::Fact(index) => {
                self.used_facts.insert(index);
                let value_type = self.facts.get(index)?.fact_type.value_type();
                typed(CheckedExprKind::Fact(index), value_type)
            }
            Symbol::Let(index) => {
                let value_type = self.let_types.get(index).cloned().flatten()?;
                typed(CheckedExprKind::Let(index), value_type)
            }
            Symbol::Score(index) => {
                if self.symbols.contains_key(name.name.as_str()) {
                    return typed(
                        CheckedExprKind::Score(index),
                        ValueType::Number(Dimension::NONE),
                    );
                }
                if member == Some("band") {
                    let bands = self
                        .score_declarations
                        .get(index)
                        .copied()
                        .map(|score| {
                            score
                                .bands
                                .iter()
                                .map(|band| band.id.name.to_string())
                                .collect()
                        })
                        .unwrap_or_default();
                    return typed(CheckedExprKind::Band(index), ValueType::Code(bands));
                }
                self.undeclared(name, None);
                None
            }
            Symbol::Differential(index) => {
                let differential = self.differential_declarations.get(index).copied()?;
                let candidate = member.and_then(|member| {
                    differential
                        .candidates
                        .iter()
                        .position(|candidate| candidate.id.name == member)
                });
                match candidate {
                    Some(candidate) if !self.symbols.contains_key(name.name.as_str()) => typed(
                        CheckedExprKind::Status(index, candidate),
                        ValueType::Code(
                            CANDIDATE_STATUSES
                                .iter()
                                .map(|status| (*status).to_owned())
                                .collect(),
                        ),
                    ),
                    _ => {
                        let candidates: Vec<String> = differential
                            .candidates
                            .iter()
                            .map(|candidate| {
                                format!("`{}.{}`", differential.id.name, candidate.id.name)
                            })
                            .collect();
                        self.diagnostics.push(CheckError::UndeclaredFact {
                            name: name.name.to_string(),
                            span,
                            help: format!(
                                "a differential is not a value; name one of its candidates to use its status: {}",
                                candidates.join(", ")
                            ),
                        });
                        None
                    }
                }
            }
        }
    }

    /// Reports a name that refers to nothing, with the nearest known name.
    fn undeclared(&mut self, name: &ast::Ident, hint: Option<String>) {
        let broken = self.file.broken.iter().any(|broken| {
            broken.name.as_deref() == Some(name.name.as_str())
                || name
                    .name
                    .split('.')
                    .next()
                    .is_some_and(|owner| broken.name.as_deref() == Some(owner))
        });
        if broken {
            return;
        }
        let mut known: Vec<String> = self.symbols.keys().map(|key| (*key).to_owned()).collect();
        for score in self.file.scores() {
            known.push(format!("{}.band", score.id.name));
        }
        for differential in self.file.differentials() {
            for candidate in &differential.candidates {
                known.push(format!("{}.{}", differential.id.name, candidate.id.name));
            }
        }
        known.sort();
        let help = match did_you_mean(&name.name, known.iter().map(String::as_str)) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!(
                "declare it first, such as `fact {} : {}`, or check the spelling",
                name.name,
                hint.as_deref().unwrap_or("yes/no")
            ),
        };
        self.diagnostics.push(CheckError::UndeclaredFact {
            name: name.name.to_string(),
            span: name.span,
            help,
        });
    }

    /// Reads a quantity literal: its value in base units and its unit.
    pub(crate) fn quantity(&mut self, quantity: &ast::QuantityLiteral) -> Option<(Rational, Unit)> {
        let number = self.number(&quantity.number.text, quantity.number.span);
        let unit = self.unit(&quantity.unit)?;
        let number = number?;
        match to_base(number, &unit) {
            Some(base) => Some((base, unit)),
            None => {
                self.diagnostics.push(CheckError::NumberOutOfRange {
                    number: one_line(quantity.span.text(self.source)),
                    span: quantity.span,
                });
                None
            }
        }
    }

    /// Whether an expression is a fact declared as a measurement or an age,
    /// which a bare number can never be compared with.
    fn is_measurement(&self, expr: &Expr) -> bool {
        matches!(&expr.kind, CheckedExprKind::Fact(index)
            if matches!(self.facts.get(*index).map(|fact| &fact.fact_type), Some(FactType::Quantity { .. } | FactType::Age)))
    }

    /// Whether an expression is a fact declared as a plain number.
    fn is_plain_number_fact(&self, expr: &Expr) -> bool {
        matches!(&expr.kind, CheckedExprKind::Fact(index)
            if matches!(self.facts.get(*index).map(|fact| &fact.fact_type), Some(FactType::Number)))
    }

    /// Where a value is declared (for a fact) or written (otherwise), for a secondary label.
    fn declared_span(&self, checked: &Expr, written: Span) -> Span {
        match checked.kind {
            CheckedExprKind::Fact(index) => self.facts.get(index).map_or(written, |fact| fact.span),
            _ => written,
        }
    }

    pub(super) fn unknown_code(
        &mut self,
        checked: &Expr,
        value: &ast::Expr,
        code: &ast::Ident,
        known: &[String],
    ) {
        let subject = one_line(value.span.text(self.source));
        let declared = match checked.kind {
            CheckedExprKind::Fact(index) => self
                .fact_declarations
                .get(index)
                .map_or(value.span, |declaration| declaration.fact_type.span),
            _ => value.span,
        };
        let help = match did_you_mean(&code.name, known.iter().map(String::as_str)) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!(
                "the codes of `{subject}` are {}; add `{}` to its declaration if it is missing",
                known
                    .iter()
                    .map(|code| format!("`{code}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                code.name
            ),
        };
        self.diagnostics.push(CheckError::UnknownCode {
            code: code.name.to_string(),
            fact: subject,
            span: code.span,
            declared,
            help,
        });
    }

    /// Types the right side of a comparison against the left, reading a bare
    /// word as a code where the left is coded, converting by the fact's
    /// substance-specific conversion, and reporting values that cannot compare.
    fn make_comparable(
        &mut self,
        left: &Expr,
        left_ast: &ast::Expr,
        right: Expr,
        right_ast: &ast::Expr,
        op: clinrule_syntax::Spanned<CompareOp>,
    ) -> Option<Expr> {
        // Most comparisons are fine: say so before writing any of the words
        // a diagnostic would need. Exactly the cases the match below lets
        // through, in its order.
        let comparable = match (&left.value_type, &right.value_type) {
            (ValueType::Number(left_dimension), ValueType::Number(right_dimension)) => {
                left_dimension == right_dimension
                    && !(matches!(right_ast.kind, ExprKind::Number(_)) && self.is_measurement(left))
                    && !(matches!(right_ast.kind, ExprKind::Quantity(_))
                        && self.is_plain_number_fact(left))
            }
            (ValueType::Bool, ValueType::Bool) => !op.value.is_ordering(),
            (ValueType::Date, ValueType::Date) => true,
            (ValueType::Code(left_codes), ValueType::Code(right_codes)) => {
                !op.value.is_ordering() && left_codes == right_codes
            }
            _ => false,
        };
        if comparable {
            return Some(right);
        }
        let left_kind = self.kind_of(left);
        let right_kind = self.kind_of(&right);
        let op_span = op.span;
        let op = op.value;
        let left_text = one_line(left_ast.span.text(self.source));
        let declared = self.declared_span(left, left_ast.span);
        let right_text = one_line(right_ast.span.text(self.source));
        match (&left.value_type, &right.value_type) {
            (ValueType::Text, _) | (_, ValueType::Text) => {
                self.diagnostics.push(CheckError::TextNotComparable {
                    fact: if left.value_type == ValueType::Text {
                        left_text
                    } else {
                        right_text
                    },
                    span: left_ast.span.merge(right_ast.span),
                });
                None
            }
            // A declared measurement compared with a bare number: the unit is
            // missing, even when the measurement has no dimension (`%`).
            (ValueType::Number(_), ValueType::Number(_))
                if matches!(right_ast.kind, ExprKind::Number(_)) && self.is_measurement(left) =>
            {
                let (unit, example) = match &left.kind {
                    CheckedExprKind::Fact(index) => {
                        match self.facts.get(*index).map(|fact| &fact.fact_type) {
                            Some(FactType::Quantity { unit_text, .. }) => (
                                format!("`{unit_text}`"),
                                format!("{right_text} {unit_text}"),
                            ),
                            _ => ("time units".to_owned(), format!("{right_text} months")),
                        }
                    }
                    _ => (String::new(), String::new()),
                };
                self.diagnostics.push(CheckError::MissingUnit {
                    fact: left_text,
                    unit,
                    number: right_text,
                    span: right_ast.span,
                    help: format!("write the unit after the number, such as `{example}`"),
                });
                None
            }
            // A unit on a plain number fact.
            (ValueType::Number(_), ValueType::Number(_))
                if matches!(right_ast.kind, ExprKind::Quantity(_))
                    && self.is_plain_number_fact(left) =>
            {
                let ExprKind::Quantity(quantity) = &right_ast.kind else {
                    return None;
                };
                let help = if parse_unit_often_used(&quantity.unit.name).is_ok() {
                    format!(
                        "write `{}` alone, or declare `{left_text}` as `quantity {}` if it is a measurement",
                        quantity.number.text, quantity.unit.name
                    )
                } else {
                    format!(
                        "write `{}` alone: a plain number has no unit",
                        quantity.number.text
                    )
                };
                self.diagnostics.push(CheckError::UnexpectedUnit {
                    fact: left_text,
                    unit: quantity.unit.name.to_string(),
                    span: quantity.unit.span,
                    help,
                });
                None
            }
            (ValueType::Number(left_dimension), ValueType::Number(right_dimension))
                if left_dimension == right_dimension =>
            {
                Some(right)
            }
            (ValueType::Number(left_dimension), ValueType::Number(right_dimension)) => {
                let left_fact = match left.kind {
                    CheckedExprKind::Fact(index) => self.facts.get(index).cloned(),
                    _ => None,
                };
                // A plain number where a measurement is needed: the unit is missing.
                if *right_dimension == Dimension::NONE
                    && matches!(right_ast.kind, ExprKind::Number(_))
                {
                    let (unit, example) = match left_fact.as_ref().map(|fact| &fact.fact_type) {
                        Some(FactType::Quantity { unit_text, .. }) => (
                            format!("`{unit_text}`"),
                            format!("{right_text} {unit_text}"),
                        ),
                        Some(FactType::Age) => {
                            ("time units".to_owned(), format!("{right_text} months"))
                        }
                        _ => (left_dimension.describe(), format!("{right_text} <unit>")),
                    };
                    self.diagnostics.push(CheckError::MissingUnit {
                        fact: left_text,
                        unit,
                        number: right_text,
                        span: right_ast.span,
                        help: format!("write the unit after the number, such as `{example}`"),
                    });
                    return None;
                }
                // A unit on a plain number. A measurement without dimension
                // (`quantity %`) is not a plain number: it takes its own
                // units, and is told so below.
                let declared_as_measurement = matches!(
                    left_fact.as_ref().map(|fact| &fact.fact_type),
                    Some(FactType::Quantity { .. })
                );
                if *left_dimension == Dimension::NONE
                    && !declared_as_measurement
                    && let ExprKind::Quantity(quantity) = &right_ast.kind
                    && matches!(left.kind, CheckedExprKind::Fact(_))
                {
                    let help = if parse_unit_often_used(&quantity.unit.name).is_ok() {
                        format!(
                            "write `{}` alone, or declare `{left_text}` as `quantity {}` if it is a measurement",
                            quantity.number.text, quantity.unit.name
                        )
                    } else {
                        format!(
                            "write `{}` alone: a plain number has no unit",
                            quantity.number.text
                        )
                    };
                    self.diagnostics.push(CheckError::UnexpectedUnit {
                        fact: left_text,
                        unit: quantity.unit.name.to_string(),
                        span: quantity.unit.span,
                        help,
                    });
                    return None;
                }
                // A substance-specific conversion declared on the fact.
                if let (Some(fact), CheckedExprKind::Const(Const::Number(base))) =
                    (&left_fact, &right.kind)
                    && let Some(conversion) = fact
                        .conversions
                        .iter()
                        .find(|conversion| conversion.dimension == *right_dimension)
                {
                    let Some(converted) = base.checked_mul(conversion.factor) else {
                        self.diagnostics.push(CheckError::NumberOutOfRange {
                            number: right_text,
                            span: right_ast.span,
                        });
                        return None;
                    };
                    return Some(Expr {
                        kind: CheckedExprKind::Const(Const::Number(converted)),
                        value_type: left.value_type.clone(),
                        span: right.span,
                    });
                }
                // Two facts measuring one substance in two dimensions (a
                // blood lead in ug/dL against one in umol/L): when both
                // declare the same conversion, the right one is converted to
                // the left one's dimension.
                let mut declared_elsewhere = None;
                if let (Some(fact), CheckedExprKind::Fact(right_index)) = (&left_fact, &right.kind)
                    && let Some(conversion) = fact
                        .conversions
                        .iter()
                        .find(|conversion| conversion.dimension == *right_dimension)
                    && let Some(right_fact) = self.facts.get(*right_index)
                {
                    let agrees = right_fact.conversions.iter().any(|back| {
                        back.dimension == *left_dimension
                            && back.factor.checked_mul(conversion.factor) == Some(Rational::ONE)
                    });
                    if agrees
                        && let Some(factor_dimension) = left_dimension.divided_by(*right_dimension)
                    {
                        let span = right.span;
                        return Some(Expr {
                            kind: CheckedExprKind::Arith {
                                op: ArithOp::Multiply,
                                left: Box::new(right),
                                right: Box::new(Expr {
                                    kind: CheckedExprKind::Const(Const::Number(conversion.factor)),
                                    value_type: ValueType::Number(factor_dimension),
                                    span,
                                }),
                            },
                            value_type: left.value_type.clone(),
                            span,
                        });
                    }
                    declared_elsewhere = Some(if right_fact.conversions.is_empty() {
                        format!(
                            "`{left_text}` declares `{}` to convert to {}; declare the same on `{}` so that both are known to measure one substance",
                            conversion.text,
                            right_dimension.describe(),
                            right_fact.name
                        )
                    } else {
                        format!(
                            "`{left_text}` and `{}` declare different conversions (`{}`, and `{}` on `{}`): they do not measure the same substance",
                            right_fact.name,
                            conversion.text,
                            right_fact
                                .conversions
                                .iter()
                                .map(|back| back.text.as_str())
                                .collect::<Vec<_>>()
                                .join("`, `"),
                            right_fact.name
                        )
                    });
                }
                let unit_text = match &right_ast.kind {
                    ExprKind::Quantity(quantity) => quantity.unit.name.to_string(),
                    _ => right_text,
                };
                let unit_span = match &right_ast.kind {
                    ExprKind::Quantity(quantity) => quantity.unit.span,
                    _ => right_ast.span,
                };
                let mut help = match left_fact.as_ref().map(|fact| &fact.fact_type) {
                    Some(FactType::Quantity { unit_text, .. }) => {
                        format!(
                            "write the value in a unit of {}, such as `{unit_text}`",
                            left_dimension.describe()
                        )
                    }
                    Some(FactType::Age) => format!(
                        "write the value in a unit of {}, such as `months` or `years`",
                        left_dimension.describe()
                    ),
                    _ => format!("compare it with {}", left_dimension.describe()),
                };
                let mass_and_substance =
                    [*left_dimension, *right_dimension].iter().all(|dimension| {
                        matches!(
                            dimension.0,
                            [-3, 1, 0, 0, 0, 0, 0, 0] | [-3, 0, 0, 1, 0, 0, 0, 0]
                        )
                    });
                let already_declared = left_fact.as_ref().is_some_and(|fact| {
                    fact.conversions
                        .iter()
                        .any(|conversion| conversion.dimension == *right_dimension)
                });
                if let Some(explained) = declared_elsewhere {
                    help = explained;
                } else if mass_and_substance && !already_declared {
                    help.push_str("; to compare with a substance concentration, declare the conversion on the fact, such as `molar mass 207.2 g/mol`");
                } else if !already_declared
                    && [*left_dimension, *right_dimension].iter().all(|dimension| {
                        matches!(
                            dimension.0,
                            [-3, 0, 0, 0, 0, 0, 1, 0] | [-3, 0, 0, 1, 0, 0, 0, 0]
                        )
                    })
                {
                    help.push_str("; to compare moles with equivalents, declare the substance's valence on the fact, such as `valence 2` for calcium");
                }
                // Name the declared unit too, so that both units are on the screen.
                let fact_dimension = match left_fact.as_ref().map(|fact| &fact.fact_type) {
                    Some(FactType::Quantity { unit_text, .. }) => {
                        format!("{}, declared in `{unit_text}`", left_dimension.describe())
                    }
                    _ => left_dimension.describe(),
                };
                self.diagnostics.push(CheckError::IncompatibleUnit {
                    fact: left_text,
                    unit: unit_text,
                    value_dimension: right_dimension.describe(),
                    fact_dimension,
                    span: unit_span,
                    declared,
                    help,
                });
                None
            }
            (ValueType::Bool, ValueType::Bool) | (ValueType::Code(_), ValueType::Code(_))
                if op.is_ordering() =>
            {
                let help = match &left.value_type {
                    ValueType::Bool => format!(
                        "write `{left_text} = yes`, `{left_text} = no`, or `{left_text}` on its own"
                    ),
                    _ => format!("use `=`, `!=` or `in (...)` with the codes of `{left_text}`"),
                };
                self.diagnostics.push(CheckError::OperatorNotAllowed {
                    op: op.symbol().to_owned(),
                    fact: left_text,
                    fact_kind: left_kind,
                    span: op_span,
                    help,
                });
                None
            }
            (ValueType::Bool, ValueType::Bool) | (ValueType::Date, ValueType::Date) => Some(right),
            (ValueType::Code(left_codes), ValueType::Code(right_codes))
                if left_codes == right_codes =>
            {
                Some(right)
            }
            _ => {
                let help = match &left.kind {
                    CheckedExprKind::Fact(index) => self
                        .facts
                        .get(*index)
                        .map(|fact| value_example(&fact.fact_type))
                        .unwrap_or_default(),
                    _ => format!("compare it with {}", left.value_type.describe()),
                };
                let value_kind = match (&right_ast.kind, &right.kind) {
                    (ExprKind::Name(_), CheckedExprKind::Fact(_)) => {
                        format!("the fact `{right_text}`, which is {right_kind}")
                    }
                    _ => describe_written(&right_ast.kind, &right_text, &right_kind),
                };
                self.diagnostics.push(CheckError::TypeMismatch {
                    fact: left_text,
                    fact_kind: left_kind,
                    value_kind,
                    span: right_ast.span,
                    declared,
                    help,
                });
                None
            }
        }
    }

    /// Types a value compared with a coded value: a bare word that is one of
    /// the codes is that code.
    fn coded_side(
        &mut self,
        other: &Expr,
        other_ast: &ast::Expr,
        side: &ast::Expr,
        context: Context,
    ) -> Option<Expr> {
        if other.value_type == ValueType::Text {
            self.diagnostics.push(CheckError::TextNotComparable {
                fact: one_line(other_ast.span.text(self.source)),
                span: other_ast.span.merge(side.span),
            });
            return None;
        }
        if let (ValueType::Code(codes), ExprKind::Name(word)) = (&other.value_type, &side.kind)
            && let Some(position) = codes.iter().position(|code| *code == word.name)
        {
            return Some(Expr {
                kind: CheckedExprKind::Const(Const::Code(position)),
                value_type: other.value_type.clone(),
                span: side.span,
            });
        }
        if let (ValueType::Code(codes), ExprKind::Name(word)) = (&other.value_type, &side.kind)
            && self.lookup(&word.name).is_none()
        {
            let codes = codes.clone();
            self.unknown_code(other, other_ast, word, &codes);
            return None;
        }
        if let ExprKind::Name(name) = &side.kind {
            return self.name(name, hint_from(other_ast));
        }
        self.expr(side, context)
    }

    fn compare(
        &mut self,
        expr: &ast::Expr,
        left_ast: &ast::Expr,
        op: clinrule_syntax::Spanned<CompareOp>,
        right_ast: &ast::Expr,
        alternative: Option<&ast::QuantityLiteral>,
        context: Context,
    ) -> Option<Expr> {
        let left = match &left_ast.kind {
            // `female = sex`: type the right first when the left is an
            // undeclared word that the right may make a code.
            ExprKind::Name(word) if self.lookup(&word.name).is_none() => {
                let right = match &right_ast.kind {
                    ExprKind::Name(name) if self.lookup(&name.name).is_none() => {
                        self.undeclared(word, hint_from(right_ast));
                        return None;
                    }
                    _ => self.expr(right_ast, context),
                };
                let Some(right) = right else {
                    self.undeclared(word, hint_from(right_ast));
                    return None;
                };
                if !matches!(right.value_type, ValueType::Code(_)) {
                    self.undeclared(word, hint_from(right_ast));
                    return None;
                }
                let left = self.coded_side(&right, right_ast, left_ast, context)?;
                return self.finish_compare(
                    expr,
                    left_ast,
                    left,
                    op,
                    right_ast,
                    right,
                    alternative,
                );
            }
            _ => self.expr(left_ast, context)?,
        };
        let right = self.coded_side(&left, left_ast, right_ast, context)?;
        self.finish_compare(expr, left_ast, left, op, right_ast, right, alternative)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a comparison has this many parts"
    )]
    fn finish_compare(
        &mut self,
        expr: &ast::Expr,
        left_ast: &ast::Expr,
        left: Expr,
        op: clinrule_syntax::Spanned<CompareOp>,
        right_ast: &ast::Expr,
        right: Expr,
        alternative: Option<&ast::QuantityLiteral>,
    ) -> Option<Expr> {
        let right = self.make_comparable(&left, left_ast, right, right_ast, op)?;
        let mut alternatives = Vec::new();
        if let Some(alternative) = alternative {
            alternatives.push(self.alternative(&left, left_ast, right_ast, alternative)?);
        }
        Some(Expr {
            kind: CheckedExprKind::Compare {
                op: op.value,
                left: Box::new(left),
                right: Box::new(right),
                alternatives,
            },
            value_type: ValueType::Bool,
            span: expr.span,
        })
    }

    /// Reads the same threshold written in a second unit.
    fn alternative(
        &mut self,
        left: &Expr,
        left_ast: &ast::Expr,
        right_ast: &ast::Expr,
        alternative: &ast::QuantityLiteral,
    ) -> Option<Alternative> {
        let ValueType::Number(dimension) = left.value_type else {
            self.diagnostics.push(CheckError::BadAlternative {
                message: format!(
                    "only a measurement has a threshold in a second unit, and `{}` is {}",
                    one_line(left_ast.span.text(self.source)),
                    self.kind_of(left)
                ),
                span: alternative.span,
                help: "delete the second threshold".to_owned(),
            });
            return None;
        };
        if !matches!(right_ast.kind, ExprKind::Quantity(_)) {
            self.diagnostics.push(CheckError::BadAlternative {
                message: "a threshold in a second unit follows a threshold written with its unit"
                    .to_owned(),
                span: alternative.span,
                help: "write the threshold as a measurement, such as `>= 3.5 ug/dL (0.17 umol/L)`"
                    .to_owned(),
            });
            return None;
        }
        let (base, unit) = self.quantity(alternative)?;
        if unit.dimension == dimension {
            return Some(Alternative {
                unit,
                base,
                span: alternative.span,
            });
        }
        let conversion = match left.kind {
            CheckedExprKind::Fact(index) => self
                .facts
                .get(index)
                .and_then(|fact| {
                    fact.conversions
                        .iter()
                        .find(|conversion| conversion.dimension == unit.dimension)
                })
                .map(|conversion| conversion.factor),
            _ => None,
        };
        match conversion.and_then(|factor| base.checked_mul(factor)) {
            Some(converted) => Some(Alternative {
                unit,
                base: converted,
                span: alternative.span,
            }),
            None => {
                self.diagnostics.push(CheckError::BadAlternative {
                    message: format!(
                        "`{}` is {}, but `{}` is {}",
                        alternative.unit.name,
                        unit.dimension.describe(),
                        one_line(left_ast.span.text(self.source)),
                        dimension.describe()
                    ),
                    span: alternative.unit.span,
                    help: "write the second threshold in a unit of the same dimension, or declare a conversion on the fact such as `also umol/L at 20.72 ug/dL per umol/L`".to_owned(),
                });
                None
            }
        }
    }

    /// `<date> within 30 days before <anchor>`: a range ending (or starting) at the anchor.
    fn within(
        &mut self,
        expr: &ast::Expr,
        value: &ast::Expr,
        amount: &ast::QuantityLiteral,
        after: bool,
        anchor: &ast::Expr,
        context: Context,
    ) -> Option<Expr> {
        let checked_value = self.expr(value, context)?;
        let checked_anchor = self.expr(anchor, context)?;
        let (duration, unit) = self.quantity(amount)?;
        let mut fine = true;
        for (checked, written) in [(&checked_value, value), (&checked_anchor, anchor)] {
            if checked.value_type != ValueType::Date {
                fine = false;
                self.diagnostics.push(CheckError::TypeMismatch {
                    fact: one_line(written.span.text(self.source)),
                    fact_kind: checked.value_type.describe(),
                    value_kind: "a time before or after a date".to_owned(),
                    span: written.span,
                    declared: self.declared_span(checked, written.span),
                    help: "`within` tests a date, such as `history.fracture_date within 30 days before as_of`".to_owned(),
                });
            }
        }
        if unit.dimension != Dimension::TIME {
            fine = false;
            self.diagnostics.push(CheckError::IncompatibleUnit {
                fact: "within".to_owned(),
                unit: amount.unit.name.to_string(),
                value_dimension: unit.dimension.describe(),
                fact_dimension: Dimension::TIME.describe(),
                span: amount.unit.span,
                declared: expr.span,
                help: "write a time, such as `within 30 days before as_of`".to_owned(),
            });
        }
        if !fine {
            return None;
        }
        let duration = Expr {
            kind: CheckedExprKind::Const(Const::Number(duration)),
            value_type: ValueType::Number(Dimension::TIME),
            span: amount.span,
        };
        let shifted = Expr {
            kind: CheckedExprKind::Arith {
                op: if after {
                    ArithOp::Add
                } else {
                    ArithOp::Subtract
                },
                left: Box::new(checked_anchor.clone()),
                right: Box::new(duration),
            },
            value_type: ValueType::Date,
            span: anchor.span.merge(amount.span),
        };
        let (low, high) = if after {
            (checked_anchor, shifted)
        } else {
            (shifted, checked_anchor)
        };
        Some(Expr {
            kind: CheckedExprKind::Between {
                value: Box::new(checked_value),
                low: Box::new(low),
                low_inclusive: true,
                high: Box::new(high),
                high_inclusive: true,
            },
            value_type: ValueType::Bool,
            span: expr.span,
        })
    }

    /// `<value> rounded to <step>`: a number or a measurement rounded to a
    /// multiple of a positive step of the same kind, counted from the step
    /// unit's zero.
    fn round(
        &mut self,
        expr: &ast::Expr,
        value_ast: &ast::Expr,
        mode: RoundMode,
        step_ast: &ast::Expr,
        context: Context,
    ) -> Option<Expr> {
        let value = self.expr(value_ast, context)?;
        let written = one_line(value_ast.span.text(self.source));
        let dimension = match &value.value_type {
            ValueType::Number(dimension) if !self.is_age(&value) => *dimension,
            other => {
                let kind = if self.is_age(&value) {
                    "an age, counted by the calendar".to_owned()
                } else {
                    other.describe()
                };
                self.diagnostics.push(CheckError::BadRounding {
                    message: format!("`{written}` is {kind}, which cannot be rounded"),
                    span: value_ast.span,
                    label: "not a number or a measurement".to_owned(),
                    help: "round a number or a measurement, such as `lab.urea rounded to 0.1 mmol/L`; compare an age directly, such as `age >= 18 years`".to_owned(),
                });
                return None;
            }
        };
        let (step, step_dimension, origin, unit) = match &step_ast.kind {
            ExprKind::Number(number) => (
                self.number(&number.text, number.span)?,
                Dimension::NONE,
                Rational::ZERO,
                None,
            ),
            ExprKind::Quantity(quantity) => {
                let number = self.number(&quantity.number.text, quantity.number.span);
                let unit = self.unit(&quantity.unit)?;
                let step = number?.checked_mul(unit.factor);
                let Some(step) = step else {
                    self.diagnostics.push(CheckError::NumberOutOfRange {
                        number: one_line(quantity.span.text(self.source)),
                        span: quantity.span,
                    });
                    return None;
                };
                (
                    step,
                    unit.dimension,
                    unit.offset,
                    Some((quantity.unit.name.to_string(), unit)),
                )
            }
            _ => return None,
        };
        if step_dimension != dimension {
            self.diagnostics.push(CheckError::BadRounding {
                message: format!(
                    "`{written}` is {}, but the step `{}` is {}",
                    dimension.describe(),
                    one_line(step_ast.span.text(self.source)),
                    step_dimension.describe()
                ),
                span: step_ast.span,
                label: "a step of another kind".to_owned(),
                help: if dimension == Dimension::NONE {
                    "round a plain number to a plain step, such as `rounded to 0.01`".to_owned()
                } else {
                    format!(
                        "write the step in a unit of {}, the unit the publication rounds in",
                        dimension.describe()
                    )
                },
            });
            return None;
        }
        if step <= Rational::ZERO {
            self.diagnostics.push(CheckError::BadRounding {
                message: "a value is rounded to a step above zero".to_owned(),
                span: step_ast.span,
                label: "no multiples to round to".to_owned(),
                help: "write the step the publication rounds to, such as `rounded to 0.1 mmol/L` for one decimal".to_owned(),
            });
            return None;
        }
        let value_type = value.value_type.clone();
        Some(Expr {
            kind: CheckedExprKind::Round {
                value: Box::new(value),
                mode,
                step,
                origin,
                unit,
            },
            value_type,
            span: expr.span,
        })
    }

    /// Whether an expression is a fact declared as an age.
    fn is_age(&self, expr: &Expr) -> bool {
        matches!(&expr.kind, CheckedExprKind::Fact(index)
            if matches!(self.facts.get(*index).map(|fact| &fact.fact_type), Some(FactType::Age)))
    }

    fn arith(
        &mut self,
        expr: &ast::Expr,
        op: ArithOp,
        op_span: Span,
        left_ast: &ast::Expr,
        right_ast: &ast::Expr,
        context: Context,
    ) -> Option<Expr> {
        let left = self.expr(left_ast, context);
        let right = self.expr(right_ast, context);
        let (left, right) = (left?, right?);
        for side in [left_ast, right_ast] {
            if let ExprKind::Quantity(quantity) = &side.kind
                && parse_unit_often_used(&quantity.unit.name).is_ok_and(|unit| unit.has_offset())
            {
                self.diagnostics.push(CheckError::BadArithmetic {
                    message: format!("`{}` is a temperature on a scale with an offset, which cannot take part in arithmetic", quantity.unit.name),
                    span: quantity.unit.span,
                    help: "compare temperatures directly, such as `vitals.temperature >= 38 Cel`".to_owned(),
                });
                return None;
            }
        }
        // A fact declared on a scale with an offset (`quantity Cel`), or a
        // derived value computed from one, is held in kelvin: adding or
        // scaling it would give kelvin where the editor means Celsius.
        for (side, side_ast) in [(&left, left_ast), (&right, right_ast)] {
            if let Some(unit) = self.offset_temperature(side) {
                self.diagnostics.push(CheckError::BadArithmetic {
                    message: format!(
                        "`{}` is a temperature in `{unit}`, a scale with an offset, which cannot take part in arithmetic",
                        one_line(side_ast.span.text(self.source))
                    ),
                    span: side_ast.span,
                    help: "compare temperatures directly, such as `vitals.temperature >= 38 Cel`; for a change in temperature, declare the fact in `K`, whose differences are exact".to_owned(),
                });
                return None;
            }
        }
        let result = match (&left.value_type, &right.value_type, op) {
            (ValueType::Number(a), ValueType::Number(b), ArithOp::Add | ArithOp::Subtract)
                if a == b =>
            {
                Some(ValueType::Number(*a))
            }
            (ValueType::Number(a), ValueType::Number(b), ArithOp::Multiply) => {
                a.times(*b).map(ValueType::Number)
            }
            (ValueType::Number(a), ValueType::Number(b), ArithOp::Divide) => {
                a.divided_by(*b).map(ValueType::Number)
            }
            (ValueType::Date, ValueType::Date, ArithOp::Subtract) => {
                Some(ValueType::Number(Dimension::TIME))
            }
            (ValueType::Date, ValueType::Number(dimension), ArithOp::Add | ArithOp::Subtract)
                if *dimension == Dimension::TIME =>
            {
                Some(ValueType::Date)
            }
            (ValueType::Number(dimension), ValueType::Date, ArithOp::Add)
                if *dimension == Dimension::TIME =>
            {
                Some(ValueType::Date)
            }
            _ => None,
        };
        let Some(value_type) = result else {
            let verb = match op {
                ArithOp::Add => "add",
                ArithOp::Subtract => "subtract",
                ArithOp::Multiply => "multiply",
                ArithOp::Divide => "divide",
            };
            self.diagnostics.push(CheckError::BadArithmetic {
                message: format!(
                    "cannot {verb} `{}` ({}) and `{}` ({})",
                    one_line(left_ast.span.text(self.source)),
                    left.value_type.describe(),
                    one_line(right_ast.span.text(self.source)),
                    right.value_type.describe()
                ),
                span: op_span,
                help: "numbers add to numbers of the same dimension, dates move by times, and only numbers multiply and divide".to_owned(),
            });
            return None;
        };
        Some(Expr {
            kind: CheckedExprKind::Arith {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            value_type,
            span: expr.span,
        })
    }
}

impl Checker<'_> {
    /// The offset unit (`Cel`, `[degF]`) of a temperature fact the value is,
    /// directly or through a derived value, if any. A derived value's answer
    /// was found when it was checked, so the walk is of this expression only.
    pub(super) fn offset_temperature(&self, expr: &Expr) -> Option<String> {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                CheckedExprKind::Fact(index) => {
                    if let Some(FactType::Quantity { unit, unit_text }) =
                        self.facts.get(*index).map(|fact| &fact.fact_type)
                        && unit.has_offset()
                    {
                        return Some(unit_text.clone());
                    }
                }
                CheckedExprKind::Let(index) => {
                    if let Some(Some(unit)) = self.let_offsets.get(*index) {
                        return Some(unit.clone());
                    }
                }
                // A comparison or test gives a yes/no, not a temperature.
                CheckedExprKind::Compare { .. }
                | CheckedExprKind::Between { .. }
                | CheckedExprKind::Member { .. }
                | CheckedExprKind::Presence { .. } => {}
                _ => stack.extend(expr.children()),
            }
        }
        None
    }
}

/// What a written value is, in words, for type errors.
fn describe_written(kind: &ExprKind, text: &str, value_kind: &str) -> String {
    match kind {
        ExprKind::Number(_) => format!("the number `{text}`"),
        ExprKind::Quantity(_) => format!("the measurement `{text}`"),
        ExprKind::Date(_) => format!("the date `{text}`"),
        ExprKind::Yes | ExprKind::No => format!("`{text}`"),
        _ => format!("`{text}`, which is {value_kind}"),
    }
}

/// The type an undeclared name would have, judging by what it is compared with.
fn hint_from(other: &ast::Expr) -> Option<String> {
    match &other.kind {
        ExprKind::Number(_) => Some("number".to_owned()),
        ExprKind::Quantity(quantity) => match parse_unit_often_used(&quantity.unit.name) {
            Ok(unit) if unit.dimension == Dimension::TIME => Some("age".to_owned()),
            _ => Some(format!("quantity {}", quantity.unit.name)),
        },
        ExprKind::Date(_) => Some("date".to_owned()),
        ExprKind::Yes | ExprKind::No => Some("yes/no".to_owned()),
        ExprKind::Name(word) => Some(format!("one of {}", word.name)),
        _ => None,
    }
}
