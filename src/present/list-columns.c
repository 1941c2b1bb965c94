// SPDX-License-Identifier: GPL-3.0-or-later
/* The columns of the list, as `list` prints them and the List pane draws them. */
#include "poshtiban/present.h"

#include <stdlib.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

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

void pt_present_list_row(const struct pt_record *r, struct pt_cell cells[PT_LIST_COLUMNS])
{
    char size[48];
    pt_l10n_size(r->size_bytes, size, sizeof(size));
    /* 📌 pinned; ☁ has an off-site copy. */
    char *name = pt_xasprintf("%s%s%s", r->pinned ? "📌" : "", r->name ? r->name : "",
                              r->offsite_snapshot ? " ☁" : "");
    cells[PT_COLUMN_ID] = (struct pt_cell){pt_l10n_int(r->id), PT_TONE_PLAIN};
    cells[PT_COLUMN_NAME] = (struct pt_cell){name, PT_TONE_PLAIN};
    cells[PT_COLUMN_KIND] = (struct pt_cell){pt_xstrdup(pt_kind_label(r->kind)), PT_TONE_PLAIN};
    cells[PT_COLUMN_STATUS] =
        (struct pt_cell){pt_xstrdup(pt_state_label(r->status)), pt_present_state_tone(r->status)};
    cells[PT_COLUMN_SIZE] = (struct pt_cell){pt_xstrdup(size), PT_TONE_PLAIN};
    cells[PT_COLUMN_CREATED] =
        (struct pt_cell){pt_l10n_iso_date(r->created_at, PT_DATE_TIME), PT_TONE_PLAIN};
}

void pt_present_list_row_free(struct pt_cell cells[PT_LIST_COLUMNS])
{
    for (size_t c = 0; c < PT_LIST_COLUMNS; c++) {
        free(cells[c].text);
        cells[c].text = NULL;
    }
}
