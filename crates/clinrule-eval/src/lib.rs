//! Evaluation of checked Clinical Rule Language rule sets against patient cases.
//!
//! [`Case::from_json`] reads a case and checks every value against the rule
//! set's declarations; [`evaluate`] computes derived values, scores and
//! differentials and runs every rule in Kleene's three-valued logic, keeping
//! ranges where values are partly known, and records the value of every
//! expression node, the missing facts that left a rule undetermined, and the
//! facts most worth obtaining.
//! This crate does no IO.

pub mod case;
mod decide;
mod error;
mod evaluate;
pub mod expect;
pub mod json;
pub mod lint;
mod program;
pub mod value;
mod whatif;

/// The most combinations of missing facts' values tried to decide an
/// undetermined rule by cases, by the tree evaluator and the compiled
/// program alike.
pub(crate) const MAX_WORLDS: usize = 256;

pub use case::Case;
pub use decide::evaluate;
pub use error::EvalError;
pub use evaluate::{
    CandidateOutcome, CriterionOutcome, DerivedOutcome, DifferentialOutcome, Evaluation, Need,
    Reached, RuleOutcome, RuleStatus, ScoreOutcome, TraceNode, fact_value, reachable_rows,
    set_aside, trace_nodes,
};
pub use program::{Coded, CodedCase, CompactTrace, FastRead, Program};
pub use value::{Truth, Val};
pub use whatif::{Bound, NeedOption, Threshold, ValueRange, need_options};
