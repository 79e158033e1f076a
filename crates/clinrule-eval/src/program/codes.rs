//! Codes: how a value becomes its place among a fact's thresholds, and how
//! a test on codes is answered. The compiler, the runner and the fast reader
//! share these, so none of them imports another.

use crate::case::{Slot, Value};

use super::{Coded, Coding, FALSE, MemberList, TRUE, UNKNOWN};

/// The code of a value a case gives a fact.
pub(super) fn code_value(coding: &Coding, value: &Value) -> Coded {
    use crate::case::ValueKind;
    match (&value.kind, coding) {
        (ValueKind::YesNo(answer), _) => Coded::exact(if *answer { 3 } else { 1 }),
        (ValueKind::Code(code), _) => Coded::exact(code_of_position(*code)),
        (ValueKind::Number(number), _) => coding.number(*number),
        (ValueKind::Quantity { base, .. }, _) => coding.number(*base),
        (ValueKind::Date { low, high }, _) => coding.dates(*low, *high),
        (ValueKind::Text(_), _) => Coded::exact(1),
    }
}

/// The code of a slot's value for what a case says of it.
pub(super) fn code_slot(coding: &Coding, absent_means_no: bool, slot: &Slot) -> Coded {
    match slot {
        Slot::Given(value) => code_value(coding, value),
        Slot::Absent if absent_means_no => Coded::exact(1),
        Slot::Absent | Slot::Unknown | Slot::SetAside { .. } => Coded::UNKNOWN,
    }
}

/// The code of the value at `position` in a set.
pub(super) fn code_of_position(position: usize) -> u32 {
    u32::try_from(position)
        .ok()
        .and_then(|position| position.checked_mul(2))
        .and_then(|double| double.checked_add(1))
        .unwrap_or(u32::MAX - 1)
}

/// Whether a code slot's value is in a list (or, negated, is not).
#[inline]
pub(super) fn member(value: Coded, list: MemberList, tables: &[bool]) -> u8 {
    if value.low != value.high || value.low.is_multiple_of(2) {
        return UNKNOWN;
    }
    let position = value.low / 2;
    let listed = position < list.len
        && tables
            .get((list.table + position) as usize)
            .copied()
            .unwrap_or(false);
    if listed != list.negated { TRUE } else { FALSE }
}

/// Whether a slot's codes lie within `low..high`: true when every code it
/// may have does, false when none does, unknown otherwise; negated when
/// asked. Without a branch: at most one of the two conditions holds, and
/// negation swaps them.
#[inline(always)]
pub(super) fn within(value: Coded, low: u32, high: u32, negate: bool) -> u8 {
    let inside = u8::from(value.low >= low && value.high < high);
    let outside = u8::from(value.high < low || value.low >= high);
    let swap = (inside ^ outside) & u8::from(negate);
    1 + (inside ^ swap) - (outside ^ swap)
}
