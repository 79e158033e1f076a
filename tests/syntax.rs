//! Syntax fixtures: every `ok` file parses without a diagnostic, every `err`
//! file gives at least one, and what an editor would see is snapshotted.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_syntax::ast::{ExprKind, FactTypeKind, Item, Verb};
use clinrule_tests::{check_source, display_name, fixtures, read};

#[test]
fn ok_files_parse_without_diagnostics() {
    insta::glob!("fixtures/syntax/ok/*.crl", |path| {
        let source = read(path);
        let (file, errors) = clinrule_syntax::parse(&source);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(file.broken.is_empty(), "{}: broken items", path.display());
        assert!(
            !file.items.is_empty(),
            "{}: nothing was read",
            path.display()
        );
    });
}

#[test]
fn err_files_give_syntax_errors() {
    insta::glob!("fixtures/syntax/err/*.crl", |path| {
        let source = read(path);
        let (_, errors) = clinrule_syntax::parse(&source);
        assert!(
            !errors.is_empty(),
            "{} gave no syntax error",
            path.display()
        );
        let checked = check_source(&display_name(path), &source);
        assert!(
            checked.rule_set.is_none(),
            "{} was accepted",
            path.display()
        );
        insta::assert_snapshot!(format!(
            "{}\n-------- diagnostics\n{}",
            clinrule_cli::terminal_safe(&source),
            checked.rendered
        ));
    });
}

/// Syntax trees are equal when they say the same thing, wherever it was
/// written: the file that uses every construct, moved down three lines and
/// laid out by the formatter, reads to an equal tree with other spans.
#[test]
fn syntax_trees_compare_what_was_written_not_where() {
    let source = read(&fixtures().join("syntax/ok/every_construct.crl"));
    let (original, errors) = clinrule_syntax::parse(&source);
    assert!(errors.is_empty(), "{errors:#?}");
    for moved in [
        format!("\n\n# moved down\n{source}"),
        clinrule_syntax::format::format(&format!("\n\n# moved down\n{source}")),
    ] {
        let (other, errors) = clinrule_syntax::parse(&moved);
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(original, other);
        assert_ne!(
            format!("{original:?}"),
            format!("{other:?}"),
            "spans differ"
        );
    }
    // A change of meaning is a difference.
    let changed = source.replacen(">=", ">", 1);
    assert_ne!(original, clinrule_syntax::parse(&changed).0);
}

