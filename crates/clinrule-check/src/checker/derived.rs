//! Derived values, scores and differentials, checked in dependency order.

use std::collections::HashMap;

use clinrule_syntax::Span;
use clinrule_syntax::ast;
use clinrule_syntax::suggest::did_you_mean;

use super::expr::Context;
use super::names::Symbol;
use super::{Checker, one_line};
use crate::error::CheckError;
use crate::model::*;
use crate::number::Rational;
use crate::units::{Dimension, Unit};

impl<'file> Checker<'file> {
    /// Checks every derived value, score and differential, each after what it uses.
    pub(super) fn check_derived(&mut self, order: &[Derived]) {
        for derived in order {
            if self.untyped.contains(&Symbol::from(*derived)) {
                continue;
            }
            match *derived {
                Derived::Let(index) => {
                    let Some(let_decl) = self.let_declarations.get(index).copied() else {
                        continue;
                    };
                    let display_unit = self.display_unit(let_decl);
                    let checked = match &let_decl.table {
                        Some(table) => self.table(let_decl, table),
                        None => self
                            .expr(&let_decl.value, Context::RULE)
                            .map(|value| (value, None)),
                    };
                    match checked {
                        Some((value, table_unit)) => {
                            let display_unit = display_unit.and_then(|(text, unit, span)| {
                                match &value.value_type {
                                    ValueType::Number(dimension)
                                        if *dimension == unit.dimension =>
                                    {
                                        Some((text, unit))
                                    }
                                    other => {
                                        self.diagnostics.push(CheckError::BadDisplayUnit {
                                            unit: text,
                                            unit_dimension: unit.dimension.describe(),
                                            value_kind: other.describe(),
                                            span,
                                        });
                                        None
                                    }
                                }
                            });
                            // A table's values are shown in the unit its rows give them
                            // in, and a rounded value in the unit it is rounded in.
                            let display_unit = display_unit
                                .or(table_unit)
                                .or_else(|| self.rounding_unit(&let_decl.value));
                            if let Some(slot) = self.let_types.get_mut(index) {
                                *slot = Some(value.value_type.clone());
                            }
                            let offset = self.offset_temperature(&value);
                            if let Some(slot) = self.let_offsets.get_mut(index) {
                                *slot = offset;
                            }
                            if let Some(slot) = self.lets.get_mut(index) {
                                *slot = Some(DerivedValue {
                                    name: let_decl.name.name.to_string(),
                                    title: let_decl.title.as_ref().map(|title| title.value.clone()),
                                    value,
                                    display_unit,
                                    span: let_decl.span,
                                });
                            }
                        }
                        None => {
                            self.untyped.insert(Symbol::Let(index));
                        }
                    }
                }
                Derived::Score(index) => {
                    let Some(score) = self.score_declarations.get(index).copied() else {
                        continue;
                    };
                    let checked = self.score(score);
                    if checked.is_none() {
                        self.untyped.insert(Symbol::Score(index));
                    }
                    if let Some(slot) = self.scores.get_mut(index) {
                        *slot = checked;
                    }
                }
                Derived::Differential(index) => {
                    let Some(differential) = self.differential_declarations.get(index).copied()
                    else {
                        continue;
                    };
                    let checked = self.differential(differential);
                    if checked.is_none() {
                        self.untyped.insert(Symbol::Differential(index));
                    }
                    if let Some(slot) = self.differentials.get_mut(index) {
                        *slot = checked;
                    }
                }
            }
        }
    }

    /// Reads the unit a derived value is shown in.
    fn display_unit(
        &mut self,
        let_decl: &ast::LetDecl,
    ) -> Option<(String, crate::units::Unit, Span)> {
        let unit = let_decl.display_unit.as_ref()?;
        let parsed = self.unit(unit)?;
        Some((unit.name.to_string(), parsed, unit.span))
    }

