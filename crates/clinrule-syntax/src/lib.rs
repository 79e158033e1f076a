//! The Clinical Rule Language: its grammar, its typed syntax tree and its
//! syntax diagnostics.
//!
//! [`parse`] reads a rule file's text and returns every item it could read
//! together with every syntax error, each with a stable code and a span.
//! This crate does no IO: it takes text and returns values.

pub mod ast;
mod characters;
mod error;
mod fast;
pub mod format;
pub mod hash;
pub mod keywords;
mod parser;
pub mod source;
pub mod span;
pub mod suggest;
mod word;

pub use error::SyntaxError;
pub use keywords::KEYWORDS;
pub use parser::{parse, parse_by_grammar_only, parse_on, read_rule_directly};
pub use source::SourceMap;
pub use span::{Span, Spanned};
pub use word::Word;
