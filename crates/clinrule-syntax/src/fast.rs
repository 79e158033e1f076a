//! A direct reader for the commonest item, the `rule`, that builds exactly
//! the tree the grammar-driven reader builds, several times faster.
//!
//! Large rule sets are almost all rules, and reading them with the pest
//! grammar costs more than checking and compiling them together. This
//! reader follows `grammar.pest` rule by rule for `rule_decl` and the
//! expressions and conclusions inside it. It only ever answers for text it
//! reads completely and without a diagnostic: at anything else (a syntax
//! error, a mixed `and`/`or`, an unknown certainty, a repeated option, a
//! date, a character outside ASCII in a unit) it gives up, and the item is
//! read again by the grammar, which reports the error with its usual words.
//! So every message still comes from one place, and the two readers are held
//! to the same tree by a test that reads every bundled file, every cut of
//! them and thousands of altered rules both ways (`tests/fast_reader.rs`).

use crate::ast::{
    ArithOp, Certainty, CompareOp, Conclusion, CountKind, Expr, ExprKind, Ident, Interval,
    NumberLiteral, QuantityLiteral, Rule, Text, Urgency, Verb, Word,
};
use crate::keywords::{CODE_RESERVED, NAME_RESERVED, UNIT_KEYWORDS};
use crate::span::{Span, Spanned};

/// Reads `chunk`, one top-level item starting at `offset` in the file, if it
/// is a `rule` this reader can read completely; `None` otherwise.
pub(crate) fn rule(chunk: &str, offset: u32) -> Option<Rule> {
    let mut reader = Reader {
        text: chunk,
        bytes: chunk.as_bytes(),
        at: 0,
        end: 0,
        offset,
        stack: Vec::new(),
    };
    reader.skip();
    if reader.word() != "rule" {
        return None;
    }
    let rule = reader.rule()?;
    reader.skip();
    (reader.at == reader.bytes.len()).then_some(rule)
}

/// A position in an item's text, and the end of the last word read.
struct Reader<'text> {
    text: &'text str,
    bytes: &'text [u8],
    /// Where reading goes on.
    at: usize,
    /// The end of the last word read: spans end here, never in the blank
    /// space or comments after it.
    end: usize,
    /// Where the item starts in the file.
    offset: u32,
    /// Operands of the chains being read, so that each chain's list is
    /// allocated once at its exact length.
    stack: Vec<Expr>,
}

/// Fills an option of a conclusion; `None` when it was already filled.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.replace(value).is_none().then_some(())
}

