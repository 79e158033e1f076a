//! Clinrule as a library: load a rule set from text, check it, evaluate
//! patient cases against it and render the explained results.
//!
//! This is the one pipeline every front end calls: the `clinrule` command,
//! the tests, the benchmarks and the fuzz targets, and the coming service,
//! language server, browser playground and Python package. None of them
//! parses, checks or pairs the evaluators by itself, so a rule set loads,
//! checks and evaluates everywhere exactly as `clinrule` does.
//!
//! The library does no IO: it takes text and returns values and text. A
//! front end reads the files, chooses where output goes and what exit code
//! a problem gives.
//!
//! # Loading, evaluating and reading the result
//!
//! ```
//! use clinrule::SourceMap;
//!
//! let rules = r#"
//! ruleset lead
//!   title "Blood lead"
//!   version 1.0.0
//!   status approved
//!
//! reference cdc "CDC blood lead reference value" url "https://www.cdc.gov/lead-prevention/"
//!
//! fact lab.blood_lead : quantity ug/dL
//!   "Venous blood lead level"
//!
//! rule lead_high "At or above the reference value"
//!   cite cdc
//!   when lab.blood_lead >= 3.5 ug/dL
//!   then suspect lead_exposure "Lead exposure" certainty likely
//! "#;
//!
//! // Every problem, in the order `clinrule check` prints them; the rule set
//! // when there is no error.
//! let loaded = clinrule::load(SourceMap::new("lead.crl", rules));
//! assert_eq!(loaded.errors(), 0, "{:?}", loaded.problems());
//! let rule_set = loaded.rule_set().expect("a rule set without errors");
//!
//! // A case in the documented JSON format: 35 ug/L is 3.5 ug/dL, exactly.
//! let case = r#"{"id": "toddler", "facts": {"lab.blood_lead": {"value": 35, "unit": "ug/L"}}}"#;
//! let result = rule_set.evaluate_json(case).expect("a case the rule set accepts");
//! for conclusion in result.conclusions() {
//!     println!("{}: {}", conclusion.id, conclusion.text);
//! }
//! assert_eq!(result.conclusions().next().map(|c| c.id.as_str()), Some("lead_exposure"));
//!
//! // The explained result as `clinrule eval` writes it.
//! let json = result.json();
//! assert!(json.contains(r#""status": "fired""#));
//! ```
//!
//! # What each part does
//!
//! - [`load`] (or a [`Loader`] with options) parses and checks a
//!   [`SourceMap`], the text of a rule set in one file or several, and tries
//!   cases against the sound rule set to find rules that never fire or
//!   repeat one another. It gives a [`Loaded`]: every [`Problem`] and, when
//!   none is an error, a [`RuleSet`].
//! - A [`RuleSet`] holds the checked rule set and its compiled program,
//!   paired: it reads cases ([`RuleSet::read_case`]), evaluates them with the
//!   tree evaluator, which explains every node ([`RuleSet::evaluate`]), and
//!   gives the compiled program for many cases at once ([`RuleSet::program`]).
//! - An [`Explained`] result renders itself as text, Markdown for either
//!   audience, or JSON, tells the story of one rule (`explain`) and says
//!   what is missing and what its values would decide (`needs`); the
//!   [`render`] module holds every rendering, so all front ends say the same
//!   thing in the same words.
//! - A [`consult::Consultation`] asks for the missing data one question at
//!   a time, checks each answer as a case file is checked, and says what it
//!   changed; the front end only asks and shows.

pub mod consult;
mod problem;
pub mod render;
pub mod safe_text;

use std::sync::{Arc, OnceLock};

pub use clinrule_check::model::{CheckedConclusion, CheckedRule};
pub use clinrule_check::{CheckError, CheckedRuleSet};
pub use clinrule_eval::lint::LintWarning;
pub use clinrule_eval::{Case, EvalError, Evaluation, Need, NeedOption, Program, RuleStatus};
pub use clinrule_syntax::source::{Location, Part};
pub use clinrule_syntax::{SourceMap, Span, SyntaxError};
pub use problem::Problem;

use render::{Audience, Evaluated, Level, Palette};

/// How to load a rule set: the options of [`load`].
#[derive(Debug, Clone, Copy)]
pub struct Loader {
    threads: usize,
    lints: bool,
}

impl Default for Loader {
    fn default() -> Loader {
        Loader {
            threads: 1,
            lints: true,
        }
    }
}

