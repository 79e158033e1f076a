//! Clinrule side by side with the engines a team would otherwise pick: the
//! same generated 50 rules over 30 facts, written in each engine's own
//! language, run on the same 64 patients, in one process.
//!
//! Every engine must fire exactly the rules Clinrule fires for every
//! patient; the run stops with a failure if one does not. A missing fact
//! makes a test on it fail in the other engines (each test is written
//! "the fact is present and ..."), which on this work is what Clinrule's
//! "fired" means: a rule fires when its condition is surely true.
//!
//! Each engine gets each patient in its own native form, prepared before
//! timing; what is timed is deciding all 50 rules for one patient. Each
//! round times one pass over the 64 patients; the figure printed is the
//! median over rounds of the time per patient, and its ratio to Clinrule's.
//!
//! ```sh
//! cd benches/compare && cargo run --release            # 200 rounds
//! cd benches/compare && cargo run --release -- 50      # fewer rounds
//! ```

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use clinrule_bench::{GRADES, Generated, Patient, PatientValue, Test};

/// The rules each engine fired for one patient, by position.
type Fired = BTreeSet<usize>;

/// An engine under comparison.
trait Engine {
    /// Its name in the table.
    fn name(&self) -> String;
    /// Decides every rule for one patient, by position among the patients.
    fn fired(&mut self, patient: usize) -> Fired;
    /// Decides every rule for every patient once (what a round times); the
    /// count returned keeps the work from being optimised away.
    fn round(&mut self) -> usize;
    /// Called before each round, outside the timing (for engines whose
    /// inputs are used up by evaluation).
    fn prepare_round(&mut self) {}
}

// ---------------------------------------------------------------------------
// Clinrule
// ---------------------------------------------------------------------------

struct Clinrule {
    program: clinrule_eval::Program<'static>,
    coded: Vec<clinrule_eval::CodedCase>,
    texts: Vec<String>,
    trace: clinrule_eval::CompactTrace,
    scratch: clinrule_eval::CodedCase,
    from_json: bool,
}

impl Clinrule {
    fn new(generated: &Generated, patients: &[Patient], from_json: bool) -> Clinrule {
        let source = generated.to_crl();
        let (file, errors) = clinrule_syntax::parse(&source);
        assert!(errors.is_empty(), "the generated rules parse");
        let rule_set = clinrule_check::check(&source, &file)
            .rule_set
            .expect("the generated rules check");
        // One rule set for the whole run.
        let rule_set: &'static clinrule_check::CheckedRuleSet = Box::leak(Box::new(rule_set));
        let program = clinrule_eval::Program::compile(rule_set);
        assert_eq!(program.fallback(), None, "the generated rules compile");
        let texts: Vec<String> = patients.iter().map(clinrule_bench::case_json).collect();
        let coded = texts
            .iter()
            .map(|text| {
                let mut coded = program.new_case();
                assert_eq!(
                    program.read_fast(text, &mut coded),
                    clinrule_eval::FastRead::Read
                );
                coded
            })
            .collect();
        Clinrule {
            trace: program.new_trace(),
            scratch: program.new_case(),
            program,
            coded,
            texts,
            from_json,
        }
    }

    fn run(&mut self, patient: usize) {
        if self.from_json {
            let _ = self.program.evaluate_json(
                &self.texts[patient],
                &mut self.scratch,
                &mut self.trace,
            );
        } else {
            self.program.run(&self.coded[patient], &mut self.trace);
        }
    }
}

impl Engine for Clinrule {
    fn name(&self) -> String {
        if self.from_json {
            "clinrule (from case JSON)".to_owned()
        } else {
            "clinrule (compact trace)".to_owned()
        }
    }

    fn fired(&mut self, patient: usize) -> Fired {
        self.run(patient);
        self.trace
            .statuses()
            .iter()
            .enumerate()
            .filter(|(_, status)| **status == clinrule_eval::RuleStatus::Fired)
            .map(|(index, _)| index)
            .collect()
    }

