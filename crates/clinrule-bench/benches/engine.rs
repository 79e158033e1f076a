//! Benchmarks of the engine: one case, and parsing and checking rule sets
//! of growing size. Run with `cargo bench -p clinrule-bench`.

#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmarks: they read only what they generate, and index patients by their position"
)]

use clinrule::render::Evaluated;
use clinrule::{Case, Loader, RuleSet, SourceMap};

/// The allocator the `clinrule` command uses, so that the benchmarks
/// measure what a user's run costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Loads a rule set through the library's pipeline, without the warnings
/// found by trying cases, as `clinrule eval` does.
fn checked(source: &str) -> RuleSet {
    let loaded = Loader::new()
        .lints(false)
        .load(SourceMap::new("bench.crl", source));
    assert_eq!(loaded.errors(), 0, "{:?}", loaded.problems());
    loaded
        .into_rule_set()
        .expect("the generated rule set checks")
}

/// The full JSON result of a case, evaluated and rendered.
fn evaluate_and_render_json(rule_set: &RuleSet, case: &Case) -> String {
    let evaluation = rule_set.evaluate(case);
    clinrule::render::json::render(&Evaluated {
        rule_set: rule_set.checked(),
        case,
        evaluation: &evaluation,
    })
}

fn seed() -> (RuleSet, Case) {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../rules/metaphyseal-sclerosis.crl"
    ))
    .expect("the seed rule set");
    let rule_set = checked(&source);
    let case_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../rules/cases/toddler-sclerosis.json"
    ))
    .expect("the seed case");
    let case = rule_set.read_case(&case_text).expect("the case reads");
    (rule_set, case)
}

fn generated() -> (RuleSet, Vec<Case>) {
    let rule_set = checked(&clinrule_bench::rule_set(50, 30, 1));
    let mut random = clinrule_bench::Random::new(7);
    let cases = (0..64)
        .map(|_| {
            rule_set
                .read_case(&clinrule_bench::case(30, &mut random))
                .expect("a case")
        })
        .collect();
    (rule_set, cases)
}

/// One case of the seed rule set, compiled, with the compact trace (every
/// condition's outcome), the case already read.
#[divan::bench]
fn seed_compiled(bencher: divan::Bencher) {
    let (rule_set, case) = seed();
    let program = rule_set.program();
    assert_eq!(program.fallback(), None);
    let mut coded = program.new_case();
    program.code(&case, &mut coded);
    let mut trace = program.new_trace();
    bencher.bench_local(|| program.run(divan::black_box(&coded), &mut trace));
}

/// One case of the generated 50-rule set, compiled, with the compact trace,
/// the case already read. Each sample runs the 64 generated patients once,
/// so a sample's time per case is the mean over patients with and without
/// missing data, and the median is over samples.
#[divan::bench(sample_size = 64)]
fn generated_50_compiled(bencher: divan::Bencher) {
    let (rule_set, cases) = generated();
    let program = rule_set.program();
    assert_eq!(program.fallback(), None);
    let coded: Vec<_> = cases
        .iter()
        .map(|case| {
            let mut coded = program.new_case();
            program.code(case, &mut coded);
            coded
        })
        .collect();
    let mut trace = program.new_trace();
    let mut next = 0;
    bencher.bench_local(|| {
        next = (next + 1) % coded.len();
        program.run(&coded[next], &mut trace)
    });
}

/// One case of the generated 50-rule set from its JSON text to the compact
/// trace: the fast reader, then the compiled program (64 patients a sample).
#[divan::bench(sample_size = 64)]
fn generated_50_compiled_from_json(bencher: divan::Bencher) {
    let rule_set = checked(&clinrule_bench::rule_set(50, 30, 1));
    let program = rule_set.program();
    let mut random = clinrule_bench::Random::new(7);
    let texts: Vec<String> = (0..64)
        .map(|_| clinrule_bench::case(30, &mut random))
        .collect();
    let mut coded = program.new_case();
    let mut trace = program.new_trace();
    let mut next = 0;
    bencher.bench_local(|| {
        next = (next + 1) % texts.len();
        program.evaluate_json(&texts[next], &mut coded, &mut trace)
    });
}

/// One case of the seed rule set, evaluated and rendered as the full JSON
/// result.
#[divan::bench]
fn seed_evaluate_and_render_json(bencher: divan::Bencher) {
    let (rule_set, case) = seed();
    bencher.bench_local(|| evaluate_and_render_json(&rule_set, &case));
}

/// One case of the seed rule set, evaluated with its full trace.
#[divan::bench]
fn seed_evaluate(bencher: divan::Bencher) {
    let (rule_set, case) = seed();
    bencher.bench(|| divan::black_box(&rule_set).evaluate(divan::black_box(&case)));
}

