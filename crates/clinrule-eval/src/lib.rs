//! Evaluation of checked Clinical Rule Language rule sets against patient cases.
//!
//! [`Case::from_json`] reads a case and checks every value against the rule
//! set's declarations; [`evaluate`] runs every rule in Kleene's three-valued
//! logic and records the outcome of every condition, the missing facts that
//! left a rule undetermined, and the facts most worth obtaining.
//! This crate does no IO.

pub mod case;
mod error;
mod evaluate;
pub mod json;

pub use case::Case;
pub use error::EvalError;
pub use evaluate::{
    EffectiveValue, Evaluation, Need, RuleOutcome, RuleStatus, TraceNode, Truth, effective_value,
    evaluate, evaluate_test, trace_nodes,
};
