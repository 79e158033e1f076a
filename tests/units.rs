//! Unit conversions checked against published UCUM equivalences: a value in
//! one unit must be exactly equal to its published equivalent in another,
//! through the whole pipeline (rule file, case, evaluation).

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a table test that cannot build its rule set must fail loudly"
)]

use clinrule_eval::{Case, RuleStatus, evaluate};

/// Evaluates `fact = threshold` for a fact in `fact_unit` (with an optional
/// conversion) given `value` by the case.
fn equal(fact_unit: &str, conversion: &str, value: &str, threshold: &str) -> RuleStatus {
    let source = format!(
        "ruleset units\n  title \"Units\"\n  version 1.0.0\n  status draft\n\
         fact x : quantity {fact_unit}{conversion}\n\
         rule same when x = {threshold} then note same \"Same\"\n"
    );
    let loaded = clinrule::Loader::new()
        .lints(false)
        .load(clinrule::SourceMap::new("units.crl", source.as_str()));
    let rules = loaded
        .rule_set()
        .unwrap_or_else(|| panic!("{source}\n{:#?}", loaded.problems()));
    let rule_set = rules.checked();
    let case = Case::from_json(&format!("{{\"facts\": {{\"x\": \"{value}\"}}}}"), rule_set)
        .unwrap_or_else(|errors| panic!("{value}: {errors:#?}"));
    evaluate(rule_set, &case).rules[0].status
}

