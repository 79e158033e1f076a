//! Units of measure, UCUM-style, with exact conversion factors.
//!
//! A unit is read into a dimension (powers of length, mass, time, amount of
//! substance, temperature and international units) and an exact factor to the
//! base units (metre, gram, second, mole, kelvin, international unit). Two
//! units compare when their dimensions are equal; a value converts by its
//! factor, exactly. Celsius and Fahrenheit also carry an offset: a value in
//! them converts to kelvin as `value * factor + offset`, so they can be
//! compared but not combined in arithmetic.

use std::fmt;

use crate::number::Rational;
use clinrule_syntax::suggest::did_you_mean;

/// Powers of the base dimensions: length, mass, time, amount of substance,
/// temperature, international units, equivalents and osmoles. Equivalents
/// and osmoles are kept apart from moles: converting between them needs
/// the valence of the substance, which the fact declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Dimension(pub [i8; 8]);

const LENGTH: usize = 0;
const MASS: usize = 1;
const TIME: usize = 2;
const AMOUNT: usize = 3;
const TEMPERATURE: usize = 4;
const INTERNATIONAL_UNIT: usize = 5;
const EQUIVALENT: usize = 6;
const OSMOLE: usize = 7;

impl Dimension {
    /// A dimensionless number: a ratio or a count.
    pub const NONE: Dimension = Dimension([0; 8]);
    /// Time, for ages, durations and intervals.
    pub const TIME: Dimension = Dimension([0, 0, 1, 0, 0, 0, 0, 0]);

    /// Temperature.
    pub const TEMPERATURE: Dimension = Dimension([0, 0, 0, 0, 1, 0, 0, 0]);
    /// Mass.
    pub const MASS: Dimension = Dimension([0, 1, 0, 0, 0, 0, 0, 0]);
    /// Amount of substance.
    pub const AMOUNT: Dimension = Dimension([0, 0, 0, 1, 0, 0, 0, 0]);
    /// Amount in equivalents.
    pub const EQUIVALENT: Dimension = Dimension([0, 0, 0, 0, 0, 0, 1, 0]);

    /// The dimension of a product of quantities of `self` and `other`.
    pub fn times(self, other: Dimension) -> Option<Dimension> {
        self.combine(other, 1)
    }

    /// The dimension of a quotient of a quantity of `self` by one of `other`.
    pub fn divided_by(self, other: Dimension) -> Option<Dimension> {
        self.combine(other, -1)
    }

    fn base(index: usize) -> Dimension {
        let mut powers = [0; 8];
        if let Some(power) = powers.get_mut(index) {
            *power = 1;
        }
        Dimension(powers)
    }

    fn combine(self, other: Dimension, sign: i8) -> Option<Dimension> {
        let mut powers = self.0;
        for (power, other_power) in powers.iter_mut().zip(other.0) {
            *power = power.checked_add(other_power.checked_mul(sign)?)?;
        }
        Some(Dimension(powers))
    }

    fn power(self, exponent: i8) -> Option<Dimension> {
        let mut powers = self.0;
        for power in &mut powers {
            *power = power.checked_mul(exponent)?;
        }
        Some(Dimension(powers))
    }

