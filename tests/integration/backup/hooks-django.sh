#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# hooks.after_restore running `manage.py migrate` (README, "Hooks") on the
# Django demo: a backup taken before a migration, restored after the code
# gained it, leaves a site that fails (no such column) without the hook, and
# serves again with it; the hook runs in the project folder, where the
# demo's manage.py finds db.sqlite3 and media/ by itself.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/lib-lifecycle.sh"
if ! "$PY" -c 'import django' >/dev/null 2>&1; then
    echo "hooks-django: skipped: $PY cannot import django" >&2
    exit 77
fi
unset POSHTIBAN_DATABASE DEMO_DATABASE DEMO_MEDIA
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=demo.settings LC_ALL=C.UTF-8 TZ=UTC

# The site: the demo's code with its data beside it, as a deployed project is.
site=$scratch/site
cp -r "$SOURCE_ROOT/data/demo" "$site"
"$site/make-demo" "$site" >/dev/null || { echo "hooks-django: make-demo failed" >&2; exit 1; }
cd "$site" || exit 1
new_backup --name before_migration
old=$name

# The code gains a migration: Investor.nickname, which every query of Investor selects.
cat >>"$site/realestate/models.py" <<'EOF'

Investor.add_to_class("nickname", models.CharField(max_length=50, default="", blank=True))
EOF
cat >"$site/realestate/migrations/0002_investor_nickname.py" <<'EOF'
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("realestate", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="investor",
            name="nickname",
            field=models.CharField(blank=True, default="", max_length=50),
        ),
    ]
EOF
serves() { # the query a page of investors makes
    "$PY" manage.py shell -c 'from realestate.models import Investor; print(len(list(Investor.objects.all())) > 0)' 2>"$scratch/serves.err"
}
"$PY" manage.py migrate --no-input -v 0 >"$scratch/migrate.log" 2>&1 || fail "migrating the site: $(tail -1 "$scratch/migrate.log")"
expect_eq "the migrated site serves" True "$(serves)"

# Without the hook: the old backup's schema, the new code: the site fails.
pt_ok restore "$old" --yes
case $out in *"run python manage.py migrate"*) ;; *) fail "restore says migrations differ: [$out]" ;; esac
if serves >/dev/null; then fail "without the hook the restored site should fail"; fi
check "it fails for the missing column" grep -q nickname "$scratch/serves.err"

# With the hook: the same restore, and the site serves again.
pt_ok settings set hooks.after_restore "/usr/bin/python3 manage.py migrate --no-input"
pt_ok restore "$old" --yes
expect_eq "with after_restore migrating, the site serves again" True "$(serves)"
case $out in *"run python manage.py migrate"*) fail "no advice to migrate once the hook did: [$out]" ;; esac
expect_eq "the migration is recorded" 1 \
    "$(sqlite3 "$site/db.sqlite3" "SELECT count(*) FROM django_migrations WHERE app = 'realestate' AND name = '0002_investor_nickname'")"
check "auto.log keeps what migrate said" grep -q "$old: hook after_restore: .*Applying realestate.0002_investor_nickname" \
    "$site/backups/.poshtiban/auto.log"
finish