/// The structure of the file that uses every construct, read back.
#[test]
fn every_construct_reads_as_written() {
    let source = read(&fixtures().join("syntax/ok/every_construct.crl"));
    let (file, errors) = clinrule_syntax::parse(&source);
    assert!(errors.is_empty(), "{errors:#?}");

    let header = file.headers().next().expect("a header");
    assert_eq!(header.id.name, "every_construct");
    assert_eq!(
        header.title.as_ref().map(|title| title.value.as_str()),
        Some("Every construct of the language")
    );
    assert_eq!(
        header.version.as_ref().map(|version| version.name.as_str()),
        Some("2.1.0-draft.1")
    );
    assert_eq!(
        header.reviewed.map(|date| date.value.to_string()),
        Some("2024-02-29".to_owned())
    );
    assert_eq!(header.authors.len(), 2);
    assert_eq!(header.audience.len(), 2);

    let references: Vec<_> = file.references().collect();
    assert_eq!(references.len(), 2);
    assert_eq!(
        references[0].pmid.as_ref().map(|pmid| pmid.name.as_str()),
        Some("12345678")
    );
    assert_eq!(
        references[1].url.as_ref().map(|url| url.value.as_str()),
        Some("https://example.org/a?b=\"c\"")
    );

    let kinds: Vec<&FactTypeKind> = file.facts().map(|fact| &fact.fact_type.kind).collect();
    assert!(matches!(kinds[0], FactTypeKind::Age));
    assert!(matches!(kinds[1], FactTypeKind::Date));
    assert!(matches!(kinds[2], FactTypeKind::Quantity(unit) if unit.name == "kg"));
    assert!(matches!(kinds[4], FactTypeKind::Number));
    assert!(matches!(kinds[5], FactTypeKind::YesNo));
    assert!(matches!(kinds[7], FactTypeKind::OneOf(codes) if codes.len() == 3));
    assert!(matches!(kinds[8], FactTypeKind::Text));
    let unsure = file.facts().nth(6).expect("the seventh fact");
    assert_eq!(
        unsure.description.as_ref().map(|text| text.value.as_str()),
        Some("A finding that stays unknown when absent")
    );

    let rule = file.rules().next().expect("a rule");
    assert_eq!(rule.cites.len(), 2);
    let ExprKind::All(parts) = &rule.condition.kind else {
        panic!(
            "the condition is a chain of `and`: {:?}",
            rule.condition.kind
        );
    };
    assert_eq!(parts.len(), 15);
    assert!(matches!(
        &parts[12].kind,
        ExprKind::Presence { known: false, .. }
    ));
    assert!(
        matches!(&parts[13].kind, ExprKind::Not(inner) if matches!(inner.kind, ExprKind::Any(_)))
    );
    let verbs: Vec<Verb> = rule
        .conclusions
        .iter()
        .map(|conclusion| conclusion.verb.value)
        .collect();
    assert_eq!(
        verbs,
        [
            Verb::Suspect,
            Verb::Exclude,
            Verb::Order,
            Verb::Refer,
            Verb::Treat,
            Verb::Warn,
            Verb::FollowUp,
            Verb::FollowUp,
            Verb::Note
        ]
    );
    let first = &rule.conclusions[0];
    assert_eq!(
        first.rationale.as_ref().map(|text| text.value.as_str()),
        Some("Because of several reasons")
    );
    assert_eq!(first.cites.len(), 2);
    assert!(
        rule.conclusions[6]
            .interval
            .as_ref()
            .is_some_and(|interval| interval.repeats)
    );
    assert!(
        rule.conclusions[7]
            .interval
            .as_ref()
            .is_some_and(|interval| !interval.repeats)
    );
    assert_eq!(
        rule.conclusions[8].text.value,
        "A note with \\ and \" inside"
    );

    let last = file.items.last().expect("items");
    assert!(matches!(last, Item::Rule(rule) if rule.id.name == "one_line"));
}

/// Spans point at the words that wrote each node.
#[test]
fn spans_point_at_the_source() {
    let source = "ruleset s\n  title \"S\"\n  version 1\n  status draft\nfact lab.x : number\nrule r when lab.x >= 2 then note n \"N\"\n";
    let (file, errors) = clinrule_syntax::parse(source);
    assert!(errors.is_empty(), "{errors:#?}");
    let rule = file.rules().next().expect("a rule");
    assert_eq!(rule.condition.span.text(source), "lab.x >= 2");
    let ExprKind::Compare {
        left, op, right, ..
    } = &rule.condition.kind
    else {
        panic!("a comparison")
    };
    assert_eq!(left.span.text(source), "lab.x");
    assert_eq!(op.span.text(source), ">=");
    assert_eq!(right.span.text(source), "2");
    assert_eq!(rule.conclusions[0].id.span.text(source), "n");
}

/// Parsing on several threads gives exactly what parsing on one does, spans
/// and errors included, for every fixture and bundled rule file and for
/// large generated ones, with and without errors.
#[test]
fn parsing_on_several_threads_changes_nothing() {
    let mut sources: Vec<String> = [
        clinrule_tests::root().join("rules"),
        clinrule_tests::fixtures(),
    ]
    .iter()
    .flat_map(|folder| clinrule_tests::files_below(folder, ".crl"))
    .filter_map(|path| std::fs::read_to_string(&path).ok())
    .collect();
    let mut random = clinrule_tests::generate::Random::new(3);
    for _ in 0..20 {
        let mut large = String::new();
        for _ in 0..12 {
            large.push_str(&clinrule_tests::generate::rule_set(&mut random).text);
        }
        // A few items cut short, so that the threads meet errors too.
        let cut = large.len() / 3;
        let cut = (0..cut)
            .rev()
            .find(|at| large.is_char_boundary(*at))
            .unwrap_or(0);
        sources.push(format!("{}\n{}", &large[..cut], &large[cut..]));
        sources.push(large);
    }
    for source in &sources {
        let one = format!("{:?}", clinrule_syntax::parse(source));
        for threads in [2, 3, 8] {
            assert_eq!(
                format!("{:?}", clinrule_syntax::parse_on(source, threads)),
                one,
                "{threads} threads changed the parse of:\n{source}"
            );
        }
    }
}
