/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_PROGRESS_H
#define POSHTIBAN_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum pt_phase {
    PT_PHASE_PREPARE,
    PT_PHASE_SNAPSHOT, /* done/total in bytes of the database */
    PT_PHASE_FIXTURES, /* done/total in rows */
    PT_PHASE_MEDIA,    /* done/total in bytes of media */
    PT_PHASE_REPORT,
    PT_PHASE_ARCHIVE, /* done/total in bytes packed or exported */
    PT_PHASE_VERIFY,  /* done/total in bytes read */
    PT_PHASE_RESTORE, /* done/total in bytes written */
    PT_PHASE_FINISH,
    PT_PHASE_UPLOAD,   /* done/total in bytes restic has read for an off-site copy */
    PT_PHASE_DOWNLOAD, /* an off-site copy coming back; total unknown */
};

struct pt_progress {
    enum pt_phase phase;
    int64_t done;
    int64_t total;       /* 0 when unknown */
    const char *message; /* translated, may be NULL; valid during the call only */
};

/*
 * How long work talks to its caller. The callback runs on the worker's
 * thread; cancel may be set from any thread (a signal handler included) and
 * makes the work stop at the next step, leaving nothing half-made.
 */
struct pt_monitor {
    void (*progress)(const struct pt_progress *progress, void *user);
    void *user;
    atomic_bool *cancel;
};

/* Tells monitor (may be NULL) that phase begins, nothing counted yet. */
void pt_monitor_phase(const struct pt_monitor *monitor, enum pt_phase phase);

/* Short untranslated name of a phase ("snapshot"); pt_phase_label() translates. */
const char *pt_phase_name(enum pt_phase phase);
const char *pt_phase_label(enum pt_phase phase);

#endif
