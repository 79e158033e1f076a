//! The fast case reader: a case in the usual form (plain values of
//! declared facts) read straight into coded slots, without building a
//! syntax tree, strings or fractions that evaluation would not use.
//!
//! It takes a strict subset of what [`Case::from_json`] reads and declines
//! everything else: escapes in strings, unknown or repeated keys, `as_of`,
//! `expect`, values of the wrong type, unknown units. A declined case goes
//! through [`Case::from_json`], which reads it in full or reports every
//! problem, so the fast reader never decides what a case means on its own:
//! for the cases it takes, it gives the same codes as reading the case in
//! full and coding it, which `tests/program.rs` checks on generated cases.
//!
//! [`Case::from_json`]: crate::Case::from_json

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{FactIndex, FactType};
use clinrule_check::number::Rational;

use super::codes::code_of_position;
use super::{Coded, CodedCase, Coding, Plan};
use crate::case::{case_unit, conversion_for, partial_date, split_measurement, to_fact_base};

/// What the fast reader did with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastRead {
    /// The case was read into coded slots.
    Read,
    /// The case needs the full reader: it has something the fast reader
    /// leaves to it, or a problem.
    Declined,
}

/// Fact names by hash, for finding a case's keys without a general map.
#[derive(Debug, Clone)]
pub(super) struct NameTable {
    /// Open addressing: `(hash, fact + 1)`, 0 for an empty place.
    places: Vec<(u64, u32)>,
    mask: usize,
}

/// FNV-1a: short keys hash in a few nanoseconds.
use clinrule_syntax::hash::{FNV_START, fnv1a as hash, fnv1a_step};

impl NameTable {
    pub(super) fn new(rule_set: &CheckedRuleSet) -> NameTable {
        let size = (rule_set.facts().len() * 2).next_power_of_two().max(8);
        let mut table = NameTable {
            places: vec![(0, 0); size],
            mask: size - 1,
        };
        for (index, fact) in rule_set.facts().iter().enumerate() {
            let Ok(entry) = u32::try_from(index + 1) else {
                continue;
            };
            let key = hash(fact.name.as_bytes());
            let mut at = (key as usize) & table.mask;
            while table.places.get(at).is_some_and(|(_, fact)| *fact != 0) {
                at = (at + 1) & table.mask;
            }
            if let Some(place) = table.places.get_mut(at) {
                *place = (key, entry);
            }
        }
        table
    }

    /// The fact with this name, whose hash the reader found while reading it.
    fn find(&self, rule_set: &CheckedRuleSet, name: &str, key: u64) -> Option<FactIndex> {
        let mut at = (key as usize) & self.mask;
        loop {
            let (stored, entry) = *self.places.get(at)?;
            if entry == 0 {
                return None;
            }
            if stored == key {
                let index = entry as usize - 1;
                if rule_set
                    .facts()
                    .get(index)
                    .is_some_and(|fact| fact.name.as_bytes() == name.as_bytes())
                {
                    return Some(index);
                }
            }
            at = (at + 1) & self.mask;
        }
    }
}

/// A position in the case's text.
struct Cursor<'text> {
    text: &'text str,
    bytes: &'text [u8],
    at: usize,
}

impl<'text> Cursor<'text> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        (self.bytes.get(self.at..self.at + word.len()) == Some(word)).then(|| self.at += word.len())
    }

    /// A string without escapes or control characters.
    fn plain_string(&mut self) -> Option<&'text str> {
        self.eat(b'"')?;
        let start = self.at;
        let length = self
            .bytes
            .get(start..)?
            .iter()
            .position(|byte| matches!(byte, b'"' | b'\\' | 0..=0x1f))?;
        if self.bytes.get(start + length) != Some(&b'"') {
            return None;
        }
        self.at = start + length + 1;
        self.text.get(start..start + length)
    }

    /// A string without escapes or control characters, and its FNV-1a
    /// hash, computed as it is read.
    #[inline]
    fn plain_string_hashed(&mut self) -> Option<(&'text str, u64)> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.bytes.get(start..)?;
        let mut hash: u64 = FNV_START;
        for (offset, byte) in rest.iter().enumerate() {
            match byte {
                b'"' => {
                    let text = self.text.get(start..start + offset)?;
                    self.at = start + offset + 1;
                    return Some((text, hash));
                }
                b'\\' | 0..=0x1f => return None,
                _ => {
                    hash = fnv1a_step(hash, *byte);
                }
            }
        }
        None
    }

    /// A number in JSON's grammar, as written.
    fn number(&mut self) -> Option<&'text str> {
        let start = self.at;
        self.at = crate::json::scan_number(self.bytes, start).ok()?;
        self.text.get(start..self.at)
    }

    /// After a member of an object: `true` for a comma, `false` for the end.
    fn next_member(&mut self) -> Option<bool> {
        self.skip_space();
        match self.peek()? {
            b',' => {
                self.at += 1;
                self.skip_space();
                Some(true)
            }
            b'}' => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A key and its colon.
    fn key(&mut self) -> Option<&'text str> {
        self.hashed_key().map(|(key, _)| key)
    }

    /// A key, its hash, and its colon.
    #[inline]
    fn hashed_key(&mut self) -> Option<(&'text str, u64)> {
        let key = self.plain_string_hashed()?;
        self.skip_space();
        self.eat(b':')?;
        self.skip_space();
        Some(key)
    }
}

