// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * compress (engine/compress.h): what poshtiban writes as gzip (the fan-out,
 * one member per part) and zstd (one frame with its content checksum) reads
 * back byte for byte, and every kind of damage docs/backup-layout.md names
 * under "Compressed members" is caught: a truncated frame or member, a
 * flipped byte, trailing garbage, a gzip member whose CRC-32 or length is
 * wrong. Real files in a temporary folder.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "engine/compress.h"
#include "helpers.h"

struct fixture {
    char *dir;
    unsigned char *plain; /* what is compressed: text, then noise */
    size_t plain_len;
};

#define PLAIN_LEN (600 * 1024) /* more than one 256 KiB chunk of the reader */

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    f->plain_len = PLAIN_LEN;
    f->plain = pt_xmalloc(f->plain_len);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < f->plain_len; i++) {
        if (i < f->plain_len / 2) {
            f->plain[i] = (unsigned char)"[{\"model\": \"shop.note\", \"pk\": 1}]\n"[i % 35];
        } else {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            f->plain[i] = (unsigned char)x;
        }
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f->plain);
    free(f);
    return 0;
}

/* A whole file in memory. */
struct blob {
    unsigned char *data;
    size_t len, pos;
};

static struct blob load(const char *path)
{
    struct blob b = {0};
    b.data = (unsigned char *)pt_read_file(path, 64 * 1024 * 1024, &b.len);
    assert_non_null(b.data);
    return b;
}

/* pt_source_fn over a blob, a few odd-sized bytes at a time to cross every boundary. */
static ssize_t blob_source(void *user, void *buf, size_t len, struct pt_error *err)
{
    (void)err;
    struct blob *b = user;
    size_t n = b->len - b->pos;
    if (n > len)
        n = len;
    if (n > 77777)
        n = 77777;
    memcpy(buf, b->data + b->pos, n);
    b->pos += n;
    return (ssize_t)n;
}

/* A source that fails after its first bytes, as a disk might. */
static ssize_t failing_source(void *user, void *buf, size_t len, struct pt_error *err)
{
    struct blob *b = user;
    if (b->pos > 0)
        return pt_error_set(err, PT_EFAIL, "the disk said no"), -1;
    return blob_source(user, buf, len < 100 ? len : 100, err);
}

