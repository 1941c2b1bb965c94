// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * verify (poshtiban/verify.h) on real backups of a real project: each kind
 * of damage is found, and the problem names the file it is in. Where a
 * damage would also break SHA256SUMS, the test reseals the file's line, so
 * that only the check under test can find it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "poshtiban/backup.h"
#include "poshtiban/settings.h"
#include "poshtiban/verify.h"

#include "base/filewriter.h"
#include "base/fsutil.h"
#include "helpers.h"

struct fixture {
    char *dir;
    struct pt_project project;
    struct pt_record backup;
};

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    char *db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(db, "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);"
                    "INSERT INTO note (body) VALUES ('یک'), ('دو'), ('three');"
                    "CREATE TABLE tag (name TEXT);"
                    "INSERT INTO tag VALUES ('x');");
    free(db);
    char *media = pt_path_join(f->dir, "media/photos");
    assert_int_equal(pt_mkdir_p(media, 0755), 0);
    char *file = pt_path_join(media, "a.txt");
    pt_test_write_file(file, "pixels of a photo");
    free(file);
    file = pt_path_join(media, "b.txt");
    pt_test_write_file(file, "another photo");
    free(file);
    free(media);
    pt_test_project(&f->project, f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_record_free(&f->backup);
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A backup in format (media included), checked whole before any damage. */
static void take(struct fixture *f, const char *format)
{
    struct pt_create_options opts = {.kind = PT_KIND_MANUAL, .include_media = 1, .format = format};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &opts, NULL, &f->backup, &err) != PT_OK)
        fail_msg("create: %s", err.message);
    struct pt_verify_result result;
    assert_int_equal(pt_test_verify(&f->project, f->backup.name, true, NULL, &result, &err), PT_OK);
    if (!result.ok)
        fail_msg("a fresh backup does not verify: %s", result.problems[0]);
    pt_verify_result_free(&result);
}

static char *in_backup(const struct fixture *f, const char *rel)
{
    return pt_path_join(f->backup.path, rel);
}

/* Verifies and expects a problem that holds want (a file's name and what is wrong with it). */
static void expect_problem(struct fixture *f, bool deep, const char *want)
{
    struct pt_verify_result result;
    struct pt_error err = {0};
    struct pt_record after = {0};
    if (pt_test_verify(&f->project, f->backup.name, deep, &after, &result, &err) != PT_OK)
        fail_msg("verify: %s", err.message);
    assert_false(result.ok);
    assert_int_equal(after.verify_ok, 0); /* the catalog keeps the verdict */
    bool found = false;
    for (size_t i = 0; i < result.n; i++)
        found = found || strstr(result.problems[i], want) != NULL;
    if (!found)
        fail_msg("no problem says \"%s\"; the first: %s", want,
                 result.n ? result.problems[0] : "(none)");
    pt_verify_result_free(&result);
    pt_record_free(&after);
}