impl Plan {
    /// Reads a case into coded slots, or declines it.
    pub(super) fn read(
        &self,
        rule_set: &CheckedRuleSet,
        text: &str,
        coded: &mut CodedCase,
    ) -> super::FastRead {
        match self.read_case(rule_set, text, coded) {
            Some(()) => FastRead::Read,
            None => FastRead::Declined,
        }
    }

    fn read_case(
        &self,
        rule_set: &CheckedRuleSet,
        text: &str,
        coded: &mut CodedCase,
    ) -> Option<()> {
        let mut cursor = Cursor {
            text,
            bytes: text.as_bytes(),
            at: 0,
        };
        // Every fact starts absent: unknown, or no where absent means no.
        coded.slots.clear();
        coded
            .slots
            .extend(self.absent_means_no.iter().map(|absent_means_no| {
                if *absent_means_no {
                    Coded::exact(1)
                } else {
                    Coded::UNKNOWN
                }
            }));
        coded.seen.clear();
        coded.seen.resize(self.codings.len(), false);
        cursor.skip_space();
        cursor.eat(b'{')?;
        cursor.skip_space();
        let (mut saw_facts, mut saw_id, mut saw_description) = (false, false, false);
        loop {
            let key = cursor.key()?;
            let seen = match key {
                "facts" => {
                    self.read_facts(rule_set, &mut cursor, coded)?;
                    &mut saw_facts
                }
                "id" | "description" => {
                    if cursor.word(b"null").is_none() {
                        cursor.plain_string()?;
                    }
                    if key == "id" {
                        &mut saw_id
                    } else {
                        &mut saw_description
                    }
                }
                _ => return None,
            };
            if std::mem::replace(seen, true) {
                return None;
            }
            if !cursor.next_member()? {
                break;
            }
        }
        cursor.skip_space();
        (saw_facts && cursor.at == cursor.bytes.len()).then_some(())
    }

