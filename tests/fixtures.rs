//! Every diagnostic code has a small broken catalog in tests/fixtures/<slug>/
//! whose EXPECTED file lists the exact diagnostics (code, file, line) that
//! `portolan check` must report: no more, no fewer.

mod common;

use portolan::diagnostics::Code;
use portolan::pipeline as check;
use std::path::Path;

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn expected(dir: &Path) -> Vec<(String, String, u32)> {
    let text = std::fs::read_to_string(dir.join("EXPECTED")).expect("EXPECTED file");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (code, loc) = l.split_once(' ').expect("`CODE file:line`");
            let (file, line) = loc.rsplit_once(':').expect("file:line");
            // `*` means "any line" (for positions that depend on timing).
            let line = if line == "*" {
                0
            } else {
                line.parse().expect("line number")
            };
            (code.to_owned(), file.to_owned(), line)
        })
        .collect()
}

#[test]
fn every_code_has_a_fixture() {
    for code in Code::ALL {
        let dir = fixtures_dir().join(code.slug());
        assert!(
            dir.is_dir(),
            "no fixture for {} {}: create tests/fixtures/{}/",
            code.code(),
            code.slug(),
            code.slug()
        );
        let exp = expected(&dir);
        assert!(
            exp.iter().any(|(c, _, _)| c == code.code()),
            "fixture {} does not expect its own code {}",
            code.slug(),
            code.code()
        );
    }
}

#[test]
fn every_fixture_reports_exactly_its_documented_diagnostics() {
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for fixture in dirs {
        // A fixture marked SHALLOW is checked as a shallow clone, built in
        // a tempdir (a repository cannot be committed inside this one).
        let shallow = fixture
            .join("SHALLOW")
            .is_file()
            .then(|| shallow_copy(&fixture));
        let dir = shallow
            .as_ref()
            .map_or_else(|| fixture.clone(), |t| t.path().to_path_buf());
        let mut checked = check::check(
            &dir,
            check::Options {
                scorecards: true,
                ..Default::default()
            },
        )
        .expect("fixture loads");
        // `portolan check` also compiles the theme; so does this test.
        let source = portolan::source::WorkTree::new(&dir).unwrap();
        let mut theme = Vec::new();
        let loaded = portolan::site::theme::load(&source, &checked.loaded.config.site, &mut theme);
        checked.add(theme);
        // Some problems appear only while rendering (E0011): a fixture with
        // a BUILD file is also rendered, into memory.
        if dir.join("BUILD").is_file() {
            let plan = portolan::site::plan(&checked, &loaded);
            let out = portolan::site::MemoryOutput::new();
            let options = portolan::site::Options::default();
            let found = match portolan::site::render(&plan, &plan.all(), &options, &out) {
                Err(portolan::site::BuildError::Theme(found)) => found,
                _ => Vec::new(),
            };
            drop(plan);
            checked.add(found);
        }
        // And it reads the baseline, whose problems are diagnostics too.
        if let Err(d) = portolan::baseline::load(&source) {
            checked.add(vec![d]);
        }
        let mut want = expected(&fixture);
        // The default scorecards have opinions about every fixture; only a
        // fixture that is about scorecard results lists them.
        let wants_checks = want.iter().any(|(c, _, _)| c == "E0300");
        let wildcard: Vec<(String, String)> = want
            .iter()
            .filter(|w| w.2 == 0)
            .map(|w| (w.0.clone(), w.1.clone()))
            .collect();
        let mut got: Vec<(String, String, u32)> = checked
            .diagnostics
            .iter()
            .filter(|d| wants_checks || d.code != Code::CheckFailed)
            .filter(|d| {
                !d.span
                    .as_ref()
                    .is_some_and(|s| s.file.starts_with("<builtin>"))
            })
            .map(|d| {
                // Only E0600 (about the repository, not a file) has no span.
                let Some(s) = d.span.as_ref() else {
                    assert_eq!(
                        d.code,
                        Code::GitShallow,
                        "every fixture diagnostic has a span"
                    );
                    return (d.code.code().to_owned(), String::new(), 0);
                };
                let line = if wildcard.contains(&(d.code.code().to_owned(), s.file.clone())) {
                    0
                } else {
                    s.line
                };
                (d.code.code().to_owned(), s.file.clone(), line)
            })
            .collect();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}",
                dir.display()
            ));
        }
        for d in &checked.diagnostics {
            assert!(
                d.help.as_deref().is_some_and(|h| !h.is_empty()),
                "{} has no help line",
                d.code.code()
            );
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures disagree with EXPECTED:\n{}",
        failures.join("\n")
    );
}

/// Copies `fixture` into a new repository with two commits, then cuts its
/// history at the second the way `git clone --depth 1` does (`.git/shallow`
/// names the commits whose parents are missing).
fn shallow_copy(fixture: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(fixture, tmp.path());
    let repo = git2::Repository::init(tmp.path()).unwrap();
    let sig = git2::Signature::new(
        "Test",
        "test@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let first = repo
        .commit(Some("HEAD"), &sig, &sig, "first", &tree, &[])
        .unwrap();
    let first = repo.find_commit(first).unwrap();
    let head = repo
        .commit(Some("HEAD"), &sig, &sig, "second", &tree, &[&first])
        .unwrap();
    std::fs::write(tmp.path().join(".git/shallow"), format!("{head}\n")).unwrap();
    assert!(repo.is_shallow());
    tmp
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    for code in Code::ALL {
        let heading = format!("## {} {}", code.code(), code.slug());
        assert!(
            doc.contains(&heading),
            "docs/diagnostics.md has no `{heading}` section"
        );
    }
}
