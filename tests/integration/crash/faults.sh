#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault suite (docs/safety.md): poshtiban is killed with SIGKILL at
# pseudo-random system calls of create (dir, zip, tar.zst), restore (full,
# --media-only, --database-only), delete, prune, export and capture, through strace's
# fault injection (-e inject=SYSCALL:signal=KILL:when=N). After every kill:
# - the project database passes PRAGMA integrity_check;
# - the next command (list --json) exits 0 and leaves nothing over: nothing
#   in .poshtiban/tmp, no media.poshtiban-* beside the media, no restore.json
#   or restore.json.new, no .part file of a killed export;
# - the catalog matches the disk: a completed record has its folder or
#   archive and .sha256, no record is running or deleting, and every entry
#   of the backup root has a completed record;
# - every backup that verified before still verifies (one a delete or prune
#   was removing may be gone), and so does every other completed record;
# - a killed restore left database and media both as before or both as the
#   backup, never a mix (for --media-only and --database-only the other half
#   never changes).
#
# Repeatable: FAULTS_SEED (printed at the start) decides each run's command,
# system call and occurrence N, from a project that is the same bytes every
# time and is put back before every run. The range of N is found by counting
# that system call in an un-killed run of the same command. FAULTS_RUNS sets
# the number of runs; FAULTS_ONLY=K[,K…] repeats only those runs of the seed;
# FAULTS_KEEP=1 keeps the scratch folder. Every run prints one line: its
# number, the seed, the command, the system call and N, and the result.
# A concurrent writer may run during a create (the seed decides whether; its
# timing is the one thing not repeated exactly).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
command -v strace >/dev/null || { echo "strace is not installed" >&2; exit 1; }

seed=${FAULTS_SEED:-20260301}
runs=${FAULTS_RUNS:-44}
only=${FAULTS_ONLY:-}
case $seed in '' | *[!0-9]*) echo "FAULTS_SEED must be a whole number" >&2; exit 2 ;; esac
case $runs in '' | *[!0-9]*) echo "FAULTS_RUNS must be a whole number" >&2; exit 2 ;; esac
echo "faults: seed $seed, $runs runs (FAULTS_SEED=$seed FAULTS_RUNS=$runs${only:+ FAULTS_ONLY=$only})"
started=$SECONDS
if [ -n "${FAULTS_KEEP:-}" ]; then
    trap - EXIT # FAULTS_KEEP=1: the scratch folder stays, to look into a failure
    echo "faults: the scratch folder $scratch is kept"
fi

# LeakSanitizer cannot work under ptrace: leaks are checked in the runs
# that are not traced.
traced_asan="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
# Every fault run happens at the same (fake) moment: the same names every time.
now=2026-03-01T12:00:00Z
# The system calls a kill point is chosen from, in this order.
syscalls=(openat write pwrite64 ftruncate fsync fdatasync rename renameat2 unlink unlinkat rmdir mkdir chdir)
syscall_set=$(IFS=,; echo "${syscalls[*]}")

helper=$scratch/faults.py
cat >"$helper" <<'PY'
import collections, json, os, random, re, sqlite3, sys, time

def make(proj):
    """The project: the same bytes every time."""
    rnd = random.Random(1404)
    db = sqlite3.connect(os.path.join(proj, "db.sqlite3"))
    db.executescript("""
        CREATE TABLE investor (id INTEGER PRIMARY KEY, name TEXT NOT NULL, share REAL);
        CREATE TABLE unit (id INTEGER PRIMARY KEY, investor_id INTEGER REFERENCES investor(id),
                           area REAL, note TEXT);
        CREATE TABLE writer_log (id INTEGER PRIMARY KEY, at REAL, payload TEXT);
    """)
    db.executemany("INSERT INTO investor (name, share) VALUES (?, ?)",
                   [("مریم", 0.5), ("رضا‌زاده", 0.25), ("Sam 🏠", 0.25)])
    db.executemany("INSERT INTO unit (investor_id, area, note) VALUES (?, ?, ?)",
                   [(1 + i % 3, i * 1.5, "واحد %d %s" % (i, "x" * rnd.randrange(10, 120)))
                    for i in range(3000)])
    db.commit()
    db.close()
    media = os.path.join(proj, "media")
    for sub in ("docs", "photos/2026", "قراردادها"):
        os.makedirs(os.path.join(media, sub), exist_ok=True)
    for i in range(18):
        sub = ("docs", "photos/2026", "قراردادها")[i % 3]
        size = rnd.choice((300, 4000, 20000, 60000, 150000))
        with open(os.path.join(media, sub, "f%02d.bin" % i), "wb") as f:
            f.write(rnd.randbytes(size))
    with open(os.path.join(media, "docs", "contract.txt"), "w") as f:
        f.write("قرارداد\n")

