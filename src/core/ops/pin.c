// SPDX-License-Identifier: GPL-3.0-or-later
/* pin and unpin: a pinned backup is one retention never deletes. */
#include "poshtiban/pin.h"

#include "poshtiban/catalog.h"

enum pt_status pt_backup_pin(const struct pt_project *p, const char *id, bool pinned,
                             struct pt_record *out, struct pt_error *err)
{
    struct pt_catalog *c;
    struct pt_record r = {0};
    enum pt_status rc = pt_catalog_open(&c, p, PT_CATALOG_READ, err);
    if (rc != PT_OK)
        return rc;
    if ((rc = pt_catalog_get(c, id, &r, err)) == PT_OK &&
        (rc = pt_catalog_set_pinned(c, r.id, pinned, err)) == PT_OK)
        r.pinned = pinned;
    pt_catalog_close(c);
    if (out && rc == PT_OK)
        *out = r;
    else
        pt_record_free(&r);
    return rc;
}
