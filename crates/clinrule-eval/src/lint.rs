//! Warnings found by trying cases: a rule that can never fire, a rule made
//! redundant by another, and two rules that can fire together with
//! contradictory conclusions.
//!
//! A rule reads finitely many facts, and when each is compared only with
//! written thresholds, finitely many values of each matter (see
//! `whatif.rs`), plus the fact being absent. Trying every combination
//! answers these questions exactly, up to a bound on the number of
//! combinations; a rule whose facts cannot be listed (a measurement used in
//! arithmetic, an age counted from a birth date) is not checked.

use std::collections::HashMap;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{
    CheckedConclusion, Derived, DiagnosisAction, Expr, FactIndex, FactType,
};
use clinrule_check::number::Rational;
use clinrule_syntax::Span;

use crate::case::{Case, Slot, Value, ValueKind};
use crate::evaluate::{Evaluator, RuleStatus};
use crate::whatif::Domains;

/// The most combinations of values tried for one rule or pair of rules.
const MAX_COMBINATIONS: usize = 4096;

/// A warning found by trying cases. Codes `W209` to `W212`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum LintWarning {
    /// A rule that no case can fire.
    #[error("the rule `{rule}` can never fire: no values of {facts} make its condition hold")]
    #[diagnostic(
        code(W209),
        severity(Warning),
        help(
            "look for two conditions on one fact that exclude each other, such as `age < 1 year and age > 2 years`"
        )
    )]
    NeverFires {
        /// The rule.
        rule: String,
        /// The facts it reads, in words.
        facts: String,
        /// Its condition.
        #[label("never holds")]
        span: Span,
    },

    /// A rule that fires only when another with the same conclusions fires.
    #[error(
        "the rule `{rule}` is redundant: whenever it fires, `{other}` fires too, with the same conclusions"
    )]
    #[diagnostic(
        code(W210),
        severity(Warning),
        help(
            "delete `{rule}`, or make the two rules' conclusions differ if they mean different things"
        )
    )]
    Redundant {
        /// The redundant rule.
        rule: String,
        /// The rule that covers it.
        other: String,
        /// The redundant rule's condition.
        #[label("adds nothing")]
        span: Span,
        /// The other rule's condition.
        #[label("already fires in every such case")]
        other_span: Span,
    },

    /// Two rules that can fire on one case, one suspecting and one excluding a diagnosis.
    #[error(
        "the rules `{first}` and `{second}` can both fire on one case: one suspects `{diagnosis}` and the other excludes it"
    )]
    #[diagnostic(
        code(W211),
        severity(Warning),
        help("for example, both fire on {example}; make their conditions exclude each other")
    )]
    Contradictory {
        /// The first rule.
        first: String,
        /// The second rule.
        second: String,
        /// The diagnosis.
        diagnosis: String,
        /// A case on which both fire, as JSON.
        example: String,
        /// The first rule's conclusion.
        #[label("suspects `{diagnosis}`")]
        first_span: Span,
        /// The second rule's conclusion.
        #[label("excludes it")]
        second_span: Span,
    },

    /// The warnings that try cases stopped at their budget of work.
    #[error(
        "the check's budget of work was spent: {rules} rules were not tried for never firing, and {pairs} pairs of rules were not compared for redundant or contradictory conclusions"
    )]
    #[diagnostic(
        code(W212),
        severity(Warning),
        help(
            "the rule set is checked otherwise; split it into smaller rule sets, or give rules with the same conclusions fewer shared facts, to have every pair compared"
        )
    )]
    NotCompared {
        /// How many rules were not tried alone.
        rules: usize,
        /// How many candidate pairs were left.
        pairs: usize,
        /// The start of the rule set.
        #[label("this rule set")]
        span: Span,
    },
}

/// The most work the warnings that try cases do for one rule set, counted
/// in rules evaluated in one combination of values, with four more for
/// each pair of rules compared: a few seconds on one core at most. What is
/// left is reported by W212, never silently skipped.
pub const WORK_BUDGET: u64 = 8_000_000;

/// The work still allowed.
struct Budget {
    left: u64,
}

impl Budget {
    /// Takes `work` from the budget, or says there is not enough left.
    fn take(&mut self, work: u64) -> bool {
        if work > self.left {
            self.left = 0;
            false
        } else {
            self.left -= work;
            true
        }
    }
}

