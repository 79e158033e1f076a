//! Values during evaluation: exact, a range of possible values, or unknown.
//!
//! A value that is not fully known is kept as honestly as it can be: a
//! score with missing inputs is the range from its lowest to its highest
//! possible total, a partial birth date is the range of days it allows, and
//! a comparison is decided only when every value in the range gives the same
//! answer.

use clinrule_check::number::Rational;
use clinrule_syntax::ast::{ArithOp, CompareOp, Date, RoundMode};

/// Seconds in UCUM's month (a twelfth of a Julian year).
pub const SECONDS_PER_MONTH: i128 = 2_629_800;
/// Seconds in a day.
pub const SECONDS_PER_DAY: i128 = 86_400;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// Nothing is known.
    Unknown,
    /// True or false.
    Bool(bool),
    /// A number in base units, somewhere from `low` to `high` inclusive
    /// (the same when exact).
    Num(Rational, Rational),
    /// A date, somewhere from the first to the second inclusive.
    Date(Date, Date),
    /// A code, by position in its set.
    Code(usize),
    /// Free text: known, but never compared.
    Text,
    /// The total or band of a score that does not apply to the patient:
    /// known to have no value. Only `!=` and `not in` hold for it.
    NotApplicable,
    /// An age counted by the calendar from a birth date (possibly a range of
    /// days) to the case's `as_of` date.
    Age {
        /// The earliest possible birth date.
        born_low: Date,
        /// The latest possible birth date.
        born_high: Date,
        /// The date the age is counted to.
        as_of: Date,
    },
}

/// A truth value in Kleene's three-valued logic: unknown is neither true nor false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// Known to hold.
    True,
    /// Known not to hold.
    False,
    /// Cannot be decided from the case.
    Unknown,
}

