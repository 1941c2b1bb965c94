// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "app.h"
#include "poshtiban/changes.h"
#include "poshtiban/l10n.h"
#include "poshtiban/text.h"
#include "poshtiban/present.h"
#include "tui.h"

/*
 * Every backup, newest first, read from the catalog one screenful at a time:
 * a catalog of any size costs one page of records.
 */
struct list {
    int status; /* -1: all, else enum pt_state */
    int kind;   /* -1: all, else enum pt_kind */
    char *search;
    int64_t total, cursor, top;
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
    PT_ACT_EXPORT_PLAIN, PT_ACT_NONE,
};

static void *init(struct pt_app *app)
{
    (void)app;
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
static void load_points(struct list *l, struct pt_app *app)
{
    pt_change_list_free(&l->points);
    memset(&l->points, 0, sizeof(l->points));
    if (l->changes && pt_changes_list(app->project, &l->points, NULL) != PT_OK)
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
static int64_t count(const struct list *l, struct pt_app *app, int status, int kind)
{
    struct pt_catalog_filter f = list_filter(l, status, kind);
    f.limit = 1;
    struct pt_record *r = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (pt_catalog_list(app->catalog, &f, &r, &n, &total, NULL) != PT_OK)
        total = 0;
    pt_record_list_free(r, n);
    return total;
}

static void load(struct list *l, struct pt_app *app, int rows)
{
    if (!l->stale && l->page_top == l->top && l->page_rows == rows)
        return;
    drop_page(l);
    struct pt_catalog_filter f = list_filter(l, l->status, l->kind);
    f.limit = rows;
    f.offset = l->top;
    if (pt_catalog_list(app->catalog, &f, &l->page, &l->n_page, &l->total, NULL) != PT_OK) {
        l->page = NULL;
        l->n_page = 0;
        l->total = 0;
    }
    l->page_top = l->top;
    l->page_rows = rows;
    l->stale = false;
}

static void focus(void *state, struct pt_app *app)
{
    struct list *l = state;
    l->stale = true;
    memset(l->widths, 0, sizeof(l->widths));
    load_points(l, app);
    l->sub = -1;
}

static const struct pt_record *selected(struct list *l)
{
    int64_t i = l->cursor - l->page_top;
    return i >= 0 && i < (int64_t)l->n_page ? &l->page[i] : NULL;
}

/* The change set under the cursor, or NULL when it is on a backup. */
static const struct pt_change_point *selected_point(struct list *l)
{
    const struct pt_record *r = selected(l);
    return r && l->sub >= 0 ? point_at(l, r->name, l->sub) : NULL;
}

/* The name of the backup at index i of the filtered list (a new string), or NULL. */
static char *name_at(struct list *l, struct pt_app *app, int64_t i)
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
    if (pt_catalog_list(app->catalog, &f, &r, &n, &total, NULL) == PT_OK && n == 1)
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
static void lay_out(struct list *l, struct pt_app *app, int rows)
{
    for (;;) {
        load(l, app, rows);
        size_t n = 0, cursor_row = 0;
        for (size_t i = 0; i < l->n_page; i++)
            n += 1 + (size_t)n_points(l, l->page[i].name);
        free(l->screen);
        l->screen = pt_xcalloc(n + 1, sizeof(*l->screen));
        l->n_screen = 0;
        for (size_t i = 0; i < l->n_page; i++) {
            int points = n_points(l, l->page[i].name);
            for (int k = -1; k < points; k++) {
                if (l->page_top + (int64_t)i == l->cursor && k == l->sub)
                    cursor_row = l->n_screen;
                l->screen[l->n_screen++] = (struct screen_row){(int)i, k};
            }
        }
        l->skip = 0;
        if (rows <= 0 || cursor_row < (size_t)rows)
            return;
        if (l->top >= l->cursor) {
            l->skip = cursor_row - (size_t)rows + 1;
            return;
        }
        l->top++;
    }
}

static void clamp(struct list *l, int rows)
{
    if (l->cursor >= l->total)
        l->cursor = l->total - 1;
    if (l->cursor < 0)
        l->cursor = 0;
    if (l->cursor < l->top)
        l->top = l->cursor;
    if (l->cursor >= l->top + rows)
        l->top = l->cursor - rows + 1;
    if (l->top < 0)
        l->top = 0;
}

static void draw(void *state, struct pt_app *app, WINDOW *win, int y, int x, int h, int w)
{
    struct list *l = state;
    int rows = h - 3;
    load(l, app, rows);
    clamp(l, rows);
    load(l, app, rows);
    const struct pt_record *at = selected(l);
    if (!at || l->sub >= n_points(l, at->name))
        l->sub = -1;
    lay_out(l, app, rows);
    char *total = pt_l10n_int(l->total);
    char *shown = pt_xasprintf(P_("%s backup", "%s backups", l->total), total);
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
    if (l->total == 0)
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
        bool sel = l->page_top + (int64_t)i == l->cursor && row->sub == l->sub;
        int ry = y + 2 + (int)(s_i - l->skip);
        if (sel)
            pt_ui_fill(win, ry, x, w, PT_STYLE_SELECTED);
        if (row->sub >= 0) {
            const struct pt_change_point *p = point_at(l, l->page[i].name, row->sub);
            char *line = p ? pt_present_change_line(p, pt_app_keep_whole) : NULL;
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
    l->cursor = l->top = 0;
    l->sub = -1;
    l->stale = true;
}

/*
 * The status or kind filter's next value, forward (step 1) or back (-1),
 * through all (-1) and each value that has backups under the other filters.
 */
static int next_value(struct list *l, struct pt_app *app, bool status, int step)
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
        if (v < 0 || count(l, app, status ? v : l->status, status ? l->kind : v) > 0)
            return v;
    }
    return -1;
}

static void search_changed(const char *text, void *user)
{
    struct list *l = user;
    free(l->search);
    l->search = text && *text ? pt_xstrdup(text) : NULL;
    refilter(l);
}

static bool handle(void *state, struct pt_app *app, enum pt_action a)
{
    struct list *l = state;
    int page = l->page_rows > 1 ? l->page_rows - 1 : 1;
    const struct pt_record *r = selected(l);
    switch (a) {
    case PT_ACT_UP:
        /* Through the change sets under each backup when they are shown. */
        if (l->sub >= 0) {
            l->sub--;
        } else if (l->cursor > 0) {
            char *name = l->changes ? name_at(l, app, l->cursor - 1) : NULL;
            l->cursor--;
            l->sub = n_points(l, name) - 1;
            free(name);
        }
        return true;
    case PT_ACT_DOWN:
        if (r && l->sub + 1 < n_points(l, r->name)) {
            l->sub++;
        } else if (l->cursor + 1 < l->total) {
            l->cursor++;
            l->sub = -1;
        }
        return true;
    case PT_ACT_PAGE_UP:
        l->cursor -= page;
        l->top -= page;
        break;
    case PT_ACT_PAGE_DOWN:
        l->cursor += page;
        l->top += page;
        if (l->top > l->total - l->page_rows)
            l->top = l->total - l->page_rows;
        break;
    case PT_ACT_HOME:
        l->cursor = 0;
        break;
    case PT_ACT_END:
        l->cursor = l->total - 1;
        break;
    case PT_ACT_OPEN:
        if (r)
            pt_app_show(app, r->name);
        return true;
    case PT_ACT_CHANGES:
        l->changes = !l->changes;
        l->sub = -1;
        load_points(l, app);
        if (l->changes && l->points.n == 0)
            pt_app_message(app, PT_STYLE_NORMAL, "%s",
                           _("No change sets yet: poshtiban capture takes one, and auto every "
                             "auto.changes_minutes."));
        return true;
    case PT_ACT_NEW:
        pt_app_start(app, PT_JOB_CREATE, NULL);
        return true;
    case PT_ACT_RESTORE:
        /* On a change set: the restore to its moment (restore --at), with the same preview. */
        if (selected_point(l)) {
            pt_app_start_at(app, PT_JOB_RESTORE_PLAN, r->name, selected_point(l)->taken_ms);
            return true;
        }
        /* fall through */
    case PT_ACT_VERIFY:
    case PT_ACT_VERIFY_DEEP:
    case PT_ACT_EXPORT:
    case PT_ACT_EXPORT_PLAIN:
    case PT_ACT_PUSH:
        if (r)
            pt_app_start(app,
                         a == PT_ACT_VERIFY         ? PT_JOB_VERIFY
                         : a == PT_ACT_VERIFY_DEEP  ? PT_JOB_VERIFY_DEEP
                         : a == PT_ACT_EXPORT       ? PT_JOB_EXPORT
                         : a == PT_ACT_EXPORT_PLAIN ? PT_JOB_EXPORT_PLAIN
                         : a == PT_ACT_PUSH         ? PT_JOB_PUSH
                                                    : PT_JOB_RESTORE_PLAN,
                         r->name);
        return true;
    case PT_ACT_DELETE:
        if (r)
            pt_app_ask_delete(app, r);
        return true;
    case PT_ACT_PIN:
        if (r)
            pt_app_set_pin(app, r->name, !r->pinned);
        return true;
    case PT_ACT_SEARCH: {
        /* The list follows each key; Esc clears the search. */
        char *text = pt_app_prompt_live(app, _("Search names:"), l->search, search_changed, l);
        free(l->search);
        l->search = text;
        refilter(l);
        return true;
    }
    case PT_ACT_STATUS_FILTER:
    case PT_ACT_STATUS_BACK:
        l->status = next_value(l, app, true, a == PT_ACT_STATUS_FILTER ? 1 : -1);
        refilter(l);
        return true;
    case PT_ACT_KIND_FILTER:
    case PT_ACT_KIND_BACK:
        l->kind = next_value(l, app, false, a == PT_ACT_KIND_FILTER ? 1 : -1);
        refilter(l);
        return true;
    default:
        return false;
    }
    l->sub = -1;
    if (l->top < 0)
        l->top = 0;
    return true;
}

/* What needs a selected backup waits for one; restore, for a completed one. */
static bool can(void *state, enum pt_action a)
{
    const struct pt_record *r = selected(state);
    /* On a change set: open its backup, restore to its moment; nothing else acts on it. */
    if (selected_point(state) && a != PT_ACT_OPEN && a != PT_ACT_RESTORE && a != PT_ACT_CHANGES &&
        a != PT_ACT_NEW && a != PT_ACT_SEARCH && a != PT_ACT_STATUS_FILTER &&
        a != PT_ACT_STATUS_BACK && a != PT_ACT_KIND_FILTER && a != PT_ACT_KIND_BACK)
        return a == PT_ACT_UP || a == PT_ACT_DOWN || a == PT_ACT_PAGE_UP || a == PT_ACT_PAGE_DOWN ||
               a == PT_ACT_HOME || a == PT_ACT_END;
    switch (a) {
    case PT_ACT_OPEN:
    case PT_ACT_VERIFY:
    case PT_ACT_VERIFY_DEEP:
    case PT_ACT_EXPORT:
    case PT_ACT_EXPORT_PLAIN:
    case PT_ACT_DELETE:
    case PT_ACT_PIN:
        return r != NULL;
    case PT_ACT_RESTORE:
    case PT_ACT_PUSH:
        return r && r->status == PT_STATE_COMPLETED;
    default:
        return true;
    }
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
    .can = can,
};
