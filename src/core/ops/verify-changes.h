/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_OPS_VERIFY_CHANGES_H
#define POSHTIBAN_OPS_VERIFY_CHANGES_H

#include <stdbool.h>

#include "poshtiban/progress.h"
#include "poshtiban/project.h"
#include "poshtiban/status.h"
#include "poshtiban/verify.h"

/*
 * The chain of change sets whose base is the backup base (verify,
 * docs/changes.md), into result's change part (changes_checked,
 * change_problems, and a note when the chain could not be rebuilt): every
 * data file against its size and SHA-256 and its zstd frame read whole;
 * deep also rebuilds the chain, change set by change set, on a copy of
 * snapshot (the base's snapshot as a file, proven intact by the caller;
 * NULL when it is not: then the chain is not rebuilt). Reads the change
 * sets without the lock: a chain that a capture or thinning changed while
 * it was checked is checked again as it is now. Never changes a change
 * set. Fails only when cancelled.
 */
enum pt_status pt_verify_changes(const struct pt_project *project, const char *base, bool deep,
                                 const char *snapshot, const struct pt_monitor *monitor,
                                 struct pt_verify_result *result, struct pt_error *err);

#endif