impl Truth {
    /// The word used in results.
    pub fn word(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
        }
    }

    /// Kleene conjunction: false if any part is false, else unknown if any is unknown.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction: true if any part is true, else unknown if any is unknown.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    /// The truth of a plain boolean.
    pub fn from_bool(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Kleene negation: `not unknown` is unknown.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl Val {
    /// The truth of a yes/no value.
    pub fn truth(&self) -> Truth {
        match self {
            Val::Bool(value) => Truth::from_bool(*value),
            _ => Truth::Unknown,
        }
    }

    /// A yes/no value from a truth.
    pub fn from_truth(truth: Truth) -> Val {
        match truth {
            Truth::True => Val::Bool(true),
            Truth::False => Val::Bool(false),
            Truth::Unknown => Val::Unknown,
        }
    }

    /// An exact number.
    pub fn number(value: Rational) -> Val {
        Val::Num(value, value)
    }

    /// Whether the value is known exactly: not unknown and not a range.
    pub fn is_exact(&self) -> bool {
        match self {
            Val::Unknown => false,
            Val::Num(low, high) => low == high,
            Val::Date(low, high) => low == high,
            Val::Age {
                born_low,
                born_high,
                ..
            } => born_low == born_high,
            Val::Bool(_) | Val::Code(_) | Val::Text | Val::NotApplicable => true,
        }
    }

    /// Whether anything is known of the value.
    pub fn is_known(&self) -> bool {
        !matches!(self, Val::Unknown)
    }

    /// An age as a range of seconds, counting whole days by the calendar.
    fn age_seconds(born_low: Date, born_high: Date, as_of: Date) -> Option<(Rational, Rational)> {
        let youngest = as_of.days_since_epoch() - born_high.days_since_epoch();
        let oldest = as_of.days_since_epoch() - born_low.days_since_epoch();
        let seconds = |days: i64| Rational::new(i128::from(days).checked_mul(SECONDS_PER_DAY)?, 1);
        Some((seconds(youngest)?, seconds(oldest)?))
    }

    /// The value as a number range, for arithmetic: ages become seconds.
    pub fn as_numbers(&self) -> Option<(Rational, Rational)> {
        match self {
            Val::Num(low, high) => Some((*low, *high)),
            Val::Age {
                born_low,
                born_high,
                as_of,
            } => Val::age_seconds(*born_low, *born_high, *as_of),
            _ => None,
        }
    }
}

/// Compares two ranges: true when every pair of values satisfies `op`, false
/// when none does, unknown otherwise.
fn compare_ranges<T: Ord + Copy>(op: CompareOp, left: (T, T), right: (T, T)) -> Truth {
    let (left_low, left_high) = left;
    let (right_low, right_high) = right;
    let exactly_equal = left_low == left_high && right_low == right_high && left_low == right_low;
    let apart = left_high < right_low || left_low > right_high;
    match op {
        CompareOp::Less => decide(left_high < right_low, left_low >= right_high),
        CompareOp::LessOrEqual => decide(left_high <= right_low, left_low > right_high),
        CompareOp::Greater => decide(left_low > right_high, left_high <= right_low),
        CompareOp::GreaterOrEqual => decide(left_low >= right_high, left_high < right_low),
        CompareOp::Equal => decide(exactly_equal, apart),
        CompareOp::NotEqual => decide(apart, exactly_equal),
    }
}

fn decide(surely: bool, surely_not: bool) -> Truth {
    if surely {
        Truth::True
    } else if surely_not {
        Truth::False
    } else {
        Truth::Unknown
    }
}

/// Compares two values with `op`.
pub fn compare(op: CompareOp, left: &Val, right: &Val) -> Truth {
    match (left, right) {
        // A score that does not apply has no total: it equals nothing and
        // is above or below nothing.
        (Val::NotApplicable, _) | (_, Val::NotApplicable) => {
            Truth::from_bool(op == CompareOp::NotEqual)
        }
        (Val::Unknown, _) | (_, Val::Unknown) => Truth::Unknown,
        (Val::Bool(left), Val::Bool(right)) => compare_ranges(op, (*left, *left), (*right, *right)),
        (Val::Code(left), Val::Code(right)) => compare_ranges(op, (*left, *left), (*right, *right)),
        (Val::Date(left_low, left_high), Val::Date(right_low, right_high)) => {
            compare_ranges(op, (*left_low, *left_high), (*right_low, *right_high))
        }
        (
            Val::Age {
                born_low,
                born_high,
                as_of,
            },
            Val::Num(threshold_low, threshold_high),
        ) => compare_age(
            op,
            (*born_low, *born_high),
            *as_of,
            (*threshold_low, *threshold_high),
        ),
        (Val::Num(..), Val::Age { .. }) => compare(flip(op), right, left),
        _ => match (left.as_numbers(), right.as_numbers()) {
            (Some(left), Some(right)) => compare_ranges(op, left, right),
            _ => Truth::Unknown,
        },
    }
}

/// The operator with its sides swapped: `a < b` is `b > a`.
pub fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Less => CompareOp::Greater,
        CompareOp::LessOrEqual => CompareOp::GreaterOrEqual,
        CompareOp::Greater => CompareOp::Less,
        CompareOp::GreaterOrEqual => CompareOp::LessOrEqual,
        CompareOp::Equal => CompareOp::Equal,
        CompareOp::NotEqual => CompareOp::NotEqual,
    }
}

/// Compares an age counted by the calendar with a threshold.
///
/// A threshold in whole months (or years) is a birthday: the child is at
/// least 24 months old on the day the calendar reaches the same day of the
/// month 24 months after birth. A threshold in whole days (or weeks) counts
/// days. Anything else compares the age in seconds, counting whole days.
fn compare_age(
    op: CompareOp,
    born: (Date, Date),
    as_of: Date,
    threshold: (Rational, Rational),
) -> Truth {
    let (threshold_low, threshold_high) = threshold;
    if threshold_low == threshold_high && threshold_low.is_integer() {
        let seconds = threshold_low.numerator();
        let shift = |date: Date| -> Option<Date> {
            if seconds % SECONDS_PER_MONTH == 0 {
                date.add_months(i64::try_from(seconds / SECONDS_PER_MONTH).ok()?)
            } else if seconds % SECONDS_PER_DAY == 0 {
                date.add_days(i64::try_from(seconds / SECONDS_PER_DAY).ok()?)
            } else {
                None
            }
        };
        if let (Some(earliest), Some(latest)) = (shift(born.0), shift(born.1)) {
            // The age reaches the threshold on that day: age op threshold
            // exactly when as_of op that day.
            return compare_ranges(op, (as_of, as_of), (earliest, latest));
        }
    }
    match Val::age_seconds(born.0, born.1, as_of) {
        Some(age) => compare_ranges(op, age, threshold),
        None => Truth::Unknown,
    }
}

