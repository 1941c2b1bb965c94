#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every C source and header is formatted as the committed .clang-format says
# (README, "Development"); a file that is not is named with clang-format's
# first complaint about it. Every header compiles on its own
# (scripts/check-headers), so that sorting the includes changes nothing.
. "$(dirname "$0")/../lib/lib.sh"
cd "$SOURCE_ROOT" || exit 1
check ".clang-format is committed" test -f .clang-format
command -v clang-format >/dev/null || { fail "clang-format is installed (scripts/setup installs it)"; finish; }
mapfile -t files < <(find src include tests bench -name '*.[ch]' | sort)
check "there are sources to check" test "${#files[@]}" -gt 50
# One run over all of them; each complaint starts "FILE:LINE:COLUMN: error:".
said=$(clang-format --dry-run --Werror "${files[@]}" 2>&1) && rc=0 || rc=$?
bad=$(printf '%s\n' "$said" | sed -n 's/^\([^: ]*\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u)
expect_eq "files clang-format would change" "" "$bad"
[ "$rc" = 0 ] || [ -n "$bad" ] || fail "clang-format failed: $(printf '%s\n' "$said" | head -n 3)"
alone=$(scripts/check-headers 2>&1) && rc=0 || rc=$?
expect_eq "headers that do not compile on their own" "" "$alone"
[ "$rc" = 0 ] || [ -n "$alone" ] || fail "scripts/check-headers failed"
finish
