#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One voice for two faces (issue 14): the same record shows the same labels
# and values in `show` and in the TUI's Detail pane, field by field, in
# English and in Persian; `list` and the List pane show the same headers and
# cells; delete, restore and prune ask the same question in
# the CLI (on a pty) and in the TUI (in tmux); prune goes ahead without a
# terminal, delete and restore need --yes there; delete and verify end with
# the same sentence in the CLI (on a pty) and on the TUI's message line.
# And one model for text and JSON (issue 24): each field of --json of list,
# show, stats and the restore plan is the text the CLI prints, field by field.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
unset LANGUAGE LANG CODESPACES
export LC_ALL=C.UTF-8 TZ=UTC

proj=$scratch/proj
make_project "$proj"
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
POSHTIBAN_TEST_NOW=2026-11-26T11:06:18Z pt create --name b1 >/dev/null || fail "create b1"
POSHTIBAN_TEST_NOW=2026-11-27T11:06:18Z pt create --name b2 >/dev/null || fail "create b2"
pt pin b1 >/dev/null || fail "pin b1"
pt verify b2 >/dev/null || fail "verify b2"
# The terminal reorders: both faces' text stays in logical order, to be compared.
pt settings set ui.bidi terminal >/dev/null

# Screen or output text without isolates and marks, runs of spaces as one.
plain() { "$PY" -c '
import re, sys
for line in sys.stdin.read().splitlines():
    print(re.sub(r" +", " ", re.sub(r"[\u2066-\u2069\u200e\u200f]", "", line)).strip())'; }

# cli_said ARGS…: the last line poshtiban ARGS wrote on a pty, as plain text
# (progress lines drawn over with \r and cleared with escapes left out).
cli_said() {
    on_pty "$scratch/said" "$@"
    [ "$status" = 0 ] || fail "poshtiban $* on a pty: exit $status: $(cat "$scratch/said")"
    "$PY" -c '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\r\n", "\n")
lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", l.split("\r")[-1]) for l in text.split("\n")]
print([l for l in lines if l.strip()][-1])' "$scratch/said" | plain
}

# same_said WHAT SENTENCE NAME: the TUI's message line becomes SENTENCE, which names NAME.
same_said() {
    local i=0 line=
    case $2 in *"$3"*) ;; *) fail "$1: the CLI's sentence names $3: [$2]" ;; esac
    while [ "$i" -lt 200 ]; do
        line=$(screen | sed -n 42p | plain)
        [ "$line" = "$2" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "$1 ends with one sentence in both faces: CLI [$2], TUI [$line]"
}

# --- one model, two renderers: each field of --json, rendered on its own
# (one_voice.py: digits, sizes, durations, ages, the Solar Hijri calendar,
# words from the built catalog), is the text the same command prints, for
# list, show, stats and the restore plan, in English and Persian ---
podir=$(dirname "$POSHTIBAN")
while [ "$podir" != / ] && [ ! -f "$podir/po/fa/LC_MESSAGES/poshtiban.mo" ]; do podir=$(dirname "$podir"); done
podir=$podir/po
[ -f "$podir/fa/LC_MESSAGES/poshtiban.mo" ] || fail "the built Persian catalog is not above $POSHTIBAN"
# The plan has something to say: rows added, removed and changed, a table
# only now (a Persian name), media to add (a Persian name with a space) and remove.
sqlite3 "$proj/db.sqlite3" "INSERT INTO investor (name, share) VALUES ('نو', 0.1);
DELETE FROM investor WHERE id = 2; UPDATE investor SET share = 0.75 WHERE id = 1;
CREATE TABLE \"سفارش\" (id INTEGER PRIMARY KEY); INSERT INTO \"سفارش\" VALUES (1);"
printf 'new' >"$proj/media/docs/قرارداد تازه.txt"
rm "$proj/media/photo.bin"
for lang in en fa; do
    for what in list show stats plan; do
        case $what in
        show) args=(show b2) ;;
        plan) args=(restore b1 --dry-run) ;;
        *) args=("$what") ;;
        esac
        at() { POSHTIBAN_TEST_NOW=2026-11-28T11:06:18Z pt --lang "$lang" "$@"; }
        at --json "${args[@]}" >"$scratch/$what.$lang.json" || fail "$lang: $what --json"
        at "${args[@]}" >"$scratch/$what.$lang.txt" || fail "$lang: $what"
        "$PY" "$SOURCE_ROOT/tests/integration/lib/one_voice.py" "$what" "$lang" "$podir" \
            "$scratch/$what.$lang.json" "$scratch/$what.$lang.txt" >"$scratch/drift" ||
            fail "$lang: $what: --json and the text disagree: $(cat "$scratch/drift")"
    done
