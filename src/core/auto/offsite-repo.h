/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_OFFSITE_REPO_H
#define POSHTIBAN_CORE_OFFSITE_REPO_H

#include <stdbool.h>

#include <jansson.h>

#include "poshtiban/offsite.h"
#include "poshtiban/session.h"

#include "auto/restic.h"

/*
 * What push, pull and the repository commands share (README, "Off-site
 * copies"): the tags of a snapshot, this project's id in the catalog, and
 * restic's snapshot lists read into struct pt_offsite_snapshot.
 */

/* prefix then value, with ',' and '%' as %2C and %25 (restic splits --tag at commas). New string.
 */
char *pt_offsite_tag_encode(const char *prefix, const char *value);

/* The value of the first tag of tags (a JSON array) that starts with prefix; NULL when none. */
const char *pt_offsite_tag_value(json_t *tags, const char *prefix);

/* A project id: 4 to 64 of a-z, 0-9 and -. */
bool pt_offsite_valid_project_id(const char *s);

/* The project id stored in the catalog, or NULL. New string. */
char *pt_offsite_stored_project(struct pt_catalog *catalog);

/* The stored project id, made and stored when there is none; NULL on error. New string. */
char *pt_offsite_own_project(struct pt_catalog *catalog, struct pt_error *err);

void pt_offsite_snapshot_free(struct pt_offsite_snapshot *s);

/* A snapshot of restic's JSON into s (owned strings); false when it is no poshtiban backup. */
bool pt_offsite_read_snapshot(json_t *o, struct pt_offsite_snapshot *s);

/* An on_json callback that keeps the first JSON value in doc (a new reference). */
struct pt_offsite_collected {
    json_t *doc;
};
void pt_offsite_keep_json(json_t *msg, void *user);

/* `restic snapshots --json` with the filter tags; the raw array in *out (new reference). */
enum pt_status pt_offsite_snapshots_json(struct pt_restic *r, const char *tags,
                                         const struct pt_monitor *mon, json_t **out,
                                         struct pt_error *err);

/* qsort order of snapshots: oldest first, then by name. */
int pt_offsite_by_time(const void *a, const void *b);

/* The snapshots of project, oldest first. */
enum pt_status pt_offsite_list_project(struct pt_restic *r, const char *project,
                                       const struct pt_monitor *mon, struct pt_offsite_list *out,
                                       struct pt_error *err);

/*
 * The same, and in *raw (when not NULL) restic's listing as it came, for
 * what the parsed snapshots leave out (tree ids, every tag); a new
 * reference the caller releases.
 */
enum pt_status pt_offsite_list_project_raw(struct pt_restic *r, const char *project,
                                           const struct pt_monitor *mon,
                                           struct pt_offsite_list *out, json_t **raw,
                                           struct pt_error *err);

/* The newest snapshot of l named name, or NULL. */
const struct pt_offsite_snapshot *pt_offsite_find_name(const struct pt_offsite_list *l,
                                                       const char *name);

/*
 * The catalog (read only), restic and the project id, for the commands that
 * only talk to the repository. The caller closes *c and r and frees *project
 * whatever this returns.
 */
enum pt_status pt_offsite_open_repository(struct pt_session *session,
                                          const struct pt_offsite_options *o, struct pt_catalog **c,
                                          struct pt_restic *r, char **project,
                                          struct pt_error *err);

/*
 * restic's id of the repository r reaches (`restic cat config`), learned
 * into catalog c as the id of r's repository string. New string in *id.
 * Read once per command: the id of a repository never changes.
 */
enum pt_status pt_offsite_repository_id(struct pt_restic *r, struct pt_catalog *c, char **id,
                                        struct pt_error *err);

/*
 * The catalog made to say what the repository holds: when r reaches the
 * repository offsite.repository names, every record's snapshot is set to
 * the snapshot of list (this project's, in repository repo) with its name,
 * or cleared, and now is noted as the time it was last listed. Another
 * repository (pull --repository) changes nothing.
 */
enum pt_status pt_offsite_sync(const struct pt_project *p, struct pt_catalog *c,
                               const struct pt_restic *r, const char *repo,
                               const struct pt_offsite_list *list, struct pt_error *err);

/*
 * The repository's id (*repo, new string), this project's snapshots (*out)
 * and the catalog synced with them: what offsite list, push and prune do
 * first, and auto once a day. project NULL: the catalog's own (none yet:
 * an empty list).
 */
enum pt_status pt_offsite_refresh(const struct pt_project *p, struct pt_catalog *c,
                                  struct pt_restic *r, const char *project,
                                  const struct pt_monitor *mon, char **repo,
                                  struct pt_offsite_list *out, struct pt_error *err);

/*
 * A chain snapshot (docs/changes.md, "Off-site"): one snapshot of
 * changes/<base>/, tagged poshtiban, project:<id>, changes, base:<name> and
 * point:<its newest point>, with that point's time. Strings are owned.
 */
struct pt_offsite_chain {
    char *id, *short_id;
    char *base;   /* decoded, not checked yet: the first base tag */
    char **bases; /* every base tag, decoded */
    size_t n_bases;
    char *point; /* decoded, not checked yet; NULL when untagged */
    char *tree;
    int64_t time_ms;
    bool confined; /* one base tag, one point tag at most, no name tag, no other project */
};

/* The chain snapshots of project in doc (restic's listing), oldest first. */
void pt_offsite_read_chains(json_t *doc, const char *project, struct pt_offsite_chain **out,
                            size_t *n);
void pt_offsite_chains_free(struct pt_offsite_chain *chains, size_t n);

/* True when a base tag of chain names base. */
bool pt_offsite_chain_names(const struct pt_offsite_chain *chain, const char *base);

/* The newest confined chain snapshot of base in chains[0..n), or NULL. */
const struct pt_offsite_chain *pt_offsite_find_chain(const struct pt_offsite_chain *chains,
                                                     size_t n, const char *base);

/* `restic unlock`: restic removes locks of its own processes that died, never the others'. */
void pt_offsite_unlock_stale(struct pt_restic *r);

#endif
