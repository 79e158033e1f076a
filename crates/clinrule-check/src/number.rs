//! Exact rational numbers for thresholds, measurements and unit conversions.
//!
//! Clinical thresholds are published as decimals (`3.5 ug/dL`) and unit
//! factors are powers of ten or exact ratios (a month is a twelfth of a
//! Julian year). Binary floating point cannot hold `0.035` exactly, so a
//! comparison at a published boundary could go the wrong way. Every number
//! here is a fraction of two 128-bit integers in lowest terms, and every
//! comparison is exact. An operation whose result does not fit reports it
//! instead of rounding.

use std::cmp::Ordering;
use std::fmt;

/// An exact fraction `numerator / denominator`, in lowest terms, with a
/// positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    numerator: i128,
    denominator: i128,
}

/// Why a decimal number could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberProblem {
    /// The text is not a decimal number.
    Malformed,
    /// The number has too many digits or too large an exponent to be held exactly.
    OutOfRange,
}

fn greatest_common_divisor(mut left: i128, mut right: i128) -> i128 {
    left = left.checked_abs().unwrap_or(i128::MAX);
    right = right.checked_abs().unwrap_or(i128::MAX);
    // Clinical numbers are small: 64-bit division is many times faster than
    // 128-bit division, and gives the same divisor.
    if let (Ok(mut small_left), Ok(mut small_right)) = (u64::try_from(left), u64::try_from(right)) {
        while small_right != 0 {
            let remainder = small_left % small_right;
            small_left = small_right;
            small_right = remainder;
        }
        return i128::from(small_left);
    }
    while right != 0 {
        let remainder = left % right;
        left = right;
        right = remainder;
    }
    left
}