    /// What a clinician calls quantities of this dimension.
    pub fn describe(self) -> String {
        let name = match self.0 {
            [0, 0, 0, 0, 0, 0, 0, 0] => "a plain number (a ratio or count)",
            [1, 0, 0, 0, 0, 0, 0, 0] => "a length",
            [0, 1, 0, 0, 0, 0, 0, 0] => "a mass",
            [0, 0, 1, 0, 0, 0, 0, 0] => "a time",
            [0, 0, 0, 1, 0, 0, 0, 0] => "an amount of substance",
            [0, 0, 0, 0, 1, 0, 0, 0] => "a temperature",
            [0, 0, 0, 0, 0, 1, 0, 0] => "an amount in international units",
            [3, 0, 0, 0, 0, 0, 0, 0] => "a volume",
            [2, 0, 0, 0, 0, 0, 0, 0] => "an area",
            [-3, 1, 0, 0, 0, 0, 0, 0] => "a mass concentration",
            [-3, 0, 0, 1, 0, 0, 0, 0] => "a substance concentration",
            [-3, 0, -1, 1, 0, 0, 0, 0] => "an enzyme activity concentration",
            [-3, 0, 0, 0, 0, 1, 0, 0] => "an international-unit concentration",
            [-3, 0, 0, 0, 0, 0, 0, 0] => "a count per volume",
            [0, 0, 0, 0, 0, 0, 1, 0] => "an amount in equivalents",
            [-3, 0, 0, 0, 0, 0, 1, 0] => "an equivalent concentration",
            [0, 0, 0, 0, 0, 0, 0, 1] => "an amount in osmoles",
            [0, -1, 0, 0, 0, 0, 0, 1] => "an osmolality",
            [-3, 0, 0, 0, 0, 0, 0, 1] => "an osmolarity",
            [-1, 1, -2, 0, 0, 0, 0, 0] => "a pressure",
            [0, 0, -1, 0, 0, 0, 0, 0] => "a rate per time",
            [-2, 1, 0, 0, 0, 0, 0, 0] => "a mass per area",
            [0, 0, -1, 1, 0, 0, 0, 0] => "an enzyme activity",
            [0, -1, 0, 1, 0, 0, 0, 0] => "a substance content per mass",
            _ => return format!("a quantity of dimension {self}"),
        };
        name.to_owned()
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbols = ["m", "g", "s", "mol", "K", "[IU]", "eq", "osm"];
        let mut first = true;
        for (symbol, power) in symbols.iter().zip(self.0) {
            if power == 0 {
                continue;
            }
            if !first {
                formatter.write_str(".")?;
            }
            first = false;
            if power == 1 {
                write!(formatter, "{symbol}")?;
            } else {
                write!(formatter, "{symbol}{power}")?;
            }
        }
        if first {
            formatter.write_str("1")?;
        }
        Ok(())
    }
}

/// A unit read from its text: its dimension and its exact factor to base units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// What the unit measures.
    pub dimension: Dimension,
    /// How many base units one of this unit is.
    pub factor: Rational,
    /// What is added after scaling: zero except for Celsius and Fahrenheit.
    pub offset: Rational,
}

impl Unit {
    /// Whether converting needs an offset (Celsius, Fahrenheit).
    pub fn has_offset(&self) -> bool {
        self.offset != Rational::ZERO
    }
}

/// Why a unit could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitProblem {
    /// A part of the unit is not a known unit.
    Unknown {
        /// The part that is not known.
        part: String,
        /// The known unit nearest to the whole text, if any is close.
        suggestion: Option<String>,
    },
    /// A temperature scale with an offset inside a compound unit (`Cel/h`),
    /// which has no meaning.
    OffsetTemperature,
    /// The unit's factor is too large or too small to hold exactly.
    OutOfRange,
}

impl UnitProblem {
    /// The help for an unknown unit: the nearest known unit, or how to write
    /// one such as `example`. `None` for a unit too large to hold, which is
    /// reported as a number out of range instead.
    pub fn help(&self, example: &str) -> Option<String> {
        match self {
            UnitProblem::Unknown {
                suggestion: Some(suggestion),
                ..
            } => Some(format!("did you mean `{suggestion}`?")),
            UnitProblem::Unknown {
                suggestion: None, ..
            } => Some(format!(
                "write a UCUM unit such as `{example}`; docs/language.md lists the units understood"
            )),
            UnitProblem::OffsetTemperature => {
                Some("temperatures in Celsius or Fahrenheit are not supported yet".to_owned())
            }
            UnitProblem::OutOfRange => None,
        }
    }
}

/// A unit symbol and its meaning.
struct Atom {
    symbols: &'static [&'static str],
    dimension: Dimension,
    numerator: i128,
    denominator: i128,
    /// Whether SI prefixes (`m`, `u`, `k`, ...) may be put in front.
    metric: bool,
}

/// Celsius: kelvin = celsius + 273.15.
const CELSIUS_SYMBOLS: [&str; 3] = ["Cel", "°C", "degC"];
/// Fahrenheit: kelvin = (fahrenheit + 459.67) * 5/9.
const FAHRENHEIT_SYMBOLS: [&str; 3] = ["[degF]", "°F", "degF"];

/// UCUM's US gallon, 231 cubic inches, in cubic metres: every US liquid
/// measure is a fraction of it.
const US_GALLON: (i128, i128) = (3_785_411_784, 1_000_000_000_000);

