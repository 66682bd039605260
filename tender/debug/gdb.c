/*
 * The GDB server as a tender module (debug/gdb.h): its options, the
 * listening socket (created in setup, before the seccomp filter), the
 * SIGIO that stops the vCPU when the debugger sends something while the
 * guest runs, the syscalls it adds to the filter, and its teardown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "core/module.h"
#include "core/signals.h"
#include "core/vm.h"
#include "debug/gdb.h"
#include "debug/gdb_priv.h"
#include "kvm/kvm_backend.h"
#include "modes/hvt/hvt.h"
#include "x86_64/host_cpuid.h"
#include "x86_64/x86_64.h"

#define GDB_DEFAULT_PORT 1234 /* Solo5's */

/* The vCPU's kvm_run, for the SIGIO handler (a signal handler reaches
 * no struct vm). */
static struct kvm_run *volatile kick_run;

/* on_sigio: the debugger sent something (Ctrl-C) while the guest runs:
 * make KVM_RUN return EINTR (now, or at once if about to enter). */
static void on_sigio(int sig)
{
    struct kvm_run *run = kick_run;

    (void)sig;
    if (run)
        run->immediate_exit = 1;
}

static struct gdb *new_state(struct vm *vm)
{
    struct gdb *g = vm->gdb;

    if (g)
        return g;
    g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->vm = vm;
    g->listen_fd = g->fd = g->dir_fd = -1;
    g->port = GDB_DEFAULT_PORT;
    vm->gdb = g;
    return g;
}

/* parse_port: "--gdb-port=N", N in 1..65535. */
static int parse_port(struct vm *vm, const char *arg, const char *val, int *port)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = *val >= '0' && *val <= '9' ? strtoul(val, &end, 10) : 0;
    if (n == 0 || errno || *end || n > 65535)
        return vm_fail(vm, "%s: expected a TCP port number, 1 to 65535", arg);
    *port = (int)n;
    return 0;
}

/* set_unix: "--gdb=unix:PATH": the directory opened now, the name kept. */
static int set_unix(struct vm *vm, struct gdb *g, const char *arg, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    const char *name = slash ? slash + 1 : path;

    if (!*path || !*name || strlen(name) >= sizeof g->sock_name ||
        strlen(path) >= sizeof g->where || (slash && (size_t)(slash - path) >= sizeof dir))
        return vm_fail(vm, "%s: expected --gdb=unix:PATH, PATH a socket file name "
                       "(the name at most %zu bytes)", arg, sizeof g->sock_name - 1);
    if (slash) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (!dir[0])
            strcpy(dir, "/");
    } else {
        strcpy(dir, ".");
    }
    g->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g->dir_fd < 0)
        return vm_fail(vm, "%s: cannot open directory %s: %s", arg, dir, strerror(errno));
    snprintf(g->sock_name, sizeof g->sock_name, "%s", name);
    snprintf(g->where, sizeof g->where, "%s", path);
    g->is_unix = 1;
    return 0;
}

static enum opt_result gdb_option(struct vm *vm, const char *arg)
{
    static const char port_opt[] = "--gdb-port=";
    struct gdb *g;

    if (strcmp(arg, "--gdb") != 0 && strncmp(arg, "--gdb=", 6) != 0 &&
        strncmp(arg, port_opt, sizeof port_opt - 1) != 0) {
        if (strncmp(arg, "--gdb", 5) == 0) {
            vm_fail(vm, "%s: expected --gdb, --gdb=unix:PATH or --gdb-port=PORT", arg);
            return OPT_ERROR;
        }
        return OPT_NOT_MINE;
    }
    g = new_state(vm);
    if (!g) {
        vm_fail(vm, "out of memory");
        return OPT_ERROR;
    }
    if (strncmp(arg, port_opt, sizeof port_opt - 1) == 0) {
        if (g->is_unix) {
            vm_fail(vm, "%s: --gdb=unix:PATH uses no port", arg);
            return OPT_ERROR;
        }
        return parse_port(vm, arg, arg + sizeof port_opt - 1, &g->port) ? OPT_ERROR : OPT_OK;
    }
    if (arg[5] == '=') {
        if (strncmp(arg + 6, "unix:", 5) != 0) {
            vm_fail(vm, "%s: expected --gdb=unix:PATH (TCP: --gdb, --gdb-port=PORT)", arg);
            return OPT_ERROR;
        }
        if (g->is_unix || g->port != GDB_DEFAULT_PORT) {
            vm_fail(vm, "%s: only one of --gdb=unix:PATH and --gdb-port=PORT", arg);
            return OPT_ERROR;
        }
        return set_unix(vm, g, arg, arg + 11) ? OPT_ERROR : OPT_OK;
    }
    return OPT_OK;
}

