//! Fuzz target: see `clinrule_tests::fuzz::parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| clinrule_tests::fuzz::parse(data));
