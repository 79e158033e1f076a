#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]
fn main() {
    let source = clinrule_bench::rule_set(50, 30, 1);
    let (file, _) = clinrule_syntax::parse(&source);
    let rule_set = clinrule_check::check(&source, &file).rule_set.unwrap();
    let mut random = clinrule_bench::Random::new(7);
    let mut cases: Vec<String> = (0..64)
        .map(|_| clinrule_bench::case(30, &mut random))
        .collect();
    if std::env::args().nth(3).is_some() {
        cases = (0..64)
            .map(|k| {
                let mut text = String::from("{\"facts\": {");
                for i in 0..30 {
                    if i > 0 {
                        text.push_str(", ");
                    }
                    let v = match i % 4 {
                        0 => {
                            if (i + k) % 3 == 0 {
                                "true".to_owned()
                            } else {
                                "false".to_owned()
                            }
                        }
                        1 => format!("\"{} mg/dL\"", 20 + (i * 37 + k * 11) % 180),
                        2 => ((i * 7 + k) % 12).to_string(),
                        _ => "\"mild\"".to_owned(),
                    };
                    text.push_str(&format!("\"f{i}\": {v}"));
                }
                text.push_str("}}");
                text
            })
            .collect();
    }
    let mode = std::env::args().nth(1).unwrap_or_default();
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(20000);
    let program = clinrule_eval::Program::compile(&rule_set);
    let coded: Vec<_> = cases
        .iter()
        .map(|c| {
            let mut k = program.new_case();
            assert_eq!(program.read_fast(c, &mut k), clinrule_eval::FastRead::Read);
            k
        })
        .collect();
    let mut trace = program.new_trace();
    let mut kcase = program.new_case();
    let mut count = 0usize;
    let mut undetermined = 0usize;
    for i in 0..n {
        if mode == "read" {
            program.read_fast(&cases[i % 64], &mut kcase);
            count += kcase.slots().len();
        } else {
            program.run(&coded[i % 64], &mut trace);
            count += trace.statuses().len();
            undetermined += trace
                .statuses()
                .iter()
                .filter(|s| **s == clinrule_eval::RuleStatus::Undetermined)
                .count();
        }
    }
    if mode == "time" {
        let mut best = f64::MAX;
        for _ in 0..30 {
            let start = std::time::Instant::now();
            for i in 0..6400 {
                program.run(&coded[i % 64], &mut trace);
            }
            best = best.min(start.elapsed().as_secs_f64() / 6400.0 * 1e9);
        }
        println!("best {best:.1} ns per case");
    }
    println!("{count} {} undetermined {undetermined}", program.op_count());
}
