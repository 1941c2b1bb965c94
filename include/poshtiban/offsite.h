/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_OFFSITE_H
#define POSHTIBAN_OFFSITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "poshtiban/carried.h"
#include "poshtiban/catalog.h"
#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/record.h"
#include "poshtiban/restore.h"
#include "poshtiban/session.h"
#include "poshtiban/status.h"

/*
 * Off-site copies through restic (README, "Off-site copies"). Each completed backup becomes
 * one restic snapshot of its folder (or its archive and .sha256), tagged
 * `poshtiban`, `project:<id>`, `name:<backup name>`, `kind:<kind>` and
 * `size:<bytes>`, with the backup's creation time as the snapshot's time.
 * The project id is random, made once and kept in the catalog (beside the
 * settings, under PT_OFFSITE_PROJECT_KEY), so that projects sharing a
 * repository never touch each other's snapshots. restic is found in $PATH;
 * the repository string and the password reach it through its environment
 * only (src/core/auto/restic.h).
 */
#define PT_OFFSITE_PROJECT_KEY ".offsite.project"

/* One snapshot of this project in the repository. Strings are owned. */
struct pt_offsite_snapshot {
    char *id; /* restic's snapshot id */
    char *short_id;
    char *name; /* the backup's name */
    enum pt_kind kind;
    int64_t time_ms; /* the backup's creation time */
    char *host;
    int64_t size_bytes; /* the backup's size, -1 when unknown */
};

struct pt_offsite_list {
    char *project;                     /* the project id */
    struct pt_offsite_snapshot *items; /* oldest first */
    size_t n;
};

/* What pull may be told on a machine whose catalog knows nothing yet. */
struct pt_offsite_options {
    const char *repository; /* NULL: the setting offsite.repository; pull stores it */
    const char *project;    /* NULL: the catalog's, or the only project in the repository */
    /* pull: the newest snapshot taken at or before at_ms (the name is then not used). */
    bool at_given;
    int64_t at_ms;
    /*
     * pull into a folder without a catalog applies the settings the backup
     * carries (poshtiban/carried.h); when not NULL, *carried receives what
     * it took and refused (free with pt_carried_free(); zeroed otherwise).
     */
    struct pt_carried *carried;
};

/*
 * `restic init` of the repository (offsite.repository). *existed is set when
 * there was a repository already (poshtiban then uses it as it is). The
 * project id is made and stored when missing.
 */
enum pt_status pt_offsite_init(struct pt_session *session, bool *existed, struct pt_error *err);

/* This project's snapshots, oldest first; free with pt_offsite_list_free(). */
enum pt_status pt_offsite_list(struct pt_session *session, const struct pt_offsite_options *options,
                               struct pt_offsite_list *out, struct pt_error *err);
void pt_offsite_list_free(struct pt_offsite_list *list);

/* What one push did for one backup. */
struct pt_offsite_pushed {
    char *name;
    char *snapshot;      /* NULL when it failed */
    int64_t bytes_added; /* how much the repository grew */
    bool already;        /* it was in the repository already: nothing sent */
    char *error;         /* NULL on success */
};

struct pt_offsite_push_result {
    struct pt_offsite_pushed *items;
    size_t n;
    size_t failed;
};

/*
 * Sends backups to the repository, under the off-site lock (the project
 * lock stays free for create and auto; it is taken for a moment to record
 * each outcome, which is dropped when the backup was deleted meanwhile):
 * the completed
 * backup id (an id, a name or "latest"), or with id NULL every completed
 * backup that has no off-site copy yet, newest first. A backup whose name
 * is already among this project's snapshots is not sent again. Each
 * outcome (snapshot id, time, error, bytes added) goes into the catalog.
 * PT_OK when every push worked, PT_EFAIL when one failed (out says which),
 * PT_ECANCELLED when cancelled (nothing recorded for that backup), PT_EBUSY
 * when another push holds the off-site lock. A repository that stops
 * answering fails within a minute, saying so. Free out with pt_offsite_push_result_free().
 */
enum pt_status pt_offsite_push(struct pt_session *session, const char *id,
                               const struct pt_monitor *monitor, struct pt_offsite_push_result *out,
                               struct pt_error *err);
void pt_offsite_push_result_free(struct pt_offsite_push_result *result);

/*
 * Brings back the snapshot of the backup named name ("latest": this
 * project's newest; options->at_given: the newest at or before at_ms) under the lock: restored into
 * .poshtiban/tmp, moved into the backup root once whole, recorded in the catalog and verified; one
 * that does not verify is removed again (PT_EFAIL). Refused (PT_EINVAL) when a backup of that name
 * exists here. options->repository is stored as offsite.repository; an adopted project id is stored
 * too. Into a folder that had no catalog, the settings the backup carries are applied once it
 * verified (options->carried says which). *out (when not NULL) receives the new record.
 */
enum pt_status pt_offsite_pull(struct pt_session *session, const char *name,
                               const struct pt_offsite_options *options,
                               const struct pt_monitor *monitor, struct pt_record *out,
                               struct pt_error *err);

/* Why offsite prune keeps a snapshot; a snapshot may have several reasons. */
enum {
    PT_OFFSITE_KEPT_POLICY = 1 << 0,   /* offsite.keep_* keeps it */
    PT_OFFSITE_KEPT_PINNED = 1 << 1,   /* its backup is pinned */
    PT_OFFSITE_KEPT_VERIFIED = 1 << 2, /* its backup is the newest whose last verify passed */
};

