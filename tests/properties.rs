//! Properties that must hold for every input of their kind: Kleene's
//! three-valued logic, knowing more never changing what was already known,
//! and exact unit conversions there and back. Inputs are exhaustive where
//! they are few (truth values) and generated from a fixed seed where they
//! are many (numbers, units), thousands per run.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a property that fails must fail the test with its input"
)]

use clinrule_check::number::Rational;
use clinrule_check::units::{COMMON_UNITS, from_base, parse_unit, to_base};
use clinrule_eval::Truth;
use clinrule_tests::generate::Random;

const TRUTHS: [Truth; 3] = [Truth::True, Truth::False, Truth::Unknown];

/// Whether `more` is `less` with some unknowns made known: true or false
/// stay as they are.
fn refines(more: Truth, less: Truth) -> bool {
    less == Truth::Unknown || more == less
}

#[test]
fn kleene_logic_keeps_the_laws_of_logic() {
    for a in TRUTHS {
        assert_eq!(!!a, a, "double negation of {a:?}");
        assert_eq!(a.and(Truth::True), a, "true is the identity of and");
        assert_eq!(a.or(Truth::False), a, "false is the identity of or");
        assert_eq!(a.and(Truth::False), Truth::False, "false absorbs and");
        assert_eq!(a.or(Truth::True), Truth::True, "true absorbs or");
        assert_eq!(a.and(a), a, "and is idempotent");
        assert_eq!(a.or(a), a, "or is idempotent");
        for b in TRUTHS {
            assert_eq!(a.and(b), b.and(a), "and commutes for {a:?}, {b:?}");
            assert_eq!(a.or(b), b.or(a), "or commutes for {a:?}, {b:?}");
            assert_eq!(!(a.and(b)), (!a).or(!b), "De Morgan for {a:?}, {b:?}");
            assert_eq!(!(a.or(b)), (!a).and(!b), "De Morgan for {a:?}, {b:?}");
            assert_eq!(a.and(a.or(b)), a, "absorption for {a:?}, {b:?}");
            assert_eq!(a.or(a.and(b)), a, "absorption for {a:?}, {b:?}");
            for c in TRUTHS {
                assert_eq!(a.and(b.and(c)), a.and(b).and(c), "and associates");
                assert_eq!(a.or(b.or(c)), a.or(b).or(c), "or associates");
                assert_eq!(a.and(b.or(c)), a.and(b).or(a.and(c)), "and distributes");
                assert_eq!(a.or(b.and(c)), a.or(b).and(a.or(c)), "or distributes");
            }
        }
    }
    // What Kleene's logic gives up: unknown is not false, so excluded
    // middle and non-contradiction are unknown, never true or false.
    let unknown = Truth::Unknown;
    assert_eq!(unknown.or(!unknown), Truth::Unknown);
    assert_eq!(unknown.and(!unknown), Truth::Unknown);
}

#[test]
fn knowing_more_never_changes_what_was_known() {
    // Every connective is monotone: replacing an unknown by true or false
    // can turn an unknown result known, but never change a known one.
    for a in TRUTHS {
        for more_a in TRUTHS.into_iter().filter(|more| refines(*more, a)) {
            assert!(refines(!more_a, !a), "not {a:?}");
            for b in TRUTHS {
                for more_b in TRUTHS.into_iter().filter(|more| refines(*more, b)) {
                    assert!(
                        refines(more_a.and(more_b), a.and(b)),
                        "{a:?} and {b:?} known better as {more_a:?}, {more_b:?}"
                    );
                    assert!(
                        refines(more_a.or(more_b), a.or(b)),
                        "{a:?} or {b:?} known better as {more_a:?}, {more_b:?}"
                    );
                }
            }
        }
    }
}

/// A decimal from the generator: up to nine digits, up to six of them after
/// the point, either sign.
fn decimal(random: &mut Random) -> (String, Rational) {
    let digits = random.below(1_000_000_000);
    let places = random.below(7);
    let negative = random.below(4) == 0;
    let text = if places == 0 {
        digits.to_string()
    } else {
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (whole, fraction) = padded.split_at(padded.len() - places);
        format!("{whole}.{fraction}")
    };
    let text = if negative { format!("-{text}") } else { text };
    let value = Rational::parse_decimal(&text).expect("a decimal");
    (text, value)
}

#[test]
fn units_convert_there_and_back_exactly() {
    let units: Vec<(&str, clinrule_check::units::Unit)> = COMMON_UNITS
        .iter()
        .chain(&[
            "Cel", "[degF]", "K", "mo", "a", "wk", "d", "h", "mmol/L", "kg/m2",
        ])
        .map(|text| (*text, parse_unit(text).expect("a common unit")))
        .collect();
    let mut random = Random::new(11);
    let mut conversions = 0;
    for _ in 0..2_000 {
        let (text, value) = decimal(&mut random);
        for (name, unit) in &units {
            // To base units and back gives the value as written.
            let base = to_base(value, unit).expect("converts");
            assert_eq!(
                from_base(base, unit),
                Some(value),
                "{text} {name} there and back"
            );
            // Through any other unit of the same dimension and back.
            for (other_name, other) in units
                .iter()
                .filter(|(_, other)| other.dimension == unit.dimension && other != unit)
            {
                let there = from_base(base, other).expect("converts");
                let back = from_base(to_base(there, other).expect("converts"), unit);
                assert_eq!(back, Some(value), "{text} {name} through {other_name}");
                conversions += 1;
            }
        }
    }
    assert!(conversions > 50_000, "{conversions}");
}