    /// A lookup table: its key, its rows and their values, as one
    /// expression, with the unit its values are written in.
    fn table(
        &mut self,
        let_decl: &ast::LetDecl,
        table: &ast::Table,
    ) -> Option<(Expr, Option<(String, Unit)>)> {
        let name = let_decl.name.name.to_string();
        let key = self.expr(&let_decl.value, Context::RULE)?;
        let key_text = one_line(let_decl.value.span.text(self.source));
        let codes = match &key.value_type {
            ValueType::Code(codes) => Some(codes.clone()),
            ValueType::Number(dimension) if *dimension == Dimension::NONE => None,
            other => {
                self.diagnostics.push(CheckError::TableKey {
                    name,
                    key: key_text,
                    kind: other.describe(),
                    span: let_decl.value.span,
                });
                return None;
            }
        };
        let citations = self.citations(&table.cites);
        let mut fine = true;
        let mut rows: Vec<TableRow> = Vec::with_capacity(table.rows.len());
        // What the first row gives: its dimension, or none, and where.
        let mut first_kind: Option<(Option<Dimension>, Span)> = None;
        let mut unit: Option<(String, Unit)> = None;
        for row in &table.rows {
            let key_match = match (&row.key, &codes) {
                (ast::RowKey::Range { low, high }, None) => {
                    let low_value = low
                        .as_ref()
                        .and_then(|low| self.number(&low.text, low.span));
                    let high_value = high
                        .as_ref()
                        .and_then(|high| self.number(&high.text, high.span));
                    if low.is_some() != low_value.is_some()
                        || high.is_some() != high_value.is_some()
                    {
                        fine = false;
                        continue;
                    }
                    if let (Some(low_value), Some(high_value)) = (low_value, high_value)
                        && low_value > high_value
                    {
                        self.diagnostics.push(CheckError::BandRange {
                            id: format!("{name} row"),
                            span: row.span,
                        });
                        fine = false;
                        continue;
                    }
                    RowMatch::Range {
                        low: low_value,
                        high: high_value,
                    }
                }
                (ast::RowKey::Codes(written), Some(known)) => {
                    let mut found = Vec::with_capacity(written.len());
                    for code in written {
                        match known.iter().position(|known| *known == *code.name) {
                            Some(position) => found.push(position),
                            None => {
                                self.unknown_code(&key, &let_decl.value, code, known);
                                fine = false;
                            }
                        }
                    }
                    RowMatch::Codes(found)
                }
                (ast::RowKey::Range { .. }, Some(known)) => {
                    self.diagnostics.push(CheckError::TableRowKind {
                        key: key_text.clone(),
                        row_kind: "a range of numbers".to_owned(),
                        key_kind: key.value_type.describe(),
                        span: row.span,
                        help: format!(
                            "list the codes the row covers, such as `row {}`",
                            known.first().map_or("low", String::as_str)
                        ),
                    });
                    fine = false;
                    continue;
                }
                (ast::RowKey::Codes(_), None) => {
                    self.diagnostics.push(CheckError::TableRowKind {
                        key: key_text.clone(),
                        row_kind: "codes".to_owned(),
                        key_kind: key.value_type.describe(),
                        span: row.span,
                        help: "give the numbers the row covers, such as `row from 0 to 3`"
                            .to_owned(),
                    });
                    fine = false;
                    continue;
                }
            };
            // Rows share no key: a key falls in one row.
            if let Some((shared, first)) = rows.iter().find_map(|earlier| {
                overlap(&earlier.key, &key_match, codes.as_deref())
                    .map(|shared| (shared, earlier.span))
            }) {
                self.diagnostics.push(CheckError::TableRowsOverlap {
                    name: name.clone(),
                    shared,
                    span: row.span,
                    first,
                });
                fine = false;
            }
            let (value, kind) = match &row.gives {
                None => (None, None),
                Some(ast::RowValue::Number(number)) => (
                    self.number(&number.text, number.span),
                    Some(Dimension::NONE),
                ),
                Some(ast::RowValue::Quantity(quantity)) => match self.quantity(quantity) {
                    Some((base, row_unit)) => {
                        let dimension = row_unit.dimension;
                        if unit.is_none() {
                            unit = Some((quantity.unit.name.to_string(), row_unit));
                        }
                        (Some(base), Some(dimension))
                    }
                    None => {
                        fine = false;
                        continue;
                    }
                },
            };
            match first_kind {
                None => first_kind = Some((kind, row.span)),
                Some((first, first_span)) if first != kind => {
                    let words = |kind: Option<Dimension>| match kind {
                        None => "no value".to_owned(),
                        Some(dimension) => dimension.describe(),
                    };
                    self.diagnostics.push(CheckError::TableValues {
                        name: name.clone(),
                        found: words(kind),
                        first_kind: words(first),
                        span: row.span,
                        first: first_span,
                    });
                    fine = false;
                }
                Some(_) => {}
            }
            let row_citations = self.citations(&row.cites);
            rows.push(TableRow {
                key: key_match,
                value,
                text: row.text.as_ref().map(|text| text.value.clone()),
                citations: row_citations,
                span: row.span,
            });
        }
        if !fine {
            return None;
        }
        let value_type = match first_kind.and_then(|(kind, _)| kind) {
            Some(dimension) => ValueType::Number(dimension),
            None => ValueType::Text,
        };
        Some((
            Expr {
                kind: CheckedExprKind::Table {
                    key: Box::new(key),
                    rows,
                    citations,
                },
                value_type,
                span: let_decl.value.span.merge(table.span),
            },
            unit,
        ))
    }

