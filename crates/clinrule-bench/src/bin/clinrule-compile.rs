//! Parses, checks and compiles one rule file, as `clinrule eval` does before
//! its first case, and prints how many operations the program has.
//!
//! ```sh
//! clinrule-compile generated.crl
//! ```
//!
//! The benchmark `parse_check_compile_process` runs it as a fresh process
//! for each sample, so that every size starts with the memory a real run
//! starts with; see `docs/performance.md`.

/// The allocator the `clinrule` command uses, so that this measures what a
/// user's run costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: clinrule-compile RULES.crl");
        return std::process::ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("cannot read {}: {error}", path.to_string_lossy());
            return std::process::ExitCode::from(2);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let name = path.to_string_lossy().into_owned();
    let loaded = clinrule::Loader::new()
        .threads(cores)
        .lints(false)
        .load(clinrule::SourceMap::new(name.as_str(), source));
    let Some(rule_set) = loaded.rule_set() else {
        eprintln!("{name} does not check");
        return std::process::ExitCode::from(1);
    };
    println!("{} operations", rule_set.program().op_count());
    std::process::ExitCode::SUCCESS
}
