// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "poshtiban/i18n.h"

#include "base/fsutil.h"

extern char **environ;

struct sink {
    char *buf;
    size_t len, cap;
};

static bool drain(int fd, struct sink *s)
{
    if (s->cap - s->len < 4096) {
        s->cap = s->cap * 2 + 4096;
        s->buf = pt_xrealloc(s->buf, s->cap);
    }
    ssize_t n = read(fd, s->buf + s->len, s->cap - s->len - 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    s->len += (size_t)n;
    return true;
}

static char *finish_sink(struct sink *s, size_t *len)
{
    if (!s->buf)
        s->buf = pt_xcalloc(1, 1);
    s->buf[s->len] = '\0';
    if (len)
        *len = s->len;
    return s->buf;
}

/* Closes what was opened of three pipes (or socket pairs) when making them failed. */
static void close_pairs(const int a[2], const int b[2], const int c[2])
{
    const int *pairs[] = {a, b, c};
    for (int p = 0; p < 3; p++)
        for (int i = 0; i < 2; i++)
            if (pairs[p][i] >= 0)
                close(pairs[p][i]);
}

enum pt_status pt_subprocess_run(const char *const argv[], const char *input, size_t input_len,
                                 struct pt_subprocess_result *res, struct pt_error *err)
{
    memset(res, 0, sizeof(*res));
    int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
    /* stdin is a socket so that a program that stops reading cannot SIGPIPE us (MSG_NOSIGNAL). */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
        pipe2(errp, O_CLOEXEC) != 0) {
        int saved = errno;
        close_pairs(in, out, errp);
        return pt_error_set(err, PT_EFAIL, _("cannot run %s: %s"), argv[0], strerror(saved));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[1]);
    close(out[1]);
    close(errp[1]);
    if (rc != 0) {
        close(in[0]);
        close(out[0]);
        close(errp[0]);
        if (rc == ENOENT)
            return pt_error_set(err, PT_ENOTFOUND, _("%s is not installed (not found in $PATH)"),
                                argv[0]);
        return pt_error_set(err, PT_EFAIL, _("cannot run %s: %s"), argv[0], strerror(rc));
    }

    struct sink so = {0}, se = {0};
    size_t written = 0;
    if (!input || input_len == 0) {
        close(in[0]);
        in[0] = -1;
    } else {
        fcntl(in[0], F_SETFL, O_NONBLOCK);
    }
    bool out_open = true, err_open = true;
    while (out_open || err_open || in[0] >= 0) {
        struct pollfd fds[3];
        nfds_t n = 0;
        int i_out = -1, i_err = -1, i_in = -1;
        if (out_open) {
            fds[n] = (struct pollfd){out[0], POLLIN, 0};
            i_out = (int)n++;
        }
        if (err_open) {
            fds[n] = (struct pollfd){errp[0], POLLIN, 0};
            i_err = (int)n++;
        }
        if (in[0] >= 0) {
            fds[n] = (struct pollfd){in[0], POLLOUT, 0};
            i_in = (int)n++;
        }
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (i_out >= 0 && fds[i_out].revents && !drain(out[0], &so))
            out_open = false;
        if (i_err >= 0 && fds[i_err].revents && !drain(errp[0], &se))
            err_open = false;
        if (i_in >= 0 && fds[i_in].revents) {
            ssize_t w = send(in[0], input + written, input_len - written, MSG_NOSIGNAL);
            if (w > 0)
                written += (size_t)w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input_len) {
                close(in[0]);
                in[0] = -1;
            }
        }
    }
    if (in[0] >= 0)
        close(in[0]);
    close(out[0]);
    close(errp[0]);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    res->exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    res->out = finish_sink(&so, &res->out_len);
    res->errout = finish_sink(&se, NULL);
    return PT_OK;
}

void pt_subprocess_free(struct pt_subprocess_result *res)
{
    free(res->out);
    free(res->errout);
    memset(res, 0, sizeof(*res));
}

/* Hands complete lines of s to fn and keeps what follows the last newline. */
static void feed_lines(struct sink *s, void (*fn)(const char *line, void *user), void *user)
{
    size_t start = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->buf[i] != '\n')
            continue;
        s->buf[i] = '\0';
        if (fn)
            fn(s->buf + start, user);
        start = i + 1;
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
}