/// `value / divisor` for a divisor that is not zero, in 64 bits when both fit.
fn quotient(value: i128, divisor: i128) -> i128 {
    match (i64::try_from(value), i64::try_from(divisor)) {
        (Ok(value), Ok(divisor)) if divisor != 0 && !(value == i64::MIN && divisor == -1) => {
            i128::from(value / divisor)
        }
        _ => value.checked_div(divisor).unwrap_or(0),
    }
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational {
        numerator: 0,
        denominator: 1,
    };
    /// One.
    pub const ONE: Rational = Rational {
        numerator: 1,
        denominator: 1,
    };

    /// The fraction `numerator / denominator`, or `None` if the denominator is zero
    /// or a part is the one value that has no negation.
    pub fn new(numerator: i128, denominator: i128) -> Option<Rational> {
        if denominator == 0 || numerator == i128::MIN || denominator == i128::MIN {
            return None;
        }
        let divisor = greatest_common_divisor(numerator, denominator).max(1);
        let (mut numerator, mut denominator) = if divisor == 1 {
            (numerator, denominator)
        } else {
            (quotient(numerator, divisor), quotient(denominator, divisor))
        };
        if denominator < 0 {
            numerator = -numerator;
            denominator = -denominator;
        }
        Some(Rational {
            numerator,
            denominator,
        })
    }

    /// The whole number `value`.
    pub fn integer(value: i64) -> Rational {
        Rational {
            numerator: i128::from(value),
            denominator: 1,
        }
    }

    /// The numerator, in lowest terms.
    pub fn numerator(self) -> i128 {
        self.numerator
    }

    /// The denominator, in lowest terms, always positive.
    pub fn denominator(self) -> i128 {
        self.denominator
    }

    /// `10` to the power `exponent` (which may be negative), if it fits.
    pub fn power_of_ten(exponent: i32) -> Option<Rational> {
        let power = 10i128.checked_pow(exponent.unsigned_abs())?;
        if exponent >= 0 {
            Rational::new(power, 1)
        } else {
            Rational::new(1, power)
        }
    }

    /// Reads a decimal number: `3.5`, `-2`, `0.035`, `1.2e-3`.
    pub fn parse_decimal(text: &str) -> Result<Rational, NumberProblem> {
        let text = text.trim();
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => {
                let exponent_text = text.get(at + 1..).unwrap_or_default();
                let exponent_text = exponent_text.strip_prefix('+').unwrap_or(exponent_text);
                let exponent: i32 = exponent_text
                    .parse()
                    .map_err(|_| NumberProblem::Malformed)?;
                (text.get(..at).unwrap_or_default(), exponent)
            }
            None => (text, 0),
        };
        let (negative, mantissa) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, fraction) = match mantissa.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (mantissa, ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|byte| byte.is_ascii_digit())
        {
            return Err(NumberProblem::Malformed);
        }
        let fraction_digits =
            i32::try_from(fraction.len()).map_err(|_| NumberProblem::OutOfRange)?;
        let scale = exponent
            .checked_sub(fraction_digits)
            .ok_or(NumberProblem::OutOfRange)?;
        // Up to eighteen digits with a small scale, the usual clinical
        // value, fit in 64 bits: read them there and build the fraction once.
        if whole.len() + fraction.len() <= 18 && (-18..=18).contains(&scale) {
            let mut digits: i64 = 0;
            for byte in whole.bytes().chain(fraction.bytes()) {
                digits = digits * 10 + i64::from(byte - b'0');
            }
            if negative {
                digits = -digits;
            }
            let power = 10i128.pow(scale.unsigned_abs());
            let value = if scale >= 0 {
                i128::from(digits)
                    .checked_mul(power)
                    .and_then(|numerator| Rational::new(numerator, 1))
            } else {
                Rational::new(i128::from(digits), power)
            };
            return value.ok_or(NumberProblem::OutOfRange);
        }
        let mut numerator: i128 = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            numerator = numerator
                .checked_mul(10)
                .and_then(|value| value.checked_add(i128::from(byte - b'0')))
                .ok_or(NumberProblem::OutOfRange)?;
        }
        if negative {
            numerator = -numerator;
        }
        if scale.unsigned_abs() > 36 {
            return Err(NumberProblem::OutOfRange);
        }
        let value = Rational::new(numerator, 1).ok_or(NumberProblem::OutOfRange)?;
        let power = Rational::power_of_ten(scale).ok_or(NumberProblem::OutOfRange)?;
        value.checked_mul(power).ok_or(NumberProblem::OutOfRange)
    }

    /// The product, if it fits.
    pub fn checked_mul(self, other: Rational) -> Option<Rational> {
        // Cross-cancel first so that exact products of unit factors stay small.
        let left_divisor = greatest_common_divisor(self.numerator, other.denominator).max(1);
        let right_divisor = greatest_common_divisor(other.numerator, self.denominator).max(1);
        let numerator = quotient(self.numerator, left_divisor)
            .checked_mul(quotient(other.numerator, right_divisor))?;
        let denominator = quotient(self.denominator, right_divisor)
            .checked_mul(quotient(other.denominator, left_divisor))?;
        Rational::new(numerator, denominator)
    }

    /// The quotient, if the divisor is not zero and the result fits.
    pub fn checked_div(self, other: Rational) -> Option<Rational> {
        let inverse = Rational::new(other.denominator, other.numerator)?;
        self.checked_mul(inverse)
    }

    /// The sum, if it fits.
    pub fn checked_add(self, other: Rational) -> Option<Rational> {
        let divisor = greatest_common_divisor(self.denominator, other.denominator).max(1);
        let left_scale = quotient(other.denominator, divisor);
        let right_scale = quotient(self.denominator, divisor);
        let numerator = self
            .numerator
            .checked_mul(left_scale)?
            .checked_add(other.numerator.checked_mul(right_scale)?)?;
        let denominator = self.denominator.checked_mul(left_scale)?;
        Rational::new(numerator, denominator)
    }

    /// The difference, if it fits.
    pub fn checked_sub(self, other: Rational) -> Option<Rational> {
        self.checked_add(Rational::new(-other.numerator, other.denominator)?)
    }

    /// The nearest binary floating-point number, for display only.
    pub fn to_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// Whether the number is a whole number.
    pub fn is_integer(self) -> bool {
        self.denominator == 1
    }
}

