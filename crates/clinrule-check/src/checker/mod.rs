//! The checker: resolves names, types every expression, converts thresholds
//! to base units, orders derived values by their dependencies and collects
//! every problem in one pass.
//!
//! `mod.rs` holds the checker's state and the declarations (header,
//! references, facts, rules, conclusions); `names.rs` the shared names and
//! the dependency order; `expr.rs` the typing of expressions; `derived.rs`
//! derived values, scores and differentials.

mod derived;
mod expr;
mod lints;
mod names;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use clinrule_syntax::ast::{self, FactTypeKind, RuleFile, Verb};
use clinrule_syntax::suggest::did_you_mean;
use clinrule_syntax::{SourceMap, Span, Spanned};

use crate::error::CheckError;
use crate::model::*;
use crate::number::{NumberProblem, Rational};
use crate::units::{Dimension, parse_unit_often_used, to_base};

pub(crate) use names::Symbol;

/// What checking a rule file gives: the checked rule set when the file has no
/// error, and every diagnostic (errors and warnings) in source order.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The checked rule set, present only when the file has no syntax or check error.
    pub rule_set: Option<CheckedRuleSet>,
    /// Every problem found, errors and warnings, in the order of the source.
    pub diagnostics: Vec<CheckError>,
}

impl CheckOutcome {
    /// Whether any diagnostic is an error (not a warning).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| !diagnostic.is_warning())
    }
}

/// Checks a parsed rule file. `source` is the rule set's text, with its files
/// and lines: the checked rule set shares it, so that every span can be shown
/// as written and named by its file and line.
pub fn check(source: &Arc<SourceMap>, file: &RuleFile) -> CheckOutcome {
    check_on(source, file, 1)
}

/// Checks a parsed rule file as [`check`] does, checking a large file's
/// rules on two threads when `threads` allows; the outcome is the same
/// whatever the number. The caller, which knows the machine, chooses it.
pub fn check_on(source: &Arc<SourceMap>, file: &RuleFile, threads: usize) -> CheckOutcome {
    let mut checker = Checker {
        source: source.text(),
        file,
        threads: threads.clamp(1, 2),
        diagnostics: Vec::new(),
        facts: Vec::new(),
        fact_declarations: Vec::new(),
        symbols: HashMap::new(),
        references: Vec::new(),
        reference_by_id: HashMap::new(),
        used_facts: BTreeSet::new(),
        used_references: BTreeSet::new(),
        used_derived: BTreeSet::new(),
        untyped: BTreeSet::new(),
        lets: Vec::new(),
        let_types: Vec::new(),
        let_offsets: Vec::new(),
        scores: Vec::new(),
        differentials: Vec::new(),
        let_declarations: file.lets().collect(),
        score_declarations: file.scores().collect(),
        differential_declarations: file.differentials().collect(),
        reads_as_of: false,
    };
    let metadata = checker.header();
    checker.references();
    checker.facts();
    checker.declare_derived();
    let order = checker.dependency_order();
    checker.check_derived(&order);
    checker.set_asides();
    let population = checker.population();
    let mut rules = checker.rules();
    // The rule set's population is the first condition of every rule.
    if !population.is_empty() {
        for rule in &mut rules {
            let span = rule.condition.span;
            let condition = std::mem::replace(
                &mut rule.condition,
                Expr {
                    kind: CheckedExprKind::All(Vec::new()),
                    value_type: ValueType::Bool,
                    span,
                },
            );
            let mut parts: Vec<Expr> = population
                .iter()
                .map(|clause| clause.condition.clone())
                .collect();
            // A rule's own `and` joins the population's, as one list.
            match condition.kind {
                CheckedExprKind::All(own) => parts.extend(own),
                _ => parts.push(condition),
            }
            rule.condition = Expr {
                kind: CheckedExprKind::All(parts),
                value_type: ValueType::Bool,
                span,
            };
        }
    }
    checker.unused();
    checker.lints(&rules);

    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|diagnostic| primary_span(diagnostic).start);
    let has_errors = diagnostics
        .iter()
        .any(|diagnostic| !diagnostic.is_warning());
    let complete = !has_errors && file.syntax_error_count == 0 && file.broken.is_empty();
    let lets: Option<Vec<DerivedValue>> = checker.lets.into_iter().collect();
    let scores: Option<Vec<Score>> = checker.scores.into_iter().collect();
    let differentials: Option<Vec<Differential>> = checker.differentials.into_iter().collect();
    let rule_set = match (metadata, lets, scores, differentials) {
        (Some(metadata), Some(lets), Some(scores), Some(differentials)) if complete => Some(
            CheckedRuleSet::new(
                Arc::clone(source),
                metadata,
                checker.references,
                checker.facts,
                lets,
                scores,
                differentials,
                rules,
                order,
                checker.reads_as_of,
            )
            .with_population(population),
        ),
        _ => None,
    };
    CheckOutcome {
        rule_set,
        diagnostics,
    }
}

fn primary_span(diagnostic: &CheckError) -> Span {
    use miette::Diagnostic as _;
    diagnostic
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| {
            Span::new(
                u32::try_from(label.offset()).unwrap_or(u32::MAX),
                u32::try_from(label.offset() + label.len()).unwrap_or(u32::MAX),
            )
        })
        .unwrap_or_default()
}

