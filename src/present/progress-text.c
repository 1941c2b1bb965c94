// SPDX-License-Identifier: GPL-3.0-or-later
/* How far long work has come, as the CLI's progress line and the TUI's box say it. */
#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"

/* Rows are counted; every other phase measures bytes. */
static char *amount(const struct pt_progress *p, int64_t n)
{
    if (p->phase == PT_PHASE_FIXTURES)
        return pt_l10n_int(n);
    char size[48];
    pt_l10n_size(n, size, sizeof(size));
    return pt_xstrdup(size);
}

void pt_present_progress(const struct pt_progress *p, int64_t elapsed_ms,
                         struct pt_progress_text *text)
{
    *text = (struct pt_progress_text){0};
    char *done = amount(p, p->done);
    if (p->total > 0) {
        char *total = amount(p, p->total);
        char *percent = pt_l10n_int(p->done * 100 / p->total);
        text->amount = pt_xasprintf(_("%s / %s (%s%%)"), done, total, percent);
        free(total);
        free(percent);
        free(done);
    } else if (p->done > 0) {
        text->amount = done;
    } else {
        free(done);
    }
    /* Too soon, a rate says more about the start than about the work. */
    if (elapsed_ms <= 500 || p->done <= 0)
        return;
    int64_t per_s = p->done * 1000 / elapsed_ms;
    char *rate = amount(p, per_s);
    text->rate = pt_xasprintf(p->phase == PT_PHASE_FIXTURES ? _("%s rows/s") : _("%s/s"), rate);
    free(rate);
    if (p->total > p->done && per_s > 0) {
        char left[48];
        pt_l10n_duration((p->total - p->done) * 1000 / per_s, left, sizeof(left));
        text->left = pt_xasprintf(_("%s left"), left);
    }
}

void pt_present_progress_free(struct pt_progress_text *text)
{
    free(text->amount);
    free(text->rate);
    free(text->left);
    *text = (struct pt_progress_text){0};
}
