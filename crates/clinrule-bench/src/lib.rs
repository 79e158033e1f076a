//! Synthetic work for benchmarks: rule sets of any size and cohorts of
//! patients, generated deterministically from a seed, so that every run
//! measures the same thing.
//!
//! A generated rule set has typed facts (yes/no findings, measurements in
//! mg/dL, counts, and codes) and rules of two to six comparisons each,
//! joined by `and`, with an `or` group in some; each rule has one conclusion.

use std::fmt::Write as _;

/// A small, fast, deterministic pseudo-random generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Random {
        Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `bound` (which must not be 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

/// The kind of a generated fact, by its position.
fn fact_kind(index: usize) -> usize {
    index % 4
}

const CODES: [&str; 4] = ["trace", "mild", "moderate", "severe"];

/// A rule set of `rules` rules over `facts` facts.
pub fn rule_set(rules: usize, facts: usize, seed: u64) -> String {
    let facts = facts.max(4);
    let mut random = Random::new(seed);
    let mut text = String::with_capacity(rules * 160 + facts * 60 + 200);
    let _ = writeln!(
        text,
        "ruleset generated\n  title \"Generated: {rules} rules over {facts} facts\"\n  version 1.0.0\n  status draft\n"
    );
    for index in 0..facts {
        let declaration = match fact_kind(index) {
            0 => "yes/no",
            1 => "quantity mg/dL",
            2 => "number",
            _ => "one of trace, mild, moderate, severe",
        };
        let _ = writeln!(text, "fact f{index} : {declaration}");
    }
    for rule in 0..rules {
        let comparisons = 2 + random.below(5) as usize;
        let mut parts = Vec::with_capacity(comparisons);
        for _ in 0..comparisons {
            let fact = random.below(facts as u64) as usize;
            let part = match fact_kind(fact) {
                0 if random.below(2) == 0 => format!("f{fact}"),
                0 => format!("not f{fact}"),
                1 => {
                    let operator = [">=", "<", ">", "<="][random.below(4) as usize];
                    format!("f{fact} {operator} {} mg/dL", 50 + random.below(100))
                }
                2 => {
                    let operator = [">=", "<"][random.below(2) as usize];
                    format!("f{fact} {operator} {}", random.below(10))
                }
                _ => {
                    let code = CODES[random.below(4) as usize];
                    format!("f{fact} = {code}")
                }
            };
            parts.push(part);
        }
        // Some rules group their last two comparisons with `or`.
        let condition = if comparisons >= 3 && random.below(3) == 0 {
            let last = parts.pop().unwrap_or_default();
            let before = parts.pop().unwrap_or_default();
            parts.push(format!("({before} or {last})"));
            parts.join(" and ")
        } else {
            parts.join(" and ")
        };
        let _ = writeln!(
            text,
            "\nrule r{rule} \"Rule {rule}\"\n  when {condition}\n  then note c{rule} \"Conclusion {rule}\""
        );
    }
    text
}

/// One patient as a case: every fact given, except about one in ten left
/// out (missing data is the common case in clinical work).
pub fn case(facts: usize, random: &mut Random) -> String {
    let facts = facts.max(4);
    let mut text = String::with_capacity(facts * 24 + 16);
    text.push_str("{\"facts\": {");
    let mut first = true;
    for index in 0..facts {
        if random.below(10) == 0 {
            continue;
        }
        if !first {
            text.push_str(", ");
        }
        first = false;
        let value = match fact_kind(index) {
            0 => if random.below(2) == 0 {
                "true"
            } else {
                "false"
            }
            .to_owned(),
            1 => format!("\"{} mg/dL\"", 20 + random.below(180)),
            2 => random.below(12).to_string(),
            _ => format!("\"{}\"", CODES[random.below(4) as usize]),
        };
        let _ = write!(text, "\"f{index}\": {value}");
    }
    text.push_str("}}");
    text
}
