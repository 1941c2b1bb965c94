/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_BACKUP_INTERNAL_H
#define POSHTIBAN_CORE_BACKUP_INTERNAL_H

/*
 * Transitional, for ops/restore.c alone until its split names what it
 * uses (ops/backup.h and poshtiban/backup-read.h); then delete this file.
 * The functions it used to declare live in their modules' headers:
 * ops/backup.h, ops/remove.h, ops/reindex.h, ops/verify.h.
 */
#include "poshtiban/backup-read.h"
#include "poshtiban/verify.h"

#include "ops/backup.h"

#endif