/* Keeps only the last max bytes of s. */
static void keep_tail(struct sink *s, size_t max)
{
    if (s->len <= max)
        return;
    memmove(s->buf, s->buf + s->len - max, max);
    s->len = max;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(const struct pt_subprocess_stream *st, pid_t parent, const int out[2],
                  const int errp[2], int report)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int e = 0;
    if (st->own_group && setpgid(0, 0) != 0)
        e = errno;
    if (!e && (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
               dup2(st->tail_max ? out[1] : errp[1], STDERR_FILENO) < 0 ||
               (st->cwd && chdir(st->cwd) != 0)))
        e = errno;
    /*
     * The child keeps the read ends too: when this process dies, its writes
     * fill the pipes instead of failing with SIGPIPE, which would kill it
     * before it has handled the SIGINT below and removed what it locked.
     */
    if (!e && (fcntl(out[0], F_SETFD, 0) != 0 || fcntl(errp[0], F_SETFD, 0) != 0))
        e = errno;
    /*
     * Killed, even by SIGKILL, this process leaves no child running on: it
     * is told to stop. SIGINT, as Ctrl-C: restic removes its lock from the
     * repository (SIGTERM would leave it there), and gives up doing so when
     * the repository does not answer. A parent that died before prctl is
     * seen by getppid.
     */
    if (!e && (prctl(PR_SET_PDEATHSIG, SIGINT) != 0 || getppid() != parent))
        e = ECHILD;
    if (!e) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execvpe(st->argv[0], (char *const *)st->argv, st->envp ? st->envp : environ);
        e = errno;
    }
    while (write(report, &e, sizeof(e)) < 0 && errno == EINTR)
        ;
    _exit(127);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bytes pid has read and written (rchar + wchar), or -1 when /proc does not say. */
static int64_t io_bytes(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char key[32];
    long long value, sum = 0;
    int seen = 0;
    while (fscanf(f, "%31s %lld", key, &value) == 2)
        if (strcmp(key, "rchar:") == 0 || strcmp(key, "wchar:") == 0) {
            sum += value;
            seen++;
        }
    fclose(f);
    return seen == 2 ? (int64_t)sum : -1;
}

/*
 * The stall watch: the program's own I/O, without what it wrote to our
 * pipes (restic prints status lines at a steady pace even when stuck).
 * That is read after /proc, so a line written in between can only make
 * the program look slower, never moving: only a new high counts, and only
 * by STALL_MIN_BYTES, so that a request retried now and then against a
 * server that no longer answers is no progress.
 */
#define STALL_MIN_BYTES 16384
struct watch {
    int64_t best, moved_at, stop_at, started_at;
    size_t told;  /* bytes read from its stdout and stderr */
    pid_t target; /* whom signals go to: the program, or its process group */
};

