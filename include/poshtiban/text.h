/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_TEXT_H
#define POSHTIBAN_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Terminal columns of UTF-8 text: zero-width joiners and non-joiners,
 * direction marks and isolates, and Arabic-script vowel marks take none in
 * any locale; other characters as the locale's wcwidth counts them (wide
 * ones two), one each where the locale knows no UTF-8. Bytes that do not
 * decode count one column each run.
 */
size_t pt_text_width(const char *s);

/* True when s is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool pt_text_valid_utf8(const char *s);

/*
 * A copy of s safe to show on a terminal: control characters (escape
 * sequences among them) and bytes that are not UTF-8 become \xNN. New string.
 */
char *pt_text_printable(const char *s);

/* The same, but for text of several lines: newlines and tabs stay. New string. */
char *pt_text_printable_lines(const char *s);

/*
 * The formatted text as one line, safe on a terminal and in JSON (a
 * problem a check reports: SQLite's verdicts span lines, names come from
 * files): newlines become spaces, then as pt_text_printable. New string.
 */
char *pt_text_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * The longest start of s that fits in cols columns, cut on a character
 * boundary; with ellipsis, a cut string ends in "…" within cols. New string.
 */
char *pt_text_fit(const char *s, size_t cols, int ellipsis);

/*
 * url (or a restic repository string holding one, rest:https://…) with any
 * login and password replaced by ***: what follows "://" up to the last '@' goes,
 * so a password with '/', '?', '#' or '@' in it is still cut whole. New string.
 */
char *pt_text_redact_url(const char *url);

#endif
