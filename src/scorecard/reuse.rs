//! Results of one evaluation lent to a second one over the same policies
//! (`check --base` evaluates the catalog at the base and in the working
//! tree, and a change touches few entities).
//!
//! A check's result is a function of the policies, the entity's `input`
//! and `data`. `data` holds every entity, so any change changes it; the
//! results are therefore lent only when no policy mentions `data` at all,
//! and then only for an entity whose input is equal (relations, facts and
//! git history included) and whose evaluation was clean (no error, no
//! diagnostic, which a lent result could not repeat).

use super::eval::{Outcome, PolicySource};
use crate::catalog::model::EntityRef;
use regorus::Value;
use std::collections::HashMap;

/// What one run records and the other reads.
#[derive(Default)]
pub struct Memo {
    /// The policies the results came from; another set lends nothing.
    policies: Vec<(String, String)>,
    by_entity: HashMap<EntityRef, Kept>,
    /// The run's converted documents, kept by [`Reuse::Renew`] also when
    /// a policy reads `data` (converting is not evaluating).
    pub(super) converted: super::input::Converted,
}

struct Kept {
    input: Value,
    /// (scorecard index, outcomes in check order).
    results: Vec<(usize, Vec<Outcome>)>,
}

/// How a run takes part.
pub enum Reuse<'m> {
    Record(&'m mut Memo),
    From(&'m Memo),
    /// Borrow from the memo, then replace it with this run's results (lent
    /// ones included): `serve` runs again after every save.
    Renew(&'m mut Memo),
}

impl Memo {
    /// A fresh memo for a run of `policies`, or `None` when a policy reads
    /// `data` (and results may depend on other entities).
    pub fn start(policies: &[PolicySource]) -> Option<Memo> {
        if policies.iter().any(|p| mentions_data(&p.text)) {
            return None;
        }
        Some(Memo {
            policies: policies
                .iter()
                .map(|p| (p.file.clone(), p.text.clone()))
                .collect(),
            by_entity: HashMap::new(),
            converted: HashMap::new(),
        })
    }

    pub fn keep(&mut self, entity: EntityRef, input: Value, results: Vec<(usize, Vec<Outcome>)>) {
        if results
            .iter()
            .flat_map(|(_, o)| o)
            .any(|o| matches!(o, Outcome::Error { .. }))
        {
            return;
        }
        self.by_entity.insert(entity, Kept { input, results });
    }

    /// Whether results recorded over these policies can be lent to a run of
    /// `policies`.
    pub fn serves(&self, policies: &[PolicySource]) -> bool {
        !self.policies.is_empty()
            && self.policies.len() == policies.len()
            && self
                .policies
                .iter()
                .zip(policies)
                .all(|((f, t), p)| *f == p.file && *t == p.text)
    }

    /// The recorded results for `entity`, when its input is the same and it
    /// was scored on the same scorecards.
    pub fn lend(
        &self,
        entity: &EntityRef,
        input: &Value,
        cards: &[usize],
    ) -> Option<Vec<(usize, Vec<Outcome>)>> {
        let kept = self.by_entity.get(entity)?;
        (kept.input == *input
            && kept
                .results
                .iter()
                .map(|(i, _)| *i)
                .eq(cards.iter().copied()))
        .then(|| kept.results.clone())
    }
}

/// Whether Rego text names `data` outside comments and strings: an import
/// of another package, `data.catalog`, or `data` itself. Conservative: a
/// false "yes" costs only speed.
pub fn mentions_data(text: &str) -> bool {
    let code = code_part(text);
    code.match_indices("data").any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + 4..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// The text with comments and string literals (`"…"`, raw `` `…` ``, which
/// may span lines) blanked out.
fn code_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    for c in text.chars() {
        if comment {
            if c == '\n' {
                comment = false;
                out.push(c);
            }
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q || (c == '\n' && q == '"') {
                quote = None;
            }
            out.push(' ');
            continue;
        }
        match c {
            '#' => comment = true,
            '"' | '`' => {
                quote = Some(c);
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mentions_data;

    #[test]
    fn finds_data_in_code_only() {
        assert!(mentions_data("x := data.catalog[r]"));
        assert!(mentions_data("import data.acme.basics"));
        assert!(mentions_data("walk(data, [p, v])"));
        assert!(mentions_data("y := data[\"catalog\"]"));
        assert!(!mentions_data("# reads data.catalog"));
        assert!(!mentions_data("msg := \"no data here\""));
        assert!(!mentions_data("metadata := input.entity.metadata"));
        assert!(!mentions_data("x := input.data_source"));
        assert!(mentions_data("x := `#`; y := data.catalog"));
        assert!(mentions_data("x := `a\n# b`\ny := data.catalog"));
        assert!(!mentions_data("x := `a\ndata`"));
    }
}
