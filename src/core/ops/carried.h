/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_CARRIED_H
#define POSHTIBAN_CORE_CARRIED_H

#include "poshtiban/carried.h"

#include "engine/manifest.h"

/*
 * Writes settings.json (docs/backup-layout.md) from the settings in catalog
 * into the backup folder dir, and adds it to manifest, so that SHA256SUMS
 * and the report name it. PT_EFAIL when it cannot be written.
 */
enum pt_status pt_carried_write(struct pt_catalog *catalog, const char *dir,
                                struct pt_manifest *manifest, struct pt_error *err);

#endif