/* Reads the whole stream: PT_OK and the plain bytes, or PT_EFAIL and err. */
static enum pt_status unpack(enum pt_compression c, struct blob *in, unsigned char **out,
                             size_t *out_len, struct pt_error *err)
{
    in->pos = 0;
    struct pt_unpack *u = pt_unpack_open(c, blob_source, in);
    size_t cap = 1024 * 1024, len = 0;
    unsigned char *buf = pt_xmalloc(cap);
    enum pt_status rc = PT_OK;
    for (;;) {
        if (cap - len < 4096)
            buf = pt_xrealloc(buf, cap *= 2);
        ssize_t n = pt_unpack_read(u, buf + len, cap - len, err);
        if (n < 0) {
            rc = PT_EFAIL;
            assert_false(pt_unpack_source_failed(u)); /* the data's fault, not the source's */
            /* Once failed, it stays failed. */
            struct pt_error again = {0};
            assert_int_equal(pt_unpack_read(u, buf, 16, &again), -1);
            pt_error_clear(&again);
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    pt_unpack_close(u);
    if (out) {
        *out = buf;
        *out_len = len;
    } else {
        free(buf);
    }
    return rc;
}

/* The stream reads back as exactly the plain bytes. */
static void expect_round_trip(struct fixture *f, enum pt_compression c, struct blob *in,
                              size_t copies)
{
    unsigned char *out;
    size_t len;
    struct pt_error err = {0};
    if (unpack(c, in, &out, &len, &err) != PT_OK)
        fail_msg("unpack: %s", err.message);
    assert_int_equal(len, f->plain_len * copies);
    for (size_t i = 0; i < copies; i++)
        assert_memory_equal(out + i * f->plain_len, f->plain, f->plain_len);
    free(out);
}

/* The stream is refused, and the error says why. */
static void expect_damaged(enum pt_compression c, struct blob *in, const char *why)
{
    struct pt_error err = {0};
    assert_int_equal(unpack(c, in, NULL, NULL, &err), PT_EFAIL);
    assert_non_null(err.message);
    if (!strstr(err.message, why))
        fail_msg("want \"%s\", got \"%s\"", why, err.message);
    pt_error_clear(&err);
}

/* gzip written by the fan-out: one member per part, each in both files at once. */
static void write_gzip(struct fixture *f, const char *a, const char *b, size_t parts)
{
    struct pt_file_writer wa, wb;
    struct pt_error err = {0};
    assert_int_equal(pt_file_writer_open(&wa, a, &err), PT_OK);
    assert_int_equal(pt_file_writer_open(&wb, b, &err), PT_OK);
    struct pt_file_writer *const both[] = {&wa, &wb};
    struct pt_fanout *fan = pt_fanout_new(PT_COMPRESSION_GZIP, 6);
    for (size_t p = 0; p < parts; p++) {
        assert_int_equal(pt_fanout_begin(fan, both, 2, &err), PT_OK);
        for (size_t at = 0; at < f->plain_len; at += 100000) {
            size_t n = f->plain_len - at < 100000 ? f->plain_len - at : 100000;
            assert_int_equal(pt_fanout_write(fan, f->plain + at, n, &err), PT_OK);
        }
        assert_int_equal(pt_fanout_end(fan, &err), PT_OK);
    }
    pt_fanout_free(fan);
    assert_int_equal(pt_file_writer_close(&wa, NULL, NULL, &err), PT_OK);
    assert_int_equal(pt_file_writer_close(&wb, NULL, NULL, &err), PT_OK);
}

static void write_zstd(struct fixture *f, const char *path)
{
    char *src = pt_path_join(f->dir, "plain.bin");
    FILE *out = fopen(src, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(f->plain, 1, f->plain_len, out), f->plain_len);
    fclose(out);
    char hex[PT_SHA256_HEX];
    int64_t size;
    struct pt_error err = {0};
    assert_int_equal(pt_compress_file_zstd(src, path, 3, hex, &size, &err), PT_OK);
    /* hex and size are those of the bytes as stored. */
    char again[PT_SHA256_HEX];
    int64_t stored;
    assert_int_equal(pt_sha256_file(path, again, &stored, NULL), PT_OK);
    assert_string_equal(hex, again);
    assert_int_equal(size, stored);
    free(src);
}

/*
 * pt_fanout_raw: bytes stored already (here the members of a.gz after its
 * first) go into the file as they are, in order with the parts around them,
 * and the file reads back as those parts' text.
 */
static void test_raw_part(void **state)
{
    struct fixture *f = *state;
    char *a = pt_path_join(f->dir, "a.gz"), *b = pt_path_join(f->dir, "b.gz");
    char *c = pt_path_join(f->dir, "c.gz");
    write_gzip(f, a, b, 2);
    struct blob ba = load(a);
    struct blob want = load(b); /* the same two members */
    /* The first member of a.gz ends where its second begins: a.gz is two equal members. */
    size_t member = ba.len / 2;
    struct pt_file_writer wc;
    struct pt_error err = {0};
    assert_int_equal(pt_file_writer_open(&wc, c, &err), PT_OK);
    struct pt_file_writer *const only[] = {&wc};
    struct pt_fanout *fan = pt_fanout_new(PT_COMPRESSION_GZIP, 6);
    int fd = open(a, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pt_fanout_begin(fan, only, 1, &err), PT_OK);
    assert_int_equal(pt_fanout_write(fan, f->plain, f->plain_len, &err), PT_OK);
    assert_int_equal(pt_fanout_end(fan, &err), PT_OK);
    assert_int_equal(pt_fanout_raw(fan, only, 1, fd, (off_t)member, (int64_t)member, &err), PT_OK);
    /* Past the end of the file: refused, nothing half-said. */
    assert_int_equal(pt_fanout_raw(fan, only, 1, fd, (off_t)ba.len, 1, &err), PT_EFAIL);
    pt_error_clear(&err);
    close(fd);
    pt_fanout_free(fan);
    char hex[PT_SHA256_HEX];
    int64_t size;
    assert_int_equal(pt_file_writer_close(&wc, hex, &size, &err), PT_OK);
    struct blob bc = load(c);
    assert_int_equal(bc.len, want.len);
    assert_memory_equal(bc.data, want.data, want.len);
    free(ba.data);
    free(want.data);
    free(bc.data);
    free(a);
    free(b);
    free(c);
}

static void test_gzip_round_trip(void **state)
{
    struct fixture *f = *state;
    char *a = pt_path_join(f->dir, "a.gz"), *b = pt_path_join(f->dir, "b.gz");
    write_gzip(f, a, b, 2);
    struct blob ba = load(a), bb = load(b);
    /* Both files hold the same members; each starts with gzip's magic. */
    assert_int_equal(ba.len, bb.len);
    assert_memory_equal(ba.data, bb.data, ba.len);
    assert_true(ba.len < f->plain_len * 2);
    assert_int_equal(ba.data[0], 0x1f);
    assert_int_equal(ba.data[1], 0x8b);
    expect_round_trip(f, PT_COMPRESSION_GZIP, &ba, 2);
    /* gzip(1) itself reads both members. */
    char *cmd = pt_xasprintf("gzip -t '%s'", a);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    /* Zero padding after the last member is allowed, as gzip -t allows it. */
    ba.data = pt_xrealloc(ba.data, ba.len + 512);
    memset(ba.data + ba.len, 0, 512);
    ba.len += 512;
    expect_round_trip(f, PT_COMPRESSION_GZIP, &ba, 2);
    free(ba.data);
    free(bb.data);
    free(a);
    free(b);
}

static void test_zstd_round_trip(void **state)
{
    struct fixture *f = *state;
    char *path = pt_path_join(f->dir, "a.zst");
    write_zstd(f, path);
    struct blob b = load(path);
    assert_true(b.len < f->plain_len);
    expect_round_trip(f, PT_COMPRESSION_ZSTD, &b, 1);
    char *cmd = pt_xasprintf("zstd -q -t '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(b.data);
    free(path);
}

/* The zstd writer straight into a file writer: two frames in a row read as one stream. */
static void test_zstd_writer_frames(void **state)
{
    struct fixture *f = *state;
    char *path = pt_path_join(f->dir, "two.zst");
    struct pt_file_writer w;
    struct pt_error err = {0};
    assert_int_equal(pt_file_writer_open(&w, path, &err), PT_OK);
    for (int i = 0; i < 2; i++) {
        struct pt_zstd_writer *z = pt_zstd_writer_new(&w, 19);
        assert_int_equal(pt_zstd_writer_write(z, f->plain, f->plain_len, &err), PT_OK);
        assert_int_equal(pt_zstd_writer_end(z, &err), PT_OK);
        pt_zstd_writer_free(z);
    }
    assert_int_equal(pt_file_writer_close(&w, NULL, NULL, &err), PT_OK);
    struct blob b = load(path);
    expect_round_trip(f, PT_COMPRESSION_ZSTD, &b, 2);
    free(b.data);
    free(path);
}

static void test_truncated(void **state)
{
    struct fixture *f = *state;
    char *gz = pt_path_join(f->dir, "a.gz"), *gz2 = pt_path_join(f->dir, "b.gz");
    char *zst = pt_path_join(f->dir, "a.zst");
    write_gzip(f, gz, gz2, 1);
    write_zstd(f, zst);
    struct blob g = load(gz), z = load(zst);
    size_t g_len = g.len, z_len = z.len;
    /* Cut anywhere: in the middle, in the trailer, one byte short. */
    const size_t cuts[] = {g_len / 2, g_len - 5, g_len - 1};
    for (size_t i = 0; i < 3; i++) {
        g.len = cuts[i];
        expect_damaged(PT_COMPRESSION_GZIP, &g, "damaged gzip data");
    }
    const size_t zcuts[] = {z_len / 2, z_len - 3, z_len - 1};
    for (size_t i = 0; i < 3; i++) {
        z.len = zcuts[i];
        expect_damaged(PT_COMPRESSION_ZSTD, &z, "damaged zstd data");
    }
    /* Nothing at all is not a stream either. */
    g.len = z.len = 0;
    expect_damaged(PT_COMPRESSION_GZIP, &g, "empty");
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "empty");
    free(g.data);
    free(z.data);
    free(gz);
    free(gz2);
    free(zst);
}

static void test_flipped_byte(void **state)
{
    struct fixture *f = *state;
    char *gz = pt_path_join(f->dir, "a.gz"), *gz2 = pt_path_join(f->dir, "b.gz");
    char *zst = pt_path_join(f->dir, "a.zst");
    write_gzip(f, gz, gz2, 1);
    write_zstd(f, zst);
    struct blob g = load(gz), z = load(zst);
    /* In the compressed body, where the noise is stored nearly as it is. */
    g.data[g.len - 1000] ^= 0x01;
    expect_damaged(PT_COMPRESSION_GZIP, &g, "gzip");
    z.data[z.len - 1000] ^= 0x01;
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "zstd");
    z.data[z.len - 1000] ^= 0x01;
    /* zstd's content checksum, the frame's last 4 bytes. */
    z.data[z.len - 2] ^= 0x10;
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "zstd checksum mismatch");
    /* The magic number: not that format at all. */
    g.data[g.len - 1000] ^= 0x01;
    g.data[0] ^= 0xff;
    expect_damaged(PT_COMPRESSION_GZIP, &g, "not in that format");
    z.data[z.len - 2] ^= 0x10;
    z.data[0] ^= 0xff;
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "not in that format");
    free(g.data);
    free(z.data);
    free(gz);
    free(gz2);
    free(zst);
}

