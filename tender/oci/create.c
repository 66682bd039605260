/*
 * `create`: the container's process is the tender itself.  create forks
 * it (a new PID namespace first, if the spec asks), the child joins the
 * cgroup and the other namespaces, then runs wisp_run() up to the point
 * where the VM is fully prepared; there its before_guest hook tells the
 * parent "ready" over a pipe and blocks opening ROOT/ID/exec.fifo for
 * writing, which `start` opens for reading (runc's method).  Every error
 * wisp finds in the unikernel or its devices is reported by create.  The
 * parent records the state, writes --pid-file and exits; the child is
 * reparented to containerd's shim (a subreaper), which collects its exit
 * status: the guest's.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <time.h>
#include <unistd.h>

#include "core/signals.h"
#include "oci/oci.h"

struct child_ctx {
    int sync_fd; /* to the parent: "\0" when ready, else the error */
    char fifo[PATH_MAX];
};

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t r = write(fd, p, len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        p += r;
        len -= (size_t)r;
    }
}

/* wait_for_start: wisp_run's before_guest hook. */
static int wait_for_start(void *arg)
{
    struct child_ctx *c = arg;
    char one = 1;
    int fd;

    write_all(c->sync_fd, "", 1);
    close(c->sync_fd);
    c->sync_fd = -1;
    oci_err_to_fd(-1);
    do /* until `start` opens the FIFO, or an ending signal (signals.h) */
        fd = open(c->fifo, O_WRONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR && !signals_caught());
    if (fd < 0)
        return -1;
    write_all(fd, &one, 1);
    close(fd);
    return 0;
}

/* on_signal: SIGTERM and friends end the VM at once (the process is a PID
 * namespace's init, which ignores signals it has no handler for). */
static void on_signal(int sig)
{
    _exit(128 + sig);
}

static int enter_namespaces(const struct oci_spec *s)
{
    for (unsigned i = 0; i < s->nns; i++) {
        const struct oci_ns *ns = &s->ns[i];

        if (ns->type == CLONE_NEWPID)
            continue; /* done by the parent, before fork */
        if (ns->path[0]) {
            int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

            if (fd < 0 || setns(fd, ns->type) < 0)
                return oci_err("namespace %s: cannot join: %s", ns->path, strerror(errno));
            close(fd);
        } else if (unshare(ns->type) < 0) {
            return oci_err("cannot create a namespace (%#x): %s", ns->type, strerror(errno));
        }
    }
    return 0;
}

static int setup_terminal(int slave)
{
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
        return oci_err("cannot make the pty the controlling terminal: %s", strerror(errno));
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
        return oci_err("cannot attach the pty: %s", strerror(errno));
    if (slave > 2)
        close(slave);
    return 0;
}

/* child: never returns. */
static void child(struct oci_spec *s, struct child_ctx *c, int slave)
{
    static struct wisp_config cfg;
    static struct wisp_result res;
    struct sigaction sa = {.sa_handler = on_signal};

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Errors before "ready" go to the parent, which reports them. */
    oci_err_to_fd(c->sync_fd);
    if (oci_cgroup_enter(s, 0) || enter_namespaces(s) || oci_net_auto(s) ||
        (slave >= 0 && setup_terminal(slave)))
        goto fail;
    if (s->sandbox) {
        /* A pod's sandbox ("pause") container only holds the namespaces. */
        if (wait_for_start(c))
            goto fail;
        for (;;)
            pause();
    }
    wisp_config_init(&cfg);
    cfg.t_main = wisp_now_ns();
    cfg.kernel = s->kernel;
    if (s->mem_mib)
        cfg.mem_size = s->mem_mib << 20;
    snprintf(cfg.cmdline, sizeof cfg.cmdline, "%s", s->cmdline);
    for (unsigned i = 0; i < s->ndevice_args; i++)
        cfg.device_args[i].arg = s->device_args[i];
    cfg.ndevice_args = s->ndevice_args;
    cfg.before_guest = wait_for_start;
    cfg.before_guest_arg = c;
    wisp_run(&cfg, &res);
    if (res.end == WISP_END_ERROR) {
        if (c->sync_fd >= 0) {
            write_all(c->sync_fd, res.err, strlen(res.err));
            _exit(res.status);
        }
        fprintf(stderr, "wisp: %s\n", res.err);
    }
    _exit(res.status);
fail:
    _exit(WISP_EXIT_TENDER_ERROR);
}

static int write_pid_file(const char *file, pid_t pid)
{
    char tmp[PATH_MAX + 8];
    FILE *f;

    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    f = fopen(tmp, "we");
    if (!f || fprintf(f, "%d", pid) < 0 || fclose(f) != 0 || rename(tmp, file) < 0)
        return oci_err("--pid-file %s: cannot write: %s", file, strerror(errno));
    return 0;
}

