#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The restore preview sees edits, and migrations are said when they matter
# (issue 21, Deliver 4 and 5). On a Django-shaped database, after the backup
# one row is edited, one deleted and one inserted in a table with a rowid key
# and in a WITHOUT ROWID table with a composite key (a row in a table without
# a key too, and one more applied migration):
# - `restore --dry-run` says, for each, 1 changed, 1 added back, 1 removed
#   (English and Persian), the table without a key "counts only", and which
#   migration differs; `--json` has the same numbers;
# - the question before a real restore (on a pty) shows the same lines;
# - the TUI's restore preview (`r`, in tmux) shows the same, in both languages;
# - the real restore's last line (CLI, on a pty and piped) and the TUI's
#   message after `y` say to run `python manage.py migrate`, and only when
#   the migrations differ.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tmux.sh"
unset LANGUAGE LANG CODESPACES
export LC_ALL=C.UTF-8 TZ=UTC POSHTIBAN_TEST_NOW=2026-11-26T11:06:18Z

proj=$scratch/proj
mkdir -p "$proj/media"
printf 'قرارداد' >"$proj/media/contract.txt"
sqlite3 "$proj/db.sqlite3" <<'SQL'
CREATE TABLE django_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, app varchar(255) NOT NULL,
    name varchar(255) NOT NULL, applied datetime NOT NULL);
INSERT INTO django_migrations (app, name, applied) VALUES
    ('contenttypes', '0001_initial', '2026-01-01 00:00:00'),
    ('shop', '0001_initial', '2026-01-01 00:00:00'), ('shop', '0002_stock', '2026-01-02 00:00:00');
CREATE TABLE django_content_type (id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_label varchar(100) NOT NULL, model varchar(100) NOT NULL);
INSERT INTO django_content_type (app_label, model) VALUES ('shop', 'product'), ('shop', 'stock');
CREATE TABLE shop_product (id INTEGER PRIMARY KEY AUTOINCREMENT,
    name varchar(100) NOT NULL COLLATE NOCASE, price decimal NULL);
INSERT INTO shop_product (name, price) VALUES ('صندلی', 10), ('table', 20), ('lamp', NULL),
    ('rug', 5), ('desk', 30);
CREATE TABLE shop_stock (shop text NOT NULL, sku text NOT NULL, qty integer,
    PRIMARY KEY (shop, sku)) WITHOUT ROWID;
INSERT INTO shop_stock VALUES ('north', 'a1', 3), ('north', 'b2', 4), ('south', 'a1', 5);
CREATE TABLE shop_log (at text, what text);
INSERT INTO shop_log VALUES ('2026-01-01', 'opened');
SQL
pt() { "$POSHTIBAN" -C "$proj" "$@"; }
pt create --name before >/dev/null || fail "create"

# The edits: one row edited (in case only, which NOCASE would call equal), one deleted,
# one inserted, in each keyed table; a row logged; a migration applied since.
edit() {
    sqlite3 "$proj/db.sqlite3" "
        UPDATE shop_product SET name = 'Table' WHERE id = 2;
        DELETE FROM shop_product WHERE id = 4;
        INSERT INTO shop_product (name, price) VALUES ('vase', 7);
        UPDATE shop_stock SET qty = 9 WHERE shop = 'south' AND sku = 'a1';
        DELETE FROM shop_stock WHERE shop = 'north' AND sku = 'b2';
        INSERT INTO shop_stock VALUES ('south', 'c3', 1);
        INSERT INTO shop_log VALUES ('2026-02-01', 'sold');
        INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0003_vase', '2026-02-01 00:00:00');"
}
edit

