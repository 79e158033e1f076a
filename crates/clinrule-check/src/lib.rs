//! The checker for the Clinical Rule Language.
//!
//! [`check`] takes a parsed rule file and returns a [`CheckedRuleSet`] when
//! the file is sound, together with every diagnostic found: undeclared facts
//! with suggestions, unknown references, duplicate identifiers, comparisons of
//! the wrong type, missing or incompatible units, unknown codes. Numbers are
//! exact ([`number`]) and units convert exactly ([`units`]).
//! This crate does no IO.

mod checker;
mod error;
pub mod model;
pub mod number;
pub mod units;

pub use checker::{CheckOutcome, check, check_on};
pub use error::CheckError;
pub use model::CheckedRuleSet;