fn atoms() -> [Atom; 83] {
    let length = Dimension::base(LENGTH);
    let mass = Dimension::base(MASS);
    let time = Dimension::base(TIME);
    let amount = Dimension::base(AMOUNT);
    let temperature = Dimension::base(TEMPERATURE);
    let international = Dimension::base(INTERNATIONAL_UNIT);
    let equivalent = Dimension::base(EQUIVALENT);
    let osmole = Dimension::base(OSMOLE);
    let volume = Dimension([3, 0, 0, 0, 0, 0, 0, 0]);
    let pressure = Dimension([-1, 1, -2, 0, 0, 0, 0, 0]);
    let activity = Dimension([0, 0, -1, 1, 0, 0, 0, 0]);
    let none = Dimension::NONE;
    let atom = |symbols, dimension, numerator, denominator, metric| Atom {
        symbols,
        dimension,
        numerator,
        denominator,
        metric,
    };
    [
        atom(&["g", "gram", "grams"], mass, 1, 1, true),
        atom(&["m", "metre", "meter"], length, 1, 1, true),
        atom(&["L", "l", "liter", "litre"], volume, 1, 1000, true),
        atom(&["s", "sec", "second", "seconds"], time, 1, 1, true),
        atom(&["mol"], amount, 1, 1, true),
        // UCUM's equivalent and osmole: a mole of charges or of particles,
        // kept apart from the mole until the fact declares its valence.
        atom(&["eq"], equivalent, 1, 1, true),
        atom(&["osm"], osmole, 1, 1, true),
        atom(&["K"], temperature, 1, 1, true),
        atom(&["[IU]", "IU", "[iU]"], international, 1, 1, true),
        // UCUM: the enzyme unit is one micromole per minute.
        atom(&["U"], activity, 1, 60_000_000, true),
        atom(&["kat"], activity, 1, 1, true),
        atom(&["Pa"], pressure, 1000, 1, true),
        // UCUM: a metre of mercury is 133.3220 kPa, so a millimetre is 133.322 Pa.
        atom(&["mm[Hg]", "mmHg"], pressure, 133_322, 1, false),
        atom(&["min", "minute", "minutes"], time, 60, 1, false),
        atom(&["h", "hr", "hour", "hours"], time, 3600, 1, false),
        atom(&["d", "day", "days"], time, 86_400, 1, false),
        atom(&["wk", "week", "weeks"], time, 604_800, 1, false),
        // UCUM: a month is a twelfth of a Julian year of 365.25 days.
        atom(&["mo", "month", "months"], time, 2_629_800, 1, false),
        atom(
            &["a", "y", "yr", "year", "years"],
            time,
            31_557_600,
            1,
            false,
        ),
        atom(&["%"], none, 1, 100, false),
        atom(&["mcg"], mass, 1, 1_000_000, false),
        atom(&["cc"], volume, 1, 1_000_000, false),
        atom(&CELSIUS_SYMBOLS, temperature, 1, 1, false),
        atom(&FAHRENHEIT_SYMBOLS, temperature, 5, 9, false),
        // UCUM customary units: the international pound, inch and foot.
        atom(&["[lb_av]", "lb"], mass, 45_359_237, 100_000, false),
        atom(&["[oz_av]", "oz"], mass, 45_359_237, 1_600_000, false),
        atom(&["[in_i]"], length, 254, 10_000, false),
        atom(&["[ft_i]", "ft"], length, 3048, 10_000, false),
        atom(&["bpm"], Dimension([0, 0, -1, 0, 0, 0, 0, 0]), 1, 60, false),
        // UCUM: the international mile is 5280 feet.
        atom(&["[mi_i]"], length, 1_609_344, 1000, false),
        // UCUM: the US gallon is 231 cubic inches; a fluid ounce is a 128th.
        atom(&["[gal_us]"], volume, US_GALLON.0, US_GALLON.1, false),
        atom(&["[foz_us]"], volume, US_GALLON.0, US_GALLON.1 * 128, false),
        // UCUM: the standard atmosphere, exactly 101325 Pa.
        atom(&["atm"], pressure, 101_325_000, 1, false),
        // UCUM: a metre of water column is 9.80665 kPa; of mercury, 133.3220 kPa.
        atom(&["m[H2O]"], pressure, 9_806_650, 1, false),
        atom(&["cm[H2O]"], pressure, 98_066_500, 1000, false),
        atom(&["mm[H2O]"], pressure, 9_806_650, 1000, false),
        atom(&["m[Hg]"], pressure, 133_322_000, 1, false),
        atom(&["cm[Hg]"], pressure, 1_333_220, 1, false),
        // UCUM: parts per thousand, million, billion and trillion.
        atom(&["[ppth]"], none, 1, 1000, false),
        atom(&["[ppm]"], none, 1, 1_000_000, false),
        atom(&["[ppb]"], none, 1, 1_000_000_000, false),
        atom(&["[pptr]"], none, 1, 1_000_000_000_000, false),
        // UCUM: the gram percent is a gram per decilitre.
        atom(
            &["g%"],
            Dimension([-3, 1, 0, 0, 0, 0, 0, 0]),
            10_000,
            1,
            false,
        ),
        // UCUM: the Julian year (the `a` above), and the Gregorian, tropical
        // and synodal years and months, in days of 86400 s.
        atom(&["a_j"], time, 31_557_600, 1, false),
        atom(&["mo_j"], time, 2_629_800, 1, false),
        atom(&["a_g"], time, 31_556_952, 1, false),
        atom(&["mo_g"], time, 2_629_746, 1, false),
        atom(&["a_t"], time, 31_556_925_216, 1000, false),
        atom(&["mo_s"], time, 2_551_442_976, 1000, false),
        // UCUM's SI derived units within the dimensions above.
        atom(&["N"], Dimension([1, 1, -2, 0, 0, 0, 0, 0]), 1000, 1, true),
        atom(&["J"], Dimension([2, 1, -2, 0, 0, 0, 0, 0]), 1000, 1, true),
        atom(&["W"], Dimension([2, 1, -3, 0, 0, 0, 0, 0]), 1000, 1, true),
        atom(&["Hz"], Dimension([0, 0, -1, 0, 0, 0, 0, 0]), 1, 1, true),
        atom(&["Bq"], Dimension([0, 0, -1, 0, 0, 0, 0, 0]), 1, 1, true),
        atom(&["Gy"], Dimension([2, 0, -2, 0, 0, 0, 0, 0]), 1, 1, true),
        atom(&["Sv"], Dimension([2, 0, -2, 0, 0, 0, 0, 0]), 1, 1, true),
        atom(&["bar"], pressure, 100_000_000, 1, true),
        atom(&["t"], mass, 1_000_000, 1, true),
        atom(&["ar"], Dimension([2, 0, 0, 0, 0, 0, 0, 0]), 100, 1, true),
        // UCUM: the grain is 64.79891 mg, and the pound 7000 grains.
        atom(&["[gr]"], mass, 6_479_891, 100_000_000, false),
        // UCUM: the cubic inch, and the US liquid measures by the gallon.
        atom(&["[cin_i]"], volume, 16_387_064, 1_000_000_000_000, false),
        atom(&["[qt_us]"], volume, US_GALLON.0, US_GALLON.1 * 4, false),
        atom(&["[pt_us]"], volume, US_GALLON.0, US_GALLON.1 * 8, false),
        atom(&["[gil_us]"], volume, US_GALLON.0, US_GALLON.1 * 32, false),
        atom(
            &["[fdr_us]"],
            volume,
            US_GALLON.0,
            US_GALLON.1 * 1024,
            false,
        ),
        // UCUM: the international yard and the square and cubic inch, foot
        // and yard; the US survey foot (1200/3937 m) and inch.
        atom(&["[yd_i]"], length, 9144, 10_000, false),
        atom(
            &["[sin_i]"],
            Dimension([2, 0, 0, 0, 0, 0, 0, 0]),
            64_516,
            100_000_000,
            false,
        ),
        atom(
            &["[sft_i]"],
            Dimension([2, 0, 0, 0, 0, 0, 0, 0]),
            9_290_304,
            100_000_000,
            false,
        ),
        atom(
            &["[cft_i]"],
            volume,
            28_316_846_592,
            1_000_000_000_000,
            false,
        ),
        atom(
            &["[cyd_i]"],
            volume,
            764_554_857_984,
            1_000_000_000_000,
            false,
        ),
        atom(&["[ft_us]"], length, 1200, 3937, false),
        atom(&["[in_us]"], length, 100, 3937, false),
        // UCUM: the US tablespoon, teaspoon and cup, by the fluid ounce; the
        // drop, a twentieth of a millilitre.
        atom(&["[tbs_us]"], volume, US_GALLON.0, US_GALLON.1 * 256, false),
        atom(&["[tsp_us]"], volume, US_GALLON.0, US_GALLON.1 * 768, false),
        atom(&["[cup_us]"], volume, US_GALLON.0, US_GALLON.1 * 16, false),
        atom(&["[drp]"], volume, 1, 20_000_000, false),
        // UCUM: the torr is 133.322 Pa, like the millimetre of mercury.
        atom(&["Torr"], pressure, 133_322, 1, false),
        // UCUM: the thermochemical and international calories, the calorie
        // that is the thermochemical one, and the nutrition label's Calorie.
        atom(
            &["cal_th", "cal"],
            Dimension([2, 1, -2, 0, 0, 0, 0, 0]),
            4184,
            1,
            true,
        ),
        atom(
            &["cal_IT"],
            Dimension([2, 1, -2, 0, 0, 0, 0, 0]),
            41_868,
            10,
            true,
        ),
        atom(
            &["[Cal]"],
            Dimension([2, 1, -2, 0, 0, 0, 0, 0]),
            4_184_000,
            1,
            false,
        ),
        // UCUM: the metabolic equivalent, 3.5 mL of oxygen per minute per kilogram.
        atom(
            &["[MET]"],
            Dimension([3, -1, -1, 0, 0, 0, 0, 0]),
            7,
            120_000_000_000,
            false,
        ),
        // UCUM: the avoirdupois dram, a sixteenth of an ounce.
        atom(&["[dr_av]"], mass, 45_359_237, 25_600_000, false),
        atom(
            &["[min_us]"],
            volume,
            US_GALLON.0,
            US_GALLON.1 * 61440,
            false,
        ),
    ]
}

