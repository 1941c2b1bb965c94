// SPDX-License-Identifier: GPL-3.0-or-later
#include <stdlib.h>
#include <string.h>

#include "poshtiban/doctor.h"
#include "poshtiban/storage.h"

#include "helpers.h"

static const char mountinfo[] =
    "22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u\n"
    "23 22 0:22 / /proc rw - proc proc rw\n"
    "30 22 8:1 /codespaces/ws /workspaces rw,relatime shared:1 master:2 - ext4 /dev/sdb1 rw\n"
    "31 22 8:1 /vol /home/u/my\\040app/backups rw shared:3 - ext4 /dev/sdb1 rw\n"
    "32 22 0:40 / /mnt rw - tmpfs tmpfs rw,size=2048k\n"
    "33 32 0:41 / /mnt rw - xfs /dev/sdc1 rw\n"
    "34 22 0:42 / /tab\\011and\\134back rw - ext4 /dev/x\\040y rw\n";

static void expect(const char *path, const char *point, const char *fstype, const char *source,
                   const char *root)
{
    struct pt_mount m;
    assert_true(pt_mount_find(mountinfo, path, &m));
    assert_string_equal(m.mount_point, point);
    assert_string_equal(m.fstype, fstype);
    assert_string_equal(m.source, source);
    assert_string_equal(m.root, root);
    pt_mount_free(&m);
}

static void test_longest_mount_point(void **state)
{
    (void)state;
    expect("/", "/", "overlay", "overlay", "/");
    expect("/proc/1", "/proc", "proc", "proc", "/");
    expect("/procfs", "/", "overlay", "overlay", "/"); /* a prefix, not a parent */
    expect("/workspaces/app/backups", "/workspaces", "ext4", "/dev/sdb1", "/codespaces/ws");
}

static void test_escapes(void **state)
{
    (void)state;
    expect("/home/u/my app/backups/x", "/home/u/my app/backups", "ext4", "/dev/sdb1", "/vol");
    expect("/home/u/my app", "/", "overlay", "overlay", "/");
    expect("/tab\tand\\back/b", "/tab\tand\\back", "ext4", "/dev/x y", "/");
}

static void test_last_mount_on_a_point_wins(void **state)
{
    (void)state;
    expect("/mnt/b", "/mnt", "xfs", "/dev/sdc1", "/");
}

static void test_classify(void **state)
{
    (void)state;
    struct pt_mount tmp = {"/mnt", "/", "tmpfs", "tmpfs"};
    struct pt_mount over = {"/", "/", "overlay", "overlay"};
    struct pt_mount ws = {"/workspaces", "/", "ext4", "/dev/sdb1"};
    struct pt_mount vol = {"/data", "/", "ext4", "/dev/sdc1"};
    struct pt_mount root = {"/", "/", "ext4", "/dev/vda"};
    assert_int_equal(pt_storage_classify(&tmp, "/mnt", false, false), PT_STORAGE_MEMORY);
    assert_int_equal(pt_storage_classify(&over, "/app", true, true), PT_STORAGE_CONTAINER);
    assert_int_equal(pt_storage_classify(&ws, "/workspaces/a/backups", true, true),
                     PT_STORAGE_WORKSPACE);
    assert_int_equal(pt_storage_classify(&vol, "/data/b", true, true), PT_STORAGE_VOLUME);
    assert_int_equal(pt_storage_classify(&vol, "/data/b", false, true), PT_STORAGE_VOLUME);
    assert_int_equal(pt_storage_classify(&root, "/srv/b", false, true), PT_STORAGE_CONTAINER);
    assert_int_equal(pt_storage_classify(&root, "/srv/b", false, false), PT_STORAGE_DISK);
    assert_string_equal(pt_storage_kind_name(PT_STORAGE_WORKSPACE), "workspace");
}

static void test_download_commands(void **state)
{
    (void)state;
    char *c = pt_doctor_download_command("/workspaces/app/backups/backup_20261126_110618.zip",
                                         false, "x", NULL, NULL);
    assert_string_equal(c, "gh codespace cp -c x -e "
                           "'remote:/workspaces/app/backups/backup_20261126_110618.zip' .");
    free(c);
    c = pt_doctor_download_command("/w/backup_1", true, "x", NULL, NULL);
    assert_string_equal(c, "gh codespace cp -r -c x -e 'remote:/w/backup_1' .");
    free(c);
    /* A name that needs quoting is not expanded by the remote shell. */
    c = pt_doctor_download_command("/w/it's here/b.zip", false, "x", NULL, NULL);
    assert_string_equal(c, "gh codespace cp -c x 'remote:/w/it'\\''s here/b.zip' .");
    free(c);
    c = pt_doctor_download_command("/srv/app/backups/b.zip", false, NULL,
                                   "203.0.113.9 50022 198.51.100.7 22", "deploy");
    assert_string_equal(c, "scp deploy@198.51.100.7:/srv/app/backups/b.zip .");
    free(c);
    c = pt_doctor_download_command("/srv/b", true, NULL, "::1 5 2001:db8::7 2222", "me");
    assert_string_equal(c, "scp -P 2222 -r 'me@[2001:db8::7]:/srv/b' .");
    free(c);
    assert_null(pt_doctor_download_command("/srv/b", false, NULL, NULL, "me"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_longest_mount_point),        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_last_mount_on_a_point_wins), cmocka_unit_test(test_classify),
        cmocka_unit_test(test_download_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