/// One case of the generated 50-rule set, evaluated with its full trace
/// by the tree evaluator (64 patients a sample).
#[divan::bench(sample_size = 64)]
fn generated_50_evaluate(bencher: divan::Bencher) {
    let (rule_set, cases) = generated();
    let mut next = 0;
    bencher.bench_local(|| {
        next = (next + 1) % cases.len();
        rule_set.evaluate(&cases[next])
    });
}

/// Reading a case from its JSON text against the generated 50-rule set.
#[divan::bench]
fn generated_50_read_case(bencher: divan::Bencher) {
    let rule_set = checked(&clinrule_bench::rule_set(50, 30, 1));
    let mut random = clinrule_bench::Random::new(7);
    let text = clinrule_bench::case(30, &mut random);
    bencher.bench(|| rule_set.read_case(divan::black_box(&text)));
}

/// One case of the generated 50-rule set, evaluated and rendered as the
/// full JSON result (with what each missing fact would decide).
#[divan::bench]
fn generated_50_evaluate_and_render_json(bencher: divan::Bencher) {
    let (rule_set, cases) = generated();
    let mut next = 0;
    bencher.bench_local(|| {
        next = (next + 1) % cases.len();
        evaluate_and_render_json(&rule_set, &cases[next])
    });
}

/// Parsing, checking and compiling rule sets of growing size in a fresh
/// process for each sample (`clinrule-compile`), as a user runs the
/// command: every size starts with fresh memory. In one process, the
/// allocator keeps the memory of a small rule set for the next sample but
/// gives a large one back to the system, which favours the small sizes.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10, sample_size = 1)]
fn parse_check_compile_process(bencher: divan::Bencher, rules: usize) {
    let folder = std::env::temp_dir().join(format!("clinrule-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let path = folder.join(format!("rules-{rules}.crl"));
    std::fs::write(&path, clinrule_bench::rule_set(rules, 30, 1)).expect("written");
    bencher.bench(|| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_clinrule-compile"))
            .arg(&path)
            .output()
            .expect("clinrule-compile runs");
        assert!(output.status.success(), "{output:?}");
        output.stdout.len()
    });
    let _ = std::fs::remove_file(&path);
}

/// One case against 10,000 generated rules, evaluated and rendered as the
/// full JSON result: every condition of every rule is placed by line and
/// column, so this shows that placing one costs the same in a large file.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn rules_10000_evaluate_and_render_json(bencher: divan::Bencher) {
    let source = clinrule_bench::rule_set(10_000, 30, 1);
    let rule_set = Loader::new()
        .lints(false)
        .load(SourceMap::new("bench.crl", source))
        .into_rule_set()
        .expect("the generated rule set checks");
    let mut random = clinrule_bench::Random::new(3);
    let case = rule_set
        .read_case(&clinrule_bench::case(30, &mut random))
        .expect("a generated case reads");
    bencher.bench_local(|| evaluate_and_render_json(&rule_set, &case));
}