static void now_rfc3339(char *out, size_t len)
{
    struct timespec ts;
    char sec[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", gmtime(&ts.tv_sec));
    snprintf(out, len, "%s.%09ldZ", sec, ts.tv_nsec);
}

static int mkdirs(const char *root, const char *id)
{
    char dir[PATH_MAX];

    snprintf(dir, sizeof dir, "%s", root);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0711);
            *p = '/';
        }
    if (mkdir(dir, 0711) < 0 && errno != EEXIST)
        return oci_err("--root %s: cannot create: %s", root, strerror(errno));
    oci_dir(dir, sizeof dir, root, id, NULL);
    if (mkdir(dir, 0700) < 0)
        return errno == EEXIST ? oci_err("container %s already exists", id)
                               : oci_err("%s: cannot create: %s", dir, strerror(errno));
    return 0;
}

static int enter_pid_namespace(const struct oci_spec *s)
{
    for (unsigned i = 0; i < s->nns; i++) {
        if (s->ns[i].type != CLONE_NEWPID)
            continue;
        if (s->ns[i].path[0]) {
            int fd = open(s->ns[i].path, O_RDONLY | O_CLOEXEC);

            if (fd < 0 || setns(fd, CLONE_NEWPID) < 0)
                return oci_err("namespace %s: cannot join: %s", s->ns[i].path,
                               strerror(errno));
            close(fd);
        } else if (unshare(CLONE_NEWPID) < 0) {
            return oci_err("cannot create a PID namespace: %s", strerror(errno));
        }
    }
    return 0;
}

/* await_ready: the child's verdict; 0 when it is blocked before the guest. */
static int await_ready(pid_t pid, int fd)
{
    char msg[WISP_ERR_MAX + 1];
    size_t used = 0;
    ssize_t r;
    int status;

    while (used < sizeof msg - 1 && (r = read(fd, msg + used, sizeof msg - 1 - used)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        used += (size_t)r;
        if (msg[0] == '\0')
            return 0;
    }
    msg[used] = '\0';
    waitpid(pid, &status, 0);
    if (used)
        return oci_err("%s", msg);
    return oci_err("the tender ended before the guest was ready (%s %d)",
                   WIFEXITED(status) ? "exit status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int oci_create(const struct oci_create_opts *o)
{
    static struct oci_spec spec;
    struct oci_state st = {0};
    struct child_ctx ctx;
    int sync[2], slave = -1;
    pid_t pid;

    if (!oci_id_valid(o->id))
        return oci_err("invalid container id '%s' (letters, digits, _+-. only)", o->id);
    if (mkdirs(o->root, o->id))
        return -1;
    oci_dir(ctx.fifo, sizeof ctx.fifo, o->root, o->id, "exec.fifo");
    if (oci_spec_load(o->bundle, &spec))
        goto fail;
    if (spec.terminal && !o->console_socket) {
        oci_err("process.terminal is true but no --console-socket was given");
        goto fail;
    }
    if (mkfifo(ctx.fifo, 0600) < 0) {
        oci_err("%s: cannot create: %s", ctx.fifo, strerror(errno));
        goto fail;
    }
    if (spec.terminal && (slave = oci_console_open(o->console_socket)) < 0)
        goto fail;
    if (pipe2(sync, O_CLOEXEC) < 0) {
        oci_err("pipe: %s", strerror(errno));
        goto fail;
    }
    if (enter_pid_namespace(&spec))
        goto fail;
    pid = fork();
    if (pid < 0) {
        oci_err("fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        close(sync[0]);
        ctx.sync_fd = sync[1];
        child(&spec, &ctx, slave);
    }
    close(sync[1]);
    if (slave >= 0)
        close(slave);
    if (await_ready(pid, sync[0]))
        goto fail;
    snprintf(st.id, sizeof st.id, "%s", o->id);
    st.pid = pid;
    st.pid_start = oci_proc_start(pid);
    snprintf(st.bundle, sizeof st.bundle, "%s", spec.bundle);
    snprintf(st.rootfs, sizeof st.rootfs, "%s", spec.rootfs);
    snprintf(st.cgroups_path, sizeof st.cgroups_path, "%s", spec.cgroups_path);
    for (unsigned i = 0; i < spec.nns; i++)
        if (spec.ns[i].type == CLONE_NEWNET)
            snprintf(st.netns_path, sizeof st.netns_path, "%s", spec.ns[i].path);
    now_rfc3339(st.created, sizeof st.created);
    if (oci_state_save(o->root, &st) || (o->pid_file && write_pid_file(o->pid_file, pid))) {
        kill(pid, SIGKILL);
        goto fail;
    }
    return 0;
fail:
    oci_cgroup_remove(spec.cgroups_path);
    oci_remove_dir(o->root, o->id);
    return -1;
}
