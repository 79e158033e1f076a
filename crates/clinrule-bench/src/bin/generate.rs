//! Writes generated work to standard output:
//!
//! - `generate rules N [FACTS]`: a rule set of N rules over FACTS facts (30);
//! - `generate cohort N [FACTS]`: N cases, one JSON object per line.
//! - `generate cohort N [FACTS] --malformed K`: the same, with every K-th
//!   line broken, to show that a cohort run reports and survives bad lines.

use std::io::Write as _;

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let number = |position: usize, default: usize| {
        arguments
            .get(position)
            .and_then(|text| text.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let malformed = arguments
        .iter()
        .position(|argument| argument == "--malformed")
        .and_then(|position| arguments.get(position + 1))
        .and_then(|text| text.parse::<usize>().ok());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match arguments.first().map(String::as_str) {
        Some("rules") => {
            let _ =
                out.write_all(clinrule_bench::rule_set(number(1, 50), number(2, 30), 1).as_bytes());
        }
        Some("cohort") => {
            let facts = number(2, 30);
            let mut random = clinrule_bench::Random::new(7);
            for line in 1..=number(1, 1000) {
                let case = clinrule_bench::case(facts, &mut random);
                let case = match malformed {
                    Some(every) if every > 0 && line % every == 0 => case
                        .replacen("\"f1\": \"", "\"f1\": \"x", 1)
                        .replacen("}}", "}", 1),
                    _ => case,
                };
                let _ = writeln!(out, "{case}");
            }
        }
        _ => {
            eprintln!(
                "usage: generate rules N [FACTS] | generate cohort N [FACTS] [--malformed K]"
            );
            std::process::exit(2);
        }
    }
}
