/*
 * wisp-oci: an OCI runtime with runc's command line, for containerd's runc
 * shim (io.containerd.runc.v2: `ctr run --runc-binary=...` or the shim's
 * BinaryName option).  The container's process is a wisp tender booting
 * the unikernel named by process.args[0] (tender/oci/create.c).
 *
 *   wisp-oci [--root DIR] [--log FILE] [--log-format text|json]
 *            [--systemd-cgroup] [--debug] COMMAND [OPTIONS] ID
 *
 * Exit status: 0 on success, 1 on any error (its message on stderr and in
 * the --log file), as runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli.h"
#include "oci/oci.h"

#define DEFAULT_ROOT "/run/wisp-oci"

static const char usage[] =
    "Usage: wisp-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] CONTAINER-ID\n"
    "An OCI runtime (runc's command line) that boots wisp unikernels.\n"
    "\n"
    "Commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] ID\n"
    "                 prepare the VM of the bundle's config.json, blocked before\n"
    "                 the guest's first instruction\n"
    "  start ID       let the guest run\n"
    "  state ID       print the container's state (runc's JSON)\n"
    "  kill [--all] ID [SIGNAL]   signal the tender (default SIGTERM)\n"
    "  delete [--force] ID        remove a stopped container (--force: kill it)\n"
    "  features       print what the runtime supports (JSON)\n"
    "  pack -o IMAGE.tar --name=NAME:TAG [--file=SRC:DEST...] KERNEL [-- ARGS...]\n"
    "                 write an OCI image archive of a unikernel (ctr image import)\n"
    "\n"
    "Global options: --root DIR (state, default " DEFAULT_ROOT "), --log FILE,\n"
    "  --log-format text|json, --systemd-cgroup, --debug, --help, --version\n"
    "create also accepts runc's --no-pivot, --no-new-keyring, --preserve-fds N.\n"
    "\n"
    "config.json: process.args[0] is the unikernel's path inside the rootfs, the\n"
    "other args its command line; annotations org.wisp.mem (MiB),\n"
    "org.wisp.block.NAME (a path in the rootfs or a mount destination),\n"
    "org.wisp.net.NAME (a tap in the container's network namespace).\n"
    "Exit status: 0 on success, 1 on error.\n";

/* An option table entry: NAME (long, with --), SHORT (or 0), and whether it
 * takes a value. */
struct opt {
    const char *name;
    char shrt;
    int has_value;
    const char **value; /* where the value goes (NULL: ignored) */
    int *flag;          /* set to 1 when present (NULL: ignored) */
};

/* parse_opts: options of a command, up to its first operand; returns the
 * index of the first operand, -1 on error. */
static int parse_opts(const char *cmd, int argc, char **argv, int i, const struct opt *opts)
{
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i], *eq, *val = NULL;
        const struct opt *o;
        size_t n;

        if (strcmp(a, "--") == 0)
            return i + 1;
        a += a[1] == '-' ? 2 : 1; /* runc (urfave/cli) takes -name and --name */
        eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        for (o = opts; o->name; o++)
            if ((strlen(o->name) == n && strncmp(o->name, a, n) == 0) ||
                (n == 1 && o->shrt == a[0]))
                break;
        if (!o->name)
            return oci_err("%s: unknown option '%s' (see wisp-oci --help)", cmd, argv[i]);
        if (o->has_value) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return oci_err("%s: option '%s' needs a value", cmd, argv[i]);
            if (o->value)
                *o->value = val;
        } else if (eq) {
            return oci_err("%s: option '--%.*s' takes no value", cmd, (int)n, a);
        }
        if (o->flag)
            *o->flag = 1;
    }
    return i;
}

/* one_id: exactly one operand, the container's id. */
static const char *one_id(const char *cmd, int argc, char **argv, int i, int max)
{
    if (i >= argc) {
        oci_err("%s: missing the container id", cmd);
        return NULL;
    }
    if (argc - i > max) {
        oci_err("%s: unexpected argument '%s'", cmd, argv[i + max]);
        return NULL;
    }
    return argv[i];
}

static int cmd_create(const char *root, int argc, char **argv, int i)
{
    struct oci_create_opts o = {.root = root, .bundle = "."};
    const struct opt opts[] = {
        {"bundle", 'b', 1, &o.bundle, NULL},
        {"pid-file", 0, 1, &o.pid_file, NULL},
        {"console-socket", 0, 1, &o.console_socket, NULL},
        {"preserve-fds", 0, 1, NULL, NULL},
        {"no-pivot", 0, 0, NULL, NULL},
        {"no-new-keyring", 0, 0, NULL, NULL},
        {NULL, 0, 0, NULL, NULL},
    };

    if ((i = parse_opts("create", argc, argv, i, opts)) < 0 ||
        !(o.id = one_id("create", argc, argv, i, 1)))
        return -1;
    return oci_create(&o);
}

