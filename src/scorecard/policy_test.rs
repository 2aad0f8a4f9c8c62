//! `portolan policy test`: runs every `test_*` rule in `policies/*_test.rego`,
//! like `opa test`, with a line-coverage summary from regorus.

use super::eval::PolicySource;
use crate::diagnostics::Diagnostic;
use crate::source::Source;
use regorus::Value;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum TestOutcome {
    Pass,
    Fail,
    Error { message: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct TestResult {
    pub file: String,
    pub line: u32,
    pub name: String,
    #[serde(flatten)]
    pub outcome: TestOutcome,
}

/// Line coverage of one policy file (test files excluded).
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub file: String,
    pub covered: usize,
    pub total: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct TestRun {
    pub results: Vec<TestResult>,
    pub coverage: Vec<Coverage>,
    /// Files that did not compile, with the compiler's message.
    pub broken: Vec<(String, String)>,
}

impl TestRun {
    pub fn count(&self, f: impl Fn(&TestOutcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }

    pub fn ok(&self) -> bool {
        self.broken.is_empty()
            && !self.results.is_empty()
            && self.results.iter().all(|r| r.outcome == TestOutcome::Pass)
    }
}

/// Test files: `ROOT/policies/*_test.rego`, sorted. Unreadable ones are
/// reported like unreadable policies.
pub fn test_sources(source: &dyn Source, diags: &mut Vec<Diagnostic>) -> Vec<PolicySource> {
    super::read_policies(source, |name| name.ends_with("_test.rego"), diags)
}

/// `test_*` rules declared at the start of a line, with their lines.
/// Incremental definitions (several bodies with one name) count once.
fn test_rules(text: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, u32::try_from(i + 1).unwrap_or(u32::MAX)));
        }
    }
    out
}

/// Runs the tests against the policies.
pub fn run(policies: &[PolicySource], tests: &[PolicySource]) -> TestRun {
    let mut run = TestRun::default();
    let all: Vec<PolicySource> = policies.iter().chain(tests).cloned().collect();
    let (mut engine, status) = super::eval::load_policies(&all);
    for (s, st) in all.iter().zip(status) {
        match st {
            Ok(()) => {}
            Err(super::eval::PolicyProblem::Compile(e)) => run.broken.push((s.file.clone(), e)),
            Err(super::eval::PolicyProblem::Recursive(r)) => run.broken.push((
                s.file.clone(),
                format!(
                    "{}:{}:{}: recursion {} (Rego forbids recursion)",
                    r.file,
                    r.line,
                    r.col,
                    r.cycle.join(" → ")
                ),
            )),
        }
    }
    if !run.broken.is_empty() {
        return run;
    }
    engine.set_enable_coverage(true);
    super::eval::quiet_policy_panics();
    for t in tests {
        let Some(package) = super::package_of(&t.text) else {
            continue;
        };
        for (name, line) in test_rules(&t.text) {
            let outcome =
                match super::eval::guarded_eval(&mut engine, format!("data.{package}.{name}")) {
                    Ok(Ok(Value::Bool(true))) => TestOutcome::Pass,
                    Ok(Ok(_)) => TestOutcome::Fail,
                    Ok(Err(e)) => TestOutcome::Error {
                        message: e.to_string(),
                    },
                    Err(panic) => TestOutcome::Error {
                        message: format!("the policy engine crashed ({panic})"),
                    },
                };
            run.results.push(TestResult {
                file: t.file.clone(),
                line,
                name,
                outcome,
            });
        }
    }
    if let Ok(report) = engine.get_coverage_report() {
        let is_test = |path: &str| tests.iter().any(|t| t.file == path);
        run.coverage = report
            .files
            .iter()
            .filter(|f| !is_test(&f.path))
            .map(|f| Coverage {
                file: f.path.clone(),
                covered: f.covered.len(),
                total: f.covered.len() + f.not_covered.len(),
            })
            .collect();
        run.coverage.sort_by(|a, b| a.file.cmp(&b.file));
    }
    run
}

/// The text report, `opa test`-style.
pub fn render(run: &TestRun) -> String {
    use crate::escape::terminal as t;
    let mut out = String::new();
    // Policy files are untrusted: every line is printed through `terminal`,
    // so nothing in them adds a line of its own or sends an escape sequence.
    for (file, err) in &run.broken {
        out.push_str(&format!("ERROR {}: does not compile\n", t(file)));
        for l in err.lines() {
            out.push_str(&format!("{}\n", t(l)));
        }
        out.push('\n');
    }
    let mut last = "";
    for r in &run.results {
        if r.file != last {
            out.push_str(&format!("{}:\n", t(&r.file)));
            last = &r.file;
        }
        match &r.outcome {
            TestOutcome::Pass => out.push_str(&format!("  PASS  {}\n", t(&r.name))),
            TestOutcome::Fail => out.push_str(&format!(
                "  FAIL  {} ({}:{})\n",
                t(&r.name),
                t(&r.file),
                r.line
            )),
            TestOutcome::Error { message } => {
                out.push_str(&format!(
                    "  ERROR {} ({}:{})\n",
                    t(&r.name),
                    t(&r.file),
                    r.line
                ));
                for l in message.trim().lines() {
                    out.push_str(&format!("        {}\n", t(l)));
                }
            }
        }
    }
    if !run.coverage.is_empty() {
        out.push_str("\ncoverage:\n");
        let (mut c, mut t) = (0, 0);
        for f in &run.coverage {
            out.push_str(&format!(
                "  {:>5.1}%  {} ({}/{} lines)\n",
                pct(f.covered, f.total),
                crate::escape::terminal(&f.file),
                f.covered,
                f.total
            ));
            c += f.covered;
            t += f.total;
        }
        out.push_str(&format!("  {:>5.1}%  total ({c}/{t} lines)\n", pct(c, t)));
    }
    let pass = run.count(|o| *o == TestOutcome::Pass);
    let fail = run.count(|o| *o == TestOutcome::Fail);
    let error = run.count(|o| matches!(o, TestOutcome::Error { .. }));
    if run.results.is_empty() && run.broken.is_empty() {
        out.push_str("no test_* rules found in policies/*_test.rego\n");
    }
    out.push_str(&format!("\n{pass} passed, {fail} failed, {error} errors\n"));
    out
}

fn pct(c: usize, t: usize) -> f64 {
    if t == 0 {
        100.0
    } else {
        c as f64 * 100.0 / t as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_rules_once_each() {
        let rules = test_rules(
            "package p_test\n\ntest_a if { true }\ntest_a if { false }\n  test_nested if {}\ntest_b := true\n",
        );
        assert_eq!(rules, vec![("test_a".into(), 3), ("test_b".into(), 6)]);
    }
}