impl Ord for Rational {
    /// Exact comparison. Fractions whose parts fit in 64 bits (every
    /// clinical value and threshold) compare by cross products, which then
    /// fit in 128 bits; any others by continued fractions, which never form
    /// a product and so never overflow.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        if self.denominator == other.denominator {
            return self.numerator.cmp(&other.numerator);
        }
        if let (
            Ok(left_numerator),
            Ok(left_denominator),
            Ok(right_numerator),
            Ok(right_denominator),
        ) = (
            i64::try_from(self.numerator),
            i64::try_from(self.denominator),
            i64::try_from(other.numerator),
            i64::try_from(other.denominator),
        ) {
            // Denominators are positive, so the order of the cross products
            // is the order of the fractions.
            return (i128::from(left_numerator) * i128::from(right_denominator))
                .cmp(&(i128::from(right_numerator) * i128::from(left_denominator)));
        }
        compare_by_continued_fractions(*self, *other)
    }
}

/// Exact comparison of any two fractions by continued fractions.
fn compare_by_continued_fractions(left: Rational, right: Rational) -> Ordering {
    let (mut left_numerator, mut left_denominator) = (left.numerator, left.denominator);
    let (mut right_numerator, mut right_denominator) = (right.numerator, right.denominator);
    let mut flipped = false;
    loop {
        let left_whole = left_numerator.div_euclid(left_denominator);
        let right_whole = right_numerator.div_euclid(right_denominator);
        if left_whole != right_whole {
            let order = left_whole.cmp(&right_whole);
            return if flipped { order.reverse() } else { order };
        }
        let left_rest = left_numerator.rem_euclid(left_denominator);
        let right_rest = right_numerator.rem_euclid(right_denominator);
        let order = match (left_rest == 0, right_rest == 0) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => {
                // a/b < c/d with both in (0, 1) exactly when b/a > d/c.
                (
                    left_numerator,
                    left_denominator,
                    right_numerator,
                    right_denominator,
                ) = (left_denominator, left_rest, right_denominator, right_rest);
                flipped = !flipped;
                continue;
            }
        };
        return if flipped { order.reverse() } else { order };
    }
}

