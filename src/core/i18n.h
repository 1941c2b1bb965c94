/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_I18N_H
#define POSHTIBAN_CORE_I18N_H

/* The core translates the messages it formats itself, in poshtiban's domain. */
#ifdef PT_ENABLE_NLS
#include <libintl.h>
#define _(s) dgettext(PT_PACKAGE, s)
#define P_(s, p, n) dngettext(PT_PACKAGE, s, p, n)
#else
#define _(s) (s)
#define P_(s, p, n) ((n) == 1 ? (s) : (p))
#endif
#define N_(s) s

#endif