struct pt_offsite_kept {
    struct pt_offsite_snapshot snapshot;
    unsigned reasons; /* PT_OFFSITE_KEPT_* */
};

/* What the keep policy removes (or would remove, dry run), and what stays and why. */
struct pt_offsite_prune_result {
    struct pt_offsite_snapshot *removed; /* oldest first */
    size_t n_removed;
    size_t kept;                        /* how many stay: n_kept */
    struct pt_offsite_kept *kept_items; /* oldest first */
    size_t n_kept;
};

/*
 * `restic forget --prune` of this project's snapshots alone with the keep
 * policy of offsite.keep_last, keep_daily, keep_weekly and keep_monthly:
 * restic's dry run says what the policy would remove; the snapshots of
 * pinned backups and of the newest backup whose last verify passed are
 * taken out of that, and restic forgets the rest by snapshot id. The
 * catalog is then synced with what the repository holds. PT_EINVAL when
 * every keep_* is 0. With dry_run nothing is removed.
 */
enum pt_status pt_offsite_prune(struct pt_session *session, bool dry_run,
                                struct pt_offsite_prune_result *out, struct pt_error *err);
void pt_offsite_prune_result_free(struct pt_offsite_prune_result *result);

/*
 * `restic check`, reading read_data_subset (NULL, "N%" or "n/t") of the
 * data too. PT_EINVAL for a bad subset, PT_EFAIL with restic's line when
 * the repository has errors.
 */
enum pt_status pt_offsite_check(struct pt_session *session, const char *read_data_subset,
                                struct pt_error *err);

/*
 * After a backup (create and auto, after releasing the project lock, under
 * the off-site lock; nothing when another push holds it): when offsite.enabled
 * and offsite.after_backup are true, sends record, or with record NULL
 * (auto) every completed backup not yet sent whose last try is an hour
 * old or more. Never fails: outcomes go into the catalog and into record's
 * off-site fields, and failures into out for pt_offsite_notify().
 */
void pt_offsite_after_backup(const struct pt_project *project, struct pt_catalog *catalog,
                             struct pt_record *record, const struct pt_monitor *monitor,
                             struct pt_offsite_push_result *out);

/*
 * After a capture (docs/changes.md, "Off-site"), with the project lock
 * released: when offsite.enabled and offsite.after_backup are true, sends
 * base's chain as one snapshot of changes/<base>/ tagged poshtiban,
 * project:<id>, changes, base:<base> and point:<its newest point>, under
 * the off-site lock (nothing when another push holds it); a failure is
 * mailed, pinged and noted in auto.log as a backup's is. Never fails.
 * `push --missing` sends every chain whose newest point the repository
 * lacks the same way.
 */
void pt_offsite_after_capture(struct pt_session *session, const char *base,
                              const struct pt_monitor *monitor);

/*
 * Mails and pings (URL/fail) the failed pushes of result, and notes them
 * in auto.log. Called after the lock is released; a cancelled push is no
 * failure.
 */
void pt_offsite_notify(const struct pt_project *project, struct pt_catalog *catalog,
                       const struct pt_offsite_push_result *result);

/* Every poshtiban project of a repository with its snapshots. */
struct pt_offsite_projects {
    struct pt_offsite_list *items; /* by project id */
    size_t n;
    bool own; /* the one item is the project this catalog (or --project) names */
};

/*
 * The repository's snapshots by project. When the catalog knows its project
 * id, or options->project names one, that project's alone (*out has one
 * item, own set), as pt_offsite_list. Otherwise, on a machine without a
 * catalog, every poshtiban project in the repository. Only reads: creates
 * no catalog and no backup folder. Free with pt_offsite_projects_free().
 */
enum pt_status pt_offsite_list_projects(struct pt_session *session,
                                        const struct pt_offsite_options *options,
                                        struct pt_offsite_projects *out, struct pt_error *err);
void pt_offsite_projects_free(struct pt_offsite_projects *projects);

/* What recover did. */
struct pt_offsite_recovered {
    struct pt_record record;     /* the backup pulled and restored */
    struct pt_carried settings;  /* the settings the project took from it */
    struct pt_restore_plan plan; /* what the restore replaced */
    bool pulled;                 /* the backup is here (even when the restore then failed) */
};

/*
 * A project back from the repository in one step, into a project folder
 * whose catalog holds no backup yet (README, "Recovery on a new machine"):
 * pt_offsite_pull of the newest snapshot (or the newest at or before
 * options->at_ms), which applies the settings it carries, then pt_restore of
 * it (database and media to where the project expects them; with no live
 * database there is nothing to save first). PT_EINVAL when the catalog holds
 * backups already (use pull and restore there); otherwise as pull and
 * restore. Free out with pt_offsite_recovered_free() whatever this returns.
 */
enum pt_status pt_offsite_recover(struct pt_session *session,
                                  const struct pt_offsite_options *options,
                                  const struct pt_monitor *monitor,
                                  struct pt_offsite_recovered *out, struct pt_error *err);
void pt_offsite_recovered_free(struct pt_offsite_recovered *recovered);

/* True when restic can be found in $PATH. */
bool pt_offsite_restic_found(void);

#endif
