/*
 * The input module: one byte stream per VM as the guest's input (abi.h,
 * "Input stream"), isolated mode only.  The stream is cfg->input_fd: the
 * tender's stdin under `wisp --input`, a connection under `wisp serve`.
 *
 *   INPUT_READ  never blocks: a zero-timeout ppoll, then one read
 *   POLL        the stream is a poll source under WISP_INPUT_HANDLE (0,
 *               which no device has), ready on data and on its end
 *
 * The hand-off (cfg->input_handoff_fd, wisp serve's pool): the VM boots
 * and its guest runs until its first console, poll, input, exit or clock
 * hypercall; that call first waits for the connection on the hand-off
 * socket (SCM_RIGHTS), makes it the input and console fds, and then is
 * served as usual.  The module does so by standing in for those handlers
 * in vm->hypercalls until the connection is there.  If the server closes
 * the hand-off socket first, the run ends quietly with status 0.  Before it
 * first waits it writes one byte ('r', ready) to cfg->input_ready_fd, a
 * pipe: the server paces its pool boots by it (serve/server.c).  Not on the
 * hand-off socket: a Unix socket closed with unread data resets its peer,
 * and the reset would hide a connection already queued for this VM.
 *
 * When the guest exits, a console that is a socket is shut down for
 * writing at once (hc_exit_shut).
 *
 * The hypercall is registered whether or not a stream is attached (the
 * guest gets EUNSPEC without one), so a guest can ask; syscalls are only
 * allowed when one is.
 */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/module.h"
#include "core/vm.h"

/* The hypercalls that wait for the hand-off (see above). */
static const unsigned handoff_gated[] = {
    WISP_HC_PUTS, WISP_HC_POLL, WISP_HC_EXIT, WISP_HC_ABORT, WISP_HC_WALLTIME,
};
#define NGATED (sizeof handoff_gated / sizeof handoff_gated[0])

/* Host state, in vm->dev_priv[WISP_INPUT_HANDLE] while a stream is attached. */
struct input_state {
    int eof;                       /* the stream's end was seen */
    int awaiting;                  /* hand-off pending */
    int ready_sent;                /* the byte on cfg->input_ready_fd */
    hypercall_fn gated[NGATED];    /* the handlers the gate stands in for */
    hypercall_fn exit_fn;          /* the core's EXIT, for hc_exit_shut */
};

static struct input_state *input_state(struct vm *vm)
{
    return vm->dev_priv[WISP_INPUT_HANDLE];
}

/* receive_connection: one message on the hand-off socket; its fd in *conn,
 * or -1 when the socket ended without one.  -1 return: error (message set). */
static int receive_connection(struct vm *vm, int *conn)
{
    char byte;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c;
    ssize_t r;

    do
        r = recvmsg(vm->cfg->input_handoff_fd, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return vm_fail(vm, "input: hand-off socket: %s", strerror(errno));
    *conn = -1;
    if (r == 0)
        return 0;
    c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int)) || (msg.msg_flags & MSG_CTRUNC))
        return vm_fail(vm, "input: hand-off message without exactly one connection");
    memcpy(conn, CMSG_DATA(c), sizeof *conn);
    return 0;
}

/* handoff: wait for the connection and put it in place, then put the
 * gated handlers back.  HC_CONTINUE, HC_STOP (socket ended) or -1. */
static int handoff(struct vm *vm)
{
    struct input_state *st = input_state(vm);
    const struct wisp_config *cfg = vm->cfg;
    int conn = -1;

    /* Tell the server this VM is booted (its guest waits for input): it
     * paces pool boots by it.  Lost if nobody reads: harmless. */
    if (cfg->input_ready_fd >= 0 && !st->ready_sent) {
        while (write(cfg->input_ready_fd, "r", 1) < 0 && errno == EINTR)
            ;
        st->ready_sent = 1;
    }
    if (receive_connection(vm, &conn))
        return -1;
    if (conn < 0)
        return vm_end(vm, WISP_END_EXIT, 0);
    if ((conn != cfg->input_fd && dup3(conn, cfg->input_fd, 0) < 0) ||
        (conn != cfg->console_fd && dup3(conn, cfg->console_fd, 0) < 0))
        return vm_fail(vm, "input: cannot install the connection: %s", strerror(errno));
    if (conn != cfg->input_fd && conn != cfg->console_fd)
        close(conn);
    st->awaiting = 0;
    for (unsigned i = 0; i < NGATED; i++)
        vm->hypercalls[handoff_gated[i]] = st->gated[i];
    return HC_CONTINUE;
}

/* gate: the stand-in for gated hypercall number index `i`. */
static int gate(struct vm *vm, unsigned i, wisp_gpa_t arg)
{
    int r = handoff(vm);

    if (r != HC_CONTINUE)
        return r;
    return vm->hypercalls[handoff_gated[i]](vm, arg);
}

#define GATE(i)                                                         \
    static int gate_##i(struct vm *vm, wisp_gpa_t arg)                  \
    {                                                                   \
        return gate(vm, i, arg);                                        \
    }
GATE(0)
GATE(1)
GATE(2)
GATE(3)
GATE(4)
static const hypercall_fn gates[NGATED] = {gate_0, gate_1, gate_2, gate_3, gate_4};

