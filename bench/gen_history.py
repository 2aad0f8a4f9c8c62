#!/usr/bin/env python3
"""A `git fast-import` stream for a catalog folder: one commit importing every
file, then COMMITS-1 commits each touching one to three entity files or docs
pages, spread over the tree with a prime stride. Commit i is dated
1,700,000,000 + i * STEP_SECONDS, so a bench chooses how the commits spread
over time (an hour apart for history facts, evenly over half a year for
score history samples). Deterministic; standard library only.

    python3 bench/gen_history.py ROOT COMMITS STEP_SECONDS | git -C ROOT fast-import
"""
import os, sys
root, commits, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout.buffer
files = []
for d, dirs, names in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x != ".git")
    for n in sorted(names):
        rel = os.path.relpath(os.path.join(d, n), root)
        if not n.startswith("."):
            files.append(rel)
files.sort()
changing = [f for f in files if f.endswith("catalog-info.yaml") or f.endswith(".md")]
base = 1_700_000_000
authors = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"]

def data(b):
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

def commit(i, who, msg, changes):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer %s <%s@example.com> %d +0000\n" % (who.encode(), who.lower().encode(), base + i * step))
    data(msg.encode())
    for path, content in changes:
        out.write(b"M 100644 inline %s\n" % path.encode())
        data(content)

initial = []
for f in files:
    with open(os.path.join(root, f), "rb") as fh:
        initial.append((f, fh.read()))
commit(0, "Alice", "Import the catalog", initial)
contents = dict(initial)
k = 0
for i in range(1, commits):
    changes = []
    for _ in range(1 + i % 3):
        f = changing[k % len(changing)]
        k += 7919
        contents[f] = contents[f] + b"# touched by commit %d\n" % i
        changes.append((f, contents[f]))
    commit(i, authors[i % len(authors)], "Change %d" % i, changes)
out.write(b"done\n")
