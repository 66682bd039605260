/*
 * The network module: NET_BASIC devices backed by Linux tap interfaces.
 *
 * Options (after the manifest is read, before guest memory exists):
 *   --net:NAME=IFACE    attach the existing, up tap interface IFACE
 *   --net:NAME=@FD      attach the already-open tap fd FD
 *   --net-mac:NAME=MAC  the guest's MAC (default: random, locally administered)
 * Each at most once per NAME, in any order.  The tender's manifest copy holds
 * the state: attached, b.hostfd (the tap fd), u.net_basic.{mac,mtu}.
 *
 * After all options, check gives every NIC without --net-mac a random MAC.
 * Active only if a NIC is attached: then the guest has NET_WRITE/NET_READ
 * (in either mode), one poll source per NIC, and seccomp allows readv/write
 * on the tap fds only.
 *
 * Hypercall semantics (include/wisp/abi.h, "Network devices"); choices made
 * here:
 *   - A host write error (ENOBUFS, EIO when the interface went down, ...)
 *     gives that frame WISP_R_EUNSPEC and ends the batch; EAGAIN gives
 *     WISP_R_AGAIN (no waiting inside the hypercall: the vCPU must not stall
 *     on a host queue).  Never fatal to the tender.
 *   - WRITE: a frame shorter than an Ethernet header (14) or longer than
 *     MTU + 14 gets WISP_R_EINVAL and ends the batch.  done = frames written;
 *     if done < count, bufs[done].ret says why the batch stopped.
 *   - READ never truncates silently: each frame is read with one readv into
 *     the guest buffer plus a host bounce buffer; a frame that does not fit
 *     the guest buffer is dropped and reported in its slot as WISP_R_EINVAL
 *     with len = its real size (the guest buffer then holds garbage).  done
 *     = slots holding a frame result (OK or that EINVAL); when the batch
 *     stops early bufs[done].ret is AGAIN (nothing pending) or EUNSPEC.
 *   - ret = OK if done > 0, else the reason of slot 0 (or EINVAL for a bad
 *     handle or count, with done = 0 and no slot touched).
 *   - Every guest buffer is checked against what the guest itself may do
 *     (GUEST_PTR_W for what the tender writes: the argument struct, the bufs
 *     array, NET_READ frames; GUEST_PTR for NET_WRITE frames), so a guest
 *     cannot make the tender write its text, page tables or IDT.  A bad
 *     buffer ends the guest as an ABI violation.
 */
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/device.h"
#include "core/module.h"
#include "devices/ring.h"
#include "devices/tap.h"
#include "core/vm.h"
#include "wisp/hvt_abi.h"

#define ETH_HDR 14
/* Largest frame a tap can hand us: MTU 65535 + header + VLAN tag. */
#define NET_BOUNCE_SIZE (65536 + 64)

static int mac_is_set(const struct mft_entry *e)
{
    static const uint8_t zero[6];

    return memcmp(e->u.net_basic.mac, zero, sizeof zero) != 0;
}

/* parse_fd: "@N" -> N (decimal, no sign, fits an int), else -1. */
static int parse_fd(const char *s)
{
    long v = 0;

    if (*s++ != '@' || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return -1;
    }
    return (int)v;
}

/* net_attach: --net:NAME=IFACE or --net:NAME=@FD. */
static enum opt_result net_attach(struct vm *vm, const char *arg, const char *name,
                                  const char *value)
{
    struct mft_entry *e;
    struct tap_info tap;
    char err[TAP_ERR_MAX];
    unsigned handle;
    int r;

    if (device_lookup(vm, arg, name, MFT_DEV_NET_BASIC, &e, &handle) != OPT_OK)
        return OPT_ERROR;
    if (e->attached) {
        vm_fail(vm, "%s: device '%s' is already attached (one --net:%s= per device)", arg,
                name, name);
        return OPT_ERROR;
    }
    if (value[0] == '@') {
        int fd = parse_fd(value);

        if (fd < 0) {
            vm_fail(vm, "%s: '%s' is not a file descriptor number (expected @N)", arg,
                    value);
            return OPT_ERROR;
        }
        r = tap_attach_fd(fd, &tap, err);
    } else {
        r = tap_attach(value, &tap, err);
    }
    if (r) {
        vm_fail(vm, "%s: %s", arg, err);
        return OPT_ERROR;
    }
    e->u.net_basic.mtu = (uint16_t)tap.mtu;
    e->b.hostfd = tap.fd;
    e->attached = 1;
    return OPT_OK;
}

