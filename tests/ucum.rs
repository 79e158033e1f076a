//! Clinrule's units held to UCUM's own table (`tests/data/ucum-essence-units.tsv`,
//! derived from the UCUM essence): every prefix and every unit Clinrule
//! knows must equal its UCUM definition exactly, in factor and dimension,
//! and every unit it does not know is listed, with the reason, in
//! `tests/data/ucum-left-out.tsv`, so that the list shrinks as units are
//! added and never hides one that works.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a unit that disagrees with UCUM must fail the test with its name"
)]

use std::collections::BTreeMap;

use clinrule_check::number::Rational;
use clinrule_check::units::{Dimension, Unit, parse_unit};
use clinrule_tests::root;

/// A decimal as UCUM writes it, exactly: `12`, `365.24219`, `254e-2`.
fn decimal(text: &str) -> Option<Rational> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (text, 0),
    };
    Rational::parse_decimal(mantissa)
        .ok()?
        .checked_mul(Rational::power_of_ten(exponent)?)
}

/// One unit of the table.
struct Row {
    code: String,
    special: bool,
    arbitrary: bool,
    value: String,
    definition: String,
    /// UCUM's dimension: length, time, mass, angle, temperature, charge, luminous intensity.
    dimension: Vec<i32>,
}

fn table() -> (Vec<(String, Option<i32>)>, Vec<Row>) {
    let text = std::fs::read_to_string(root().join("tests/data/ucum-essence-units.tsv"))
        .expect("the UCUM table reads");
    let mut prefixes = Vec::new();
    let mut units = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["prefix", code, exponent] => {
                prefixes.push(((*code).to_owned(), exponent.parse().ok()));
            }
            [
                "unit",
                code,
                _metric,
                special,
                arbitrary,
                value,
                definition,
                dimension,
            ] => {
                units.push(Row {
                    code: (*code).to_owned(),
                    special: *special == "special",
                    arbitrary: *arbitrary == "arbitrary",
                    value: (*value).to_owned(),
                    definition: (*definition).to_owned(),
                    dimension: dimension
                        .split(',')
                        .filter_map(|power| power.parse().ok())
                        .collect(),
                });
            }
            _ => panic!("an unreadable line of the UCUM table: {line:?}"),
        }
    }
    (prefixes, units)
}

/// The units left out, with the reason for each.
fn left_out() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("tests/data/ucum-left-out.tsv"))
        .expect("the list of units left out reads");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (code, reason) = line.split_once('\t').expect("a code, a tab and a reason");
            (code.to_owned(), reason.to_owned())
        })
        .collect()
}

/// Why a unit is outside what Clinrule measures, from UCUM's own data, or
/// `None` when it should be known.
fn outside(row: &Row) -> Option<&'static str> {
    if row.special && !matches!(row.code.as_str(), "Cel" | "[degF]") {
        return Some("special: a non-linear scale");
    }
    if row.arbitrary {
        return Some("arbitrary: no conversion exists");
    }
    // Plane angle, electric charge and luminous intensity are not among
    // Clinrule's dimensions.
    if row.dimension.get(3..).is_some_and(|rest| {
        rest.iter()
            .enumerate()
            .any(|(at, power)| at != 1 && *power != 0)
    }) {
        return Some("a dimension Clinrule does not measure");
    }
    None
}

#[test]
fn every_prefix_is_a_power_of_ten() {
    let (prefixes, _) = table();
    assert!(prefixes.len() >= 20, "{}", prefixes.len());
    for (code, exponent) in prefixes {
        // The binary prefixes are for bits and bytes, which Clinrule does not measure.
        let Some(exponent) = exponent else {
            continue;
        };
        let unit = parse_unit(&format!("{code}g"))
            .unwrap_or_else(|problem| panic!("the prefix {code}: {problem:?}"));
        assert_eq!(
            unit.factor,
            Rational::power_of_ten(exponent).expect("a power of ten"),
            "the prefix {code}"
        );
        assert_eq!(unit.dimension, Dimension::MASS, "the prefix {code}");
    }
}

#[test]
fn every_unit_known_equals_its_ucum_definition() {
    let (_, units) = table();
    assert!(units.len() >= 300, "{}", units.len());
    let listed = left_out();
    let mut unknown: BTreeMap<String, String> = BTreeMap::new();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for row in &units {
        let parsed = parse_unit(&row.code);
        if let Some(reason) = outside(row) {
            // Outside what Clinrule measures: it must not pretend to know it.
            assert!(
                parsed.is_err() || matches!(row.code.as_str(), "[IU]" | "[iU]"),
                "{} is {reason}, yet Clinrule reads it",
                row.code
            );
            continue;
        }
        let Ok(unit) = parsed else {
            unknown.insert(row.code.clone(), String::new());
            continue;
        };
        if row.value.is_empty() || row.special {
            // A base unit, or Celsius and Fahrenheit, checked elsewhere.
            continue;
        }
        if listed.contains_key(&row.code) {
            // Known, but defined differently on purpose (the mole): listed.
            continue;
        }
        let value = decimal(&row.value)
            .unwrap_or_else(|| panic!("{}: the value {} is not exact", row.code, row.value));
        let definition: Unit = match parse_unit(&row.definition) {
            Ok(definition) => definition,
            Err(problem) => {
                wrong.push(format!(
                    "{}: its definition {} does not read: {problem:?}",
                    row.code, row.definition
                ));
                continue;
            }
        };
        let expected = value
            .checked_mul(definition.factor)
            .expect("the factor holds");
        if unit.factor != expected || unit.dimension != definition.dimension {
            wrong.push(format!(
                "{}: Clinrule {} {}, UCUM {} x {} = {} {}",
                row.code,
                unit.factor,
                unit.dimension,
                row.value,
                row.definition,
                expected,
                definition.dimension
            ));
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "units that disagree with UCUM:\n{}",
        wrong.join("\n")
    );
    assert!(checked >= 45, "only {checked} units were checked");
    // Every unit left out is listed with its reason, and nothing listed works.
    let unlisted: Vec<&String> = unknown
        .keys()
        .filter(|code| !listed.contains_key(*code))
        .collect();
    assert!(
        unlisted.is_empty(),
        "units neither known nor listed in tests/data/ucum-left-out.tsv: {unlisted:?}"
    );
    for (code, reason) in &listed {
        assert!(
            !reason.trim().is_empty(),
            "{code} is listed without a reason"
        );
        let known_on_purpose = parse_unit(code).is_ok()
            && units
                .iter()
                .any(|row| row.code == *code && outside(row).is_none());
        assert!(
            unknown.contains_key(code) || known_on_purpose,
            "{code} is listed as left out, but Clinrule reads it: take it off the list"
        );
    }
}
