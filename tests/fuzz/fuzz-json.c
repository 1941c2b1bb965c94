// SPDX-License-Identifier: GPL-3.0-or-later
/* A JSON column's text as the fixture writer rewrites it (engine/rowjson-internal.h), against
 * jansson. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/rowjson-internal.h"

static int dump_cb(const char *data, size_t len, void *user)
{
    pt_rowjson_put(user, data, len);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pt_rowjson_buf got = {0}, want = {0};
    bool rewritten = pt_rowjson_json(&got, (const char *)data, size);
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (j && json_dump_callback(j, dump_cb, &want, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        abort();
    /* What rowjson-internal.h promises: jansson's bytes, or nothing and jansson's turn. */
    if (rewritten && !j) {
        fprintf(stderr, "fuzz-json: rewritten, but jansson refuses it\n");
        abort();
    }
    if (rewritten && (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)) {
        fprintf(stderr, "fuzz-json: not jansson's bytes\n");
        abort();
    }
    if (!rewritten && got.len != 0) {
        fprintf(stderr, "fuzz-json: left to jansson, but written to\n");
        abort();
    }
    json_decref(j);
    free(got.data);
    free(want.data);
    return 0;
}
