// SPDX-License-Identifier: GPL-3.0-or-later
/* The columns of the list, as `list` prints them and the List pane draws them. */
#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/present.h"

static const struct {
    const char *header;
    enum pt_value_kind kind;
} columns[PT_LIST_COLUMNS] = {
    [PT_COLUMN_ID] = {N_("ID"), PT_VALUE_COUNT},
    [PT_COLUMN_NAME] = {N_("NAME"), PT_VALUE_NAME},
    [PT_COLUMN_KIND] = {N_("KIND"), PT_VALUE_TEXT},
    [PT_COLUMN_STATUS] = {N_("STATUS"), PT_VALUE_TEXT},
    [PT_COLUMN_SIZE] = {N_("SIZE"), PT_VALUE_SIZE},
    [PT_COLUMN_CREATED] = {N_("CREATED (UTC)"), PT_VALUE_TIME},
};

struct pt_column pt_present_list_column(enum pt_list_column column)
{
    if (column >= PT_LIST_COLUMNS)
        column = PT_COLUMN_ID;
    enum pt_value_kind kind = columns[column].kind;
    return (struct pt_column){_(columns[column].header), kind,
                              kind == PT_VALUE_COUNT || kind == PT_VALUE_SIZE};
}

static const char *const keys[PT_LIST_COLUMNS] = {
    [PT_COLUMN_ID] = "id",           [PT_COLUMN_NAME] = "name",
    [PT_COLUMN_KIND] = "kind",       [PT_COLUMN_STATUS] = "status",
    [PT_COLUMN_SIZE] = "size_bytes", [PT_COLUMN_CREATED] = "created_at",
};

const char *pt_present_list_key(enum pt_list_column column)
{
    return column < PT_LIST_COLUMNS ? keys[column] : NULL;
}

void pt_present_list_row(const struct pt_record *r, struct pt_cell cells[PT_LIST_COLUMNS])
{
    /* The record's values, as its JSON has them; the list shows its times to the minute. */
    struct pt_doc *doc = pt_present_record_doc(r);
    for (size_t c = 0; c < PT_LIST_COLUMNS; c++) {
        const struct pt_item *item = pt_doc_get(doc, keys[c]);
        struct pt_value value = item->value;
        value.look = PT_LOOK_MINUTE;
        cells[c] = (struct pt_cell){pt_render_text(&value, NULL),
                                    c == PT_COLUMN_STATUS ? item->tone : PT_TONE_PLAIN};
    }
    /* 📌 pinned; ☁ has an off-site copy. */
    char *name = cells[PT_COLUMN_NAME].text;
    cells[PT_COLUMN_NAME].text = pt_xasprintf("%s%s%s", r->pinned ? "📌" : "", r->name ? name : "",
                                              r->offsite_snapshot ? " ☁" : "");
    free(name);
    pt_doc_free(doc);
}

void pt_present_list_row_free(struct pt_cell cells[PT_LIST_COLUMNS])
{
    for (size_t c = 0; c < PT_LIST_COLUMNS; c++) {
        free(cells[c].text);
        cells[c].text = NULL;
    }
}
