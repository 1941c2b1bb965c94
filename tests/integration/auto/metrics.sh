#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue 23, metrics: metrics.textfile is a Prometheus text file that
# python3-prometheus-client's own parser reads after a create, a failed
# create, a verify, a push (real restic, a local repository) and a prune,
# holding what `list --json` says; it is replaced atomically: a write killed
# halfway (test hook) leaves the previous file whole and no *.prom beside
# it. A folder that does not exist fails nothing but the metrics (auto.log
# says why); a name that node_exporter would not read is refused.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
. "$(dirname "$0")/../lib/lib-offsite.sh"

if ! "$PY" -c 'import prometheus_client' 2>/dev/null; then
    echo "python3-prometheus-client is not installed" >&2
    exit 77
fi

proj=$scratch/shop
make_project "$proj"
cd "$proj" || exit 1
cp db.sqlite3 "$scratch/good.sqlite3"
mkdir -p "$scratch/textfile"
prom=$scratch/textfile/poshtiban.prom
pt_ok settings set retention.auto_cleanup false
pt_ok settings set metrics.textfile "$prom"

# metrics EXPRESSION: evaluated with v(name, **labels) -> the sample's value
# (None when absent) and names (every family), on the file as the parser reads it.
metrics() {
    "$PY" - "$prom" "$1" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
names = sorted(f.name for f in families)
types = {f.name: f.type for f in families}
docs = {f.name: f.documentation for f in families}
def v(name, **labels):
    for f in families:
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == x for k, x in labels.items()):
                return s.value
    return None