pub(crate) struct Checker<'file> {
    source: &'file str,
    file: &'file RuleFile,
    /// How many threads may check rules.
    threads: usize,
    diagnostics: Vec<CheckError>,
    facts: Vec<Fact>,
    fact_declarations: Vec<&'file ast::FactDecl>,
    /// Every name a value can be called by: facts, derived values, scores, differentials.
    symbols: HashMap<&'file str, (Symbol, Span)>,
    references: Vec<CheckedReference>,
    reference_by_id: HashMap<&'file str, (ReferenceIndex, Span)>,
    used_facts: BTreeSet<FactIndex>,
    used_references: BTreeSet<ReferenceIndex>,
    used_derived: BTreeSet<Derived>,
    /// Declarations that could not be typed (a unit that cannot be read, a
    /// derived value in a cycle or with an error): uses of them are not
    /// checked further, since any problem found would only echo the first.
    untyped: BTreeSet<Symbol>,
    /// Derived values, checked in dependency order; `None` until checked or when broken.
    lets: Vec<Option<DerivedValue>>,
    /// The type of each derived value, once known.
    let_types: Vec<Option<ValueType>>,
    /// For each derived value that is a temperature on a scale with an
    /// offset, the fact's unit: found once per value, so that a chain of
    /// derived values is not walked again at every step.
    let_offsets: Vec<Option<String>>,
    scores: Vec<Option<Score>>,
    differentials: Vec<Option<Differential>>,
    /// The declarations of derived values, scores and differentials, by
    /// index: found once, so that looking one up is not a walk of the file.
    let_declarations: Vec<&'file ast::LetDecl>,
    score_declarations: Vec<&'file ast::ScoreDecl>,
    differential_declarations: Vec<&'file ast::DifferentialDecl>,
    /// Whether any expression reads `as_of`: when none does, the checked
    /// rule set need not look for its uses.
    reads_as_of: bool,
}

/// What a fact holds, in an editor's words.
fn fact_kind(fact_type: &FactType) -> String {
    match fact_type {
        FactType::YesNo => "a yes/no finding".to_owned(),
        FactType::Number => "a plain number".to_owned(),
        FactType::Quantity { unit_text, .. } => format!("a measurement in `{unit_text}`"),
        FactType::Age => "an age".to_owned(),
        FactType::Date => "a date".to_owned(),
        FactType::Text => "free text".to_owned(),
        FactType::OneOf(_) => "one of a set of codes".to_owned(),
    }
}