    /// The unit a value is rounded in, when the whole value is rounded to
    /// a step with a unit: `lab.urea rounded to 0.1 mmol/L`.
    fn rounding_unit(&self, value: &ast::Expr) -> Option<(String, Unit)> {
        let ast::ExprKind::Round { step, .. } = &value.kind else {
            return None;
        };
        let ast::ExprKind::Quantity(quantity) = &step.kind else {
            return None;
        };
        let unit = crate::units::parse_unit_often_used(&quantity.unit.name).ok()?;
        Some((quantity.unit.name.to_string(), unit))
    }

    /// Reports the second of two members (criteria, bands ...) with one identifier.
    fn unique_members<'item>(&mut self, what: &str, ids: impl Iterator<Item = &'item ast::Ident>) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for id in ids {
            if let Some(first) = seen.get(id.name.as_str()) {
                let whats = if what == "criterion" {
                    "criteria".to_owned()
                } else {
                    format!("{what}s")
                };
                self.diagnostics.push(CheckError::DuplicateMember {
                    what: what.to_owned(),
                    whats,
                    id: id.name.to_string(),
                    span: id.span,
                    first: *first,
                });
            } else {
                seen.insert(id.name.as_str(), id.span);
            }
        }
    }

    fn score(&mut self, score: &ast::ScoreDecl) -> Option<Score> {
        self.unique_members(
            "criterion",
            score.criteria.iter().map(|criterion| &criterion.id),
        );
        self.unique_members("band", score.bands.iter().map(|band| &band.id));
        let citations = self.citations(&score.cites);
        let mut fine = true;
        let mut applies = Vec::new();
        for clause in &score.applies {
            match self.condition(&clause.condition, Context::RULE) {
                Some(condition) => applies.push(ScoreApplies {
                    title: clause.title.as_ref().map(|title| title.value.clone()),
                    condition,
                    span: clause.span,
                }),
                None => fine = false,
            }
        }
        let mut criteria = Vec::new();
        for criterion in &score.criteria {
            let criterion_citations = self.citations(&criterion.cites);
            let mut choices = Vec::new();
            for choice in &criterion.choices {
                let points = self.number(&choice.points.text, choice.points.span);
                let condition = self.condition(&choice.condition, Context::RULE);
                match (points, condition) {
                    (Some(points), Some(condition)) => choices.push(ScoreChoice {
                        points,
                        condition,
                        span: choice.span,
                    }),
                    _ => fine = false,
                }
            }
            criteria.push(ScoreCriterion {
                id: criterion.id.name.to_string(),
                title: criterion.title.as_ref().map(|title| title.value.clone()),
                choices,
                citations: criterion_citations,
                span: criterion.span,
            });
        }
        let mut bands = Vec::new();
        for band in &score.bands {
            let low = band
                .low
                .as_ref()
                .and_then(|low| self.number(&low.text, low.span));
            let high = band
                .high
                .as_ref()
                .and_then(|high| self.number(&high.text, high.span));
            if band.low.is_some() != low.is_some() || band.high.is_some() != high.is_some() {
                fine = false;
                continue;
            }
            if let (Some(low), Some(high)) = (low, high)
                && low > high
            {
                let span = band
                    .low
                    .as_ref()
                    .map_or(band.span, |low| low.span)
                    .merge(band.high.as_ref().map_or(band.span, |high| high.span));
                self.diagnostics.push(CheckError::BandRange {
                    id: band.id.name.to_string(),
                    span,
                });
                fine = false;
                continue;
            }
            let band_citations = self.citations(&band.cites);
            bands.push(ScoreBand {
                id: band.id.name.to_string(),
                title: band.title.as_ref().map(|title| title.value.clone()),
                low,
                high,
                recommendation: band.recommendation.as_ref().map(|text| text.value.clone()),
                citations: band_citations,
                span: band.span,
            });
        }
        fine.then(|| Score {
            id: score.id.name.to_string(),
            title: score.title.as_ref().map(|title| title.value.clone()),
            applies,
            criteria,
            bands,
            citations,
            span: score.span,
        })
    }

    fn differential(&mut self, differential: &ast::DifferentialDecl) -> Option<Differential> {
        self.unique_members(
            "candidate",
            differential
                .candidates
                .iter()
                .map(|candidate| &candidate.id),
        );
        let citations = self.citations(&differential.cites);
        let mut fine = true;
        let mut candidates = Vec::new();
        for candidate in &differential.candidates {
            self.unique_members(
                "argument",
                candidate.arguments.iter().map(|argument| &argument.id),
            );
            let candidate_citations = self.citations(&candidate.cites);
            let mut arguments = Vec::new();
            for argument in &candidate.arguments {
                let condition = self.condition(&argument.condition, Context::RULE);
                let weight = match &argument.weight {
                    Some(weight) => {
                        let value = self.number(&weight.text, weight.span);
                        if value.is_some_and(|value| value <= Rational::ZERO) {
                            self.diagnostics.push(CheckError::ImpossibleCount {
                                message: format!("the weight `{}` is not above zero", weight.text),
                                span: weight.span,
                                help: "weigh an argument with a positive number; an argument that should count less than others can weigh `0.5`".to_owned(),
                            });
                            None
                        } else {
                            value
                        }
                    }
                    None => Some(Rational::ONE),
                };
                let argument_citations = self.citations(&argument.cites);
                match (condition, weight) {
                    (Some(condition), Some(weight)) => arguments.push(CandidateArgument {
                        supports: argument.supports,
                        id: argument.id.name.to_string(),
                        title: argument.title.as_ref().map(|title| title.value.clone()),
                        condition,
                        weight,
                        citations: argument_citations,
                        span: argument.span,
                    }),
                    _ => fine = false,
                }
            }
            let mut statuses = Vec::new();
            for status in &candidate.statuses {
                let word = status.status.name.as_str();
                let position = CANDIDATE_STATUSES
                    .iter()
                    .position(|known| *known == word)
                    .filter(|position| *position != NOT_SUGGESTED);
                let condition = self.condition(&status.condition, Context::STATUS);
                let Some(position) = position else {
                    let choices = CANDIDATE_STATUSES.iter().take(NOT_SUGGESTED).copied();
                    let help = match did_you_mean(word, choices) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => "a candidate is `suspected`, `likely`, `possible`, `unlikely` or `excluded`; when no status rule holds it is `not_suggested`".to_owned(),
                    };
                    self.diagnostics.push(CheckError::UnknownCandidateStatus {
                        found: word.to_owned(),
                        span: status.status.span,
                        help,
                    });
                    fine = false;
                    continue;
                };
                match condition {
                    Some(condition) => statuses.push(CandidateStatus {
                        status: position,
                        condition,
                        span: status.span,
                    }),
                    None => fine = false,
                }
            }
            let otherwise = candidate.otherwise.as_ref().and_then(|word| {
                let found = CANDIDATE_STATUSES
                    .iter()
                    .position(|known| *known == word.name.as_str());
                if found.is_none() {
                    let help = match did_you_mean(&word.name, CANDIDATE_STATUSES.iter().copied()) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => "a candidate is otherwise `suspected`, `likely`, `possible`, `unlikely`, `excluded` or `not_suggested`".to_owned(),
                    };
                    self.diagnostics.push(CheckError::UnknownCandidateStatus {
                        found: word.name.to_string(),
                        span: word.span,
                        help,
                    });
                    fine = false;
                }
                found
            });
            candidates.push(DifferentialCandidate {
                id: candidate.id.name.to_string(),
                title: candidate.title.as_ref().map(|title| title.value.clone()),
                arguments,
                statuses,
                otherwise,
                citations: candidate_citations,
                span: candidate.span,
            });
        }
        fine.then(|| Differential {
            id: differential.id.name.to_string(),
            title: differential.title.as_ref().map(|title| title.value.clone()),
            candidates,
            citations,
            span: differential.span,
        })
    }
}