/* stream_ready: whether a read would not block (data, end or error). */
static int stream_ready(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    struct timespec zero = {0, 0};
    int n;

    do
        n = ppoll(&p, 1, &zero, NULL);
    while (n < 0 && errno == EINTR);
    return n > 0;
}

static int hc_input_read(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_input_read *a;
    struct input_state *st = input_state(vm);
    uint8_t *buf;
    uint64_t len;
    ssize_t r;

    GUEST_PTR_W(vm, a, gpa, sizeof *a, "INPUT_READ");
    a->done = 0;
    if (!st) {
        a->ret = WISP_R_EUNSPEC;
        return HC_CONTINUE;
    }
    if (st->awaiting) {
        int h = handoff(vm);

        if (h != HC_CONTINUE)
            return h;
    }
    len = a->len < WISP_INPUT_READ_MAX ? a->len : WISP_INPUT_READ_MAX;
    if (len == 0) {
        a->ret = WISP_R_EINVAL;
        return HC_CONTINUE;
    }
    GUEST_PTR_W(vm, buf, a->data, len, "INPUT_READ buffer");
    if (st->eof) {
        a->ret = WISP_R_OK;
        return HC_CONTINUE;
    }
    if (!stream_ready(vm->cfg->input_fd)) {
        a->ret = WISP_R_AGAIN;
        return HC_CONTINUE;
    }
    do
        r = read(vm->cfg->input_fd, buf, len);
    while (r < 0 && errno == EINTR);
    if (r > 0) {
        a->done = (uint64_t)r;
        a->ret = WISP_R_OK;
    } else if (r == 0 || errno == ECONNRESET) {
        st->eof = 1; /* a reset connection has ended too */
        a->ret = WISP_R_OK;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        a->ret = WISP_R_AGAIN;
    } else {
        a->ret = WISP_R_EUNSPEC;
    }
    return HC_CONTINUE;
}

/* hc_exit_shut: EXIT, then, if the console is a socket, shutdown(SHUT_WR)
 * at once: the peer sees the end of the output as soon as the guest has
 * exited, not after the VM's teardown (about 0.7 ms on PVM). */
static int hc_exit_shut(struct vm *vm, wisp_gpa_t arg)
{
    int r = input_state(vm)->exit_fn(vm, arg);

    if (r == HC_STOP)
        shutdown(vm->cfg->console_fd, SHUT_WR); /* ENOTSOCK for a pipe or tty */
    return r;
}

static int input_check(struct vm *vm)
{
    if (vm->cfg->input_fd >= 0 && vm->mode->id != MODE_ISOLATED)
        return vm_fail(vm, "--input: %s is a Solo5 hvt unikernel; the input stream is "
                       "offered to isolated-mode unikernels only", vm->kernel);
    return 0;
}

static int input_setup(struct vm *vm)
{
    struct input_state *st;

    if (vm->cfg->input_fd < 0)
        return 0;
    st = calloc(1, sizeof *st);
    if (!st)
        return vm_fail(vm, "out of memory");
    vm->dev_priv[WISP_INPUT_HANDLE] = st;
    if (poll_register(vm, vm->cfg->input_fd, WISP_INPUT_HANDLE))
        return -1;
    st->exit_fn = vm->hypercalls[WISP_HC_EXIT];
    if (!st->exit_fn)
        return vm_fail(vm, "internal: input: EXIT not registered");
    vm->hypercalls[WISP_HC_EXIT] = hc_exit_shut;
    if (vm->cfg->input_handoff_fd >= 0) {
        /* The core's handlers are registered (it comes first in the table). */
        st->awaiting = 1;
        for (unsigned i = 0; i < NGATED; i++) {
            st->gated[i] = vm->hypercalls[handoff_gated[i]];
            if (!st->gated[i])
                return vm_fail(vm, "internal: input: hypercall %u not registered",
                               handoff_gated[i]);
            vm->hypercalls[handoff_gated[i]] = gates[i];
        }
    }
    return 0;
}

/* input_seccomp_rules: read the stream; for the hand-off, receive on its
 * socket and dup3 onto the input and console fds only. */
static int input_seccomp_rules(struct vm *vm, void *ctx)
{
    const struct wisp_config *cfg = vm->cfg;
    int r = 0;

    if (cfg->input_fd < 0)
        return 0;
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)cfg->input_fd));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(shutdown), 2,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)cfg->console_fd),
                          SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)SHUT_WR));
    if (cfg->input_handoff_fd >= 0) {
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)cfg->input_handoff_fd));
        if (cfg->input_ready_fd >= 0)
            r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                                  SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)cfg->input_ready_fd));
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(dup3), 1,
                              SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)cfg->input_fd));
        if (cfg->console_fd != cfg->input_fd)
            r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(dup3), 1,
                                  SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)cfg->console_fd));
    }
    if (r)
        return vm_fail(vm, "seccomp: cannot add the input rules");
    return 0;
}

static void input_teardown(struct vm *vm)
{
    free(vm->dev_priv[WISP_INPUT_HANDLE]);
    vm->dev_priv[WISP_INPUT_HANDLE] = NULL;
}

static const struct module_hypercall input_hypercalls[] = {
    {WISP_HC_INPUT_READ, hc_input_read},
    {0, NULL},
};

const struct module module_input = {
    .check = input_check,
    .setup = input_setup,
    .hypercalls = {[MODE_ISOLATED] = input_hypercalls},
    .seccomp_rules = input_seccomp_rules,
    .teardown = input_teardown,
};
