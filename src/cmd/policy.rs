//! `portolan policy test`: run the policies' own `test_*` rules.

use super::print;
use portolan::scorecard::{self, policy_test};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn test(root: PathBuf, json: bool) -> ExitCode {
    let source = match super::open(&root, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (config, _) = portolan::config::load(&*source);
    let mut unreadable = Vec::new();
    let policies = scorecard::sources(&*source, config.builtin_scorecards, &mut unreadable);
    let tests = policy_test::test_sources(&*source, &mut unreadable);
    let mut run = policy_test::run(&policies, &tests);
    run.broken.extend(
        unreadable
            .into_iter()
            .map(|d| (d.span.map(|s| s.file).unwrap_or_default(), d.message)),
    );
    let text = if json {
        serde_json::to_string_pretty(&run).unwrap_or_default() + "\n"
    } else {
        policy_test::render(&run)
    };
    if !print(&text) {
        return ExitCode::from(2);
    }
    if run.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
