#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The core's layers (README, "Development"), checked on the built library.

src/core/<layer>/ holds each module; a module may use only modules of its
own layer or of the layers below. Uses are read from the object files (a
function one module calls and another defines), so they are what the code
does, not what its comments say. Prints one line per broken rule.

Usage: layers.py SOURCE_ROOT CORE_LIBRARY
"""
import collections
import os
import re
import subprocess
import sys

LAYERS = ["base", "text", "store", "engine", "ops", "auto", "env"]

root, library = sys.argv[1], sys.argv[2]
core = os.path.join(root, "src", "core")
problems = []

# Where each module lives.
layer_of = {}
for layer in os.listdir(core):
    folder = os.path.join(core, layer)
    if not os.path.isdir(folder):
        continue
    if layer not in LAYERS:
        problems.append(f"src/core/{layer}/ is no layer of {LAYERS}")
        continue
    for name in os.listdir(folder):
        if name.endswith(".c"):
            layer_of[name[:-2]] = layer
for name in os.listdir(core):
    if name.endswith((".c", ".h")):
        problems.append(f"src/core/{name} sits in no layer")

# Who defines and who calls each pt_ function, from the archive's members.
nm = subprocess.run(["nm", "-A", library], capture_output=True, text=True, check=True).stdout
defines, calls = {}, collections.defaultdict(set)
for line in nm.splitlines():
    m = re.match(r"^[^:]*:([^:]+)\.c\.o:\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(pt_\w+)$", line)
    if not m:
        continue
    module, kind, symbol = m.groups()
    # A thin archive names members by path; meson names src/core/ops/x.c "ops_x.c.o".
    module = os.path.basename(module)
    for layer in LAYERS:
        if module.startswith(layer + "_") and module[len(layer) + 1:] in layer_of:
            module = module[len(layer) + 1:]
    if kind == "U":
        calls[module].add(symbol)
    elif kind in "TDBR":
        defines[symbol] = module
uses = collections.defaultdict(set)
for module, symbols in calls.items():
    for s in symbols:
        if s in defines and defines[s] != module:
            uses[module].add((defines[s], s))

for module in sorted(uses):
    by_callee = collections.defaultdict(list)
    for callee, symbol in sorted(uses[module]):
        by_callee[callee].append(symbol)
    for callee, symbols in sorted(by_callee.items()):
        a, b = layer_of.get(module), layer_of.get(callee)
        if a is None or b is None:
            problems.append(f"{module} or {callee} is in no layer")
        elif LAYERS.index(b) > LAYERS.index(a):
            problems.append(f"{a}/{module}.c calls {', '.join(symbols)} of {b}/{callee}.c, a layer above")

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

print("\n".join(problems))
print(f"{len(layer_of)} modules, {sum(len(u) for u in uses.values())} uses checked", file=sys.stderr)
