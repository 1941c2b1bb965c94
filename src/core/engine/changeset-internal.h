/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CHANGESET_INTERNAL_H
#define POSHTIBAN_CORE_CHANGESET_INTERNAL_H

/*
 * What the parts of the changeset module share (changeset.c,
 * changeset-compatible.c, changeset-diff.c, changeset-apply.c); nothing
 * outside engine/changeset*.c includes this.
 */
#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "poshtiban/status.h"

#include "engine/compress.h"

/* A list of names (tables, columns); free with pt_changeset_names_free. */
struct pt_changeset_names {
    char **items;
    size_t n;
};

void pt_changeset_names_free(struct pt_changeset_names *names);
void pt_changeset_names_push(struct pt_changeset_names *names, const char *s);

/* PT_EFAIL with "WHAT: SQLite's message". */
enum pt_status pt_changeset_db_fail(sqlite3 *db, struct pt_error *err, const char *what);
/* A database opened with FLAGS and a busy timeout; NULL (err set) when it cannot be. */
sqlite3 *pt_changeset_open_db(const char *path, int flags, struct pt_error *err);
/* "name" quoted as an SQL identifier; the caller frees it. */
char *pt_changeset_quoted(const char *name);

/* The first column of each row of SQL (BIND, when not NULL, bound to ?1), appended to out. */
enum pt_status pt_changeset_collect(sqlite3 *db, const char *sql, const char *bind,
                                    struct pt_changeset_names *out, struct pt_error *err);
/* The ordinary tables of schema (main, old) whose changes a changeset carries. */
enum pt_status pt_changeset_tables_of(sqlite3 *db, const char *schema,
                                      struct pt_changeset_names *out, struct pt_error *err);
/* The primary key's columns of a table, in key order. */
enum pt_status pt_changeset_key_of(sqlite3 *db, const char *schema, const char *table,
                                   struct pt_changeset_names *out, struct pt_error *err);
enum pt_status pt_changeset_columns_of(sqlite3 *db, const char *table,
                                       struct pt_changeset_names *out, struct pt_error *err);

struct sqlite3_changeset_iter;

/* A stored changeset, read back as plain bytes. */
struct pt_changeset_stream {
    int fd;
    struct pt_unpack *unpack;
    struct pt_error err;
    bool failed;
};

enum pt_status pt_changeset_stream_open(struct pt_changeset_stream *in, const char *file,
                                        struct pt_error *err);
/* The xInput of sqlite3changeset_start_strm over an open stream. */
int pt_changeset_stream_read(void *user, void *data, int *len);
/* Closes the stream: its own failure when it had one, else SQLite's (RC, DB may be NULL). */
enum pt_status pt_changeset_stream_close(struct pt_changeset_stream *in, const char *file,
                                         sqlite3 *db, int rc, struct pt_error *err);

/*
 * Ends a walk over in with the iterator it (NULL: none), at SQLite's rc:
 * finalizes it and closes in. out when the walk failed already, else the
 * stream's or SQLite's failure, else PT_OK.
 */
enum pt_status pt_changeset_stream_end(struct pt_changeset_stream *in, const char *file,
                                       struct sqlite3_changeset_iter *it, int rc,
                                       enum pt_status out, struct pt_error *err);

#endif
