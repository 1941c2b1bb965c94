// SPDX-License-Identifier: GPL-3.0-or-later
#include "auto/auto-verify.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/settings.h"
#include "poshtiban/timefmt.h"
#include "poshtiban/verify.h"

#define DAY_MS ((int64_t)24 * 60 * 60 * 1000)

static void verify_one(const struct pt_project *p, struct pt_catalog *c, const char *name,
                       bool deep, const struct pt_monitor *mon, struct pt_auto_result *out)
{
    struct pt_verify_result result;
    struct pt_error err = {0};
    if (pt_verify_backup_locked(p, c, name, deep, true, mon, NULL, &result, &err) != PT_OK) {
        /* Could not be checked at all (gone meanwhile, say): said as its one problem. */
        memset(&result, 0, sizeof(result));
        result.problems = pt_xcalloc(1, sizeof(*result.problems));
        result.problems[result.n++] = pt_xstrdup(err.message ? err.message : "?");
    }
    pt_error_clear(&err);
    out->verified = pt_xrealloc(out->verified, (out->n_verified + 1) * sizeof(*out->verified));
    struct pt_auto_verified *v = &out->verified[out->n_verified++];
    v->name = pt_xstrdup(name);
    v->deep = deep;
    v->result = result;
    out->damaged = out->damaged || !result.ok;
}

/* True when the scheduled deep verify is due now; the first call only starts the clock. */
static bool deep_due(const struct pt_project *p, struct pt_catalog *c)
{
    int64_t days = pt_settings_int(c, PT_KEY_VERIFY_DEEP_EVERY_DAYS);
    if (days <= 0)
        return false;
    char *last = NULL;
    int64_t last_ms = 0;
    bool known = pt_catalog_setting_get(c, PT_VERIFY_DEEP_AT_KEY, &last, NULL) == PT_OK && last &&
                 pt_time_parse_iso(last, &last_ms);
    free(last);
    /* A time to come (a clock set back) starts the count again rather than waiting. */
    if (known && last_ms <= p->now_ms)
        return p->now_ms - last_ms >= days * DAY_MS;
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    pt_catalog_setting_put(c, PT_VERIFY_DEEP_AT_KEY, iso, NULL);
    return false;
}

void pt_auto_verify_locked(const struct pt_project *p, struct pt_catalog *c,
                           const struct pt_record *newest, const struct pt_monitor *mon,
                           struct pt_auto_result *out)
{
    if (newest && newest->status == PT_STATE_COMPLETED &&
        pt_settings_bool(c, PT_KEY_VERIFY_AFTER_AUTO))
        verify_one(p, c, newest->name, false, mon, out);
    if (!deep_due(p, c))
        return;
    struct pt_catalog_filter filter = {.has_status = true, .status = PT_STATE_COMPLETED};
    struct pt_record *records = NULL;
    size_t n = 0;
    int64_t total;
    if (pt_catalog_list(c, &filter, &records, &n, &total, NULL) != PT_OK)
        return;
    for (size_t i = 0; i < n; i++)
        verify_one(p, c, records[i].name, true, mon, out);
    pt_record_list_free(records, n);
    char iso[32];
    pt_time_iso(p->now_ms, iso);
    pt_catalog_setting_put(c, PT_VERIFY_DEEP_AT_KEY, iso, NULL);
}