/// What a rule reads, from the dependency graph: its facts (and the birth
/// dates its ages are counted from), sorted; the expressions whose thresholds
/// tell their values apart (its condition, and those of every derived value,
/// score and differential it needs); and those derived items.
fn reads_of_rule(
    rule_set: &CheckedRuleSet,
    index: usize,
) -> (Vec<FactIndex>, Vec<&Expr>, Vec<Derived>) {
    let dependencies = rule_set.dependencies();
    let needed = dependencies.needed_by_rule(index).to_vec();
    let mut facts = dependencies.of_rule(index).facts.clone();
    let mut roots: Vec<&Expr> = rule_set
        .rules()
        .get(index)
        .map(|rule| &rule.condition)
        .into_iter()
        .collect();
    for derived in &needed {
        facts.extend_from_slice(&dependencies.of(*derived).facts);
        roots.extend(rule_set.expressions_of(*derived));
    }
    // An age counted from a birth date reads the birth date.
    let births: Vec<FactIndex> = facts
        .iter()
        .filter_map(|fact| rule_set.facts().get(*fact)?.derived_from)
        .collect();
    facts.extend(births);
    facts.sort_unstable();
    facts.dedup();
    (facts, roots, needed)
}

/// The combinations of values of some facts (each one of its listed
/// values, or absent), tried one at a time: a rule that fires in its first
/// combination is not tried in the others.
struct Worlds<'a> {
    /// The values of each fact, absent last.
    choices: Vec<Vec<Option<&'a Value>>>,
    /// How many combinations there are.
    total: usize,
}

/// How many combinations of its own values a rule may always be tried in.
const FEW_COMBINATIONS: usize = 256;

/// How many combinations of values `facts` have, or `None` when there are
/// more than [`MAX_COMBINATIONS`] or some cannot be listed.
fn combination_count(domains: &Domains, facts: &[FactIndex]) -> Option<usize> {
    let mut count = 1usize;
    for fact in facts {
        count = count.checked_mul(domains.count(*fact)? + 1)?;
        if count > MAX_COMBINATIONS {
            return None;
        }
    }
    Some(count)
}

/// The combinations of values of `facts`, or `None` when there are too many
/// or some cannot be listed.
fn combinations<'a>(domains: &'a Domains, facts: &[FactIndex]) -> Option<Worlds<'a>> {
    // Counted before anything is listed: a fact of 8,000 thresholds is
    // refused at once, not after its values are gathered.
    combination_count(domains, facts)?;
    let mut choices: Vec<Vec<Option<&Value>>> = Vec::with_capacity(facts.len());
    let mut total = 1usize;
    for fact in facts {
        let mut values: Vec<Option<&Value>> =
            domains.values(*fact)?.into_iter().map(Some).collect();
        values.push(None);
        total = total.checked_mul(values.len())?;
        if total > MAX_COMBINATIONS {
            return None;
        }
        choices.push(values);
    }
    Some(Worlds { choices, total })
}

impl<'a> Worlds<'a> {
    /// The `world`-th combination, written into `values`.
    fn fill(&self, world: usize, values: &mut Vec<Option<&'a Value>>) {
        values.clear();
        let mut rest = world;
        for choice in &self.choices {
            values.push(choice.get(rest % choice.len()).copied().flatten());
            rest /= choice.len();
        }
    }
}

/// Sets `case` to the one where `facts` take these values and nothing else
/// is given; `case` held nothing but, perhaps, the same facts before.
fn set_case(case: &mut Case, facts: &[FactIndex], values: &[Option<&Value>]) {
    for (index, fact) in facts.iter().enumerate() {
        if let Some(slot) = case.slots.get_mut(*fact) {
            *slot = match values.get(index).copied().flatten() {
                Some(value) => Slot::Given(value.clone()),
                None => Slot::Absent,
            };
        }
    }
}

/// Gives nothing again for `facts`, after [`set_case`].
fn clear_case(case: &mut Case, facts: &[FactIndex]) {
    for fact in facts {
        if let Some(slot) = case.slots.get_mut(*fact) {
            *slot = Slot::Absent;
        }
    }
}

