// SPDX-License-Identifier: GPL-3.0-or-later
#include "pane.h"

#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/present.h"
#include "poshtiban/text.h"

#include "scroll.h"
#include "tui.h"

/*
 * Every backup, newest first, read from the catalog one screenful at a time:
 * a catalog of any size costs one page of records.
 */
struct list {
    int status; /* -1: all, else enum pt_state */
    int kind;   /* -1: all, else enum pt_kind */
    char *search;
    struct pt_scroll scroll; /* over every backup the filters show (count), a page at a time */
    struct pt_record *page;
    size_t n_page;
    int64_t page_top;
    int page_rows;
    bool stale;
    /* Of each column, the widest cell seen since the pane came into view. */
    int widths[PT_LIST_COLUMNS];
    /*
     * Change sets (h): each backup's, newest first, on a row of its own
     * under it, read from the files when shown. sub is the cursor's among
     * the selected backup's (-1: the backup itself).
     */
    bool changes;
    struct pt_change_list points;
    int sub;
    /* The rows on screen: (backup in the page, its change set or -1), from skip. */
    struct screen_row {
        int record, sub;
    } * screen;
    size_t n_screen, skip;
};

/* In the footer's order: what fits of it shows. */
static const enum pt_action actions[] = {
    PT_ACT_OPEN,         PT_ACT_NEW,         PT_ACT_SEARCH,  PT_ACT_STATUS_FILTER,
    PT_ACT_KIND_FILTER,  PT_ACT_VERIFY,      PT_ACT_RESTORE, PT_ACT_DELETE,
    PT_ACT_PIN,          PT_ACT_EXPORT,      PT_ACT_PUSH,    PT_ACT_STATUS_BACK,
    PT_ACT_KIND_BACK,    PT_ACT_VERIFY_DEEP, PT_ACT_UP,      PT_ACT_DOWN,
    PT_ACT_PAGE_UP,      PT_ACT_PAGE_DOWN,   PT_ACT_HOME,    PT_ACT_END,
    PT_ACT_EXPORT_PLAIN, PT_ACT_CHANGES,     PT_ACT_NONE,
};

static void *init(void)
{
    struct list *l = pt_xcalloc(1, sizeof(*l));
    l->status = l->kind = -1;
    l->stale = true;
    l->sub = -1;
    return l;
}

/* How many change sets the backup named name has. */
static int n_points(const struct list *l, const char *name)
{
    int n = 0;
    for (size_t i = 0; l->changes && name && i < l->points.n; i++)
        n += l->points.points[i].base && strcmp(l->points.points[i].base, name) == 0;
    return n;
}

/* The backup's sub-th change set, newest first; NULL when there is none. */
static const struct pt_change_point *point_at(const struct list *l, const char *name, int sub)
{
    for (size_t i = l->points.n; l->changes && name && sub >= 0 && i-- > 0;) {
        const struct pt_change_point *p = &l->points.points[i];
        if (p->base && strcmp(p->base, name) == 0 && sub-- == 0)
            return p;
    }
    return NULL;
}

/* The change sets as the files on disk have them now. */
static void load_points(struct list *l, const struct pt_tui_context *ctx)
{
    pt_change_list_free(&l->points);
    memset(&l->points, 0, sizeof(l->points));
    if (l->changes && pt_changes_list(ctx->project, &l->points, NULL) != PT_OK)
        memset(&l->points, 0, sizeof(l->points));
}

static void drop_page(struct list *l)
{
    pt_record_list_free(l->page, l->n_page);
    l->page = NULL;
    l->n_page = 0;
}

static struct pt_catalog_filter list_filter(const struct list *l, int status, int kind)
{
    return (struct pt_catalog_filter){.has_status = status >= 0,
                                      .status = (enum pt_state)(status < 0 ? 0 : status),
                                      .has_kind = kind >= 0,
                                      .kind = (enum pt_kind)(kind < 0 ? 0 : kind),
                                      .name_contains = l->search && *l->search ? l->search : NULL};
}

/* How many backups the filters would show with this status and kind (-1: any). */
static int64_t count(const struct list *l, const struct pt_tui_context *ctx, int status, int kind)
{
    struct pt_catalog_filter f = list_filter(l, status, kind);
    f.limit = 1;
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (pt_catalog_list(ctx->catalog, &f, &r, &n, &total, NULL) != PT_OK)
        total = 0;
    pt_record_list_free(r, n);
    return total;
}