def move_on(proj):
    """After the backups, the project changes in database and media alike."""
    db = sqlite3.connect(os.path.join(proj, "db.sqlite3"))
    db.executescript("""
        DELETE FROM unit WHERE id > 2500;
        UPDATE investor SET name = name || ' (تغییر)' WHERE id = 2;
        INSERT INTO unit (investor_id, area, note) VALUES (3, 7.5, 'بعد از پشتیبان');
    """)
    db.commit()
    db.close()
    media = os.path.join(proj, "media")
    os.remove(os.path.join(media, "docs", "f00.bin"))
    with open(os.path.join(media, "docs", "contract.txt"), "a") as f:
        f.write("الحاقیه\n")
    os.makedirs(os.path.join(media, "later"))
    with open(os.path.join(media, "later", "new.txt"), "w") as f:
        f.write("later\n")

KINDS = ["create-dir", "create-zip", "create-tar.zst", "restore-full", "restore-media",
         "restore-db", "delete", "prune", "export", "capture"]

def plan(seed, k, targets):
    """Run k of seed: kind, target, export destination, writer, two draws."""
    rnd = random.Random("faults:%s:%s" % (seed, k))
    kind = rnd.choice(KINDS)
    target = rnd.choice(targets.split(","))
    dest = rnd.choice(["default", "chosen"])
    writer = 1 if rnd.random() < 0.5 else 0
    print(kind, target, dest, writer, rnd.randrange(1 << 30), rnd.randrange(1 << 30))

def counts(trace, names):
    """Occurrences of each system call in the first process of a strace -f log."""
    c = collections.Counter()
    first = None
    for line in open(trace, errors="replace"):
        m = re.match(r"^(\d+)\s+([a-z0-9_]+)\(", line)
        if not m:
            continue
        if first is None:
            first = m.group(1)
        if m.group(1) == first:
            c[m.group(2)] += 1
    print(" ".join("%s:%d" % (n, c[n]) for n in names.split(",")))

def catalog(listing, root):
    """The catalog (list --json) against the backup root: one problem a line."""
    d = json.load(open(listing))
    recs = d["backups"]
    if d["total"] != len(recs):
        print("list shows %d of %d records" % (len(recs), d["total"]))
    expected = set()
    for r in recs:
        name, status = r["name"], r["status"]
        if status in ("running", "deleting"):
            print("%s is still %s" % (name, status))
        if status != "completed":
            continue
        suffix = "" if r["format"] == "dir" else "." + r["format"]
        path = os.path.join(root, name + suffix)
        if r["path"] != path:
            print("%s: its path is %s, not %s" % (name, r["path"], path))
        if r["format"] == "dir":
            if not os.path.isdir(path):
                print("%s is completed but its folder is missing" % name)
            expected.add(name + suffix)
        else:
            for p in (path, path + ".sha256"):
                if not os.path.isfile(p):
                    print("%s is completed but %s is missing" % (name, os.path.basename(p)))
            expected.update((name + suffix, name + suffix + ".sha256"))
    for e in sorted(os.listdir(root)):
        # changes/ holds change sets, no record: it stays only with a whole point in it.
        if e == "changes" and any(f.endswith(".json") for _, _, fs in os.walk(os.path.join(root, e))
                                  for f in fs):
            continue
        if e != ".poshtiban" and e not in expected:
            print("%s is in the backup root without a completed record" % e)

def verified(listing, names, maybe_gone):
    """verify --all --json: the backups that verified before still do."""
    results = {r["name"]: r for r in json.load(open(listing))["results"]}
    gone = set(filter(None, maybe_gone.split(",")))
    for n in filter(None, names.split(",")):
        if n not in results and n not in gone:
            print("%s verified before the fault and is no longer verified (its record is gone "
                  "or no longer completed)" % n)
    for n, r in sorted(results.items()):
        if not r["ok"]:
            print("%s does not verify: %s" % (n, "; ".join(r["problems"])))

def writer(db, stop):
    c = sqlite3.connect(db, timeout=60, isolation_level=None)
    i = 0
    while not os.path.exists(stop):
        try:
            c.execute("INSERT INTO writer_log (at, payload) VALUES (?, ?)",
                      (time.time(), "نوشتن %d" % i))
            i += 1
        except sqlite3.Error as e:
            print("writer:", e, file=sys.stderr)
        time.sleep(0.002)

