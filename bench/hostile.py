#!/usr/bin/env python3
"""Write a hostile catalog: every kind of bad file Portolan must survive.

    python3 bench/hostile.py OUT_DIR

It holds an alias bomb ("billion laughs"), a 50 MB YAML file, a binary file
named like YAML, a symlink loop, a symlink to /etc/passwd, a symlink to a
directory outside the root, and 20 good Components with their owner Group
that must still be checked. Standard library only.
"""

import os
import shutil
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    if os.path.lexists(out):
        shutil.rmtree(out)
    os.makedirs(out)

    def write(name, text):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)

    write("group.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n"
          "spec:\n  type: team\n  children: []\n")
    for i in range(20):
        write(f"good-{i:02}.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
              f"  name: good-{i:02}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n")

    # Billion laughs: 10 levels of 10 aliases = 10^10 nodes if expanded.
    bomb = ["apiVersion: backstage.io/v1alpha1", "kind: Component", "metadata:", "  name: bomb",
            "  annotations:", "    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        bomb.append(f"    a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    write("bomb.yaml", "\n".join(bomb) + "\n")

    # 50 MB: a valid-looking entity with a gigantic description.
    with open(os.path.join(out, "huge.yaml"), "w") as f:
        f.write("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: huge\n  description: ")
        chunk = "x" * (1024 * 1024)
        for _ in range(50):
            f.write(chunk)
        f.write("\n")

    with open(os.path.join(out, "binary.yaml"), "wb") as f:
        f.write(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)

    os.symlink("loop-b.yaml", os.path.join(out, "loop-a.yaml"))
    os.symlink("loop-a.yaml", os.path.join(out, "loop-b.yaml"))
    os.symlink("/etc/passwd", os.path.join(out, "passwd.yaml"))
    os.symlink("/etc", os.path.join(out, "outside"))
    print(f"hostile catalog written to {out}: 21 good entities, 7 bad files")


if __name__ == "__main__":
    main()
