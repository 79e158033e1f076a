//! Names shared by facts, derived values, scores and differentials, and the
//! order in which derived values are computed.

use std::collections::{BTreeMap, HashSet};

use clinrule_syntax::Span;
use clinrule_syntax::ast::{self, ExprKind};

use super::Checker;
use crate::error::CheckError;
use crate::model::{Derived, FactType};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Symbol {
    /// A fact, by position.
    Fact(usize),
    /// A derived value, by position.
    Let(usize),
    /// A score, by position.
    Score(usize),
    /// A differential, by position.
    Differential(usize),
}

impl Symbol {
    /// What the symbol is, in words.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Symbol::Fact(_) => "fact",
            Symbol::Let(_) => "derived value",
            Symbol::Score(_) => "score",
            Symbol::Differential(_) => "differential",
        }
    }

    /// The derived item, for anything but a fact.
    pub(crate) fn derived(self) -> Option<Derived> {
        match self {
            Symbol::Fact(_) => None,
            Symbol::Let(index) => Some(Derived::Let(index)),
            Symbol::Score(index) => Some(Derived::Score(index)),
            Symbol::Differential(index) => Some(Derived::Differential(index)),
        }
    }
}

impl From<Derived> for Symbol {
    fn from(derived: Derived) -> Symbol {
        match derived {
            Derived::Let(index) => Symbol::Let(index),
            Derived::Score(index) => Symbol::Score(index),
            Derived::Differential(index) => Symbol::Differential(index),
        }
    }
}

/// Calls `visit` on every name an expression mentions, in the order written.
pub(crate) fn names_in<'expr>(expr: &'expr ast::Expr, visit: &mut impl FnMut(&'expr ast::Ident)) {
    if let ExprKind::Name(name) = &expr.kind {
        visit(name);
    }
    for child in expr.children() {
        names_in(child, visit);
    }
}

impl<'file> Checker<'file> {
    /// Registers the names of derived values, scores and differentials.
    pub(super) fn declare_derived(&mut self) {
        let file = self.file;
        for (index, let_decl) in file.lets().enumerate() {
            self.declare(&let_decl.name, Symbol::Let(index));
            self.lets.push(None);
            self.let_types.push(None);
            self.let_offsets.push(None);
        }
        for (index, score) in file.scores().enumerate() {
            self.declare(&score.id, Symbol::Score(index));
            self.scores.push(None);
        }
        for (index, differential) in file.differentials().enumerate() {
            self.declare(&differential.id, Symbol::Differential(index));
            self.differentials.push(None);
        }
    }

    fn declare(&mut self, name: &'file ast::Ident, symbol: Symbol) {
        if let Some((first, first_span)) = self.symbols.get(name.name.as_str()) {
            self.diagnostics.push(CheckError::DuplicateName {
                name: name.name.to_string(),
                first_kind: first.kind().to_owned(),
                second_kind: symbol.kind().to_owned(),
                span: name.span,
                first: *first_span,
            });
            self.untyped.insert(symbol);
            return;
        }
        self.symbols.insert(name.name.as_str(), (symbol, name.span));
    }

    /// The symbol a name refers to, with its member (`heart.band`,
    /// `bands.lead`) resolved to the score or differential; no diagnostic.
    pub(crate) fn lookup(&self, name: &str) -> Option<Symbol> {
        if let Some((symbol, _)) = self.symbols.get(name) {
            return Some(*symbol);
        }
        let (owner, _) = name.rsplit_once('.')?;
        match self.symbols.get(owner) {
            Some((symbol @ (Symbol::Score(_) | Symbol::Differential(_)), _)) => Some(*symbol),
            _ => None,
        }
    }