static void load(struct list *l, const struct pt_tui_context *ctx, int rows)
{
    if (!l->stale && l->page_top == l->scroll.top && l->page_rows == rows)
        return;
    drop_page(l);
    struct pt_catalog_filter f = list_filter(l, l->status, l->kind);
    f.limit = rows;
    f.offset = l->scroll.top;
    if (pt_catalog_list(ctx->catalog, &f, &l->page, &l->n_page, &l->scroll.count, NULL) != PT_OK) {
        l->page = NULL;
        l->n_page = 0;
        l->scroll.count = 0;
    }
    l->page_top = l->scroll.top;
    l->page_rows = rows;
    l->stale = false;
}

static void focus(void *state, const struct pt_tui_context *ctx)
{
    struct list *l = state;
    l->stale = true;
    memset(l->widths, 0, sizeof(l->widths));
    load_points(l, ctx);
    l->sub = -1;
}

static const struct pt_record *selected(struct list *l)
{
    int64_t i = l->scroll.cursor - l->page_top;
    return i >= 0 && i < (int64_t)l->n_page ? &l->page[i] : NULL;
}

/* The change set under the cursor, or NULL when it is on a backup. */
static const struct pt_change_point *selected_point(struct list *l)
{
    const struct pt_record *r = selected(l);
    return r && l->sub >= 0 ? point_at(l, r->name, l->sub) : NULL;
}

/* The name of the backup at index i of the filtered list (a new string), or NULL. */
static char *name_at(struct list *l, const struct pt_tui_context *ctx, int64_t i)
{
    int64_t at = i - l->page_top;
    if (at >= 0 && at < (int64_t)l->n_page)
        return pt_xstrdup(l->page[at].name);
    struct pt_catalog_filter f = list_filter(l, l->status, l->kind);
    f.limit = 1;
    f.offset = i;
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total = 0;
    char *name = NULL;
    if (pt_catalog_list(ctx->catalog, &f, &r, &n, &total, NULL) == PT_OK && n == 1)
        name = pt_xstrdup(r[0].name);
    pt_record_list_free(r, n);
    return name;
}

/*
 * The rows on screen: each backup of the page from top, and its change
 * sets under it when shown. Moves top down until the cursor's row is on
 * screen; skip is what a backup with more change sets than the screen
 * holds leaves out above.
 */
static void lay_out(struct list *l, const struct pt_tui_context *ctx, int rows)
{
    for (;;) {
        load(l, ctx, rows);
        size_t n = 0, cursor_row = 0;
        for (size_t i = 0; i < l->n_page; i++)
            n += 1 + (size_t)n_points(l, l->page[i].name);
        free(l->screen);
        l->screen = pt_xcalloc(n + 1, sizeof(*l->screen));
        l->n_screen = 0;
        for (size_t i = 0; i < l->n_page; i++) {
            int points = n_points(l, l->page[i].name);
            for (int k = -1; k < points; k++) {
                if (l->page_top + (int64_t)i == l->scroll.cursor && k == l->sub)
                    cursor_row = l->n_screen;
                l->screen[l->n_screen++] = (struct screen_row){(int)i, k};
            }
        }
        l->skip = 0;
        if (rows <= 0 || cursor_row < (size_t)rows)
            return;
        if (l->scroll.top >= l->scroll.cursor) {
            l->skip = cursor_row - (size_t)rows + 1;
            return;
        }
        l->scroll.top++;
    }
}