/// How to write a value that fits a fact, for help texts.
fn value_example(fact_type: &FactType) -> String {
    match fact_type {
        FactType::YesNo => "compare it with `yes` or `no`, or write the fact on its own".to_owned(),
        FactType::Number => "compare it with a number such as `3`".to_owned(),
        FactType::Quantity { unit_text, .. } => {
            format!("compare it with a measurement such as `3.5 {unit_text}`")
        }
        FactType::Age => "compare it with an age such as `6 months` or `2 years`".to_owned(),
        FactType::Date => "compare it with a date such as `2025-10-30`".to_owned(),
        FactType::Text => "free text cannot be compared".to_owned(),
        FactType::OneOf(codes) => format!(
            "compare it with one of its codes: {}",
            codes
                .iter()
                .map(|code| format!("`{code}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Collapses the whitespace of a condition written over several lines.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'file> Checker<'file> {
    fn header(&mut self) -> Option<Metadata> {
        let headers: Vec<&ast::RuleSetHeader> = self.file.headers().collect();
        let header_broken = self
            .file
            .broken
            .iter()
            .any(|broken| broken.kind == Some(ast::ItemKind::RuleSet));
        let Some(first) = headers.first() else {
            if !header_broken && self.file.syntax_error_count == 0 {
                self.diagnostics.push(CheckError::MissingHeader {
                    span: Span::new(0, 0),
                });
            }
            return None;
        };
        for again in headers.iter().skip(1) {
            self.diagnostics.push(CheckError::DuplicateHeader {
                span: Span::new(again.span.start, again.id.span.end),
                first: Span::new(first.span.start, first.id.span.end),
            });
        }
        let keyword_span = Span::new(first.span.start, first.id.span.end);
        let missing = |field: &str, help: &str| CheckError::MissingHeaderField {
            field: field.to_owned(),
            span: keyword_span,
            help: help.to_owned(),
        };
        let mut problems = Vec::new();
        if first.title.is_none() {
            problems.push(missing(
                "title",
                "add a line such as `title \"Metaphyseal sclerosis in a young child\"`",
            ));
        }
        if first.version.is_none() {
            problems.push(missing(
                "version",
                "add a line such as `version 1.0.0`; results name the version they came from",
            ));
        }
        if first.status.is_none() {
            problems.push(missing(
                "status",
                "add `status draft` (or `review`, `approved`, `retired`); reports show it",
            ));
        }
        let complete = problems.is_empty();
        if self.file.syntax_error_count == 0 {
            self.diagnostics.extend(problems);
        }
        if !complete {
            return None;
        }
        Some(Metadata {
            id: first.id.name.to_string(),
            title: first
                .title
                .as_ref()
                .map(|title| title.value.clone())
                .unwrap_or_default(),
            version: first
                .version
                .as_ref()
                .map(|version| version.name.clone())
                .unwrap_or_default()
                .to_string(),
            status: first
                .status
                .map_or(ast::Status::Draft, |status| status.value),
            reviewed: first.reviewed.map(|reviewed| reviewed.value),
            authors: first
                .authors
                .iter()
                .map(|author| author.value.clone())
                .collect(),
            audience: first
                .audience
                .iter()
                .map(|word| word.name.to_string())
                .collect(),
            patient_title: first.patient.as_ref().map(|text| text.value.clone()),
        })
    }

    fn references(&mut self) {
        for reference in self.file.references() {
            if let Some((_, first)) = self.reference_by_id.get(reference.id.name.as_str()) {
                self.diagnostics.push(CheckError::DuplicateReference {
                    id: reference.id.name.to_string(),
                    span: reference.id.span,
                    first: *first,
                });
                continue;
            }
            if reference.pmid.is_none() && reference.doi.is_none() && reference.url.is_none() {
                self.diagnostics.push(CheckError::ReferenceWithoutLink {
                    id: reference.id.name.to_string(),
                    span: reference.id.span,
                });
            }
            self.reference_by_id.insert(
                reference.id.name.as_str(),
                (self.references.len(), reference.id.span),
            );
            self.references.push(CheckedReference {
                id: reference.id.name.to_string(),
                citation: reference.citation.value.clone(),
                pmid: reference
                    .pmid
                    .as_ref()
                    .map(|pmid| pmid.name.clone())
                    .map(String::from),
                doi: reference.doi.as_ref().map(|doi| doi.value.clone()),
                url: reference.url.as_ref().map(|url| url.value.clone()),
            });
        }
    }

    fn facts(&mut self) {
        for declaration in self.file.facts() {
            if let Some((_, first_span)) = self.symbols.get(declaration.name.name.as_str()) {
                self.diagnostics.push(CheckError::DuplicateFact {
                    name: declaration.name.name.to_string(),
                    span: declaration.name.span,
                    first: *first_span,
                });
                continue;
            }
            let fact_type = match &declaration.fact_type.kind {
                FactTypeKind::YesNo => FactType::YesNo,
                FactTypeKind::Number => FactType::Number,
                FactTypeKind::Age => FactType::Age,
                FactTypeKind::Date => FactType::Date,
                FactTypeKind::Text => FactType::Text,
                FactTypeKind::Quantity(unit) => match self.unit(unit) {
                    Some(parsed) => FactType::Quantity {
                        unit_text: unit.name.to_string(),
                        unit: parsed,
                    },
                    None => {
                        self.untyped.insert(Symbol::Fact(self.facts.len()));
                        FactType::Text
                    }
                },
                FactTypeKind::OneOf(codes) => {
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for code in codes {
                        if let Some(first) = seen.get(code.name.as_str()) {
                            self.diagnostics.push(CheckError::DuplicateCode {
                                code: code.name.to_string(),
                                span: code.span,
                                first: *first,
                            });
                        } else {
                            seen.insert(code.name.as_str(), code.span);
                        }
                    }
                    // Each code once, in the order first written; found by
                    // the map above, not by comparing every pair.
                    let mut unique: Vec<String> = Vec::with_capacity(seen.len());
                    for code in codes {
                        if seen.get(code.name.as_str()) == Some(&code.span) {
                            unique.push(code.name.to_string());
                        }
                    }
                    FactType::OneOf(unique.into())
                }
            };
            let absent_means_no = matches!(
                declaration.absent,
                Some(Spanned {
                    value: ast::AbsentMeans::No,
                    ..
                })
            );
            if absent_means_no
                && fact_type != FactType::YesNo
                && let Some(absent) = declaration.absent
            {
                {
                    self.diagnostics.push(CheckError::AbsentMeansNoNotYesNo {
                        span: absent.span,
                        type_span: declaration.fact_type.span,
                        fact_type: fact_type.describe(),
                    });
                }
            }
            let conversions = self.conversions(declaration, &fact_type);
            self.symbols.insert(
                declaration.name.name.as_str(),
                (Symbol::Fact(self.facts.len()), declaration.name.span),
            );
            self.fact_declarations.push(declaration);
            self.facts.push(Fact {
                name: declaration.name.name.to_string(),
                fact_type,
                description: declaration
                    .description
                    .as_ref()
                    .map(|text| text.value.clone()),
                ask: declaration.ask.as_ref().map(|text| text.value.clone()),
                absent_means_no,
                conversions,
                derived_from: None,
                plausible: None,
                obtained: declaration.obtained.map(|obtained| obtained.value),
                required: declaration.required,
                patient: declaration.patient.as_ref().map(|text| text.value.clone()),
                set_aside: Vec::new(),
                span: declaration.name.span,
            });
        }
        self.derived_ages();
        self.plausible_ranges();
    }

    /// Checks each fact's `plausible from <low> to <high>`: each end is
    /// typed as if the fact were compared with it (`fact >= low`,
    /// `fact <= high`), so units, dimensions and numbers are checked, and
    /// converted, exactly as a rule's thresholds are.
    fn plausible_ranges(&mut self) {
        let declared: Vec<(FactIndex, &'file ast::FactDecl)> = self
            .fact_declarations
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, declaration)| declaration.plausible.is_some())
            .collect();
        for (index, declaration) in declared {
            let (Some(range), Some(fact)) = (&declaration.plausible, self.facts.get(index)) else {
                continue;
            };
            if self.untyped.contains(&Symbol::Fact(index)) {
                continue;
            }
            if !matches!(
                fact.fact_type,
                FactType::Number | FactType::Quantity { .. } | FactType::Age | FactType::Date
            ) {
                self.diagnostics.push(CheckError::PlausibleWithoutOrder {
                    span: range.span,
                    type_span: declaration.fact_type.span,
                    fact_type: fact.fact_type.describe(),
                });
                continue;
            }
            // Typing a comparison marks the fact used; a range is not a use.
            let was_used = self.used_facts.contains(&index);
            let low = self.plausible_end(declaration, &range.low, ast::CompareOp::GreaterOrEqual);
            let high = self.plausible_end(declaration, &range.high, ast::CompareOp::LessOrEqual);
            if !was_used {
                self.used_facts.remove(&index);
            }
            let (Some(low), Some(high)) = (low, high) else {
                continue;
            };
            let written = |end: &ast::Expr| one_line(end.span.text(self.source));
            let reversed = match (&low, &high) {
                (Const::Number(low), Const::Number(high)) => low > high,
                (Const::Date(low), Const::Date(high)) => low > high,
                _ => false,
            };
            if reversed {
                self.diagnostics.push(CheckError::PlausibleReversed {
                    fact: declaration.name.name.to_string(),
                    low: written(&range.low),
                    high: written(&range.high),
                    span: range.span,
                });
                continue;
            }
            let text = format!("{} to {}", written(&range.low), written(&range.high));
            if let Some(fact) = self.facts.get_mut(index) {
                fact.plausible = Some(Plausible {
                    low,
                    high,
                    text,
                    span: range.span,
                });
            }
        }
    }

    /// One end of a plausible range, typed as the threshold of
    /// `fact <op> end`, in the fact's base units; `None` after a diagnostic.
    fn plausible_end(
        &mut self,
        declaration: &ast::FactDecl,
        end: &ast::Expr,
        op: ast::CompareOp,
    ) -> Option<Const> {
        let compare = ast::Expr {
            kind: ast::ExprKind::Compare {
                left: Box::new(ast::Expr {
                    kind: ast::ExprKind::Name(declaration.name.clone()),
                    span: declaration.name.span,
                }),
                op: Spanned {
                    value: op,
                    span: end.span,
                },
                right: Box::new(end.clone()),
                alternative: None,
            },
            span: end.span,
        };
        let checked = self.condition(&compare, expr::Context::RULE)?;
        match checked.kind {
            CheckedExprKind::Compare { right, .. } => match right.kind {
                CheckedExprKind::Const(value) => Some(value),
                _ => None,
            },
            _ => None,
        }
    }

    /// Resolves `from <date fact>` on ages, once every fact is declared.
    fn derived_ages(&mut self) {
        for (index, declaration) in self.fact_declarations.clone().iter().enumerate() {
            let Some(source) = &declaration.derived_from else {
                continue;
            };
            let Some(fact) = self.facts.get(index) else {
                continue;
            };
            if fact.fact_type != FactType::Age {
                self.diagnostics.push(CheckError::BadDerivedFrom {
                    message: format!("only an age can be derived from a date, and `{}` is {}", fact.name, fact_kind(&fact.fact_type)),
                    span: source.span,
                    help: "declare the fact as `age` to derive it from a birth date and the case's `as_of` date".to_owned(),
                });
                continue;
            }
            match self.symbols.get(source.name.as_str()) {
                Some((Symbol::Fact(date), _))
                    if self
                        .facts
                        .get(*date)
                        .is_some_and(|fact| fact.fact_type == FactType::Date) =>
                {
                    let date = *date;
                    self.used_facts.insert(date);
                    if let Some(fact) = self.facts.get_mut(index) {
                        fact.derived_from = Some(date);
                    }
                }
                Some((Symbol::Fact(other), _)) => {
                    let kind = self
                        .facts
                        .get(*other)
                        .map(|fact| fact_kind(&fact.fact_type))
                        .unwrap_or_default();
                    self.diagnostics.push(CheckError::BadDerivedFrom {
                        message: format!(
                            "an age is derived from a date, but `{}` is {kind}",
                            source.name
                        ),
                        span: source.span,
                        help: format!("declare `{}` as `date`", source.name),
                    });
                }
                _ => {
                    let help = match did_you_mean(
                        &source.name,
                        self.facts
                            .iter()
                            .filter(|fact| fact.fact_type == FactType::Date)
                            .map(|fact| fact.name.as_str()),
                    ) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => format!("declare it first: `fact {} : date`", source.name),
                    };
                    self.diagnostics.push(CheckError::UndeclaredFact {
                        name: source.name.to_string(),
                        span: source.span,
                        help,
                    });
                }
            }
        }
    }

    /// Reads a fact's substance-specific conversions.
    fn conversions(
        &mut self,
        declaration: &ast::FactDecl,
        fact_type: &FactType,
    ) -> Vec<FactConversion> {
        let mut conversions = Vec::new();
        for conversion in &declaration.conversions {
            let span = match conversion {
                ast::Conversion::Also { span, .. }
                | ast::Conversion::MolarMass { span, .. }
                | ast::Conversion::Valence { span, .. } => *span,
            };
            let FactType::Quantity {
                unit: fact_unit,
                unit_text,
            } = fact_type
            else {
                if self.untyped.contains(&Symbol::Fact(self.facts.len())) {
                    continue;
                }
                self.diagnostics.push(CheckError::BadConversion {
                    message: format!(
                        "only a measurement can be converted, and `{}` is {}",
                        declaration.name.name,
                        fact_kind(fact_type)
                    ),
                    span,
                    help: "delete the conversion, or declare the fact as `quantity <unit>`"
                        .to_owned(),
                });
                continue;
            };
            let text = one_line(span.text(self.source));
            let converted = match conversion {
                ast::Conversion::Also {
                    unit, amount, per, ..
                } => self.also_conversion(fact_unit, unit_text, unit, amount, per, span),
                ast::Conversion::MolarMass { amount, .. } => {
                    self.molar_mass_conversion(fact_unit, unit_text, amount, span)
                }
                ast::Conversion::Valence { number, .. } => {
                    self.valence_conversion(fact_unit, unit_text, number, span)
                }
            };
            if let Some((dimension, factor)) = converted {
                if conversions
                    .iter()
                    .any(|known: &FactConversion| known.dimension == dimension)
                {
                    self.diagnostics.push(CheckError::BadConversion {
                        message: format!(
                            "`{}` has two conversions to {}",
                            declaration.name.name,
                            dimension.describe()
                        ),
                        span,
                        help: "keep one conversion per dimension".to_owned(),
                    });
                    continue;
                }
                conversions.push(FactConversion {
                    dimension,
                    factor,
                    text,
                });
            }
        }
        conversions
    }

    /// `also umol/L at 20.72 ug/dL per umol/L`: one `per` unit is `amount` of the fact's unit.
    fn also_conversion(
        &mut self,
        fact_unit: &crate::units::Unit,
        fact_unit_text: &str,
        unit: &ast::Ident,
        amount: &ast::QuantityLiteral,
        per: &ast::Ident,
        span: Span,
    ) -> Option<(Dimension, Rational)> {
        let other = self.unit(unit)?;
        let amount_unit = self.unit(&amount.unit)?;
        let per_unit = self.unit(per)?;
        let amount_number = self.number(&amount.number.text, amount.number.span)?;
        if other.dimension == fact_unit.dimension {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!(
                    "`{}` and `{fact_unit_text}` are both {}, which convert without help",
                    unit.name,
                    other.dimension.describe()
                ),
                span: unit.span,
                help: "delete the conversion: units of the same dimension always convert exactly"
                    .to_owned(),
            });
            return None;
        }
        if amount_unit.dimension != fact_unit.dimension {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!("the amount `{}` should be {}, like `{fact_unit_text}`", one_line(amount.span.text(self.source)), fact_unit.dimension.describe()),
                span: amount.span,
                help: format!(
                    "write how much `{fact_unit_text}` one `{}` is: `also {} at {} {fact_unit_text} per {}`",
                    unit.name, unit.name, amount.number.text, unit.name
                ),
            });
            return None;
        }
        if per_unit.dimension != other.dimension {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!(
                    "`{}` should be {}, like `{}`",
                    per.name,
                    other.dimension.describe(),
                    unit.name
                ),
                span: per.span,
                help: format!("write `per {}`", unit.name),
            });
            return None;
        }
        let amount_base = to_base(amount_number, &amount_unit)?;
        let factor = amount_base.checked_div(per_unit.factor);
        if factor.is_none() || amount_base == Rational::ZERO {
            self.diagnostics.push(CheckError::BadConversion {
                message: "this conversion factor cannot be used".to_owned(),
                span,
                help: "write a positive amount".to_owned(),
            });
            return None;
        }
        factor.map(|factor| (other.dimension, factor))
    }

    /// `molar mass 207.2 g/mol`: converts between mass and amount of substance.
    fn molar_mass_conversion(
        &mut self,
        fact_unit: &crate::units::Unit,
        fact_unit_text: &str,
        amount: &ast::QuantityLiteral,
        span: Span,
    ) -> Option<(Dimension, Rational)> {
        let mass_unit = self.unit(&amount.unit)?;
        let number = self.number(&amount.number.text, amount.number.span)?;
        let molar_mass_dimension = Dimension::MASS.divided_by(Dimension::AMOUNT)?;
        if mass_unit.dimension != molar_mass_dimension {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!(
                    "a molar mass is a mass per amount of substance, such as `g/mol`, not `{}`",
                    amount.unit.name
                ),
                span: amount.span,
                help: "write the molar mass in `g/mol`, such as `molar mass 207.2 g/mol` for lead"
                    .to_owned(),
            });
            return None;
        }
        let molar_mass = to_base(number, &mass_unit)?;
        let [_, mass_power, _, amount_power, ..] = fact_unit.dimension.0;
        let converted = match (mass_power, amount_power) {
            // A mass-based fact takes substance values: mass = amount * molar mass.
            (1, 0) => fact_unit
                .dimension
                .divided_by(Dimension::MASS)
                .and_then(|dimension| dimension.times(Dimension::AMOUNT))
                .map(|dimension| (dimension, molar_mass)),
            // A substance-based fact takes mass values: amount = mass / molar mass.
            (0, 1) => fact_unit
                .dimension
                .divided_by(Dimension::AMOUNT)
                .and_then(|dimension| dimension.times(Dimension::MASS))
                .zip(Rational::ONE.checked_div(molar_mass)),
            _ => None,
        };
        if converted.is_none() {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!("a molar mass converts masses and amounts of substance, but `{fact_unit_text}` is {}", fact_unit.dimension.describe()),
                span,
                help: "use `also <unit> at <amount> per <unit>` for other conversions".to_owned(),
            });
        }
        converted
    }

    /// `valence 2`: a substance measured in moles also takes values in
    /// equivalents (a mole is `valence` equivalents), and one measured in
    /// equivalents takes values in moles.
    fn valence_conversion(
        &mut self,
        fact_unit: &crate::units::Unit,
        fact_unit_text: &str,
        number: &ast::NumberLiteral,
        span: Span,
    ) -> Option<(Dimension, Rational)> {
        let valence = self.number(&number.text, number.span)?;
        if valence <= Rational::ZERO {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!("a valence is the charge of an ion or of a molecule, above zero, not {}", number.text),
                span: number.span,
                help: "write the valence of the substance, such as `valence 2` for calcium or `valence 1` for sodium".to_owned(),
            });
            return None;
        }
        let [_, _, _, amount_power, _, _, equivalent_power, _] = fact_unit.dimension.0;
        let converted = match (amount_power, equivalent_power) {
            // A fact in moles takes equivalents: amount = equivalents / valence.
            (1, 0) => fact_unit
                .dimension
                .divided_by(Dimension::AMOUNT)
                .and_then(|dimension| dimension.times(Dimension::EQUIVALENT))
                .zip(Rational::ONE.checked_div(valence)),
            // A fact in equivalents takes moles: equivalents = amount * valence.
            (0, 1) => fact_unit
                .dimension
                .divided_by(Dimension::EQUIVALENT)
                .and_then(|dimension| dimension.times(Dimension::AMOUNT))
                .map(|dimension| (dimension, valence)),
            _ => None,
        };
        if converted.is_none() {
            self.diagnostics.push(CheckError::BadConversion {
                message: format!(
                    "a valence converts moles and equivalents, but `{fact_unit_text}` is {}",
                    fact_unit.dimension.describe()
                ),
                span,
                help: "declare the fact in `mmol/L` or `meq/L` to give it a valence".to_owned(),
            });
        }
        converted
    }

    /// Reads a unit, reporting an unknown one.
    fn unit(&mut self, unit: &ast::Ident) -> Option<crate::units::Unit> {
        let problem = match parse_unit_often_used(&unit.name) {
            Ok(parsed) => return Some(parsed),
            Err(problem) => problem,
        };
        let diagnostic = match problem.help("mg/dL") {
            Some(help) => CheckError::UnknownUnit {
                unit: unit.name.to_string(),
                span: unit.span,
                help,
            },
            None => CheckError::NumberOutOfRange {
                number: unit.name.to_string(),
                span: unit.span,
            },
        };
        self.diagnostics.push(diagnostic);
        None
    }

    /// Reads a number, reporting one that cannot be held exactly.
    fn number(&mut self, text: &str, span: Span) -> Option<Rational> {
        match Rational::parse_decimal(text) {
            Ok(value) => Some(value),
            Err(NumberProblem::OutOfRange | NumberProblem::Malformed) => {
                self.diagnostics.push(CheckError::NumberOutOfRange {
                    number: text.to_owned(),
                    span,
                });
                None
            }
        }
    }

    fn rules(&mut self) -> Vec<CheckedRule> {
        let written: Vec<&'file ast::Rule> = self.file.rules().collect();
        // Which identifiers repeat, found once for the whole file.
        let rule_ids = occurrences(written.iter().map(|rule| rule.id.name.as_str()));
        let conclusions_written: Vec<&'file ast::Conclusion> =
            written.iter().flat_map(|rule| &rule.conclusions).collect();
        let conclusion_ids = occurrences(
            conclusions_written
                .iter()
                .map(|conclusion| conclusion.id.name.as_str()),
        );
        let plan = RulePlan {
            written: &written,
            rule_ids: &rule_ids,
            conclusions_written: &conclusions_written,
            conclusion_ids: &conclusion_ids,
        };
        let threads = self.threads.min(written.len() / RULES_PER_THREAD).max(1);
        if threads == 1 {
            return self.rules_in(&plan, 0..written.len(), 0);
        }
        // A large file's rules are checked on two threads, each a half of
        // them with a checker of its own; each half's diagnostics are in
        // the order of its rules, so joined they are in the file's order.
        let middle = written.len() / 2;
        let conclusions_before: usize = written
            .get(..middle)
            .unwrap_or_default()
            .iter()
            .map(|rule| rule.conclusions.len())
            .sum();
        let mut helper = self.helper();
        let count = written.len();
        let (mut rules, later) = std::thread::scope(|scope| {
            let plan = &plan;
            let helper = &mut helper;
            let handle =
                scope.spawn(move || helper.rules_in(plan, middle..count, conclusions_before));
            let first = self.rules_in(plan, 0..middle, 0);
            match handle.join() {
                Ok(later) => (first, later),
                // A bug in one thread is a bug of the whole check.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        });
        rules.extend(later);
        self.diagnostics.append(&mut helper.diagnostics);
        self.used_facts.append(&mut helper.used_facts);
        self.used_references.append(&mut helper.used_references);
        self.used_derived.append(&mut helper.used_derived);
        self.reads_as_of |= helper.reads_as_of;
        rules
    }

    /// A checker for a share of the rules: the declarations as checked so
    /// far, and nothing found or used yet.
    fn helper(&self) -> Checker<'file> {
        Checker {
            source: self.source,
            file: self.file,
            threads: 1,
            diagnostics: Vec::new(),
            facts: self.facts.clone(),
            fact_declarations: self.fact_declarations.clone(),
            symbols: self.symbols.clone(),
            references: self.references.clone(),
            reference_by_id: self.reference_by_id.clone(),
            used_facts: BTreeSet::new(),
            used_references: BTreeSet::new(),
            used_derived: BTreeSet::new(),
            untyped: self.untyped.clone(),
            lets: self.lets.clone(),
            let_types: self.let_types.clone(),
            let_offsets: self.let_offsets.clone(),
            scores: self.scores.clone(),
            differentials: self.differentials.clone(),
            let_declarations: self.let_declarations.clone(),
            score_declarations: self.score_declarations.clone(),
            differential_declarations: self.differential_declarations.clone(),
            reads_as_of: false,
        }
    }

    /// Checks the rules in `range`, whose first conclusion is the file's
    /// `first_conclusion`-th.
    fn rules_in(
        &mut self,
        plan: &RulePlan<'_, 'file>,
        range: std::ops::Range<usize>,
        first_conclusion: usize,
    ) -> Vec<CheckedRule> {
        let action_of = |conclusion: &ast::Conclusion| match conclusion.verb.value {
            Verb::Suspect => Some(DiagnosisAction::Suspect),
            Verb::Exclude => Some(DiagnosisAction::Exclude),
            _ => None,
        };
        let mut conclusion_ordinal = first_conclusion;
        let written = plan.written.get(range.clone()).unwrap_or_default();
        let occurrences = plan.rule_ids.get(range).unwrap_or_default();
        let mut rules = Vec::with_capacity(written.len());
        for (rule, occurrence) in written.iter().zip(occurrences) {
            if occurrence.earlier > 0
                && let Some(first) = plan.written.get(occurrence.first)
            {
                self.diagnostics.push(CheckError::DuplicateRule {
                    id: rule.id.name.to_string(),
                    span: rule.id.span,
                    first: first.id.span,
                });
            }
            let rule_citations = self.citations(&rule.cites);
            let condition = self.condition(&rule.condition, expr::Context::RULE);
            let mut conclusions = Vec::with_capacity(rule.conclusions.len());
            for conclusion in &rule.conclusions {
                let action = action_of(conclusion);
                let occurrence = plan
                    .conclusion_ids
                    .get(conclusion_ordinal)
                    .copied()
                    .unwrap_or_default();
                conclusion_ordinal += 1;
                // Several rules may reach one conclusion: the same verb (or,
                // for a diagnosis, `suspect` and `exclude`) and the same
                // words, each rule with its own reasons and options. Twice
                // in one rule, another verb, or other words is E204.
                if occurrence.earlier > 0
                    && let Some(first) = plan.conclusions_written.get(occurrence.first)
                {
                    let in_this_rule = rule
                        .conclusions
                        .iter()
                        .take_while(|other| !std::ptr::eq(*other, conclusion))
                        .find(|other| other.id.name == conclusion.id.name);
                    let same_kind = first.verb.value == conclusion.verb.value
                        || (action.is_some() && action_of(first).is_some());
                    let same_words = first.verb.value != conclusion.verb.value
                        || first.text.value == conclusion.text.value;
                    let problem = if let Some(other) = in_this_rule {
                        Some((other.id.span, "a rule reaches a conclusion once: delete one of the two, or give it another identifier".to_owned()))
                    } else if !same_kind {
                        Some((
                            first.id.span,
                            format!(
                                "a conclusion reached by several rules is the same kind of conclusion in each; this one is `{}` where the first is `{}`: give it another identifier",
                                conclusion.verb.value.word(),
                                first.verb.value.word()
                            ),
                        ))
                    } else if !same_words {
                        Some((
                            first.id.span,
                            format!(
                                "a conclusion reached by several rules says the same thing in each: write \"{}\" here too, or give this one another identifier; each rule may still give its own `because`",
                                first.text.value
                            ),
                        ))
                    } else {
                        None
                    };
                    if let Some((first_span, help)) = problem {
                        self.diagnostics.push(CheckError::DuplicateConclusion {
                            id: conclusion.id.name.to_string(),
                            span: conclusion.id.span,
                            first: first_span,
                            help,
                        });
                    }
                }
                if let Some(checked) = self.conclusion(conclusion, action, &rule_citations) {
                    conclusions.push(checked);
                }
            }
            if let Some(condition) = condition {
                rules.push(CheckedRule {
                    id: rule.id.name.to_string(),
                    title: rule.title.as_ref().map(|title| title.value.clone()),
                    condition,
                    conclusions,
                    span: rule.span,
                });
            }
        }
        rules
    }

    fn citations(&mut self, cites: &[ast::Ident]) -> Vec<ReferenceIndex> {
        let mut resolved = Vec::new();
        for cite in cites {
            match self.reference_by_id.get(cite.name.as_str()) {
                Some((index, _)) => {
                    self.used_references.insert(*index);
                    if !resolved.contains(index) {
                        resolved.push(*index);
                    }
                }
                None => {
                    let broken = self.file.broken.iter().any(|broken| {
                        broken.kind == Some(ast::ItemKind::Reference)
                            && broken.name.as_deref() == Some(cite.name.as_str())
                    });
                    if broken {
                        continue;
                    }
                    let help = match did_you_mean(
                        &cite.name,
                        self.references
                            .iter()
                            .map(|reference| reference.id.as_str()),
                    ) {
                        Some(suggestion) => format!("did you mean `{suggestion}`?"),
                        None => format!(
                            "add the reference: `reference {} \"Author. Title. Journal year\" pmid 12345678`",
                            cite.name
                        ),
                    };
                    self.diagnostics.push(CheckError::UnknownReference {
                        id: cite.name.to_string(),
                        span: cite.span,
                        help,
                    });
                }
            }
        }
        resolved
    }

    fn conclusion(
        &mut self,
        conclusion: &ast::Conclusion,
        action: Option<DiagnosisAction>,
        rule_citations: &[ReferenceIndex],
    ) -> Option<CheckedConclusion> {
        let kind = match conclusion.verb.value {
            Verb::Suspect | Verb::Exclude => ConclusionKind::Diagnosis,
            Verb::Order => ConclusionKind::Test,
            Verb::Refer => ConclusionKind::Referral,
            Verb::Treat => ConclusionKind::Treatment,
            Verb::Warn => ConclusionKind::Warning,
            Verb::FollowUp => ConclusionKind::FollowUp,
            Verb::Note => ConclusionKind::Note,
        };
        let verb = conclusion.verb.value.word().to_owned();
        let certainty = match (action, conclusion.certainty) {
            (Some(_), Some(certainty)) => Some(certainty.value),
            (Some(DiagnosisAction::Suspect), None) => Some(Certainty::Suspected),
            (Some(DiagnosisAction::Exclude), None) => Some(Certainty::Unlikely),
            (None, Some(certainty)) => {
                self.diagnostics.push(CheckError::CertaintyNotDiagnosis {
                    span: certainty.span,
                    verb: verb.clone(),
                });
                None
            }
            (None, None) => None,
        };
        let interval = match &conclusion.interval {
            Some(interval) if kind != ConclusionKind::FollowUp => {
                self.diagnostics.push(CheckError::IntervalNotFollowUp {
                    span: interval.span,
                    verb,
                });
                None
            }
            Some(interval) => self.interval(interval, conclusion.verb.span),
            None => None,
        };
        if let (Some(only), Some(patient)) = (conclusion.clinicians_only, &conclusion.patient_text)
        {
            self.diagnostics
                .push(CheckError::PatientTextForCliniciansOnly {
                    only,
                    patient: patient.span,
                });
        }
        let mut citations = rule_citations.to_vec();
        for index in self.citations(&conclusion.cites) {
            if !citations.contains(&index) {
                citations.push(index);
            }
        }
        Some(CheckedConclusion {
            id: conclusion.id.name.to_string(),
            kind,
            action,
            certainty,
            urgency: conclusion.urgency.map(|urgency| urgency.value),
            text: conclusion.text.value.clone(),
            rationale: conclusion.rationale.as_ref().map(|text| text.value.clone()),
            patient_text: conclusion
                .patient_text
                .as_ref()
                .map(|text| text.value.clone()),
            clinicians_only: conclusion.clinicians_only.is_some(),
            interval,
            citations,
            span: conclusion.span,
        })
    }

    fn interval(&mut self, interval: &ast::Interval, verb_span: Span) -> Option<CheckedInterval> {
        let number = self.number(&interval.number, interval.span)?;
        let unit = self.unit(&interval.unit)?;
        if unit.dimension != Dimension::TIME {
            self.diagnostics.push(CheckError::IntervalNotTime {
                unit: interval.unit.name.to_string(),
                dimension: unit.dimension.describe(),
                span: interval.unit.span,
                verb: verb_span,
            });
            return None;
        }
        let Some(seconds) = to_base(number, &unit) else {
            self.diagnostics.push(CheckError::NumberOutOfRange {
                number: interval.number.clone(),
                span: interval.span,
            });
            return None;
        };
        Some(CheckedInterval {
            repeats: interval.repeats,
            text: format!("{} {}", interval.number, interval.unit.name),
            seconds,
        })
    }

    /// Warns about what nothing uses, once the file has no error: a
    /// misspelled name makes its declaration look unused, and that warning
    /// would only repeat the error.
    fn unused(&mut self) {
        let has_errors = self
            .diagnostics
            .iter()
            .any(|diagnostic| !diagnostic.is_warning());
        if has_errors || self.file.syntax_error_count > 0 || !self.file.broken.is_empty() {
            return;
        }
        for (index, reference) in self.file.references().enumerate() {
            let Some((known_index, _)) = self.reference_by_id.get(reference.id.name.as_str())
            else {
                continue;
            };
            if *known_index == index && !self.used_references.contains(&index) {
                self.diagnostics.push(CheckError::UnusedReference {
                    id: reference.id.name.to_string(),
                    span: reference.id.span,
                });
            }
        }
        for (index, fact) in self.facts.iter().enumerate() {
            // Free text is for reading, never for testing, and a required
            // fact is reported in the needs: neither is "unused".
            if !self.used_facts.contains(&index)
                && fact.fact_type != FactType::Text
                && !fact.required
            {
                self.diagnostics.push(CheckError::UnusedFact {
                    name: fact.name.clone(),
                    span: fact.span,
                });
            }
        }
        for (index, let_decl) in self.file.lets().enumerate() {
            // A lookup table is for the reader of the result as much as for
            // the rules: its value and its rows are shown.
            if !self.used_derived.contains(&Derived::Let(index)) && let_decl.table.is_none() {
                self.diagnostics.push(CheckError::UnusedDerived {
                    name: let_decl.name.name.to_string(),
                    span: let_decl.name.span,
                });
            }
        }
    }
}

impl Checker<'_> {
    /// Whom the whole rule set applies to: the header's `applies`
    /// conditions, reading facts only, each added to every score's
    /// population; the caller makes them the first conditions of every rule.
    fn population(&mut self) -> Vec<ScoreApplies> {
        let clauses: Vec<&ast::Applies> = self
            .file
            .headers()
            .flat_map(|header| &header.applies)
            .collect();
        let mut population = Vec::new();
        for clause in clauses {
            let Some(condition) = self.condition(&clause.condition, expr::Context::RULE) else {
                continue;
            };
            let mut stack = vec![&condition];
            let mut fine = true;
            while let Some(node) = stack.pop() {
                if matches!(
                    node.kind,
                    CheckedExprKind::Let(_)
                        | CheckedExprKind::Score(_)
                        | CheckedExprKind::Band(_)
                        | CheckedExprKind::Status(..)
                ) {
                    self.diagnostics.push(CheckError::BadPopulation {
                        name: one_line(node.span.text(self.source)),
                        span: node.span,
                    });
                    fine = false;
                    break;
                }
                stack.extend(node.children());
            }
            if fine {
                population.push(ScoreApplies {
                    title: clause.title.as_ref().map(|title| title.value.clone()),
                    condition,
                    span: clause.span,
                });
            }
        }
        if !population.is_empty() {
            for score in self.scores.iter_mut().flatten() {
                let own = std::mem::take(&mut score.applies);
                score.applies = population.iter().cloned().chain(own).collect();
            }
        }
        population
    }

    /// Each fact's `set aside` conditions: yes/no, reading other facts only,
    /// since they are decided when the case is read, before any derived value.
    fn set_asides(&mut self) {
        let declarations: Vec<(usize, &ast::FactDecl)> = self
            .fact_declarations
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, declaration)| !declaration.set_aside.is_empty())
            .collect();
        for (index, declaration) in declarations {
            for clause in &declaration.set_aside {
                let Some(condition) = self.condition(&clause.condition, expr::Context::RULE) else {
                    continue;
                };
                let mut stack = vec![&condition];
                let mut fine = true;
                while let Some(node) = stack.pop() {
                    let problem = match node.kind {
                        CheckedExprKind::Fact(read) if read == index => Some(format!(
                            "`{}` cannot be set aside by its own value",
                            declaration.name.name
                        )),
                        CheckedExprKind::Let(_)
                        | CheckedExprKind::Score(_)
                        | CheckedExprKind::Band(_)
                        | CheckedExprKind::Status(..) => Some(format!(
                            "`{}` is computed from the case, but whether a value is set aside is decided from the facts alone, before anything is computed",
                            one_line(node.span.text(self.source))
                        )),
                        CheckedExprKind::AsOf => Some(
                            "whether a value is set aside is decided from the facts alone, without `as_of`".to_owned(),
                        ),
                        _ => None,
                    };
                    if let Some(message) = problem {
                        self.diagnostics.push(CheckError::BadSetAside {
                            message,
                            span: node.span,
                        });
                        fine = false;
                        break;
                    }
                    stack.extend(node.children());
                }
                if fine && let Some(fact) = self.facts.get_mut(index) {
                    fact.set_aside.push(FactSetAside {
                        condition,
                        reason: clause.reason.value.clone(),
                        span: clause.span,
                    });
                }
            }
        }
    }
}

