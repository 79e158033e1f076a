//! The JSON result against its published schema, `docs/result.schema.json`.
//!
//! The schema uses a small part of JSON Schema (type, const, enum,
//! required, properties, additionalProperties, items, oneOf and local
//! `$ref`s), which the validator below implements; any other keyword in the
//! schema fails the test, so the schema cannot silently claim more than is
//! checked.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test that cannot read its fixture or result must fail loudly"
)]

use clinrule_tests::{clinrule, read, root};
use serde_json::Value;

/// The keywords the validator understands, and the annotations it ignores.
const KEYWORDS: [&str; 9] = [
    "type",
    "const",
    "enum",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "oneOf",
    "$ref",
];
const ANNOTATIONS: [&str; 5] = ["$schema", "$id", "title", "description", "$defs"];

fn schema() -> Value {
    serde_json::from_str(&read(&root().join("docs/result.schema.json")))
        .expect("the schema is JSON")
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        other => panic!("unknown type `{other}` in the schema"),
    }
}

/// Validates `value` against `schema`, collecting every problem with its path.
fn validate(
    root_schema: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    let rules = schema.as_object().expect("a schema is an object");
    for key in rules.keys() {
        assert!(
            KEYWORDS.contains(&key.as_str()) || ANNOTATIONS.contains(&key.as_str()),
            "the schema uses `{key}`, which this validator does not check"
        );
    }
    if let Some(reference) = rules.get("$ref").and_then(Value::as_str) {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("only local references are supported: {reference}"));
        let target = &root_schema["$defs"][name];
        assert!(!target.is_null(), "no definition `{name}`");
        validate(root_schema, target, value, path, problems);
    }
    if let Some(types) = rules.get("type") {
        let names: Vec<&str> = match types {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => panic!("`type` must be a string or a list"),
        };
        if !names.iter().any(|name| type_matches(name, value)) {
            problems.push(format!("{path}: expected {names:?}, found {value}"));
            return;
        }
    }
    if let Some(constant) = rules.get("const")
        && constant != value
    {
        problems.push(format!("{path}: expected {constant}, found {value}"));
    }
    if let Some(choices) = rules.get("enum").and_then(Value::as_array)
        && !choices.contains(value)
    {
        problems.push(format!("{path}: {value} is not one of {choices:?}"));
    }
    if let Some(options) = rules.get("oneOf").and_then(Value::as_array) {
        let matching = options
            .iter()
            .filter(|option| {
                let mut inner = Vec::new();
                validate(root_schema, option, value, path, &mut inner);
                inner.is_empty()
            })
            .count();
        if matching != 1 {
            problems.push(format!(
                "{path}: matches {matching} of the `oneOf` options, not exactly one"
            ));
        }
    }
    if let Some(object) = value.as_object() {
        for key in rules
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(key) {
                problems.push(format!("{path}: the key `{key}` is missing"));
            }
        }
        let properties = rules.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            match properties.and_then(|properties| properties.get(key)) {
                Some(property) => {
                    validate(
                        root_schema,
                        property,
                        item,
                        &format!("{path}/{key}"),
                        problems,
                    );
                }
                None if rules.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{path}: the key `{key}` is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (rules.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            validate(
                root_schema,
                items,
                item,
                &format!("{path}/{index}"),
                problems,
            );
        }
    }
}

fn problems(value: &Value) -> Vec<String> {
    let schema = schema();
    let mut problems = Vec::new();
    validate(&schema, &schema, value, "", &mut problems);
    problems
}

/// Every pair of a rule file and a case the repository bundles.
fn every_evaluation() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let list = |folder: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root().join(folder))
            .expect("a folder")
            .map(|entry| entry.expect("an entry").path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "json")
            })
            .filter_map(|path| {
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            })
            .collect();
        names.sort();
        names
    };
    for case in list("rules/cases") {
        pairs.push((
            "rules/metaphyseal-sclerosis.crl".to_owned(),
            format!("rules/cases/{case}"),
        ));
    }
    for stem in [
        "qsofa",
        "heart-score",
        "alvarado-score",
        "ottawa-ankle",
        "perc",
        "glasgow-blatchford",
        "wells-pe",
        "metaphyseal-sclerosis",
    ] {
        for case in list(&format!("rules/tests/{stem}")) {
            pairs.push((
                format!("rules/{stem}.crl"),
                format!("rules/tests/{stem}/{case}"),
            ));
        }
    }
    for case in list("tests/fixtures/eval") {
        let stem = case.split('.').next().expect("a stem");
        pairs.push((
            format!("tests/fixtures/eval/{stem}.crl"),
            format!("tests/fixtures/eval/{case}"),
        ));
    }
    pairs
}

#[test]
fn every_bundled_result_validates_against_the_schema() {
    let pairs = every_evaluation();
    assert!(pairs.len() > 60, "only {} evaluations", pairs.len());
    let mut failures = Vec::new();
    for (rules, case) in pairs {
        let output = clinrule(&["eval", &rules, "--case", &case, "--format", "json"]);
        assert_eq!(output.code, 0, "{}", output.transcript());
        let result: Value = serde_json::from_str(&output.stdout).expect("JSON");
        for problem in problems(&result) {
            failures.push(format!("{case}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The validator rejects what the schema forbids: a test that cannot fail
/// proves nothing.
#[test]
fn the_schema_rejects_what_it_forbids() {
    let output = clinrule(&[
        "eval",
        "rules/metaphyseal-sclerosis.crl",
        "--case",
        "rules/cases/toddler-sclerosis.json",
        "--format",
        "json",
    ]);
    let good: Value = serde_json::from_str(&output.stdout).expect("JSON");
    assert_eq!(problems(&good), Vec::<String>::new());

    let mut missing = good.clone();
    missing["rules"][0]
        .as_object_mut()
        .expect("a rule")
        .remove("status");
    assert_eq!(
        problems(&missing),
        ["/rules/0: the key `status` is missing"]
    );

    let mut extra = good.clone();
    extra["needs"][0]["surprise"] = Value::Bool(true);
    assert_eq!(
        problems(&extra),
        ["/needs/0: the key `surprise` is not in the schema"]
    );

    let mut wrong = good.clone();
    wrong["conclusions"][0]["kind"] = Value::String("diagnoses".to_owned());
    assert_eq!(problems(&wrong).len(), 1, "{:?}", problems(&wrong));

    let mut version = good;
    version["format_version"] = Value::from(2);
    assert_eq!(problems(&version), ["/format_version: expected 1, found 2"]);
}
