//! Writes the synthetic work the benchmarks run on, for measuring the
//! `clinrule` command itself:
//!
//! ```sh
//! clinrule-generate rules 50 > generated.crl
//! clinrule-generate cohort 1000000 --bad 5 > cohort.ndjson
//! ```
//!
//! `rules N` writes a rule set of N rules over 30 facts; `cohort N` writes N
//! cases for it, one per line, with `--bad K` of them (spread through the
//! file) malformed, to show that a bad line is reported and skipped.

use std::io::Write as _;

fn usage() -> std::process::ExitCode {
    eprintln!("usage: clinrule-generate rules N | cohort N [--bad K]");
    std::process::ExitCode::from(2)
}

fn main() -> std::process::ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let count = arguments
        .get(1)
        .and_then(|count| count.parse::<usize>().ok());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match (arguments.first().map(String::as_str), count) {
        (Some("rules"), Some(rules)) => {
            out.write_all(clinrule_bench::rule_set(rules, 30, 1).as_bytes())
        }
        (Some("cohort"), Some(cases)) => {
            let bad = match (arguments.get(2).map(String::as_str), arguments.get(3)) {
                (Some("--bad"), Some(bad)) => bad.parse::<usize>().unwrap_or(0),
                (None, _) => 0,
                _ => return usage(),
            };
            let mut random = clinrule_bench::Random::new(7);
            let every = cases
                .checked_div(bad)
                .map_or(usize::MAX, |every| every.max(1));
            let mut result = Ok(());
            for index in 0..cases {
                let line = if index % every == every / 2 {
                    // A case cut short, as a crashed exporter leaves it.
                    let case = clinrule_bench::case(30, &mut random);
                    case.get(..case.len() / 2).unwrap_or_default().to_owned()
                } else {
                    clinrule_bench::case(30, &mut random)
                };
                result = out
                    .write_all(line.as_bytes())
                    .and_then(|()| out.write_all(b"\n"));
                if result.is_err() {
                    break;
                }
            }
            result
        }
        _ => return usage(),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(_) => std::process::ExitCode::from(1),
    }
}