/// Arithmetic over values, with ranges carried through.
pub fn arithmetic(op: ArithOp, left: &Val, right: &Val) -> Val {
    match (left, right) {
        (Val::NotApplicable, _) | (_, Val::NotApplicable) => Val::NotApplicable,
        (Val::Unknown, _) | (_, Val::Unknown) => Val::Unknown,
        (Val::Date(low, high), Val::Num(..)) | (Val::Num(..), Val::Date(low, high)) => {
            let amount = if matches!(left, Val::Date(..)) {
                right
            } else {
                left
            };
            let Some((amount_low, amount_high)) = amount.as_numbers() else {
                return Val::Unknown;
            };
            let sign = if op == ArithOp::Subtract { -1 } else { 1 };
            match (
                shift_date(*low, amount_low, sign),
                shift_date(*high, amount_high, sign),
            ) {
                (Some(first), Some(second)) => Val::Date(first.min(second), first.max(second)),
                _ => Val::Unknown,
            }
        }
        (Val::Date(left_low, left_high), Val::Date(right_low, right_high))
            if op == ArithOp::Subtract =>
        {
            let days = |later: Date, earlier: Date| {
                Rational::new(
                    i128::from(later.days_since_epoch() - earlier.days_since_epoch())
                        .checked_mul(SECONDS_PER_DAY)?,
                    1,
                )
            };
            match (days(*left_low, *right_high), days(*left_high, *right_low)) {
                (Some(low), Some(high)) => Val::Num(low, high),
                _ => Val::Unknown,
            }
        }
        _ => match (left.as_numbers(), right.as_numbers()) {
            (Some(left), Some(right)) => range_arithmetic(op, left, right)
                .map_or(Val::Unknown, |(low, high)| Val::Num(low, high)),
            _ => Val::Unknown,
        },
    }
}

/// `value` rounded to a multiple of `step` counted from `origin`: to the
/// nearest (a half away from the origin), down or up; exact on decimals.
/// `None` when the numbers are too large to hold.
pub fn round_to(
    value: Rational,
    mode: RoundMode,
    step: Rational,
    origin: Rational,
) -> Option<Rational> {
    let steps = value.checked_sub(origin)?.checked_div(step)?;
    let (numerator, denominator) = (steps.numerator(), steps.denominator());
    let floor = numerator.div_euclid(denominator);
    let remainder = numerator.rem_euclid(denominator);
    let whole = match mode {
        RoundMode::Down => floor,
        RoundMode::Up if remainder == 0 => floor,
        RoundMode::Up => floor.checked_add(1)?,
        // Twice the remainder against the denominator: above a half, or a
        // half exactly on the positive side, rounds up; a half on the
        // negative side rounds down, away from the origin.
        RoundMode::Nearest => {
            let twice = remainder.checked_mul(2)?;
            if twice > denominator || (twice == denominator && numerator >= 0) {
                floor.checked_add(1)?
            } else {
                floor
            }
        }
    };
    Rational::new(whole, 1)?
        .checked_mul(step)?
        .checked_add(origin)
}

/// A value rounded: a range is rounded at both ends, since rounding never
/// changes the order of two values.
pub fn round_value(value: &Val, mode: RoundMode, step: Rational, origin: Rational) -> Val {
    match value {
        Val::NotApplicable => Val::NotApplicable,
        Val::Num(low, high) => match (
            round_to(*low, mode, step, origin),
            round_to(*high, mode, step, origin),
        ) {
            (Some(low), Some(high)) => Val::Num(low, high),
            _ => Val::Unknown,
        },
        _ => Val::Unknown,
    }
}