/// SI prefixes and their powers of ten.
const PREFIXES: [(&str, i32); 22] = [
    ("da", 1),
    ("Y", 24),
    ("Z", 21),
    ("E", 18),
    ("P", 15),
    ("T", 12),
    ("G", 9),
    ("M", 6),
    ("k", 3),
    ("h", 2),
    ("d", -1),
    ("c", -2),
    ("m", -3),
    ("u", -6),
    ("µ", -6),
    ("μ", -6),
    ("n", -9),
    ("p", -12),
    ("f", -15),
    ("a", -18),
    ("z", -21),
    ("y", -24),
];

/// Units that editors write most, offered as "did you mean" suggestions.
pub const COMMON_UNITS: &[&str] = &[
    "ug/dL", "mg/dL", "g/dL", "g/L", "mg/L", "ug/L", "ng/mL", "pg/mL", "mmol/L", "umol/L",
    "nmol/L", "pmol/L", "U/L", "IU/L", "mU/L", "10*9/L", "10*12/L", "/mm3", "%", "mm[Hg]", "kPa",
    "kg", "g", "mg", "cm", "mm", "m", "L", "mL", "years", "months", "weeks", "days", "hours",
    "min", "s",
];

/// Units that cases give most, read once for the whole process: the
/// common units and the words for ages.
fn frequent_units() -> &'static [(&'static str, Unit)] {
    static FREQUENT: std::sync::OnceLock<Vec<(&'static str, Unit)>> = std::sync::OnceLock::new();
    FREQUENT.get_or_init(|| {
        COMMON_UNITS
            .iter()
            .chain(&[
                "mo", "month", "a", "year", "wk", "week", "d", "day", "h", "Cel", "[degF]",
            ])
            .filter_map(|text| Some((*text, parse_unit(text).ok()?)))
            .collect()
    })
}

/// Reads a unit as [`parse_unit`] does, answering the units cases use most
/// from a table read once, so that reading a cohort does not parse `mg/dL`
/// a million times.
pub fn parse_unit_often_used(text: &str) -> Result<Unit, UnitProblem> {
    let trimmed = text.trim();
    match frequent_units().iter().find(|(known, _)| *known == trimmed) {
        Some((_, unit)) => Ok(*unit),
        None => parse_unit(text),
    }
}

/// A unit written with characters from a word processor (`℃`, `℉`, a
/// full-width slash, a non-breaking space, a typographic minus), as its
/// UCUM spelling, when that spelling is a known unit.
fn typographic_fix(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let mut fixed = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\u{2103}' => fixed.push_str("Cel"),
            '\u{2109}' => fixed.push_str("[degF]"),
            '\u{ff0f}' | '\u{2215}' | '\u{2044}' => fixed.push('/'),
            '\u{2212}' | '\u{2013}' => fixed.push('-'),
            '\u{d7}' | '\u{22c5}' | '\u{b7}' => fixed.push('*'),
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{200b}' => {}
            '\u{b2}' => fixed.push('2'),
            '\u{b3}' => fixed.push('3'),
            character => fixed.push(character),
        }
    }
    (fixed != text
        && !fixed.contains(|character: char| {
            !character.is_ascii() && !matches!(character, 'µ' | 'μ' | '°')
        })
        && parse_unit(&fixed).is_ok())
    .then_some(fixed)
}