/// Whether some combination of `worlds` gives `rules` these statuses; the
/// first such combination is left in `values`.
fn find_world<'a>(
    rule_set: &CheckedRuleSet,
    case: &mut Case,
    facts: &[FactIndex],
    worlds: &Worlds<'a>,
    (rules, needed): (&[usize], &[Derived]),
    wanted: &[RuleStatus],
    values: &mut Vec<Option<&'a Value>>,
) -> (bool, usize) {
    for world in 0..worlds.total {
        worlds.fill(world, values);
        set_case(case, facts, values);
        let found = statuses(rule_set, case, rules, needed) == wanted;
        clear_case(case, facts);
        if found {
            return (true, world + 1);
        }
    }
    (false, worlds.total)
}

/// The statuses of some rules in one case.
fn statuses(
    rule_set: &CheckedRuleSet,
    case: &Case,
    rules: &[usize],
    needed: &[Derived],
) -> Vec<RuleStatus> {
    let mut evaluator = Evaluator::new(rule_set, case);
    // Only the derived values these rules read: a rule set of a thousand
    // derived values does not compute them all for each combination.
    evaluator.derived_only(needed);
    rules
        .iter()
        .filter_map(|rule| rule_set.rules().get(*rule))
        .map(|rule| evaluator.rule_status(rule))
        .collect()
}

/// A value as a case would write it.
fn json_value(rule_set: &CheckedRuleSet, fact: FactIndex, value: &Value) -> String {
    let quoted = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let fact_type = rule_set.facts().get(fact).map(|fact| &fact.fact_type);
    match (&value.kind, fact_type) {
        (ValueKind::YesNo(answer), _) => answer.to_string(),
        (ValueKind::Number(number), _) => number.to_string(),
        (ValueKind::Code(code), Some(FactType::OneOf(codes))) => {
            quoted(codes.get(*code).map_or("", String::as_str))
        }
        (ValueKind::Quantity { base, .. }, Some(FactType::Quantity { unit_text, unit })) => {
            let shown = clinrule_check::units::from_base(*base, unit).unwrap_or(*base);
            quoted(&format!("{shown} {unit_text}"))
        }
        (ValueKind::Quantity { base, .. }, _) => {
            // An age, in seconds: shown in the largest unit that divides it.
            let shown = [
                (31_557_600, "years"),
                (2_629_800, "months"),
                (604_800, "weeks"),
                (86_400, "days"),
            ]
            .into_iter()
            .find_map(|(seconds, unit)| {
                let count = base.checked_div(Rational::integer(seconds))?;
                count.is_integer().then(|| format!("{count} {unit}"))
            })
            .unwrap_or_else(|| format!("{base} s"));
            quoted(&shown)
        }
        (ValueKind::Date { low, .. }, _) => quoted(&low.to_string()),
        (ValueKind::Text(text), _) => quoted(text),
        (ValueKind::Code(code), _) => code.to_string(),
    }
}

/// A case as JSON text, giving only the facts given.
fn example(rule_set: &CheckedRuleSet, facts: &[FactIndex], values: &[Option<&Value>]) -> String {
    let given: Vec<String> = facts
        .iter()
        .zip(values)
        .filter_map(|(fact, value)| {
            let value = (*value)?;
            let name = &rule_set.facts().get(*fact)?.name;
            Some(format!(
                "\"{name}\": {}",
                json_value(rule_set, *fact, value)
            ))
        })
        .collect();
    format!("{{\"facts\": {{{}}}}}", given.join(", "))
}

/// A conclusion as its meaning, for comparing two rules' conclusions.
fn meaning(conclusion: &CheckedConclusion) -> (&'static str, &'static str, String) {
    let action = match conclusion.action {
        Some(DiagnosisAction::Suspect) => "suspect",
        Some(DiagnosisAction::Exclude) => "exclude",
        None => "",
    };
    (conclusion.kind.word(), action, conclusion.text.clone())
}

/// Every warning found by trying cases, in the order of the rules, within
/// [`WORK_BUDGET`].
pub fn lint(rule_set: &CheckedRuleSet) -> Vec<LintWarning> {
    lint_within(rule_set, WORK_BUDGET)
}

