/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_METRICS_H
#define POSHTIBAN_CORE_METRICS_H

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"

/*
 * The Prometheus text file of metrics.textfile (docs/catalog-and-settings.md),
 * for node_exporter's textfile collector: what the catalog says of the
 * backups (the newest completed and failed, how many of each status, the
 * newest off-site copy) and the free space of the backup root, every
 * sample labelled with the project's folder. Written at the end of every
 * operation that changes them (create, auto, verify, prune, push, off-site
 * prune), in both faces.
 */

/*
 * Writes metrics.textfile (nothing when it is empty) atomically: a new file
 * in the same folder, fsynced, renamed over the old one, so that a reader
 * (or a crash) never sees half a file. The folder must exist. PT_EFAIL with
 * one line naming the file when it cannot be written.
 */
enum pt_status pt_metrics_write(const struct pt_project *project, struct pt_catalog *catalog,
                                struct pt_error *err);

/*
 * What an operation calls as it ends: pt_metrics_write, with a failure
 * appended to auto.log (an operation never fails for its metrics).
 */
void pt_metrics_update(const struct pt_project *project, struct pt_catalog *catalog);

#endif
