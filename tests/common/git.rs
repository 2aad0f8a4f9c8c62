//! Git repositories for tests, built with git2 with fixed author and
//! committer times, so every date a test reads is known.

use portolan::date::Date;
use std::path::Path;

/// Seconds at noon UTC of a day.
pub fn at(day: &str) -> i64 {
    Date::parse(day).unwrap().0 * 86_400 + 12 * 3600
}

pub fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// Commits the whole work tree (deletions included) as `who` on `day`,
/// with `parents`; moves HEAD only when `head` is true.
pub fn commit(
    repo: &git2::Repository,
    who: &str,
    day: &str,
    message: &str,
    parents: &[git2::Oid],
    head: bool,
) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let email = format!(
        "{}@example.com",
        who.split(' ').next().unwrap().to_lowercase()
    );
    let sig = git2::Signature::new(who, &email, &git2::Time::new(at(day), 0)).unwrap();
    let parents: Vec<git2::Commit> = parents
        .iter()
        .map(|p| repo.find_commit(*p).unwrap())
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(head.then_some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

/// Commits the whole work tree on top of HEAD (the first commit when there
/// is none) and moves HEAD to it.
pub fn commit_on_head(repo: &git2::Repository, who: &str, day: &str, message: &str) -> git2::Oid {
    let parents: Vec<git2::Oid> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id())
        .into_iter()
        .collect();
    commit(repo, who, day, message, &parents, true)
}
