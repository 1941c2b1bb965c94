# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the tests of what a dir backup shares with the one before it
# and of what a capture compares (fixtures-shared.sh, row-ranges.sh,
# changes-ranges.sh); sourced after lib.sh. They need the Django demo
# ($demo), a project ($proj) and $scratch.

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
# grow_transactions: the demo's 300 transactions forty times over (about
# 12,000, in many row ranges), every 97th with a text long enough for
# overflow pages; sets cols, the table's columns but id.
grow_transactions() {
    local t=realestate_transaction
    cols=$(sqlite3 "$proj/db.sqlite3" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE name != 'id'")
    sqlite3 "$proj/db.sqlite3" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 39)
        INSERT INTO $t (id, $cols) SELECT id + 1000 * i, $cols FROM $t, k;
        UPDATE $t SET description = description || printf('%.*c', 4000 + id % 3000, 'ی')
        WHERE id % 97 = 0;"
}
