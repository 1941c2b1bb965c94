// SPDX-License-Identifier: GPL-3.0-or-later
#include "pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/backup-read.h"
#include "poshtiban/bidi.h"
#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"

#include "scroll.h"
#include "tui.h"

struct line {
    char *label, *value;
    enum pt_style style;
    bool number; /* a count, right-aligned in its own column */
};

/*
 * The backup's files, compact: read from the report one entry at a time,
 * only each path (one after another in one block) and size are kept, and
 * a row's line is made as it is drawn. 100,000 files take a few MiB.
 */
struct files {
    char *paths; /* NUL-terminated, one after another */
    size_t len, cap;
    size_t *at; /* where each path begins in paths */
    int64_t *sizes;
    size_t n, slots;
    int label_width; /* the widest size's */
};

/* The record as lines, built when the pane comes into view, then its files; scrolled by keys. */
struct detail {
    struct pt_record record;
    bool have;
    struct line *lines;
    size_t n, cap;
    struct files files;      /* rows n … n + files.n - 1 */
    struct pt_scroll scroll; /* its cursor: r on a media file restores that file */
};

static const enum pt_action actions[] = {
    PT_ACT_VERIFY,    PT_ACT_RESTORE,     PT_ACT_EXPORT, PT_ACT_DELETE,       PT_ACT_PIN,
    PT_ACT_PUSH,      PT_ACT_VERIFY_DEEP, PT_ACT_UP,     PT_ACT_DOWN,         PT_ACT_PAGE_UP,
    PT_ACT_PAGE_DOWN, PT_ACT_HOME,        PT_ACT_END,    PT_ACT_EXPORT_PLAIN, PT_ACT_NONE,
};

static void *init(void)
{
    return pt_xcalloc(1, sizeof(struct detail));
}

static void add(struct detail *d, const char *label, const char *value, enum pt_style style)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->lines = pt_xrealloc(d->lines, d->cap * sizeof(*d->lines));
    }
    d->lines[d->n].label = pt_xstrdup(label ? label : "");
    d->lines[d->n].value = pt_xstrdup(value ? value : "-");
    d->lines[d->n].style = style;
    d->lines[d->n].number = false;
    d->n++;
}

/* A name or path from a file: whole, in its own direction, in a right-to-left layout. */
static void add_name(struct detail *d, const char *label, const char *name, enum pt_style style)
{
    char *isolated = pt_l10n_rtl() && name ? pt_bidi_isolate(name) : NULL;
    add(d, label, isolated ? isolated : name, style);
    free(isolated);
}

static void files_free(struct files *fs)
{
    free(fs->paths);
    free(fs->at);
    free(fs->sizes);
    memset(fs, 0, sizeof(*fs));
}

static void reset(struct detail *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->lines[i].label);
        free(d->lines[i].value);
    }
    d->n = 0;
    files_free(&d->files);
    if (d->have)
        pt_record_free(&d->record);
    d->have = false;
}

static enum pt_status add_file(json_t *f, void *user, struct pt_error *err)
{
    (void)err;
    struct files *fs = user;
    const char *path = json_string_value(json_object_get(f, "path"));
    path = path ? path : "";
    size_t len = strlen(path) + 1;
    if (fs->n == fs->slots) {
        fs->slots = fs->slots ? fs->slots * 2 : 256;
        fs->at = pt_xrealloc(fs->at, fs->slots * sizeof(*fs->at));
        fs->sizes = pt_xrealloc(fs->sizes, fs->slots * sizeof(*fs->sizes));
    }
    while (fs->len + len > fs->cap)
        fs->paths = pt_xrealloc(fs->paths, fs->cap = fs->cap ? fs->cap * 2 : 8192);
    memcpy(fs->paths + fs->len, path, len);
    fs->at[fs->n] = fs->len;
    fs->len += len;
    fs->sizes[fs->n] = json_integer_value(json_object_get(f, "size"));
    char buf[64];
    pt_l10n_size(fs->sizes[fs->n++], buf, sizeof(buf));
    int w = (int)pt_text_width(buf);
    fs->label_width = w > fs->label_width ? w : fs->label_width;
    return PT_OK;
}

static const char *file_path(const struct detail *d, int64_t row)
{
    return d->files.paths + d->files.at[row - (int64_t)d->n];
}