/* net_mac: --net-mac:NAME=MAC. */
static enum opt_result net_mac(struct vm *vm, const char *arg, const char *name,
                               const char *value)
{
    struct mft_entry *e;
    char err[TAP_ERR_MAX];
    unsigned handle;

    if (device_lookup(vm, arg, name, MFT_DEV_NET_BASIC, &e, &handle) != OPT_OK)
        return OPT_ERROR;
    if (mac_is_set(e)) {
        vm_fail(vm, "%s: the MAC of '%s' is already set (one --net-mac:%s= per device)",
                arg, name, name);
        return OPT_ERROR;
    }
    if (mac_parse(value, e->u.net_basic.mac, err)) {
        vm_fail(vm, "%s: %s", arg, err);
        return OPT_ERROR;
    }
    return OPT_OK;
}

static enum opt_result net_option(struct vm *vm, const char *arg)
{
    char name[MFT_NAME_SIZE];
    const char *value;
    enum opt_result r;

    r = device_option(vm, arg, "--net:", name, &value);
    if (r == OPT_OK)
        return net_attach(vm, arg, name, value);
    if (r == OPT_ERROR)
        return r;
    r = device_option(vm, arg, "--net-mac:", name, &value);
    if (r == OPT_OK)
        return net_mac(vm, arg, name, value);
    return r;
}

/* write_frame: one frame to the tap; the WISP_R_* result. */
static int32_t write_frame(int fd, const uint8_t *frame, uint32_t len)
{
    ssize_t n;

    do
        n = write(fd, frame, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? WISP_R_AGAIN : WISP_R_EUNSPEC;
    /* A tap write is atomic per frame; a short one cannot happen. */
    return (size_t)n == len ? WISP_R_OK : WISP_R_EUNSPEC;
}

/*
 * net_io_args: the checks NET_WRITE and NET_READ (`op`) both start with:
 * the argument struct (guest-writable), the device handle, the count, the
 * buffer array (8-byte aligned, guest-writable).  Returns HC_STOP for an
 * ABI violation (the guest has ended); otherwise HC_CONTINUE with *bufs
 * the array of *countp entries (the count as checked, read once), or NULL
 * when the request was answered with WISP_R_EINVAL.
 */
static int net_io_args(struct vm *vm, wisp_gpa_t gpa, const char *op,
                       struct wisp_hc_net_io **ap, struct mft_entry **ep,
                       struct wisp_net_buf **bufs, uint32_t *countp)
{
    char what[32];
    struct wisp_hc_net_io *a;
    uint32_t count;

    *bufs = NULL;
    GUEST_PTR_W(vm, a, gpa, sizeof *a, op);
    *ap = a;
    a->done = 0;
    *ep = device_entry(vm, a->handle, MFT_DEV_NET_BASIC);
    count = a->count;
    if (!*ep || count == 0 || count > WISP_NET_IO_MAX) {
        a->ret = WISP_R_EINVAL;
        return HC_CONTINUE;
    }
    if (a->bufs % 8)
        return vm_guest_abi_error(vm, "%s: buffer array at 0x%llx is not 8-byte aligned", op,
                                  (unsigned long long)a->bufs);
    *countp = count;
    snprintf(what, sizeof what, "%s buffer array", op);
    GUEST_PTR_W(vm, *bufs, a->bufs, (uint64_t)count * sizeof **bufs, what);
    return HC_CONTINUE;
}

static int hc_net_write(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_net_io *a;
    struct wisp_net_buf *bufs;
    struct mft_entry *e;
    uint32_t count, done = 0;
    int r = net_io_args(vm, gpa, "NET_WRITE", &a, &e, &bufs, &count);

    if (r != HC_CONTINUE || !bufs)
        return r;
    for (; done < count; done++) {
        struct wisp_net_buf *b = &bufs[done];
        uint32_t len = b->len;
        wisp_gpa_t data = b->data;
        const uint8_t *frame;

        if (len < ETH_HDR || len > (uint32_t)e->u.net_basic.mtu + ETH_HDR) {
            b->ret = WISP_R_EINVAL;
            break;
        }
        GUEST_PTR(vm, frame, data, len, "NET_WRITE frame");
        b->ret = write_frame((int)e->b.hostfd, frame, len);
        if (b->ret != WISP_R_OK)
            break;
    }
    a->done = done;
    a->ret = done > 0 ? WISP_R_OK : bufs[0].ret;
    return HC_CONTINUE;
}

static int hc_net_read(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_net_io *a;
    struct wisp_net_buf *bufs;
    struct mft_entry *e;
    uint8_t bounce[NET_BOUNCE_SIZE];
    uint32_t count, done = 0;
    int r = net_io_args(vm, gpa, "NET_READ", &a, &e, &bufs, &count);

    if (r != HC_CONTINUE || !bufs)
        return r;
    for (; done < count; done++) {
        struct wisp_net_buf *b = &bufs[done];
        uint32_t cap = b->len;
        wisp_gpa_t data = b->data;
        struct iovec iov[2];
        uint8_t *frame;
        ssize_t n;

        GUEST_PTR_W(vm, frame, data, cap, "NET_READ frame");
        iov[0] = (struct iovec){.iov_base = frame, .iov_len = cap};
        iov[1] = (struct iovec){.iov_base = bounce, .iov_len = sizeof bounce};
        do
            n = readv((int)e->b.hostfd, iov, 2);
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
            b->ret = (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) ? WISP_R_AGAIN
                                                                         : WISP_R_EUNSPEC;
            break;
        }
        b->len = (uint32_t)n;
        b->ret = (size_t)n <= cap ? WISP_R_OK : WISP_R_EINVAL;
    }
    a->done = done;
    a->ret = done > 0 ? WISP_R_OK : bufs[0].ret;
    return HC_CONTINUE;
}

