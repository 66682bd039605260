/*
 * `wisp serve`: set-up (serve.h): options, the start-up probe, the
 * listening sockets; then the supervisor's loop (server.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"

/* keep_std_fds: fds 0-2 open (on /dev/null if closed), so that no pipe or
 * socket of the server takes one of their numbers (vmproc.c relies on it). */
static void keep_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0)
            open("/dev/null", O_RDWR);
}

/* raise_fd_limit: the soft limit on open files up to the hard one. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* print_log: each line of a VM's messages, as "wisp serve: KERNEL: LINE". */
static void print_log(const char *kernel, char *log)
{
    for (char *line = log, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "wisp: ", 6) == 0)
            line += 6;
        fprintf(stderr, "wisp serve: %s: %s\n", kernel, line);
    }
}

/*
 * probe: boot one pool VM and close its hand-off socket at once: the guest
 * runs to its first wait for input, finds no connection and the VM ends
 * with status 0 and no message.  Anything else (not a unikernel, a missing
 * device, a crash at start-up) refuses the server before it listens.
 */
static int probe(const struct serve_opts *o)
{
    struct vm_child c;
    uint64_t deadline = serve_now_ns() + SERVE_PROBE_TIMEOUT_S * 1000000000ull;
    struct timespec tick = {0, 1000000};
    char log[4096];
    size_t used = 0;
    int wstatus = 0, timed_out = 0;
    pid_t r;
    ssize_t n;

    if (vm_spawn(o, -1, &c) < 0) {
        fprintf(stderr, "wisp serve: cannot start a VM: %s\n", strerror(errno));
        return -1;
    }
    close(c.handoff_fd);
    close(c.ready_fd);
    while ((r = waitpid(c.pid, &wstatus, WNOHANG)) == 0) {
        if (serve_now_ns() > deadline && !timed_out) {
            kill(c.pid, SIGKILL);
            timed_out = 1;
        }
        nanosleep(&tick, NULL);
    }
    while (used < sizeof log - 1 &&
           (n = read(c.log_fd, log + used, sizeof log - 1 - used)) > 0)
        used += (size_t)n;
    log[used] = '\0';
    close(c.log_fd);
    if (r > 0 && !timed_out && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 && !used)
        return 0;
    if (timed_out)
        fprintf(stderr, "wisp serve: %s: refused: its guest did not reach its first wait for "
                "input within %d s\n", o->cfg.kernel, SERVE_PROBE_TIMEOUT_S);
    else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WISP_EXIT_GUEST_FAULT)
        fprintf(stderr, "wisp serve: %s: refused: its guest failed before its first wait "
                "for input:\n", o->cfg.kernel);
    else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != WISP_EXIT_TENDER_ERROR)
        fprintf(stderr, "wisp serve: %s: refused: its VM ended with status %d before its "
                "first wait for input\n", o->cfg.kernel, WEXITSTATUS(wstatus));
    print_log(o->cfg.kernel, log);
    return -1;
}

static void unlink_unix(const struct serve_opts *o)
{
    for (unsigned i = 0; i < o->nlisten; i++)
        if (strncmp(o->listen[i], "unix:", 5) == 0)
            unlink(o->listen[i] + 5);
}

int serve_main(int argc, char *argv[])
{
    static struct serve_opts o;
    int listeners[SERVE_MAX_LISTEN];
    unsigned n = 0;
    int r;

    keep_std_fds();
    raise_fd_limit();
    signal(SIGPIPE, SIG_IGN);
    r = serve_parse(argc, argv, &o);
    if (r)
        return r > 0 ? 0 : WISP_EXIT_TENDER_ERROR;
    if (probe(&o) < 0)
        return WISP_EXIT_TENDER_ERROR;
    for (n = 0; n < o.nlisten; n++) {
        listeners[n] = serve_listen(o.listen[n]);
        if (listeners[n] < 0) {
            while (n-- > 0)
                close(listeners[n]);
            unlink_unix(&o);
            return WISP_EXIT_TENDER_ERROR;
        }
    }
    if (o.timeout_s)
        fprintf(stderr, "wisp serve: %s: max %u VMs, pool %u, timeout %u s\n", o.cfg.kernel,
                o.max_vms, o.pool, o.timeout_s);
    else
        fprintf(stderr, "wisp serve: %s: max %u VMs, pool %u, timeout none\n", o.cfg.kernel,
                o.max_vms, o.pool);
    r = server_run(&o, listeners, n);
    unlink_unix(&o);
    return r;
}