static void test_trailing_garbage(void **state)
{
    struct fixture *f = *state;
    char *gz = pt_path_join(f->dir, "a.gz"), *gz2 = pt_path_join(f->dir, "b.gz");
    char *zst = pt_path_join(f->dir, "a.zst");
    write_gzip(f, gz, gz2, 1);
    write_zstd(f, zst);
    struct blob g = load(gz), z = load(zst);
    g.data = pt_xrealloc(g.data, g.len + 8);
    z.data = pt_xrealloc(z.data, z.len + 8);
    memcpy(g.data + g.len, "garbage!", 8);
    memcpy(z.data + z.len, "garbage!", 8);
    g.len += 8;
    z.len += 8;
    expect_damaged(PT_COMPRESSION_GZIP, &g, "data after the last gzip member");
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "data after the last zstd frame");
    /* Zero padding, then something: garbage too. */
    memcpy(g.data + g.len - 8, "\0\0\0\0\0\0\0x", 8);
    expect_damaged(PT_COMPRESSION_GZIP, &g, "data after the last gzip member");
    /* Zero bytes after a zstd frame are not padding zstd knows. */
    memset(z.data + z.len - 8, 0, 8);
    expect_damaged(PT_COMPRESSION_ZSTD, &z, "data after the last zstd frame");
    free(g.data);
    free(z.data);
    free(gz);
    free(gz2);
    free(zst);
}

