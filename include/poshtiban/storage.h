/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_STORAGE_H
#define POSHTIBAN_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "poshtiban/status.h"

/* One line of /proc/self/mountinfo, unescaped. Strings are owned. */
struct pt_mount {
    char *mount_point; /* where it is mounted */
    char *root;        /* the folder of the filesystem mounted there ("/" unless a bind mount) */
    char *fstype;
    char *source;
};

/*
 * Finds the mount holding path (an absolute path without symbolic links) in
 * mountinfo text: the longest mount point that path lies in, the last one
 * when several are mounted on the same point. Octal escapes (\040 for a
 * space) are decoded. False when no line matches.
 */
bool pt_mount_find(const char *mountinfo, const char *path, struct pt_mount *out);
void pt_mount_free(struct pt_mount *mount);

/* Whether the backups survive the environment going away (docs/storage-and-offsite.md). */
enum pt_storage_kind {
    PT_STORAGE_DISK,      /* a disk of this machine: survives restarts, not the machine */
    PT_STORAGE_WORKSPACE, /* a Codespace's /workspaces: survives rebuilds, not deletion */
    PT_STORAGE_VOLUME,    /* a separate volume of a container: survives rebuilds */
    PT_STORAGE_CONTAINER, /* the container's own filesystem: lost at the next rebuild */
    PT_STORAGE_MEMORY,    /* tmpfs or ramfs: lost at the next restart */
};

/*
 * The kind for the mount holding path: tmpfs is memory, an overlay the
 * container's own layer; in a Codespace ($CODESPACES is true) /workspaces
 * is the workspace; in a container (the root filesystem is an overlay or
 * /.dockerenv exists) or a Codespace, another mount is a volume and the
 * root mount the container's own; elsewhere a disk.
 */
enum pt_storage_kind pt_storage_classify(const struct pt_mount *mount, const char *path,
                                         bool codespace, bool container);
/* "disk", "workspace", "volume", "container", "memory". */
const char *pt_storage_kind_name(enum pt_storage_kind kind);

struct pt_storage {
    char *path;  /* the backup root, or its nearest existing parent; symlinks resolved */
    bool exists; /* the backup root itself exists */
    bool mount_known;
    struct pt_mount mount;
    int64_t free_bytes; /* available to this user; -1 unknown */
    int64_t total_bytes;
    bool codespace, container;
    enum pt_storage_kind kind;
    char *safe_place; /* in a codespace: /workspaces/<repo>/backups, kept across rebuilds */
    char *verdict;    /* translated: where the backups are and what that survives */
};

/* One translated sentence: where the backups are and what they survive. */
const char *pt_storage_verdict(const struct pt_storage *storage);

/* Examines the filesystem holding dir (from /proc/self/mountinfo and statvfs). */
enum pt_status pt_storage_inspect(const char *dir, struct pt_storage *out, struct pt_error *err);
void pt_storage_free(struct pt_storage *storage);

#endif