impl Loader {
    /// One thread, and the warnings found by trying cases: what
    /// `clinrule check` reports.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// How many threads may parse and check a large rule set; the outcome
    /// is the same whatever the number. The library does not ask the
    /// machine: the front end, which knows it, says.
    pub fn threads(mut self, threads: usize) -> Loader {
        self.threads = threads.max(1);
        self
    }

    /// Whether to try cases against a sound rule set for the warnings
    /// `W209` to `W212` (on by default). A front end that only evaluates,
    /// such as `clinrule eval`, turns them off: they cost more than the check.
    pub fn lints(mut self, lints: bool) -> Loader {
        self.lints = lints;
        self
    }

    /// Parses and checks a rule set: every problem, in the order
    /// `clinrule check` prints them (syntax and check problems in the order
    /// of the text, then the warnings found by trying cases), and the rule
    /// set when none is an error.
    pub fn load(&self, source: SourceMap) -> Loaded {
        let source = Arc::new(source);
        let (parsed, syntax_errors) = clinrule_syntax::parse_on(source.text(), self.threads);
        let outcome = clinrule_check::check_on(&source, &parsed, self.threads);
        let mut problems: Vec<Problem> = syntax_errors.into_iter().map(Problem::Syntax).collect();
        problems.extend(outcome.diagnostics.into_iter().map(Problem::Check));
        // Syntax and check problems together, in the order of the text; a
        // stable sort keeps a syntax error before a check problem at the
        // same place.
        problems.sort_by_key(Problem::start);
        let rule_set = outcome
            .rule_set
            .map(|checked| RuleSet::new(Arc::new(checked)));
        if self.lints
            && let Some(rule_set) = &rule_set
        {
            problems.extend(
                clinrule_eval::lint::lint(rule_set.checked())
                    .into_iter()
                    .map(Problem::Lint),
            );
        }
        let errors = problems
            .iter()
            .filter(|problem| !problem.is_warning())
            .count();
        Loaded {
            source,
            problems,
            errors,
            rule_set,
        }
    }
}

/// Parses and checks a rule set with the default options (one thread, the
/// warnings found by trying cases included): see [`Loader::load`].
pub fn load(source: SourceMap) -> Loaded {
    Loader::new().load(source)
}

/// A rule set parsed and checked: every problem found and, when none is an
/// error, the rule set, ready to evaluate cases.
#[derive(Debug)]
pub struct Loaded {
    source: Arc<SourceMap>,
    problems: Vec<Problem>,
    errors: usize,
    rule_set: Option<RuleSet>,
}

impl Loaded {
    /// The rule set's text, with its files and lines: every problem's span
    /// points into it.
    pub fn source(&self) -> &SourceMap {
        &self.source
    }

    /// The source map, shared: for a front end that shows the problems
    /// after the rule set is gone, or beside it.
    pub fn shared_source(&self) -> &Arc<SourceMap> {
        &self.source
    }

    /// Every problem, errors and warnings, in the order `clinrule check`
    /// prints them.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many of the problems are errors.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// How many of the problems are warnings.
    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors
    }

    /// The rule set, when it has no error.
    pub fn rule_set(&self) -> Option<&RuleSet> {
        self.rule_set.as_ref()
    }

    /// The rule set, when it has no error, kept beyond the problems.
    pub fn into_rule_set(self) -> Option<RuleSet> {
        self.rule_set
    }
}

/// A checked rule set, ready to evaluate cases: the tree evaluator, which
/// explains every node, and the compiled program, which decides many cases
/// fast, paired so that a caller never pairs them by hand.
#[derive(Debug, Clone)]
pub struct RuleSet {
    checked: Arc<CheckedRuleSet>,
    /// Compiled when first asked for: a single case does not pay for it.
    program: Arc<OnceLock<Program>>,
}

impl RuleSet {
    fn new(checked: Arc<CheckedRuleSet>) -> RuleSet {
        RuleSet {
            checked,
            program: Arc::new(OnceLock::new()),
        }
    }

    /// The checked rule set: its facts, rules, scores and differentials.
    pub fn checked(&self) -> &CheckedRuleSet {
        &self.checked
    }

    /// The rule set's text, with its files and lines.
    pub fn source(&self) -> &SourceMap {
        self.checked.source()
    }

    /// The compiled program, for deciding many cases; compiled on first use
    /// and shared by every clone of this rule set.
    pub fn program(&self) -> &Program {
        self.program.get_or_init(|| Program::compile(&self.checked))
    }

