// SPDX-License-Identifier: GPL-3.0-or-later
/* backup_report.json in pieces: its "files" one entry at a time, the rest whole (report-split.h).
 */
#include "engine/report-split.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

/*
 * Everything but the files: name, tables, media, a few KiB even for a
 * project of many tables. Past this the report is not one poshtiban wrote.
 */
#define HEAD_MAX ((size_t)16 << 20)
/* One entry: a path (escaped, at most a few KiB), a size, a checksum, a mode. */
#define ENTRY_MAX ((size_t)1 << 20)
/* Nesting, in the head or in one entry; jansson's own limit is higher. */
#define DEPTH_MAX 64

enum where {
    IN_HEAD,      /* the document but its files */
    FILES_VALUE,  /* after "files": the list's '[' */
    FILES_ENTRY,  /* in the list: an entry or ']' */
    FILES_NEEDED, /* after a ',': an entry */
    IN_ENTRY,     /* inside one entry */
    FILES_NEXT,   /* after an entry: ',' or ']' */
};

struct buf {
    char *data;
    size_t len, cap;
};

struct pt_report_split {
    pt_report_file_fn fn;
    void *user;
    struct buf head, entry;
    enum where where;
    int depth;       /* in the head: 1 inside the top-level object */
    int entry_depth; /* inside one entry */
    bool in_string, escaped;
    bool want_key;       /* at depth 1, the next string is a key */
    bool key;            /* the string being read is a top-level key */
    bool files_key;      /* the last top-level key was "files" */
    size_t key_start;    /* where that key's text begins in head */
    bool started, ended; /* the top-level '{' was seen, and its '}' */
    bool seen_files;
    int64_t count;
};