globals()[sys.argv[1]](*sys.argv[2:])
PY
helper() { "$PY" "$helper" "$@"; }

# db_state: the project database's content, as one hash.
db_state() { sqlite3 db.sqlite3 .dump | sha256sum | cut -c1-16; }
# media_state: the media tree, as one hash.
media_state() { tree_state media | sha256sum | cut -c1-16; }

# --- the project and its backups, the same bytes every time
proj=$scratch/proj
base=$scratch/base
mkdir -p "$proj"
helper make "$proj" || exit 1
cd "$proj" || exit 1
root=$proj/backups
pt_ok settings set retention.auto_cleanup false || exit 1
pt_ok settings set retention.max_backups 2 || exit 1
formats=(dir zip tar.zst dir zip)
baseline=()
for i in 1 2 3 4 5; do
    POSHTIBAN_TEST_NOW=2026-01-0${i}T10:00:00Z new_backup --format "${formats[$((i - 1))]}" || exit 1
    baseline+=("$name")
done
pt_ok pin "${baseline[2]}" || exit 1
run_pt verify --all </dev/null
expect_eq "the backups verify before any fault ($err)" 0 "$status"
[ "$failures" = 0 ] || finish
helper move_on "$proj" || exit 1
before_db=$(db_state)
before_media=$(media_state)
cd "$scratch" || exit 1
cp -a "$proj" "$base"
baseline_list=$(IFS=,; echo "${baseline[*]}")
echo "faults: backups ${baseline[*]} (formats ${formats[*]}); the project moved on since"

# reset: the project exactly as it was before the first run.
reset() {
    cd "$scratch" || exit 1
    chmod -R u+w "$proj" "$scratch/exports" 2>/dev/null
    rm -rf "$proj" "$scratch/exports"
    cp -a "$base" "$proj"
    mkdir -p "$scratch/exports"
    cd "$proj" || exit 1
}

# command_of KIND TARGET DEST: the command line of a run, in $cmd.
command_of() {
    case $1 in
        create-*) cmd=(create --format "${1#create-}") ;;
        restore-full) cmd=(restore "$2" --yes) ;;
        restore-media) cmd=(restore "$2" --media-only --yes) ;;
        restore-db) cmd=(restore "$2" --database-only --yes) ;;
        delete) cmd=(delete "$2" --yes) ;;
        prune) cmd=(prune) ;;
        capture) cmd=(capture) ;;
        export) if [ "$3" = chosen ]; then cmd=(export "$2" -o "$scratch/exports/copy.zip"); else cmd=(export "$2"); fi ;;
    esac
}

# on_disk: the baseline backups still in the catalog and on disk, by name.
on_disk() {
    local n listed
    listed=$("$POSHTIBAN" list --json </dev/null 2>/dev/null | json_eval '",".join(r["name"] for r in d["backups"])')
    for n in "${baseline[@]}"; do
        case ",$listed," in *",$n,"*) echo "$n" ;; esac
    done
}

# reference KEY: counts the system calls of an un-killed run of the command
# (counts[KEY]), which baseline backups it removes (gone[KEY]) and, for a
# restore, the state it leaves (after_db[KEY], after_media[KEY]).
declare -A counts gone after_db after_media
reference() {
    local key=$1 st
    [ -n "${counts[$key]+x}" ] && return 0
    reset
    st=0
    ASAN_OPTIONS=$traced_asan POSHTIBAN_TEST_NOW=$now \
        strace -f -qq -o "$scratch/trace" -e trace="$syscall_set" \
        "$POSHTIBAN" "${cmd[@]}" </dev/null >"$scratch/ref.out" 2>"$scratch/ref.err" || st=$?
    if [ "$st" != 0 ]; then
        fail "un-killed run of poshtiban ${cmd[*]}: exit $st: $(cat "$scratch/ref.err")"
        counts[$key]=""
        return 1
    fi
    counts[$key]=$(helper counts "$scratch/trace" "$syscall_set")
    local shown="${cmd[*]}"
    echo "count ${shown//$scratch/\$scratch}: ${counts[$key]}"
    after_db[$key]=$(db_state)
    after_media[$key]=$(media_state)
    # A restore must change what it restores, and only that: else a mix would not show.
    local want=''
    case $key in
        restore-full*) want="db=other media=other" ;;
        restore-media*) want="db=before media=other" ;;
        restore-db*) want="db=other media=before" ;;
    esac
    local got
    got="db=$(name_of "${after_db[$key]}" "$before_db" -) media=$(name_of "${after_media[$key]}" "$before_media" -)"
    if [ -n "$want" ] && [ "$got" != "$want" ]; then
        fail "un-killed run of poshtiban ${cmd[*]}: left $got (other: changed), expected $want"
    fi
    local kept n g=''
    kept=$(on_disk)
    for n in "${baseline[@]}"; do
        grep -qx -- "$n" <<<"$kept" || g+="${g:+,}$n"
    done
    gone[$key]=$g
}

