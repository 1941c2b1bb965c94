// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The reader (engine/reader.h): a backup read member by member the same
 * way in its three formats (dir, zip, tar.zst), built by the library's own
 * create; and archives and folders forged by hand with a member that would
 * land outside the backup ("..", an absolute path, a link out, a hard link,
 * a member under a link, a chain of links that climbs out), each refused
 * and named.
 */
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "poshtiban/backup.h"

#include "base/fsutil.h"
#include "engine/reader.h"
#include "helpers.h"

struct fixture {
    char *dir;
    struct pt_project project;
};

static int setup(void **state)
{
    struct fixture *f = pt_xcalloc(1, sizeof(*f));
    f->dir = pt_test_tmpdir();
    char *db = pt_path_join(f->dir, "db.sqlite3");
    pt_test_sql(db, "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);"
                    "INSERT INTO note (body) VALUES ('یک'), ('دو');");
    free(db);
    char *media = pt_path_join(f->dir, "media/photos");
    assert_int_equal(pt_mkdir_p(media, 0755), 0);
    char *file = pt_path_join(media, "عکس.txt");
    pt_test_write_file(file, "pixels");
    free(file);
    /* A link inside the media folder: kept as a link, in every format. */
    char *link = pt_path_join(media, "same.txt");
    assert_int_equal(symlink("عکس.txt", link), 0);
    free(link);
    free(media);
    pt_test_project(&f->project, f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pt_project_free(&f->project);
    pt_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* What a walk saw: "F path size <content>", "D path", "L path -> target", one a line. */
struct seen {
    char *text;
    size_t files;
};

static void add(struct seen *s, char *line)
{
    char *next = pt_xasprintf("%s%s\n", s->text ? s->text : "", line);
    free(s->text);
    free(line);
    s->text = next;
}

static enum pt_status collect(const struct pt_entry *e, struct pt_reader *r, void *user,
                              struct pt_error *err)
{
    struct seen *s = user;
    if (e->type == PT_ENTRY_DIR) {
        add(s, pt_xasprintf("D %s", e->path));
    } else if (e->type == PT_ENTRY_LINK) {
        add(s, pt_xasprintf("L %s -> %s", e->path, e->link_target));
    } else {
        s->files++;
        /* Only the media file's bytes: the others differ between two backups. */
        if (strncmp(e->path, "media/", 6) != 0) {
            char buf[4096];
            ssize_t n;
            int64_t total = 0;
            while ((n = pt_reader_read(r, buf, sizeof(buf), err)) > 0)
                total += n;
            if (n < 0)
                return PT_EFAIL;
            assert_int_equal(total, e->size);
            add(s, pt_xasprintf("F %s", e->path));
            return PT_OK;
        }
        char buf[64] = {0};
        ssize_t n = pt_reader_read(r, buf, sizeof(buf) - 1, err);
        if (n < 0)
            return PT_EFAIL;
        assert_int_equal(n, e->size);
        assert_int_equal(pt_reader_read(r, buf + n, sizeof(buf) - 1 - (size_t)n, err), 0);
        add(s, pt_xasprintf("F %s %lld %s", e->path, (long long)e->size, buf));
    }
    return PT_OK;
}

static struct pt_record take(struct fixture *f, const char *format, const char *name)
{
    struct pt_create_options opts = {
        .name = name, .kind = PT_KIND_MANUAL, .include_media = 1, .format = format};
    struct pt_record r = {0};
    struct pt_error err = {0};
    if (pt_test_create(&f->project, &opts, NULL, &r, &err) != PT_OK)
        fail_msg("create %s: %s", format, err.message);
    return r;
}

/* The same members, in the same order, whatever the format. */
static void test_formats_agree(void **state)
{
    struct fixture *f = *state;
    static const char *const formats[] = {"dir", "zip", "tar.zst"};
    char *first = NULL;
    for (size_t i = 0; i < 3; i++) {
        char *name = pt_xasprintf("readertest%zu", i);
        struct pt_record r = take(f, formats[i], name);
        free(name);
        struct seen s = {0};
        struct pt_error err = {0};
        if (pt_reader_walk(&r, collect, &s, &err) != PT_OK)
            fail_msg("%s: %s", formats[i], err.message);
        assert_non_null(strstr(s.text, "F media/photos/عکس.txt 6 pixels\n"));
        assert_non_null(strstr(s.text, "L media/photos/same.txt -> عکس.txt\n"));
        assert_non_null(strstr(s.text, "D media/photos\n"));
        assert_non_null(strstr(s.text, "F SHA256SUMS\n"));
        if (!strstr(s.text, "F database.sqlite3") || !strstr(s.text, "F fixtures/note.json"))
            fail_msg("%s: no snapshot or fixture in\n%s", formats[i], s.text);
        /* Nothing of the top folder's own name, nothing absolute. */
        assert_null(strstr(s.text, r.name));
        assert_null(strstr(s.text, " /"));
        if (i == 0) {
            first = s.text;
        } else {
            /*
             * dir is walked sorted, archives as written; an archive holds the
             * snapshot and fixtures plain (it compresses them itself).
             */
            char *cmd =
                pt_xasprintf("norm() { printf '%%s' \"$1\" | sed -E 's/[.](zst|gz)$//' | sort; };"
                             " test \"$(norm '%s')\" = \"$(norm '%s')\"",
                             first, s.text);
            if (system(cmd) != 0)
                fail_msg("%s differs from dir:\n%s\n---\n%s", formats[i], s.text, first);
            free(cmd);
            /*
             * Archives keep the order create wrote (docs/backup-layout.md,
             * "Member order"): the report after the rest, SHA256SUMS last.
             */
            const char *data = strstr(s.text, "D fixtures\n");
            const char *report = strstr(s.text, "F backup_report.json\n");
            const char *sums = strstr(s.text, "F SHA256SUMS\n");
            assert_non_null(data);
            assert_non_null(report);
            assert_true(report > data);
            assert_true(sums > report);
            assert_int_equal(strlen(sums), strlen("F SHA256SUMS\n"));
            free(s.text);
        }
        /* slurp reads one small member whole, from any format. */
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(pt_reader_slurp(&r, "media/photos/عکس.txt", &data, &len, &err), PT_OK);
        assert_int_equal(len, 6);
        assert_string_equal(data, "pixels");
        free(data);
        assert_int_equal(pt_reader_slurp(&r, "no/such", &data, &len, &err), PT_EFAIL);
        assert_null(data);
        pt_error_clear(&err);
        pt_record_free(&r);
    }
    free(first);
}

/* A member's content that the walk's callback does not read is skipped, not mixed in. */
static enum pt_status read_nothing(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    (void)e;
    (void)r;
    (void)err;
    (*(size_t *)user)++;
    return PT_OK;
}

static enum pt_status stop_at_sums(const struct pt_entry *e, struct pt_reader *r, void *user,
                                   struct pt_error *err)
{
    (void)r;
    (void)user;
    return strcmp(e->path, "SHA256SUMS") == 0 ? pt_error_set(err, PT_ECANCELLED, "stop") : PT_OK;
}

static void test_callback_stops_walk(void **state)
{
    struct fixture *f = *state;
    struct pt_record r = take(f, "tar.zst", NULL);
    size_t n = 0;
    struct pt_error err = {0};
    assert_int_equal(pt_reader_walk(&r, read_nothing, &n, &err), PT_OK);
    assert_true(n > 8);
    assert_int_equal(pt_reader_walk(&r, stop_at_sums, NULL, &err), PT_ECANCELLED);
    pt_error_clear(&err);
    pt_record_free(&r);
}

/* ------------------------------------------------------------ forged archives */

struct member {
    const char *path;
    enum { M_FILE, M_DIR, M_LINK, M_HARDLINK, M_FIFO } kind; /* the last two: tar only */
    const char *target;                                      /* M_LINK, M_HARDLINK */
};

/* An archive at path in format ("zip", "tar.zst") holding exactly the members given. */
static void forge(const char *path, const char *format, const struct member *m, size_t n)
{
    struct archive *a = archive_write_new();
    if (strcmp(format, "zip") == 0) {
        assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    } else {
        assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
    }
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname_utf8(e, m[i].path);
        archive_entry_set_perm(e, 0600);
        archive_entry_set_mtime(e, 1700000000, 0);
        const char *body = "data";
        switch (m[i].kind) {
        case M_FILE:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, 4);
            break;
        case M_DIR:
            archive_entry_set_filetype(e, AE_IFDIR);
            break;
        case M_LINK:
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].target);
            break;
        case M_HARDLINK:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, m[i].target);
            break;
        case M_FIFO:
            archive_entry_set_filetype(e, AE_IFIFO);
            break;
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (m[i].kind == M_FILE)
            assert_int_equal(archive_write_data(a, body, 4), 4);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* Walks a forged backup: PT_OK, or the error's message in *why (owned). */
