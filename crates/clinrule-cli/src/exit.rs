//! The command's exit codes: 0 success, 1 findings (errors in rule files),
//! 2 usage or input errors, 3 an internal error, 4 results that could not be
//! written.

/// Success.
pub const EXIT_SUCCESS: u8 = 0;
/// Findings: errors in rule files.
pub const EXIT_FINDINGS: u8 = 1;
/// Usage or input errors: bad arguments, unreadable files, a bad case.
pub const EXIT_USAGE: u8 = 2;
/// An internal error: a bug in Clinrule.
pub const EXIT_INTERNAL: u8 = 3;
/// The results could not be written: a full disk, a closed pipe, a device
/// that refused them. What was written is incomplete.
pub const EXIT_OUTPUT: u8 = 4;
