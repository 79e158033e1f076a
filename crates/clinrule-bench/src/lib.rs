//! Synthetic work for benchmarks: rule sets of any size and cohorts of
//! patients, generated deterministically from a seed, so that every run
//! measures the same thing.
//!
//! A generated rule set has typed facts (yes/no findings, measurements in
//! mg/dL, counts, and codes) and rules of two to six comparisons each, on
//! distinct facts, joined by `and`, with an `or` group in some; each rule has
//! one conclusion. Each rule reads a fact at most once, so whether it fires
//! never depends on deciding by cases (trying every value of a missing
//! fact), which the engines it is compared with (`benches/compare/`) cannot
//! do: on this work, "fired" means the same for all of them.
//!
//! The rules and patients are generated as data ([`Generated`],
//! [`Patient`]) and written out in Clinical Rule Language and case JSON
//! here; the comparison writes the same data in each other engine's
//! language.

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

/// The kind of a generated fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    /// `yes/no`
    Flag,
    /// `quantity mg/dL`
    Measure,
    /// `number`
    Count,
    /// `one of trace, mild, moderate, severe`
    Grade,
}

/// The kind of fact at a position: the four kinds in turn.
pub fn fact_kind(index: usize) -> FactKind {
    match index % 4 {
        0 => FactKind::Flag,
        1 => FactKind::Measure,
        2 => FactKind::Count,
        _ => FactKind::Grade,
    }
}

/// The codes of a grade.
pub const GRADES: [&str; 4] = ["trace", "mild", "moderate", "severe"];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Op {
    /// The operator as written in every language compared.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Less => "<",
            Op::LessOrEqual => "<=",
            Op::Greater => ">",
            Op::GreaterOrEqual => ">=",
        }
    }
}

/// One comparison of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// `f0` or `not f0`.
    Flag {
        /// The fact.
        fact: usize,
        /// Whether the finding must be absent (`not f0`).
        negated: bool,
    },
    /// `f1 >= 120 mg/dL`
    Measure {
        /// The fact.
        fact: usize,
        /// The operator.
        op: Op,
        /// The threshold in mg/dL.
        threshold: u64,
    },
    /// `f2 < 3`
    Count {
        /// The fact.
        fact: usize,
        /// The operator.
        op: Op,
        /// The threshold.
        threshold: u64,
    },
    /// `f3 = mild`
    Grade {
        /// The fact.
        fact: usize,
        /// The grade, by position in [`GRADES`].
        grade: usize,
    },
}

/// A generated rule: its comparisons, all of which must hold, except that
/// when `last_two_either` the last two form an `or` group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRule {
    /// The comparisons, each on its own fact.
    pub tests: Vec<Test>,
    /// Whether the last two comparisons are joined by `or`.
    pub last_two_either: bool,
}

/// A generated rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// How many facts it declares (`f0`, `f1`, ...; kinds by [`fact_kind`]).
    pub facts: usize,
    /// Its rules (`r0`, `r1`, ...), each with one conclusion (`c0`, ...).
    pub rules: Vec<GeneratedRule>,
}

/// Generates `rules` rules over `facts` facts (at least six).
pub fn generate(rules: usize, facts: usize, seed: u64) -> Generated {
    let facts = facts.max(6);
    let mut random = Random::new(seed);
    let mut generated = Vec::with_capacity(rules);
    for _ in 0..rules {
        let count = 2 + random.below(5) as usize;
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        while chosen.len() < count {
            let fact = random.below(facts as u64) as usize;
            if !chosen.contains(&fact) {
                chosen.push(fact);
            }
        }
        let tests = chosen
            .into_iter()
            .map(|fact| match fact_kind(fact) {
                FactKind::Flag => Test::Flag {
                    fact,
                    negated: random.below(2) == 1,
                },
                FactKind::Measure => Test::Measure {
                    fact,
                    op: [Op::GreaterOrEqual, Op::Less, Op::Greater, Op::LessOrEqual]
                        .get(random.below(4) as usize)
                        .copied()
                        .unwrap_or(Op::GreaterOrEqual),
                    threshold: 50 + random.below(100),
                },
                FactKind::Count => Test::Count {
                    fact,
                    op: [Op::GreaterOrEqual, Op::Less]
                        .get(random.below(2) as usize)
                        .copied()
                        .unwrap_or(Op::GreaterOrEqual),
                    threshold: random.below(10),
                },
                FactKind::Grade => Test::Grade {
                    fact,
                    grade: random.below(4) as usize,
                },
            })
            .collect::<Vec<_>>();
        let last_two_either = tests.len() >= 3 && random.below(3) == 0;
        generated.push(GeneratedRule {
            tests,
            last_two_either,
        });
    }
    Generated {
        facts,
        rules: generated,
    }
}