/// Reads a unit such as `ug/dL`, `U/L`, `10*9/L`, `mm[Hg]` or `months`.
pub fn parse_unit(text: &str) -> Result<Unit, UnitProblem> {
    let text = text.trim();
    // UCUM annotations in braces (`{beats}/min`, `10*3{cells}/uL`) mean one.
    let without_annotations = strip_annotations(text);
    let text = without_annotations.as_str();
    let unknown = |part: &str| UnitProblem::Unknown {
        part: part.to_owned(),
        suggestion: typographic_fix(text)
            .or_else(|| did_you_mean(text, COMMON_UNITS.iter().copied()).map(str::to_owned)),
    };
    if text.is_empty() {
        return Err(unknown(text));
    }
    let atoms = atoms();
    // Temperatures with an offset stand alone.
    if CELSIUS_SYMBOLS.contains(&text) {
        return Ok(Unit {
            dimension: Dimension::base(TEMPERATURE),
            factor: Rational::ONE,
            offset: Rational::new(27_315, 100).ok_or(UnitProblem::OutOfRange)?,
        });
    }
    if FAHRENHEIT_SYMBOLS.contains(&text) {
        return Ok(Unit {
            dimension: Dimension::base(TEMPERATURE),
            factor: Rational::new(5, 9).ok_or(UnitProblem::OutOfRange)?,
            offset: Rational::new(45_967, 180).ok_or(UnitProblem::OutOfRange)?,
        });
    }
    // Whole-text atoms first, so that `mm[Hg]`, `min` and `Pa` are not split.
    if let Some(unit) = lookup(text, &atoms)? {
        return Ok(unit);
    }
    product(text, &atoms, 0, &unknown)
}