static int listen_unix(struct vm *vm, struct gdb *g)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char path[sizeof sa.sun_path + 32];

    /* bind() takes a path: name the directory through its fd, so that a
     * renamed directory cannot redirect the socket. */
    snprintf(path, sizeof path, "/proc/self/fd/%d/%s", g->dir_fd, g->sock_name);
    if (strlen(path) >= sizeof sa.sun_path)
        return vm_fail(vm, "--gdb=unix:%s: socket name too long", g->where);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    g->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (g->listen_fd < 0 || bind(g->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(g->listen_fd, 1) < 0)
        return vm_fail(vm, "--gdb=unix:%s: cannot listen: %s", g->where, strerror(errno));
    return 0;
}

static int listen_tcp(struct vm *vm, struct gdb *g)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;

    snprintf(g->where, sizeof g->where, "127.0.0.1:%d", g->port);
    g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (g->listen_fd < 0 ||
        setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(g->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(g->listen_fd, 1) < 0)
        return vm_fail(vm, "--gdb: cannot listen on %s: %s", g->where, strerror(errno));
    return 0;
}

/* write_debug_stub: isolated mode's stub entries for #DB and #BP become
 * `out %al, $(GDB_STUB_PORT_BASE + v); hlt; jmp .-1`, which keep every
 * guest register (the crash-report entry's `mov $v, %al` does not). */
static int write_debug_stub(struct vm *vm)
{
    static const unsigned vectors[] = {1, 3};

    for (unsigned i = 0; i < 2; i++) {
        uint64_t at = X86_STUB_GPA + (uint64_t)vectors[i] * X86_STUB_ENTRY_SIZE;
        uint8_t code[X86_STUB_ENTRY_SIZE] = {
            0xe6, (uint8_t)(GDB_STUB_PORT_BASE + vectors[i]), 0xf4, 0xeb, 0xfd, 0x90, 0x90, 0x90,
        };
        uint8_t *p = gpa_to_host(vm, at, sizeof code);

        if (!p)
            return vm_fail(vm, "--gdb: no exception stub at 0x%llx", (unsigned long long)at);
        memcpy(p, code, sizeof code);
    }
    return 0;
}

/* open_int3_gate: the tender's IDT gate for #BP gets DPL 3, so that an
 * int3 at CPL3 is a #BP (as on Linux) and not a #GP: hardware checks a
 * software interrupt's gate DPL (PVM does not). */
static int open_int3_gate(struct vm *vm)
{
    uint8_t *gate = gpa_to_host(vm, X86_IDT_GPA + 16ull * 3, 16);

    if (!gate)
        return vm_fail(vm, "--gdb: no IDT at 0x%llx", (unsigned long long)X86_IDT_GPA);
    gate[5] |= 3u << 5; /* type/attribute byte: DPL in bits 5-6 */
    return 0;
}

/* gdb_setup: listen, and the SIGIO handler (no SA_RESTART: a blocked
 * read sees EINTR too), both before the filter forbids them. */
static int gdb_setup(struct vm *vm)
{
    struct gdb *g = vm->gdb;
    struct host_cpuid hc;
    struct sigaction sa;

    if (!g)
        return 0;
    if (g->is_unix ? listen_unix(vm, g) : listen_tcp(vm, g))
        return -1;
    g->tid = (int)syscall(SYS_gettid);
    kick_run = vm->kvm->run;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigio;
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGIO, &sa, NULL) < 0)
        return vm_fail(vm, "--gdb: cannot handle SIGIO: %s", strerror(errno));
    if (vm->mode->id == MODE_ISOLATED && write_debug_stub(vm))
        return -1;
    g->stub_mode = vm->mode->id == MODE_ISOLATED || vm->hvt->cpl3;
    if (g->stub_mode && open_int3_gate(vm))
        return -1;
    if (host_cpuid_get(vm, &hc))
        return -1;
    g->hw_debug = !hc.is_pvm;
    host_cpuid_free(&hc);
    gdb_rx_init(&g->rx);
    gdb_proto_init(&g->proto, &gdb_target_ops, g);
    g->stopped = 1; /* before the first instruction */
    return 0;
}

