/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_VERIFY_INTERNAL_H
#define POSHTIBAN_CORE_VERIFY_INTERNAL_H

/*
 * What the parts of verify (verify.c, verify-members.c) share; nothing
 * outside them includes this.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/status.h"
#include "poshtiban/verify.h"

#include "base/sums.h"
#include "engine/reader.h"
#include "ops/heal.h"

#define PT_VERIFY_BUF_SIZE (256 * 1024)

/* A member and the SHA-256 of what it holds. */
struct pt_verify_hashed {
    char *path;
    char sha256[PT_SHA256_HEX];
};

/* A JSON file of rows, and how many objects it holds (verify --deep). */
struct pt_verify_counted {
    char *path;
    int64_t objects;
};

/* One verify of one backup, walked member by member. */
struct pt_verify_walk {
    const struct pt_project *project;
    const struct pt_record *record;
    const struct pt_monitor *monitor;
    struct pt_verify_result *result;
    struct pt_verify_hashed *files;
    size_t n_files, cap_files;
    char *sums;     /* SHA256SUMS */
    char *report;   /* backup_report.json */
    char *snapshot; /* path of database.sqlite3 to check */
    bool snapshot_is_temp;
    bool snapshot_bad; /* a compressed snapshot that could not be unpacked: said already */
    bool deep;         /* integrity_check and every JSON parsed */
    /* Could not be checked for want of room or a write (not damage): what failed. */
    struct pt_error failed;
    unsigned char *buf;
    int64_t done;
    struct pt_verify_counted *counts; /* every JSON file of rows that parsed */
    size_t n_counts;
    struct pt_heal *heal; /* heals damaged media files; NULL: none */
};

/* Adds a problem to v's result, on one printable line; the backup is not ok. */
void pt_verify_problem(struct pt_verify_walk *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The pt_reader_walk callback: hashes each member and checks what it holds (verify-members.c). */
enum pt_status pt_verify_check_entry(const struct pt_entry *e, struct pt_reader *rd, void *user,
                                     struct pt_error *err);

/*
 * verify --deep: each fixture holds one object per row of its table, as the
 * report counts them, and the complete fixture all of them.
 */
void pt_verify_check_fixture_counts(struct pt_verify_walk *v);

#endif