/// Every warning found by trying cases within `work`, counted as
/// [`WORK_BUDGET`] is; the pairs of rules left when it is spent are
/// reported by one W212.
pub fn lint_within(rule_set: &CheckedRuleSet, work: u64) -> Vec<LintWarning> {
    // What each rule reads: its facts, and the expressions whose
    // thresholds tell its facts' values apart (its condition and the
    // derived values, scores and differentials it uses).
    let reads: Vec<(Vec<FactIndex>, Vec<&Expr>, Vec<Derived>)> = (0..rule_set.rules().len())
        .map(|index| reads_of_rule(rule_set, index))
        .collect();
    let mut warnings = Vec::new();
    let mut budget = Budget { left: work };
    let global = Domains::new(rule_set);
    let mut not_tried = 0usize;

    // Rules that never fire: each tried over the values its own thresholds
    // tell apart, so that a rule costs the same however many other rules
    // compare its facts with other thresholds.
    let mut can_fire = vec![true; rule_set.rules().len()];
    // One case for every combination tried.
    let mut case = Case::empty(rule_set);
    for ((index, rule), (read, roots, needed)) in rule_set.rules().iter().enumerate().zip(&reads) {
        if budget.left == 0 {
            not_tried += 1;
            continue;
        }
        let domains = Domains::local(rule_set, roots, read);
        // Listing a rule's values costs what it lists.
        budget.take(domains.size() as u64);
        let mut values: Vec<Option<&Value>> = Vec::new();
        let Some(worlds) = combinations(&domains, read) else {
            continue;
        };
        // A rule is tried when its values can be listed with the rule set's
        // thresholds, as before, or in a few combinations of its own: the
        // large rules that only its own thresholds make listable would cost
        // more than they find.
        if worlds.total > FEW_COMBINATIONS && combination_count(&global, read).is_none() {
            continue;
        }
        // Each evaluation costs the rule and every derived value it reads:
        // a rule at the end of a chain of a thousand derived values costs a
        // thousand times one. A rule the budget left cannot pay for is not
        // tried, and is counted.
        let per_evaluation = 1 + needed.len() as u64;
        if worlds.total as u64 * per_evaluation > budget.left {
            not_tried += 1;
            continue;
        }
        let (fires, evaluations) = find_world(
            rule_set,
            &mut case,
            read,
            &worlds,
            (&[index], needed),
            &[RuleStatus::Fired],
            &mut values,
        );
        budget.take(evaluations as u64 * per_evaluation);
        if !fires {
            if let Some(slot) = can_fire.get_mut(index) {
                *slot = false;
            }
            let names: Vec<String> = read
                .iter()
                .filter_map(|fact| {
                    rule_set
                        .facts()
                        .get(*fact)
                        .map(|fact| format!("`{}`", fact.name))
                })
                .collect();
            warnings.push(LintWarning::NeverFires {
                rule: rule.id.clone(),
                facts: if names.is_empty() {
                    "its facts".to_owned()
                } else {
                    names.join(", ")
                },
                span: rule.condition.span,
            });
        }
    }

    // Only two kinds of pair can give a warning: rules with the same
    // conclusions (redundancy), and rules where one suspects what the other
    // excludes. Finding them by their conclusions keeps a large rule set's
    // check from trying every pair; they are then tried in order, as pairs.
    let meanings: Vec<Vec<(&'static str, &'static str, String)>> = rule_set
        .rules()
        .iter()
        .map(|rule| {
            let mut mine: Vec<_> = rule.conclusions.iter().map(meaning).collect();
            mine.sort();
            mine
        })
        .collect();
    // Rules with the same conclusions, each group in file order, and for
    // each rule its group and its place in it.
    let mut same: HashMap<&[(&'static str, &'static str, String)], Vec<usize>> = HashMap::new();
    for (index, mine) in meanings.iter().enumerate() {
        same.entry(mine.as_slice()).or_default().push(index);
    }
    let mut place: Vec<(usize, usize)> = vec![(0, 0); rule_set.rules().len()];
    let same_groups: Vec<Vec<usize>> = same.into_values().collect();
    for (group, members) in same_groups.iter().enumerate() {
        for (position, member) in members.iter().enumerate() {
            if let Some(slot) = place.get_mut(*member) {
                *slot = (group, position);
            }
        }
    }
    // The members of each group not yet named redundant: a rule already
    // named needs comparing only with those, so a thousand rules covered
    // by the first are not compared with each other.
    let mut unnamed: Vec<Vec<usize>> = same_groups.clone();
    // For each rule, the later rules that exclude what it suspects or
    // suspect what it excludes.
    let mut suspecting: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut excluding: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, rule) in rule_set.rules().iter().enumerate() {
        for conclusion in &rule.conclusions {
            match conclusion.action {
                Some(DiagnosisAction::Suspect) => {
                    suspecting.entry(&conclusion.id).or_default().push(index);
                }
                Some(DiagnosisAction::Exclude) => {
                    excluding.entry(&conclusion.id).or_default().push(index);
                }
                None => {}
            }
        }
    }
    let mut contradicting: Vec<Vec<usize>> = vec![Vec::new(); rule_set.rules().len()];
    for (diagnosis, suspects) in &suspecting {
        for excluder in excluding.get(diagnosis).into_iter().flatten() {
            for suspect in suspects {
                let (first, second) = (*suspect.min(excluder), *suspect.max(excluder));
                if first != second
                    && let Some(partners) = contradicting.get_mut(first)
                {
                    partners.push(second);
                }
            }
        }
    }

    // Each rule is named redundant at most once, and in at most one
    // contradiction as the later rule of the pair: one warning for each
    // real problem, not one for every rule that shares it.
    let mut named_redundant = vec![false; rule_set.rules().len()];
    let mut named_contradictory = vec![false; rule_set.rules().len()];
    let mut not_compared = 0usize;
    let mut seconds: Vec<usize> = Vec::new();
    let mut union: Vec<FactIndex> = Vec::new();
    let mut roots: Vec<&Expr> = Vec::new();
    let mut pair_needed: Vec<Derived> = Vec::new();
    for first in 0..rule_set.rules().len() {
        let (group, position) = place.get(first).copied().unwrap_or_default();
        let first_named = named_redundant.get(first) == Some(&true);
        seconds.clear();
        if first_named {
            // Only the rules after it not yet named are left to find.
            if let Some(open) = unnamed.get_mut(group) {
                open.retain(|member| named_redundant.get(*member) == Some(&false));
                seconds.extend(open.iter().copied().filter(|member| *member > first));
            }
        } else if let Some(tail) = same_groups
            .get(group)
            .and_then(|members| members.get(position + 1..))
        {
            seconds.extend_from_slice(tail);
        }
        seconds.extend(contradicting.get(first).into_iter().flatten().copied());
        if seconds.is_empty() {
            continue;
        }
        // The pairs are listed only when the budget can pay for them.
        if !budget.take(seconds.len() as u64) {
            not_compared += seconds.len();
            continue;
        }
        seconds.sort_unstable();
        seconds.dedup();
        for &second in &seconds {
            let (
                Some(rule),
                Some(other),
                Some((first_facts, first_roots, first_needed)),
                Some((second_facts, second_roots, second_needed)),
            ) = (
                rule_set.rules().get(first),
                rule_set.rules().get(second),
                reads.get(first),
                reads.get(second),
            )
            else {
                continue;
            };
            if can_fire.get(first) != Some(&true) || can_fire.get(second) != Some(&true) {
                continue;
            }
            let same_meaning = meanings.get(first) == meanings.get(second);
            let contradiction_wanted = named_contradictory.get(second) == Some(&false);
            let redundancy_wanted = same_meaning
                && (named_redundant.get(first) == Some(&false)
                    || named_redundant.get(second) == Some(&false));
            let clashing = if contradiction_wanted {
                clash(rule, other)
            } else {
                None
            };
            if clashing.is_none() && !redundancy_wanted {
                continue;
            }
            union.clear();
            union.extend_from_slice(first_facts);
            union.extend_from_slice(second_facts);
            union.sort_unstable();
            union.dedup();
            roots.clear();
            roots.extend_from_slice(first_roots);
            roots.extend_from_slice(second_roots);
            pair_needed.clear();
            pair_needed.extend_from_slice(first_needed);
            pair_needed.extend_from_slice(second_needed);
            let domains = Domains::local(rule_set, &roots, &union);
            let mut values: Vec<Option<&Value>> = Vec::new();
            if !budget.take(domains.size() as u64) {
                not_compared += 1;
                continue;
            }
            let Some(worlds) = combinations(&domains, &union) else {
                continue;
            };
            // Each pair tried costs its values' listing and up to two passes
            // over its combinations, each evaluation the two rules and the
            // derived values they read.
            if !budget.take(4 + 2 * worlds.total as u64 * (1 + pair_needed.len() as u64)) {
                not_compared += 1;
                continue;
            }
            // Contradictory conclusions: one suspects what the other excludes.
            if let Some((mine, theirs)) = clashing
                && let (true, _) = find_world(
                    rule_set,
                    &mut case,
                    &union,
                    &worlds,
                    (&[first, second], &pair_needed),
                    &[RuleStatus::Fired, RuleStatus::Fired],
                    &mut values,
                )
            {
                if let Some(slot) = named_contradictory.get_mut(second) {
                    *slot = true;
                }
                warnings.push(contradiction(
                    (rule, mine),
                    (other, theirs),
                    example(rule_set, &union, &values),
                ));
            }

            // Redundancy: the same conclusions, and one fires only when the other does.
            if !redundancy_wanted {
                continue;
            }
            let (mut first_only, mut second_only) = (false, false);
            for world in 0..worlds.total {
                worlds.fill(world, &mut values);
                set_case(&mut case, &union, &values);
                let both = statuses(rule_set, &case, &[first, second], &pair_needed);
                clear_case(&mut case, &union);
                match both.as_slice() {
                    [RuleStatus::Fired, second_status] if *second_status != RuleStatus::Fired => {
                        first_only = true;
                    }
                    [first_status, RuleStatus::Fired] if *first_status != RuleStatus::Fired => {
                        second_only = true;
                    }
                    _ => {}
                }
            }
            if let Some(warning) = redundancy(
                rule_set,
                (first, second),
                (first_only, second_only),
                &mut named_redundant,
            ) {
                warnings.push(warning);
            }
        }
    }
    if not_compared > 0 || not_tried > 0 {
        warnings.push(LintWarning::NotCompared {
            rules: not_tried,
            pairs: not_compared,
            span: Span::new(0, 0),
        });
    }
    warnings
}