# name_of STATE BEFORE AFTER: "before", "backup" or "other".
name_of() {
    if [ "$1" = "$2" ]; then echo before; elif [ "$1" = "$3" ]; then echo backup; else echo other; fi
}

# The checks of one run, each failure naming the run.
failr() { fail "run $k [$desc]: $*"; }

check_run() {
    local kind=$1 key=$2 listing
    # The next command recovers, and exits 0.
    run_pt list --json </dev/null
    if [ "$status" != 0 ]; then
        failr "the next command, list --json, exits $status: $err"
    fi
    listing=$scratch/list.json
    printf '%s\n' "$out" >"$listing"
    local ic
    ic=$(sqlite3 db.sqlite3 'PRAGMA integrity_check' 2>&1)
    [ "$ic" = ok ] || failr "integrity_check of the project database: $ic"
    # Leftovers.
    local left
    left=$(ls -A "$root/.poshtiban/tmp" 2>&1)
    [ -z "$left" ] || failr "left in .poshtiban/tmp: ${left//$'\n'/ }"
    left=$(cd "$proj" && ls -d media.poshtiban-* 2>/dev/null)
    [ -z "$left" ] || failr "left beside the media: ${left//$'\n'/ }"
    [ ! -e "$root/.poshtiban/restore.json" ] || failr "restore.json is left: $(cat "$root/.poshtiban/restore.json")"
    [ ! -e "$root/.poshtiban/restore.json.new" ] ||
        failr "restore.json.new (a journal never put in place) is left: $(cat "$root/.poshtiban/restore.json.new")"
    if [ "$kind" = export ]; then
        local dir=$root/.poshtiban/exports
        [ "$dest" = chosen ] && dir=$scratch/exports
        left=$(find "$dir" -maxdepth 1 -name '*.part*' -printf '%f ' 2>/dev/null)
        if [ -n "$left" ]; then
            failr "the killed export left ${left% } in ${dir//$scratch/\$scratch}"
        fi
        local zip
        for zip in "$dir"/*.zip; do
            [ -f "$zip" ] || continue
            unzip -tq "$zip" >/dev/null 2>&1 || failr "the export $zip is there but unzip -t refuses it"
        done
    fi
    # The catalog against the disk.
    local problem
    while IFS= read -r problem; do
        [ -n "$problem" ] && failr "catalog: $problem"
    done < <(helper catalog "$listing" "$root" 2>&1)
    # What verified before still does; every completed record verifies.
    run_pt verify --all --json </dev/null
    printf '%s\n' "$out" >"$scratch/verify.json"
    if ! json_eval 'len(d["results"])' <"$scratch/verify.json" >/dev/null 2>&1; then
        failr "verify --all --json: exit $status: $err"
    else
        while IFS= read -r problem; do
            [ -n "$problem" ] && failr "verify: $problem"
        done < <(helper verified "$scratch/verify.json" "$baseline_list" "${gone[$key]}" 2>&1)
    fi
    # A capture: no half point, and the chain still leads exactly to the database.
    if [ "$kind" = capture ]; then
        local j data
        for j in "$root"/changes/*/*.json; do
            [ -f "$j" ] || continue
            data=${j%.json}
            [ -f "$data.changeset.zst" ] || [ -f "$data.sqlite3.zst" ] ||
                failr "capture: ${j#$root/} has no data file"
        done
        run_pt capture --json </dev/null
        [ "$status" = 0 ] || failr "capture: the next capture exits $status: $err"
        rm -f "$root/.poshtiban/changes-shadow.json"
        run_pt capture --json </dev/null
        [ "$(json_eval 'd["unchanged"]' <<<"$out" 2>/dev/null)" = True ] ||
            failr "capture: the base and its chain, rebuilt, are not the database: $out $err"
        return
    fi
    # A restore: both halves as before, or both as the backup.
    case $kind in restore-*) ;; *) return ;; esac
    local dbn medn ok
    dbn=$(name_of "$(db_state)" "$before_db" "${after_db[$key]}")
    medn=$(name_of "$(media_state)" "$before_media" "${after_media[$key]}")
    restored="db=$dbn media=$medn"
    case $kind:$dbn:$medn in
        restore-full:before:before | restore-full:backup:backup) ok=1 ;;
        restore-media:before:before | restore-media:before:backup) ok=1 ;;
        restore-db:before:before | restore-db:backup:before) ok=1 ;;
        *) ok=0 ;;
    esac
    local other=''
    case $restored in *other*) other=' ("other": neither as before nor as the backup)' ;; esac
    [ "$ok" = 1 ] || failr "restore: the database is $dbn and the media are $medn$other; expected $(
        case $kind in
            restore-full) echo "both before or both backup" ;;
            restore-media) echo "the database before, the media before or backup" ;;
            restore-db) echo "the media before, the database before or backup" ;;
        esac)"
}

