//! History facts: for each entity file and docs page, the last commit that
//! changed it, the first one that added it and how many people touched it.
//!
//! They come from one walk of the history (from HEAD, or from the commit
//! `--rev` names), read with git2: each commit's tree is compared with its
//! first parent's, descending only into subtrees whose ids differ and that
//! hold a file of interest, so the cost grows with the commits and what
//! they change, not with commits × files. Every time is a commit's; nothing
//! here reads the clock.
//!
//! A shallow clone has cut history: the oldest commit it holds would look
//! like the one that added every file. Its facts are therefore marked
//! unavailable (with one warning) instead of being silently wrong.

use crate::diagnostics::{Code, Diagnostic};
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

/// One commit, as the facts show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The full commit id.
    pub commit: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub author: String,
    /// The first line of the message.
    pub summary: String,
}

impl Change {
    /// The commit's day (UTC).
    pub fn date(&self) -> crate::date::Date {
        crate::date::Date(self.time.div_euclid(86_400))
    }
}

/// What git says about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHistory {
    /// The newest commit that changed the file.
    pub last_change: Change,
    /// The oldest commit that changed (added) it.
    pub first_commit: Change,
    /// Distinct authors (by e-mail, else name) of the commits that changed it.
    pub contributors: usize,
}

/// History facts by file, relative to ROOT (entity files and docs pages).
#[derive(Clone, Debug, Default)]
pub struct History {
    pub files: HashMap<String, FileHistory>,
}

impl History {
    pub fn file(&self, rel: &str) -> Option<&FileHistory> {
        self.files.get(rel)
    }
}

/// The history facts of a run.
#[derive(Clone, Debug, Default)]
pub enum Git {
    /// Not gathered: the catalog is not in a git repository (or the run
    /// needs no facts). Policies see `input.git: null`.
    #[default]
    Absent,
    /// In a repository whose history cannot be trusted (a shallow clone).
    Unavailable {
        reason: String,
    },
    Available(History),
}

impl Git {
    pub fn history(&self) -> Option<&History> {
        match self {
            Git::Available(h) => Some(h),
            _ => None,
        }
    }
}

/// When an entity file is stale: it has not changed in more than `days`
/// days before `today` (`[git] stale_days` and `--today`; never the clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staleness {
    pub days: u64,
    pub today: crate::date::Date,
}

impl Default for Staleness {
    fn default() -> Self {
        Staleness {
            days: crate::config::STALE_DAYS.default,
            today: crate::date::Date(0),
        }
    }
}

impl Staleness {
    /// Whole days from the file's last change to `today` (0 for a change
    /// dated after it).
    pub fn age_days(&self, f: &FileHistory) -> i64 {
        (self.today.0 - f.last_change.date().0).max(0)
    }

    pub fn is_stale(&self, f: &FileHistory) -> bool {
        u64::try_from(self.age_days(f)).is_ok_and(|age| age > self.days)
    }
}

/// Why history facts are unavailable on a shallow clone.
pub const SHALLOW_REASON: &str =
    "the repository is a shallow clone, so the commits that changed each file are not all there";

/// Which of two of `files` git added first, by ancestry of the commits
/// that added them (see `catalog::resolve::keeper`): `None` outside git or
/// on a shallow clone, where history cannot settle who was first.
pub fn added_before(
    root: &Path,
    at: Option<Oid>,
    files: &[String],
) -> Option<crate::catalog::resolve::AddedBeforeFn> {
    let (git, _) = collect(root, at, files);
    let history = git.history()?;
    let added: HashMap<String, Oid> = files
        .iter()
        .filter_map(|f| {
            let oid = Oid::from_str(&history.file(f)?.first_commit.commit).ok()?;
            Some((f.clone(), oid))
        })
        .collect();
    let repo = Repository::discover(root).ok()?;
    Some(Box::new(move |a, b| match (added.get(a), added.get(b)) {
        (Some(x), Some(y)) => x != y && repo.graph_descendant_of(*y, *x).unwrap_or(false),
        _ => false,
    }))
}

/// Gathers the history of `files` (relative to ROOT) for the catalog at
/// `root`, walking from `at` (the commit `--rev` read) or from HEAD.
/// Returns the facts and, on a shallow clone, the one warning saying so.
pub fn collect(root: &Path, at: Option<Oid>, files: &[String]) -> (Git, Option<Diagnostic>) {
    collect_many(root, &[(at, files)])
        .pop()
        .unwrap_or((Git::Absent, None))
}

/// The commit HEAD points at in the repository holding `root`, if any:
/// history facts depend on it and on the files asked about, nothing else
/// (`serve` keeps them while both stay the same).
pub fn head(root: &Path) -> Option<Oid> {
    Repository::discover(root).ok()?.head().ok()?.target()
}

