#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The include and call graph of efs.ko's source files (module/).

A unit is a file's name without its extension: foo.c and foo.h are one
unit, foo_test.c (a KUnit suite) is a unit of its own. A unit depends on
another when one of its files
  - includes the other's header ("#include "bar.h""), or
  - uses an efs_* function, function-like macro or variable that the
    other unit defines (non-static in a .c file; in a header, static
    inline functions and macros too).
A name that a file defines itself resolves to that file first.

Prints each unit with what it depends on and through which names,
leaves first, and exits 1 if the graph has a cycle, or if two .c files
both define one non-static name (a test double standing in for
another file's code: the suite would not link against the real one).

Usage: tests/module_graph.py [--dot] [DIR]   (DIR defaults to module/)
"""

import os
import re
import sys

IDENT = re.compile(r"\b(efs_\w+)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
DEFINE = re.compile(r"^\s*#\s*define\s+(efs_\w+)\(")
DEF_MACRO = re.compile(
    r"\b(?:DEFINE|DECLARE)_\w*\(\s*(efs_\w+)|\bLIST_HEAD\(\s*(efs_\w+)\s*\)")


def strip(text, strings=True):
    """Comments (and string or character literals) out, lines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'" and strings:
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_cpp(code):
    """(preprocessor lines, code with them blanked), continuations joined."""
    cpp, rest = [], []
    lines = code.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            full = line
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1] + " " + lines[i]
                rest.append("")
            cpp.append(full)
            rest.append("")
        else:
            rest.append(line)
        i += 1
    return cpp, "\n".join(rest)


def top_level_decls(code):
    """Top-level declarations: (text up to ';' or '{', ended by '{')."""
    decls, buf, depth, i, n = [], [], 0, 0, len(code)
    skip_to_semicolon = False
    while i < n:
        c = code[i]
        if depth == 0:
            if c == "{":
                text = "".join(buf)
                decls.append((text, True))
                buf = []
                depth = 1
                # A struct's or an initializer's body ends with ';'.
                skip_to_semicolon = "(" not in text or "=" in text
            elif c == ";":
                if skip_to_semicolon:
                    skip_to_semicolon = False
                else:
                    decls.append(("".join(buf), False))
                buf = []
            elif c == "}":
                pass
            else:
                buf.append(c)
        else:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0 and not skip_to_semicolon:
                    buf = []
        i += 1
    return decls


def paren_depth0(text):
    """text with everything inside parentheses removed."""
    out, depth = [], 0
    for c in text:
        if c == "(":
            if depth == 0:
                out.append("(")
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


class Source:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        stem, ext = os.path.splitext(self.name)
        self.unit = stem
        self.header = ext == ".h"
        with open(path, errors="replace") as f:
            text = f.read()
        code = strip(text)
        cpp, body = split_cpp(code)
        self.includes = []
        for line in split_cpp(strip(text, strings=False))[0]:
            m = INCLUDE.match(line)
            if m:
                self.includes.append(m.group(1))
        self.defs = set()       # names visible to other files
        self.local = set()      # names only this file sees
        for line in cpp:
            m = DEFINE.match(line)
            if m:
                self.defs.add(m.group(1))
        for text, brace in top_level_decls(body):
            self._decl(text, brace)
        # Every efs_* name the file mentions (macro bodies included).
        self.uses = set(IDENT.findall(body))
        for line in cpp:
            if not INCLUDE.match(line):
                self.uses |= set(IDENT.findall(line))

    def _decl(self, text, brace):
        flat = " ".join(text.split())
        if not flat:
            return
        words = flat.split()
        if "typedef" in words:
            return
        static = "static" in words
        names = []
        for m in DEF_MACRO.finditer(flat):
            names.append(m.group(1) or m.group(2))
        top = paren_depth0(flat)
        if "=" in top:
            m = re.search(r"(efs_\w+)\s*(?:\[[^\]]*\]\s*)*=", top)
            if m:
                names.append(m.group(1))
        elif brace and "(" in top:
            m = re.search(r"(efs_\w+)\s*\($", top.split("(")[0] + "(")
            if m:
                names.append(m.group(1))
        elif not brace and "(" not in top and "extern" not in words:
            # Not a forward declaration ("struct efs_fs;").
            m = re.search(r"(\w+)\s+(efs_\w+)\s*(?:\[[^\]]*\]\s*)*$",
                          top)
            if m and m.group(1) not in ("struct", "union", "enum"):
                names.append(m.group(2))
        for name in names:
            # A header's static inline is its includers' too.
            if static and not self.header:
                self.local.add(name)
            else:
                self.defs.add(name)