/* The trailer of a gzip member: CRC-32, then the length mod 2^32 (ISIZE), little-endian. */
static void test_gzip_bad_crc_and_length(void **state)
{
    struct fixture *f = *state;
    char *gz = pt_path_join(f->dir, "a.gz"), *gz2 = pt_path_join(f->dir, "b.gz");
    write_gzip(f, gz, gz2, 2);
    struct blob g = load(gz);
    size_t member = g.len / 2; /* two equal members */
    assert_int_equal(g.data[member], 0x1f);
    /* In the first member and in the last, each is checked. */
    const size_t trailers[] = {member - 8, g.len - 8};
    for (size_t i = 0; i < 2; i++) {
        g.data[trailers[i]] ^= 0x01;
        expect_damaged(PT_COMPRESSION_GZIP, &g, "gzip CRC mismatch");
        g.data[trailers[i]] ^= 0x01;
        g.data[trailers[i] + 4] ^= 0x01;
        expect_damaged(PT_COMPRESSION_GZIP, &g, "gzip length (ISIZE) mismatch");
        g.data[trailers[i] + 4] ^= 0x01;
    }
    expect_round_trip(f, PT_COMPRESSION_GZIP, &g, 2);
    /* The wrong kind: a gzip file read as zstd, and the other way round. */
    expect_damaged(PT_COMPRESSION_ZSTD, &g, "not in that format");
    free(g.data);
    free(gz);
    free(gz2);
}

