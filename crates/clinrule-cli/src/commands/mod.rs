//! One module per command, each with the same shape: a `run` function that
//! takes the session (the streams and the terminal) and the command's own
//! arguments, does its work through the library's pipeline, and gives the
//! exit code.

pub(crate) mod check;
pub(crate) mod cohort;
pub(crate) mod consult;
pub(crate) mod eval;
pub(crate) mod explain;
pub(crate) mod fmt;
pub(crate) mod graph;
pub(crate) mod test;
