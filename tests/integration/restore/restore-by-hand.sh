#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The recipe every report prints, "To restore by hand", works as printed:
# its database and media commands, copied from `report` (en and fa, and
# the summary file written with the backup) and run with sh in the
# backup's folder, put back the database and the media of a project whose
# path needs quoting, and the restored media are writable again.
# The same recipe copied from a Persian screen (ui.bidi app and auto, on a
# pseudo-terminal) is run by cli-copy.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"

proj="$scratch/my project's \$HOME"
make_project "$proj"
cd "$proj" || exit 1
new_backup --name b1 || finish
want_db=$(sqlite3 "$proj/db.sqlite3" .dump | sha256sum)
want_media=$(cd "$proj/media" && find . -type f -exec sha256sum {} + | sort)

# damage: the app goes on and changes everything
damage() {
    sqlite3 "$proj/db.sqlite3" "DELETE FROM unit; INSERT INTO investor (name) VALUES ('x');"
    rm -f "$proj/media/photo.bin"
    printf 'other' >"$proj/media/docs/contract.txt"
}

# commands TEXT: the commands of the recipe (after "label: "), one per line
commands() {
    printf '%s\n' "$1" | sed -n '/sqlite3 .*\.restore\|cp -R/p' | sed 's/^ *[^:]*: //'
}

try_recipe() { # try_recipe WHAT TEXT
    local what=$1 text=$2 cmds
    cmds=$(commands "$text")
    expect_eq "$what: two commands (database, media)" 2 "$(printf '%s\n' "$cmds" | grep -c .)"
    damage
    (cd "$path" && sh -e -c "$cmds") || fail "$what: the commands fail: [$cmds]"
    expect_eq "$what: the database is back" "$want_db" "$(sqlite3 "$proj/db.sqlite3" .dump | sha256sum)"
    expect_eq "$what: the media are back" "$want_media" \
        "$(cd "$proj/media" && find . -type f -exec sha256sum {} + | sort)"
    expect_eq "$what: restored media are writable by their owner" "" \
        "$(find "$proj/media" -type f ! -perm -u+w)"
}

run_pt --lang en report b1 </dev/null
expect_eq "report en ($err)" 0 "$status"
try_recipe "en" "$out"
run_pt --lang fa report b1 </dev/null
expect_eq "report fa ($err)" 0 "$status"
try_recipe "fa" "$out"
try_recipe "summary file" "$(cat "$path/backup_summary.txt")"
finish
