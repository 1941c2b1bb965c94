// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Runs a harness without libFuzzer: each argument is a file, or a folder
 * whose files are all replayed in name order, as the fuzz-regression tests
 * do with tests/fuzz/corpus/<harness>/. Exits 1 when any input failed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *data = malloc(cap);
    size_t n;
    if (!data)
        abort();
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap && !(data = realloc(data, cap *= 2)))
            abort();
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(data);
        return 1;
    }
    fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
    fflush(stderr);
    /* Each input in a process of its own, so that one crash hides none of the others. */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        free(data);
        return 1;
    }
    if (pid == 0) {
        /* An exact copy, so that a read past the input's end is caught. */
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
            abort();
        if (len)
            memcpy(copy, data, len);
        free(data);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
        exit(0); /* LeakSanitizer checks at exit */
    }
    free(data);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("waitpid");
            return 1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "FAILED %s: killed by signal %d\n", path, WTERMSIG(status));
    else
        fprintf(stderr, "FAILED %s: exit %d\n", path, WEXITSTATUS(status));
    return 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (!(names = realloc(names, (n + 1) * sizeof(*names))) ||
            !(names[n++] = strdup(de->d_name)))
            abort();
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), compare_names);
    int failed = 0, replayed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t size = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(size);
        if (!path)
            abort();
        snprintf(path, size, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            failed |= replay_file(path);
            replayed++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    if (replayed == 0) {
        fprintf(stderr, "%s: no input to replay\n", dir);
        return 1;
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            failed |= replay_folder(argv[i]);
        else
            failed |= replay_file(argv[i]);
    }
    return failed;
}