done
# The plan said what the test set up, so the comparison above compared something.
check "the plan compares rows, a table only now and media both ways" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = {x["name"]: x for x in d["tables"]}
assert t["investor"]["added"] == 1 and t["investor"]["removed"] == 1 and t["investor"]["changed"] == 1, t
assert t["سفارش"]["rows"] == "only_now", t
assert d["media"]["add"] == ["photo.bin"] and d["media"]["remove"] == ["docs/قرارداد تازه.txt"], d["media"]
' "$scratch/plan.fa.json"

for lang in en fa; do
    # --- the record: every field of show in Detail, label and value on one line ---
    pt --lang "$lang" show b2 | plain >"$scratch/show.$lang"
    tui_start 132 43 "$proj" LANGUAGE=$lang
    wait_for b2 10 || fail "$lang: the dashboard"
    keys 2
    wait_for b1 10 || fail "$lang: the list"
    sleep 0.5
    screen >"$scratch/list-pane.$lang"
    keys Enter
    sleep 1
    screen | plain >"$scratch/detail.$lang"
    # The fields: show's lines before its first empty line, "label value".
    n=0
    while IFS= read -r line; do
        [ -z "$line" ] && break
        n=$((n + 1))
        "$PY" - "$line" "$scratch/detail.$lang" "$lang" <<'PY' || fail "$lang: Detail lacks the field [$line] of show"
import sys
line, path, lang = sys.argv[1], sys.argv[2], sys.argv[3]
screen = open(path).read().splitlines()
# show: "label value" (label padded to 16 columns); Detail: the same two, mirrored in fa.
words = line.split(" ")
for cut in range(1, len(words)):
    label, value = " ".join(words[:cut]), " ".join(words[cut:])
    for s in screen:
        if lang == "fa":
            if s.endswith(label) and value in s[: len(s) - len(label)]:
                sys.exit(0)
        elif s.startswith(label + " ") and s[len(label):].strip() == value:
            sys.exit(0)
sys.exit(1)
PY
    done <"$scratch/show.$lang"
    check "$lang: show has its fields ($n)" test "$n" -ge 12

    # --- the list: list's header and rows are lines of the List pane, cell by cell ---
    on_pty "$scratch/list.$lang" -C "$proj" --lang "$lang" list
    expect_eq "$lang: list on a terminal" 0 "$status"
    "$PY" - "$scratch/list.$lang" "$scratch/list-pane.$lang" "$lang" <<'PY' || fail "$lang: list and the List pane differ"
import re, sys
cli, pane, lang = sys.argv[1], sys.argv[2], sys.argv[3]
# list's cells: what two or more spaces part, without isolates. The pane
# parts a number from the next cell by one space only: its lines compare
# with runs of spaces as one, without its frame.
def clean(line):
    return re.sub(r"[\u2066-\u2069\u200e\u200f\r]", "", line).replace("│", " ").strip()
lines = [[c for c in re.split(r" {2,}", clean(l)) if c]
         for l in open(cli, encoding="utf-8").read().splitlines() if l.strip()]
screen = [re.sub(r" +", " ", clean(l)) for l in open(pane, encoding="utf-8").read().splitlines()]
# The header, b2 and b1 (pinned: 📌), each six cells.
if len(lines) != 3 or any(len(l) != 6 for l in lines):
    sys.exit("list: not a header and two rows of six cells: %r" % lines)
for row in lines:
    # Persian mirrors the pane: its first column is on the right.
    want = " ".join(row[::-1] if lang == "fa" else row)
    if want not in screen:
        sys.exit("the List pane has no line [%s]; its lines: %r" % (want, screen))
if not any(c.startswith("📌") and "b1" in c for c in lines[2]):
    sys.exit("the pinned b1 has no 📌: %r" % lines[2])