print(eval(sys.argv[2]))
PY
}
# listed EXPRESSION: on `list --json` (b: the backups, newest first).
listed() {
    run_pt list --json </dev/null
    echo "$out" | "$PY" -c '
import json, sys
from datetime import datetime
b = json.loads(sys.stdin.read())["backups"]
def ts(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
print(eval(sys.argv[1]))' "$1"
}

check "no file before any operation" test ! -e "$prom"

# --- create ---
# Other work on the same disk moves its free space: the figure must lie
# between what df says just before the backup and just after it.
free_before=$(df -B1 --output=avail "$proj" | tail -1 | tr -d ' ')
new_backup
check "create writes the file" test -s "$prom"
expect_eq "the families, each with HELP and TYPE" \
    "['poshtiban_backup_root_free_bytes', 'poshtiban_backups', 'poshtiban_backups_damaged', 'poshtiban_last_backup_duration_seconds', 'poshtiban_last_backup_size_bytes', 'poshtiban_last_failure_timestamp_seconds', 'poshtiban_last_success_timestamp_seconds', 'poshtiban_metrics_timestamp_seconds'] True" \
    "$(metrics 'str(names) + " " + str(all(types[n] == "gauge" and docs[n] for n in names))')"
expect_eq "the project label" "$proj" "$(metrics 'v("poshtiban_backups", status="completed") and [s.labels["project"] for f in families for s in f.samples][0]')"
expect_eq "after create: last success = list's finished_at" "$(listed 'ts(b[0]["finished_at"])')" \
    "$(metrics 'v("poshtiban_last_success_timestamp_seconds")')"
expect_eq "after create: size and duration" "$(listed 'float(b[0]["size_bytes"])') $(listed 'b[0]["duration_ms"] / 1000')" \
    "$(metrics 'v("poshtiban_last_backup_size_bytes")') $(metrics 'v("poshtiban_last_backup_duration_seconds")')"
expect_eq "after create: counts" "1.0 0.0 0.0" \
    "$(metrics 'v("poshtiban_backups", status="completed")') $(metrics 'v("poshtiban_backups", status="failed")') $(metrics 'v("poshtiban_last_failure_timestamp_seconds")')"
free_after=$(df -B1 --output=avail "$proj/backups" | tail -1 | tr -d ' ')
expect_eq "free space of the backup root, within 64 MiB of df before and after" True \
    "$(metrics "min($free_before, $free_after) - 64 * 2**20 < v('poshtiban_backup_root_free_bytes') < max($free_before, $free_after) + 64 * 2**20")"
expect_eq "no off-site gauge while off-site is off, no change-set gauge" "False False" \
    "$(metrics '"poshtiban_offsite_last_snapshot_timestamp_seconds" in names') $(metrics '"poshtiban_last_change_set_timestamp_seconds" in names')"
mode=$(stat -c %a "$prom")
expect_eq "node_exporter may read it" 644 "$mode"

# --- a failed create (a database with a damaged page) ---
sqlite3 db.sqlite3 "CREATE TABLE filler (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO filler SELECT randomblob(100) FROM n;"
cp db.sqlite3 "$scratch/good.sqlite3"
size=$(stat -c %s db.sqlite3)
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' |
    dd of=db.sqlite3 bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run_pt create --json </dev/null
expect_eq "the create fails" 1 "$status"
expect_eq "after a failed create: counts" "1.0 1.0" \
    "$(metrics 'v("poshtiban_backups", status="completed")') $(metrics 'v("poshtiban_backups", status="failed")')"
expect_eq "after a failed create: last failure = its finished_at" "$(listed 'ts(b[0]["finished_at"])')" \
    "$(metrics 'v("poshtiban_last_failure_timestamp_seconds")')"
expect_eq "after a failed create: last success unchanged" "$(listed 'ts(b[1]["finished_at"])')" \
    "$(metrics 'v("poshtiban_last_success_timestamp_seconds")')"
cp "$scratch/good.sqlite3" db.sqlite3

# --- verify: damage counted ---
new_backup
victim=$name
chmod -R u+w "$path"
f=$(find "$path" -name '*.json.gz' | head -1)
printf 'rot' | dd of="$f" bs=1 seek=20 conv=notrunc 2>/dev/null
run_pt verify "$victim" </dev/null
expect_eq "verify finds the damage" 1 "$status"
expect_eq "after verify: one damaged" 1.0 "$(metrics 'v("poshtiban_backups_damaged")')"
run_pt delete "$victim" --yes </dev/null
expect_eq "delete ($err)" 0 "$status"
expect_eq "after delete: counts" "1.0 0.0" \
    "$(metrics 'v("poshtiban_backups", status="completed")') $(metrics 'v("poshtiban_backups_damaged")')"

# --- push (real restic, a local repository) ---
repo=$scratch/repo
pt_ok settings set offsite.repository "$repo"
pt_ok offsite init
new_backup
pt_ok push "$name"
at=$(offsite_of "$name" 'o["at"]')
expect_eq "after push: the off-site gauge is the push's time (within a second)" True \
    "$(metrics "abs(v('poshtiban_offsite_last_snapshot_timestamp_seconds') - __import__('datetime').datetime.fromisoformat('${at/Z/+00:00}').timestamp()) < 1")"
expect_eq "after push: a time, not 0" True "$(metrics 'v("poshtiban_offsite_last_snapshot_timestamp_seconds") > 1e9')"

# --- prune ---
new_backup
pt_ok settings set retention.max_backups 1
pt_ok prune --yes
expect_eq "after prune: one completed left, as list says" "$(listed 'float(sum(x["status"] == "completed" for x in b))') 1.0" \
    "$(metrics 'v("poshtiban_backups", status="completed")') $(metrics 'v("poshtiban_backups", status="completed")')"
expect_eq "after prune: last success is the one kept" "$(listed 'ts([x for x in b if x["status"] == "completed"][0]["finished_at"])')" \
    "$(metrics 'v("poshtiban_last_success_timestamp_seconds")')"

# --- a write killed halfway leaves the previous file whole ---
cp "$prom" "$scratch/before.prom"
POSHTIBAN_TEST_KILL_IN_METRICS=1 "$POSHTIBAN" create >/dev/null 2>&1 </dev/null
expect_eq "the killed create died by SIGKILL" 137 "$?"
check "the previous file is untouched" cmp -s "$prom" "$scratch/before.prom"
expect_eq "it still parses" 1.0 "$(metrics 'v("poshtiban_backups", status="completed")')"
expect_eq "only poshtiban.prom is a *.prom there" poshtiban.prom "$(cd "$scratch/textfile" && ls -- *.prom)"
expect_eq "the half file is a hidden temporary" 1 "$(find "$scratch/textfile" -name '.poshtiban.prom.*' | wc -l)"
new_backup
expect_eq "the next write replaces it" "$(listed 'float(sum(x["status"] == "completed" for x in b))')" \
    "$(metrics 'v("poshtiban_backups", status="completed")')"

# --- hostile settings ---
run_pt settings set metrics.textfile "$scratch/textfile/poshtiban.txt" </dev/null
expect_eq "a name node_exporter never reads is refused" 2 "$status"
case $err in *".prom"*) ;; *) fail "the refusal says .prom: [$err]" ;; esac
pt_ok settings set metrics.textfile "$scratch/nowhere/poshtiban.prom"
new_backup
expect_eq "a missing folder fails nothing" completed "$(echo "$rec" | json_eval 'd["status"]')"
case $(cat backups/.poshtiban/auto.log) in *"cannot write the metrics file $scratch/nowhere/poshtiban.prom"*) ;; *) fail "auto.log says why: [$(cat backups/.poshtiban/auto.log)]" ;; esac
check "nothing created there" test ! -e "$scratch/nowhere"
finish