    fn round(&mut self) -> usize {
        let mut fired = 0;
        for patient in 0..self.coded.len() {
            self.run(patient);
            fired += self.trace.statuses().len();
        }
        fired
    }
}

// ---------------------------------------------------------------------------
// CEL (the `cel` crate)
// ---------------------------------------------------------------------------

fn cel_test(test: &Test) -> String {
    match *test {
        Test::Flag { fact, negated } => format!("(has(p.f{fact}) && p.f{fact} == {})", !negated),
        Test::Measure {
            fact,
            op,
            threshold,
        }
        | Test::Count {
            fact,
            op,
            threshold,
        } => format!(
            "(has(p.f{fact}) && p.f{fact} {} {threshold}.0)",
            op.symbol()
        ),
        Test::Grade { fact, grade } => {
            format!("(has(p.f{fact}) && p.f{fact} == \"{}\")", GRADES[grade])
        }
    }
}

/// A rule's condition: its tests joined, the last two by "or" when the rule says so.
fn joined(
    rule: &clinrule_bench::GeneratedRule,
    test: impl Fn(&Test) -> String,
    and: &str,
    or: &str,
) -> String {
    let mut parts: Vec<String> = rule.tests.iter().map(test).collect();
    if rule.last_two_either {
        let last = parts.pop().unwrap_or_default();
        let before = parts.pop().unwrap_or_default();
        parts.push(format!("({before} {or} {last})"));
    }
    parts.join(and)
}

struct Cel {
    programs: Vec<cel::Program>,
    contexts: Vec<cel::Context<'static, 'static>>,
}

impl Cel {
    fn new(generated: &Generated, patients: &[Patient]) -> Cel {
        let programs = generated
            .rules
            .iter()
            .map(|rule| {
                cel::Program::compile(&joined(rule, cel_test, " && ", "||"))
                    .expect("the CEL rule compiles")
            })
            .collect();
        let contexts = patients
            .iter()
            .map(|patient| {
                let mut values: HashMap<String, cel::Value> = HashMap::new();
                for (index, value) in patient.iter().enumerate() {
                    let Some(value) = value else { continue };
                    let value = match value {
                        PatientValue::Flag(answer) => cel::Value::Bool(*answer),
                        PatientValue::Measure(number) | PatientValue::Count(number) => {
                            cel::Value::Float(*number as f64)
                        }
                        PatientValue::Grade(grade) => {
                            cel::Value::String(GRADES[*grade].to_owned().into())
                        }
                    };
                    values.insert(format!("f{index}"), value);
                }
                let mut context = cel::Context::default();
                context.add_variable_from_value("p", values);
                context
            })
            .collect();
        Cel { programs, contexts }
    }
}

impl Engine for Cel {
    fn name(&self) -> String {
        "cel".to_owned()
    }

    fn fired(&mut self, patient: usize) -> Fired {
        self.programs
            .iter()
            .enumerate()
            .filter(|(_, program)| {
                program
                    .execute(&self.contexts[patient])
                    .expect("CEL evaluates")
                    == cel::Value::Bool(true)
            })
            .map(|(index, _)| index)
            .collect()
    }

    fn round(&mut self) -> usize {
        let mut fired = 0;
        for context in &self.contexts {
            for program in &self.programs {
                if program.execute(context).expect("CEL evaluates") == cel::Value::Bool(true) {
                    fired += 1;
                }
            }
        }
        fired
    }
}

// ---------------------------------------------------------------------------
// Rego (regorus)
// ---------------------------------------------------------------------------

fn rego_test(test: &Test) -> String {
    match *test {
        Test::Flag { fact, negated } => format!("input.f{fact} == {}", !negated),
        Test::Measure {
            fact,
            op,
            threshold,
        }
        | Test::Count {
            fact,
            op,
            threshold,
        } => format!("input.f{fact} {} {threshold}", op.symbol()),
        Test::Grade { fact, grade } => format!("input.f{fact} == \"{}\"", GRADES[grade]),
    }
}

struct Rego {
    engine: regorus::Engine,
    inputs: Vec<regorus::Value>,
}