# The runs.
targets=$baseline_list
killed=0 finished=0 bad_runs=()
for ((k = 1; k <= runs; k++)); do
    if [ -n "$only" ]; then
        case ",$only," in *",$k,"*) ;; *) continue ;; esac
    fi
    read -r kind target dest writer r1 r2 < <(helper plan "$seed" "$k" "$targets")
    command_of "$kind" "$target" "$dest"
    key="$kind $target $dest"
    case $kind in create-* | prune | capture) key=$kind ;; restore-* | delete) key="$kind $target" ;; esac
    if ! reference "$key" || [ -z "${counts[$key]}" ]; then
        printf 'run %d seed %s: %s | the un-killed run failed | FAIL\n' "$k" "$seed" "${cmd[*]}"
        bad_runs+=("$k")
        continue
    fi
    # The kill point: a system call the command makes, and one of its occurrences.
    cands=() ccount=()
    for pair in ${counts[$key]}; do
        if [ "${pair#*:}" -gt 0 ]; then cands+=("${pair%%:*}"); ccount+=("${pair#*:}"); fi
    done
    idx=$((r1 % ${#cands[@]}))
    sys=${cands[$idx]}
    total=${ccount[$idx]}
    n=$((1 + r2 % total))
    [ "$n" -gt 65535 ] && n=65535
    [ "$kind" = export ] || dest=-
    case $kind in create-*) ;; *) writer=0 ;; esac
    desc="${cmd[*]}"
    [ "$writer" = 1 ] && desc+=" +writer"
    desc=${desc//$scratch/\$scratch}
    before_failures=$failures
    reset
    if [ "$writer" = 1 ]; then
        rm -f "$scratch/writer.stop"
        helper writer "$proj/db.sqlite3" "$scratch/writer.stop" 2>"$scratch/writer.err" &
        wpid=$!
        sleep 0.1
    fi
    # In a subshell of its own, so that bash says nothing of the kill.
    st=$(
        ASAN_OPTIONS=$traced_asan POSHTIBAN_TEST_NOW=$now \
            strace -f -qq -o /dev/null -e trace="$sys" -e inject="$sys:signal=KILL:when=$n" \
            "$POSHTIBAN" "${cmd[@]}" </dev/null >"$scratch/run.out" 2>"$scratch/run.err"
        echo $?
    ) 2>/dev/null
    if [ "$writer" = 1 ]; then
        touch "$scratch/writer.stop"
        wait "$wpid"
        [ -s "$scratch/writer.err" ] && failr "the concurrent writer: $(head -c 300 "$scratch/writer.err")"
    fi
    restored=''
    if [ "$st" = 137 ]; then
        result=killed
        killed=$((killed + 1))
    else
        result="not killed, exit $st"
        finished=$((finished + 1))
        [ "$st" = 0 ] || failr "exit $st without a kill: $(head -c 300 "$scratch/run.err")"
    fi
    check_run "$kind" "$key"
    verdict=ok
    if [ "$failures" != "$before_failures" ]; then
        verdict="FAIL ($((failures - before_failures)))"
        bad_runs+=("$k")
    fi
    printf 'run %d seed %s: %s | %s N=%d of %d | %s%s | %s\n' "$k" "$seed" "$desc" "$sys" "$n" \
        "$total" "$result" "${restored:+ | $restored}" "$verdict"
done
echo "faults: seed $seed: $killed killed, $finished ran to the end, ${#bad_runs[@]} failed${bad_runs[*]:+ (runs ${bad_runs[*]})}; $((SECONDS - started)) s"
if [ "${#bad_runs[@]}" -gt 0 ]; then
    echo "faults: to repeat: FAULTS_SEED=$seed FAULTS_RUNS=$runs FAULTS_ONLY=$(IFS=,; echo "${bad_runs[*]}")" >&2
fi
finish
