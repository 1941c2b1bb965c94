# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the tests of what a dir backup shares with the one before it
# (fixtures-shared.sh, row-ranges.sh); sourced after lib.sh. They need the
# Django demo ($demo), a project ($proj) and $scratch.

# totals PATH EXPR: EXPR on the report's "fixtures_shared" (d).
totals() {
    "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1] + "/backup_report.json"))["fixtures_shared"]; print(eval(sys.argv[2]))' "$1" "$2"
}
warnings_of() { "$PY" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1] + "/backup_report.json"))["warnings"]))' "$1"; }
# reseal DIR MEMBER: SHA256SUMS agrees with MEMBER again.
reseal() {
    chmod u+w "$1" "$1/SHA256SUMS"
    sed -i "s|^[0-9a-f]\{64\}  $2\$|$(cd "$1" && sha256sum "$2")|" "$1/SHA256SUMS"
    chmod 0400 "$1/SHA256SUMS"
}
# manage DB ARGS...: the demo's manage.py on DB.
manage() {
    local db=$1
    shift
    DEMO_DATABASE=$db DEMO_MEDIA=$scratch/no-media "$PY" "$demo/manage.py" "$@"
}
# fresh_twin NAME: a backup of the project's database as it is, in a backup root of its own.
fresh_twin() {
    rm -rf "$scratch/twin"
    mkdir -p "$scratch/twin"
    sqlite3 "$proj/db.sqlite3" ".backup '$scratch/twin/db.sqlite3'"
    run_pt -C "$scratch/twin" create --no-media --json --name "$1" </dev/null
    expect_eq "twin $1: create" 0 "$status"
    twin=$(echo "$out" | json_eval 'd["path"]')
}