/// [`collect`] for several catalogs of one repository at once (`check
/// --base` reads the base and the working tree): one walk over the union
/// of their histories, each commit's changes compared once and credited to
/// every start that reaches it. Each result equals its own [`collect`].
pub fn collect_many(
    root: &Path,
    runs: &[(Option<Oid>, &[String])],
) -> Vec<(Git, Option<Diagnostic>)> {
    let all = |g: Git, d: Option<Diagnostic>| runs.iter().map(|_| (g.clone(), d.clone())).collect();
    let Ok(repo) = Repository::discover(root) else {
        return all(Git::Absent, None);
    };
    let Some(prefix) = prefix(&repo, root) else {
        return all(Git::Absent, None);
    };
    if repo.is_shallow() {
        let d = Diagnostic::new(
            Code::GitShallow,
            format!("git history facts are unavailable: {SHALLOW_REASON}"),
        )
        .help("fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout) so last-change facts and the `recently-changed` check can be judged");
        return all(
            Git::Unavailable {
                reason: SHALLOW_REASON.to_owned(),
            },
            Some(d),
        );
    }
    // An unborn HEAD (no commit yet) has no history: every file is new.
    let head = || {
        repo.head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id())
    };
    let starts: Vec<Option<Oid>> = runs.iter().map(|(at, _)| at.or_else(head)).collect();
    let lists: Vec<&[String]> = runs.iter().map(|(_, files)| *files).collect();
    let histories = walk(&repo, &starts, &prefix, &lists)
        .unwrap_or_else(|| runs.iter().map(|_| History::default()).collect());
    histories
        .into_iter()
        .map(|h| (Git::Available(h), None))
        .collect()
}

/// The catalog root relative to the repository's working tree
/// (`/`-separated, no trailing `/`); `None` when it lies outside it.
pub fn prefix(repo: &Repository, root: &Path) -> Option<String> {
    let Some(workdir) = repo.workdir() else {
        return Some(String::new());
    };
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (root, workdir) = (canon(root), canon(workdir));
    let rel = root.strip_prefix(&workdir).ok()?;
    Some(crate::source::worktree::rel_name(Path::new(""), rel))
}

/// The paths a walk looks for: files by repository path, and every folder
/// holding one (`""` is the top).
struct Interest {
    files: HashMap<String, usize>,
    dirs: HashSet<String>,
}

impl Interest {
    fn new(prefix: &str, files: &[String]) -> Interest {
        let mut map = HashMap::with_capacity(files.len());
        let mut dirs = HashSet::new();
        dirs.insert(String::new());
        for (i, f) in files.iter().enumerate() {
            let full = if prefix.is_empty() {
                f.clone()
            } else {
                format!("{prefix}/{f}")
            };
            let mut d = full.as_str();
            while let Some((parent, _)) = d.rsplit_once('/') {
                if !dirs.insert(parent.to_owned()) {
                    break;
                }
                d = parent;
            }
            map.insert(full, i);
        }
        Interest { files: map, dirs }
    }
}

/// What the walk has seen of one file so far.
struct Seen {
    last: Change,
    first: Change,
    authors: HashSet<String>,
}

