//! Fuzz target: see `clinrule_tests::fuzz::evaluate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|case: clinrule_tests::fuzz::FuzzCase| {
    clinrule_tests::fuzz::evaluate(&case)
});
