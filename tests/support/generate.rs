//! Generated rule sets and cases for the differential tests: every kind of
//! fact, derived value, score and condition the language has that the
//! compiled program compiles, and cases with values at, around and between
//! thresholds, missing values, `null`s, partial dates, every way of writing
//! a value, and some cases the readers must refuse.

use std::fmt::Write as _;

/// The benchmarks' deterministic generator (xorshift64*), drawing indices.
#[derive(Debug, Clone)]
pub struct Random(clinrule_bench::Random);

impl Random {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Random {
        Random(clinrule_bench::Random::new(seed))
    }

    /// A number below `bound`, from the high bits of the next number.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.0.next_u64() >> 11) as usize % bound.max(1)
    }

    /// One of the choices.
    pub fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices
            .get(self.below(choices.len()))
            .copied()
            .unwrap_or("")
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// The kinds of fact a generated rule set declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes/no`
    YesNo,
    /// `yes/no, absent means no`
    Reported,
    /// `number`
    Number,
    /// `quantity mg/dL`
    Quantity,
    /// `one of a, b, c, d`
    Code,
    /// `date`
    Date,
    /// `age`
    Age,
    /// `text`
    Text,
}

const KINDS: [Kind; 8] = [
    Kind::YesNo,
    Kind::Reported,
    Kind::Number,
    Kind::Quantity,
    Kind::Code,
    Kind::Date,
    Kind::Age,
    Kind::Text,
];

/// A generated rule set: its text and the kinds of its facts.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The rule file.
    pub text: String,
    /// Each fact `f<i>`'s kind.
    pub facts: Vec<Kind>,
}

struct Context {
    facts: Vec<Kind>,
    lets: usize,
    scores: usize,
    /// Whether a fact may be compared with another fact of its kind.
    fact_with_fact: bool,
}

/// A rule set of a few facts, derived values, scores and rules, each test
/// comparing a fact with written constants (all the compiled program
/// compiles).
pub fn rule_set(random: &mut Random) -> Generated {
    rule_set_of(random, false)
}

/// As [`rule_set`], with now and then a fact compared with another fact of
/// its kind (`f1 < f3`), which no written threshold separates.
pub fn rule_set_comparing_facts(random: &mut Random) -> Generated {
    rule_set_of(random, true)
}

fn rule_set_of(random: &mut Random, fact_with_fact: bool) -> Generated {
    let fact_count = 3 + random.below(8);
    let facts: Vec<Kind> = (0..fact_count)
        .map(|_| {
            KINDS
                .get(random.below(KINDS.len()))
                .copied()
                .unwrap_or(Kind::YesNo)
        })
        .collect();
    let mut text = String::from(
        "ruleset generated\n  title \"Generated\"\n  version 1.0.0\n  status draft\n\n",
    );
    for (index, kind) in facts.iter().enumerate() {
        let declaration = match kind {
            Kind::YesNo => "yes/no",
            Kind::Reported => "yes/no, absent means no",
            Kind::Number => "number",
            Kind::Quantity => "quantity mg/dL",
            Kind::Code => "one of a, b, c, d",
            Kind::Date => "date",
            Kind::Age => "age",
            Kind::Text => "text",
        };
        // A quarter of the facts that can have one declare a plausible range
        // that some generated values fall outside, so the readers must
        // refuse alike what lies beyond it, in any unit and partial dates.
        let plausible = match kind {
            Kind::Number => ", plausible from -1 to 5",
            Kind::Quantity => ", plausible from 25 mg/dL to 1.6 g/L",
            Kind::Date => ", plausible from 2023-01-01 to 2024-06-01",
            Kind::Age => ", plausible from 5 days to 30 months",
            _ => "",
        };
        let plausible = if !plausible.is_empty() && random.one_in(4) {
            plausible
        } else {
            ""
        };
        let _ = writeln!(text, "fact f{index} : {declaration}{plausible}");
    }
    let mut context = Context {
        facts,
        lets: 0,
        scores: 0,
        fact_with_fact,
    };
    let let_count = random.below(4);
    for index in 0..let_count {
        let condition = condition(random, &context, 2);
        let _ = writeln!(text, "let l{index} = {condition}");
        context.lets += 1;
    }
    let score_count = random.below(3);
    for index in 0..score_count {
        let _ = writeln!(text, "\nscore s{index} \"Score {index}\"");
        // A population, which the compiled program leaves to the tree
        // evaluator: only in the rule sets the program does not compile.
        if context.fact_with_fact && random.one_in(2) {
            for _ in 0..1 + random.below(2) {
                let condition = condition(random, &context, 1);
                let _ = writeln!(text, "  applies \"Population\" when {condition}");
            }
        }
        for criterion in 0..1 + random.below(4) {
            let _ = writeln!(text, "  criterion k{criterion} \"Criterion {criterion}\"");
            for _ in 0..1 + random.below(3) {
                let points = random.pick(&["0", "1", "2", "3", "-1"]);
                let condition = condition(random, &context, 1);
                let _ = writeln!(text, "    {points} points when {condition}");
            }
        }
        match random.below(3) {
            0 => text.push_str("  band low \"Low\" from 0 to 2\n  band high \"High\" from 3\n"),
            1 => text.push_str(
                "  band low \"Low\" to 1\n  band middle \"Middle\" from 2 to 4\n  band high \"High\" from 5\n",
            ),
            _ => text.push_str("  band low \"Low\" from -3 to 3\n  band high \"High\" from 4 to 12\n"),
        }
        context.scores += 1;
    }
    for index in 0..2 + random.below(9) {
        let condition = condition(random, &context, 3);
        let _ = writeln!(
            text,
            "\nrule r{index} \"Rule {index}\"\n  when {condition}\n  then note c{index} \"Conclusion {index}\""
        );
    }
    Generated {
        text,
        facts: context.facts,
    }
}