/// Walks the history from every start at once. `lists[i]` are the files
/// start `i` wants; a commit's changes are credited to the starts that
/// reach it, so each result is what a walk from its own start would give.
fn walk(
    repo: &Repository,
    starts: &[Option<Oid>],
    prefix: &str,
    lists: &[&[String]],
) -> Option<Vec<History>> {
    // libgit2 re-hashes every object it reads to verify its id; on a walk
    // that reads thousands of large trees that was half of the time. The
    // objects come from the local repository the catalog itself is read
    // from, so nothing is gained by checking them again.
    git2::opts::strict_hash_verification(false);
    let mut files: Vec<String> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
    files.sort();
    files.dedup();
    let want = Interest::new(prefix, &files);
    // Per start: which of the union's files it wants, and what it saw.
    let wanted: Vec<HashSet<&str>> = lists
        .iter()
        .map(|l| l.iter().map(String::as_str).collect())
        .collect();
    let mut seen: Vec<Vec<Option<Seen>>> = lists
        .iter()
        .map(|_| (0..files.len()).map(|_| None).collect())
        .collect();
    // With several distinct starts, the commits each one reaches (a walk
    // of the commit graph only, without trees: cheap next to the diffs).
    let mut distinct: Vec<Oid> = starts.iter().flatten().copied().collect();
    distinct.sort();
    distinct.dedup();
    let reach: Option<Vec<Option<HashSet<Oid>>>> = (distinct.len() > 1).then(|| {
        starts
            .iter()
            .map(|s| {
                let s = (*s)?;
                let mut w = repo.revwalk().ok()?;
                w.push(s).ok()?;
                Some(w.filter_map(Result::ok).collect())
            })
            .collect()
    });
    let mut revwalk = repo.revwalk().ok()?;
    revwalk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME).ok()?;
    for start in &distinct {
        revwalk.push(*start).ok()?;
    }
    let mut cache = TreeCache::new(repo)?;
    let mut changed = Vec::new();
    for oid in revwalk {
        let Ok(commit) = oid.and_then(|o| repo.find_commit(o)) else {
            continue;
        };
        let Some(tree) = cache.get(commit.tree_id()) else {
            continue;
        };
        let parent = match commit.parent_id(0) {
            Ok(p) => repo
                .find_commit(p)
                .ok()
                .and_then(|p| cache.get(p.tree_id())),
            Err(_) => None,
        };
        changed.clear();
        diff(
            &mut cache,
            parent.as_deref(),
            Some(&tree),
            "",
            &want,
            &mut changed,
        );
        if changed.is_empty() {
            continue;
        }
        // A merge changes a file only if the file differs from every
        // parent: one it took unchanged from a side branch was changed
        // by that branch's commits, which the walk meets too.
        if commit.parent_count() > 1 {
            let others: Vec<Tree> = (1..commit.parent_count())
                .filter_map(|i| commit.parent(i).ok()?.tree().ok())
                .collect();
            let Ok(tree) = commit.tree() else {
                continue;
            };
            changed.retain(|(path, _)| {
                let id = tree.get_path(Path::new(path)).ok().map(|e| e.id());
                !others
                    .iter()
                    .any(|t| t.get_path(Path::new(path)).ok().map(|e| e.id()) == id)
            });
            if changed.is_empty() {
                continue;
            }
        }
        let author = commit.author();
        let change = Change {
            commit: commit.id().to_string(),
            time: commit.time().seconds(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            summary: commit
                .summary_bytes()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default(),
        };
        let who = if author.email_bytes().is_empty() {
            change.author.clone()
        } else {
            String::from_utf8_lossy(author.email_bytes()).to_lowercase()
        };
        for (run, seen) in seen.iter_mut().enumerate() {
            if starts[run].is_none()
                || reach.as_ref().is_some_and(|r| {
                    !r[run]
                        .as_ref()
                        .is_some_and(|set| set.contains(&commit.id()))
                })
            {
                continue;
            }
            for (_, i) in &changed {
                if wanted[run].contains(files[*i].as_str()) {
                    credit(&mut seen[*i], &change, &who);
                }
            }
        }
    }
    let histories = seen
        .into_iter()
        .zip(&wanted)
        .map(|(seen, wanted)| History {
            files: files
                .iter()
                .zip(seen)
                .filter(|(f, _)| wanted.contains(f.as_str()))
                .filter_map(|(f, s)| {
                    let s = s?;
                    Some((
                        f.clone(),
                        FileHistory {
                            last_change: s.last,
                            first_commit: s.first,
                            contributors: s.authors.len(),
                        },
                    ))
                })
                .collect(),
        })
        .collect();
    Some(histories)
}

/// Records one commit's change of a file, walking newest first.
fn credit(slot: &mut Option<Seen>, change: &Change, who: &str) {
    match slot {
        Some(s) => {
            // Walked newest first: each older commit moves `first`.
            s.first = change.clone();
            s.authors.insert(who.to_owned());
        }
        None => {
            *slot = Some(Seen {
                last: change.clone(),
                first: change.clone(),
                authors: HashSet::from([who.to_owned()]),
            });
        }
    }
}

/// Recently read trees, as raw object bytes. Parsing a tree into git2
/// entries allocates each entry, and a folder of thousands of entity
/// folders is read for almost every commit; the raw bytes are compared in
/// place instead. A linear history reads each tree twice (as a commit's
/// and as its child's parent), so the last few are kept.
struct TreeCache<'r> {
    odb: git2::Odb<'r>,
    trees: HashMap<Oid, Rc<[u8]>>,
}

impl<'r> TreeCache<'r> {
    const MAX: usize = 256;

