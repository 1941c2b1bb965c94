#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The tree shows the design (README, "Development"): each module of the core
# uses only its own layer and those below, no modules use each other in a
# circle, and the faces include only the public headers. layers.py reads the
# calls from the built library, CORE_LIBRARY.
. "$(dirname "$0")/../lib/lib.sh"
: "${CORE_LIBRARY:?CORE_LIBRARY must name the built core library}"
problems=$("$PY" "$SOURCE_ROOT/tests/integration/lib/layers.py" "$SOURCE_ROOT" "$CORE_LIBRARY") ||
    fail "layers.py ran"
expect_eq "what breaks the layers" "" "$problems"

# The check itself catches what it is for: a call up a layer, and a cycle.
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
echo '#include "../core/base/low.h"' >"$fake/src/cli/face.c"
(cd "$scratch" && cc -c "$fake/src/core/base/low.c" -o low.c.o && cc -c "$fake/src/core/ops/high.c" -o high.c.o &&
    ar rc fake.a low.c.o high.c.o) || fail "a library to check the check with"
said=$("$PY" "$SOURCE_ROOT/tests/integration/lib/layers.py" "$fake" "$scratch/fake.a" 2>/dev/null)
for expected in "base/low.c calls pt_high of ops/high.c" "modules that use each other: high low" \
    "src/cli/face.c:1 includes ../core/base/low.h"; do
    case $said in *"$expected"*) ;; *) fail "the check says \"$expected\"; it said [$said]" ;; esac
done
finish
