//! Warnings about a rule set that is sound but probably not what its editor
//! meant: bands that leave a total without a category or give it two, and
//! an approved rule set without its review date or with an unsupported
//! conclusion. They run once the file has no error.

use std::collections::BTreeSet;

use clinrule_syntax::ast::Status;

use super::Checker;
use crate::error::CheckError;
use crate::model::{CheckedRule, Score};
use crate::number::Rational;

/// The most distinct totals a score's bands are checked against.
const MAX_TOTALS: usize = 10_000;

/// Every total a score can reach, over-approximated: each criterion gives
/// 0 or the points of one of its choices. `None` when there are too many.
fn reachable_totals(score: &Score) -> Option<BTreeSet<Rational>> {
    let mut totals = BTreeSet::from([Rational::ZERO]);
    for criterion in &score.criteria {
        let mut points = vec![Rational::ZERO];
        points.extend(criterion.choices.iter().map(|choice| choice.points));
        let mut next = BTreeSet::new();
        for total in &totals {
            for point in &points {
                next.insert(total.checked_add(*point)?);
            }
        }
        if next.len() > MAX_TOTALS {
            return None;
        }
        totals = next;
    }
    Some(totals)
}

fn covers(low: Option<Rational>, high: Option<Rational>, total: Rational) -> bool {
    low.is_none_or(|low| total >= low) && high.is_none_or(|high| total <= high)
}

impl Checker<'_> {
    /// Runs the warnings of this module.
    pub(super) fn lints(&mut self, rules: &[CheckedRule]) {
        let has_errors = self
            .diagnostics
            .iter()
            .any(|diagnostic| !diagnostic.is_warning());
        if has_errors || self.file.syntax_error_count > 0 || !self.file.broken.is_empty() {
            return;
        }
        self.band_lints();
        self.approval_lints(rules);
    }

    fn band_lints(&mut self) {
        let mut found = Vec::new();
        for score in self.scores.iter().flatten() {
            // Two bands that share a total.
            for (position, band) in score.bands.iter().enumerate() {
                for other in score.bands.iter().skip(position + 1) {
                    let low = match (band.low, other.low) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    let high = match (band.high, other.high) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    if low.zip(high).is_none_or(|(low, high)| low <= high) {
                        let shared = match (low, high) {
                            (Some(low), Some(high)) if low == high => {
                                format!("a total of {low} falls")
                            }
                            (Some(low), Some(high)) => format!("totals from {low} to {high} fall"),
                            (Some(low), None) => format!("totals from {low} fall"),
                            (None, Some(high)) => format!("totals up to {high} fall"),
                            (None, None) => "every total falls".to_owned(),
                        };
                        found.push(CheckError::OverlappingBands {
                            first: band.id.clone(),
                            second: other.id.clone(),
                            shared,
                            first_span: band.span,
                            second_span: other.span,
                        });
                    }
                }
            }
            // A total the score can reach that no band covers: between two
            // bands, below the lowest or above the highest.
            if score.bands.is_empty() {
                continue;
            }
            let Some(totals) = reachable_totals(score) else {
                continue;
            };
            let hole = totals.iter().find(|total| {
                !score
                    .bands
                    .iter()
                    .any(|band| covers(band.low, band.high, **total))
            });
            if let Some(total) = hole {
                found.push(CheckError::BandGap {
                    score: score.id.clone(),
                    total: total.to_string(),
                    span: score.span,
                });
            }
        }
        self.diagnostics.extend(found);
    }

    fn approval_lints(&mut self, rules: &[CheckedRule]) {
        let Some(header) = self.file.headers().next() else {
            return;
        };
        let Some(status) = header
            .status
            .filter(|status| status.value == Status::Approved)
        else {
            return;
        };
        if header.reviewed.is_none() {
            self.diagnostics
                .push(CheckError::ApprovedWithoutReview { span: status.span });
        }
        for rule in rules {
            for conclusion in &rule.conclusions {
                if conclusion.citations.is_empty() {
                    self.diagnostics.push(CheckError::UncitedConclusion {
                        id: conclusion.id.clone(),
                        span: conclusion.span,
                        status: status.span,
                    });
                }
            }
        }
    }
}
