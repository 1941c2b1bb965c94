/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_I18N_H
#define POSHTIBAN_I18N_H

/* gettext in poshtiban's domain, for the core, present/ and both faces. */
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