/* A source's own failure is said as the source said it, not as damage. */
static void test_source_failure(void **state)
{
    struct fixture *f = *state;
    char *zst = pt_path_join(f->dir, "a.zst");
    write_zstd(f, zst);
    struct blob z = load(zst);
    struct pt_unpack *u = pt_unpack_open(PT_COMPRESSION_ZSTD, failing_source, &z);
    unsigned char *buf = pt_xmalloc(f->plain_len);
    struct pt_error err = {0};
    ssize_t n;
    while ((n = pt_unpack_read(u, buf, f->plain_len, &err)) > 0)
        ;
    assert_int_equal(n, -1);
    assert_true(pt_unpack_source_failed(u));
    assert_string_equal(err.message, "the disk said no");
    pt_error_clear(&err);
    pt_unpack_close(u);
    free(buf);
    free(z.data);
    free(zst);
}

/* The snapshot's unpacking: a SQLite file round-trips; a non-database is damaged. */
static void test_unpack_snapshot(void **state)
{
    struct fixture *f = *state;
    char *db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3);");
    char *zst = pt_path_join(f->dir, "db.sqlite3.zst"), *back = pt_path_join(f->dir, "back");
    char hex[PT_SHA256_HEX], hex_back[PT_SHA256_HEX];
    struct pt_error err = {0};
    assert_int_equal(pt_compress_file_zstd(db, zst, 3, hex, NULL, &err), PT_OK);
    struct blob z = load(zst);
    bool damaged = true, unchecked = true;
    assert_int_equal(
        pt_unpack_snapshot(PT_COMPRESSION_ZSTD, blob_source, &z, back, &damaged, &unchecked, &err),
        PT_OK);
    assert_false(damaged);
    assert_false(unchecked);
    assert_int_equal(pt_sha256_file(db, hex, NULL, NULL), PT_OK);
    assert_int_equal(pt_sha256_file(back, hex_back, NULL, NULL), PT_OK);
    assert_string_equal(hex, hex_back);
    assert_int_equal(pt_test_sql_int(back, "SELECT sum(x) FROM t"), 6);
    /* Damaged data: refused, and nothing is left behind. */
    z.pos = 0;
    z.data[z.len - 1] ^= 0xff;
    assert_int_equal(
        pt_unpack_snapshot(PT_COMPRESSION_ZSTD, blob_source, &z, back, &damaged, NULL, &err),
        PT_EFAIL);
    assert_true(damaged);
    assert_int_not_equal(access(back, F_OK), 0);
    pt_error_clear(&err);
    /* Whole zstd, but not a database. */
    char *text = pt_path_join(f->dir, "text"), *text_zst = pt_path_join(f->dir, "text.zst");
    pt_test_write_file(text, "this is not a database, however long it gets. "
                             "this is not a database, however long it gets. "
                             "this is not a database, however long it gets.");
    assert_int_equal(pt_compress_file_zstd(text, text_zst, 3, hex, NULL, &err), PT_OK);
    free(z.data);
    z = load(text_zst);
    assert_int_equal(
        pt_unpack_snapshot(PT_COMPRESSION_ZSTD, blob_source, &z, back, &damaged, NULL, &err),
        PT_EFAIL);
    assert_true(damaged);
    assert_non_null(strstr(err.message, "not a SQLite database"));
    pt_error_clear(&err);
    free(z.data);
    free(text);
    free(text_zst);
    free(zst);
    free(back);
    free(db);
}

static void test_names(void **state)
{
    (void)state;
    enum pt_compression c = PT_COMPRESSION_NONE;
    assert_true(pt_compression_match("database.sqlite3.zst", "database.sqlite3", &c));
    assert_int_equal(c, PT_COMPRESSION_ZSTD);
    assert_true(pt_compression_match("fixtures/a.json.gz", "fixtures/a.json", &c));
    assert_int_equal(c, PT_COMPRESSION_GZIP);
    assert_true(pt_compression_match("database.sqlite3", "database.sqlite3", &c));
    assert_int_equal(c, PT_COMPRESSION_NONE);
    assert_false(pt_compression_match("database.sqlite3.xz", "database.sqlite3", &c));
    assert_false(pt_compression_match("database.sqlite", "database.sqlite3", &c));
    assert_int_equal(pt_compression_gzip_level(19), 9);
    assert_int_equal(pt_compression_gzip_level(1), 1);
    assert_int_equal(pt_compression_gzip_level(0), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gzip_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd_writer_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_bad_crc_and_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unpack_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_part, setup, teardown),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