/// Parentheses nested deeper than this are refused, so that no unit can
/// exhaust the stack.
const MAX_UNIT_DEPTH: usize = 8;

/// A product of components joined by `.` (times) and `/` (divided by), each
/// a term or a product in parentheses: `ug/(kg.h)`, `/min`.
fn product(
    text: &str,
    atoms: &[Atom],
    depth: usize,
    unknown: &dyn Fn(&str) -> UnitProblem,
) -> Result<Unit, UnitProblem> {
    if depth > MAX_UNIT_DEPTH {
        return Err(unknown(text));
    }
    let mut dimension = Dimension::NONE;
    let mut factor = Rational::ONE;
    let mut sign: i8 = 1;
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('/') {
        sign = -1;
        rest = after;
    }
    loop {
        // The component ends at the first `.` or `/` outside parentheses.
        let mut level = 0usize;
        let mut end = rest.len();
        for (at, character) in rest.char_indices() {
            match character {
                '(' => level += 1,
                ')' => level = level.checked_sub(1).ok_or_else(|| unknown(text))?,
                '.' | '/' if level == 0 => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        let component = rest.get(..end).unwrap_or_default();
        let component_unit = match component
            .strip_prefix('(')
            .and_then(|inner| inner.strip_suffix(')'))
        {
            Some(inner) => product(inner, atoms, depth + 1, unknown)?,
            None => parse_term(component, atoms)?.ok_or_else(|| unknown(component))?,
        };
        dimension = dimension
            .combine(component_unit.dimension, sign)
            .ok_or(UnitProblem::OutOfRange)?;
        factor = if sign > 0 {
            factor.checked_mul(component_unit.factor)
        } else {
            factor.checked_div(component_unit.factor)
        }
        .ok_or(UnitProblem::OutOfRange)?;
        let Some(separator) = rest.get(end..).and_then(|after| after.chars().next()) else {
            break;
        };
        sign = if separator == '/' { -1 } else { 1 };
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    Ok(Unit {
        dimension,
        factor,
        offset: Rational::ZERO,
    })
}

/// Removes UCUM annotations (`{...}`), which multiply by one.
fn strip_annotations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for character in text.chars() {
        match character {
            '{' => {
                // An annotation that stands where a unit would
                // (`mL/min/{1.73_m2}`, `{cells}.uL-1`) is the unit one.
                if depth == 0 && matches!(out.chars().last(), None | Some('/' | '.' | '(')) {
                    out.push('1');
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(character),
            _ => {}
        }
    }
    if out.is_empty() && !text.is_empty() {
        // A unit that is only an annotation, such as `{count}`, is one.
        return "1".to_owned();
    }
    out
}

/// Reads one term: an atom with an optional prefix and exponent (`mm3`, `s-1`),
/// a power of ten (`10*9`, `10^9`) or a whole number.
fn parse_term(term: &str, atoms: &[Atom]) -> Result<Option<Unit>, UnitProblem> {
    if term.is_empty() {
        return Ok(None);
    }
    if let Some(power) = term
        .strip_prefix("10*")
        .or_else(|| term.strip_prefix("10^"))
    {
        let exponent: i32 = power.parse().map_err(|_| UnitProblem::OutOfRange)?;
        let factor = Rational::power_of_ten(exponent).ok_or(UnitProblem::OutOfRange)?;
        return Ok(Some(Unit {
            dimension: Dimension::NONE,
            factor,
            offset: Rational::ZERO,
        }));
    }
    if term.bytes().all(|byte| byte.is_ascii_digit()) {
        let value: i64 = term.parse().map_err(|_| UnitProblem::OutOfRange)?;
        return Ok(Some(Unit {
            dimension: Dimension::NONE,
            factor: Rational::integer(value),
            offset: Rational::ZERO,
        }));
    }
    if let Some(unit) = lookup(term, atoms)? {
        return Ok(Some(unit));
    }
    // A trailing exponent: `m2`, `mm3`, `s-1`.
    let body_length = term
        .trim_end_matches(|character: char| character.is_ascii_digit())
        .trim_end_matches('-')
        .len();
    let (body, exponent_text) = term.split_at(body_length);
    if exponent_text.is_empty() || body.is_empty() {
        return Ok(None);
    }
    let exponent: i8 = exponent_text.parse().map_err(|_| UnitProblem::OutOfRange)?;
    let Some(unit) = lookup(body, atoms)? else {
        return Ok(None);
    };
    let mut factor = Rational::ONE;
    for _ in 0..exponent.unsigned_abs() {
        factor = factor
            .checked_mul(unit.factor)
            .ok_or(UnitProblem::OutOfRange)?;
    }
    if exponent < 0 {
        factor = Rational::ONE
            .checked_div(factor)
            .ok_or(UnitProblem::OutOfRange)?;
    }
    Ok(Some(Unit {
        dimension: unit
            .dimension
            .power(exponent)
            .ok_or(UnitProblem::OutOfRange)?,
        factor,
        offset: Rational::ZERO,
    }))
}

/// Looks a symbol up as an atom, then as a prefix followed by a metric atom.
fn lookup(symbol: &str, atoms: &[Atom]) -> Result<Option<Unit>, UnitProblem> {
    let unit_of = |atom: &Atom| -> Result<Unit, UnitProblem> {
        let is_offset = atom
            .symbols
            .iter()
            .any(|known| CELSIUS_SYMBOLS.contains(known) || FAHRENHEIT_SYMBOLS.contains(known));
        if is_offset {
            return Err(UnitProblem::OffsetTemperature);
        }
        Ok(Unit {
            dimension: atom.dimension,
            factor: Rational::new(atom.numerator, atom.denominator)
                .ok_or(UnitProblem::OutOfRange)?,
            offset: Rational::ZERO,
        })
    };
    if let Some(atom) = atoms.iter().find(|atom| atom.symbols.contains(&symbol)) {
        return unit_of(atom).map(Some);
    }
    for (prefix, exponent) in PREFIXES {
        let Some(rest) = symbol.strip_prefix(prefix) else {
            continue;
        };
        // Prefixes go on symbols only, never on spelled-out names: `mL`, not `mliter`.
        if let Some(atom) = atoms.iter().find(|atom| {
            // A symbol with a subscript, such as `cal_th`, is a symbol too.
            atom.metric && (rest.len() <= 4 || rest.contains('_')) && atom.symbols.contains(&rest)
        }) {
            let unit = unit_of(atom)?;
            let scale = Rational::power_of_ten(exponent).ok_or(UnitProblem::OutOfRange)?;
            return Ok(Some(Unit {
                dimension: unit.dimension,
                factor: unit
                    .factor
                    .checked_mul(scale)
                    .ok_or(UnitProblem::OutOfRange)?,
                offset: Rational::ZERO,
            }));
        }
    }
    Ok(None)
}

/// Converts `value`, given in `unit`, to base units.
pub fn to_base(value: Rational, unit: &Unit) -> Option<Rational> {
    value.checked_mul(unit.factor)?.checked_add(unit.offset)
}

/// Converts `base`, in base units, to a value in `unit`.
pub fn from_base(base: Rational, unit: &Unit) -> Option<Rational> {
    base.checked_sub(unit.offset)?.checked_div(unit.factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> Unit {
        parse_unit(text).unwrap()
    }

    fn in_base(number: &str, unit_text: &str) -> Rational {
        to_base(Rational::parse_decimal(number).unwrap(), &unit(unit_text)).unwrap()
    }

    #[test]
    fn frequent_units_read_as_parsed() {
        for (text, unit) in frequent_units() {
            assert_eq!(parse_unit(text).as_ref(), Ok(unit), "{text}");
        }
        assert!(frequent_units().len() > 40);
        assert_eq!(parse_unit_often_used(" mg/dL "), parse_unit("mg/dL"));
        assert!(parse_unit_often_used("mg/dLx").is_err());
    }

    #[test]
    fn mass_concentrations_convert_exactly() {
        // UCUM: 1 mg/dL = 10 mg/L = 0.01 g/L.
        assert_eq!(in_base("1", "mg/dL"), in_base("0.01", "g/L"));
        assert_eq!(in_base("3.5", "ug/dL"), in_base("35", "ug/L"));
        assert_eq!(in_base("3.5", "ug/dL"), in_base("0.035", "mg/L"));
        assert_eq!(in_base("3.5", "mcg/dL"), in_base("3.5", "µg/dL"));
        assert_eq!(in_base("3.5", "μg/dL"), in_base("3.5", "ug/dL"));
        assert_eq!(unit("ug/dL").dimension, unit("g/L").dimension);
    }

    #[test]
    fn months_and_years_convert_exactly() {
        assert_eq!(in_base("18", "months"), in_base("1.5", "years"));
        assert_eq!(in_base("12", "mo"), in_base("1", "a"));
        assert_eq!(in_base("1", "wk"), in_base("7", "d"));
        // UCUM's month is 30.4375 days.
        assert_eq!(in_base("1", "mo"), in_base("30.4375", "days"));
    }

    #[test]
    fn counts_per_volume_and_pressure_read() {
        assert_eq!(in_base("1", "10*9/L"), in_base("1000", "/mm3"));
        assert_eq!(in_base("1", "10^9/L"), in_base("1", "10*9/L"));
        assert_eq!(in_base("760", "mm[Hg]"), in_base("101.32472", "kPa"));
        assert_eq!(
            unit("U/L").dimension.describe(),
            "an enzyme activity concentration"
        );
        assert_eq!(unit("ug/dL").dimension.describe(), "a mass concentration");
        assert_eq!(
            unit("umol/L").dimension.describe(),
            "a substance concentration"
        );
    }

    #[test]
    fn enzyme_activity_is_not_a_mass_concentration() {
        assert_ne!(unit("U/L").dimension, unit("ug/dL").dimension);
        assert_ne!(unit("umol/L").dimension, unit("ug/dL").dimension);
    }

    #[test]
    fn unknown_units_get_suggestions() {
        assert_eq!(in_base("1", "mg/dl"), in_base("1", "mg/dL"));
        assert_eq!(
            parse_unit("mg/dk"),
            Err(UnitProblem::Unknown {
                part: "dk".to_owned(),
                suggestion: Some("mg/dL".to_owned())
            })
        );
        assert!(
            matches!(parse_unit("moths"), Err(UnitProblem::Unknown { suggestion: Some(s), .. }) if s == "months")
        );
        assert_eq!(parse_unit("Cel/h"), Err(UnitProblem::OffsetTemperature));
    }
}