/// Moves a date by a time: by calendar months when the time is whole
/// months, by days when it is whole days.
fn shift_date(date: Date, seconds: Rational, sign: i64) -> Option<Date> {
    if !seconds.is_integer() {
        return None;
    }
    let seconds = seconds.numerator();
    if seconds % SECONDS_PER_MONTH == 0 {
        date.add_months(
            i64::try_from(seconds / SECONDS_PER_MONTH)
                .ok()?
                .checked_mul(sign)?,
        )
    } else if seconds % SECONDS_PER_DAY == 0 {
        date.add_days(
            i64::try_from(seconds / SECONDS_PER_DAY)
                .ok()?
                .checked_mul(sign)?,
        )
    } else {
        None
    }
}

/// Interval arithmetic: the range of every result of an operand from each range.
fn range_arithmetic(
    op: ArithOp,
    left: (Rational, Rational),
    right: (Rational, Rational),
) -> Option<(Rational, Rational)> {
    let (a, b) = left;
    let (c, d) = right;
    match op {
        ArithOp::Add => Some((a.checked_add(c)?, b.checked_add(d)?)),
        ArithOp::Subtract => Some((a.checked_sub(d)?, b.checked_sub(c)?)),
        ArithOp::Multiply => extremes([
            a.checked_mul(c)?,
            a.checked_mul(d)?,
            b.checked_mul(c)?,
            b.checked_mul(d)?,
        ]),
        ArithOp::Divide => {
            // A divisor that may be zero leaves the quotient unknown.
            if c <= Rational::ZERO && d >= Rational::ZERO {
                return None;
            }
            extremes([
                a.checked_div(c)?,
                a.checked_div(d)?,
                b.checked_div(c)?,
                b.checked_div(d)?,
            ])
        }
    }
}

fn extremes(values: [Rational; 4]) -> Option<(Rational, Rational)> {
    let low = values.iter().min()?;
    let high = values.iter().max()?;
    Some((*low, *high))
}

#[cfg(test)]
mod tests {
    use super::Truth::{False, True, Unknown};
    use super::*;

    const ALL: [Truth; 3] = [True, False, Unknown];

    fn number(value: i64) -> Rational {
        Rational::integer(value)
    }

    fn range(low: i64, high: i64) -> Val {
        Val::Num(number(low), number(high))
    }

    #[test]
    fn kleene_truth_tables() {
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(!Unknown, Unknown);
        for left in ALL {
            assert_eq!(!!left, left);
            for right in ALL {
                assert_eq!(left.and(right), right.and(left));
                assert_eq!(left.or(right), right.or(left));
                // De Morgan holds in Kleene logic.
                assert_eq!(!left.and(right), (!left).or(!right));
                for third in ALL {
                    assert_eq!(left.and(right).and(third), left.and(right.and(third)));
                    assert_eq!(
                        left.or(right.and(third)),
                        left.or(right).and(left.or(third))
                    );
                }
            }
        }
    }