# Text without isolates and marks, runs of spaces as one.
plain() { "$PY" -c '
import re, sys
for line in sys.stdin.read().splitlines():
    print(re.sub(r" +", " ", re.sub(r"[\u2066-\u2069\u200e\u200f]", "", line)).strip())'; }

# The lines every face must show, in plain form, per language.
want_lines() { # want_lines LANG
    if [ "$1" = en ]; then
        printf '%s\n' \
            "shop_product 5 → 5 * 1 changed, 1 added back, 1 removed" \
            "shop_stock 3 → 3 * 1 changed, 1 added back, 1 removed" \
            "shop_log 2 → 1 * no primary key: counts only" \
            "django_migrations 4 → 3 * 0 changed, 0 added back, 1 removed" \
            "django_content_type 2 → 2" \
            "only in the current database: shop.0003_vase"
    else
        printf '%s\n' \
            "shop_product ۵ ← ۵ * ۱ ردیف تغییر می‌کند، ۱ برمی‌گردد، ۱ حذف می‌شود" \
            "shop_stock ۳ ← ۳ * ۱ ردیف تغییر می‌کند، ۱ برمی‌گردد، ۱ حذف می‌شود" \
            "shop_log ۲ ← ۱ * بدون کلید اصلی: فقط شمار ردیف‌ها" \
            "django_migrations ۴ ← ۳ * ۰ ردیف تغییر می‌کند، ۰ برمی‌گردد، ۱ حذف می‌شود" \
            "django_content_type ۲ ← ۲" \
            "فقط در پایگاه دادهٔ کنونی: shop.0003_vase"
    fi
}

# expect_lines WHAT LANG TEXT: every wanted line is a whole line of TEXT (plain).
expect_lines() {
    local what=$1 lang=$2 text line
    text=$(printf '%s\n' "$3" | plain)
    while IFS= read -r line; do
        printf '%s\n' "$text" | grep -qxF -- "$line" || fail "$what: no line [$line] in: $text"
    done < <(want_lines "$lang")
}

# --- the CLI's preview: text in both languages, JSON ---
for lang in en fa; do
    run_pt -C "$proj" --lang "$lang" restore before --dry-run </dev/null
    expect_eq "$lang: dry run exit ($err)" 0 "$status"
    expect_lines "$lang: restore --dry-run" "$lang" "$out"
done
run_pt -C "$proj" restore before --dry-run --json </dev/null
expect_eq "dry run --json exit ($err)" 0 "$status"
plan=$out
table() { # table NAME: "rows added removed changed" of a table in the plan
    printf '%s' "$plan" | json_eval "' '.join(str(t[k]) for t in d['tables'] if t['name'] == '$1' for k in ('rows', 'added', 'removed', 'changed'))"
}
expect_eq "json: shop_product" "compared 1 1 1" "$(table shop_product)"
expect_eq "json: shop_stock" "compared 1 1 1" "$(table shop_stock)"
expect_eq "json: shop_log" "no_primary_key None None None" "$(table shop_log)"
expect_eq "json: django_migrations" "compared 0 1 0" "$(table django_migrations)"
expect_eq "json: django_content_type" "compared 0 0 0" "$(table django_content_type)"
expect_eq "json: migrations" "True [] ['shop.0003_vase']" \
    "$(printf '%s' "$plan" | json_eval '"%s %s %s" % (d["migrations_differ"], d["migrations"]["only_in_backup"], d["migrations"]["only_now"])')"

# --- the question before a real restore shows the same lines; nobody answers: nothing changes ---
dump_before=$(sqlite3 "$proj/db.sqlite3" .dump)
on_pty "$scratch/asked" -C "$proj" restore before
check "the question is asked on a terminal" grep -q '\[y/N\]' "$scratch/asked"
expect_lines "the question before a real restore" en "$(tr -d '\r' <"$scratch/asked")"
expect_eq "unanswered: the database is unchanged" "$dump_before" "$(sqlite3 "$proj/db.sqlite3" .dump)"

# --- the TUI's preview, in English and in Persian (the terminal reorders: logical order) ---
pt settings set ui.bidi terminal >/dev/null
for lang in en fa; do
    if [ "$lang" = en ]; then ui=(LANGUAGE=en); else ui=(LANGUAGE=fa LANG=fa_IR.UTF-8); fi
    tui_start 120 40 "$proj" "${ui[@]}"
    keys 2
    wait_for before 10 || fail "$lang: the list shows the backup"
    keys End r
    expect_screen "$lang: the restore preview" "shop_stock" 30
    sleep 0.3
    expect_lines "$lang: the TUI's restore preview" "$lang" "$(screen | sed 's/│/ /g')"
    keys n
    wait_gone shop_stock 10 || fail "$lang: n closes the preview"
    keys q
    expect_eq "$lang: quit" 0 "$(tui_exit)"
done
expect_eq "the previews changed nothing" "$dump_before" "$(sqlite3 "$proj/db.sqlite3" .dump)"

# --- a real restore across a migration says so, last; one that is not does not ---
# The last line poshtiban ARGS wrote on a pty, plain (progress drawn over with \r left out).
last_on_pty() {
    on_pty "$scratch/said" "$@"
    [ "$status" = 0 ] || fail "poshtiban $* on a pty: exit $status: $(cat "$scratch/said")"
    "$PY" -c '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read().replace("\r\n", "\n")
lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", l.split("\r")[-1]) for l in text.split("\n")]
print([l for l in lines if l.strip()][-1])' "$scratch/said" | plain
}
migrate="run python manage.py migrate."
said=$(last_on_pty -C "$proj" restore before --yes)
case $said in "Restored before. To undo, restore pre_restore_"*"$migrate") ;; *) fail "on a pty: the last line names migrate: [$said]" ;; esac
expect_eq "restored: the migration row is the backup's" 0 \
    "$(sqlite3 "$proj/db.sqlite3" "SELECT count(*) FROM django_migrations WHERE name = '0003_vase'")"
said=$(pt restore before --yes </dev/null 2>/dev/null | tail -n 1)
case $said in *migrate*) fail "no migration differs: the last line says nothing of it: [$said]" ;; "Restored before."*) ;; *) fail "piped, the same migrations: [$said]" ;; esac
edit
said=$(pt restore before --yes </dev/null 2>/dev/null | tail -n 1)
case $said in "Restored before. To undo, restore pre_restore_"*"$migrate") ;; *) fail "piped: the last line names migrate: [$said]" ;; esac
edit
said=$(pt --lang fa restore before --yes </dev/null 2>/dev/null | tail -n 1 | plain)
case $said in *"python manage.py migrate"*) ;; *) fail "fa, piped: the last line names migrate: [$said]" ;; esac
edit
expect_eq "json: the restore says migrations differ" True \
    "$(pt restore before --yes --json </dev/null 2>/dev/null | json_eval 'd["migrations_differ"]')"
expect_eq "json: then they do not" False \
    "$(pt restore before --yes --json </dev/null 2>/dev/null | json_eval 'd["migrations_differ"]')"

# --- the TUI's message after y: the whole sentence, migrate included, even at 80 columns ---
edit
tui_start 80 24 "$proj" LANGUAGE=en
keys 2
wait_for before 10 || fail "tui: the list shows the backup"
keys End r
expect_screen "tui: the preview before y" "shop_stock" 30
keys y
expect_screen "tui: restored" "Restored before" 60
message=$(screen | plain | tr '\n' ' ')
case $message in *"To undo, restore pre_restore_"*"Its Django migrations differ from the ones the database had: run python manage.py migrate."*) ;;
*) fail "tui: the message names migrate, whole: $(screen)" ;; esac
expect_eq "tui: restored for real" 0 \
    "$(sqlite3 "$proj/db.sqlite3" "SELECT count(*) FROM django_migrations WHERE name = '0003_vase'")"
keys q
expect_eq "tui: quit" 0 "$(tui_exit)"

finish
