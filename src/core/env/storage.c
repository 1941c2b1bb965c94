// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "poshtiban/bidi.h"
#include "poshtiban/i18n.h"
#include "poshtiban/l10n.h"

#include "base/fsutil.h"

/* Decodes the \ooo escapes the kernel writes for space, tab, newline and backslash. */
static char *unescape(const char *s, size_t len)
{
    char *out = pt_xmalloc(len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            *o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/* Splits one line at spaces into at most max fields; returns how many. */
static size_t split(const char *line, size_t len, const char **starts, size_t *lens, size_t max)
{
    size_t n = 0, i = 0;
    while (i < len && n < max) {
        while (i < len && line[i] == ' ')
            i++;
        if (i >= len)
            break;
        starts[n] = line + i;
        while (i < len && line[i] != ' ')
            i++;
        lens[n] = (size_t)(line + i - starts[n]);
        n++;
    }
    return n;
}

static bool within(const char *mount_point, const char *path)
{
    size_t n = strlen(mount_point);
    if (strcmp(mount_point, "/") == 0)
        return path[0] == '/';
    return strncmp(mount_point, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool pt_mount_find(const char *mountinfo, const char *path, struct pt_mount *out)
{
    memset(out, 0, sizeof(*out));
    size_t best = 0;
    bool found = false;
    for (const char *line = mountinfo; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        enum { MAX_FIELDS = 64 };
        const char *f[MAX_FIELDS];
        size_t fl[MAX_FIELDS];
        size_t n = split(line, len, f, fl, MAX_FIELDS);
        /* id parent major:minor root mount-point options [optional…] - fstype source super */
        size_t dash = 6;
        while (dash < n && !(fl[dash] == 1 && f[dash][0] == '-'))
            dash++;
        if (dash + 2 < n) {
            char *point = unescape(f[4], fl[4]);
            size_t plen = strlen(point);
            if (within(point, path) && (!found || plen >= best)) {
                pt_mount_free(out);
                out->mount_point = point;
                out->root = unescape(f[3], fl[3]);
                out->fstype = unescape(f[dash + 1], fl[dash + 1]);
                out->source = unescape(f[dash + 2], fl[dash + 2]);
                best = plen;
                found = true;
            } else {
                free(point);
            }
        }
        line += len + (nl ? 1 : 0);
    }
    return found;
}

void pt_mount_free(struct pt_mount *m)
{
    free(m->mount_point);
    free(m->root);
    free(m->fstype);
    free(m->source);
    memset(m, 0, sizeof(*m));
}

static bool path_in(const char *dir, const char *path)
{
    return within(dir, path);
}

enum pt_storage_kind pt_storage_classify(const struct pt_mount *m, const char *path, bool codespace,
                                         bool container)
{
    const char *fs = m && m->fstype ? m->fstype : "";
    if (strcmp(fs, "tmpfs") == 0 || strcmp(fs, "ramfs") == 0)
        return PT_STORAGE_MEMORY;
    if (strcmp(fs, "overlay") == 0 || strcmp(fs, "aufs") == 0 || strcmp(fs, "fuse-overlayfs") == 0)
        return PT_STORAGE_CONTAINER;
    if (codespace && path_in("/workspaces", path))
        return PT_STORAGE_WORKSPACE;
    bool own_root = !m || !m->mount_point || strcmp(m->mount_point, "/") == 0;
    /* In a container, what is not mounted separately belongs to the container itself. */
    if (codespace || container)
        return own_root ? PT_STORAGE_CONTAINER : PT_STORAGE_VOLUME;
    return PT_STORAGE_DISK;
}

const char *pt_storage_kind_name(enum pt_storage_kind kind)
{
    switch (kind) {
    case PT_STORAGE_WORKSPACE:
        return "workspace";
    case PT_STORAGE_VOLUME:
        return "volume";
    case PT_STORAGE_CONTAINER:
        return "container";
    case PT_STORAGE_MEMORY:
        return "memory";
    case PT_STORAGE_DISK:
        break;
    }
    return "disk";
}

/* The folder of a codespace that rebuilds and stops keep: /workspaces/<repo>/backups. */
static char *safe_place(const char *path)
{
    if (strncmp(path, "/workspaces/", 12) == 0 && path[12] && path[12] != '/') {
        size_t repo = strcspn(path + 12, "/");
        return pt_xasprintf("%.*s/backups", (int)(12 + repo), path);
    }
    const char *folder = getenv("CODESPACE_VSCODE_FOLDER");
    if (folder && strncmp(folder, "/workspaces/", 12) == 0 && folder[12])
        return pt_path_join(folder, "backups");
    const char *repository = getenv("GITHUB_REPOSITORY");
    const char *slash = repository ? strrchr(repository, '/') : NULL;
    const char *repo = slash ? slash + 1 : repository;
    return pt_xasprintf("/workspaces/%s/backups", repo && *repo ? repo : "REPO");
}

/* What the place survives, in one translated sentence; new string. */
static char *verdict(const struct pt_storage *s)
{
    switch (s->kind) {
    case PT_STORAGE_WORKSPACE:
        return pt_xstrdup(_("in the codespace's /workspaces: kept when the codespace is rebuilt "
                            "or stopped, lost when it is deleted, as GitHub does with a codespace "
                            "left stopped for its retention period (30 days by default); "
                            "download copies to your own computer"));
    case PT_STORAGE_VOLUME:
        return pt_xstrdup(s->codespace
                              ? _("on a separate volume: kept when the codespace is rebuilt, lost "
                                  "when the volume or the codespace is deleted (a codespace left "
                                  "stopped for 30 days, by default); download copies to your own "
                                  "computer")
                              : _("on a separate volume: kept when the container is rebuilt, lost "
                                  "when the volume is deleted; download copies to your own "
                                  "computer"));
    case PT_STORAGE_CONTAINER:
        if (s->codespace) {
            char *place =
                pt_l10n_rtl() ? pt_bidi_isolate(s->safe_place) : pt_xstrdup(s->safe_place);
            char *text = pt_xasprintf(_("in the container's own layer: LOST at the next rebuild of "
                                        "the codespace; keep them in %s, which rebuilds and stops "
                                        "keep (poshtiban --backups %s)"),
                                      place, place);
            free(place);
            return text;
        }
        return pt_xstrdup(_("in the container's own layer: LOST at the next rebuild of the "
                            "container; move the backups to a volume or download them"));
    case PT_STORAGE_MEMORY:
        return pt_xstrdup(_("in memory (tmpfs): LOST at the next restart; move the backups to a "
                            "disk"));
    case PT_STORAGE_DISK:
        break;
    }
    return pt_xstrdup(_("on a disk of this machine: kept across restarts, lost with the machine; "
                        "keep copies elsewhere"));
}

const char *pt_storage_verdict(const struct pt_storage *storage)
{
    return storage->verdict ? storage->verdict : "";
}

static bool env_true(const char *name)
{
    const char *v = getenv(name);
    return v && strcmp(v, "true") == 0;
}

enum pt_status pt_storage_inspect(const char *dir, struct pt_storage *out, struct pt_error *err)
{
    memset(out, 0, sizeof(*out));
    out->free_bytes = out->total_bytes = -1;
    /* The nearest folder that exists: a backup root not made yet lands there. */
    char *probe = pt_xstrdup(dir);
    char *real = NULL;
    out->exists = true;
    while (!(real = realpath(probe, NULL))) {
        char *slash = strrchr(probe, '/');
        out->exists = false;
        if (!slash || slash == probe) {
            free(probe);
            probe = pt_xstrdup("/");
            real = realpath(probe, NULL);
            break;
        }
        *slash = '\0';
    }
    free(probe);
    if (!real)
        return pt_error_set(err, PT_EFAIL, _("cannot examine %s: %s"), dir, strerror(errno));
    out->path = real;
    char *info = pt_read_file("/proc/self/mountinfo", PT_SMALL_FILE_MAX, NULL);
    struct pt_mount root = {0};
    bool root_overlay = false;
    if (info) {
        out->mount_known = pt_mount_find(info, real, &out->mount);
        if (pt_mount_find(info, "/", &root))
            root_overlay = strcmp(root.fstype, "overlay") == 0;
        pt_mount_free(&root);
        free(info);
    }
    struct statvfs vfs;
    if (statvfs(real, &vfs) == 0) {
        out->free_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
        out->total_bytes = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
    }
    out->codespace = env_true("CODESPACES");
    out->container =
        root_overlay || access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0;
    out->kind = pt_storage_classify(out->mount_known ? &out->mount : NULL, real, out->codespace,
                                    out->container);
    out->safe_place = out->codespace ? safe_place(real) : NULL;
    out->verdict = verdict(out);
    return PT_OK;
}

void pt_storage_free(struct pt_storage *s)
{
    free(s->path);
    free(s->safe_place);
    free(s->verdict);
    pt_mount_free(&s->mount);
    memset(s, 0, sizeof(*s));
}