    #[test]
    fn ranges_decide_only_when_every_value_agrees() {
        let threshold = Val::number(number(4));
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &range(5, 7), &threshold),
            True
        );
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &range(1, 3), &threshold),
            False
        );
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &range(3, 5), &threshold),
            Unknown
        );
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &range(4, 5), &threshold),
            True
        );
        assert_eq!(compare(CompareOp::Less, &range(4, 5), &threshold), False);
        assert_eq!(compare(CompareOp::Equal, &range(4, 4), &threshold), True);
        assert_eq!(compare(CompareOp::Equal, &range(3, 5), &threshold), Unknown);
        assert_eq!(compare(CompareOp::Equal, &range(5, 6), &threshold), False);
        assert_eq!(compare(CompareOp::NotEqual, &range(5, 6), &threshold), True);
        assert_eq!(compare(CompareOp::Less, &Val::Unknown, &threshold), Unknown);
    }

    #[test]
    fn interval_arithmetic_covers_every_result() {
        assert_eq!(
            arithmetic(ArithOp::Add, &range(1, 2), &range(10, 20)),
            range(11, 22)
        );
        assert_eq!(
            arithmetic(ArithOp::Subtract, &range(1, 2), &range(10, 20)),
            range(-19, -8)
        );
        assert_eq!(
            arithmetic(ArithOp::Multiply, &range(-1, 2), &range(3, 4)),
            range(-4, 8)
        );
        assert_eq!(
            arithmetic(ArithOp::Divide, &range(1, 2), &range(-1, 1)),
            Val::Unknown
        );
    }

    #[test]
    fn rounding_is_exact_and_as_documented() {
        let decimal = |text: &str| Rational::parse_decimal(text).expect("a decimal");
        let round = |value: &str, mode: RoundMode, step: &str| {
            round_to(decimal(value), mode, decimal(step), Rational::ZERO)
                .map(|rounded| rounded.to_string())
        };
        // To the nearest, a half away from zero.
        assert_eq!(
            round("6.45", RoundMode::Nearest, "0.1").as_deref(),
            Some("6.5")
        );
        assert_eq!(
            round("6.449", RoundMode::Nearest, "0.1").as_deref(),
            Some("6.4")
        );
        assert_eq!(
            round("-6.45", RoundMode::Nearest, "0.1").as_deref(),
            Some("-6.5")
        );
        assert_eq!(
            round("-6.44", RoundMode::Nearest, "0.1").as_deref(),
            Some("-6.4")
        );
        assert_eq!(round("2.5", RoundMode::Nearest, "1").as_deref(), Some("3"));
        // Down and up.
        assert_eq!(round("6.99", RoundMode::Down, "1").as_deref(), Some("6"));
        assert_eq!(round("-6.01", RoundMode::Down, "1").as_deref(), Some("-7"));
        assert_eq!(round("6.01", RoundMode::Up, "1").as_deref(), Some("7"));
        assert_eq!(round("7", RoundMode::Up, "1").as_deref(), Some("7"));
        // A step that is not a power of ten.
        assert_eq!(
            round("7.3", RoundMode::Nearest, "0.5").as_deref(),
            Some("7.5")
        );
        // From an origin: 37.25 Cel to 0.1 Cel, held in kelvin.
        let kelvin = decimal("310.4");
        assert_eq!(
            round_to(
                kelvin,
                RoundMode::Nearest,
                decimal("0.1"),
                decimal("273.15")
            )
            .map(|rounded| rounded.to_string())
            .as_deref(),
            Some("310.45")
        );
    }

    #[test]
    fn ages_follow_the_calendar() {
        let date = |text: &str| Date::parse(text).unwrap();
        let age = |born: &str, as_of: &str| Val::Age {
            born_low: date(born),
            born_high: date(born),
            as_of: date(as_of),
        };
        let months = |count: i64| Val::number(Rational::integer(count * 2_629_800));
        // Two years old on the second birthday, not the day before.
        assert_eq!(
            compare(
                CompareOp::GreaterOrEqual,
                &age("2022-03-15", "2024-03-15"),
                &months(24)
            ),
            True
        );
        assert_eq!(
            compare(
                CompareOp::GreaterOrEqual,
                &age("2022-03-15", "2024-03-14"),
                &months(24)
            ),
            False
        );
        // Born on a leap day: the first birthday is 28 February.
        assert_eq!(
            compare(
                CompareOp::GreaterOrEqual,
                &age("2020-02-29", "2021-02-28"),
                &months(12)
            ),
            True
        );
        assert_eq!(
            compare(
                CompareOp::GreaterOrEqual,
                &age("2020-02-29", "2021-02-27"),
                &months(12)
            ),
            False
        );
        // A birth month only: undecided within the month of the birthday.
        let partial = Val::Age {
            born_low: date("2022-05-01"),
            born_high: date("2022-05-31"),
            as_of: date("2024-05-15"),
        };
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &partial, &months(24)),
            Unknown
        );
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &partial, &months(36)),
            False
        );
        assert_eq!(
            compare(CompareOp::GreaterOrEqual, &partial, &months(12)),
            True
        );
    }
}