def load(directory):
    files = sorted(f for f in os.listdir(directory)
                   if f.endswith((".c", ".h")))
    return [Source(os.path.join(directory, f)) for f in files]


def build(sources):
    units = {}
    for s in sources:
        units.setdefault(s.unit, []).append(s)
    owner, errors = {}, []
    for s in sources:
        for name in s.defs:
            prev = owner.get(name)
            if prev and prev.unit != s.unit and not (prev.header and s.header):
                errors.append(f"{name} is defined in both {prev.name} and "
                              f"{s.name}")
            if not prev or (prev.header and not s.header):
                owner[name] = s
    headers = {s.name: s.unit for s in sources if s.header}
    edges = {u: {} for u in units}
    for s in sources:
        for inc in s.includes:
            unit = headers.get(inc)
            if unit and unit != s.unit:
                edges[s.unit].setdefault(unit, set()).add("#include " + inc)
        own = set()
        for f in units[s.unit]:
            own |= f.defs
        for name in sorted(s.uses):
            if name in s.local or name in own:
                continue
            d = owner.get(name)
            if d and d.unit != s.unit:
                edges[s.unit].setdefault(d.unit, set()).add(name)
    return units, edges, errors


def cycles(edges):
    """Strongly connected components with more than one unit (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges[v]:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def levels(edges):
    """Height of each unit: 0 for a leaf, else 1 + its deepest dependency."""
    height = {}

    def h(v, seen):
        if v in height:
            return height[v]
        if v in seen:
            return 0
        seen.add(v)
        height[v] = 1 + max((h(w, seen) for w in edges[v]), default=-1)
        return height[v]

    for v in edges:
        h(v, set())
    return height


def short(labels):
    """#include lines first, then the names used."""
    inc = sorted(x for x in labels if x.startswith("#"))
    names = sorted(x for x in labels if not x.startswith("#"))
    shown = [x.split()[1] for x in inc] + names
    return ", ".join(shown)


def main(argv):
    dot = "--dot" in argv
    args = [a for a in argv if a != "--dot"]
    directory = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "module")
    sources = load(directory)
    units, edges, errors = build(sources)
    found = cycles(edges)
    height = levels(edges)
    order = sorted(units, key=lambda u: (u.endswith("_test"), height[u], u))

    if dot:
        print("digraph efs {")
        for u in order:
            for d in sorted(edges[u]):
                print(f'\t"{u}" -> "{d}";')
        print("}")
    else:
        for u in order:
            files = " ".join(s.name for s in units[u])
            deps = sorted(edges[u], key=lambda d: (height[d], d))
            print(f"{u} [{files}] level {height[u]}")
            for d in deps:
                print(f"    -> {d}: {short(edges[u][d])}")
    status = 0
    for e in errors:
        print(f"module_graph: {e}", file=sys.stderr)
        status = 1
    for comp in found:
        print("module_graph: cycle among " + ", ".join(comp), file=sys.stderr)
        for u in comp:
            for d in sorted(edges[u]):
                if d in comp:
                    print(f"    {u} -> {d}: {short(edges[u][d])}",
                          file=sys.stderr)
        status = 1
    if status == 0:
        print(f"module_graph: {len(units)} units, no cycle")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
