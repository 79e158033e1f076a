//! Every rendering of a result, in one place: what they share (`report`:
//! how values, thresholds and conditions read to a clinician; `reasons`: the
//! reasons a rule fired, did not or waits, as sentences, and what each
//! missing fact's values would decide), the text tree at three levels of
//! detail (`text`), the clinical report for clinicians and patients
//! (`markdown`), the JSON result (`json`), the story of one rule or
//! conclusion (`story`) and the graph of what each fact influences
//! (`graph`).
//!
//! Every rendering takes its sentences from `reasons`, so the text, JSON,
//! Markdown and `explain` say the same thing in the same words. Renderings
//! return text; they never write anywhere.

pub mod graph;
pub mod json;
pub mod markdown;
pub mod reasons;
pub mod report;
pub mod story;
pub mod text;

pub use json::FORMAT_VERSION;
pub use markdown::Audience;
pub use report::Evaluated;
pub use text::{Level, Palette};