/// Published equivalences: (fact unit, conversion on the fact, value, the same value in another unit).
const EQUIVALENCES: &[(&str, &str, &str, &str)] = &[
    // Mass (UCUM: the international avoirdupois pound is 453.59237 g).
    ("kg", "", "1 kg", "1000 g"),
    ("g", "", "1 [lb_av]", "453.59237 g"),
    ("ug", "", "1 mcg", "1 ug"),
    // Amount of substance.
    ("mmol", "", "1 mol", "1000 mmol"),
    // Volume (UCUM: a litre is a cubic decimetre).
    ("mL", "", "1 L", "1000 mL"),
    ("mL", "", "1 dL", "100 mL"),
    ("mL", "", "1 cc", "1 mL"),
    ("L", "", "1 dm3", "1 L"),
    // Mass concentration.
    ("g/L", "", "1 g/dL", "10 g/L"),
    ("mg/dL", "", "1 mg/dL", "10 mg/L"),
    ("ug/dL", "", "3.5 ug/dL", "0.035 mg/L"),
    ("ug/dL", "", "35 ug/L", "3.5 ug/dL"),
    // Substance concentration.
    ("mmol/L", "", "1 mmol/L", "1000 umol/L"),
    // Time (UCUM: a Julian year of 365.25 days; a month is a twelfth of it).
    ("mo", "", "1 a", "12 mo"),
    ("d", "", "1 a", "365.25 d"),
    ("d", "", "1 wk", "7 d"),
    ("min", "", "1 h", "60 min"),
    ("mo", "", "1.5 years", "18 months"),
    // Length (UCUM: the international inch is 2.54 cm).
    ("cm", "", "1 [in_i]", "2.54 cm"),
    ("cm", "", "1 [ft_i]", "30.48 cm"),
    // Temperature: Celsius and Fahrenheit carry offsets.
    ("Cel", "", "0 Cel", "32 [degF]"),
    ("Cel", "", "100 Cel", "212 [degF]"),
    ("Cel", "", "-40 [degF]", "-40 Cel"),
    ("Cel", "", "37 Cel", "310.15 K"),
    ("Cel", "", "98.6 [degF]", "37 Cel"),
    // Pressure (UCUM: a metre of mercury is 133.3220 kPa).
    ("mm[Hg]", "", "760 mm[Hg]", "101.32472 kPa"),
    ("mm[Hg]", "", "1 mm[Hg]", "133.322 Pa"),
    // Counts per volume.
    ("10*9/L", "", "1 10*9/L", "1000 /mm3"),
    ("10*9/L", "", "10 10*9/L", "10000 /uL"),
    ("10*9/L", "", "1 10*9/L", "1 10^9/L"),
    // Ratios.
    ("%", "", "75 %", "0.75 {ratio}"),
    ("%", "", "75 %", "0.75 1"),
    ("[ppm]", "", "1000 [ppm]", "1 [ppth]"),
    ("[ppm]", "", "1 [ppm]", "1000 [ppb]"),
    ("[ppm]", "", "1 [ppb]", "1000 [pptr]"),
    // Annotations anywhere, as every eGFR result is written.
    (
        "mL/min/{1.73_m2}",
        "",
        "60 mL/min/{1.73_m2}",
        "1 mL/s/{1.73_m2}",
    ),
    ("mL/min/{1.73_m2}", "", "90 mL/min/{1.73_m2}", "1.5 mL/s"),
    ("10*9/L", "", "5 {cells}/nL", "5 10*9/L"),
    // Parentheses and leading factors, in a case and in a rule file alike.
    ("ug/(kg.h)", "", "24 ug/(kg.d)", "1 ug/(kg.h)"),
    ("ug/(kg.h)", "", "1 mg/(kg.h)", "1000 ug/kg/h"),
    ("s/m", "", "1 4.s/m", "4 s/m"),
    ("s", "", "1 10*-7.s", "100 ns"),
    ("/min", "", "60 1/min", "1 /s"),
    // Pressure (UCUM: the standard atmosphere is 101325 Pa; a metre of water
    // column 9.80665 kPa).
    ("kPa", "", "1 atm", "101.325 kPa"),
    ("cm[H2O]", "", "10 cm[H2O]", "0.980665 kPa"),
    ("cm[H2O]", "", "1 m[H2O]", "100 cm[H2O]"),
    ("cm[H2O]", "", "1 mm[H2O]", "0.1 cm[H2O]"),
    ("mm[Hg]", "", "1 m[Hg]", "1000 mm[Hg]"),
    ("mm[Hg]", "", "1 cm[Hg]", "10 mm[Hg]"),
    // Mass concentration (UCUM: the gram percent is a gram per decilitre).
    ("g/dL", "", "12 g%", "12 g/dL"),
    // International units (`[iU]` is UCUM's other spelling).
    ("[IU]/L", "", "5 [iU]/L", "5 [IU]/L"),
    // Customary units (UCUM: the international mile is 5280 feet; the US
    // gallon 231 cubic inches, its fluid ounce a 128th).
    ("m", "", "1 [mi_i]", "1609.344 m"),
    ("m", "", "1 [mi_i]", "5280 [ft_i]"),
    ("mL", "", "1 [gal_us]", "3785.411784 mL"),
    ("mL", "", "1 [foz_us]", "29.5735295625 mL"),
    ("mL", "", "128 [foz_us]", "1 [gal_us]"),
    // Equivalents, by the valence declared on the fact: calcium is
    // divalent, so 5 meq/L is 2.5 mmol/L; sodium monovalent.
    ("mmol/L", ", valence 2", "5 meq/L", "2.5 mmol/L"),
    ("meq/L", ", valence 2", "2.5 mmol/L", "5 meq/L"),
    ("mmol/L", ", valence 1", "140 meq/L", "140 mmol/L"),
    ("meq/L", "", "1 eq/L", "1000 meq/L"),
    // Osmoles: osmolality per kilogram, osmolarity per litre.
    ("mosm/kg", "", "0.29 osm/kg", "290 mosm/kg"),
    ("mosm/L", "", "1 osm/L", "1000 mosm/L"),
    // Years and months: Julian, Gregorian, tropical and synodal.
    ("d", "", "1 a_j", "365.25 d"),
    ("d", "", "12 mo_j", "365.25 d"),
    ("d", "", "1 a_g", "365.2425 d"),
    ("d", "", "12 mo_g", "365.2425 d"),
    ("d", "", "1 a_t", "365.24219 d"),
    ("d", "", "1 mo_s", "29.53059 d"),
    // Substance-specific: lead, by the factor published with the reference value.
    (
        "ug/dL",
        ", also umol/L at 20.72 ug/dL per umol/L",
        "1 umol/L",
        "20.72 ug/dL",
    ),
    (
        "ug/dL",
        ", also umol/L at 20.72 ug/dL per umol/L",
        "0.5 umol/L",
        "10.36 ug/dL",
    ),
    // Substance-specific: glucose, by its molar mass of 180.16 g/mol.
    (
        "mg/dL",
        ", molar mass 180.16 g/mol",
        "1 mmol/L",
        "18.016 mg/dL",
    ),
    (
        "mmol/L",
        ", molar mass 180.16 g/mol",
        "90.08 mg/dL",
        "5 mmol/L",
    ),
];

#[test]
fn published_equivalences_are_exact() {
    for (fact_unit, conversion, value, threshold) in EQUIVALENCES {
        assert_eq!(
            equal(fact_unit, conversion, value, threshold),
            RuleStatus::Fired,
            "{value} should equal {threshold} (fact in {fact_unit}{conversion})"
        );
    }
}

/// A hair's breadth is not equal: the comparison is exact, not approximate.
#[test]
fn near_misses_are_not_equal() {
    for (fact_unit, conversion, value, threshold) in [
        ("ug/dL", "", "3.5 ug/dL", "0.03500001 mg/L"),
        ("Cel", "", "98.6 [degF]", "37.0000001 Cel"),
        ("mo", "", "78 wk", "18 mo"),
        // UCUM's millimetre of mercury is 133.322 Pa, so 760 of them fall
        // 0.28 Pa short of a standard atmosphere.
        ("kPa", "", "1 atm", "760 mm[Hg]"),
        (
            "ug/dL",
            ", also umol/L at 20.72 ug/dL per umol/L",
            "1 umol/L",
            "20.7200001 ug/dL",
        ),
    ] {
        assert_eq!(
            equal(fact_unit, conversion, value, threshold),
            RuleStatus::NotFired,
            "{value} = {threshold}"
        );
    }
}