/// A yes/no condition, nested at most `depth` deep.
fn condition(random: &mut Random, context: &Context, depth: usize) -> String {
    if depth == 0 || random.one_in(3) {
        return leaf(random, context);
    }
    let parts = |random: &mut Random, count: usize| -> Vec<String> {
        (0..count)
            .map(|_| condition(random, context, depth - 1))
            .collect()
    };
    let extra = random.below(2);
    match random.below(9) {
        0 => format!("({})", parts(random, 2 + extra).join(" and ")),
        1 => format!("({})", parts(random, 2 + extra).join(" or ")),
        2 => format!("not ({})", condition(random, context, depth - 1)),
        3 => format!("any of ({})", parts(random, 2).join(", ")),
        4 => format!("all of ({})", parts(random, 2).join(", ")),
        5 => format!("none of ({})", parts(random, 2).join(", ")),
        6 => format!("at least 2 of ({})", parts(random, 3).join(", ")),
        7 => format!("at most 1 of ({})", parts(random, 2 + extra).join(", ")),
        _ => format!("({})", parts(random, 2).join(" otherwise ")),
    }
}

/// One test on a fact, a derived value or a score.
fn leaf(random: &mut Random, context: &Context) -> String {
    if context.lets > 0 && random.one_in(6) {
        let index = random.below(context.lets);
        return match random.below(3) {
            0 => format!("l{index}"),
            1 => format!("not l{index}"),
            _ => format!("l{index} = no"),
        };
    }
    if context.scores > 0 && random.one_in(5) {
        let index = random.below(context.scores);
        return match random.below(4) {
            0 => format!("s{index} >= {}", random.below(5)),
            1 => format!("s{index} < {}", random.below(5)),
            2 => format!("s{index}.band = {}", random.pick(&["low", "high"])),
            _ => format!("s{index}.band in (low, high)"),
        };
    }
    let fact = random.below(context.facts.len());
    let kind = context.facts.get(fact).copied().unwrap_or(Kind::YesNo);
    let operator = |random: &mut Random| random.pick(&["<", "<=", ">", ">=", "=", "!="]);
    if random.one_in(10) {
        return format!("f{fact} is {}", random.pick(&["known", "missing"]));
    }
    if context.fact_with_fact
        && random.one_in(4)
        && matches!(kind, Kind::Number | Kind::Quantity | Kind::Age | Kind::Date)
        && let Some(other) = (0..context.facts.len())
            .filter(|other| *other != fact && context.facts.get(*other) == Some(&kind))
            .nth(random.below(2))
    {
        return format!("f{fact} {} f{other}", operator(random));
    }
    match kind {
        Kind::YesNo | Kind::Reported => match random.below(4) {
            0 => format!("f{fact}"),
            1 => format!("not f{fact}"),
            2 => format!("f{fact} = yes"),
            _ => format!("f{fact} != no"),
        },
        Kind::Number if random.one_in(12) => format!("f{fact} between 3 and 1 inclusive"),
        Kind::Number => match random.below(4) {
            0 => format!(
                "f{fact} between {} and {} inclusive",
                random.below(3),
                2 + random.below(3)
            ),
            1 => format!("{} {} f{fact}", random.below(6), operator(random)),
            _ => format!(
                "f{fact} {} {}",
                operator(random),
                random.pick(&["0", "1", "2", "2.5", "3", "5"])
            ),
        },
        Kind::Quantity => match random.below(4) {
            0 => format!("f{fact} between 50 mg/dL inclusive and 1.5 g/L exclusive"),
            1 => format!("f{fact} {} 1 g/L", operator(random)),
            _ => format!(
                "f{fact} {} {} mg/dL",
                operator(random),
                random.pick(&["50", "100", "150", "99.5"])
            ),
        },
        // Tests every value passes, or none: trying values decides them.
        Kind::Code if random.one_in(12) => {
            format!("f{fact} {}in (a, b, c, d)", random.pick(&["", "not "]))
        }
        Kind::Code => match random.below(4) {
            0 => format!("f{fact} = {}", random.pick(&["a", "b", "c", "d"])),
            1 => format!("f{fact} != {}", random.pick(&["a", "b", "c", "d"])),
            2 => format!(
                "f{fact} in ({}, {})",
                random.pick(&["a", "b"]),
                random.pick(&["c", "d"])
            ),
            _ => format!("f{fact} not in ({})", random.pick(&["a", "b", "c", "d"])),
        },
        Kind::Date => format!(
            "f{fact} {} {}",
            operator(random),
            random.pick(&["2024-01-01", "2024-06-15", "2023-12-31"])
        ),
        Kind::Age => match random.below(3) {
            0 => format!("f{fact} between 6 months inclusive and 36 months exclusive"),
            1 => format!(
                "f{fact} {} {}",
                operator(random),
                random.pick(&["24 months", "2 years", "18 months"])
            ),
            _ => format!("f{fact} {} 1.5 a", operator(random)),
        },
        Kind::Text => format!("f{fact} is {}", random.pick(&["known", "missing"])),
    }
}