static int allow_ioctl(scmp_filter_ctx ctx, int fd, unsigned long req)
{
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                            SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd),
                            SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)req));
}

/* gdb_seccomp: only with --gdb: accept on the listening socket, reading
 * and writing the connection, its SIGIO set-up, the socket's unlinking,
 * the vCPU's register and debug ioctls, and (compatibility mode) making
 * one text page writable and read-only again for a breakpoint. */
static int gdb_seccomp(struct vm *vm, void *ctx)
{
    struct gdb *g = vm->gdb;
    int vcpu = vm->kvm->vcpu_fd;
    int r = 0;

    if (!g)
        return 0;
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)g->listen_fd));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvfrom), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ppoll), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                          SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)F_SETOWN_EX));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                          SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)F_SETFL));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                          SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)F_GETFL));
    if (g->is_unix)
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)g->dir_fd));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                          SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)PROT_READ));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                          SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)(PROT_READ | PROT_WRITE)));
    r |= allow_ioctl(ctx, vcpu, KVM_SET_GUEST_DEBUG);
    r |= allow_ioctl(ctx, vcpu, KVM_GET_REGS);
    r |= allow_ioctl(ctx, vcpu, KVM_SET_REGS);
    r |= allow_ioctl(ctx, vcpu, KVM_GET_SREGS);
    r |= allow_ioctl(ctx, vcpu, KVM_SET_SREGS);
    r |= allow_ioctl(ctx, vcpu, KVM_GET_FPU);
    r |= allow_ioctl(ctx, vcpu, KVM_SET_FPU);
    r |= allow_ioctl(ctx, vcpu, KVM_GET_DEBUGREGS);
    r |= allow_ioctl(ctx, vcpu, KVM_SET_DEBUGREGS);
    if (r)
        return vm_fail(vm, "seccomp: cannot add the --gdb rules");
    return 0;
}

/* await_ack: gdb acknowledges the last packet; closing before that makes
 * it report a broken connection instead of the guest's end.  One second
 * at most. */
void gdb_await_ack(struct gdb *g)
{
    struct pollfd p = {.fd = g->fd, .events = POLLIN};
    struct timespec ts = {1, 0};
    char c;

    while (ppoll(&p, 1, &ts, NULL) > 0 && recv(g->fd, &c, 1, 0) == 1)
        if (c == '+' || c == '-')
            break;
}

static void gdb_teardown(struct vm *vm)
{
    struct gdb *g = vm->gdb;

    if (!g)
        return;
    kick_run = NULL;
    if (g->fd >= 0) {
        /* The guest ended with the debugger attached: tell it how (W: an
         * exit status; X: ended by a signal, or the tender failed). */
        char msg[8];

        if (vm->res->end == WISP_END_ERROR)
            snprintf(msg, sizeof msg, "X%02x", signals_caught() ? signals_caught() & 0x7f : 9);
        else
            snprintf(msg, sizeof msg, "W%02x", vm->res->status & 0xff);
        if (gdb_send(g, msg, strlen(msg)) == 0)
            gdb_await_ack(g);
        close(g->fd);
    }
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    if (g->dir_fd >= 0)
        close(g->dir_fd);
    free(g);
    vm->gdb = NULL;
}

int gdb_send(struct gdb *g, const char *payload, size_t len)
{
    size_t n = gdb_frame(payload, len, g->tx, sizeof g->tx), off = 0;

    if (n == 0 || g->fd < 0)
        return -1;
    while (off < n) {
        ssize_t w = send(g->fd, g->tx + off, n - off, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

const struct module module_gdb = {
    .option_prefixes = (const char *const[]){"--gdb", NULL},
    .usage = "  --gdb          before the guest's first instruction, wait for a debugger\n"
             "                 (GDB remote protocol) on 127.0.0.1, port 1234:\n"
             "                 gdb -ex 'target remote 127.0.0.1:1234' KERNEL\n"
             "  --gdb-port=PORT  the same on 127.0.0.1 port PORT (implies --gdb)\n"
             "  --gdb=unix:PATH  the same on a new Unix socket PATH (removed once\n"
             "                 the debugger connects): gdb -ex 'target remote PATH'\n",
    .handle_option = gdb_option,
    .setup = gdb_setup,
    .seccomp_rules = gdb_seccomp,
    .teardown = gdb_teardown,
};
