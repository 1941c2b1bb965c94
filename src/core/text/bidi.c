// SPDX-License-Identifier: GPL-3.0-or-later
#include "poshtiban/bidi.h"

#include <stdlib.h>
#include <string.h>

#include <fribidi.h>

#include "base/fsutil.h"

enum pt_bidi_mode pt_bidi_resolve(const char *setting, bool tty)
{
    if (setting && strcmp(setting, "app") == 0)
        return PT_BIDI_APP;
    if (setting && strcmp(setting, "terminal") == 0)
        return PT_BIDI_TERMINAL;
    if (setting && strcmp(setting, "off") == 0)
        return PT_BIDI_OFF;
    if (!tty)
        return PT_BIDI_OFF;
    const char *konsole = getenv("KONSOLE_VERSION"), *mlterm = getenv("MLTERM");
    if ((konsole && *konsole) || (mlterm && *mlterm))
        return PT_BIDI_TERMINAL;
    return PT_BIDI_APP;
}

char *pt_bidi_isolate(const char *text)
{
    return pt_xasprintf("\xe2\x81\xa8%s\xe2\x81\xa9", text ? text : "");
}

/* What must not reach the screen once the line is in display order. */
static bool invisible(FriBidiChar c)
{
    return c == 0x200C || c == 0x200D || c == 0x200E || c == 0x200F || c == 0x061C || c == 0xFEFF ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

char *pt_bidi_visual(const char *line, bool rtl)
{
    size_t bytes = strlen(line ? line : "");
    if (bytes == 0)
        return pt_xstrdup("");
    FriBidiChar *text = pt_xcalloc(bytes + 1, sizeof(*text));
    FriBidiStrIndex len =
        fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, line, (FriBidiStrIndex)bytes, text);
    FriBidiCharType *types = pt_xcalloc((size_t)len + 1, sizeof(*types));
    FriBidiBracketType *brackets = pt_xcalloc((size_t)len + 1, sizeof(*brackets));
    FriBidiLevel *levels = pt_xcalloc((size_t)len + 1, sizeof(*levels));
    FriBidiArabicProp *props = pt_xcalloc((size_t)len + 1, sizeof(*props));
    FriBidiParType base = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_ON;
    FriBidiFlags flags = FRIBIDI_FLAGS_DEFAULT | FRIBIDI_FLAGS_ARABIC;

    fribidi_get_bidi_types(text, len, types);
    fribidi_get_bracket_types(text, len, types, brackets);
    char *out = NULL;
    if (fribidi_get_par_embedding_levels_ex(types, brackets, len, &base, levels)) {
        fribidi_get_joining_types(text, len, props);
        fribidi_join_arabic(types, len, levels, props);
        fribidi_shape(flags, levels, len, props, text);
        FriBidiStrIndex kept = 0;
        if (!fribidi_reorder_line(flags, types, len, 0, base, levels, text, NULL))
            len = 0; /* out of memory inside FriBidi: the logical line below */
        for (FriBidiStrIndex i = 0; i < len; i++)
            if (!invisible(text[i]))
                text[kept++] = text[i];
        out = pt_xmalloc((size_t)kept * 4 + 1);
        fribidi_unicode_to_charset(FRIBIDI_CHAR_SET_UTF8, text, kept, out);
    }
    free(props);
    free(levels);
    free(brackets);
    free(types);
    free(text);
    if (out && !*out && bytes) {
        free(out);
        out = NULL;
    }
    return out ? out : pt_xstrdup(line);
}
