#!/usr/bin/python3
"""The docs a newcomer reads hold together (no VM, no module):

- every relative link in README.md and docs/*.md names a file that
  exists, and a #fragment names a heading of that file;
- every `make TARGET` the README and docs/ name is a target of the
  Makefile or of a tool's own (make -C tools/X TARGET);
- README.md is at most 300 lines.

Prints one PASS/FAIL line a check and exits 1 if any failed.
usage: tests/docs_check.py [REPO]
"""
import os
import re
import subprocess
import sys

REPO = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), ".."))
README_MAX = 300
failed = False


def result(ok, name, why=""):
    global failed
    print(("PASS " if ok else "FAIL ") + name + (": " + why if why and not ok else ""))
    failed |= not ok


def anchors(path):
    """GitHub's heading anchors of a markdown file."""
    out = set()
    in_code = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                in_code = not in_code
            if in_code or not line.startswith("#"):
                continue
            text = line.lstrip("#").strip().lower()
            text = re.sub(r"[^\w\- ]", "", text)
            out.add(text.replace(" ", "-"))
    return out


def md_files():
    files = [os.path.join(REPO, "README.md")]
    docs = os.path.join(REPO, "docs")
    files += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    return files


def strip_code(text):
    """Markdown without fenced blocks (links there are not links)."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def check_links():
    bad = []
    for md in md_files():
        text = strip_code(open(md, encoding="utf-8").read())
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):      # http:, https:, mailto:
                continue
            path, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            rel = os.path.relpath(md, REPO)
            if not os.path.exists(dest):
                bad.append(f"{rel}: {target} (no such file)")
            elif frag and dest.endswith(".md") and frag not in anchors(dest):
                bad.append(f"{rel}: {target} (no such heading)")
    result(not bad, "docs_links", "; ".join(bad))


def make_targets(directory):
    """The targets make knows in directory's Makefile (its database)."""
    r = subprocess.run(["make", "-pRrq", "-C", directory, ":"],
                       capture_output=True, text=True)
    return set(re.findall(r"^([a-zA-Z][\w.-]*):", r.stdout, flags=re.M))


def check_make_targets():
    names = set()
    for md in md_files():
        text = open(md, encoding="utf-8").read()
        for m in re.finditer(r"`make ([a-z][\w.-]*)(?![\w./<-])", text):
            names.add(m.group(1))
    known = make_targets(REPO)
    # `make fuzz` and the like are the tools' own (make -C tools/efsctl ...)
    for tool in os.listdir(os.path.join(REPO, "tools")):
        if os.path.exists(os.path.join(REPO, "tools", tool, "Makefile")):
            known |= make_targets(os.path.join(REPO, "tools", tool))
    bad = sorted(names - known)
    result(not bad, "docs_make_targets", "no such target: " + ", ".join(bad))


def check_readme_length():
    n = sum(1 for _ in open(os.path.join(REPO, "README.md"), encoding="utf-8"))
    result(n <= README_MAX, "readme_length", f"{n} lines, want <= {README_MAX}")


check_links()
check_make_targets()
check_readme_length()
sys.exit(1 if failed else 0)