/* net_check: a random MAC for every attached NIC that got none (after all
 * options, so --net-mac may come before or after --net). */
static int net_check(struct vm *vm)
{
    char err[TAP_ERR_MAX];

    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct mft_entry *e = &vm->mft->e[i];

        if (e->type == MFT_DEV_NET_BASIC && e->attached && !mac_is_set(e) &&
            mac_random(e->u.net_basic.mac, err))
            return vm_fail(vm, "net: %s", err);
    }
    return 0;
}

/*
 * Compatibility mode (Solo5 hvt ABI, SOLO5_HVT_ABI.md 1.2): NET_WRITE and
 * NET_READ, one frame each, as solo5-hvt serves them; a bad guest address
 * is a tender error, as in Solo5.  The ring-I/O extension is net_ring.c.
 */
static int hvt_hc_net_write(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_net_write *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 1, "NET_WRITE");
    const struct mft_entry *e;
    const void *data;
    ssize_t n;

    if (!a)
        return -1;
    e = device_entry(vm, a->handle, MFT_DEV_NET_BASIC);
    if (!e) {
        a->ret = HVT_R_EINVAL;
        return HC_CONTINUE;
    }
    data = guest_ptr_or_fail(vm, a->data, a->len, 0, "NET_WRITE data");
    if (!data)
        return -1;
    do
        n = write((int)e->b.hostfd, data, a->len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        a->ret = (errno == EAGAIN || errno == EWOULDBLOCK) ? HVT_R_AGAIN : HVT_R_EUNSPEC;
    else
        a->ret = (uint64_t)n == a->len ? HVT_R_OK : HVT_R_EUNSPEC;
    return HC_CONTINUE;
}

static int hvt_hc_net_read(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_net_read *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 1, "NET_READ");
    const struct mft_entry *e;
    struct iovec iov;
    ssize_t n;

    if (!a)
        return -1;
    e = device_entry(vm, a->handle, MFT_DEV_NET_BASIC);
    if (!e) {
        a->ret = HVT_R_EINVAL;
        return HC_CONTINUE;
    }
    iov.iov_len = a->len;
    iov.iov_base = guest_ptr_or_fail(vm, a->data, a->len, 1, "NET_READ data");
    if (!iov.iov_base)
        return -1;
    /* readv: the syscall the net module's seccomp rules allow on taps.
     * A frame larger than the buffer is truncated, as in Solo5. */
    do
        n = readv((int)e->b.hostfd, &iov, 1);
    while (n < 0 && errno == EINTR);
    if (n == 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
        a->ret = HVT_R_AGAIN;
    } else if (n < 0) {
        a->ret = HVT_R_EUNSPEC;
    } else {
        a->len = (uint64_t)n;
        a->ret = HVT_R_OK;
    }
    return HC_CONTINUE;
}