static enum pt_status walk_forged(struct fixture *f, const char *format, const struct member *m,
                                  size_t n, char **why)
{
    struct pt_record r = {0};
    r.name = pt_xstrdup("backup_forged");
    r.format = pt_xstrdup(format);
    r.path = pt_xasprintf("%s/backups/backup_forged%s", f->dir, pt_format_suffix(format));
    char *backups = pt_path_join(f->dir, "backups");
    assert_int_equal(pt_mkdir_p(backups, 0700), 0);
    free(backups);
    unlink(r.path);
    forge(r.path, format, m, n);
    struct seen s = {0};
    struct pt_error err = {0};
    enum pt_status rc = pt_reader_walk(&r, collect, &s, &err);
    *why = rc == PT_OK ? NULL : pt_xstrdup(err.message);
    pt_error_clear(&err);
    free(s.text);
    pt_record_free(&r);
    return rc;
}

#define T "backup_forged/"

static void test_forged_clean(void **state)
{
    struct fixture *f = *state;
    /* The control: a forged archive with nothing wrong is read, links inside and all. */
    const struct member ok[] = {
        {T, M_DIR, NULL},
        {T "SHA256SUMS", M_FILE, NULL},
        {T "media/", M_DIR, NULL},
        {T "media/a", M_FILE, NULL},
        {T "media/sub/b", M_FILE, NULL},
        {T "media/up", M_LINK, "sub/../a"},
        {T "media/sub/back", M_LINK, "../a"},
    };
    static const char *const formats[] = {"zip", "tar.zst"};
    for (size_t i = 0; i < 2; i++) {
        char *why = NULL;
        if (walk_forged(f, formats[i], ok, sizeof(ok) / sizeof(*ok), &why) != PT_OK)
            fail_msg("%s: %s", formats[i], why);
    }
}