/// The key two rows share, in words, if any.
fn overlap(first: &RowMatch, second: &RowMatch, codes: Option<&[String]>) -> Option<String> {
    match (first, second) {
        (RowMatch::Codes(first), RowMatch::Codes(second)) => {
            let shared = first.iter().find(|code| second.contains(code))?;
            Some(format!(
                "`{}`",
                codes
                    .and_then(|codes| codes.get(*shared))
                    .map_or("a code", String::as_str)
            ))
        }
        (
            RowMatch::Range {
                low: first_low,
                high: first_high,
            },
            RowMatch::Range { low, high },
        ) => {
            // The shared numbers run from the higher low end to the lower high end.
            let shared_low = match (first_low, low) {
                (Some(a), Some(b)) => Some(*a.max(b)),
                (Some(a), None) | (None, Some(a)) => Some(*a),
                (None, None) => None,
            };
            let shared_high = match (first_high, high) {
                (Some(a), Some(b)) => Some(*a.min(b)),
                (Some(a), None) | (None, Some(a)) => Some(*a),
                (None, None) => None,
            };
            if let (Some(low), Some(high)) = (shared_low, shared_high)
                && low > high
            {
                return None;
            }
            Some(match (shared_low, shared_high) {
                (Some(low), Some(high)) if low == high => format!("{low}"),
                (Some(low), Some(high)) => format!("{low} to {high}"),
                (Some(low), None) => format!("{low} and above"),
                (None, Some(high)) => format!("{high} and below"),
                (None, None) => "every number".to_owned(),
            })
        }
        _ => None,
    }
}