static bool put(struct buf *b, char c, size_t max)
{
    if (b->len + 2 > max)
        return false;
    if (b->len + 2 > b->cap)
        b->data = pt_xrealloc(b->data, b->cap = b->cap ? b->cap * 2 : 4096);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return true;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct pt_report_split *pt_report_split_new(pt_report_file_fn fn, void *user)
{
    struct pt_report_split *s = pt_xcalloc(1, sizeof(*s));
    s->fn = fn;
    s->user = user;
    return s;
}

int64_t pt_report_split_count(const struct pt_report_split *s)
{
    return s->count;
}

void pt_report_split_free(struct pt_report_split *s)
{
    if (!s)
        return;
    free(s->head.data);
    free(s->entry.data);
    free(s);
}

static enum pt_status damaged(struct pt_error *err, const char *why)
{
    return pt_error_set(err, PT_EFAIL, "%s", why);
}

/* One byte of a string, in the head or an entry: true when it closed the string. */
static bool string_byte(struct pt_report_split *s, char c)
{
    if (s->escaped)
        s->escaped = false;
    else if (c == '\\')
        s->escaped = true;
    else if (c == '"') {
        s->in_string = false;
        return true;
    }
    return false;
}

static enum pt_status head_byte(struct pt_report_split *s, char c, struct pt_error *err)
{
    if (!s->in_string && blank(c)) {
        /* One blank keeps tokens apart: a run of them (padding) does not grow the head. */
        if (s->head.len > 0 && blank(s->head.data[s->head.len - 1]))
            return PT_OK;
        return put(&s->head, ' ', HEAD_MAX) ? PT_OK : damaged(err, _("it is too large"));
    }
    if (!s->in_string && s->depth == 0) {
        if (s->ended)
            return damaged(err, _("there is more after its end"));
        if (c != '{')
            return damaged(err, _("it is not a JSON object"));
        s->started = true;
    }
    if (!put(&s->head, c, HEAD_MAX))
        return damaged(err, _("it is too large"));
    if (s->in_string) {
        if (string_byte(s, c) && s->key)
            s->files_key = s->head.len - 1 - s->key_start == 5 &&
                           memcmp(s->head.data + s->key_start, "files", 5) == 0;
        return PT_OK;
    }
    switch (c) {
    case '"':
        s->in_string = true;
        s->key = s->depth == 1 && s->want_key;
        s->key_start = s->head.len;
        s->files_key = false;
        break;
    case '{':
    case '[':
        if (++s->depth > DEPTH_MAX)
            return damaged(err, _("it is nested too deeply"));
        s->want_key = s->depth == 1;
        break;
    case '}':
    case ']':
        s->ended = --s->depth == 0;
        if (s->depth < 0)
            return damaged(err, _("it is not a JSON object"));
        break;
    case ',':
        s->want_key = s->depth == 1;
        break;
    case ':':
        if (s->depth == 1 && s->files_key) {
            if (s->seen_files)
                return damaged(err, _("it lists its files twice"));
            s->seen_files = true;
            s->where = FILES_VALUE;
        }
        s->want_key = false;
        s->files_key = false;
        break;
    default:
        break;
    }
    return PT_OK;
}

/* The list of files is over: the head holds an empty one in its place. */
static enum pt_status files_end(struct pt_report_split *s, struct pt_error *err)
{
    s->where = IN_HEAD;
    if (!put(&s->head, '[', HEAD_MAX) || !put(&s->head, ']', HEAD_MAX))
        return damaged(err, _("it is too large"));
    return PT_OK;
}

static enum pt_status entry_end(struct pt_report_split *s, struct pt_error *err)
{
    json_error_t jerr;
    json_t *file = json_loadb(s->entry.data, s->entry.len, 0, &jerr);
    s->entry.len = 0;
    s->where = FILES_NEXT;
    if (!json_is_object(file)) {
        json_decref(file);
        return damaged(err, _("an entry of its files is not valid JSON"));
    }
    s->count++;
    enum pt_status rc = s->fn ? s->fn(file, s->user, err) : PT_OK;
    json_decref(file);
    return rc;
}

static enum pt_status entry_byte(struct pt_report_split *s, char c, struct pt_error *err)
{
    if (!put(&s->entry, c, ENTRY_MAX))
        return damaged(err, _("an entry of its files is too large"));
    if (s->in_string) {
        string_byte(s, c);
        return PT_OK;
    }
    if (c == '"')
        s->in_string = true;
    else if (c == '{' || c == '[') {
        if (++s->entry_depth > DEPTH_MAX)
            return damaged(err, _("it is nested too deeply"));
    } else if (c == '}' || c == ']') {
        if (--s->entry_depth == 0)
            return entry_end(s, err);
    }
    return PT_OK;
}

static enum pt_status files_byte(struct pt_report_split *s, char c, struct pt_error *err)
{
    if (blank(c))
        return PT_OK;
    switch (s->where) {
    case FILES_VALUE:
        if (c != '[')
            return damaged(err, _("its files are not a list"));
        s->where = FILES_ENTRY;
        return PT_OK;
    case FILES_ENTRY:
    case FILES_NEEDED:
        if (c == ']' && s->where == FILES_ENTRY)
            return files_end(s, err);
        if (c != '{')
            return damaged(err, _("an entry of its files is not an object"));
        s->where = IN_ENTRY;
        s->entry_depth = 0;
        return entry_byte(s, c, err);
    case FILES_NEXT:
        if (c == ']')
            return files_end(s, err);
        if (c != ',')
            return damaged(err, _("its list of files is not valid JSON"));
        s->where = FILES_NEEDED;
        return PT_OK;
    default:
        return PT_OK;
    }
}

enum pt_status pt_report_split_feed(struct pt_report_split *s, const char *data, size_t n,
                                    struct pt_error *err)
{
    for (size_t i = 0; i < n; i++) {
        enum pt_status rc = s->where == IN_HEAD    ? head_byte(s, data[i], err)
                            : s->where == IN_ENTRY ? entry_byte(s, data[i], err)
                                                   : files_byte(s, data[i], err);
        if (rc != PT_OK)
            return rc;
    }
    return PT_OK;
}

enum pt_status pt_report_split_end(struct pt_report_split *s, json_t **head, struct pt_error *err)
{
    *head = NULL;
    if (!s->started)
        return damaged(err, _("it is not a JSON object"));
    if (s->where != IN_HEAD || !s->ended)
        return damaged(err, _("it ends early"));
    if (!s->seen_files)
        return damaged(err, _("it lists no files"));
    json_error_t jerr;
    /* A key twice: "files" spelt with an escape beside the plain one, say. */
    json_t *doc = json_loadb(s->head.data, s->head.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "files")) ||
        json_array_size(json_object_get(doc, "files")) != 0) {
        json_decref(doc);
        return damaged(err, _("it is not valid JSON"));
    }
    json_object_del(doc, "files");
    *head = doc;
    return PT_OK;
}