/// The conclusions by which one rule suspects what the other excludes.
fn clash<'r>(
    rule: &'r clinrule_check::model::CheckedRule,
    other: &'r clinrule_check::model::CheckedRule,
) -> Option<(&'r CheckedConclusion, &'r CheckedConclusion)> {
    rule.conclusions.iter().find_map(|mine| {
        let theirs = other.conclusions.iter().find(|theirs| {
            theirs.id == mine.id
                && matches!(
                    (mine.action, theirs.action),
                    (
                        Some(DiagnosisAction::Suspect),
                        Some(DiagnosisAction::Exclude)
                    ) | (
                        Some(DiagnosisAction::Exclude),
                        Some(DiagnosisAction::Suspect)
                    )
                )
        })?;
        Some((mine, theirs))
    })
}

/// The warning for two rules that fire together on `example`, one
/// suspecting what the other excludes.
fn contradiction(
    (rule, mine): (&clinrule_check::model::CheckedRule, &CheckedConclusion),
    (other, theirs): (&clinrule_check::model::CheckedRule, &CheckedConclusion),
    example: String,
) -> LintWarning {
    let (suspecting, excluding) = if mine.action == Some(DiagnosisAction::Suspect) {
        ((rule, mine), (other, theirs))
    } else {
        ((other, theirs), (rule, mine))
    };
    LintWarning::Contradictory {
        first: suspecting.0.id.clone(),
        second: excluding.0.id.clone(),
        diagnosis: mine.id.clone(),
        example,
        first_span: suspecting.1.span,
        second_span: excluding.1.span,
    }
}

/// The warning for a pair of rules with the same conclusions, given
/// whether each fires in some combination without the other: the one that
/// never fires alone adds nothing; when both always fire together, the
/// later one is reported. A rule already named redundant is not named again.
fn redundancy(
    rule_set: &CheckedRuleSet,
    (first, second): (usize, usize),
    (first_only, second_only): (bool, bool),
    named: &mut [bool],
) -> Option<LintWarning> {
    let (redundant, covering) = match (first_only, second_only) {
        (false, _) if second_only => (first, second),
        (_, false) => (second, first),
        _ => return None,
    };
    let slot = named.get_mut(redundant)?;
    if *slot {
        return None;
    }
    *slot = true;
    let (redundant_rule, covering_rule) = (
        rule_set.rules().get(redundant)?,
        rule_set.rules().get(covering)?,
    );
    Some(LintWarning::Redundant {
        rule: redundant_rule.id.clone(),
        other: covering_rule.id.clone(),
        span: redundant_rule.condition.span,
        other_span: covering_rule.condition.span,
    })
}
