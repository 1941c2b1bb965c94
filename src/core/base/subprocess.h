/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_CORE_SUBPROCESS_H
#define POSHTIBAN_CORE_SUBPROCESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/status.h"

/* What a program said and how it ended. */
struct pt_subprocess_result {
    int exit_code; /* its exit status; 128+N when killed by signal N */
    char *out;     /* stdout, NUL-terminated (it may hold NULs itself) */
    size_t out_len;
    char *errout;   /* stderr, NUL-terminated */
    bool cancelled; /* pt_subprocess_run_stream: the caller asked it to stop */
    bool stalled;   /* pt_subprocess_run_stream: stopped after stall_ms without input or output */
    bool timed_out; /* pt_subprocess_run_stream: stopped after timeout_ms */
};

/*
 * Runs argv[0] (looked up in $PATH) with input on its stdin (NULL: empty),
 * collecting stdout and stderr, and waits for it. PT_ENOTFOUND when the
 * program is not installed, PT_EFAIL when it could not be run; a program
 * that runs and fails is PT_OK with its exit code. The caller frees res
 * with pt_subprocess_free().
 */
enum pt_status pt_subprocess_run(const char *const argv[], const char *input, size_t input_len,
                                 struct pt_subprocess_result *res, struct pt_error *err);

void pt_subprocess_free(struct pt_subprocess_result *res);

/*
 * A long-running program whose stdout is read line by line (restic's
 * --json messages), with an environment of its own and a way to stop it.
 */
struct pt_subprocess_stream {
    const char *const *argv; /* argv[0] is looked up in $PATH */
    char *const *envp;       /* the child's whole environment; NULL: ours */
    const char *cwd;         /* NULL: ours */
    /* Called with each line of stdout (without its newline); may be NULL. */
    void (*on_line)(const char *line, void *user);
    void *user;
    /*
     * When set (from any thread or a signal handler), the program gets
     * SIGINT once and is waited for: it ends cleanly, as after Ctrl-C (or
     * gets SIGKILL PT_SUBPROCESS_GRACE_MS later, when it does not).
     */
    atomic_bool *cancel;
    /*
     * When > 0: a program that reads and writes next to nothing (less than
     * 16 KiB of files, sockets, pipes to its own children; what it tells us
     * on stdout and stderr does not count) for this long is stuck: it gets SIGINT, and SIGKILL
     * PT_SUBPROCESS_GRACE_MS later if it is still there. Measured from
     * /proc/PID/io; where that cannot be read, the program is never
     * judged stuck.
     */
    long stall_ms;
    /*
     * When > 0: after this long the program is stopped whatever it does:
     * SIGTERM, and SIGKILL PT_SUBPROCESS_GRACE_MS later (res->timed_out).
     */
    long timeout_ms;
    /*
     * The program leads a process group of its own: cancel, stall and
     * timeout signal the whole group, and once the program itself has
     * ended, what it left running in the background is not waited for
     * (its output after that is lost).
     */
    bool own_group;
    /*
     * When > 0: stdout and stderr go together into res->out, of which only
     * the last tail_max bytes are kept (res->out_len); on_line is not
     * called and res->errout stays empty.
     */
    size_t tail_max;
};

/* How long a program told to stop (cancel, stall) has to end before it is killed. */
#define PT_SUBPROCESS_GRACE_MS 10000L

/*
 * Runs stream->argv and waits for it. The child gets SIGINT when this
 * process dies first (even by SIGKILL), so that it never runs on alone.
 * stdin is empty; stderr is collected into res->errout, stdout goes to
 * on_line and res->out stays empty. res->cancelled says whether cancel was
 * seen. PT_ENOTFOUND when the program is not installed, PT_EFAIL when it
 * could not be run; a program that runs and fails is PT_OK with its exit
 * code. The caller frees res with pt_subprocess_free().
 */
enum pt_status pt_subprocess_run_stream(const struct pt_subprocess_stream *stream,
                                        struct pt_subprocess_result *res, struct pt_error *err);

#endif
