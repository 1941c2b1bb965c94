/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SHQUOTE_H
#define POSHTIBAN_CORE_SHQUOTE_H

/*
 * s as one word for sh: bare when it holds only characters that need no
 * quoting (letters, digits, and _@%+=:,./-), otherwise in single quotes with
 * each ' written as '\''. New string.
 */
char *pt_sh_quote(const char *s);

/* The same, but always in single quotes. */
char *pt_sh_quote_always(const char *s);

#endif
