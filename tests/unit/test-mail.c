// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "auto/mail.h"
#include "helpers.h"

static int b64_value(char c)
{
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(alphabet, c);
    return p && c ? (int)(p - alphabet) : -1;
}

/* Decodes a header of =?UTF-8?B?…?= words folded with CRLF SP, as a mail reader does. */
static char *decode_header(const char *h)
{
    char *out = calloc(1, strlen(h) + 1);
    size_t o = 0;
    const char *p = h;
    while (*p) {
        if (strncmp(p, "\r\n ", 3) == 0) {
            p += 3;
            continue;
        }
        assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        assert_int_equal((end - p) % 4, 0);
        for (const char *q = p; q < end; q += 4) {
            int v[4];
            for (int i = 0; i < 4; i++)
                v[i] = q[i] == '=' ? 0 : b64_value(q[i]);
            for (int i = 0; i < 4; i++)
                assert_true(v[i] >= 0);
            unsigned n = (unsigned)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
            out[o++] = (char)(n >> 16);
            if (q[2] != '=')
                out[o++] = (char)(n >> 8 & 0xff);
            if (q[3] != '=')
                out[o++] = (char)(n & 0xff);
        }
        p = end + 2;
    }
    out[o] = '\0';
    return out;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : -1;
        if (n < 0)
            return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return false;
    }
    return true;
}

static void test_ascii_stays(void **state)
{
    (void)state;
    char *h = pt_mail_encode_header("poshtiban: backup x FAILED", 9);
    assert_string_equal(h, "poshtiban: backup x FAILED");
    free(h);
}

static void test_persian_subject(void **state)
{
    (void)state;
    const char *subject =
        "پشتیبان: پشتیبان backup_20261126_110618 از پروژه‌ی «املاک» "
        "روی "
        "سرور شکست خورد 🏠";
    char *h = pt_mail_encode_header(subject, strlen("Subject: "));
    size_t line_start = 0, len = strlen(h);
    size_t first = strlen("Subject: ");
    for (size_t i = 0; i <= len; i++) {
        if (i == len || (h[i] == '\r' && h[i + 1] == '\n')) {
            assert_true(i - line_start + first <= 76);
            first = 0;
            line_start = i + 2;
        }
    }
    char *back = decode_header(h);
    assert_string_equal(back, subject);
    /* Every word holds whole characters, so each decodes alone. */
    for (const char *w = strstr(h, "=?UTF-8?B?"); w; w = strstr(w + 1, "=?UTF-8?B?")) {
        const char *end = strstr(w, "?=") + 2;
        char *word = strndup(w, (size_t)(end - w));
        char *one = decode_header(word);
        assert_true(valid_utf8(one));
        free(one);
        free(word);
    }
    free(back);
    free(h);
}

static void test_choose(void **state)
{
    (void)state;
    enum pt_state failed = PT_STATE_FAILED, ok = PT_STATE_COMPLETED, cut = PT_STATE_INTERRUPTED;
    assert_int_equal(pt_mail_choose(false, PT_STATE_FAILED, NULL), PT_MAIL_FAILED);
    assert_int_equal(pt_mail_choose(false, PT_STATE_COMPLETED, NULL), PT_MAIL_NONE);
    assert_int_equal(pt_mail_choose(false, PT_STATE_COMPLETED, &ok), PT_MAIL_NONE);
    assert_int_equal(pt_mail_choose(false, PT_STATE_COMPLETED, &failed), PT_MAIL_FIXED);
    assert_int_equal(pt_mail_choose(false, PT_STATE_COMPLETED, &cut), PT_MAIL_FIXED);
    assert_int_equal(pt_mail_choose(false, PT_STATE_FAILED, &failed), PT_MAIL_FAILED);
    assert_int_equal(pt_mail_choose(true, PT_STATE_COMPLETED, &ok), PT_MAIL_COMPLETED);
    assert_int_equal(pt_mail_choose(true, PT_STATE_COMPLETED, &failed), PT_MAIL_FIXED);
    assert_int_equal(pt_mail_choose(true, PT_STATE_FAILED, NULL), PT_MAIL_FAILED);
}

static void test_format(void **state)
{
    (void)state;
    struct pt_mail m = {.from = "poshtiban@host",
                        .to = "a@example.com, b@example.com",
                        .subject = "سلام",
                        .body = "خط یک\nline two\n",
                        .date_ms = 1795000000000LL,
                        .host = "host"};
    char *msg = pt_mail_format(&m);
    assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?2LPZhNin2YU=?=\r\n"));
    assert_non_null(strstr(msg, "\r\nTo: a@example.com, b@example.com\r\n"));
    assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(msg, "Content-Transfer-Encoding: base64\r\n"));
    assert_true(strncmp(msg, "Date: ", 6) == 0);
    assert_non_null(strstr(msg, " +0000\r\n"));
    /* No bare LF anywhere, and no line longer than 78. */
    size_t run = 0;
    for (const char *p = msg; *p; p++) {
        if (*p == '\n')
            assert_true(p > msg && p[-1] == '\r');
        run = *p == '\n' ? 0 : run + 1;
        assert_true(run <= 79);
    }
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_stays),
        cmocka_unit_test(test_persian_subject),
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