impl PartialOrd for Rational {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Rational {
    /// Writes the number as a decimal: exactly when it terminates, otherwise
    /// cut after six decimal places.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denominator == 1 {
            return write!(formatter, "{}", self.numerator);
        }
        let mut rest = self.denominator;
        for factor in [2, 5] {
            while rest % factor == 0 {
                rest /= factor;
            }
        }
        let sign = if self.numerator < 0 { "-" } else { "" };
        let magnitude = self.numerator.unsigned_abs();
        let denominator = self.denominator.unsigned_abs();
        let whole = magnitude / denominator;
        let mut remainder = magnitude % denominator;
        let mut digits = String::new();
        let limit = if rest == 1 { 40 } else { 6 };
        while remainder != 0 && digits.len() < limit {
            remainder *= 10;
            digits.push(char::from(b'0' + (remainder / denominator) as u8));
            remainder %= denominator;
        }
        if rest != 1 {
            let trimmed = digits.trim_end_matches('0');
            return write!(formatter, "{sign}{whole}.{trimmed}");
        }
        write!(formatter, "{sign}{whole}.{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Rational {
        Rational::parse_decimal(text).unwrap()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal("3.5"), Rational::new(7, 2).unwrap());
        assert_eq!(decimal("0.035"), Rational::new(7, 200).unwrap());
        assert_eq!(decimal("-2"), Rational::integer(-2));
        assert_eq!(decimal("1.2e-3"), Rational::new(3, 2500).unwrap());
        assert_eq!(decimal("1E3"), Rational::integer(1000));
        assert_eq!(
            decimal("0.1").checked_add(decimal("0.2")),
            Some(decimal("0.3"))
        );
    }

    #[test]
    fn short_and_long_decimals_read_alike() {
        for (short, long) in [
            ("3.5", "3.500000000000000000000"),
            ("-0.035", "-0.03500000000000000000000"),
            ("12e3", "12000.0000000000000000000"),
            ("1.5e-20", "0.0000000000000000000150000"),
            ("999999999999999999", "999999999999999999.0000000000000"),
        ] {
            assert_eq!(decimal(short), decimal(long), "{short} and {long}");
        }
        assert_eq!(decimal("0.000"), Rational::ZERO);
        assert_eq!(decimal("-0"), Rational::ZERO);
    }

    #[test]
    fn malformed_and_huge_numbers_are_refused() {
        assert_eq!(
            Rational::parse_decimal("abc"),
            Err(NumberProblem::Malformed)
        );
        assert_eq!(Rational::parse_decimal("."), Err(NumberProblem::Malformed));
        assert_eq!(Rational::parse_decimal("1e"), Err(NumberProblem::Malformed));
        assert_eq!(
            Rational::parse_decimal("1e400"),
            Err(NumberProblem::OutOfRange)
        );
        assert_eq!(
            Rational::parse_decimal("123456789012345678901234567890123456789012"),
            Err(NumberProblem::OutOfRange)
        );
    }

    #[test]
    fn comparison_is_exact_and_never_overflows() {
        assert!(decimal("3.5") > decimal("3.4999999999999999999"));
        assert_eq!(decimal("3.5").cmp(&decimal("3.50")), Ordering::Equal);
        assert!(decimal("-1.5") < decimal("-1.25"));
        let huge = Rational::new(i128::MAX - 1, 3).unwrap();
        let near = Rational::new(i128::MAX - 2, 3).unwrap();
        assert!(huge > near);
        let tiny = Rational::new(1, i128::MAX - 1).unwrap();
        let tinier = Rational::new(1, i128::MAX - 2).unwrap();
        assert!(tiny < tinier);
    }

    #[test]
    fn both_ways_of_comparing_agree() {
        // Small fractions take the cross-product path; the continued
        // fractions must order them the same way.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            i128::from((state % 20_001) as i64 - 10_000)
        };
        for _ in 0..20_000 {
            let left = Rational::new(next(), next().abs().max(1)).unwrap();
            let right = Rational::new(next(), next().abs().max(1)).unwrap();
            assert_eq!(
                left.cmp(&right),
                compare_by_continued_fractions(left, right),
                "{left} against {right}"
            );
        }
        let wide = Rational::new(i128::from(i64::MAX) * 4 + 1, 3).unwrap();
        let narrow = Rational::new(7, 2).unwrap();
        assert_eq!(wide.cmp(&narrow), Ordering::Greater);
        assert_eq!(narrow.cmp(&wide), Ordering::Less);
    }

    #[test]
    fn arithmetic_in_64_and_128_bits_agrees() {
        let big = Rational::new(i128::from(i64::MAX) * 6, 4).unwrap();
        assert_eq!(big.numerator(), i128::from(i64::MAX) * 3);
        assert_eq!(big.denominator(), 2);
        let small = Rational::new(-18, 12).unwrap();
        assert_eq!((small.numerator(), small.denominator()), (-3, 2));
        assert_eq!(
            decimal("2.5").checked_mul(decimal("0.4")),
            Some(Rational::ONE)
        );
        assert_eq!(
            Rational::new(i128::from(i64::MIN), -1).map(|value| value.numerator()),
            Some(-i128::from(i64::MIN))
        );
    }

    #[test]
    fn display_writes_decimals() {
        assert_eq!(decimal("3.5").to_string(), "3.5");
        assert_eq!(decimal("-0.035").to_string(), "-0.035");
        assert_eq!(Rational::new(1, 3).unwrap().to_string(), "0.333333");
        assert_eq!(Rational::integer(12).to_string(), "12");
    }
}