/// A comparison in the Clinical Rule Language.
fn crl_test(test: &Test) -> String {
    match *test {
        Test::Flag {
            fact,
            negated: false,
        } => format!("f{fact}"),
        Test::Flag {
            fact,
            negated: true,
        } => format!("not f{fact}"),
        Test::Measure {
            fact,
            op,
            threshold,
        } => format!("f{fact} {} {threshold} mg/dL", op.symbol()),
        Test::Count {
            fact,
            op,
            threshold,
        } => format!("f{fact} {} {threshold}", op.symbol()),
        Test::Grade { fact, grade } => {
            format!("f{fact} = {}", GRADES.get(grade).copied().unwrap_or("mild"))
        }
    }
}

impl Generated {
    /// The rule set in the Clinical Rule Language.
    pub fn to_crl(&self) -> String {
        let mut text = String::with_capacity(self.rules.len() * 160 + self.facts * 60 + 200);
        let _ = writeln!(
            text,
            "ruleset generated\n  title \"Generated: {} rules over {} facts\"\n  version 1.0.0\n  status draft\n",
            self.rules.len(),
            self.facts
        );
        for index in 0..self.facts {
            let declaration = match fact_kind(index) {
                FactKind::Flag => "yes/no",
                FactKind::Measure => "quantity mg/dL",
                FactKind::Count => "number",
                FactKind::Grade => "one of trace, mild, moderate, severe",
            };
            let _ = writeln!(text, "fact f{index} : {declaration}");
        }
        for (index, rule) in self.rules.iter().enumerate() {
            let mut parts: Vec<String> = rule.tests.iter().map(crl_test).collect();
            if rule.last_two_either {
                let last = parts.pop().unwrap_or_default();
                let before = parts.pop().unwrap_or_default();
                parts.push(format!("({before} or {last})"));
            }
            let _ = writeln!(
                text,
                "\nrule r{index} \"Rule {index}\"\n  when {}\n  then note c{index} \"Conclusion {index}\"",
                parts.join(" and ")
            );
        }
        text
    }
}

/// A rule set of `rules` rules over `facts` facts, in the Clinical Rule Language.
pub fn rule_set(rules: usize, facts: usize, seed: u64) -> String {
    generate(rules, facts, seed).to_crl()
}

/// A value a patient has for one fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientValue {
    /// Yes or no.
    Flag(bool),
    /// A measurement in mg/dL.
    Measure(u64),
    /// A count.
    Count(u64),
    /// A grade, by position in [`GRADES`].
    Grade(usize),
}

/// A generated patient: a value for each fact, or `None` where it is
/// missing (about one fact in ten).
pub type Patient = Vec<Option<PatientValue>>;

/// One generated patient.
pub fn patient(facts: usize, random: &mut Random) -> Patient {
    let facts = facts.max(6);
    (0..facts)
        .map(|index| {
            if random.below(10) == 0 {
                return None;
            }
            Some(match fact_kind(index) {
                FactKind::Flag => PatientValue::Flag(random.below(2) == 0),
                FactKind::Measure => PatientValue::Measure(20 + random.below(180)),
                FactKind::Count => PatientValue::Count(random.below(12)),
                FactKind::Grade => PatientValue::Grade(random.below(4) as usize),
            })
        })
        .collect()
}

/// A patient as a case file's JSON, on one line.
pub fn case_json(patient: &Patient) -> String {
    let mut text = String::with_capacity(patient.len() * 24 + 16);
    text.push_str("{\"facts\": {");
    let mut first = true;
    for (index, value) in patient.iter().enumerate() {
        let Some(value) = value else {
            continue;
        };
        if !first {
            text.push_str(", ");
        }
        first = false;
        let _ = match value {
            PatientValue::Flag(answer) => write!(text, "\"f{index}\": {answer}"),
            PatientValue::Measure(value) => write!(text, "\"f{index}\": \"{value} mg/dL\""),
            PatientValue::Count(value) => write!(text, "\"f{index}\": {value}"),
            PatientValue::Grade(grade) => write!(
                text,
                "\"f{index}\": \"{}\"",
                GRADES.get(*grade).copied().unwrap_or("mild")
            ),
        };
    }
    text.push_str("}}");
    text
}

/// One patient as a case: every fact given, except about one in ten left
/// out (missing data is the common case in clinical work).
pub fn case(facts: usize, random: &mut Random) -> String {
    case_json(&patient(facts, random))
}