impl Rego {
    fn new(generated: &Generated, patients: &[Patient]) -> Rego {
        // Rego has no `or` inside a rule body: an `or` group is a helper
        // rule defined twice.
        let mut policy = String::from("package bench\n\n");
        for (index, rule) in generated.rules.iter().enumerate() {
            let mut tests: Vec<String> = rule.tests.iter().map(rego_test).collect();
            if rule.last_two_either {
                let last = tests.pop().unwrap_or_default();
                let before = tests.pop().unwrap_or_default();
                policy.push_str(&format!("either_{index} if {{ {before} }}\n"));
                policy.push_str(&format!("either_{index} if {{ {last} }}\n"));
                tests.push(format!("either_{index}"));
            }
            policy.push_str(&format!(
                "fired contains {index} if {{\n  {}\n}}\n\n",
                tests.join("\n  ")
            ));
        }
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("bench.rego".to_owned(), policy)
            .expect("the Rego policy parses");
        let inputs = patients
            .iter()
            .map(|patient| regorus::Value::from(patient_json(patient, false)))
            .collect();
        Rego { engine, inputs }
    }

    fn evaluate(&mut self, patient: usize) -> regorus::Value {
        self.engine.set_input(self.inputs[patient].clone());
        self.engine
            .eval_rule("data.bench.fired".to_owned())
            .expect("Rego evaluates")
    }
}

impl Engine for Rego {
    fn name(&self) -> String {
        "regorus".to_owned()
    }

    fn fired(&mut self, patient: usize) -> Fired {
        let value = self.evaluate(patient);
        let json: serde_json::Value =
            serde_json::from_str(&value.to_json_str().expect("JSON")).expect("JSON");
        json.as_array()
            .map(|fired| {
                fired
                    .iter()
                    .filter_map(|index| index.as_u64().map(|index| index as usize))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn round(&mut self) -> usize {
        let mut count = 0;
        for patient in 0..self.inputs.len() {
            if self.evaluate(patient) != regorus::Value::Undefined {
                count += 1;
            }
        }
        count
    }
}

/// A patient as JSON: present facts only; grades as text, measurements in
/// mg/dL as numbers.
fn patient_json(patient: &Patient, floats: bool) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (index, value) in patient.iter().enumerate() {
        let Some(value) = value else { continue };
        let value = match value {
            PatientValue::Flag(answer) => serde_json::Value::Bool(*answer),
            PatientValue::Measure(number) | PatientValue::Count(number) => {
                if floats {
                    serde_json::json!(*number as f64)
                } else {
                    serde_json::json!(*number)
                }
            }
            PatientValue::Grade(grade) => serde_json::Value::String(GRADES[*grade].to_owned()),
        };
        object.insert(format!("f{index}"), value);
    }
    serde_json::Value::Object(object)
}

// ---------------------------------------------------------------------------
// ZEN (zen-engine): one expression node with one output per rule
// ---------------------------------------------------------------------------

fn zen_test(test: &Test) -> String {
    match *test {
        Test::Flag { fact, negated } => format!("(f{fact} != null and f{fact} == {})", !negated),
        Test::Measure {
            fact,
            op,
            threshold,
        }
        | Test::Count {
            fact,
            op,
            threshold,
        } => format!("(f{fact} != null and f{fact} {} {threshold})", op.symbol()),
        Test::Grade { fact, grade } => {
            format!("(f{fact} != null and f{fact} == '{}')", GRADES[grade])
        }
    }
}

struct Zen {
    decision: zen_engine::Decision,
    runtime: tokio::runtime::Runtime,
    patients: Vec<serde_json::Value>,
    inputs: Vec<zen_engine::Variable>,
    trace: bool,
}

impl Zen {
    fn new(generated: &Generated, patients: &[Patient], trace: bool) -> Zen {
        let expressions: Vec<serde_json::Value> = generated
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                serde_json::json!({
                    "id": format!("e{index}"),
                    "key": format!("r{index}"),
                    "value": joined(rule, zen_test, " and ", "or"),
                })
            })
            .collect();
        let graph = serde_json::json!({
            "nodes": [
                { "id": "in", "name": "request", "type": "inputNode", "content": {} },
                { "id": "rules", "name": "rules", "type": "expressionNode",
                  "content": { "expressions": expressions, "passThrough": false } },
                { "id": "out", "name": "response", "type": "outputNode", "content": {} }
            ],
            "edges": [
                { "id": "a", "sourceId": "in", "targetId": "rules" },
                { "id": "b", "sourceId": "rules", "targetId": "out" }
            ]
        });
        let content: zen_engine::model::GraphContent =
            serde_json::from_value(graph).expect("the ZEN graph reads");
        let mut decision = zen_engine::Decision::from(content);
        decision.compile();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        Zen {
            decision,
            runtime,
            patients: patients
                .iter()
                .map(|patient| patient_json(patient, false))
                .collect(),
            inputs: Vec::new(),
            trace,
        }
    }