/* net_attached: whether any NIC is attached (then, and only then, the
 * guest has the network hypercalls, in either mode). */
static int net_attached(const struct vm *vm)
{
    for (unsigned i = 1; i < vm->mft->entries; i++)
        if (vm->mft->e[i].type == MFT_DEV_NET_BASIC && vm->mft->e[i].attached)
            return 1;
    return 0;
}

/* net_setup: one poll source per attached NIC; in isolated mode (unless
 * --no-rings) its shared-ring I/O thread, idle until the guest names the
 * ring. */
static int net_setup(struct vm *vm)
{
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct mft_entry *e = &vm->mft->e[i];

        if (e->type != MFT_DEV_NET_BASIC || !e->attached)
            continue;
        if (poll_register(vm, (int)e->b.hostfd, i))
            return -1;
        if (vm->mode->id == MODE_ISOLATED && !vm->cfg->no_rings &&
            !ring_net_start(vm, i, (int)e->b.hostfd, e->u.net_basic.mtu))
            return -1;
    }
    return 0;
}

static int hc_net_ring(struct vm *vm, wisp_gpa_t gpa)
{
    return ring_setup_hypercall(vm, gpa, MFT_DEV_NET_BASIC, sizeof(struct wisp_net_ring),
                                "NET_RING");
}

static const struct module_hypercall net_hypercalls[] = {
    {WISP_HC_NET_WRITE, hc_net_write},
    {WISP_HC_NET_READ, hc_net_read},
    {WISP_HC_NET_RING, hc_net_ring},
    {0, NULL},
};

static const struct module_hypercall net_hvt_hypercalls[] = {
    {HVT_HYPERCALL_NET_WRITE, hvt_hc_net_write},
    {HVT_HYPERCALL_NET_READ, hvt_hc_net_read},
    {0, NULL},
};

/* net_seccomp_rules: readv (NET_READ) and write (NET_WRITE) on tap fds only. */
static int net_seccomp_rules(struct vm *vm, void *ctx)
{
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        const struct mft_entry *e = &vm->mft->e[i];
        scmp_datum_t fd = (scmp_datum_t)e->b.hostfd;

        if (e->type != MFT_DEV_NET_BASIC || !e->attached)
            continue;
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(readv), 1,
                             SCMP_A0(SCMP_CMP_EQ, fd)) ||
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                             SCMP_A0(SCMP_CMP_EQ, fd)))
            return vm_fail(vm, "seccomp: cannot add the net rules");
    }
    return 0;
}

static void net_teardown(struct vm *vm)
{
    if (!vm->mft)
        return;
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct mft_entry *e = &vm->mft->e[i];

        if (e->type == MFT_DEV_NET_BASIC && e->attached) {
            ring_dev_stop(vm->rings[i]); /* it drains frames the guest left */
            close((int)e->b.hostfd);
            e->attached = 0;
        }
    }
}

static const char *const net_prefixes[] = {"--net:", "--net-mac:", NULL};

const struct module module_net = {
    .option_prefixes = net_prefixes,
    .usage = "  --net:NAME=IFACE\n"
             "                 attach network device NAME to the host tap interface\n"
             "                 IFACE (it must exist and be up); the MTU is the tap's\n"
             "  --net:NAME=@FD attach network device NAME to the open tap fd FD\n"
             "  --net-mac:NAME=xx:xx:xx:xx:xx:xx\n"
             "                 the guest's MAC address on NAME (unicast; default: a\n"
             "                 random locally administered one)\n",
    .handle_option = net_option,
    .check = net_check,
    .setup = net_setup,
    .attached = net_attached,
    .hypercalls = {[MODE_ISOLATED] = net_hypercalls, [MODE_HVT] = net_hvt_hypercalls},
    .seccomp_rules = net_seccomp_rules,
    .teardown = net_teardown,
};