static int cmd_start(const char *root, int argc, char **argv, int i)
{
    const struct opt opts[] = {{NULL, 0, 0, NULL, NULL}};
    struct oci_state st;
    char fifo[PATH_MAX], one;
    struct pollfd p;
    const char *id;
    enum oci_status s;
    int fd;

    if ((i = parse_opts("start", argc, argv, i, opts)) < 0 ||
        !(id = one_id("start", argc, argv, i, 1)) || oci_state_load(root, id, &st))
        return -1;
    s = oci_status(root, &st);
    if (s != OCI_CREATED)
        return oci_err("cannot start container %s: it is %s, not created", id,
                       oci_status_name(s));
    oci_dir(fifo, sizeof fifo, root, id, "exec.fifo");
    fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return oci_err("%s: cannot open: %s", fifo, strerror(errno));
    p = (struct pollfd){.fd = fd, .events = POLLIN};
    /* The tender is blocked opening the fifo: it writes one byte at once. */
    if (poll(&p, 1, 10000) != 1 || read(fd, &one, 1) != 1) {
        close(fd);
        return oci_err("cannot start container %s: the tender did not answer", id);
    }
    close(fd);
    unlink(fifo);
    return 0;
}

static int cmd_state(const char *root, int argc, char **argv, int i)
{
    const struct opt opts[] = {{NULL, 0, 0, NULL, NULL}};
    struct oci_state st;
    enum oci_status s;
    const char *id;
    json_t *j;
    char *out;

    if ((i = parse_opts("state", argc, argv, i, opts)) < 0 ||
        !(id = one_id("state", argc, argv, i, 1)) || oci_state_load(root, id, &st))
        return -1;
    s = oci_status(root, &st);
    j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "ociVersion", OCI_SPEC_VERSION,
                  "id", id, "pid", (json_int_t)(s == OCI_STOPPED ? 0 : st.pid), "status",
                  oci_status_name(s), "bundle", st.bundle, "rootfs", st.rootfs, "created",
                  st.created, "owner", "");
    out = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!out)
        return oci_err("out of memory");
    printf("%s\n", out);
    free(out);
    return 0;
}

static int parse_signal(const char *s)
{
    static const struct { const char *name; int sig; } sigs[] = {
        {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},   {"HUP", SIGHUP},
        {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"STOP", SIGSTOP},
        {"CONT", SIGCONT}, {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"WINCH", SIGWINCH},
    };
    char *end;
    long n = strtol(s, &end, 10);

    if (*s >= '0' && *s <= '9' && *end == '\0' && n > 0 && n < NSIG)
        return (int)n;
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        if (strcmp(s, sigs[k].name) == 0)
            return sigs[k].sig;
    return -1;
}

static int cmd_kill(const char *root, int argc, char **argv, int i)
{
    int all = 0, sig = SIGTERM;
    const struct opt opts[] = {{"all", 'a', 0, NULL, &all}, {NULL, 0, 0, NULL, NULL}};
    struct oci_state st;
    const char *id;

    if ((i = parse_opts("kill", argc, argv, i, opts)) < 0 ||
        !(id = one_id("kill", argc, argv, i, 2)) || oci_state_load(root, id, &st))
        return -1;
    if (i + 1 < argc && (sig = parse_signal(argv[i + 1])) < 0)
        return oci_err("kill: '%s' is not a signal (a number or a name such as SIGTERM)",
                       argv[i + 1]);
    if (oci_status(root, &st) == OCI_STOPPED)
        return oci_err("container not running");
    if (all)
        oci_cgroup_kill(st.cgroups_path, sig);
    if (kill(st.pid, sig) < 0 && !all)
        return oci_err("kill %d: %s", st.pid, strerror(errno));
    return 0;
}