/// A cohort of one million generated cases (five of them malformed), end
/// to end through the command as a script runs it: NDJSON in, the summary
/// out, on every core. After timing, one more run measures the process's
/// peak memory (on Linux), printed to standard error.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn cohort_1m_summary(bencher: divan::Bencher) {
    use std::io::Write as _;
    let folder = std::env::temp_dir().join(format!("clinrule-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let rules = folder.join("generated.crl");
    std::fs::write(&rules, clinrule_bench::rule_set(50, 30, 1)).expect("written");
    let cohort = folder.join("cohort.ndjson");
    {
        let file = std::fs::File::create(&cohort).expect("created");
        let mut out = std::io::BufWriter::new(file);
        let mut random = clinrule_bench::Random::new(7);
        for index in 0..1_000_000 {
            let mut line = clinrule_bench::case(30, &mut random);
            if index % 200_000 == 100_000 {
                line.truncate(line.len() / 2);
            }
            writeln!(out, "{line}").expect("written");
        }
        out.flush().expect("written");
    }
    let arguments = [
        "clinrule".to_owned(),
        "eval".to_owned(),
        rules.to_string_lossy().into_owned(),
        "--cases".to_owned(),
        cohort.to_string_lossy().into_owned(),
        "--format".to_owned(),
        "summary".to_owned(),
        "--quiet".to_owned(),
    ];
    let run = || {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let code = clinrule_cli::run(
            arguments.clone(),
            &mut out,
            &mut err,
            clinrule_cli::Terminal::plain(),
        );
        (code, out)
    };
    bencher.bench_local(run);
    // Peak memory of one run: reset the high-water mark, run, read it.
    if std::fs::write("/proc/self/clear_refs", "5").is_ok() {
        let (code, out) = run();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = status
            .lines()
            .find(|line| line.starts_with("VmHWM"))
            .unwrap_or("VmHWM: unknown");
        eprintln!(
            "cohort_1m_summary: exit code {code}, {} bytes of summary, peak memory {}",
            out.len(),
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
    let _ = std::fs::remove_dir_all(folder);
}

/// Parsing, checking and compiling the generated 50-rule set.
#[divan::bench]
fn parse_check_compile_50(bencher: divan::Bencher) {
    parse_check_compile(bencher, 50);
}

/// Parsing, checking and compiling rule sets of growing size, to show how
/// the cost grows.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10, sample_size = 1)]
fn parse_check_compile(bencher: divan::Bencher, rules: usize) {
    let source = clinrule_bench::rule_set(rules, 30, 1);
    // As the command parses and checks: on every core.
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    bencher.bench(|| {
        let loaded = Loader::new()
            .threads(cores)
            .lints(false)
            .load(SourceMap::new(
                "bench.crl",
                divan::black_box(&source).as_str(),
            ));
        let rule_set = loaded
            .into_rule_set()
            .expect("the generated rule set checks");
        rule_set.program().op_count()
    });
}

/// Rules that share one fact, each with its own threshold and the same
/// conclusion, every one covered by the first: the worst case of the
/// redundancy warnings, once cubic (400 rules took 32 s). Doubling the
/// rules should about double the time.
#[divan::bench(args = [500, 1_000, 2_000, 4_000], sample_count = 10, sample_size = 1)]
fn lint_rules_sharing_one_fact(bencher: divan::Bencher, rules: usize) {
    let mut source =
        "ruleset shared\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact n : number\n\n"
            .to_owned();
    for rule in 0..rules {
        source.push_str(&format!(
            "rule r{rule} \"r\"\n  when n > {rule}\n  then note c{rule} \"the same words\"\n\n"
        ));
    }
    let rule_set = checked(&source);
    bencher.bench(|| clinrule_eval::lint::lint(divan::black_box(rule_set.checked())));
}

/// A chain of derived values, each reading the one before, and a rule on
/// the last: once quadratic (each value found by walking the file).
#[divan::bench(args = [1_000, 2_000, 4_000], sample_count = 10, sample_size = 1)]
fn check_chain_of_derived_values(bencher: divan::Bencher, length: usize) {
    let mut source =
        "ruleset chain\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact n : number\n\nlet d0 \"d\" = n + 1\n"
            .to_owned();
    for index in 1..=length {
        source.push_str(&format!("let d{index} \"d\" = d{} + 1\n", index - 1));
    }
    source.push_str(&format!(
        "\nrule r \"r\"\n  when d{length} > 3\n  then note c \"x\"\n"
    ));
    bencher.bench(|| {
        // The pipeline as `clinrule check` runs it: the lints included.
        let loaded = clinrule::load(SourceMap::new(
            "bench.crl",
            divan::black_box(&source).as_str(),
        ));
        assert!(loaded.rule_set().is_some(), "checks");
        loaded
    });
}

/// A case of one line with thousands of unknown facts, its diagnostics
/// rendered as the command renders them: once every diagnostic reprinted
/// the whole line and copied the whole file.
#[divan::bench(args = [2_000, 4_000, 8_000], sample_count = 10, sample_size = 1)]
fn render_problems_on_one_line(bencher: divan::Bencher, problems: usize) {
    let rule_set = checked(
        "ruleset lead\n  title \"t\"\n  version 1.0.0\n  status draft\n\nfact lab.blood_lead : quantity ug/dL\n\nrule r \"r\"\n  when lab.blood_lead > 3.5 ug/dL\n  then note c \"x\"\n",
    );
    let facts: Vec<String> = (0..problems)
        .map(|fact| format!("\"x{fact}\": 1"))
        .collect();
    let case = format!("{{\"facts\": {{{}}}}}", facts.join(", "));
    let file = clinrule_cli::SourceFile::new("case.json".to_owned(), case.clone());
    let style = clinrule_cli::Style {
        colour: false,
        width: 100,
    };
    bencher.bench(|| {
        let errors = rule_set
            .read_case(divan::black_box(&case))
            .expect_err("refused");
        // As the command does: every problem counted, the first 200 shown.
        errors
            .iter()
            .take(clinrule_cli::MAX_SHOWN_DIAGNOSTICS)
            .map(|error| clinrule_cli::render_diagnostic(error, Some(&file), style).len())
            .sum::<usize>()
    });
}
