# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers for the off-site tests (README, "Off-site copies"); sourced
# after lib.sh and lib-lifecycle.sh. Real restic, real repositories.
if [ ! -x /usr/bin/restic ] && ! command -v restic >/dev/null; then
    echo "restic is not installed (Debian package restic)" >&2
    exit 77
fi
# Whatever the caller has set must not reach restic behind poshtiban's back.
unset RESTIC_REPOSITORY RESTIC_REPOSITORY_FILE RESTIC_PASSWORD RESTIC_PASSWORD_FILE \
    RESTIC_PASSWORD_COMMAND LANGUAGE LANG
export LC_ALL=C.UTF-8 TZ=UTC
# A password that no other string of a test holds: found anywhere, it leaked.
password='pw-Zq7vK2mR9xLw3Tn8'
export POSHTIBAN_RESTIC_PASSWORD=$password
export RESTIC_CACHE_DIR=$scratch/restic-cache
demo=$SOURCE_ROOT/data/demo

# rx ARGS…: restic on REPO (the test's own look at the repository).
rx() { RESTIC_REPOSITORY=$repo RESTIC_PASSWORD=$password restic "$@"; }

# demo_project DIR: the Django demo project (database and media).
demo_project() { "$demo/make-demo" "$1" >/dev/null || fail "make-demo $1"; }

# dumpdata DIR OUT: Django's dumpdata of DIR/db.sqlite3.
dumpdata() {
    DEMO_DATABASE=$1/db.sqlite3 DEMO_MEDIA=$1/media DJANGO_SETTINGS_MODULE=demo.settings \
        PYTHONDONTWRITEBYTECODE=1 "$PY" "$demo/manage.py" dumpdata >"$2" 2>"$2.err" ||
        fail "dumpdata of $1: $(tail -1 "$2.err")"
}

# pushed_field NAME EXPR: EXPR on the "offsite" object of `show NAME --json` (o).
offsite_of() {
    run_pt show "$1" --json </dev/null
    echo "$out" | "$PY" -c 'import json,sys; o=json.load(sys.stdin)["offsite"]; print(eval(sys.argv[1]))' "$2"
}

# roundtrip REPO WHAT: push the project in $proj to REPO, list it, then in a
# new empty folder pull latest and restore it; the data and the media are the
# original's.
roundtrip() {
    local r=$1 what=$2 fresh=$scratch/fresh-$2
    pt_ok settings set offsite.repository "$r"
    pt_ok offsite init
    new_backup || return 1
    local b=$name
    pt_ok push "$b"
    case $out in *"Sent $b off-site"*) ;; *) fail "$what: push says what it sent: [$out]" ;; esac
    expect_eq "$what: the catalog has the snapshot" True "$(offsite_of "$b" 'o["snapshot"] is not None and o["error"] is None and o["bytes_added"] > 0')"
    pt_ok offsite list --json
    expect_eq "$what: offsite list shows the backup" "$b manual" \
        "$(echo "$out" | json_eval 'd["snapshots"][0]["name"] + " " + d["snapshots"][0]["kind"]')"
    pt_ok offsite list
    case $out in *"$b"*) ;; *) fail "$what: offsite list (text) names $b: [$out]" ;; esac
    # A new machine: an empty folder, the repository string and the password.
    mkdir -p "$fresh"
    run_pt -C "$fresh" pull latest --repository "$r" </dev/null
    expect_eq "$what: pull latest in an empty folder ($err)" 0 "$status"
    expect_eq "$what: pulled the newest backup" "$fresh/backups/$b" "$(echo "$out" | tail -1)"
    run_pt -C "$fresh" restore latest --yes </dev/null
    expect_eq "$what: restore latest there ($err)" 0 "$status"
    dumpdata "$proj" "$scratch/orig-$what.json"
    dumpdata "$fresh" "$scratch/back-$what.json"
    "$PY" "$SOURCE_ROOT/tests/integration/lib/compare_dumps.py" --label "$what: dumpdata after pull+restore" \
        "$scratch/orig-$what.json" "$scratch/back-$what.json" || fail "$what: the restored data differ"
    expect_eq "$what: the media are the same" "$(tree_state "$proj/media")" "$(tree_state "$fresh/media")"
}
