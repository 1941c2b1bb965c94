// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/session.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/alloc.h"

enum pt_status pt_session_open(struct pt_session *s, const struct pt_project *p,
                               struct pt_error *err)
{
    memset(s, 0, sizeof(*s));
    s->project = p;
    if (access(p->catalog, F_OK) != 0)
        return PT_OK; /* an empty one in memory, when first asked for */
    struct pt_error damage = {0};
    enum pt_status rc = pt_catalog_open_checked(&s->catalog, p, &damage, err);
    if (damage.status != PT_OK)
        s->damage = pt_xstrdup(damage.message ? damage.message : "?");
    pt_error_clear(&damage);
    return rc;
}

enum pt_status pt_session_catalog(struct pt_session *s, enum pt_catalog_mode mode,
                                  struct pt_catalog **out, struct pt_error *err)
{
    *out = NULL;
    if (s->damage)
        return pt_error_set(err, PT_EFAIL, "%s", s->damage);
    if (mode == PT_CATALOG_WRITE && !s->prepared) {
        enum pt_status rc = pt_project_prepare(s->project, err);
        if (rc != PT_OK)
            return rc;
        s->prepared = true;
    }
    if (s->catalog && (mode == PT_CATALOG_READ || !pt_catalog_in_memory(s->catalog))) {
        *out = s->catalog;
        return PT_OK;
    }
    pt_catalog_close(s->catalog);
    s->catalog = NULL;
    enum pt_status rc = pt_catalog_open(&s->catalog, s->project, mode, err);
    *out = s->catalog;
    return rc;
}

void pt_session_close(struct pt_session *s)
{
    pt_catalog_close(s->catalog);
    free(s->damage);
    free(s->notice);
    memset(s, 0, sizeof(*s));
}