static int cmd_delete(const char *root, int argc, char **argv, int i)
{
    int force = 0;
    const struct opt opts[] = {{"force", 'f', 0, NULL, &force}, {NULL, 0, 0, NULL, NULL}};
    struct oci_state st;
    enum oci_status s;
    const char *id;

    if ((i = parse_opts("delete", argc, argv, i, opts)) < 0 ||
        !(id = one_id("delete", argc, argv, i, 1)))
        return -1;
    if (force && oci_id_valid(id)) { /* runc: --force on a missing container is fine */
        char file[PATH_MAX];

        oci_dir(file, sizeof file, root, id, "state.json");
        if (access(file, F_OK) < 0) {
            oci_remove_dir(root, id);
            return 0;
        }
    }
    if (oci_state_load(root, id, &st))
        return -1;
    s = oci_status(root, &st);
    if (s == OCI_RUNNING && !force)
        return oci_err("cannot delete container %s that is not stopped: running (use --force)",
                       id);
    if (s != OCI_STOPPED) {
        oci_cgroup_kill(st.cgroups_path, SIGKILL);
        kill(st.pid, SIGKILL);
        for (int n = 0; n < 200 && oci_proc_start(st.pid) == st.pid_start; n++)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    for (int n = 0; n < 50; n++) { /* the cgroup goes once its processes have */
        oci_cgroup_remove(st.cgroups_path);
        if (!st.cgroups_path[0] || errno != EBUSY)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    oci_net_cleanup(st.netns_path);
    oci_remove_dir(root, id);
    return 0;
}

/* cmd_pack: `wisp-oci pack ...` runs wisp-oci-pack, installed beside
 * wisp-oci (build/bin/, from tools/wisp-oci-pack). */
static int cmd_pack(int argc, char **argv, int i)
{
    char self[PATH_MAX], tool[PATH_MAX + 32], *slash;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (n < 0)
        return oci_err("pack: cannot find wisp-oci's own path: %s", strerror(errno));
    self[n] = '\0';
    slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(tool, sizeof tool, "%s/wisp-oci-pack", self);
    argv[i - 1] = tool;
    execv(tool, argv + i - 1);
    (void)argc;
    return oci_err("pack: %s: cannot run: %s", tool, strerror(errno));
}

static int cmd_features(void)
{
    printf("{\n"
           "  \"ociVersionMin\": \"1.0.0\",\n"
           "  \"ociVersionMax\": \"%s\",\n"
           "  \"hooks\": [],\n"
           "  \"mountOptions\": [],\n"
           "  \"linux\": {\n"
           "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"uts\"],\n"
           "    \"capabilities\": [],\n"
           "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, "
           "\"systemdUser\": false}\n"
           "  },\n"
           "  \"annotations\": {\n"
           "    \"org.wisp.runtime\": \"wisp-oci %s\"\n"
           "  }\n"
           "}\n",
           OCI_SPEC_VERSION, WISP_VERSION);
    return 0;
}

int main(int argc, char *argv[])
{
    const char *root = DEFAULT_ROOT, *log = NULL, *log_format = "text";
    int help = 0, version = 0, i;
    const struct opt global[] = {
        {"root", 0, 1, &root, NULL},
        {"log", 0, 1, &log, NULL},
        {"log-format", 0, 1, &log_format, NULL},
        {"systemd-cgroup", 0, 0, NULL, NULL},
        {"debug", 0, 0, NULL, NULL},
        {"help", 'h', 0, NULL, &help},
        {"version", 'v', 0, NULL, &version},
        {NULL, 0, 0, NULL, NULL},
    };
    const char *cmd;
    int r;

    if ((i = parse_opts("wisp-oci", argc, argv, 1, global)) < 0)
        return 1;
    if (strcmp(log_format, "text") && strcmp(log_format, "json")) {
        oci_err("--log-format: '%s' is not text or json", log_format);
        return 1;
    }
    if (log)
        oci_log_open(log, strcmp(log_format, "json") == 0);
    if (help) {
        fputs(usage, stdout);
        return 0;
    }
    if (version) {
        printf("wisp-oci version %s\ncommit: wisp %s, ABI version %d\nspec: %s\n",
               WISP_VERSION, WISP_VERSION, WISP_ABI_VERSION, OCI_SPEC_VERSION);
        return 0;
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return 1;
    }
    cmd = argv[i++];
    if (strcmp(cmd, "create") == 0)
        r = cmd_create(root, argc, argv, i);
    else if (strcmp(cmd, "start") == 0)
        r = cmd_start(root, argc, argv, i);
    else if (strcmp(cmd, "state") == 0)
        r = cmd_state(root, argc, argv, i);
    else if (strcmp(cmd, "kill") == 0)
        r = cmd_kill(root, argc, argv, i);
    else if (strcmp(cmd, "delete") == 0)
        r = cmd_delete(root, argc, argv, i);
    else if (strcmp(cmd, "pack") == 0)
        r = cmd_pack(argc, argv, i);
    else if (strcmp(cmd, "features") == 0)
        r = i < argc ? oci_err("features: unexpected argument '%s'", argv[i]) : cmd_features();
    else
        r = oci_err("unknown command '%s' (create, start, state, kill, delete, features; "
                    "see wisp-oci --help)", cmd);
    return r ? 1 : 0;
}
