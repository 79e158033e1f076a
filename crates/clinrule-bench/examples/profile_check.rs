#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]
fn main() {
    let rules: usize = std::env::args()
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(1000);
    let reps: usize = std::env::args()
        .nth(2)
        .and_then(|x| x.parse().ok())
        .unwrap_or(1);
    let source = clinrule_bench::rule_set(rules, 30, 1);
    let mut total = 0;
    for _ in 0..reps {
        let (file, _) = clinrule_syntax::parse(&source);
        let outcome = clinrule_check::check(&source, &file);
        let rule_set = outcome.rule_set.unwrap();
        let program = clinrule_eval::Program::compile(&rule_set);
        total += program.op_count();
    }
    println!("{total}");
}