    fn new(repo: &'r Repository) -> Option<TreeCache<'r>> {
        Some(TreeCache {
            odb: repo.odb().ok()?,
            trees: HashMap::new(),
        })
    }

    fn get(&mut self, oid: Oid) -> Option<Rc<[u8]>> {
        if let Some(t) = self.trees.get(&oid) {
            return Some(t.clone());
        }
        let object = self.odb.read(oid).ok()?;
        if object.kind() != ObjectType::Tree {
            return None;
        }
        let t: Rc<[u8]> = Rc::from(object.data());
        if self.trees.len() >= Self::MAX {
            self.trees.clear();
        }
        self.trees.insert(oid, t.clone());
        Some(t)
    }
}

/// One entry of a raw tree object: `<mode> <name>\0<20-byte id>`.
#[derive(Clone, Copy)]
struct Entry<'a> {
    name: &'a [u8],
    id: &'a [u8],
    tree: bool,
    /// The entry's size in the tree object.
    len: usize,
}

/// The entries of a raw tree, in order; stops at malformed data.
struct Entries<'a>(&'a [u8]);

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        let data = self.0;
        let space = data.iter().position(|&b| b == b' ')?;
        let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
        let end = nul + 1 + 20;
        if end > data.len() {
            self.0 = &[];
            return None;
        }
        let entry = Entry {
            // Folders are mode `40000`; files `100644`, `100755`, links
            // `120000`, submodules `160000`.
            tree: &data[..space] == b"40000",
            name: &data[space + 1..nul],
            id: &data[nul + 1..end],
            len: end,
        };
        self.0 = &data[end..];
        Some(entry)
    }
}

/// The id of a non-folder entry.
fn blob<'a>(e: Option<Entry<'a>>) -> Option<&'a [u8]> {
    e.filter(|e| !e.tree).map(|e| e.id)
}

/// How many leading bytes `a` and `b` share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 64 <= n && a[n - i - 64..n - i] == b[n - i - 64..n - i] {
        i += 64;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// git's tree order: a folder sorts as if its name ended in `/`.
fn git_order(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {
            let next = |e: &Entry| match e.name.get(n) {
                Some(&c) => c,
                None if e.tree => b'/',
                None => 0,
            };
            next(a).cmp(&next(b))
        }
        other => other,
    }
}

/// Collects the files of interest that differ between the trees `old` and
/// `new` (raw objects) at folder `dir` (`""` or ending in `/`), with their
/// index, descending only into folders whose ids differ and that hold a
/// file of interest.
fn diff(
    cache: &mut TreeCache,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
    dir: &str,
    want: &Interest,
    out: &mut Vec<(String, usize)>,
) {
    let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
    // Trees that differ in one entry share long runs of bytes: whole
    // entries before the first differing byte are skipped, and the pass
    // stops once both sides are inside the common tail at the same length.
    let prefix = common_prefix(old, new);
    let suffix = common_suffix(old, new);
    let mut start = 0;
    let mut skip = Entries(old);
    while skip.next().is_some() {
        let end = old.len() - skip.0.len();
        if end > prefix {
            break;
        }
        start = end;
    }
    let mut a = Entries(&old[start..]);
    let mut b = Entries(&new[start..]);
    let (mut pa, mut pb) = (a.next(), b.next());
    loop {
        let left = |it: &Entries, e: Option<Entry>| it.0.len() + e.map_or(0, |e| e.len);
        let (ra, rb) = (left(&a, pa), left(&b, pb));
        if ra == rb && ra <= suffix {
            break;
        }
        let (x, y) = match (pa, pb) {
            (None, None) => break,
            (Some(x), None) => (Some(x), None),
            (None, Some(y)) => (None, Some(y)),
            (Some(x), Some(y)) => match git_order(&x, &y) {
                std::cmp::Ordering::Less => (Some(x), None),
                std::cmp::Ordering::Greater => (None, Some(y)),
                std::cmp::Ordering::Equal => (Some(x), Some(y)),
            },
        };
        if x.is_some() {
            pa = a.next();
        }
        if y.is_some() {
            pb = b.next();
        }
        if let (Some(x), Some(y)) = (x, y)
            && x.id == y.id
        {
            continue;
        }
        let Some(name) = x.or(y).and_then(|e| std::str::from_utf8(e.name).ok()) else {
            continue;
        };
        let path = format!("{dir}{name}");
        if blob(x) != blob(y)
            && let Some(&i) = want.files.get(&path)
        {
            out.push((path.clone(), i));
        }
        let sub = |e: Option<Entry>, cache: &mut TreeCache| {
            e.filter(|e| e.tree)
                .and_then(|e| Oid::from_bytes(e.id).ok())
                .and_then(|id| cache.get(id))
        };
        if (x.is_some_and(|e| e.tree) || y.is_some_and(|e| e.tree)) && want.dirs.contains(&path) {
            let (ta, tb) = (sub(x, cache), sub(y, cache));
            diff(
                cache,
                ta.as_deref(),
                tb.as_deref(),
                &format!("{path}/"),
                want,
                out,
            );
        }
    }
}