/* Flips the bits of the byte at offset (from the end when negative). */
static void flip_byte(const char *path, off_t offset)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    off_t at = offset >= 0 ? offset : lseek(fd, 0, SEEK_END) + offset;
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, at), 1);
    c ^= 0xff;
    assert_int_equal(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* Writes the SHA-256 of rel as it is now into SHA256SUMS, as a forger would. */
static void reseal(struct fixture *f, const char *rel)
{
    char *path = in_backup(f, rel), *sums_path = in_backup(f, "SHA256SUMS");
    char hex[PT_SHA256_HEX];
    assert_int_equal(pt_sha256_file(path, hex, NULL, NULL), PT_OK);
    char *sums = pt_read_file(sums_path, PT_SMALL_FILE_MAX, NULL);
    assert_non_null(sums);
    char *tail = pt_xasprintf("  %s\n", rel);
    char *line = strstr(sums, tail);
    assert_non_null(line);
    assert_true(line - sums >= 64);
    memcpy(line - 64, hex, 64);
    pt_test_write_file(sums_path, sums);
    free(tail);
    free(sums);
    free(sums_path);
    free(path);
}

/* A changed byte in a media file, whose live copy changed too (so it cannot be healed). */
static void test_changed_byte(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *live = pt_path_join(f->dir, "media/photos/a.txt");
    pt_test_write_file(live, "edited since");
    free(live);
    char *copy = in_backup(f, "media/photos/a.txt");
    flip_byte(copy, 3);
    free(copy);
    expect_problem(f, false, "media/photos/a.txt: checksum mismatch");
}

/* A changed byte in a file the media never heals: the summary. */
static void test_changed_byte_summary(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *summary = in_backup(f, "backup_summary.txt");
    flip_byte(summary, 0);
    free(summary);
    expect_problem(f, false, "backup_summary.txt: checksum mismatch");
}

static void test_missing_file(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *copy = in_backup(f, "media/photos/b.txt");
    assert_int_equal(unlink(copy), 0);
    free(copy);
    expect_problem(f, false, "media/photos/b.txt: missing");
}

static void test_extra_file(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *extra = in_backup(f, "media/photos/planted.txt");
    pt_test_write_file(extra, "not ours");
    free(extra);
    expect_problem(f, false, "media/photos/planted.txt: not listed in SHA256SUMS");
}

/* A row gone from the snapshot, resealed: only the report's count can tell. */
static void test_wrong_row_count(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(
        pt_test_settings_save(&f->project, PT_KEY_BACKUP_COMPRESS, "false", NULL, NULL), PT_OK);
    take(f, "dir");
    char *snapshot = in_backup(f, "database.sqlite3");
    pt_test_sql(snapshot, "DELETE FROM note WHERE id = 2;");
    free(snapshot);
    reseal(f, "database.sqlite3");
    expect_problem(f, false, "database.sqlite3: table note has 2 rows, the report says 3");
}

/* The zstd frame's content checksum, resealed: every verify checks it. */
static void test_damaged_zstd_member(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *snapshot = in_backup(f, "database.sqlite3.zst");
    flip_byte(snapshot, -1);
    free(snapshot);
    reseal(f, "database.sqlite3.zst");
    expect_problem(f, false, "database.sqlite3.zst: zstd checksum mismatch");
}

/* A gzip member's CRC-32 (the trailer's first 4 bytes), resealed: verify --deep checks it. */
static void test_damaged_gzip_member(void **state)
{
    struct fixture *f = *state;
    take(f, "dir");
    char *fixture = in_backup(f, "fixtures/note.json.gz");
    flip_byte(fixture, -8);
    free(fixture);
    reseal(f, "fixtures/note.json.gz");
    expect_problem(f, true, "fixtures/note.json.gz: gzip CRC mismatch");
}

/* An archive: its own SHA-256 beside it catches a changed byte anywhere. */
static void test_changed_byte_zip(void **state)
{
    struct fixture *f = *state;
    take(f, "zip");
    flip_byte(f->backup.path, 40);
    const char *file = strrchr(f->backup.path, '/') + 1;
    char *want = pt_xasprintf("%s: checksum mismatch", file);
    expect_problem(f, false, want);
    free(want);
}

/* In tar.zst, a member missing from the archive is named as in a folder. */
static void test_missing_member_tar(void **state)
{
    struct fixture *f = *state;
    take(f, "tar.zst");
    /* Rewrite the archive without one member, and its .sha256 to match: only SHA256SUMS tells. */
    char *listing =
        pt_xasprintf("cd '%s' && tar --zstd -xf '%s' && rm '%s'/media/photos/b.txt &&"
                     " tar --zstd -cf '%s' '%s' && sha256sum '%s' | cut -c1-64 >'%s.sha256'"
                     " && rm -r '%s'",
                     f->dir, f->backup.path, f->backup.name, f->backup.path, f->backup.name,
                     f->backup.path, f->backup.path, f->backup.name);
    assert_int_equal(system(listing), 0);
    free(listing);
    expect_problem(f, false, "media/photos/b.txt: missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_changed_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_byte_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_row_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_zstd_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_gzip_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_byte_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_member_tar, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
