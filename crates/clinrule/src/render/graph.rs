//! `clinrule graph`: what each fact influences, as a Mermaid or Graphviz
//! graph: facts -> derived values, scores and differentials -> rules ->
//! conclusions.

use std::collections::HashMap;
use std::fmt::Write as _;

use clinrule_check::CheckedRuleSet;
use clinrule_check::model::{Derived, Reads};

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Fact(usize),
    Let(usize),
    Score(usize),
    Differential(usize),
    Rule(usize),
    /// A conclusion identifier, by its first rule and position there; a
    /// diagnosis suspected by one rule and excluded by another is one node.
    Conclusion(usize, usize),
}

impl Node {
    fn id(self) -> String {
        match self {
            Node::Fact(index) => format!("fact{index}"),
            Node::Let(index) => format!("let{index}"),
            Node::Score(index) => format!("score{index}"),
            Node::Differential(index) => format!("differential{index}"),
            Node::Rule(index) => format!("rule{index}"),
            Node::Conclusion(rule, index) => format!("conclusion{rule}_{index}"),
        }
    }

    fn label(self, rule_set: &CheckedRuleSet) -> String {
        let named = |name: &str, title: Option<&str>| match title {
            Some(title) => format!("{name}: {title}"),
            None => name.to_owned(),
        };
        match self {
            Node::Fact(index) => rule_set
                .facts()
                .get(index)
                .map_or_else(String::new, |fact| {
                    named(&fact.name, fact.description.as_deref())
                }),
            Node::Let(index) => rule_set
                .lets()
                .get(index)
                .map_or_else(String::new, |derived| {
                    named(&derived.name, derived.title.as_deref())
                }),
            Node::Score(index) => rule_set
                .scores()
                .get(index)
                .map_or_else(String::new, |score| {
                    named(&format!("score {}", score.id), score.title.as_deref())
                }),
            Node::Differential(index) => {
                rule_set
                    .differentials()
                    .get(index)
                    .map_or_else(String::new, |differential| {
                        named(
                            &format!("differential {}", differential.id),
                            differential.title.as_deref(),
                        )
                    })
            }
            Node::Rule(index) => rule_set
                .rules()
                .get(index)
                .map_or_else(String::new, |rule| {
                    named(&format!("rule {}", rule.id), rule.title.as_deref())
                }),
            Node::Conclusion(rule, index) => rule_set
                .rules()
                .get(rule)
                .and_then(|rule| rule.conclusions.get(index))
                .map_or_else(String::new, |conclusion| {
                    format!("{} {}", conclusion.kind.word(), conclusion.id)
                }),
        }
    }
}

/// A derived value, score or differential as a node.
fn node_of(derived: Derived) -> Node {
    match derived {
        Derived::Let(index) => Node::Let(index),
        Derived::Score(index) => Node::Score(index),
        Derived::Differential(index) => Node::Differential(index),
    }
}

/// Every node and edge, in the order of the file; the edges are the
/// dependency graph the checker's model keeps, each target's sources sorted.
fn build(rule_set: &CheckedRuleSet) -> (Vec<Node>, Vec<(Node, Node)>) {
    let dependencies = rule_set.dependencies();
    let mut nodes: Vec<Node> = (0..rule_set.facts().len()).map(Node::Fact).collect();
    let mut edges: Vec<(Node, Node)> = Vec::new();
    let add = |target: Node, reads: &Reads, edges: &mut Vec<(Node, Node)>| {
        let mut sources: Vec<Node> = reads.facts.iter().copied().map(Node::Fact).collect();
        sources.extend(reads.derived.iter().copied().map(node_of));
        sources.sort();
        edges.extend(sources.into_iter().map(|source| (source, target)));
    };
    let derived = (0..rule_set.lets().len())
        .map(Derived::Let)
        .chain((0..rule_set.scores().len()).map(Derived::Score))
        .chain((0..rule_set.differentials().len()).map(Derived::Differential));
    for item in derived {
        nodes.push(node_of(item));
        add(node_of(item), dependencies.of(item), &mut edges);
    }
    // The first rule that has a conclusion identifier names its node: one
    // node per identifier, found in one pass however many rules there are.
    let mut conclusion_nodes: HashMap<&str, Node> = HashMap::new();
    for (index, rule) in rule_set.rules().iter().enumerate() {
        nodes.push(Node::Rule(index));
        add(Node::Rule(index), dependencies.of_rule(index), &mut edges);
        for (position, conclusion) in rule.conclusions.iter().enumerate() {
            let node = *conclusion_nodes
                .entry(conclusion.id.as_str())
                .or_insert_with(|| {
                    let node = Node::Conclusion(index, position);
                    nodes.push(node);
                    node
                });
            edges.push((Node::Rule(index), node));
        }
    }
    (nodes, edges)
}

/// The graph in Mermaid's flowchart syntax.
pub fn mermaid(rule_set: &CheckedRuleSet) -> String {
    let (nodes, edges) = build(rule_set);
    let mut out = String::from("flowchart LR\n");
    for node in &nodes {
        let label = node.label(rule_set).replace('"', "#quot;");
        let shape = match node {
            Node::Fact(_) => format!("[\"{label}\"]"),
            Node::Let(_) | Node::Score(_) | Node::Differential(_) => format!("[[\"{label}\"]]"),
            Node::Rule(_) => format!("{{{{\"{label}\"}}}}"),
            Node::Conclusion(..) => format!("([\"{label}\"])"),
        };
        let _ = writeln!(out, "  {}{shape}", node.id());
    }
    for (from, to) in &edges {
        let _ = writeln!(out, "  {} --> {}", from.id(), to.id());
    }
    out
}

/// The graph in Graphviz's DOT language.
pub fn dot(rule_set: &CheckedRuleSet) -> String {
    let (nodes, edges) = build(rule_set);
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n",
        rule_set.metadata().id.replace('"', "\\\"")
    );
    for node in &nodes {
        let label = node
            .label(rule_set)
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        let shape = match node {
            Node::Fact(_) => "box",
            Node::Let(_) | Node::Score(_) | Node::Differential(_) => "box3d",
            Node::Rule(_) => "hexagon",
            Node::Conclusion(..) => "ellipse",
        };
        let _ = writeln!(out, "  {} [shape={shape}, label=\"{label}\"];", node.id());
    }
    for (from, to) in &edges {
        let _ = writeln!(out, "  {} -> {};", from.id(), to.id());
    }
    out.push_str("}\n");
    out
}