    /// The expressions of a derived item, for its dependencies.
    fn derived_expressions(&self, derived: Derived) -> Vec<&'file ast::Expr> {
        match derived {
            Derived::Let(index) => self
                .let_declarations
                .get(index)
                .copied()
                .map(|let_decl| vec![&let_decl.value])
                .unwrap_or_default(),
            Derived::Score(index) => self
                .score_declarations
                .get(index)
                .copied()
                .map(ast::ScoreDecl::expressions)
                .unwrap_or_default(),
            Derived::Differential(index) => self
                .differential_declarations
                .get(index)
                .copied()
                .map(ast::DifferentialDecl::expressions)
                .unwrap_or_default(),
        }
    }

    /// The names in an expression that are codes of the coded fact they are
    /// compared with (`sample = venous`), whatever else they could name: a
    /// derived value called `venous` does not depend on itself by testing
    /// the code `venous`.
    fn codes_compared_in(&self, expr: &ast::Expr) -> HashSet<Span> {
        let mut codes = HashSet::new();
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            if let ExprKind::Compare { left, right, .. } = &expr.kind {
                for (fact_side, code_side) in [(left, right), (right, left)] {
                    if let (ExprKind::Name(fact), ExprKind::Name(code)) =
                        (&fact_side.kind, &code_side.kind)
                        && let Some(Symbol::Fact(index)) = self.lookup(&fact.name)
                        && let Some(FactType::OneOf(known)) =
                            self.facts.get(index).map(|fact| &fact.fact_type)
                        && known.iter().any(|known| *known == code.name)
                    {
                        codes.insert(code.span);
                    }
                }
            }
            stack.extend(expr.children());
        }
        codes
    }

    fn derived_name(&self, derived: Derived) -> String {
        match derived {
            Derived::Let(index) => self
                .let_declarations
                .get(index)
                .copied()
                .map(|item| item.name.name.clone()),
            Derived::Score(index) => self
                .score_declarations
                .get(index)
                .copied()
                .map(|item| item.id.name.clone()),
            Derived::Differential(index) => self
                .differential_declarations
                .get(index)
                .copied()
                .map(|item| item.id.name.clone()),
        }
        .unwrap_or_default()
        .to_string()
    }

    /// Orders derived values, scores and differentials so that each comes
    /// after everything it uses. A cycle is reported once, with every step,
    /// and the items in it are left unchecked.
    pub(super) fn dependency_order(&mut self) -> Vec<Derived> {
        let mut items: Vec<Derived> = Vec::new();
        items.extend((0..self.lets.len()).map(Derived::Let));
        items.extend((0..self.scores.len()).map(Derived::Score));
        items.extend((0..self.differentials.len()).map(Derived::Differential));
        // Each item's dependencies, with the span of the name that uses them.
        let mut edges: BTreeMap<Derived, Vec<(Derived, Span)>> = BTreeMap::new();
        for item in &items {
            let mut uses = Vec::new();
            for expr in self.derived_expressions(*item) {
                let codes = self.codes_compared_in(expr);
                names_in(expr, &mut |name| {
                    if codes.contains(&name.span) {
                        return;
                    }
                    if let Some(dependency) = self.lookup(&name.name).and_then(Symbol::derived)
                        && !uses.iter().any(|(known, _)| *known == dependency)
                    {
                        uses.push((dependency, name.span));
                    }
                });
            }
            edges.insert(*item, uses);
        }

        let mut order = Vec::new();
        let mut state: BTreeMap<Derived, Visit> = BTreeMap::new();
        let mut reported: Vec<Vec<Derived>> = Vec::new();
        for item in &items {
            self.visit(*item, &edges, &mut state, &mut order, &mut reported);
        }
        order
    }

    /// A depth-first search from `start`, with an explicit stack so that a
    /// long chain of derived values cannot exhaust the call stack. Each
    /// frame is an item and how many of its dependencies have been visited.
    fn visit(
        &mut self,
        start: Derived,
        edges: &BTreeMap<Derived, Vec<(Derived, Span)>>,
        state: &mut BTreeMap<Derived, Visit>,
        order: &mut Vec<Derived>,
        reported: &mut Vec<Vec<Derived>>,
    ) {
        if state.contains_key(&start) {
            return;
        }
        state.insert(start, Visit::Open);
        let mut stack: Vec<(Derived, usize)> = vec![(start, 0)];
        while let Some((item, next)) = stack.last().copied() {
            let dependencies = edges.get(&item).map(Vec::as_slice).unwrap_or_default();
            let Some((dependency, _)) = dependencies.get(next) else {
                stack.pop();
                state.insert(item, Visit::Done);
                order.push(item);
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match state.get(dependency) {
                Some(Visit::Done) => {}
                Some(Visit::Open) => self.report_cycle(*dependency, &stack, edges, reported),
                None => {
                    state.insert(*dependency, Visit::Open);
                    stack.push((*dependency, 0));
                }
            }
        }
    }

    /// Reports the cycle that closes at `item`, once, with every step.
    fn report_cycle(
        &mut self,
        item: Derived,
        stack: &[(Derived, usize)],
        edges: &BTreeMap<Derived, Vec<(Derived, Span)>>,
        reported: &mut Vec<Vec<Derived>>,
    ) {
        let start = stack
            .iter()
            .position(|(open, _)| *open == item)
            .unwrap_or(0);
        // Each member of the cycle, with the span where it uses the next
        // (the dependency just visited, one before the frame's counter).
        let cycle: Vec<(Derived, Span)> = stack
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter_map(|(member, next)| {
                let (_, span) = edges.get(member)?.get(next.checked_sub(1)?)?;
                Some((*member, *span))
            })
            .collect();
        let mut members: Vec<Derived> = cycle.iter().map(|(member, _)| *member).collect();
        members.sort();
        for member in &members {
            self.untyped.insert(Symbol::from(*member));
        }
        if reported.contains(&members) {
            return;
        }
        reported.push(members);
        let names: Vec<String> = cycle
            .iter()
            .map(|(member, _)| format!("`{}`", self.derived_name(*member)))
            .collect();
        let first = names.first().cloned().unwrap_or_default();
        let steps = cycle
            .iter()
            .enumerate()
            .map(|(position, (member, span))| {
                let next = cycle.get(position + 1).map_or(item, |(next, _)| *next);
                miette::LabeledSpan::new_with_span(
                    Some(format!(
                        "`{}` uses `{}` here",
                        self.derived_name(*member),
                        self.derived_name(next)
                    )),
                    *span,
                )
            })
            .collect();
        self.diagnostics.push(CheckError::Cycle {
            name: self.derived_name(item),
            cycle: format!("{} → {first}", names.join(" → ")),
            steps,
        });
    }
}

/// The state of an item in the depth-first search for the dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// On the current path.
    Open,
    /// Finished, with everything it uses.
    Done,
}
