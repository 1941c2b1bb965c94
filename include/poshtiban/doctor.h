/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_DOCTOR_H
#define POSHTIBAN_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "poshtiban/cron.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/schedule.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"
#include "poshtiban/storage.h"

/*
 * Storage and environment checks (docs/storage-and-offsite.md): `doctor`
 * and the TUI's storage card.
 */
#define PT_DOCTOR_HOOKS 4

struct pt_doctor {
    struct pt_storage storage;
    int64_t next_backup_bytes; /* what the next backup needs, estimated; -1 unknown */
    int64_t last_backup_bytes; /* the newest completed backup's size; -1 none */
    int64_t backups_fit;       /* more backups of the last one's size that fit; -1 unknown */

    bool codespace;
    char *codespace_name; /* $CODESPACE_NAME */
    bool ssh;
    char *ssh_server; /* the server's address from $SSH_CONNECTION */

    bool has_newest;
    struct pt_record newest; /* the newest completed backup */
    char *download_command;  /* gh codespace cp … or scp … for it; NULL outside both */
    char *download_note;     /* translated, or NULL */

    struct pt_cron_status cron;
    bool auto_enabled;
    int64_t interval_hours;
    struct pt_schedule schedule;
    char *schedule_reason;

    bool has_last_success;
    char *last_success_name, *last_success_at;
    int64_t last_success_age_s;
    bool overdue; /* older than twice auto.interval_hours (auto on) or a day (auto off) */

    /* Off-site copies (README, "Off-site copies"). */
    bool offsite_enabled;
    char *offsite_repository; /* redacted: no login; "" when none */
    bool restic_found;
    bool newest_offsite; /* the newest completed backup has a copy in that repository */
    int64_t offsite_copied, offsite_total; /* completed backups with a copy there, of all */
    int64_t offsite_checked_at_ms;         /* when the repository was last listed; -1 never */
    int64_t offsite_checked_age_s;         /* seconds since then; -1 never */

    /* The hooks in force (README, "Hooks"): hooks.before_backup… in that order; "" unset. */
    char *hooks[PT_DOCTOR_HOOKS];
    int64_t hooks_timeout_s;

    char **warnings; /* translated, one sentence each */
    size_t n_warnings;
    char **codespace_advice; /* in a codespace: translated sentences on what it does to backups */
    size_t n_codespace_advice;
};

/* Looks without writing anything (the crontab is read with `crontab -l`). */
enum pt_status pt_doctor_run(struct pt_session *session, struct pt_doctor *out,
                             struct pt_error *err);
void pt_doctor_free(struct pt_doctor *doctor);

/* The name of the i-th hook of pt_doctor.hooks ("before_backup"…), as its setting has it. */
const char *pt_doctor_hook_name(int i);

/*
 * The command that downloads path (a file, or a folder when dir) to the
 * current folder of the user's own computer: `gh codespace cp -c NAME -e
 * 'remote:PATH' .` (-r for a folder; without -e, which makes the remote
 * shell expand the name, when the path needs quoting), or `scp [-P PORT]
 * [-r] USER@HOST:PATH .` from ssh_connection ($SSH_CONNECTION). NULL when
 * neither applies. New string.
 */
char *pt_doctor_download_command(const char *path, bool dir, const char *codespace_name,
                                 const char *ssh_connection, const char *user);

#endif