    fn evaluate(&self, input: zen_engine::Variable) -> zen_engine::Variable {
        let options = zen_engine::EvaluationOptions {
            trace: self.trace,
            max_depth: 5,
        };
        self.runtime
            .block_on(self.decision.evaluate_with_opts(input, options))
            .expect("ZEN evaluates")
            .result
    }
}

impl Engine for Zen {
    fn name(&self) -> String {
        if self.trace {
            "zen-engine (trace on)".to_owned()
        } else {
            "zen-engine".to_owned()
        }
    }

    fn fired(&mut self, patient: usize) -> Fired {
        let result = self.evaluate(zen_engine::Variable::from(&self.patients[patient]));
        let json: serde_json::Value = result.to_value();
        (0..50)
            .filter(|index| json[format!("r{index}")] == serde_json::Value::Bool(true))
            .collect()
    }

    fn prepare_round(&mut self) {
        // Evaluation may change its input: each round gets fresh ones.
        self.inputs = self
            .patients
            .iter()
            .map(zen_engine::Variable::from)
            .collect();
    }

    fn round(&mut self) -> usize {
        let inputs = std::mem::take(&mut self.inputs);
        let mut count = 0;
        for input in inputs {
            if self.evaluate(input).as_object().is_some() {
                count += 1;
            }
        }
        count
    }
}

// ---------------------------------------------------------------------------
// Cedar (cedar-policy): one permit policy per rule, the reasons are the rules fired
// ---------------------------------------------------------------------------

fn cedar_test(test: &Test) -> String {
    match *test {
        Test::Flag { fact, negated } => {
            format!("(context has f{fact} && context.f{fact} == {})", !negated)
        }
        Test::Measure {
            fact,
            op,
            threshold,
        }
        | Test::Count {
            fact,
            op,
            threshold,
        } => format!(
            "(context has f{fact} && context.f{fact} {} {threshold})",
            op.symbol()
        ),
        Test::Grade { fact, grade } => {
            format!(
                "(context has f{fact} && context.f{fact} == \"{}\")",
                GRADES[grade]
            )
        }
    }
}

struct Cedar {
    authorizer: cedar_policy::Authorizer,
    policies: cedar_policy::PolicySet,
    entities: cedar_policy::Entities,
    requests: Vec<cedar_policy::Request>,
}

