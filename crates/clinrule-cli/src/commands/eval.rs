//! `clinrule eval --case`: one case, evaluated and explained as text,
//! Markdown for either audience, or JSON.

use std::path::{Path, PathBuf};

use clinrule::render::{Audience as ReportAudience, Level, Palette};

use crate::args::{Audience, Explain, Format};
use crate::exit::EXIT_SUCCESS;
use crate::session::Session;

/// Evaluates one case against the one rule set named.
pub(crate) fn run(
    session: &mut Session<'_>,
    paths: &[PathBuf],
    case_path: &Path,
    format: Format,
    explain: Explain,
    audience: Audience,
) -> u8 {
    let (rules, case, _) = match session.read_rules_and_case(paths, case_path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let rule_set = &rules.rule_set;
    let result = rule_set.explain(case);
    let level = match explain {
        Explain::Brief => Level::Brief,
        Explain::Rules => Level::Rules,
        Explain::Full => Level::Full,
    };
    let text = match format {
        Format::Json => result.json(),
        Format::Markdown => result.markdown_at(
            match audience {
                Audience::Clinician => ReportAudience::Clinician,
                Audience::Patient => ReportAudience::Patient,
            },
            level,
        ),
        Format::Text | Format::Summary => {
            result.text(Palette::new(session.terminal.colour_stdout), level)
        }
    };
    let _ = session.out.write_all(text.as_bytes());
    EXIT_SUCCESS
}
