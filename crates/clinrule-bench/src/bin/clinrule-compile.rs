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
    let (file, _) = clinrule_syntax::parse_on(&source, cores);
    let Some(rule_set) = clinrule_check::check_on(&source, &file, cores).rule_set else {
        eprintln!("{} does not check", path.to_string_lossy());
        return std::process::ExitCode::from(1);
    };
    let program = clinrule_eval::Program::compile(&rule_set);
    println!("{} operations", program.op_count());
    std::process::ExitCode::SUCCESS
}
