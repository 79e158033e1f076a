//! The checker: resolves names, types every comparison, converts thresholds
//! to base units and collects every problem in one pass.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use clinrule_syntax::ast::{self, CompareOp, FactTypeKind, RuleFile, ValueKind, Verb};
use clinrule_syntax::suggest::did_you_mean;
use clinrule_syntax::{Span, Spanned};

use crate::error::CheckError;
use crate::model::*;
use crate::number::{NumberProblem, Rational};
use crate::units::{Dimension, parse_unit, to_base};

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

/// Checks a parsed rule file. `source` is the file's text, used to record
/// each condition as written.
pub fn check(source: &str, file: &RuleFile) -> CheckOutcome {
    let mut checker = Checker {
        source,
        file,
        diagnostics: Vec::new(),
        facts: Vec::new(),
        fact_declarations: Vec::new(),
        fact_by_name: HashMap::new(),
        references: Vec::new(),
        reference_by_id: HashMap::new(),
        used_facts: BTreeSet::new(),
        used_references: BTreeSet::new(),
        untyped_facts: BTreeSet::new(),
    };
    let metadata = checker.header();
    checker.references();
    checker.facts();
    let rules = checker.rules();
    checker.unused();

    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|diagnostic| primary_span(diagnostic).start);
    let has_errors = diagnostics
        .iter()
        .any(|diagnostic| !diagnostic.is_warning());
    let rule_set = match metadata {
        Some(metadata) if !has_errors && file.syntax_error_count == 0 && file.broken.is_empty() => {
            Some(CheckedRuleSet {
                metadata,
                references: checker.references,
                facts: checker.facts,
                rules,
            })
        }
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

struct Checker<'file> {
    source: &'file str,
    file: &'file RuleFile,
    diagnostics: Vec<CheckError>,
    facts: Vec<Fact>,
    fact_declarations: Vec<&'file ast::FactDecl>,
    fact_by_name: HashMap<&'file str, FactIndex>,
    references: Vec<CheckedReference>,
    reference_by_id: HashMap<&'file str, (ReferenceIndex, Span)>,
    used_facts: BTreeSet<FactIndex>,
    used_references: BTreeSet<ReferenceIndex>,
    /// Facts whose unit could not be read: conditions on them are not
    /// checked further, since any problem found would echo the unit's.
    untyped_facts: BTreeSet<FactIndex>,
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
            id: first.id.name.clone(),
            title: first
                .title
                .as_ref()
                .map(|title| title.value.clone())
                .unwrap_or_default(),
            version: first
                .version
                .as_ref()
                .map(|version| version.name.clone())
                .unwrap_or_default(),
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
                .map(|word| word.name.clone())
                .collect(),
        })
    }

    fn references(&mut self) {
        for reference in self.file.references() {
            if let Some((_, first)) = self.reference_by_id.get(reference.id.name.as_str()) {
                self.diagnostics.push(CheckError::DuplicateReference {
                    id: reference.id.name.clone(),
                    span: reference.id.span,
                    first: *first,
                });
                continue;
            }
            if reference.pmid.is_none() && reference.doi.is_none() && reference.url.is_none() {
                self.diagnostics.push(CheckError::ReferenceWithoutLink {
                    id: reference.id.name.clone(),
                    span: reference.id.span,
                });
            }
            self.reference_by_id.insert(
                reference.id.name.as_str(),
                (self.references.len(), reference.id.span),
            );
            self.references.push(CheckedReference {
                id: reference.id.name.clone(),
                citation: reference.citation.value.clone(),
                pmid: reference.pmid.as_ref().map(|pmid| pmid.name.clone()),
                doi: reference.doi.as_ref().map(|doi| doi.value.clone()),
                url: reference.url.as_ref().map(|url| url.value.clone()),
            });
        }
    }

    fn facts(&mut self) {
        for declaration in self.file.facts() {
            if let Some(first) = self.fact_by_name.get(declaration.name.name.as_str()) {
                let first_span = self
                    .fact_declarations
                    .get(*first)
                    .map_or(Span::default(), |fact| fact.name.span);
                self.diagnostics.push(CheckError::DuplicateFact {
                    name: declaration.name.name.clone(),
                    span: declaration.name.span,
                    first: first_span,
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
                        unit_text: unit.name.clone(),
                        unit: parsed,
                    },
                    None => {
                        self.untyped_facts.insert(self.facts.len());
                        FactType::Text
                    }
                },
                FactTypeKind::OneOf(codes) => {
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for code in codes {
                        if let Some(first) = seen.get(code.name.as_str()) {
                            self.diagnostics.push(CheckError::DuplicateCode {
                                code: code.name.clone(),
                                span: code.span,
                                first: *first,
                            });
                        } else {
                            seen.insert(code.name.as_str(), code.span);
                        }
                    }
                    let mut unique: Vec<String> = Vec::new();
                    for code in codes {
                        if !unique.contains(&code.name) {
                            unique.push(code.name.clone());
                        }
                    }
                    FactType::OneOf(unique)
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
            self.fact_by_name
                .insert(declaration.name.name.as_str(), self.facts.len());
            self.fact_declarations.push(declaration);
            self.facts.push(Fact {
                name: declaration.name.name.clone(),
                fact_type,
                description: declaration
                    .description
                    .as_ref()
                    .map(|text| text.value.clone()),
                absent_means_no,
                span: declaration.name.span,
            });
        }
    }

    /// Reads a unit, reporting an unknown one.
    fn unit(&mut self, unit: &ast::Ident) -> Option<crate::units::Unit> {
        let problem = match parse_unit(&unit.name) {
            Ok(parsed) => return Some(parsed),
            Err(problem) => problem,
        };
        let diagnostic = match problem.help("mg/dL") {
            Some(help) => CheckError::UnknownUnit {
                unit: unit.name.clone(),
                span: unit.span,
                help,
            },
            None => CheckError::NumberOutOfRange {
                number: unit.name.clone(),
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
        let mut rule_spans: HashMap<&str, Span> = HashMap::new();
        let mut conclusion_spans: BTreeMap<&str, Vec<(Option<DiagnosisAction>, Span)>> =
            BTreeMap::new();
        let mut rules = Vec::new();
        for rule in self.file.rules() {
            if let Some(first) = rule_spans.get(rule.id.name.as_str()) {
                self.diagnostics.push(CheckError::DuplicateRule {
                    id: rule.id.name.clone(),
                    span: rule.id.span,
                    first: *first,
                });
            } else {
                rule_spans.insert(rule.id.name.as_str(), rule.id.span);
            }
            let rule_citations = self.citations(&rule.cites);
            let condition = self.condition(&rule.condition);
            let mut conclusions = Vec::new();
            for conclusion in &rule.conclusions {
                let action = match conclusion.verb.value {
                    Verb::Suspect => Some(DiagnosisAction::Suspect),
                    Verb::Exclude => Some(DiagnosisAction::Exclude),
                    _ => None,
                };
                let earlier = conclusion_spans
                    .entry(conclusion.id.name.as_str())
                    .or_default();
                let pairs_with_earlier = matches!(
                    (earlier.as_slice(), action),
                    ([(Some(earlier_action), _)], Some(action)) if *earlier_action != action
                );
                if let Some((_, first)) = earlier.first()
                    && !pairs_with_earlier
                {
                    let help = if action.is_some() {
                        "a diagnosis may have one `suspect` and one `exclude` conclusion; give this conclusion another identifier"
                    } else {
                        "give each conclusion its own identifier: tests and results name conclusions by it"
                    };
                    self.diagnostics.push(CheckError::DuplicateConclusion {
                        id: conclusion.id.name.clone(),
                        span: conclusion.id.span,
                        first: *first,
                        help: help.to_owned(),
                    });
                }
                earlier.push((action, conclusion.id.span));
                if let Some(checked) = self.conclusion(conclusion, action, &rule_citations) {
                    conclusions.push(checked);
                }
            }
            if let Some(condition) = condition {
                rules.push(CheckedRule {
                    id: rule.id.name.clone(),
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
                        id: cite.name.clone(),
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
        let mut citations = rule_citations.to_vec();
        for index in self.citations(&conclusion.cites) {
            if !citations.contains(&index) {
                citations.push(index);
            }
        }
        Some(CheckedConclusion {
            id: conclusion.id.name.clone(),
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
                unit: interval.unit.name.clone(),
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

    fn condition(&mut self, condition: &ast::Condition) -> Option<Condition> {
        use ast::ConditionKind as Kind;
        match &condition.kind {
            Kind::All(parts) | Kind::Any(parts) => {
                let checked: Vec<Option<Condition>> =
                    parts.iter().map(|part| self.condition(part)).collect();
                let checked: Option<Vec<Condition>> = checked.into_iter().collect();
                let checked = checked?;
                Some(if matches!(condition.kind, Kind::All(_)) {
                    Condition::All(checked, condition.span)
                } else {
                    Condition::Any(checked, condition.span)
                })
            }
            Kind::Not(part) => match self.condition(part)? {
                // `not <test>` reads as one condition, so the trace shows it as one.
                Condition::Test(mut test) => {
                    test.negated = !test.negated;
                    test.span = condition.span;
                    test.source = one_line(condition.span.text(self.source));
                    Some(Condition::Test(test))
                }
                other => Some(Condition::Not(Box::new(other), condition.span)),
            },
            Kind::Flag(subject) => {
                let index = self.resolve(subject, "yes/no")?;
                let fact_type = self.facts.get(index)?.fact_type.clone();
                if fact_type != FactType::YesNo {
                    let help = match &fact_type {
                        FactType::Age => {
                            format!("write a comparison such as `{} >= 6 months`", subject.name)
                        }
                        FactType::Text => {
                            "test a yes/no, number, quantity, age, date or coded fact".to_owned()
                        }
                        other => format!(
                            "{}, or test whether it is known: `{} is known`",
                            value_example(other),
                            subject.name
                        ),
                    };
                    self.diagnostics.push(CheckError::NotYesNo {
                        fact: subject.name.clone(),
                        fact_kind: fact_kind(&fact_type),
                        span: subject.span,
                        help,
                    });
                    return None;
                }
                Some(self.test(index, TestKind::Flag, condition.span))
            }
            Kind::Presence { subject, known } => {
                let index = self.resolve(subject, "yes/no")?;
                Some(self.test(index, TestKind::Presence { known: *known }, condition.span))
            }
            Kind::Member {
                subject,
                negated,
                codes,
            } => {
                let member_type = format!(
                    "one of {}",
                    codes
                        .iter()
                        .map(|code| code.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let index = self.resolve(subject, &member_type)?;
                let fact_type = self.facts.get(index)?.fact_type.clone();
                let FactType::OneOf(known_codes) = &fact_type else {
                    let declared = self
                        .facts
                        .get(index)
                        .map_or(Span::default(), |fact| fact.span);
                    self.diagnostics.push(CheckError::TypeMismatch {
                        fact: subject.name.clone(),
                        fact_kind: fact_kind(&fact_type),
                        value_kind: "a list of codes".to_owned(),
                        span: condition.span,
                        declared,
                        help: format!(
                            "`in (...)` tests facts declared as `one of ...`; {}",
                            value_example(&fact_type)
                        ),
                    });
                    return None;
                };
                let mut positions = Vec::new();
                let mut all_known = true;
                for code in codes {
                    match known_codes.iter().position(|known| *known == code.name) {
                        Some(position) => positions.push(position),
                        None => {
                            all_known = false;
                            self.unknown_code(index, &subject.name, code, known_codes);
                        }
                    }
                }
                all_known.then(|| {
                    self.test(
                        index,
                        TestKind::Member {
                            negated: *negated,
                            codes: positions,
                        },
                        condition.span,
                    )
                })
            }
            Kind::Compare { subject, op, value } => {
                let compare_type = match &value.kind {
                    ValueKind::Number(_) => "number".to_owned(),
                    ValueKind::Quantity { unit, .. } => match parse_unit(&unit.name) {
                        Ok(parsed) if parsed.dimension == Dimension::TIME => "age".to_owned(),
                        _ => format!("quantity {}", unit.name),
                    },
                    ValueKind::Date(_) => "date".to_owned(),
                    ValueKind::Yes | ValueKind::No => "yes/no".to_owned(),
                    ValueKind::Word(word) => format!("one of {}", word.name),
                };
                let index = self.resolve(subject, &compare_type)?;
                let threshold = self.threshold(index, subject, *op, value)?;
                Some(self.test(
                    index,
                    TestKind::Compare {
                        op: op.value,
                        threshold,
                    },
                    condition.span,
                ))
            }
        }
    }

    fn test(&mut self, fact: FactIndex, kind: TestKind, span: Span) -> Condition {
        self.used_facts.insert(fact);
        Condition::Test(Test {
            fact,
            kind,
            negated: false,
            source: one_line(span.text(self.source)),
            span,
        })
    }

    /// Finds a fact by name, reporting an undeclared one with a suggestion;
    /// `type_hint` is the type the condition suggests, for the help text.
    fn resolve(&mut self, subject: &ast::Ident, type_hint: &str) -> Option<FactIndex> {
        if let Some(index) = self.fact_by_name.get(subject.name.as_str()) {
            self.used_facts.insert(*index);
            if self.untyped_facts.contains(index) {
                return None;
            }
            return Some(*index);
        }
        let broken = self.file.broken.iter().any(|broken| {
            broken.kind == Some(ast::ItemKind::Fact)
                && broken.name.as_deref() == Some(subject.name.as_str())
        });
        if !broken {
            let help = match did_you_mean(
                &subject.name,
                self.facts.iter().map(|fact| fact.name.as_str()),
            ) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!(
                    "declare it first, such as `fact {} : {type_hint}`, or check the spelling",
                    subject.name
                ),
            };
            self.diagnostics.push(CheckError::UndeclaredFact {
                name: subject.name.clone(),
                span: subject.span,
                help,
            });
        }
        None
    }

    fn unknown_code(
        &mut self,
        index: FactIndex,
        fact: &str,
        code: &ast::Ident,
        known_codes: &[String],
    ) {
        let declared = self
            .fact_declarations
            .get(index)
            .map_or(Span::default(), |declaration| declaration.fact_type.span);
        let help = match did_you_mean(&code.name, known_codes.iter().map(String::as_str)) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => format!(
                "the codes of `{fact}` are {}; add `{}` to its declaration if it is missing",
                known_codes
                    .iter()
                    .map(|known| format!("`{known}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                code.name
            ),
        };
        self.diagnostics.push(CheckError::UnknownCode {
            code: code.name.clone(),
            fact: fact.to_owned(),
            span: code.span,
            declared,
            help,
        });
    }

    /// Types the value a fact is compared with and converts it to base units.
    fn threshold(
        &mut self,
        index: FactIndex,
        subject: &ast::Ident,
        op: Spanned<CompareOp>,
        value: &ast::Value,
    ) -> Option<Threshold> {
        let fact = self.facts.get(index)?.clone();
        let declared = fact.span;
        let value_text = value.span.text(self.source).to_owned();
        let value_kind = match &value.kind {
            ValueKind::Number(number) => format!("the number `{number}`"),
            ValueKind::Quantity { .. } => format!("the measurement `{}`", one_line(&value_text)),
            ValueKind::Date(date) => format!("the date `{date}`"),
            ValueKind::Yes | ValueKind::No => format!("`{value_text}`"),
            ValueKind::Word(word) if self.fact_by_name.contains_key(word.name.as_str()) => {
                format!("the fact `{}`", word.name)
            }
            ValueKind::Word(word) => format!("the word `{}`", word.name),
        };
        let mismatch = |checker: &mut Self, help: String| {
            checker.diagnostics.push(CheckError::TypeMismatch {
                fact: subject.name.clone(),
                fact_kind: fact_kind(&fact.fact_type),
                value_kind: value_kind.clone(),
                span: value.span,
                declared,
                help,
            });
            None
        };
        let comparing_facts = matches!(&value.kind, ValueKind::Word(word) if self.fact_by_name.contains_key(word.name.as_str()));
        if comparing_facts {
            return mismatch(
                self,
                format!(
                    "a condition compares a fact with a value written in the rule; {}",
                    value_example(&fact.fact_type)
                ),
            );
        }
        let unordered = |checker: &mut Self| {
            let help = match &fact.fact_type {
                FactType::YesNo => format!(
                    "write `{} = yes`, `{} = no`, or the fact on its own",
                    subject.name, subject.name
                ),
                _ => format!(
                    "use `=`, `!=` or `in (...)` with codes of `{}`",
                    subject.name
                ),
            };
            checker.diagnostics.push(CheckError::OperatorNotAllowed {
                op: op.value.symbol().to_owned(),
                fact: subject.name.clone(),
                fact_kind: fact_kind(&fact.fact_type),
                span: op.span,
                help,
            });
            None
        };
        match (&fact.fact_type, &value.kind) {
            (FactType::Text, _) => {
                self.diagnostics.push(CheckError::TextNotComparable {
                    fact: subject.name.clone(),
                    span: subject.span.merge(value.span),
                });
                None
            }
            (FactType::YesNo, ValueKind::Yes | ValueKind::No) => {
                if op.value.is_ordering() {
                    return unordered(self);
                }
                Some(Threshold::YesNo(matches!(value.kind, ValueKind::Yes)))
            }
            (FactType::Number, ValueKind::Number(number)) => {
                self.number(number, value.span).map(Threshold::Number)
            }
            (FactType::Number, ValueKind::Quantity { number, unit }) => {
                let help = if parse_unit(&unit.name).is_ok() {
                    format!(
                        "write `{number}` alone, or declare `{}` as `quantity {}` if it is a measurement",
                        subject.name, unit.name
                    )
                } else {
                    format!("write `{number}` alone: a plain number has no unit")
                };
                self.diagnostics.push(CheckError::UnexpectedUnit {
                    fact: subject.name.clone(),
                    unit: unit.name.clone(),
                    span: unit.span,
                    help,
                });
                None
            }
            (FactType::Quantity { .. } | FactType::Age, ValueKind::Number(number)) => {
                let (unit, example) = match &fact.fact_type {
                    FactType::Quantity { unit_text, .. } => {
                        (format!("`{unit_text}`"), format!("{number} {unit_text}"))
                    }
                    _ => ("time units".to_owned(), format!("{number} months")),
                };
                self.diagnostics.push(CheckError::MissingUnit {
                    fact: subject.name.clone(),
                    unit,
                    number: number.clone(),
                    span: value.span,
                    help: format!("write the unit after the number, such as `{example}`"),
                });
                None
            }
            (FactType::Quantity { .. } | FactType::Age, ValueKind::Quantity { number, unit }) => {
                let parsed_number = self.number(number, value.span);
                let parsed_unit = self.unit(unit)?;
                let expected = fact.fact_type.dimension().unwrap_or(Dimension::NONE);
                if parsed_unit.dimension != expected {
                    let example = match &fact.fact_type {
                        FactType::Quantity { unit_text, .. } => format!("`{unit_text}`"),
                        _ => "`months` or `years`".to_owned(),
                    };
                    let mut help = format!(
                        "write the value in a unit of {}, such as {example}",
                        expected.describe()
                    );
                    let mass_and_substance =
                        [parsed_unit.dimension, expected].iter().all(|dimension| {
                            matches!(dimension.0, [-3, 1, 0, 0, 0, 0] | [-3, 0, 0, 1, 0, 0])
                        });
                    if mass_and_substance {
                        help.push_str("; converting between mass and substance concentrations needs the substance's molar mass");
                    }
                    self.diagnostics.push(CheckError::IncompatibleUnit {
                        fact: subject.name.clone(),
                        unit: unit.name.clone(),
                        value_dimension: parsed_unit.dimension.describe(),
                        fact_dimension: expected.describe(),
                        span: unit.span,
                        declared,
                        help,
                    });
                    return None;
                }
                let parsed_number = parsed_number?;
                match to_base(parsed_number, &parsed_unit) {
                    Some(base) => Some(Threshold::Quantity {
                        base,
                        text: format!("{number} {}", unit.name),
                    }),
                    None => {
                        self.diagnostics.push(CheckError::NumberOutOfRange {
                            number: one_line(&value_text),
                            span: value.span,
                        });
                        None
                    }
                }
            }
            (FactType::Date, ValueKind::Date(date)) => Some(Threshold::Date(*date)),
            (FactType::OneOf(codes), ValueKind::Word(word)) => {
                if op.value.is_ordering() {
                    return unordered(self);
                }
                match codes.iter().position(|code| *code == word.name) {
                    Some(position) => Some(Threshold::Code(position)),
                    None => {
                        let codes = codes.clone();
                        self.unknown_code(index, &subject.name, word, &codes);
                        None
                    }
                }
            }
            (fact_type, _) => {
                let help = value_example(fact_type);
                mismatch(self, help)
            }
        }
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
                    id: reference.id.name.clone(),
                    span: reference.id.span,
                });
            }
        }
        for (index, fact) in self.facts.iter().enumerate() {
            // Free text is for reading, never for testing: it is not "unused".
            if !self.used_facts.contains(&index) && fact.fact_type != FactType::Text {
                self.diagnostics.push(CheckError::UnusedFact {
                    name: fact.name.clone(),
                    span: fact.span,
                });
            }
        }
    }
}
