//! `portolan init [DIR] [--force]`: a catalog repository that works at
//! once. The files are compiled into the binary: the example entities and
//! settings from `scaffold/`, the built-in policies with their tests from
//! `policies/`, and the CI workflows from `docs/ci/` (the ones
//! tests/ci_workflows.rs validates), so what `init` writes is what the
//! repository tests.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// Every file `init` writes: path in DIR, content.
const FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("../../scaffold/README.md")),
    (
        "portolan.toml",
        include_str!("../../scaffold/portolan.toml"),
    ),
    (".gitignore", include_str!("../../scaffold/.gitignore")),
    (
        "org/domain.yaml",
        include_str!("../../scaffold/org/domain.yaml"),
    ),
    (
        "org/system.yaml",
        include_str!("../../scaffold/org/system.yaml"),
    ),
    (
        "org/teams.yaml",
        include_str!("../../scaffold/org/teams.yaml"),
    ),
    (
        "org/users.yaml",
        include_str!("../../scaffold/org/users.yaml"),
    ),
    (
        "components/storefront-web/catalog-info.yaml",
        include_str!("../../scaffold/components/storefront-web/catalog-info.yaml"),
    ),
    (
        "components/storefront-web/mkdocs.yml",
        include_str!("../../scaffold/components/storefront-web/mkdocs.yml"),
    ),
    (
        "components/storefront-web/docs/index.md",
        include_str!("../../scaffold/components/storefront-web/docs/index.md"),
    ),
    (
        "components/storefront-web/docs/architecture.md",
        include_str!("../../scaffold/components/storefront-web/docs/architecture.md"),
    ),
    (
        "components/storefront-web/docs/runbook.md",
        include_str!("../../scaffold/components/storefront-web/docs/runbook.md"),
    ),
    (
        "components/payments-service/catalog-info.yaml",
        include_str!("../../scaffold/components/payments-service/catalog-info.yaml"),
    ),
    (
        "components/payments-service/openapi.yaml",
        include_str!("../../scaffold/components/payments-service/openapi.yaml"),
    ),
    (
        "resources/payments-db.yaml",
        include_str!("../../scaffold/resources/payments-db.yaml"),
    ),
    (
        "policies/production-readiness.rego",
        include_str!("../../policies/production-readiness.rego"),
    ),
    (
        "policies/production-readiness_test.rego",
        include_str!("../../policies/production-readiness_test.rego"),
    ),
    (
        "policies/ownership-hygiene.rego",
        include_str!("../../policies/ownership-hygiene.rego"),
    ),
    (
        "policies/ownership-hygiene_test.rego",
        include_str!("../../policies/ownership-hygiene_test.rego"),
    ),
    (
        "policies/documentation.rego",
        include_str!("../../policies/documentation.rego"),
    ),
    (
        "policies/documentation_test.rego",
        include_str!("../../policies/documentation_test.rego"),
    ),
    (
        ".github/workflows/catalog-pr.yml",
        include_str!("../../docs/ci/github-pr.yml"),
    ),
    (
        ".github/workflows/portal.yml",
        include_str!("../../docs/ci/github-pages.yml"),
    ),
];

/// Why a file cannot be written.
enum Blocked {
    /// It exists (and `--force` was not given).
    Exists,
    /// It, or a folder on the way to it, is a symlink: writing would land
    /// wherever the link points.
    Link(PathBuf),
}

/// Checks the way from `dir` to `rel`: no symlink on it, and no existing
/// file unless `force`.
fn blocked(dir: &Path, rel: &str, force: bool) -> Option<Blocked> {
    let mut at = dir.to_path_buf();
    for part in Path::new(rel).components() {
        let Component::Normal(part) = part else {
            continue;
        };
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Some(Blocked::Link(at)),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    (!force).then_some(Blocked::Exists)
}

pub fn run(dir: PathBuf, force: bool) -> ExitCode {
    if dir.exists() && !dir.is_dir() {
        eprintln!("error: `{}` is not a folder", dir.display());
        return ExitCode::from(2);
    }
    let mut existing = Vec::new();
    for (rel, _) in FILES {
        match blocked(&dir, rel, force) {
            None => {}
            Some(Blocked::Exists) => existing.push(*rel),
            Some(Blocked::Link(at)) => {
                eprintln!(
                    "error: `{}` is a symlink; init writes only real files and folders inside `{}`, so nothing was written",
                    at.display(),
                    dir.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    if !existing.is_empty() {
        eprintln!(
            "error: `{}` already has {} of the files init writes ({}); nothing was written. Pass --force to overwrite them",
            dir.display(),
            existing.len(),
            existing.join(", ")
        );
        return ExitCode::from(2);
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    let shown = dir.display();
    super::print(&format!(
        "created a catalog repository in {shown} ({} files). Next:\n  portolan serve {shown}         # preview the portal; it reloads when you save\n  portolan check {shown}         # what CI checks on every pull request\n  portolan policy test {shown}   # the scorecards' own tests\n{shown}/README.md says what each folder is for and how to publish the portal.\n",
        FILES.len()
    ));
    ExitCode::SUCCESS
}