/// Whether a byte may continue a word (the grammar's `ident_char`).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl<'text> Reader<'text> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.offset + start as u32, self.offset + self.end as u32)
    }

    fn slice(&self, start: usize, end: usize) -> &'text str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// Moves past `length` bytes of a word.
    fn take(&mut self, length: usize) {
        self.at += length;
        self.end = self.at;
    }

    /// Skips blank space and comments, as the grammar does between words.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.at += 1,
                Some(0xEF)
                    if self.byte_at(self.at + 1) == Some(0xBB)
                        && self.byte_at(self.at + 2) == Some(0xBF) =>
                {
                    self.at += 3;
                }
                Some(b'#') => {
                    while self.peek().is_some_and(|byte| byte != b'\n') {
                        self.at += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Where the run of word characters starting at `at` ends.
    fn word_end(&self, at: usize) -> usize {
        let mut end = at;
        while self.byte_at(end).is_some_and(is_word_byte) {
            end += 1;
        }
        end
    }

    /// The run of word characters here (empty if none): a keyword matches
    /// exactly when it is the whole run.
    fn word(&self) -> &'text str {
        self.slice(self.at, self.word_end(self.at))
    }

    /// Reads the keyword `keyword` here, if it is the word here.
    fn keyword(&mut self, keyword: &str) -> Option<()> {
        (self.word() == keyword).then(|| self.take(keyword.len()))
    }

    /// Reads one byte of punctuation.
    fn punctuation(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.take(1))
    }

    /// The grammar's `ident`: a letter and word characters.
    fn ident(&mut self) -> Option<Ident> {
        if !self.peek()?.is_ascii_alphabetic() {
            return None;
        }
        let start = self.at;
        self.take(self.word_end(start) - start);
        Some(self.ident_from(start))
    }

    fn ident_from(&self, start: usize) -> Ident {
        Ident {
            name: Word::from(self.slice(start, self.end)),
            span: self.span(start),
        }
    }

    /// The grammar's `ref_id`: one or more word characters.
    fn ref_id(&mut self) -> Option<Ident> {
        let start = self.at;
        let end = self.word_end(start);
        if end == start {
            return None;
        }
        self.take(end - start);
        Some(self.ident_from(start))
    }

    /// `rule <id> "Title"? cite...* when <condition> then <conclusion>+`
    fn rule(&mut self) -> Option<Rule> {
        let start = self.at;
        self.keyword("rule")?;
        self.skip();
        let id = self.ident()?;
        self.skip();
        let title = if self.peek() == Some(b'"') {
            let title = self.text_block()?;
            self.skip();
            Some(title)
        } else {
            None
        };
        let mut cites = Vec::new();
        while self.word() == "cite" {
            self.cites(&mut cites)?;
            self.skip();
        }
        self.keyword("when")?;
        self.skip();
        let condition = self.expr()?;
        self.skip();
        self.keyword("then")?;
        self.skip();
        let mut conclusions = vec![self.conclusion()?];
        loop {
            let (at, end) = (self.at, self.end);
            self.skip();
            if self.verb_here().is_none() {
                (self.at, self.end) = (at, end);
                break;
            }
            conclusions.push(self.conclusion()?);
        }
        conclusions.shrink_to_fit();
        Some(Rule {
            id,
            title,
            cites,
            condition,
            conclusions,
            span: self.span(start),
        })
    }

    /// `cite 1, 3`, adding each reference to `cites`.
    fn cites(&mut self, cites: &mut Vec<Ident>) -> Option<()> {
        self.keyword("cite")?;
        self.skip();
        cites.push(self.ref_id()?);
        loop {
            let (at, end) = (self.at, self.end);
            self.skip();
            if self.punctuation(b',').is_none() {
                (self.at, self.end) = (at, end);
                return Some(());
            }
            self.skip();
            cites.push(self.ref_id()?);
        }
    }

    /// One or more texts in quotes, joined with a space.
    fn text_block(&mut self) -> Option<Text> {
        let start = self.at;
        let mut value = self.text()?;
        loop {
            let (at, end) = (self.at, self.end);
            self.skip();
            if self.peek() != Some(b'"') {
                (self.at, self.end) = (at, end);
                break;
            }
            value.push(' ');
            value.push_str(&self.text()?);
        }
        Some(Text {
            value,
            span: self.span(start),
        })
    }

    /// One text in quotes, on one line, with `\"` and `\\` resolved.
    fn text(&mut self) -> Option<String> {
        self.punctuation(b'"')?;
        let start = self.at;
        let mut escapes = false;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\n' | b'\r' => return None,
                b'\\' => {
                    if !matches!(self.byte_at(self.at + 1), Some(b'"' | b'\\')) {
                        return None;
                    }
                    escapes = true;
                    self.at += 2;
                }
                _ => self.at += 1,
            }
        }
        let inner = self.slice(start, self.at);
        self.take(1);
        if !escapes {
            return Some(inner.to_owned());
        }
        let mut value = String::with_capacity(inner.len());
        let mut characters = inner.chars();
        while let Some(character) = characters.next() {
            if character == '\\' {
                value.extend(characters.next());
            } else {
                value.push(character);
            }
        }
        Some(value)
    }

    /// The verb here and its length, if a conclusion starts here.
    fn verb_here(&self) -> Option<(Verb, usize)> {
        let word = self.word();
        if word == "follow" {
            // `follow up`, with spaces or tabs between the two words.
            let mut at = self.at + word.len();
            while matches!(self.byte_at(at), Some(b' ' | b'\t')) {
                at += 1;
            }
            if at == self.at + word.len() || self.slice(at, self.word_end(at)) != "up" {
                return None;
            }
            return Some((Verb::FollowUp, at + 2 - self.at));
        }
        Some((Verb::from_keyword(word)?, word.len()))
    }

    /// `<verb> <id> "Text"` and its options.
    fn conclusion(&mut self) -> Option<Conclusion> {
        let start = self.at;
        let (verb, length) = self.verb_here()?;
        self.take(length);
        let verb = Spanned {
            value: verb,
            span: self.span(start),
        };
        self.skip();
        let id = self.ident()?;
        self.skip();
        let text = self.text_block()?;
        let mut conclusion = Conclusion::new(verb, id, text, Span::default());
        loop {
            let (at, end) = (self.at, self.end);
            self.skip();
            let option_start = self.at;
            // An option written twice is an error the grammar-driven
            // reader reports: `once` gives up on it.
            match self.word() {
                "certainty" => {
                    let certainty = self.choice("certainty", &Certainty::ALL, Certainty::word)?;
                    once(&mut conclusion.certainty, certainty)?;
                }
                "urgency" => {
                    let urgency = self.choice("urgency", &Urgency::ALL, Urgency::word)?;
                    once(&mut conclusion.urgency, urgency)?;
                }
                "because" => once(&mut conclusion.rationale, self.keyword_text("because")?)?,
                "patient" => once(&mut conclusion.patient_text, self.keyword_text("patient")?)?,
                "clinicians" => {
                    self.keyword("clinicians")?;
                    self.skip();
                    self.keyword("only")?;
                    once(&mut conclusion.clinicians_only, self.span(option_start))?;
                }
                "every" | "in" => {
                    let repeats = self.word() == "every";
                    self.take(self.word().len());
                    self.skip();
                    let quantity = self.quantity()?;
                    let interval = Interval {
                        repeats,
                        number: quantity.number.text.into(),
                        unit: quantity.unit,
                        span: self.span(option_start),
                    };
                    once(&mut conclusion.interval, interval)?;
                }
                "cite" => self.cites(&mut conclusion.cites)?,
                _ => {
                    (self.at, self.end) = (at, end);
                    break;
                }
            }
        }
        conclusion.span = self.span(start);
        Some(conclusion)
    }

    /// `keyword` and the text after it.
    fn keyword_text(&mut self, keyword: &str) -> Option<Text> {
        self.keyword(keyword)?;
        self.skip();
        self.text_block()
    }

    /// `keyword` and the word after it, which must be one of `choices`.
    fn choice<T: Copy>(
        &mut self,
        keyword: &str,
        choices: &[T],
        word_of: fn(T) -> &'static str,
    ) -> Option<Spanned<T>> {
        self.keyword(keyword)?;
        self.skip();
        let (word, span) = self.choice_word()?;
        let value = choices
            .iter()
            .copied()
            .find(|choice| word_of(*choice) == word)?;
        Some(Spanned { value, span })
    }

    /// The grammar's `word`, for a fixed choice: a letter, then word
    /// characters and `/`.
    fn choice_word(&mut self) -> Option<(&'text str, Span)> {
        if !self.peek()?.is_ascii_alphabetic() {
            return None;
        }
        let start = self.at;
        let mut end = start;
        while self
            .byte_at(end)
            .is_some_and(|byte| is_word_byte(byte) || byte == b'/')
        {
            end += 1;
        }
        self.take(end - start);
        Some((self.slice(start, end), self.span(start)))
    }

    /// Operands joined by `and`, `or` or `otherwise`, all the same.
    fn expr(&mut self) -> Option<Expr> {
        let start = self.at;
        let mark = self.stack.len();
        let first = self.operand()?;
        self.stack.push(first);
        let mut joined_by = None;
        loop {
            let (at, end) = (self.at, self.end);
            self.skip();
            let word = self.word();
            let kind = match word {
                "and" => 0,
                "or" => 1,
                "otherwise" => 2,
                _ => {
                    (self.at, self.end) = (at, end);
                    break;
                }
            };
            // A mixed chain is an error the grammar-driven reader reports.
            if joined_by.is_some_and(|joined| joined != kind) {
                return None;
            }
            joined_by = Some(kind);
            self.take(word.len());
            self.skip();
            let operand = self.operand()?;
            self.stack.push(operand);
        }
        let Some(kind) = joined_by else {
            return self.stack.pop();
        };
        let operands: Vec<Expr> = self.stack.drain(mark..).collect();
        let kind = match kind {
            0 => ExprKind::All(operands),
            1 => ExprKind::Any(operands),
            _ => ExprKind::Otherwise(operands),
        };
        Some(Expr {
            kind,
            span: self.span(start),
        })
    }

    /// A test, a negation or a counting condition.
    fn operand(&mut self) -> Option<Expr> {
        match self.word() {
            "not" => {
                let start = self.at;
                self.take(3);
                self.skip();
                let inner = self.operand()?;
                Some(Expr {
                    kind: ExprKind::Not(Box::new(inner)),
                    span: self.span(start),
                })
            }
            "any" | "all" | "none" | "at" => self.counting(),
            _ => self.test(),
        }
    }

    /// `any of (...)`, `all of`, `none of`, `at least N of`, `at most N of`.
    fn counting(&mut self) -> Option<Expr> {
        let start = self.at;
        let word = self.word();
        let kind = match word {
            "any" | "all" | "none" => {
                self.take(word.len());
                match word {
                    "any" => CountKind::Any,
                    "all" => CountKind::All,
                    _ => CountKind::None,
                }
            }
            _ => {
                // `at`, spaces or tabs, `least` or `most`, all one word.
                let mut at = self.at + 2;
                while matches!(self.byte_at(at), Some(b' ' | b'\t')) {
                    at += 1;
                }
                let which = self.slice(at, self.word_end(at));
                if at == self.at + 2 || !matches!(which, "least" | "most") {
                    return None;
                }
                self.take(at + which.len() - self.at);
                self.skip();
                let number = self.number()?;
                if which == "least" {
                    CountKind::AtLeast(number)
                } else {
                    CountKind::AtMost(number)
                }
            }
        };
        self.skip();
        self.keyword("of")?;
        self.skip();
        self.punctuation(b'(')?;
        self.skip();
        let mut items = vec![self.expr()?];
        loop {
            self.skip();
            if self.punctuation(b',').is_none() {
                break;
            }
            self.skip();
            if self.peek() == Some(b')') {
                break;
            }
            items.push(self.expr()?);
        }
        self.punctuation(b')')?;
        Some(Expr {
            kind: ExprKind::Count { kind, items },
            span: self.span(start),
        })
    }

    /// A value, optionally tested.
    fn test(&mut self) -> Option<Expr> {
        let start = self.at;
        let value = self.sum()?;
        let (at, end) = (self.at, self.end);
        self.skip();
        let kind = match (self.peek(), self.word()) {
            (Some(b'<' | b'>' | b'!' | b'='), _) => {
                let op_start = self.at;
                let second = self.byte_at(self.at + 1);
                let (op, length) = match (self.peek(), second) {
                    (Some(b'<'), Some(b'=')) => (CompareOp::LessOrEqual, 2),
                    (Some(b'>'), Some(b'=')) => (CompareOp::GreaterOrEqual, 2),
                    (Some(b'!'), Some(b'=')) => (CompareOp::NotEqual, 2),
                    (Some(b'<'), _) => (CompareOp::Less, 1),
                    (Some(b'>'), _) => (CompareOp::Greater, 1),
                    (Some(b'='), _) => (CompareOp::Equal, 1),
                    _ => return None,
                };
                self.take(length);
                let op = Spanned {
                    value: op,
                    span: self.span(op_start),
                };
                self.skip();
                let right = self.sum()?;
                let (at, end) = (self.at, self.end);
                self.skip();
                let alternative = if self.punctuation(b'(').is_some() {
                    self.skip();
                    let quantity = self.quantity()?;
                    self.skip();
                    self.punctuation(b')')?;
                    Some(Box::new(quantity))
                } else {
                    (self.at, self.end) = (at, end);
                    None
                };
                ExprKind::Compare {
                    left: Box::new(value),
                    op,
                    right: Box::new(right),
                    alternative,
                }
            }
            (_, "is") => {
                self.take(2);
                self.skip();
                let known = match self.word() {
                    "known" => true,
                    "missing" => false,
                    _ => return None,
                };
                self.take(self.word().len());
                ExprKind::Presence {
                    value: Box::new(value),
                    known,
                }
            }
            (_, "not" | "in") => {
                let negated = self.word() == "not";
                if negated {
                    self.take(3);
                    self.skip();
                }
                self.keyword("in")?;
                self.skip();
                self.punctuation(b'(')?;
                self.skip();
                let mut codes = vec![self.code()?];
                loop {
                    self.skip();
                    if self.punctuation(b',').is_none() {
                        break;
                    }
                    self.skip();
                    codes.push(self.code()?);
                }
                self.punctuation(b')')?;
                ExprKind::Member {
                    value: Box::new(value),
                    negated,
                    codes,
                }
            }
            (_, "between") => {
                self.take("between".len());
                self.skip();
                let low = self.sum()?;
                let low_inclusive = self.inclusivity();
                self.skip();
                self.keyword("and")?;
                self.skip();
                let high = self.sum()?;
                let high_inclusive = self.inclusivity();
                ExprKind::Between {
                    value: Box::new(value),
                    low: Box::new(low),
                    low_inclusive,
                    high: Box::new(high),
                    high_inclusive,
                }
            }
            (_, "within") => {
                self.take("within".len());
                self.skip();
                let amount = self.quantity()?;
                self.skip();
                let after = match self.word() {
                    "after" => true,
                    "before" => false,
                    _ => return None,
                };
                self.take(self.word().len());
                self.skip();
                let anchor = self.sum()?;
                ExprKind::Within {
                    value: Box::new(value),
                    amount: Box::new(amount),
                    after,
                    anchor: Box::new(anchor),
                }
            }
            _ => {
                (self.at, self.end) = (at, end);
                return Some(value);
            }
        };
        Some(Expr {
            kind,
            span: self.span(start),
        })
    }

    /// `inclusive` or `exclusive` after an end of a range, if written.
    fn inclusivity(&mut self) -> Option<Spanned<bool>> {
        let (at, end) = (self.at, self.end);
        self.skip();
        let start = self.at;
        let value = match self.word() {
            "inclusive" => true,
            "exclusive" => false,
            _ => {
                (self.at, self.end) = (at, end);
                return None;
            }
        };
        self.take(self.word().len());
        Some(Spanned {
            value,
            span: self.span(start),
        })
    }

    /// A code in a membership test.
    fn code(&mut self) -> Option<Ident> {
        let word = self.word();
        if NAME_RESERVED.contains(&word) || CODE_RESERVED.contains(&word) {
            return None;
        }
        self.ident()
    }

    /// Terms joined by `+` and `-`, left to right.
    fn sum(&mut self) -> Option<Expr> {
        let mut left = self.product()?;
        let mut terms = 1;
        loop {
            // A chain longer than the grammar allows is the grammar's to
            // report.
            terms += 1;
            if terms > crate::ast::MAX_TERMS + 1 {
                return None;
            }
            let (at, end) = (self.at, self.end);
            self.skip();
            let op = match self.peek() {
                Some(b'+') => ArithOp::Add,
                // `- 2 points` after a condition starts the next choice of
                // points in a score: never a subtraction.
                Some(b'-') if !self.points_here() => ArithOp::Subtract,
                _ => {
                    (self.at, self.end) = (at, end);
                    return Some(left);
                }
            };
            left = self.arith(left, op, Self::product)?;
        }
    }

    /// Factors joined by `*` and `/`, left to right.
    fn product(&mut self) -> Option<Expr> {
        let mut left = self.atom()?;
        let mut factors = 1;
        loop {
            factors += 1;
            if factors > crate::ast::MAX_TERMS + 1 {
                return None;
            }
            let (at, end) = (self.at, self.end);
            self.skip();
            let op = match self.peek() {
                Some(b'*') => ArithOp::Multiply,
                Some(b'/') => ArithOp::Divide,
                _ => {
                    (self.at, self.end) = (at, end);
                    return Some(left);
                }
            };
            left = self.arith(left, op, Self::atom)?;
        }
    }

    /// The operator here, then the right operand read by `right`.
    fn arith(
        &mut self,
        left: Expr,
        op: ArithOp,
        right: fn(&mut Self) -> Option<Expr>,
    ) -> Option<Expr> {
        let op_start = self.at;
        self.take(1);
        let op = Spanned {
            value: op,
            span: self.span(op_start),
        };
        self.skip();
        let right = right(self)?;
        let span = left.span.merge(right.span);
        Some(Expr {
            kind: ExprKind::Arith {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            span,
        })
    }

    /// Whether the grammar's `points` (`-2 points`) starts here.
    fn points_here(&self) -> bool {
        let mut probe = Reader {
            text: self.text,
            bytes: self.bytes,
            at: self.at,
            end: self.end,
            offset: self.offset,
            stack: Vec::new(),
        };
        if probe.number().is_none() {
            return false;
        }
        probe.skip();
        matches!(probe.word(), "point" | "points")
    }

    /// A literal, a name, `yes`, `no`, `as_of`, a tally or a group.
    fn atom(&mut self) -> Option<Expr> {
        let start = self.at;
        let byte = self.peek()?;
        let kind = if byte == b'-' || byte.is_ascii_digit() {
            if self.date_here() {
                // Dates are checked as they are read: left to the grammar.
                return None;
            }
            let number = self.number()?;
            match self.unit_after_number()? {
                Some(unit) => ExprKind::Quantity(Box::new(QuantityLiteral {
                    number,
                    unit,
                    span: self.span(start),
                })),
                None => ExprKind::Number(number),
            }
        } else if byte == b'(' {
            self.take(1);
            self.skip();
            let mut inner = self.expr()?;
            self.skip();
            self.punctuation(b')')?;
            inner.span = self.span(start);
            return Some(inner);
        } else if byte.is_ascii_alphabetic() {
            let word = self.word();
            if NAME_RESERVED.contains(&word) {
                let kind = match word {
                    "yes" => ExprKind::Yes,
                    "no" => ExprKind::No,
                    "as_of" => ExprKind::AsOf,
                    "for" => ExprKind::Tally(true),
                    "against" => ExprKind::Tally(false),
                    _ => return None,
                };
                self.take(word.len());
                kind
            } else {
                // A name, possibly dotted: `lab.blood_lead`.
                self.take(word.len());
                while self.peek() == Some(b'.')
                    && self
                        .byte_at(self.at + 1)
                        .is_some_and(|byte| byte.is_ascii_alphabetic())
                {
                    self.take(self.word_end(self.at + 1) - self.at);
                }
                ExprKind::Name(self.ident_from(start))
            }
        } else {
            return None;
        };
        Some(Expr {
            kind,
            span: self.span(start),
        })
    }

    /// Whether a date `YYYY-MM-DD` starts here.
    fn date_here(&self) -> bool {
        let digit = |at: usize| {
            self.byte_at(self.at + at)
                .is_some_and(|b| b.is_ascii_digit())
        };
        (0..4).all(digit)
            && self.byte_at(self.at + 4) == Some(b'-')
            && (5..7).all(digit)
            && self.byte_at(self.at + 7) == Some(b'-')
            && (8..10).all(digit)
            && !self.byte_at(self.at + 10).is_some_and(is_word_byte)
    }

    /// The grammar's `number`: `-`, digits, and a fraction if digits follow the point.
    fn number(&mut self) -> Option<NumberLiteral> {
        let start = self.at;
        let mut at = start;
        if self.byte_at(at) == Some(b'-') {
            at += 1;
        }
        let digits = |from: usize| {
            let mut end = from;
            while self.byte_at(end).is_some_and(|byte| byte.is_ascii_digit()) {
                end += 1;
            }
            end
        };
        let whole_end = digits(at);
        if whole_end == at {
            return None;
        }
        at = whole_end;
        if self.byte_at(at) == Some(b'.') {
            let fraction_end = digits(at + 1);
            if fraction_end > at + 1 {
                at = fraction_end;
            }
        }
        self.take(at - start);
        Some(NumberLiteral {
            text: Word::from(self.slice(start, at)),
            span: self.span(start),
        })
    }

    /// A number with its unit on the same line.
    fn quantity(&mut self) -> Option<QuantityLiteral> {
        let start = self.at;
        let number = self.number()?;
        let unit = self.unit_after_number()??;
        Some(QuantityLiteral {
            number,
            unit,
            span: self.span(start),
        })
    }

    /// The unit after a number just read, on the same line: `Some(None)`
    /// when there is none (the position is left after the number), `None`
    /// when this reader leaves the item to the grammar.
    fn unit_after_number(&mut self) -> Option<Option<Ident>> {
        let (at, end) = (self.at, self.end);
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
        let start = self.at;
        let none = |reader: &mut Self| {
            (reader.at, reader.end) = (at, end);
            Some(None)
        };
        if UNIT_KEYWORDS.contains(&self.word()) {
            return none(self);
        }
        let first = match (
            self.peek(),
            self.byte_at(start + 1),
            self.byte_at(start + 2),
        ) {
            (Some(b'1'), Some(b'0'), Some(b'*' | b'^'))
                if self.byte_at(start + 3).is_some_and(|b| b.is_ascii_digit()) =>
            {
                let mut length = 3;
                while self
                    .byte_at(start + length)
                    .is_some_and(|b| b.is_ascii_digit())
                {
                    length += 1;
                }
                length
            }
            // A unit that starts with a digit otherwise (`4.s/m`, `1`,
            // `10*-7`) is left to the grammar.
            (Some(byte), _, _) if byte.is_ascii_digit() => return None,
            (Some(b'/'), Some(b'('), _) => return None,
            (Some(b'/'), Some(next), _) if next.is_ascii_alphanumeric() || next == b'[' => 2,
            (Some(byte), _, _) if byte.is_ascii_alphabetic() || b"%[{".contains(&byte) => 1,
            // `µ`, `μ` and `°` are left to the grammar.
            (Some(byte), _, _) if !byte.is_ascii() => return None,
            _ => return none(self),
        };
        let mut length = first;
        loop {
            match self.byte_at(start + length) {
                Some(byte) if byte.is_ascii_alphanumeric() || b"_%/.*^[]{}'".contains(&byte) => {
                    length += 1;
                }
                Some(b'-')
                    if self
                        .byte_at(start + length + 1)
                        .is_some_and(|b| b.is_ascii_digit()) =>
                {
                    length += 2;
                }
                // Parentheses in a unit (`ug/(kg.h)`) are left to the grammar.
                Some(byte) if !byte.is_ascii() || byte == b'(' => return None,
                _ => break,
            }
        }
        self.take(length);
        Some(Some(self.ident_from(start)))
    }
}
