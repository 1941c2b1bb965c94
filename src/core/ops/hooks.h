/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_HOOKS_H
#define POSHTIBAN_CORE_HOOKS_H

#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/settings.h"
#include "poshtiban/status.h"

/*
 * The user's commands around a backup or a restore (settings hooks.*,
 * README "Hooks"). They come from this project's catalog alone: a backup
 * never carries them (carried.c).
 */
enum pt_hook {
    PT_HOOK_BEFORE_BACKUP,
    PT_HOOK_AFTER_BACKUP,
    PT_HOOK_BEFORE_RESTORE,
    PT_HOOK_AFTER_RESTORE,
};

/* What a hook is told, in its POSHTIBAN_* variables; strings borrowed. */
struct pt_hook_call {
    enum pt_hook hook;
    const char *name;     /* the backup taken or restored */
    const char *path;     /* its folder or archive */
    const char *status;   /* "running" before; "completed", "failed" or "cancelled" after */
    const char *database; /* the database backed up or restored into */
    const char *media;    /* the media folder, or NULL */
};

/* Only the last bytes of what a hook prints are kept. */
#define PT_HOOK_OUTPUT_MAX 4096
/* Of which auto.log gets the last lines, one entry each. */
#define PT_HOOK_LOG_LINES 40

/* "before_backup"…, the setting's name without "hooks.". */
const char *pt_hook_name(enum pt_hook hook);
/* The setting that holds the hook's command (PT_KEY_HOOKS_BEFORE_BACKUP…). */
enum pt_setting_id pt_hook_setting(enum pt_hook hook);

/*
 * Runs the hook's command, when the setting holds one, as /bin/sh -c CMD
 * in the project folder: stdin /dev/null, the caller's environment without
 * the passwords poshtiban knows of, plus POSHTIBAN_OPERATION, _HOOK,
 * _BACKUP_NAME, _BACKUP_PATH, _STATUS, _PROJECT, _DATABASE and _MEDIA. It
 * leads a process group of its own, which is stopped after
 * hooks.timeout_seconds, and on monitor's cancel. What it prints (stdout
 * and stderr, the last PT_HOOK_OUTPUT_MAX bytes) goes to auto.log.
 * PT_OK when no hook is set or it exited with 0; PT_EFAIL when it failed,
 * timed out or could not start, with a one-line message naming the hook
 * and its last line of output; PT_ECANCELLED when cancelled.
 */
enum pt_status pt_hooks_run(const struct pt_project *project, struct pt_catalog *catalog,
                            const struct pt_hook_call *call, const struct pt_monitor *monitor,
                            struct pt_error *err);

#endif
