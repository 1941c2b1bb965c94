// SPDX-License-Identifier: GPL-3.0-or-later
/* Setting values as `poshtiban settings set` and a catalog hand them over (settings.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "poshtiban/settings.h"

static void fail(const struct pt_setting_def *def, const char *what)
{
    fprintf(stderr, "fuzz-settings: %s: %s\n", def->key, what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly the input and its NUL, so that a read past the text's end is caught. */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    /* A key as a person types it: found with its own id, or refused with a message. */
    const struct pt_setting_def *found = pt_settings_find(text);
    enum pt_setting_id id = PT_SETTINGS_COUNT;
    struct pt_error lookup_err = {0};
    enum pt_status looked = pt_settings_lookup(text, &id, &lookup_err);
    if (found ? looked != PT_OK || id != found->id || pt_settings_def(id) != found
              : looked != PT_ENOTFOUND || id != PT_SETTINGS_COUNT || !lookup_err.message)
        abort();
    pt_error_clear(&lookup_err);
    size_t n;
    const struct pt_setting_def *defs = pt_settings_defs(&n);
    for (size_t i = 0; i < n; i++) {
        const struct pt_setting_def *def = &defs[i];
        char *canonical = NULL;
        struct pt_error err = {0};
        if (pt_settings_validate(def, text, &canonical, &err) == PT_OK) {
            /* Stored as it is, a canonical value must validate again, unchanged. */
            char *again = NULL;
            if (!canonical || pt_settings_validate(def, canonical, &again, NULL) != PT_OK ||
                strcmp(again, canonical) != 0)
                fail(def, "its canonical value is not canonical");
            free(again);
            /* settings.h: every value has a JSON value, as `settings list --json` prints it. */
            json_t *value = pt_settings_json_value(def, canonical);
            if (!value)
                fail(def, "an accepted value has no JSON value");
            json_decref(value);
        } else if (canonical || !err.message) {
            fail(def, "a refused value without a message, or with a canonical value");
        }
        free(canonical);
        pt_error_clear(&err);
    }
    free(text);
    return 0;
}