/// A case for a generated rule set: most facts given, in every form the
/// case format allows, some absent or `null`; now and then a value the
/// readers must refuse, or a form only the full reader takes.
pub fn case(random: &mut Random, facts: &[Kind]) -> String {
    let mut members = Vec::new();
    if random.one_in(4) {
        members.push(format!("\"id\": \"case {}\"", random.below(100)));
    }
    if random.one_in(8) {
        members.push("\"description\": null".to_owned());
    }
    let mut values = Vec::new();
    for (index, kind) in facts.iter().enumerate() {
        if random.one_in(5) {
            continue;
        }
        let value = if random.one_in(10) {
            "null".to_owned()
        } else {
            value(random, *kind)
        };
        values.push(format!("\"f{index}\": {value}"));
    }
    if random.one_in(25) {
        // A fact named twice, or one the rule set does not declare.
        values.push(random.pick(&["\"f0\": null", "\"g0\": true"]).to_owned());
    }
    let spacing = random.pick(&[", ", ",", " ,\n  ", ",\t"]);
    members.push(format!("\"facts\": {{{}}}", values.join(spacing)));
    if random.one_in(30) {
        members.push("\"as_of\": \"2025-01-01\"".to_owned());
    }
    if random.one_in(40) {
        members.push("\"idd\": 1".to_owned());
    }
    let text = format!("{{{}}}", members.join(", "));
    if random.one_in(8) {
        mangle(random, &text)
    } else {
        text
    }
}

