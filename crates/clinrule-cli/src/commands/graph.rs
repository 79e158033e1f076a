//! `clinrule graph`: what each fact influences, as Mermaid or DOT.

use std::path::PathBuf;

use crate::args::GraphFormat;
use crate::exit::EXIT_SUCCESS;
use crate::session::Session;

/// Draws the graph of the one rule set named.
pub(crate) fn run(session: &mut Session<'_>, paths: &[PathBuf], format: GraphFormat) -> u8 {
    let rules = match session.read_one_rule_set(paths) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let rule_set = &rules.rule_set;
    let text = match format {
        GraphFormat::Mermaid => rule_set.graph_mermaid(),
        GraphFormat::Dot => rule_set.graph_dot(),
    };
    let _ = session.out.write_all(text.as_bytes());
    EXIT_SUCCESS
}
