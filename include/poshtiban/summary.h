/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SUMMARY_H
#define POSHTIBAN_SUMMARY_H

#include <jansson.h>

/*
 * A backup's story for people (backup_summary.txt) told from its
 * backup_report.json, in the current language: Persian with Jalali dates and
 * Persian digits, or English with ISO dates. Logical order. New string.
 */
char *pt_report_summary(json_t *report);

#endif
