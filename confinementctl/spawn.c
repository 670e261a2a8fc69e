/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs an external program (nix-store, guix) without a shell and collects
 * its output. */

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "alloc-util.h"
#include "log.h"
#include "macro.h"
#include "spawn.h"

typedef struct Buffer {
        char *data;
        size_t size, allocated, max;
        bool overflow;
} Buffer;

/* Reads what fd has now; 0 at EOF, 1 when there may be more. */
static int buffer_read(Buffer *b, int fd) {
        char chunk[65536];
        ssize_t k;

        k = read(fd, chunk, sizeof chunk);
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 1 : negative_errno();
        if (k == 0)
                return 0;
        if (b->size + (size_t) k > b->max) {
                b->overflow = true;
                return 1; /* drained and dropped, so that the child does not block */
        }
        if (GREEDY_REALLOC(b->data, b->allocated, b->size + (size_t) k + 1, 4096) < 0)
                return -ENOMEM;
        memcpy(b->data + b->size, chunk, (size_t) k);
        b->size += (size_t) k;
        b->data[b->size] = '\0';
        return 1;
}

static void child(char *const argv[], int out, int err) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
            dup2(err, STDERR_FILENO) < 0)
                _exit(127);
        /* The parent may ignore SIGPIPE; the child gets the default back. */
        (void) signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

static int collect(int out, int err, Buffer *bo, Buffer *be) {
        struct pollfd fds[2] = { { .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN } };
        Buffer *bufs[2] = { bo, be };
        int r;

        while (fds[0].fd >= 0 || fds[1].fd >= 0) {
                if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                for (size_t i = 0; i < 2; i++) {
                        if (fds[i].fd < 0 || fds[i].revents == 0)
                                continue;
                        r = buffer_read(bufs[i], fds[i].fd);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                fds[i].fd = -1; /* poll() skips negative fds */
                }
        }
        return 0;
}

int spawn_capture(char *const argv[], size_t max_output, SpawnResult *ret) {
        _cleanup_close_ int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
        Buffer bo = { .max = max_output }, be = { .max = (size_t) 64 * 1024 };
        int pipe_out[2], pipe_err[2], status, r;
        pid_t pid;

        assert(argv && argv[0]);
        assert(ret);

        if (pipe2(pipe_out, O_CLOEXEC) < 0)
                return negative_errno();
        out_r = pipe_out[0], out_w = pipe_out[1];
        if (pipe2(pipe_err, O_CLOEXEC) < 0)
                return negative_errno();
        err_r = pipe_err[0], err_w = pipe_err[1];

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                child(argv, out_w, err_w);
        closep(&out_w), out_w = -1;
        closep(&err_w), err_w = -1;

        r = collect(out_r, err_r, &bo, &be);
        if (r < 0)
                (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        r = r < 0 ? r : negative_errno();
                        break;
                }
        if (r >= 0 && bo.overflow)
                r = -EFBIG;
        if (r < 0) {
                free(bo.data);
                free(be.data);
                return r;
        }
        *ret = (SpawnResult) {
                .out = bo.data ?: strdup(""),
                .out_size = bo.size,
                .err = be.data ?: strdup(""),
                .status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
        };
        if (!ret->out || !ret->err) {
                spawn_result_done(ret);
                return -ENOMEM;
        }
        return 0;
}

void spawn_result_done(SpawnResult *r) {
        assert(r);

        free(r->out);
        free(r->err);
        *r = (SpawnResult) {};
}

const char *spawn_first_error_line(SpawnResult *r, char *buf, size_t size) {
        const char *s, *end;
        size_t n;

        assert(r);
        assert(buf);

        /* Nix prefixes its errors with "error: ", and may warn before them. */
        s = strstr(r->err, "error:");
        if (!s || (s != r->err && s[-1] != '\n'))
                s = r->err;
        while (*s == '\n' || *s == ' ')
                s++;
        end = strchrnul(s, '\n');
        n = (size_t) (end - s);
        if (n >= size)
                n = size - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        /* No control characters from another program into our messages. */
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) buf[i] < 0x20 || buf[i] == 0x7f)
                        buf[i] = '?';
        return n > 0 ? buf : "(no message)";
}
