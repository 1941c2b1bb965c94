// SPDX-License-Identifier: GPL-3.0-or-later
#include "scroll.h"

int64_t pt_scroll_most(const struct pt_scroll *s)
{
    int64_t most = s->count - (s->page > 0 ? s->page : 0);
    return most > 0 ? most : 0;
}

void pt_scroll_clamp(struct pt_scroll *s)
{
    if (s->top > pt_scroll_most(s))
        s->top = pt_scroll_most(s);
    if (s->top < 0)
        s->top = 0;
    if (s->viewer) {
        s->cursor = s->top;
        return;
    }
    if (s->cursor >= s->count)
        s->cursor = s->count - 1;
    if (s->cursor < 0)
        s->cursor = 0;
    if (s->cursor < s->top)
        s->top = s->cursor;
    if (s->page > 0 && s->cursor >= s->top + s->page)
        s->top = s->cursor - s->page + 1;
}

bool pt_scroll_key(struct pt_scroll *s, enum pt_action action)
{
    int64_t page = s->page > 1 ? s->page - 1 : 1;
    int64_t *moved = s->viewer ? &s->top : &s->cursor;
    switch (action) {
    case PT_ACT_UP:
        (*moved)--;
        break;
    case PT_ACT_DOWN:
        (*moved)++;
        break;
    case PT_ACT_PAGE_UP:
        s->cursor -= page;
        s->top -= page;
        break;
    case PT_ACT_PAGE_DOWN:
        s->cursor += page;
        s->top += page;
        break;
    case PT_ACT_HOME:
        s->cursor = s->top = 0;
        break;
    case PT_ACT_END:
        s->cursor = s->count - 1;
        s->top = pt_scroll_most(s);
        break;
    default:
        return false;
    }
    pt_scroll_clamp(s);
    return true;
}
