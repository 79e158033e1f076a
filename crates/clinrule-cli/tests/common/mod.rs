//! What the tests that run the `clinrule` binary share.

/// The command under test: this build's, or another build named by
/// `CLINRULE_UNDER_TEST`, to show that a test fails on a build from before
/// the fix it holds.
pub fn binary() -> String {
    std::env::var("CLINRULE_UNDER_TEST")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_clinrule").to_owned())
}