static void focus(void *state, const struct pt_tui_context *ctx)
{
    struct detail *d = state;
    reset(d);
    if (!ctx->selected || pt_catalog_get(ctx->catalog, ctx->selected, &d->record, NULL) != PT_OK)
        return;
    d->have = true;
    const struct pt_record *r = &d->record;
    /* The record's fields as `show` prints them (present/record-fields.c). */
    struct pt_field *fields;
    size_t n = pt_present_record(r, &fields);
    for (size_t i = 0; i < n; i++) {
        const struct pt_field *f = &fields[i];
        if (f->kind == PT_VALUE_NAME || f->kind == PT_VALUE_PATH)
            add_name(d, f->label, f->value, pt_ui_tone_style(f->tone));
        else
            add(d, f->label, f->value, pt_ui_tone_style(f->tone));
    }
    pt_present_fields_free(fields, n);
    bool done = r->status == PT_STATE_COMPLETED;
    if (done && r->n_tables > 0) {
        add(d, "", "", PT_STYLE_NORMAL);
        add(d, _("Tables"), _("rows"), PT_STYLE_TITLE);
        d->lines[d->n - 1].number = true;
    }
    for (size_t i = 0; done && i < r->n_tables; i++) {
        char *rows = pt_l10n_int(r->tables[i].rows);
        add(d, r->tables[i].name, rows, PT_STYLE_NORMAL);
        d->lines[d->n - 1].number = true;
        free(rows);
    }
    /* Its change sets, newest first, before the files (a long list), as `show` prints them
     * (present/changes.c). */
    struct pt_change_list changes = {0};
    if (pt_changes_list(ctx->project, &changes, NULL) == PT_OK) {
        bool any = false;
        for (size_t i = changes.n; i-- > 0;) {
            const struct pt_change_point *p = &changes.points[i];
            if (!p->base || strcmp(p->base, r->name) != 0)
                continue;
            if (!any) {
                add(d, "", "", PT_STYLE_NORMAL);
                add(d, _("Change sets"), "", PT_STYLE_TITLE);
            }
            any = true;
            char *line = pt_present_change_line(p, pt_ui_keep_whole);
            add(d, "", line, p->kind == PT_CHANGE_SNAPSHOT ? PT_STYLE_WARN : PT_STYLE_NORMAL);
            free(line);
        }
    }
    pt_change_list_free(&changes);
    /* One pass over the report checks it whole as it reads: a damaged one lists no files. */
    if (r->status == PT_STATE_COMPLETED &&
        pt_backup_each_file(r, add_file, &d->files, NULL) == PT_OK) {
        add(d, "", "", PT_STYLE_NORMAL);
        add(d, _("Files"), _("r on a media file restores just that file"), PT_STYLE_TITLE);
    } else {
        files_free(&d->files); /* what was read before the damage */
    }
    d->scroll.count = (int64_t)(d->n + d->files.n);
    if (d->scroll.top > d->scroll.count)
        d->scroll.top = 0;
    if (d->scroll.cursor >= d->scroll.count)
        d->scroll.cursor = 0;
}

static void draw(void *state, const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h,
                 int w)
{
    struct detail *d = state;
    (void)ctx;
    d->scroll.page = h;
    pt_scroll_clamp(&d->scroll);
    int top = (int)d->scroll.top;
    if (!d->have) {
        pt_ui_text(win, y + 1, x + 2, w - 4,
                   _("No backup selected: choose one in the list (2) and press Enter."),
                   PT_STYLE_DIM, PT_ALIGN_LEFT);
        return;
    }
    /* Labels (table names among them) as wide as the widest, up to half the width. */
    int lw = d->files.label_width > 12 ? d->files.label_width : 12;
    for (size_t i = 0; i < d->n; i++) {
        int this = (int)pt_text_width(d->lines[i].label);
        lw = this > lw ? this : lw;
    }
    lw = lw < w / 2 ? lw : w / 2;
    for (int i = 0; i < h && top + i < d->scroll.count; i++) {
        int64_t row = (int64_t)top + i;
        struct line file = {.style = PT_STYLE_NORMAL};
        char size[64];
        if (row >= (int64_t)d->n) {
            /* A file's line, made for this draw: its size, its path in its own direction. */
            pt_l10n_size(d->files.sizes[row - (int64_t)d->n], size, sizeof(size));
            file.label = size;
            file.value = pt_l10n_rtl() ? pt_bidi_isolate(file_path(d, row)) : NULL;
        }
        const struct line *l = row < (int64_t)d->n ? &d->lines[row] : &file;
        const char *value = l == &file && !file.value ? file_path(d, row) : l->value;
        bool here = row == d->scroll.cursor;
        if (here)
            pt_ui_fill(win, y + i, x + 1, w - 2, PT_STYLE_SELECTED);
        pt_ui_text(win, y + i, x + 2, lw, l->label, here ? PT_STYLE_SELECTED : PT_STYLE_DIM,
                   PT_ALIGN_LEFT);
        if (l->number)
            pt_ui_text(win, y + i, x + lw + 3, 14, l->value, here ? PT_STYLE_SELECTED : l->style,
                       PT_ALIGN_RIGHT);
        else
            pt_ui_text(win, y + i, x + lw + 3, w - lw - 5, value,
                       here ? PT_STYLE_SELECTED : l->style, PT_ALIGN_LEFT);
        free(file.value);
    }
}

/* The keys move the cursor; what acts on the backup is the action table's (action.h). */
static bool handle(void *state, const struct pt_tui_context *ctx, enum pt_action a,
                   struct pt_reaction *out)
{
    (void)ctx, (void)out;
    struct detail *d = state;
    return pt_scroll_key(&d->scroll, a);
}

/* The backup shown, and the media file under the cursor. */
static void selection(void *state, struct pt_selection *out)
{
    const struct detail *d = state;
    if (!d->have)
        return;
    out->row = true;
    out->record = &d->record;
    int64_t at = d->scroll.cursor;
    const char *path = at >= (int64_t)d->n && at < d->scroll.count ? file_path(d, at) : NULL;
    /* A media file of the backup ("media/a.jpg"): r restores just it. */
    out->file = path && strncmp(path, "media/", 6) == 0 ? path : NULL;
}

static void destroy(void *state)
{
    struct detail *d = state;
    reset(d);
    free(d->lines);
    free(d);
}

const struct pt_pane_ops pt_pane_detail = {
    .title = N_("Detail"),
    .init = init,
    .focus = focus,
    .draw = draw,
    .handle = handle,
    .destroy = destroy,
    .actions = actions,
    .select = selection,
};
