//! The git-tree source reads a revision without a checkout and gives the
//! same catalog as the working tree of that revision.

mod common;

use common::repo;
use portolan::pipeline::{self, Options};
use portolan::source::{GitTree, ReadError, Source, WorkTree};

fn options() -> Options {
    Options {
        scorecards: true,
        today: portolan::date::Date::parse("2026-06-01").unwrap(),
    }
}

/// What a run found, in a form two runs can be compared by.
fn summary(checked: &pipeline::Checked) -> String {
    let mut out = String::new();
    for r in checked.loaded.catalog.entities.keys() {
        out.push_str(&format!("entity {r}\n"));
    }
    for d in &checked.diagnostics {
        let span = d
            .span
            .as_ref()
            .map(|s| format!("{}:{}:{}", s.file, s.line, s.column));
        out.push_str(&format!("{} {span:?} {}\n", d.code.code(), d.message));
    }
    for s in &checked.scorecards.standings {
        out.push_str(&format!(
            "{} {} {:?} {}\n",
            s.entity, s.scorecard, s.level, s.score
        ));
    }
    out
}

#[test]
fn a_revision_reads_like_a_checkout_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let git = git2::Repository::init(dir.path()).unwrap();
    // The catalog is a folder inside the repository, as in monorepos.
    let root = dir.path().join("catalog");
    common::copy_dir(&repo().join("example-catalog"), &root);
    common::git::commit_on_head(&git, "Test", "2023-11-14", "the example catalog");

    // A checkout of the commit in another folder (a clone, so that it has
    // the same history facts), read from disk.
    let pristine = tempfile::tempdir().unwrap();
    git2::Repository::clone(dir.path().to_str().unwrap(), pristine.path()).unwrap();
    let expected = summary(&pipeline::check(&pristine.path().join("catalog"), options()).unwrap());
    assert!(
        expected.contains("entity file last changed"),
        "both runs have history facts"
    );

    // Change the working tree after the commit: the revision must not see it.
    std::fs::remove_dir_all(root.join("services/orders-service")).unwrap();
    std::fs::write(
        root.join("new.yaml"),
        common::component("newcomer", "nobody"),
    )
    .unwrap();

    let tree = GitTree::open(&root, "HEAD").unwrap();
    let at_rev = summary(&pipeline::run(&tree, &root, options()));
    assert!(expected.contains("entity component:default/orders-service"));
    assert_eq!(at_rev, expected);
    let now = summary(&pipeline::check(&root, options()).unwrap());
    assert_ne!(now, expected, "the working tree did change");
}

#[test]
fn a_symlink_in_the_tree_never_leads_out_of_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let git = git2::Repository::init(dir.path()).unwrap();
    let root = dir.path().join("catalog");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(dir.path().join("secret.yaml"), "kind: Component\n").unwrap();
    std::fs::write(root.join("docs/index.md"), "# Docs\n").unwrap();
    std::os::unix::fs::symlink("../secret.yaml", root.join("escape.yaml")).unwrap();
    std::os::unix::fs::symlink("docs/index.md", root.join("inside.md")).unwrap();
    common::git::commit_on_head(&git, "Test", "2023-11-14", "links");
    let tree = GitTree::open(&root, "HEAD").unwrap();
    assert!(matches!(
        tree.read("escape.yaml", 1024),
        Err(ReadError::Outside)
    ));
    assert!(matches!(
        tree.read("../secret.yaml", 1024),
        Err(ReadError::Outside)
    ));
    assert_eq!(tree.read("inside.md", 1024).unwrap(), b"# Docs\n");
    assert!(matches!(tree.read("docs", 1024), Err(ReadError::Directory)));
    assert!(matches!(
        tree.read("docs/index.md", 3),
        Err(ReadError::TooLarge { .. })
    ));
    // The working tree agrees on every one of these.
    let disk = WorkTree::new(&root).unwrap();
    assert!(matches!(
        disk.read("escape.yaml", 1024),
        Err(ReadError::Outside)
    ));
    assert_eq!(disk.read("inside.md", 1024).unwrap(), b"# Docs\n");
}

#[test]
fn a_bad_revision_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    let err = GitTree::open(dir.path(), "no-such-branch").err().unwrap();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
    let outside = tempfile::tempdir().unwrap();
    assert!(GitTree::open(outside.path(), "HEAD").is_err());
}
