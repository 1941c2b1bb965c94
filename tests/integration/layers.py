#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layers of the whole program (README, "Development"), checked on the
built libraries.

src/core/<layer>/ holds each module of the core; a module may use only
modules of its own layer or of the layers below. Above the core stands
present/, and above that the two faces, cli/ and tui/, siblings that never
use each other. Uses are read from the object files (a function or table
one module refers to and another defines), so they are what the code does,
not what its comments say. No modules anywhere may use each other, even
through others. Prints one line per broken rule.

Usage: layers.py SOURCE_ROOT core=LIBRARY [present=LIBRARY] [cli=LIBRARY] [tui=LIBRARY]
"""
import collections
import os
import re
import subprocess
import sys

LAYERS = ["base", "text", "store", "engine", "ops", "auto", "env"]
# Rank of each folder above the core's layers; faces of one rank are siblings.
FACES = {"present": len(LAYERS), "cli": len(LAYERS) + 1, "tui": len(LAYERS) + 1}

root = sys.argv[1]
libraries = dict(arg.split("=", 1) for arg in sys.argv[2:])
core = os.path.join(root, "src", "core")
problems = []

# Where each module lives: "ops/restore" is layer ops, "tui/app" folder tui.
unit_of = {}
for layer in os.listdir(core):
    folder = os.path.join(core, layer)
    if not os.path.isdir(folder):
        continue
    if layer not in LAYERS:
        problems.append(f"src/core/{layer}/ is no layer of {LAYERS}")
        continue
    for name in os.listdir(folder):
        if name.endswith(".c"):
            unit_of[f"{layer}/{name[:-2]}"] = layer
for name in os.listdir(core):
    if name.endswith((".c", ".h")):
        problems.append(f"src/core/{name} sits in no layer")
for face in FACES:
    folder = os.path.join(root, "src", face)
    for name in os.listdir(folder) if os.path.isdir(folder) else ():
        if name.endswith(".c"):
            unit_of[f"{face}/{name[:-2]}"] = face


def rank(module):
    unit = unit_of[module]
    return LAYERS.index(unit) if unit in LAYERS else FACES[unit]


def module_of(library, member):
    """The module an archive member was built from ("ops_x.c.o" of core is ops/x)."""
    base = os.path.basename(member)[:-len(".c.o")]
    if library == "core":
        for layer in LAYERS:
            if base.startswith(layer + "_") and f"{layer}/{base[len(layer) + 1:]}" in unit_of:
                return f"{layer}/{base[len(layer) + 1:]}"
        return None
    return f"{library}/{base}" if f"{library}/{base}" in unit_of else None


# Who defines and who refers to each symbol, from the archives' members.
defines, calls = {}, collections.defaultdict(set)
for library, path in libraries.items():
    nm = subprocess.run(["nm", "-A", path], capture_output=True, text=True, check=True).stdout
    for line in nm.splitlines():
        m = re.match(r"^[^:]*:([^:]+\.c\.o):\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\w+)$", line)
        if not m:
            continue
        member, kind, symbol = m.groups()
        module = module_of(library, member)
        if module is None:
            problems.append(f"{member} of {library} comes from no module of src/")
            continue
        if kind == "U":
            calls[module].add(symbol)
        elif kind in "TDBR":
            defines[symbol] = module
uses = collections.defaultdict(set)
for module, symbols in calls.items():
    for s in symbols:
        if s in defines and defines[s] != module:
            uses[module].add((defines[s], s))


def where(module):
    return module + ".c"


for module in sorted(uses):
    by_callee = collections.defaultdict(list)
    for callee, symbol in sorted(uses[module]):
        by_callee[callee].append(symbol)
    for callee, symbols in sorted(by_callee.items()):
        a, b = unit_of[module], unit_of[callee]
        if rank(callee) > rank(module):
            problems.append(f"{where(module)} calls {', '.join(symbols)} of {where(callee)}, a layer above")
        elif rank(callee) == rank(module) and a != b:
            problems.append(f"{where(module)} calls {', '.join(symbols)} of {where(callee)}: the faces are siblings")

# No two modules use each other, even through others (Tarjan's components).
graph = {m: {c for c, _ in uses[m]} for m in uses}
index, low, stack, on, count = {}, {}, [], set(), [0]


def visit(v):
    index[v] = low[v] = count[0]
    count[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        group = []
        while True:
            w = stack.pop()
            on.discard(w)
            group.append(w)
            if w == v:
                break
        if len(group) > 1:
            problems.append("modules that use each other: " + " ".join(sorted(group)))


sys.setrecursionlimit(10000)
for v in sorted(graph):
    if v not in index:
        visit(v)

# The faces and present/ see the core through include/poshtiban only.
for face in ("cli", "tui", "present"):
    folder = os.path.join(root, "src", face)
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if m and (m.group(1).startswith("..") or "/" in m.group(1)
                          and not m.group(1).startswith("poshtiban/")):
                    problems.append(f"src/{face}/{name}:{n} includes {m.group(1)}, inside the core")
                elif m and face != "present":
                    other = "tui" if face == "cli" else "cli"
                    if (os.path.exists(os.path.join(root, "src", other, m.group(1)))
                            and not os.path.exists(os.path.join(folder, m.group(1)))):
                        problems.append(f"src/{face}/{name}:{n} includes {m.group(1)} of src/{other}/, a sibling face")

print("\n".join(problems))
print(f"{len(unit_of)} modules, {sum(len(u) for u in uses.values())} uses checked", file=sys.stderr)