/* Each forged archive holds one bad member after good ones; the refusal names it. */
static void test_forged_refused(void **state)
{
    struct fixture *f = *state;
    struct {
        struct member bad[3];
        size_t n;
        const char *named; /* in the message */
    } cases[] = {
        {{{T "media/../../escape", M_FILE, NULL}}, 1, "media/../../escape"},
        {{{T "../escape", M_FILE, NULL}}, 1, "escape"},
        {{{T "media/./a", M_FILE, NULL}}, 1, "media/./a"},
        {{{"/etc/cron.d/evil", M_FILE, NULL}}, 1, "/etc/cron.d/evil"},
        /* Inside the top folder by its name, absolute once the name is taken off. */
        {{{T "/etc/cron.d/evil", M_FILE, NULL}}, 1, "/etc/cron.d/evil"},
        {{{"other_folder/a", M_FILE, NULL}}, 1, "other_folder/a"},
        {{{"backup_forgedX/a", M_FILE, NULL}}, 1, "backup_forgedX/a"},
        {{{T "media/abs", M_LINK, "/etc/passwd"}}, 1, "media/abs"},
        {{{T "media/out", M_LINK, "../../../etc"}}, 1, "media/out"},
        /* A link to the top folder's parent level: outside media/ by one step. */
        {{{T "media/up", M_LINK, ".."}}, 1, "media/up"},
        {{{T "media/empty", M_LINK, ""}}, 1, "media/empty"},
        {{{T "media/hard", M_HARDLINK, T "SHA256SUMS"}}, 1, "media/hard"},
        {{{T "media/pipe", M_FIFO, NULL}}, 1, "media/pipe"},
        /* A member written through a link: it would land where the link points. */
        {{{T "media/l", M_LINK, "sub"}, {T "media/l/f", M_FILE, NULL}}, 2, "media/l/f"},
        /* Each link stays inside on its own; together they climb out. */
        {{{T "media/a", M_LINK, "."}, {T "media/b", M_LINK, "a/a/../.."}}, 2, "media/b"},
    };
    static const char *const formats[] = {"zip", "tar.zst"};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
            struct member m[6] = {
                {T, M_DIR, NULL}, {T "SHA256SUMS", M_FILE, NULL}, {T "media/", M_DIR, NULL}};
            size_t n = 3;
            bool tar_only = false;
            for (size_t j = 0; j < cases[i].n; j++) {
                m[n++] = cases[i].bad[j];
                tar_only = tar_only || cases[i].bad[j].kind >= M_HARDLINK;
            }
            if (tar_only && k == 0)
                continue; /* zip has no hard links or FIFOs to forge */
            char *why = NULL;
            if (walk_forged(f, formats[k], m, n, &why) == PT_OK)
                fail_msg("%s: %s was not refused", formats[k], cases[i].named);
            if (!strstr(why, cases[i].named) || !strstr(why, "refused"))
                fail_msg("%s: %s refused as \"%s\"", formats[k], cases[i].named, why);
            free(why);
        }
}