/// Below this many rules for each thread, rules are checked on one: starting
/// another costs more than it saves.
const RULES_PER_THREAD: usize = 256;

/// What every share of the rules needs: the rules and conclusions in the
/// file's order, and which of their identifiers repeat.
struct RulePlan<'plan, 'file> {
    written: &'plan [&'file ast::Rule],
    rule_ids: &'plan [Occurrence],
    conclusions_written: &'plan [&'file ast::Conclusion],
    conclusion_ids: &'plan [Occurrence],
}

/// Where a name of a list was first written and how many times before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Occurrence {
    /// The position of the first name with the same text.
    first: usize,
    /// How many names with the same text come before this one.
    earlier: usize,
}

/// For each name, in order, where its text was first written and how many
/// times before. The names are sorted by a hash of their text rather than
/// looked up in a hash map one by one: with 100,000 rules a map no longer
/// stays in the processor's cache, and looking up each identifier in it
/// cost more than checking the rule.
fn occurrences<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Occurrence> {
    let names: Vec<&str> = names.collect();
    let mut keyed: Vec<(u64, usize)> = names
        .iter()
        .enumerate()
        .map(|(position, name)| (clinrule_syntax::hash::fnv1a(name.as_bytes()), position))
        .collect();
    keyed.sort_unstable();
    let mut found: Vec<Occurrence> = (0..names.len())
        .map(|position| Occurrence {
            first: position,
            earlier: 0,
        })
        .collect();
    let text = |position: usize| names.get(position).copied().unwrap_or_default();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        // The same hash: group by text (rarely more than one), in order.
        let mut same: Vec<usize> = run.iter().map(|(_, position)| *position).collect();
        same.sort_by(|a, b| text(*a).cmp(text(*b)).then(a.cmp(b)));
        for group in same.chunk_by(|a, b| text(*a) == text(*b)) {
            let first = group.first().copied().unwrap_or_default();
            for (earlier, position) in group.iter().enumerate() {
                if let Some(slot) = found.get_mut(*position) {
                    *slot = Occurrence { first, earlier };
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod occurrence_tests {
    use super::{Occurrence, occurrences};

    #[test]
    fn each_name_knows_its_first_writing_and_how_many_came_before() {
        let found = occurrences(["a", "b", "a", "c", "a", "b", ""].into_iter());
        let expected = [(0, 0), (1, 0), (0, 1), (3, 0), (0, 2), (1, 1), (6, 0)]
            .map(|(first, earlier)| Occurrence { first, earlier });
        assert_eq!(found, expected);
    }

    #[test]
    fn many_writings_of_one_name_are_counted_in_order() {
        let names = vec!["same"; 50_000];
        let found = occurrences(names.into_iter());
        assert!(
            found
                .iter()
                .enumerate()
                .all(|(position, occurrence)| occurrence.first == 0
                    && occurrence.earlier == position)
        );
    }
}