impl Cedar {
    fn new(generated: &Generated, patients: &[Patient]) -> Cedar {
        let mut text = String::new();
        for rule in &generated.rules {
            text.push_str(&format!(
                "permit (principal, action, resource) when {{ {} }};\n",
                joined(rule, cedar_test, " && ", "||")
            ));
        }
        let policies: cedar_policy::PolicySet = text.parse().expect("the Cedar policies parse");
        let uid = |text: &str| -> cedar_policy::EntityUid { text.parse().expect("an entity") };
        let requests = patients
            .iter()
            .map(|patient| {
                let context =
                    cedar_policy::Context::from_json_value(patient_json(patient, false), None)
                        .expect("a Cedar context");
                cedar_policy::Request::new(
                    uid(r#"Clinician::"c""#),
                    uid(r#"Action::"decide""#),
                    uid(r#"Case::"p""#),
                    context,
                    None,
                )
                .expect("a Cedar request")
            })
            .collect();
        Cedar {
            authorizer: cedar_policy::Authorizer::new(),
            policies,
            entities: cedar_policy::Entities::empty(),
            requests,
        }
    }
}

impl Engine for Cedar {
    fn name(&self) -> String {
        "cedar-policy".to_owned()
    }

    fn fired(&mut self, patient: usize) -> Fired {
        let response =
            self.authorizer
                .is_authorized(&self.requests[patient], &self.policies, &self.entities);
        assert!(
            response.diagnostics().errors().next().is_none(),
            "Cedar reported errors"
        );
        response
            .diagnostics()
            .reason()
            .filter_map(|id| id.to_string().strip_prefix("policy")?.parse::<usize>().ok())
            .collect()
    }

    fn round(&mut self) -> usize {
        let mut count = 0;
        for request in &self.requests {
            let response = self
                .authorizer
                .is_authorized(request, &self.policies, &self.entities);
            count += response.diagnostics().reason().count();
        }
        count
    }
}

// ---------------------------------------------------------------------------

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(200);
    let generated = clinrule_bench::generate(50, 30, 1);
    let mut random = clinrule_bench::Random::new(7);
    let patients: Vec<Patient> = (0..64)
        .map(|_| clinrule_bench::patient(30, &mut random))
        .collect();

    let mut engines: Vec<Box<dyn Engine>> = vec![
        Box::new(Clinrule::new(&generated, &patients, false)),
        Box::new(Clinrule::new(&generated, &patients, true)),
        Box::new(Cel::new(&generated, &patients)),
        Box::new(Rego::new(&generated, &patients)),
        Box::new(Zen::new(&generated, &patients, false)),
        Box::new(Zen::new(&generated, &patients, true)),
        Box::new(Cedar::new(&generated, &patients)),
    ];

    // Every engine must reach the same fired rules for every patient.
    let expected: Vec<Fired> = (0..patients.len())
        .map(|patient| engines[0].fired(patient))
        .collect();
    let total_fired: usize = expected.iter().map(BTreeSet::len).sum();
    let mut disagreements = 0;
    for engine in engines.iter_mut() {
        for (patient, expected) in expected.iter().enumerate() {
            let fired = engine.fired(patient);
            if fired != *expected {
                disagreements += 1;
                eprintln!(
                    "{} disagrees on patient {patient}: fired {fired:?}, Clinrule fired {expected:?}",
                    engine.name()
                );
            }
        }
    }
    if disagreements > 0 {
        eprintln!("{disagreements} disagreements");
        std::process::exit(1);
    }
    println!(
        "{} engines agree on every patient: {} patients, {} rules, {} rules fired in all",
        engines.len(),
        patients.len(),
        generated.rules.len(),
        total_fired
    );

    // Timing: each round is one pass over every patient.
    let mut medians = Vec::new();
    for engine in engines.iter_mut() {
        let mut per_patient = Vec::with_capacity(rounds);
        let mut sink = 0usize;
        for round in 0..rounds + 3 {
            engine.prepare_round();
            let start = Instant::now();
            sink = sink.wrapping_add(engine.round());
            let seconds = start.elapsed().as_secs_f64();
            // The first rounds warm caches up.
            if round >= 3 {
                per_patient.push(seconds / patients.len() as f64);
            }
        }
        std::hint::black_box(sink);
        medians.push((engine.name(), median(per_patient)));
    }
    let clinrule = medians.first().map_or(f64::NAN, |(_, median)| *median);
    println!(
        "\n{:<28} {:>16} {:>12}",
        "engine", "per patient", "× Clinrule"
    );
    for (name, median) in &medians {
        let (value, unit) = if *median < 1e-6 {
            (median * 1e9, "ns")
        } else {
            (median * 1e6, "µs")
        };
        println!(
            "{name:<28} {:>13.2} {unit} {:>11.1}×",
            value,
            median / clinrule
        );
    }
    println!(
        "\nmedian over {rounds} rounds of one pass over the {} patients; 50 rules of 2 to 6 comparisons over 30 facts",
        patients.len()
    );
}
