#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The tree shows the design (README, "Development"): each module of the core
# uses only its own layer and those below; present/ stands above the core and
# the two faces above present/, siblings that never use each other; no
# modules anywhere use each other in a circle; the faces include only the
# public headers. layers.py reads the uses from the built libraries.
. "$(dirname "$0")/lib.sh"
: "${CORE_LIBRARY:?CORE_LIBRARY must name the built core library}"
problems=$("$PY" "$SOURCE_ROOT/tests/integration/layers.py" "$SOURCE_ROOT" "core=$CORE_LIBRARY" \
    "present=$PRESENT_LIBRARY" "cli=$CLI_LIBRARY" "tui=$TUI_LIBRARY") || fail "layers.py ran"
expect_eq "what breaks the layers" "" "$problems"

# The check itself catches what it is for: a call up a layer, a circle in the
# core and in a face, one face calling the other, and a face including a
# header from inside the core or from its sibling.
fake=$scratch/src
mkdir -p "$fake/src/core/base" "$fake/src/core/ops" "$fake/src/cli" "$fake/src/tui" "$fake/src/present"
cat >"$fake/src/core/base/low.c" <<'C'
void pt_high(void);
void pt_low(void);
void pt_low(void) { pt_high(); }
C
cat >"$fake/src/core/ops/high.c" <<'C'
void pt_low(void);
void pt_high(void);
void pt_high(void) { pt_low(); }
C
# The loop and a job that calls back into it, as a table of panes would.
cat >"$fake/src/tui/loop.c" <<'C'
void pt_job_done(void);
void pt_loop_message(void);
void pt_loop_message(void) {}
void pt_loop_run(void) { pt_job_done(); }
C
cat >"$fake/src/tui/jobs.c" <<'C'
void pt_loop_message(void);
void pt_job_done(void);
void pt_job_done(void) { pt_loop_message(); }
C
printf '#include "../core/base/low.h"\n#include "tui.h"\n' >"$fake/src/cli/face.h"
cat >"$fake/src/cli/face.c" <<'C'
void pt_loop_run(void);
void pt_cli_go(void) { pt_loop_run(); }
C
touch "$fake/src/tui/tui.h"
(cd "$scratch" && for f in core/base/low core/ops/high tui/loop tui/jobs cli/face; do
    cc -c "$fake/src/$f.c" -o "$(basename "$(dirname "$f")")_$(basename "$f").c.o" || exit 1
done && ar rc core.a base_low.c.o ops_high.c.o && mv tui_loop.c.o loop.c.o && mv tui_jobs.c.o jobs.c.o &&
    ar rc tui.a loop.c.o jobs.c.o && mv cli_face.c.o face.c.o && ar rc cli.a face.c.o) ||
    fail "libraries to check the check with"
said=$("$PY" "$SOURCE_ROOT/tests/integration/layers.py" "$fake" "core=$scratch/core.a" \
    "cli=$scratch/cli.a" "tui=$scratch/tui.a" 2>/dev/null)
for expected in "base/low.c calls pt_high of ops/high.c" "modules that use each other: base/low ops/high" \
    "modules that use each other: tui/jobs tui/loop" "cli/face.c calls pt_loop_run of tui/loop.c" \
    "src/cli/face.h:1 includes ../core/base/low.h" "src/cli/face.h:2 includes tui.h of src/tui/"; do
    case $said in *"$expected"*) ;; *) fail "the check says \"$expected\"; it said [$said]" ;; esac
done
finish
