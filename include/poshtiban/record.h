/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_RECORD_H
#define POSHTIBAN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum pt_kind { PT_KIND_MANUAL, PT_KIND_AUTO, PT_KIND_SCHEDULED };

enum pt_state {
    PT_STATE_PENDING,
    PT_STATE_RUNNING,
    PT_STATE_COMPLETED,
    PT_STATE_FAILED,
    PT_STATE_INTERRUPTED,
    PT_STATE_DELETING,  /* delete began; recovery finishes it */
    PT_STATE_CANCELLED, /* the user asked it to stop: no alarm */
};

struct pt_table_count {
    char *name;
    int64_t rows;
};

/* One backup as the catalog knows it (docs/catalog-and-settings.md). Strings are owned. */
struct pt_record {
    int64_t id;
    char *name;
    enum pt_kind kind;
    enum pt_state status;
    char *format;                                /* "dir", "zip", "tar.zst" */
    char *path;                                  /* absolute */
    char *created_at, *started_at, *finished_at; /* ISO 8601 UTC or NULL */
    int64_t duration_ms;
    int64_t size_bytes;
    bool include_media;
    bool pinned;
    /*
     * What happened, for people: a code (PT_MESSAGE_…) and its figures
     * (numbers or an id, separated by spaces), told in the reader's
     * language by pt_record_message(); message holds notes added later
     * (a mail that failed), or the whole text of a record written before
     * codes. All may be NULL.
     */
    char *message_code;
    char *message_args;
    char *message;
    char *error; /* error message or NULL */
    char *verified_at;
    int verify_ok; /* -1 never verified, 0 failed, 1 ok */
    long pid;      /* process that ran it, while running */
    /* Its off-site copy (README, "Off-site copies"): see pt_catalog_set_offsite(). */
    char *offsite_snapshot; /* restic snapshot id, NULL when none */
    int64_t offsite_at_ms;  /* last push tried, ms since the epoch; -1 never */
    char *offsite_error;    /* why the last push failed, NULL when it did not */
    int64_t offsite_bytes;  /* how much the repository grew with it */
    /*
     * When poshtiban last listed the current repository (offsite.repository),
     * ms since the epoch; 0 or less: never. offsite_snapshot is only ever a
     * snapshot that this repository held then.
     */
    int64_t offsite_checked_ms;
    struct pt_table_count *tables;
    size_t n_tables;
};

/* Stable names used in JSON and the catalog ("manual", "completed"…). */
const char *pt_kind_name(enum pt_kind kind);
const char *pt_state_name(enum pt_state state);
/* Translated labels for people. */
const char *pt_kind_label(enum pt_kind kind);
const char *pt_state_label(enum pt_state state);
/* ".zip" or ".tar.zst" for an archive format, NULL for dir. */
const char *pt_format_suffix(const char *format);
/* Parse a stable name; false when it is none. */
bool pt_kind_parse(const char *name, enum pt_kind *kind);
bool pt_state_parse(const char *name, enum pt_state *state);

void pt_record_free(struct pt_record *record);
void pt_record_list_free(struct pt_record *records, size_t n);

#define PT_MESSAGE_COMPLETED "completed" /* args: tables rows */
#define PT_MESSAGE_CANCELLED "cancelled"
#define PT_MESSAGE_REINDEXED "reindexed"
#define PT_MESSAGE_RECOVERED "recovered"
#define PT_MESSAGE_PULLED "pulled" /* args: the off-site snapshot's short id */

/* Sets the record's message code and figures (copied; args may be NULL), notes cleared. */
void pt_record_set_message(struct pt_record *record, const char *code, const char *args);

/*
 * The record's message in the current language, with its notes after a
 * semicolon; a stored text as it is when the record has no code (or one
 * this poshtiban does not know). NULL when there is none. New string.
 */
char *pt_record_message(const struct pt_record *record);

/* Appends a table count; copies name. */
void pt_record_add_table(struct pt_record *record, const char *name, int64_t rows);

/* The record as docs/cli.md's JSON object; the caller owns the new reference. */
json_t *pt_record_to_json(const struct pt_record *record);

#endif