/// The text with one small change, as a hand-edited file might have:
/// a character dropped, doubled or replaced by one that matters to JSON.
fn mangle(random: &mut Random, text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let at = random.below(characters.len().max(1));
    let inserted = random
        .pick(&[
            "0", "00", "-", ".", "e", "+", "\\", "\"", ",", ":", "}", "{", " ", "\n", "x", "é",
            "\u{feff}",
        ])
        .to_owned();
    let mut out = String::with_capacity(text.len() + 4);
    for (index, character) in characters.iter().enumerate() {
        if index == at {
            match random.below(3) {
                0 => continue,
                1 => out.push_str(&inserted),
                _ => {
                    out.push(*character);
                    out.push(*character);
                    continue;
                }
            }
        }
        out.push(*character);
    }
    out
}

fn value(random: &mut Random, kind: Kind) -> String {
    if random.one_in(20) {
        return odd_value(random, kind);
    }
    let choices: &[&str] = match kind {
        Kind::YesNo | Kind::Reported => &["true", "false", "\"yes\"", "\"no\""],
        Kind::Number => &[
            "-1", "0", "1", "2", "2.5", "3", "4", "5", "6", "2.50", "1e0", "0.25E1", "-0", "2.5e-0",
        ],
        Kind::Quantity => &[
            "\"25 mg/dL\"",
            "\"50 mg/dL\"",
            "\"75 mg/dL\"",
            "\"99.5 mg/dL\"",
            "\"100 mg/dL\"",
            "\"150 mg/dL\"",
            "\"200 mg/dL\"",
            "\"1 g/L\"",
            "\"0.5g/L\"",
            "{\"value\": 1.5, \"unit\": \"g/L\"}",
            "{\"unit\": \"mg/dL\", \"value\": 150}",
            "\" 50 mg/dL \"",
            "\"1.0e2 mg/dL\"",
            "\".5 g/L\"",
            "\"5 {dry} mg/dL\"",
            "\"50 mg/dl\"",
        ],
        Kind::Code => &["\"a\"", "\"b\"", "\"c\"", "\"d\""],
        Kind::Date => &[
            "\"2023-12-31\"",
            "\"2024-01-01\"",
            "\"2024-03\"",
            "\"2024\"",
            "\"2024-06-15\"",
            "\"2023\"",
        ],
        Kind::Age => &[
            "\"6 months\"",
            "\"18 months\"",
            "\"1.5 a\"",
            "\"2 years\"",
            "\"24 mo\"",
            "\"36 months\"",
            "\"78 weeks\"",
            "{\"value\": 3, \"unit\": \"a\"}",
            "\"5 days\"",
        ],
        Kind::Text => &["\"seen\"", "\"caf\\u00e9\"", "\"\""],
    };
    random.pick(choices).to_owned()
}

/// A value only the full reader takes, or one that both must refuse.
fn odd_value(random: &mut Random, kind: Kind) -> String {
    let choices: &[&str] = match kind {
        Kind::Number => &[
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "1e+",
            "-",
            "1.5.2",
            "0x1",
            "1e400",
            "12345678901234567890123456789012345678901234",
            "\"3\"",
        ],
        Kind::Quantity | Kind::Age => &[
            "{\"value\": 100, \"unit\": \"mg\\/dL\"}",
            "\"50 mmol/L\"",
            "{\"value\": 50}",
            "{\"value\": 1, \"value\": 2, \"unit\": \"g/L\"}",
            "{\"value\": 1, \"unit\": \"g/L\", \"unit\": \"g/L\"}",
            "{\"value\": 1, \"unit\": \"g/L\", \"note\": 1}",
            "{\"value\": \"1\", \"unit\": \"g/L\"}",
            "{\"value\": 01, \"unit\": \"g/L\"}",
            "\"-5 mg/dL\"",
            "\"mg/dL\"",
            "\"5\"",
            "\"1e400 mg/dL\"",
            "\"50 Cel\"",
            "\"2 yeers\"",
            "12",
        ],
        Kind::Code => &["\"e\"", "\"A\"", "\"\\u0061\""],
        Kind::Date => &["\"2024-02-30\"", "\"24-01-01\"", "\"2024-1\""],
        Kind::YesNo | Kind::Reported => &["\"maybe\"", "1", "\"true\""],
        Kind::Text => &["\"line\\nbreak\"", "3"],
    };
    if random.one_in(4) {
        return random
            .pick(&["[1]", "{}", "\"maybe\"", "12", "true"])
            .to_owned();
    }
    random.pick(choices).to_owned()
}