    /// Reads a case in the documented JSON format, checking every value
    /// against the rule set's declarations; every problem is reported, each
    /// with its span in `text`.
    pub fn read_case(&self, text: &str) -> Result<Case, Vec<EvalError>> {
        Case::from_json(text, &self.checked)
    }

    /// Evaluates a case with the tree evaluator: the value of every node,
    /// the missing facts, the needs.
    pub fn evaluate(&self, case: &Case) -> Evaluation {
        clinrule_eval::evaluate(&self.checked, case)
    }

    /// Evaluates a case that was read, keeping both for rendering.
    pub fn explain(&self, case: Case) -> Explained<'_> {
        let evaluation = self.evaluate(&case);
        Explained {
            rule_set: self,
            case,
            evaluation,
        }
    }

    /// Reads a case's JSON text and evaluates it.
    pub fn evaluate_json(&self, text: &str) -> Result<Explained<'_>, Vec<EvalError>> {
        Ok(self.explain(self.read_case(text)?))
    }

    /// What each value of each missing fact would decide, for a case
    /// evaluated against this rule set.
    pub fn need_options(&self, case: &Case, evaluation: &Evaluation) -> Vec<Vec<NeedOption>> {
        clinrule_eval::need_options(&self.checked, case, evaluation)
    }

    /// The graph of what each fact influences, as Mermaid.
    pub fn graph_mermaid(&self) -> String {
        render::graph::mermaid(&self.checked)
    }

    /// The graph of what each fact influences, in Graphviz's DOT.
    pub fn graph_dot(&self) -> String {
        render::graph::dot(&self.checked)
    }
}

/// One case evaluated against a rule set, with everything its renderings need.
#[derive(Debug)]
pub struct Explained<'rules> {
    rule_set: &'rules RuleSet,
    case: Case,
    evaluation: Evaluation,
}

impl<'rules> Explained<'rules> {
    /// The rule set the case was evaluated against.
    pub fn rule_set(&self) -> &'rules RuleSet {
        self.rule_set
    }

    /// The case, as read.
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// The evaluation: every rule's status, every node's value, the needs.
    pub fn evaluation(&self) -> &Evaluation {
        &self.evaluation
    }

    /// What every rendering reads.
    pub fn view(&self) -> Evaluated<'_> {
        Evaluated {
            rule_set: self.rule_set.checked(),
            case: &self.case,
            evaluation: &self.evaluation,
        }
    }

    /// The conclusions reached, each once however many rules reached it,
    /// in the order first reached.
    pub fn conclusions(&self) -> impl Iterator<Item = &CheckedConclusion> + '_ {
        let rules = self.rule_set.checked().rules();
        self.evaluation
            .reached(self.rule_set.checked())
            .into_iter()
            .filter_map(move |entry| rules.get(entry.rule)?.conclusions.get(entry.conclusion))
    }

    /// What is missing, most useful first, each with what its values would
    /// decide, in the words every rendering uses.
    pub fn needs(&self) -> Vec<render::reasons::NeedExplained> {
        render::reasons::needs_explained(&self.view())
    }

    /// The result as text, as `clinrule eval` writes it.
    pub fn text(&self, palette: Palette, level: Level) -> String {
        render::text::render(&self.view(), palette, level)
    }

    /// The clinical report in Markdown, for clinicians or for patients and families.
    pub fn markdown(&self, audience: Audience) -> String {
        render::markdown::render(&self.view(), audience)
    }

    /// The clinical report at a level of detail (see [`render::markdown::render_at`]).
    pub fn markdown_at(&self, audience: Audience, level: Level) -> String {
        render::markdown::render_at(&self.view(), audience, level)
    }

    /// The documented JSON result, pretty-printed, ending with a newline.
    pub fn json(&self) -> String {
        render::json::render(&self.view())
    }

    /// The JSON result on one line, without a newline: a cohort record.
    pub fn json_compact(&self) -> String {
        render::json::render_compact(&self.view())
    }

    /// The story of some rules (by position) as text, as `clinrule explain` writes it.
    pub fn story_text(&self, rules: &[usize], palette: Palette) -> String {
        render::story::render_text(&self.view(), rules, palette)
    }

    /// The story of some rules (by position) as JSON.
    pub fn story_json(&self, rules: &[usize]) -> String {
        render::story::render_json(&self.view(), rules)
    }
}
