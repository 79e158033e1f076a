//! The `clinrule` binary.

use std::io::IsTerminal as _;
use std::process::ExitCode;

/// The memory allocator: mimalloc rather than the system's. Reading and
/// checking a large rule set, and writing JSON results, make many small
/// blocks; see `docs/ARCHITECTURE.md` for what it saves and costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let no_colour = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse::<usize>().ok())
        .filter(|columns| (40..=400).contains(columns))
        .unwrap_or(100);
    let terminal = clinrule_cli::Terminal {
        colour_stdout: !no_colour && std::io::stdout().is_terminal(),
        colour_stderr: !no_colour && std::io::stderr().is_terminal(),
        width,
        progress: std::io::stderr().is_terminal(),
        echo_input: !std::io::stdin().is_terminal(),
    };
    // A run ended by SIGINT, SIGTERM or SIGHUP leaves no partial file.
    clinrule_cli::remove_partial_files_on_signals();
    // A bug must never show a Rust backtrace to a clinician: report it plainly.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|location| format!(" at {}:{}", location.file(), location.line()))
            .unwrap_or_default();
        eprintln!(
            "internal error{location}: this is a bug in Clinrule, not in your rules or case; please report it with the command you ran"
        );
    }));
    let arguments: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = std::panic::catch_unwind(|| {
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        let mut out = stdout.lock();
        let mut err = stderr.lock();
        let mut input = std::io::stdin().lock();
        clinrule_cli::run_with_input(arguments, &mut input, &mut out, &mut err, terminal)
    })
    .unwrap_or(clinrule_cli::EXIT_INTERNAL);
    ExitCode::from(code)
}