static void draw(void *state, const struct pt_tui_context *ctx, WINDOW *win, int y, int x, int h,
                 int w)
{
    struct list *l = state;
    int rows = h - 3;
    load(l, ctx, rows);
    l->scroll.page = rows;
    pt_scroll_clamp(&l->scroll);
    load(l, ctx, rows);
    const struct pt_record *at = selected(l);
    if (!at || l->sub >= n_points(l, at->name))
        l->sub = -1;
    lay_out(l, ctx, rows);
    char *total = pt_l10n_int(l->scroll.count);
    char *shown = pt_xasprintf(P_("%s backup", "%s backups", l->scroll.count), total);
    pt_ui_textf(win, y, x + 1, w - 2, PT_STYLE_DIM, PT_ALIGN_LEFT,
                _("status: %s   kind: %s   name: %s   %s"),
                l->status < 0 ? _("all") : pt_state_label((enum pt_state)l->status),
                l->kind < 0 ? _("all") : pt_kind_label((enum pt_kind)l->kind),
                l->search && *l->search ? l->search : _("any"), shown ? shown : total);
    free(shown);
    free(total);
    /*
     * The page's cells first (present/list-columns.c, as `list` prints them):
     * every column as wide as its widest cell, the name takes the rest.
     */
    enum { NCOLS = PT_LIST_COLUMNS };
    struct pt_column cols[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        cols[c] = pt_present_list_column((enum pt_list_column)c);
    size_t n = l->n_page < (size_t)rows ? l->n_page : (size_t)(rows > 0 ? rows : 0);
    struct pt_cell *cells = pt_xcalloc(n * NCOLS + 1, sizeof(*cells));
    /*
     * Every column as wide as its widest cell so far: a filter or a page that
     * shows narrower rows never moves the columns. They start afresh when the
     * pane comes into view.
     */
    int *widths = l->widths;
    for (int c = 0; c < NCOLS; c++) {
        int tw = (int)pt_text_width(cols[c].header) + 2;
        widths[c] = tw > widths[c] ? tw : widths[c];
    }
    for (size_t i = 0; i < n; i++) {
        struct pt_cell *row = &cells[i * NCOLS];
        pt_present_list_row(&l->page[i], row);
        for (int c = 0; c < NCOLS; c++) {
            int cw = (int)pt_text_width(row[c].text) + 2;
            widths[c] = cw > widths[c] ? cw : widths[c];
        }
    }
    /* The layout of this frame; the widths seen stay as they were. */
    int layout[NCOLS];
    memcpy(layout, l->widths, sizeof(layout));
    widths = layout;
    int others = 0;
    for (int c = 0; c < NCOLS; c++)
        others += c == PT_COLUMN_NAME ? 0 : widths[c];
    widths[PT_COLUMN_NAME] = w - 2 - others;
    if (widths[PT_COLUMN_NAME] < 14) {
        /* Too narrow: the name keeps 14 columns, status and kind give way. */
        int short_by = 14 - widths[PT_COLUMN_NAME];
        for (int c = PT_COLUMN_STATUS; c >= PT_COLUMN_KIND && short_by > 0; c--) {
            int give = widths[c] - 6 < short_by ? widths[c] - 6 : short_by;
            widths[c] -= give > 0 ? give : 0;
            short_by -= give > 0 ? give : 0;
        }
        widths[PT_COLUMN_NAME] = 14;
    }
    int cx = x + 1;
    for (int c = 0; c < NCOLS; c++) {
        pt_ui_text(win, y + 1, cx, widths[c] - 1, cols[c].header, PT_STYLE_TITLE,
                   cols[c].end ? PT_ALIGN_RIGHT : PT_ALIGN_LEFT);
        cx += widths[c];
    }
    if (l->scroll.count == 0)
        pt_ui_text(win, y + 3, x + 2, w - 4,
                   l->search || l->status >= 0 || l->kind >= 0
                       ? _("No backup matches.")
                       : _("No backups yet: press n to take the first one."),
                   PT_STYLE_DIM, PT_ALIGN_LEFT);
    /* The change sets start under the name, one line each (present/changes.c). */
    int point_x = x + 1 + widths[PT_COLUMN_ID];
    for (size_t s_i = l->skip; s_i < l->n_screen && (int)(s_i - l->skip) < rows; s_i++) {
        const struct screen_row *row = &l->screen[s_i];
        size_t i = (size_t)row->record;
        bool sel = l->page_top + (int64_t)i == l->scroll.cursor && row->sub == l->sub;
        int ry = y + 2 + (int)(s_i - l->skip);
        if (sel)
            pt_ui_fill(win, ry, x, w, PT_STYLE_SELECTED);
        if (row->sub >= 0) {
            const struct pt_change_point *p = point_at(l, l->page[i].name, row->sub);
            char *line = p ? pt_present_change_line(p, pt_ui_keep_whole) : NULL;
            bool whole = p && p->kind == PT_CHANGE_SNAPSHOT;
            pt_ui_textf(win, ry, point_x, x + w - point_x - 1,
                        sel     ? PT_STYLE_SELECTED
                        : whole ? PT_STYLE_WARN
                                : PT_STYLE_DIM,
                        PT_ALIGN_LEFT, "└ %s", line ? line : "");
            free(line);
            continue;
        }
        cx = x + 1;
        for (int c = 0; c < NCOLS && i < n; c++) {
            const struct pt_cell *cell = &cells[i * NCOLS + c];
            pt_ui_text(win, ry, cx, widths[c] - 1, cell->text,
                       sel ? PT_STYLE_SELECTED : pt_ui_tone_style(cell->tone),
                       cols[c].end ? PT_ALIGN_RIGHT : PT_ALIGN_LEFT);
            cx += widths[c];
        }
    }
    for (size_t i = 0; i < n; i++)
        pt_present_list_row_free(&cells[i * NCOLS]);
    free(cells);
}

static void refilter(struct list *l)
{
    l->scroll.cursor = l->scroll.top = 0;
    l->sub = -1;
    l->stale = true;
}

/*
 * The status or kind filter's next value, forward (step 1) or back (-1),
 * through all (-1) and each value that has backups under the other filters.
 */
static int next_value(struct list *l, const struct pt_tui_context *ctx, bool status, int step)
{
    static const int states[] = {-1,
                                 PT_STATE_COMPLETED,
                                 PT_STATE_FAILED,
                                 PT_STATE_CANCELLED,
                                 PT_STATE_INTERRUPTED,
                                 PT_STATE_RUNNING,
                                 PT_STATE_PENDING};
    static const int kinds[] = {-1, PT_KIND_MANUAL, PT_KIND_AUTO, PT_KIND_SCHEDULED};
    const int *order = status ? states : kinds;
    int n = status ? (int)(sizeof(states) / sizeof(states[0]))
                   : (int)(sizeof(kinds) / sizeof(kinds[0]));
    int now = status ? l->status : l->kind, at = 0;
    for (int i = 0; i < n; i++)
        if (order[i] == now)
            at = i;
    for (int tries = 1; tries < n; tries++) {
        int v = order[((at + step * tries) % n + n) % n];
        if (v < 0 || count(l, ctx, status ? v : l->status, status ? l->kind : v) > 0)
            return v;
    }
    return -1;
}

/*
 * The keys move the cursor (through the change sets under each backup when
 * they are shown), open, filter and search; what acts on a backup is the
 * action table's (action.h).
 */
static bool handle(void *state, const struct pt_tui_context *ctx, enum pt_action a,
                   struct pt_reaction *out)
{
    struct list *l = state;
    const struct pt_record *r = selected(l);
    switch (a) {
    case PT_ACT_UP:
        if (!l->changes)
            break;
        if (l->sub >= 0) {
            l->sub--;
        } else if (l->scroll.cursor > 0) {
            char *name = name_at(l, ctx, l->scroll.cursor - 1);
            l->scroll.cursor--;
            l->sub = n_points(l, name) - 1;
            free(name);
        }
        return true;
    case PT_ACT_DOWN:
        if (!l->changes)
            break;
        if (r && l->sub + 1 < n_points(l, r->name)) {
            l->sub++;
        } else if (l->scroll.cursor + 1 < l->scroll.count) {
            l->scroll.cursor++;
            l->sub = -1;
        }
        return true;
    case PT_ACT_OPEN:
        out->show = pt_xstrdup(r->name);
        return true;
    case PT_ACT_CHANGES:
        l->changes = !l->changes;
        l->sub = -1;
        load_points(l, ctx);
        if (l->changes && l->points.n == 0)
            pt_reaction_say(out, PT_STYLE_NORMAL, "%s",
                            _("No change sets yet: poshtiban capture takes one, and auto every "
                              "auto.changes_minutes."));
        return true;
    case PT_ACT_SEARCH:
        /* The list follows each key; Esc clears the search. */
        out->prompt = pt_xstrdup(_("Search names:"));
        out->initial = l->search ? pt_xstrdup(l->search) : NULL;
        out->live = true;
        return true;
    case PT_ACT_STATUS_FILTER:
    case PT_ACT_STATUS_BACK:
        l->status = next_value(l, ctx, true, a == PT_ACT_STATUS_FILTER ? 1 : -1);
        refilter(l);
        return true;
    case PT_ACT_KIND_FILTER:
    case PT_ACT_KIND_BACK:
        l->kind = next_value(l, ctx, false, a == PT_ACT_KIND_FILTER ? 1 : -1);
        refilter(l);
        return true;
    default:
        break;
    }
    if (!pt_scroll_key(&l->scroll, a))
        return false;
    l->sub = -1;
    return true;
}

/* The search as it is typed: Esc clears it. */
static void prompted(void *state, const struct pt_tui_context *ctx, const char *text,
                     enum pt_prompt_step step, struct pt_reaction *out)
{
    (void)ctx, (void)step, (void)out;
    struct list *l = state;
    free(l->search);
    l->search = text && *text ? pt_xstrdup(text) : NULL;
    refilter(l);
}

/* The backup under the cursor, or one of its change sets. */
static void selection(void *state, struct pt_selection *out)
{
    struct list *l = state;
    out->record = selected(l);
    out->point = selected_point(l);
    out->row = out->record != NULL;
}

static void destroy(void *state)
{
    struct list *l = state;
    drop_page(l);
    pt_change_list_free(&l->points);
    free(l->screen);
    free(l->search);
    free(l);
}

const struct pt_pane_ops pt_pane_list = {
    .title = N_("List"),
    .init = init,
    .focus = focus,
    .draw = draw,
    .handle = handle,
    .destroy = destroy,
    .actions = actions,
    .prompted = prompted,
    .select = selection,
};