/* Not written by the test: the parent of each member folder is made as needed. */
static void make_file(const char *root, const char *rel, const char *text)
{
    char *path = pt_path_join(root, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    assert_int_equal(pt_mkdir_p(path, 0700), 0);
    *slash = '/';
    pt_test_write_file(path, text);
    free(path);
}

/* A backup folder (format dir) with one bad thing in it. */
static void test_dir_refused(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *link, *target; /* a symlink, or a FIFO when target is NULL */
        const char *named;
    } cases[] = {
        {"media/abs", "/etc/passwd", "media/abs"},
        {"media/out", "../../outside", "media/out"},
        {"media/sub/out", "../..", "media/sub/out"},
        {"media/pipe", NULL, "media/pipe"},
        {"media/a", ".", NULL}, /* with media/b below: a chain out */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *root = pt_xasprintf("%s/backups/backup_dir%zu", f->dir, i);
        make_file(root, "SHA256SUMS", "");
        make_file(root, "media/sub/f", "x");
        char *at = pt_path_join(root, cases[i].link);
        if (cases[i].target)
            assert_int_equal(symlink(cases[i].target, at), 0);
        else
            assert_int_equal(mkfifo(at, 0600), 0);
        const char *named = cases[i].named;
        if (!named) {
            char *b = pt_path_join(root, "media/b");
            assert_int_equal(symlink("a/a/../..", b), 0);
            free(b);
            named = "media/b";
        }
        struct pt_record r = {0};
        r.name = pt_xasprintf("backup_dir%zu", i);
        r.format = pt_xstrdup("dir");
        r.path = root;
        struct seen s = {0};
        struct pt_error err = {0};
        if (pt_reader_walk(&r, collect, &s, &err) == PT_OK)
            fail_msg("dir: %s was not refused", named);
        if (!strstr(err.message, named) || !strstr(err.message, "refused"))
            fail_msg("dir: %s refused as \"%s\"", named, err.message);
        pt_error_clear(&err);
        free(s.text);
        free(at);
        pt_record_free(&r);
    }
}

static void test_link_stays_inside(void **state)
{
    (void)state;
    assert_true(pt_reader_link_stays_inside("media/a", "b"));
    assert_true(pt_reader_link_stays_inside("media/a", "./b"));
    assert_true(pt_reader_link_stays_inside("media/x/a", "../b"));
    assert_true(pt_reader_link_stays_inside("media/x/a", "../x/../b"));
    assert_false(pt_reader_link_stays_inside("media/a", ".."));
    assert_false(pt_reader_link_stays_inside("media/a", "../media/b"));
    assert_false(pt_reader_link_stays_inside("media/x/a", "../../b"));
    assert_false(pt_reader_link_stays_inside("media/a", "/media/b"));
    assert_false(pt_reader_link_stays_inside("media/a", ""));
    assert_false(pt_reader_link_stays_inside("media/a", NULL));
    /* Down and back up past the top on the way: still out. */
    assert_false(pt_reader_link_stays_inside("media/a", "b/../../media/c"));
}

int main(void)
{
    /* As the program runs (src/cli/main.c): archives' link targets are read in the locale's
     * encoding. */
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_formats_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_refused, setup, teardown),
        cmocka_unit_test(test_link_stays_inside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