    fn read_facts(
        &self,
        rule_set: &CheckedRuleSet,
        cursor: &mut Cursor<'_>,
        coded: &mut CodedCase,
    ) -> Option<()> {
        cursor.eat(b'{')?;
        cursor.skip_space();
        if cursor.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let (name, key) = cursor.hashed_key()?;
            let index = self.names.find(rule_set, name, key)?;
            if std::mem::replace(coded.seen.get_mut(index)?, true) {
                return None;
            }
            let value = if cursor.word(b"null").is_some() {
                Coded::UNKNOWN
            } else {
                self.read_value(rule_set, index, cursor)?
            };
            *coded.slots.get_mut(index)? = value;
            if !cursor.next_member()? {
                return Some(());
            }
        }
    }

    /// One fact's value, by its declared type.
    fn read_value(
        &self,
        rule_set: &CheckedRuleSet,
        index: FactIndex,
        cursor: &mut Cursor<'_>,
    ) -> Option<Coded> {
        let fact = rule_set.facts().get(index)?;
        let coding = self.codings.get(index)?;
        match &fact.fact_type {
            FactType::YesNo => {
                if cursor.word(b"true").is_some() {
                    return Some(Coded::exact(3));
                }
                if cursor.word(b"false").is_some() {
                    return Some(Coded::exact(1));
                }
                match cursor.plain_string()? {
                    "yes" => Some(Coded::exact(3)),
                    "no" => Some(Coded::exact(1)),
                    _ => None,
                }
            }
            FactType::Number => {
                let number = decimal(cursor.number()?)?;
                if !plausible_number(fact, number) {
                    return None;
                }
                Some(coding.number(number))
            }
            FactType::Quantity { .. } | FactType::Age => {
                let (number, unit) = if cursor.peek() == Some(b'{') {
                    self.measurement_object(cursor)?
                } else {
                    let text = cursor.plain_string()?;
                    match split_plain_measurement(text) {
                        Some(parts) => parts,
                        None => split_measurement(text)?,
                    }
                };
                let number = decimal(number)?;
                // A negative measurement may be impossible: the full reader
                // says so.
                if number.numerator() < 0 && crate::case::may_be_impossible(fact) {
                    return None;
                }
                // In the fact's own unit, the value is placed among the
                // thresholds written in that unit, with no conversion.
                if let Some(Some(declared)) = self.declared.get(index)
                    && declared.unit_text == unit
                    && number.numerator().unsigned_abs() < 1 << 62
                    && number.denominator() < 1 << 62
                {
                    // Outside the plausible range: the full reader refuses it.
                    if let Some((low, high)) = declared.plausible
                        && !(low <= number && number <= high)
                    {
                        return None;
                    }
                    return Some(Coded::exact(super::place(&declared.thresholds, &number)));
                }
                let unit = case_unit(&fact.fact_type, unit).ok()?;
                let conversion = conversion_for(fact, &unit)?;
                let base = to_fact_base(number, &unit, conversion)?;
                if crate::case::impossible(fact, base).is_some() || !plausible_number(fact, base) {
                    return None;
                }
                Some(coding.number(base))
            }
            FactType::Date => {
                let (low, high) = partial_date(cursor.plain_string()?)?;
                if fact
                    .plausible
                    .as_ref()
                    .is_some_and(|range| !range.holds_dates(low, high))
                {
                    return None;
                }
                Some(coding.dates(low, high))
            }
            FactType::OneOf(codes) => {
                let code = cursor.plain_string()?;
                let position = codes.iter().position(|known| known == code)?;
                Some(Coded::exact(code_of_position(position)))
            }
            FactType::Text => {
                cursor.plain_string()?;
                Some(matches!(coding, Coding::Text).then_some(Coded::exact(1))?)
            }
        }
    }

    /// `{"value": 2.1, "unit": "ug/dL"}`, in either order, nothing else.
    fn measurement_object<'text>(
        &self,
        cursor: &mut Cursor<'text>,
    ) -> Option<(&'text str, &'text str)> {
        cursor.eat(b'{')?;
        cursor.skip_space();
        let mut number = None;
        let mut unit = None;
        loop {
            match cursor.key()? {
                "value" if number.is_none() => number = Some(cursor.number()?),
                "unit" if unit.is_none() => unit = Some(cursor.plain_string()?),
                _ => return None,
            }
            if !cursor.next_member()? {
                break;
            }
        }
        Some((number?, unit?))
    }
}

/// Reads a decimal as [`Rational::parse_decimal`] does: plain decimals
/// (`-12`, `99.5`) directly, anything else (exponents, a leading `+` or
/// `.`, many digits) by `parse_decimal` itself.
fn decimal(text: &str) -> Option<Rational> {
    plain_decimal(text.as_bytes()).or_else(|| Rational::parse_decimal(text).ok())
}

/// A decimal of at most eighteen digits, with an optional minus sign and
/// an optional fraction after a point.
fn plain_decimal(bytes: &[u8]) -> Option<Rational> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut value: i64 = 0;
    let mut count = 0usize;
    let mut fraction: Option<u32> = None;
    for byte in digits {
        match byte {
            b'0'..=b'9' => {
                count += 1;
                if count > 18 {
                    return None;
                }
                value = value * 10 + i64::from(byte - b'0');
                if let Some(places) = fraction.as_mut() {
                    *places += 1;
                }
            }
            b'.' if fraction.is_none() && count > 0 => fraction = Some(0),
            _ => return None,
        }
    }
    if count == 0 || fraction == Some(0) {
        return None;
    }
    if negative {
        value = -value;
    }
    match fraction {
        None => Some(Rational::integer(value)),
        Some(places) => Rational::new(i128::from(value), 10i128.pow(places)),
    }
}

/// Splits `"12 ug/dL"` as [`split_measurement`] does, for text of plain
/// ASCII (where the only blank a string can hold is the space); `None`
/// leaves the text to `split_measurement`.
fn split_plain_measurement(text: &str) -> Option<(&str, &str)> {
    if !text.is_ascii() {
        return None;
    }
    let trimmed = text.trim_matches(' ');
    let split = trimmed
        .bytes()
        .position(|byte| {
            !(byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b'+' | b'e' | b'E'))
        })
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim_matches(' ');
    if number.is_empty() || unit.is_empty() {
        return None;
    }
    // The number must read as a decimal; `decimal` reads it next.
    Some((number, unit))
}

/// Whether a number, in the fact's base units, lies in the fact's plausible
/// range, or the fact declares none.
fn plausible_number(fact: &clinrule_check::model::Fact, number: Rational) -> bool {
    fact.plausible
        .as_ref()
        .is_none_or(|range| range.holds_number(number))
}
