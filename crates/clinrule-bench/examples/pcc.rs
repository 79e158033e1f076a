#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "probe"
)]
fn main() {
    sizes();
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let reps: usize = std::env::args().nth(2).map_or(3, |r| r.parse().unwrap());
    let source = clinrule_bench::rule_set(n, 30, 1);
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let (file, _) = clinrule_syntax::parse_on(
            &source,
            std::env::args().nth(3).map_or(2, |t| t.parse().unwrap()),
        );
        let t1 = t.elapsed();
        let outcome = clinrule_check::check(&source, &file);
        let t2 = t.elapsed();
        let rule_set = outcome.rule_set.expect("checks");
        if std::env::var_os("EARLY").is_some() {
            drop(file);
        }
        let program = clinrule_eval::Program::compile(&rule_set);
        let t3 = t.elapsed();
        let ops = program.op_count();
        drop(program);
        drop(rule_set);
        let t4 = t.elapsed();
        eprintln!(
            "{n}: parse {:?} check {:?} compile {:?} drop {:?} total {:?} ({ops})",
            t1,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            t4
        );
    }
}
#[allow(dead_code)]
fn sizes() {
    use std::mem::size_of;
    eprintln!(
        "ast Expr {} Rule {} Item {} Conclusion {} Ident {} Text {} NumberLiteral {} QuantityLiteral {}",
        size_of::<clinrule_syntax::ast::Expr>(),
        size_of::<clinrule_syntax::ast::Rule>(),
        size_of::<clinrule_syntax::ast::Item>(),
        size_of::<clinrule_syntax::ast::Conclusion>(),
        size_of::<clinrule_syntax::ast::Ident>(),
        size_of::<clinrule_syntax::ast::Text>(),
        size_of::<clinrule_syntax::ast::NumberLiteral>(),
        size_of::<clinrule_syntax::ast::QuantityLiteral>()
    );
    eprintln!(
        "checked Expr {} CheckedRule {} CheckedConclusion {}",
        size_of::<clinrule_check::model::Expr>(),
        size_of::<clinrule_check::model::CheckedRule>(),
        size_of::<clinrule_check::model::CheckedConclusion>()
    );
}
