//! `clinrule explain`: the story of one rule, or of every rule that can
//! reach one conclusion, for a case.

use std::path::{Path, PathBuf};

use clinrule::render::Palette;
use clinrule::render::story::{self, Target};

use crate::args::ExplainFormat;
use crate::error::CliError;
use crate::exit::{EXIT_SUCCESS, EXIT_USAGE};
use crate::session::Session;

/// Explains one rule or conclusion; an unknown one is an error that
/// proposes the nearest.
pub(crate) fn run(
    session: &mut Session<'_>,
    paths: &[PathBuf],
    case_path: &Path,
    target: &Target,
    format: ExplainFormat,
) -> u8 {
    let (rules, case, _) = match session.read_rules_and_case(paths, case_path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let rule_set = &rules.rule_set;
    let chosen = match story::rules_for(rule_set.checked(), target) {
        Ok(chosen) => chosen,
        Err(unknown) => {
            let error = CliError::UnknownTarget {
                what: unknown.what,
                id: unknown.id,
                help: unknown.help,
            };
            session.report(&error, Some(&rules.file));
            return EXIT_USAGE;
        }
    };
    let result = rule_set.explain(case);
    let text = match format {
        ExplainFormat::Json => result.story_json(&chosen),
        ExplainFormat::Text => {
            result.story_text(&chosen, Palette::new(session.terminal.colour_stdout))
        }
    };
    let _ = session.out.write_all(text.as_bytes());
    EXIT_SUCCESS
}