static size_t pending(int fd)
{
    int n = 0;
    return fd >= 0 && ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

static void watch_step(const struct pt_subprocess_stream *st, pid_t pid, int out_fd, int err_fd,
                       struct watch *w, struct pt_subprocess_result *res)
{
    int64_t now = monotonic_ms();
    if (!res->stalled && !res->cancelled && st->stall_ms > 0) {
        int64_t io = io_bytes(pid);
        int64_t own = io - (int64_t)(w->told + pending(out_fd) + pending(err_fd));
        if (io >= 0 && (w->best == INT64_MIN || own >= w->best + STALL_MIN_BYTES)) {
            w->best = own;
            w->moved_at = now;
        } else if (io >= 0 && now - w->moved_at >= st->stall_ms) {
            res->stalled = true;
            w->stop_at = now;
            kill(w->target, SIGINT);
        }
    }
    if (!res->timed_out && !res->stalled && !res->cancelled && st->timeout_ms > 0 &&
        now - w->started_at >= st->timeout_ms) {
        res->timed_out = true;
        w->stop_at = now;
        kill(w->target, SIGTERM);
    }
    if (w->stop_at && now - w->stop_at >= PT_SUBPROCESS_GRACE_MS) {
        kill(w->target, SIGKILL);
        w->stop_at = 0;
    }
}

enum pt_status pt_subprocess_run_stream(const struct pt_subprocess_stream *st,
                                        struct pt_subprocess_result *res, struct pt_error *err)
{
    memset(res, 0, sizeof(*res));
    int out[2] = {-1, -1}, errp[2] = {-1, -1}, report[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0 ||
        pipe2(report, O_CLOEXEC) != 0) {
        int saved = errno;
        close_pairs(out, errp, report);
        return pt_error_set(err, PT_EFAIL, _("cannot run %s: %s"), st->argv[0], strerror(saved));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        child(st, parent, out, errp, report[1]);
    int saved = errno;
    close(out[1]);
    close(errp[1]);
    close(report[1]);
    int exec_errno = 0;
    if (pid > 0) {
        ssize_t n;
        while ((n = read(report[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
            ;
        if (n != (ssize_t)sizeof(exec_errno))
            exec_errno = 0;
    }
    close(report[0]);
    if (pid < 0 || exec_errno) {
        close(out[0]);
        close(errp[0]);
        if (pid > 0)
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        int e = pid < 0 ? saved : exec_errno;
        if (e == ENOENT)
            return pt_error_set(err, PT_ENOTFOUND, _("%s is not installed (not found in $PATH)"),
                                st->argv[0]);
        return pt_error_set(err, PT_EFAIL, _("cannot run %s: %s"), st->argv[0], strerror(e));
    }

    struct sink so = {0}, se = {0};
    bool out_open = true, err_open = true, reaped = false;
    int wstatus = 0;
    int64_t reaped_at = 0;
    struct watch w = {.best = INT64_MIN,
                      .moved_at = monotonic_ms(),
                      .started_at = monotonic_ms(),
                      .target = st->own_group ? -pid : pid};
    while (out_open || err_open) {
        if (!res->cancelled && !res->stalled && !res->timed_out && st->cancel &&
            atomic_load(st->cancel)) {
            res->cancelled = true;
            w.stop_at = monotonic_ms();
            kill(w.target, SIGINT);
        }
        watch_step(st, pid, out_open ? out[0] : -1, err_open ? errp[0] : -1, &w, res);
        struct pollfd fds[2];
        nfds_t n = 0;
        int i_out = -1, i_err = -1;
        if (out_open) {
            fds[n] = (struct pollfd){out[0], POLLIN, 0};
            i_out = (int)n++;
        }
        if (err_open) {
            fds[n] = (struct pollfd){errp[0], POLLIN, 0};
            i_err = (int)n++;
        }
        /* A short timeout: cancel is a flag, not a file to poll. */
        int ready = poll(fds, n, reaped ? 0 : 100);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        /* What a group leader that ended left behind is not waited for, once its output is read. */
        if (reaped && (ready == 0 || monotonic_ms() - reaped_at > 1000))
            break;
        if (st->own_group && !reaped && waitpid(pid, &wstatus, WNOHANG) == pid) {
            reaped = true;
            reaped_at = monotonic_ms();
        }
        size_t before = so.len;
        if (i_out >= 0 && fds[i_out].revents) {
            out_open = drain(out[0], &so);
            w.told += so.len - before;
            if (st->tail_max)
                keep_tail(&so, st->tail_max);
            else
                feed_lines(&so, st->on_line, st->user);
        }
        before = se.len;
        if (i_err >= 0 && fds[i_err].revents && !drain(errp[0], &se))
            err_open = false;
        w.told += se.len - before;
    }
    if (so.len > 0 && !st->tail_max) {
        so.buf[so.len] = '\0';
        if (st->on_line)
            st->on_line(so.buf, st->user);
        so.len = 0;
    }
    close(out[0]);
    close(errp[0]);
    while (!reaped && waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (!res->cancelled && !res->stalled && !res->timed_out && st->cancel &&
        atomic_load(st->cancel))
        res->cancelled = true;
    res->exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (st->tail_max) {
        res->out = finish_sink(&so, &res->out_len);
    } else {
        free(so.buf);
        res->out = pt_xcalloc(1, 1);
    }
    res->errout = finish_sink(&se, NULL);
    return PT_OK;
}