PY

    # --- the questions: delete of a pinned backup, restore ---
    keys 2
    wait_for b1 10
    keys End d
    wait_for "b1" 10
    sleep 0.5
    tui_delete=$(screen | plain | tr '\n' ' ')
    keys n
    SHELL=/bin/sh script -qec "stty cols 132 rows 43 && exec $(printf '%q ' "$POSHTIBAN" -C "$proj" --lang "$lang" delete b1)" \
        /dev/null </dev/null >"$scratch/cli-delete" 2>&1
    cli_delete=$(sed -n '1p' "$scratch/cli-delete" | plain | sed 's/ \[y\/N\].*//')
    [ -n "$cli_delete" ] || fail "$lang: the CLI asks before delete"
    "$PY" - "$cli_delete" "$tui_delete" <<'PY' || fail "$lang: delete asks the same in both faces: CLI [$cli_delete], TUI [$tui_delete]"
import sys
q, screen = sys.argv[1], sys.argv[2]
# The TUI wraps the question in its box: compare word by word, in order.
words = [w for w in screen.replace("│", " ").split() if w]
text = " ".join(words)
sys.exit(0 if " ".join(q.split()) in text else 1)
PY
    case $cli_delete in *pinned* | *سنجاق*) ;; *) fail "$lang: deleting a pinned backup says so: $cli_delete" ;; esac

    # Restore: the CLI's question (before its [y/N]) is the one under the TUI's preview.
    SHELL=/bin/sh script -qec "stty cols 132 rows 43 && exec $(printf '%q ' "$POSHTIBAN" -C "$proj" --lang "$lang" restore b1)" \
        /dev/null </dev/null >"$scratch/cli-restore" 2>&1
    cli_restore=$(plain <"$scratch/cli-restore" | "$PY" -c '
import sys
lines = sys.stdin.read().splitlines()
for i, l in enumerate(lines):
    if "[y/N]" in l:
        q = l.split("[y/N]")[0].strip()
        print(q if q else lines[i - 1])
        break')
    [ -n "$cli_restore" ] || fail "$lang: the CLI asks before restore: $(cat "$scratch/cli-restore")"
    keys r
    # The preview comes once the plan is made on the TUI's thread: look until it asks.
    asked=1
    for _ in $(seq 150); do
        tui_restore=$(screen | plain | tr '\n' ' ')
        "$PY" - "$cli_restore" "$tui_restore" <<'PY' && { asked=0; break; }
import sys
q, screen = sys.argv[1], sys.argv[2]
# The TUI wraps the question in its box: compare word by word, in order.
text = " ".join(w for w in screen.replace("│", " ").split() if w)
sys.exit(0 if " ".join(q.split()) in text else 1)
PY
        sleep 0.1
    done
    keys n
    [ "$asked" = 0 ] || fail "$lang: restore asks the same in both faces: CLI [$cli_restore], TUI [$tui_restore]"

    # --- the results: delete and verify end with the same sentence in both faces ---
    at() { POSHTIBAN_TEST_NOW=2026-11-28T09:00:00Z pt "$@"; }
    at create --name gone >/dev/null || fail "$lang: create gone"
    cli_deleted=$(cli_said -C "$proj" --lang "$lang" delete gone --yes)
    at create --name gone >/dev/null || fail "$lang: create gone again"
    keys R
    wait_for gone 10 || fail "$lang: the list shows gone"
    keys Home d
    sleep 0.5
    keys y
    same_said "$lang: delete" "$cli_deleted" gone
    cli_verified=$(cli_said -C "$proj" --lang "$lang" verify b2)
    keys Home v
    same_said "$lang: verify" "$cli_verified" b2
    keys q
    tui_exit >/dev/null
done

# --- what asks where: delete and restore need a terminal or --yes, prune does not ---
run_pt -C "$proj" delete b2 </dev/null
expect_eq "delete without a terminal and without --yes: refused" 2 "$status"
run_pt -C "$proj" restore b2 </dev/null
expect_eq "restore without a terminal and without --yes: refused" 2 "$status"
run_pt -C "$proj" prune </dev/null
expect_eq "prune without a terminal: applies the settings" 0 "$status"
# On a terminal, prune asks the TUI's question when something would go.
pt settings set retention.max_backups 1 >/dev/null
pt unpin b1 >/dev/null
SHELL=/bin/sh script -qec "stty cols 132 rows 43 && exec $(printf '%q ' "$POSHTIBAN" -C "$proj" prune)" \
    /dev/null </dev/null >"$scratch/cli-prune" 2>&1
case $(plain <"$scratch/cli-prune") in *"Delete this 1 backup for good?"*) ;; *) fail "prune asks on a terminal: $(cat "$scratch/cli-prune")" ;; esac
check "declined (no answer): b1 kept" test -n "$(pt list --json | json_eval '[b["name"] for b in d["backups"] if b["name"] == "b1"]' | grep b1)"
finish
