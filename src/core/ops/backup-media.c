// SPDX-License-Identifier: GPL-3.0-or-later
#include "ops/backup-media.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poshtiban/alloc.h"
#include "poshtiban/i18n.h"

struct pt_backup_media {
    char *src, *dest, *skip, *previous;
    int64_t total_bytes;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    struct pt_monitor monitor; /* the thread's: holds progress, reports nothing */
    struct pt_manifest manifest;
    struct pt_media_totals totals;
    enum pt_status rc;
    struct pt_error err;
    /* under mu: the latest progress not yet reported, and whether the copy ended */
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct pt_progress held;
    char *held_rel;
    size_t held_cap;
    bool fresh, ended;
};

static void hold_progress(const struct pt_progress *p, void *user)
{
    struct pt_backup_media *m = user;
    size_t len = p->message ? strlen(p->message) + 1 : 0;
    pthread_mutex_lock(&m->mu);
    m->held = *p;
    if (len > m->held_cap) {
        m->held_rel = pt_xrealloc(m->held_rel, len);
        m->held_cap = len;
    }
    if (len)
        memcpy(m->held_rel, p->message, len);
    m->held.message = len ? m->held_rel : NULL;
    m->fresh = true; /* no signal: the reporting thread looks now and then (below) */
    pthread_mutex_unlock(&m->mu);
}

static void *copy_media(void *user)
{
    struct pt_backup_media *m = user;
    m->rc = pt_media_copy(m->src, m->dest, m->skip, m->previous, m->total_bytes, &m->monitor,
                          &m->manifest, &m->totals, &m->err);
    pthread_mutex_lock(&m->mu);
    m->ended = true;
    pthread_cond_signal(&m->changed);
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

struct pt_backup_media *pt_backup_media_start(const char *src, const char *dest, const char *skip,
                                              const char *previous, int64_t total_bytes)
{
    struct pt_backup_media *m = pt_xcalloc(1, sizeof(*m));
    m->src = pt_xstrdup(src);
    m->dest = pt_xstrdup(dest);
    m->skip = skip ? pt_xstrdup(skip) : NULL;
    m->previous = previous ? pt_xstrdup(previous) : NULL;
    m->total_bytes = total_bytes;
    atomic_init(&m->stop, false);
    m->monitor = (struct pt_monitor){hold_progress, m, &m->stop};
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->changed, NULL);
    m->running = pthread_create(&m->thread, NULL, copy_media, m) == 0;
    if (!m->running) {
        m->rc = pt_error_set(&m->err, PT_EFAIL, _("cannot start a thread: %s"), strerror(errno));
        m->ended = true;
    }
    return m;
}

static bool user_cancelled(const struct pt_monitor *mon)
{
    return mon && mon->cancel && atomic_load(mon->cancel);
}

enum pt_status pt_backup_media_finish(struct pt_backup_media *m, const struct pt_monitor *mon,
                                      bool stop, struct pt_manifest *manifest,
                                      struct pt_media_totals *out, struct pt_error *err)
{
    if (!m)
        return PT_OK;
    if (stop)
        atomic_store(&m->stop, true);
    pthread_mutex_lock(&m->mu);
    for (;;) {
        if (m->fresh) {
            struct pt_progress p = m->held;
            char *rel = p.message ? pt_xstrdup(p.message) : NULL;
            p.message = rel;
            m->fresh = false;
            pthread_mutex_unlock(&m->mu);
            if (!stop && mon && mon->progress)
                mon->progress(&p, mon->user);
            free(rel);
            pthread_mutex_lock(&m->mu);
        }
        if (user_cancelled(mon))
            atomic_store(&m->stop, true);
        if (m->ended && !m->fresh)
            break;
        if (m->ended)
            continue;
        /*
         * Woken when the copy ends, else every 100 ms to report its latest
         * progress and pass on a cancel: a wake for each of many small
         * files cost more than their copy.
         */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&m->changed, &m->mu, &until);
    }
    pthread_mutex_unlock(&m->mu);
    if (m->running)
        pthread_join(m->thread, NULL);
    enum pt_status rc = stop ? PT_OK : m->rc;
    if (rc != PT_OK) {
        pt_error_set(err, rc, "%s", m->err.message ? m->err.message : _("failed"));
    } else if (!stop) {
        pt_manifest_take(manifest, &m->manifest);
        *out = m->totals;
    }
    pt_manifest_free(&m->manifest);
    pt_error_clear(&m->err);
    pthread_cond_destroy(&m->changed);
    pthread_mutex_destroy(&m->mu);
    free(m->held_rel);
    free(m->src);
    free(m->dest);
    free(m->skip);
    free(m->previous);
    free(m);
    return rc;
}
