#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every message of the sources has a Persian translation, none fuzzy, and
# msgfmt --check accepts the catalog (formats, plurals, header).
. "$(dirname "$0")/../lib/lib.sh"
cd "$SOURCE_ROOT" || exit 1
po=po/fa.po
check "po/fa.po exists" test -f "$po"
grep -qx fa po/LINGUAS || fail "po/LINGUAS lists fa"
grep -q 'Plural-Forms: nplurals=2; plural=(n > 1);' "$po" || fail "Persian plural forms in the header"

# The template as the build makes it, from the files po/POTFILES lists.
files=$(grep -v '^#' po/POTFILES | grep .)
for f in $files; do check "po/POTFILES names $f, which exists" test -f "$f"; done
missing=$(comm -23 <(ls src/core/*/*.c src/cli/*.c src/tui/*.c src/present/*.c | sort) <(printf '%s\n' $files | sort))
expect_eq "every source file is in po/POTFILES" "" "$missing"
xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 --package-name=poshtiban \
    -o "$scratch/template.pot" $files || fail "xgettext"
msgmerge --quiet --no-fuzzy-matching -o "$scratch/merged.po" "$po" "$scratch/template.pot" ||
    fail "msgmerge"
stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$scratch/merged.po" 2>&1) || fail "msgfmt --check: $stats"
case $stats in
    *untranslated* | *fuzzy*) fail "every message translated: $stats" ;;
    *" translated message"*) ;;
    *) fail "msgfmt said: $stats" ;;
esac
# Messages the sources no longer have are dropped, not kept as obsolete clutter.
expect_eq "no obsolete messages" 0 "$(grep -c '^#~ msgid' "$po")"
finish
