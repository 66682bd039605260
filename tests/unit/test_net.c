/*
 * Unit tests of the network module without a VM or a tap: MAC parsing and
 * generation (tender/devices/tap.c), the option handler and check hook, and the
 * NET_WRITE / NET_READ hypercall handlers (tender/devices/net.c) run on a fake
 * struct vm whose "tap" is one end of a SOCK_SEQPACKET socketpair (which,
 * like a tap, keeps frame boundaries).  Guest memory is a host buffer.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/device.h"
#include "core/module.h"
#include "devices/tap.h"
#include "core/vm.h"
#include "vm_fixture.h"

#define MEM_SIZE (4u << 20)
#define TEXT_GPA 0x100000ull  /* guest read-only */
#define IO_GPA 0x200000ull    /* struct wisp_hc_net_io */
#define BUFS_GPA 0x201000ull  /* struct wisp_net_buf[] */
#define FRAME_GPA 0x300000ull /* frame i at FRAME_GPA + i * 0x4000 */
#define FRAME(i) (FRAME_GPA + (uint64_t)(i) * 0x4000)

struct fx {
    struct vm_fixture *x;
    int peer; /* the "host network" end of the fake tap */
};

static struct fx *F;

static void *host(uint64_t gpa)
{
    return F->x->vm.mem + gpa;
}

static struct wisp_hc_net_io *io(void)
{
    return host(IO_GPA);
}

static struct wisp_net_buf *bufs(void)
{
    return host(BUFS_GPA);
}

/* A manifest: 1 service0 (NET_BASIC, attached to the socketpair when
 * `attach`), 2 disk (BLOCK_BASIC), 3 spare (NET_BASIC, never attached). */
static int fx_setup(void **state, int attach)
{
    static const struct vm_fixture_dev devs[] = {
        {"service0", MFT_DEV_NET_BASIC},
        {"disk", MFT_DEV_BLOCK_BASIC},
        {"spare", MFT_DEV_NET_BASIC},
    };
    struct fx *f = calloc(1, sizeof *f);
    int sp[2];

    assert_non_null(f);
    F = f;
    f->x = vm_fixture_new(&mode_isolated, MEM_SIZE, devs, 3);
    assert_non_null(f->x);
    f->x->vm.kernel = "k.wisp";
    /* What the guest may touch: boot info (read-only), "text" (read-only),
     * the rest writable; nothing below the boot info. */
    f->x->vm.regions[0] = (struct vm_region){0x10000, 0x20000, 0};
    f->x->vm.regions[1] = (struct vm_region){TEXT_GPA, TEXT_GPA + 0x80000, 0};
    f->x->vm.regions[2] = (struct vm_region){TEXT_GPA + 0x80000, MEM_SIZE, 1};
    f->x->vm.nregions = 3;
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sp), 0);
    f->peer = sp[1];
    if (attach) {
        struct mft_entry *e = &f->x->vm.mft->e[1];

        e->attached = 1;
        e->b.hostfd = sp[0];
        e->u.net_basic.mtu = 1500;
        assert_int_equal(module_net.check(&f->x->vm), 0);
        assert_int_equal(module_net.setup(&f->x->vm), 0);
        assert_int_equal(module_register_hypercalls(&f->x->vm, &module_net), 0);
    } else {
        close(sp[0]);
    }
    *state = f;
    return 0;
}

static int setup_attached(void **state)
{
    return fx_setup(state, 1);
}

static int setup_detached(void **state)
{
    return fx_setup(state, 0);
}

static int teardown(void **state)
{
    struct fx *f = *state;

    module_net.teardown(&f->x->vm);
    close(f->peer);
    vm_fixture_free(f->x);
    free(f);
    return 0;
}

/* call: run hypercall nr on the io struct at IO_GPA; returns the handler's
 * result (HC_CONTINUE or HC_STOP). */
static int call(unsigned nr, uint64_t handle, unsigned count)
{
    io()->handle = handle;
    io()->bufs = BUFS_GPA;
    io()->count = count;
    io()->done = 99;
    io()->ret = -1;
    assert_non_null(F->x->vm.hypercalls[nr]);
    return F->x->vm.hypercalls[nr](&F->x->vm, IO_GPA);
}

/* frame i: (len) bytes of a pattern seeded with i; queued in bufs[i]. */
static void put_frame(unsigned i, uint32_t len)
{
    uint8_t *p = host(FRAME(i));

    for (uint32_t k = 0; k < len; k++)
        p[k] = (uint8_t)(i * 31 + k);
    bufs()[i] = (struct wisp_net_buf){.data = FRAME(i), .len = len, .ret = -1};
}

static void check_peer_got(unsigned i, uint32_t len)
{
    uint8_t got[16384];
    ssize_t n = recv(F->peer, got, sizeof got, 0);

    assert_int_equal(n, len);
    assert_memory_equal(got, host(FRAME(i)), len);
}

/* ---- MAC addresses ----------------------------------------------------- */

static void mac_parse_good(void **state)
{
    uint8_t m[6];
    char err[TAP_ERR_MAX], s[18];

    assert_int_equal(mac_parse("02:00:5E:aa:Bb:0c", m, err), 0);
    assert_memory_equal(m, ((uint8_t[]){0x02, 0x00, 0x5e, 0xaa, 0xbb, 0x0c}), 6);
    mac_format(m, s);
    assert_string_equal(s, "02:00:5e:aa:bb:0c");
    assert_int_equal(mac_parse("fe:ff:ff:ff:ff:ff", m, err), 0);
}

static void mac_parse_bad(void **state)
{
    static const char *const bad[] = {
        "", "02:00:00:aa:bb", "02:00:00:aa:bb:cc:", "02:00:00:aa:bb:cc:dd",
        "02-00-00-aa-bb-cc", "2:00:00:aa:bb:cc:0", "02:00:00:aa:bb:cg", " 2:00:00:aa:bb:cc",
        "02:00:00:aa:bb:c", "0x:00:00:aa:bb:cc", "02:00:00:aa:bbcc:",
    };
    uint8_t m[6] = {1, 2, 3, 4, 5, 6};
    char err[TAP_ERR_MAX], want[TAP_ERR_MAX];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mac_parse(bad[i], m, err), -1);
        snprintf(want, sizeof want,
                 "'%s' is not a MAC address (expected xx:xx:xx:xx:xx:xx, hex)", bad[i]);
        assert_string_equal(err, want);
    }
    assert_int_equal(mac_parse("01:00:5e:00:00:01", m, err), -1);
    assert_string_equal(err, "'01:00:5e:00:00:01' is a multicast address; a NIC needs a "
                             "unicast MAC (first octet even)");
    assert_int_equal(mac_parse("ff:ff:ff:ff:ff:ff", m, err), -1);
    assert_int_equal(mac_parse("00:00:00:00:00:00", m, err), -1);
    assert_string_equal(err, "'00:00:00:00:00:00' is not a usable address");
    /* A refused address leaves the output alone. */
    assert_memory_equal(m, ((uint8_t[]){1, 2, 3, 4, 5, 6}), 6);
}

static void mac_random_local_unicast(void **state)
{
    uint8_t m[6], first[6];
    char err[TAP_ERR_MAX];
    int differ = 0;

    assert_int_equal(mac_random(first, err), 0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(mac_random(m, err), 0);
        assert_int_equal(m[0] & 3, 2); /* unicast, locally administered */
        differ |= memcmp(m, first, 6) != 0;
    }
    assert_true(differ);
}

/* ---- options and the check hook ----------------------------------------- */

static enum opt_result opt(const char *arg)
{
    F->x->res.err[0] = '\0';
    return module_net.handle_option(&F->x->vm, arg);
}

static void options_refused(void **state)
{
    char arg[64];
    int sp[2];

    assert_int_equal(opt("--block:disk=x"), OPT_NOT_MINE);
    assert_int_equal(opt("--network:service0=x"), OPT_NOT_MINE);
    assert_int_equal(opt("--net:nope=tap0"), OPT_ERROR);
    assert_string_equal(F->x->res.err,
                        "--net:nope=tap0: device 'nope' is not declared in the manifest of k.wisp");
    assert_int_equal(opt("--net:disk=tap0"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:disk=tap0: device 'disk' is declared as BLOCK_BASIC "
                                    "in k.wisp, not NET_BASIC");
    assert_int_equal(opt("--net-mac:disk=02:00:00:00:00:01"), OPT_ERROR);
    assert_int_equal(opt("--net:service0"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0: expected --net:NAME=VALUE");
    assert_int_equal(opt("--net:service0=@"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0=@: '@' is not a file descriptor number "
                                    "(expected @N)");
    assert_int_equal(opt("--net:service0=@-1"), OPT_ERROR);
    assert_int_equal(opt("--net:service0=@99999999999"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0=@99999999999: '@99999999999' is not a file "
                                    "descriptor number (expected @N)");
    assert_int_equal(opt("--net:service0=@2"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0=@2: fd 2 is a standard stream, not a tap");
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
    snprintf(arg, sizeof arg, "--net:service0=@%d", sp[0]);
    assert_int_equal(opt(arg), OPT_ERROR);
    assert_non_null(strstr(F->x->res.err, "is not a tap (TUNGETIFF: "));
    close(sp[0]);
    close(sp[1]);
    assert_int_equal(opt("--net:service0=wispnosuch0"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0=wispnosuch0: no such interface wispnosuch0");
    assert_int_equal(opt("--net:service0=0123456789abcdef"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net:service0=0123456789abcdef: interface name "
                                    "'0123456789abcdef' is too long (at most 15 characters)");
    /* Nothing was attached by any of these. */
    assert_int_equal(F->x->vm.mft->e[1].attached, 0);
}

static void mac_option_and_check(void **state)
{
    struct mft_entry *e = &F->x->vm.mft->e[1], *spare = &F->x->vm.mft->e[3];

    assert_int_equal(opt("--net-mac:service0=02:00:5e:10:00:01"), OPT_OK);
    assert_memory_equal(e->u.net_basic.mac, ((uint8_t[]){2, 0, 0x5e, 0x10, 0, 1}), 6);
    assert_int_equal(opt("--net-mac:service0=02:00:5e:10:00:02"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net-mac:service0=02:00:5e:10:00:02: the MAC of "
                                    "'service0' is already set (one --net-mac:service0= per "
                                    "device)");
    assert_int_equal(opt("--net-mac:spare=01:00:00:00:00:01"), OPT_ERROR);
    assert_string_equal(F->x->res.err, "--net-mac:spare=01:00:00:00:00:01: '01:00:00:00:00:01' is a "
                                    "multicast address; a NIC needs a unicast MAC (first octet "
                                    "even)");
    /* check: attached NICs without a MAC get a random one; a given one stays. */
    e->attached = 1;
    e->b.hostfd = -1;
    spare->attached = 1;
    spare->b.hostfd = -1;
    assert_int_equal(module_net.check(&F->x->vm), 0);
    assert_memory_equal(e->u.net_basic.mac, ((uint8_t[]){2, 0, 0x5e, 0x10, 0, 1}), 6);
    assert_int_equal(spare->u.net_basic.mac[0] & 3, 2);
    e->attached = spare->attached = 0;
}

static void detached_module_is_inactive(void **state)
{
    assert_int_equal(module_net.setup(&F->x->vm), 0);
    assert_int_equal(module_register_hypercalls(&F->x->vm, &module_net), 0);
    assert_null(F->x->vm.hypercalls[WISP_HC_NET_WRITE]);
    assert_null(F->x->vm.hypercalls[WISP_HC_NET_READ]);
    assert_int_equal(F->x->vm.npoll, 0);
}

/* ---- NET_WRITE ------------------------------------------------------------ */

static void setup_registers(void **state)
{
    assert_non_null(F->x->vm.hypercalls[WISP_HC_NET_WRITE]);
    assert_non_null(F->x->vm.hypercalls[WISP_HC_NET_READ]);
    assert_int_equal(F->x->vm.npoll, 1);
    assert_int_equal(F->x->vm.poll[0].handle, 1);
    assert_int_equal(F->x->vm.poll[0].fd, (int)F->x->vm.mft->e[1].b.hostfd);
    assert_int_equal(F->x->vm.mft->e[1].u.net_basic.mac[0] & 3, 2);
}

static void write_batch(void **state)
{
    put_frame(0, 60);
    put_frame(1, 1514); /* mtu + 14 */
    put_frame(2, 14);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 3), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(bufs()[i].ret, WISP_R_OK);
    check_peer_got(0, 60);
    check_peer_got(1, 1514);
    check_peer_got(2, 14);
}

static void write_from_read_only_memory(void **state)
{
    memcpy(host(TEXT_GPA), "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x88\xb5", 14);
    bufs()[0] = (struct wisp_net_buf){.data = TEXT_GPA, .len = 60, .ret = -1};
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, 1);
}

static void write_full_batch(void **state)
{
    for (unsigned i = 0; i < WISP_NET_IO_MAX; i++)
        put_frame(i, 60 + i);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, WISP_NET_IO_MAX), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, WISP_NET_IO_MAX);
    for (unsigned i = 0; i < WISP_NET_IO_MAX; i++)
        check_peer_got(i, 60 + i);
}

static void write_bad_handle_or_count(void **state)
{
    static const uint64_t handles[] = {0, 2, 3, 4, 64, 1ull << 32 | 1, UINT64_MAX};

    put_frame(0, 60);
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) {
        assert_int_equal(call(WISP_HC_NET_WRITE, handles[i], 1), HC_CONTINUE);
        assert_int_equal(io()->ret, WISP_R_EINVAL);
        assert_int_equal(io()->done, 0);
        assert_int_equal(bufs()[0].ret, -1); /* untouched */
    }
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 0), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, WISP_NET_IO_MAX + 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(recv(F->peer, (char[64]){0}, 64, 0), -1); /* nothing sent */
}

static void write_stops_at_bad_frame(void **state)
{
    put_frame(0, 60);
    put_frame(1, 1515); /* mtu + 15 */
    put_frame(2, 60);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 3), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, 1);
    assert_int_equal(bufs()[1].ret, WISP_R_EINVAL);
    assert_int_equal(bufs()[2].ret, -1);
    check_peer_got(0, 60);
    assert_int_equal(recv(F->peer, (char[64]){0}, 64, 0), -1);
    /* Too short, first: done 0, ret = that frame's EINVAL. */
    put_frame(0, 13);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(io()->done, 0);
}

static void write_host_errors(void **state)
{
    int sndbuf = 4096, saw_again = 0;

    /* A full host queue: AGAIN for the frame that did not fit, bounded. */
    setsockopt((int)F->x->vm.mft->e[1].b.hostfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    put_frame(0, 1514);
    for (int i = 0; i < 10000 && !saw_again; i++) {
        assert_int_equal(call(WISP_HC_NET_WRITE, 1, 1), HC_CONTINUE);
        saw_again = io()->ret == WISP_R_AGAIN;
    }
    assert_true(saw_again);
    assert_int_equal(io()->done, 0);
    assert_int_equal(bufs()[0].ret, WISP_R_AGAIN);
    /* A host error (EPIPE here; ENOBUFS or EIO on a tap): EUNSPEC, and the
     * tender goes on. */
    shutdown((int)F->x->vm.mft->e[1].b.hostfd, SHUT_WR);
    put_frame(0, 60);
    put_frame(1, 60);
    assert_int_equal(call(WISP_HC_NET_WRITE, 1, 2), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EUNSPEC);
    assert_int_equal(io()->done, 0);
    assert_int_equal(bufs()[0].ret, WISP_R_EUNSPEC);
    assert_int_equal(bufs()[1].ret, -1);
}

/* ---- NET_READ ----------------------------------------------------------- */

static void read_nothing_pending(void **state)
{
    bufs()[0] = (struct wisp_net_buf){.data = FRAME(0), .len = 1514, .ret = -1};
    assert_int_equal(call(WISP_HC_NET_READ, 1, 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_AGAIN);
    assert_int_equal(io()->done, 0);
    assert_int_equal(bufs()[0].ret, WISP_R_AGAIN);
}

static void read_batch(void **state)
{
    uint8_t frame[3][1514];
    static const uint32_t len[3] = {60, 1514, 200};

    for (unsigned i = 0; i < 3; i++) {
        memset(frame[i], 0xa0 + i, len[i]);
        assert_int_equal(send(F->peer, frame[i], len[i], 0), len[i]);
    }
    for (unsigned i = 0; i < 8; i++)
        bufs()[i] = (struct wisp_net_buf){.data = FRAME(i), .len = 1514, .ret = -1};
    assert_int_equal(call(WISP_HC_NET_READ, 1, 8), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(bufs()[i].ret, WISP_R_OK);
        assert_int_equal(bufs()[i].len, len[i]);
        assert_memory_equal(host(FRAME(i)), frame[i], len[i]);
    }
    assert_int_equal(bufs()[3].ret, WISP_R_AGAIN);
    assert_int_equal(bufs()[4].ret, -1);
}

static void read_oversized_not_truncated(void **state)
{
    uint8_t big[100], small[40];

    memset(big, 0x11, sizeof big);
    memset(small, 0x22, sizeof small);
    assert_int_equal(send(F->peer, big, sizeof big, 0), sizeof big);
    assert_int_equal(send(F->peer, small, sizeof small, 0), sizeof small);
    bufs()[0] = (struct wisp_net_buf){.data = FRAME(0), .len = 64, .ret = -1};
    bufs()[1] = (struct wisp_net_buf){.data = FRAME(1), .len = 64, .ret = -1};
    memset((uint8_t *)host(FRAME(1)) + 64, 0x77, 64); /* must stay untouched */
    assert_int_equal(call(WISP_HC_NET_READ, 1, 2), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_OK);
    assert_int_equal(io()->done, 2);
    assert_int_equal(bufs()[0].ret, WISP_R_EINVAL);
    assert_int_equal(bufs()[0].len, 100); /* the real size */
    assert_int_equal(bufs()[1].ret, WISP_R_OK);
    assert_int_equal(bufs()[1].len, 40);
    assert_memory_equal(host(FRAME(1)), small, 40);
    assert_int_equal(((uint8_t *)host(FRAME(1)))[64], 0x77);
    /* The oversized frame is gone, not left for the next read. */
    read_nothing_pending(state);
}

static void read_bad_handle_or_count(void **state)
{
    bufs()[0] = (struct wisp_net_buf){.data = FRAME(0), .len = 1514, .ret = -1};
    assert_int_equal(call(WISP_HC_NET_READ, 2, 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(call(WISP_HC_NET_READ, 3, 1), HC_CONTINUE); /* not attached */
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(call(WISP_HC_NET_READ, 1, 0), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(call(WISP_HC_NET_READ, 1, WISP_NET_IO_MAX + 1), HC_CONTINUE);
    assert_int_equal(io()->ret, WISP_R_EINVAL);
    assert_int_equal(bufs()[0].ret, -1);
}

/* ---- guest addresses: outside RAM, or not writable by the guest where the
 * tender writes, end the guest */

static void abi_violations(void **state)
{
    static const struct {
        unsigned nr;
        uint64_t io_gpa, bufs_gpa, frame_gpa;
        uint32_t len;
    } cases[] = {
        {WISP_HC_NET_WRITE, 0x1000, BUFS_GPA, FRAME(0), 60},      /* io in low memory */
        {WISP_HC_NET_WRITE, MEM_SIZE - 8, BUFS_GPA, FRAME(0), 60}, /* io past the end */
        {WISP_HC_NET_WRITE, IO_GPA, 0x20000, FRAME(0), 60},       /* page-table pool */
        {WISP_HC_NET_WRITE, IO_GPA, MEM_SIZE - 8, FRAME(0), 60},   /* array past the end */
        {WISP_HC_NET_WRITE, IO_GPA, BUFS_GPA, MEM_SIZE - 59, 60},  /* frame past the end */
        {WISP_HC_NET_WRITE, IO_GPA, BUFS_GPA, UINT64_MAX - 10, 60}, /* wraps */
        {WISP_HC_NET_READ, IO_GPA, BUFS_GPA, 0x1000, 60},         /* frame into the IDT page */
        {WISP_HC_NET_READ, IO_GPA, BUFS_GPA, TEXT_GPA, 60},       /* frame into text */
        {WISP_HC_NET_READ, IO_GPA, BUFS_GPA, 0x10000, 60},        /* frame into boot info */
        {WISP_HC_NET_WRITE, IO_GPA, TEXT_GPA, FRAME(0), 60},      /* OUT array in text */
        {WISP_HC_NET_WRITE, TEXT_GPA, BUFS_GPA, FRAME(0), 60},    /* OUT struct in text */
        {WISP_HC_NET_READ, IO_GPA, BUFS_GPA, MEM_SIZE - 59, 60},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int r;

        F->x->res.end = WISP_END_ERROR;
        memset(host(IO_GPA), 0, 64);
        io()->handle = 1;
        io()->bufs = cases[i].bufs_gpa;
        io()->count = 1;
        bufs()[0] = (struct wisp_net_buf){.data = cases[i].frame_gpa, .len = cases[i].len};
        if (cases[i].io_gpa != IO_GPA && cases[i].io_gpa + sizeof(struct wisp_hc_net_io) <= MEM_SIZE)
            memcpy(host(cases[i].io_gpa), io(), sizeof *io());
        r = F->x->vm.hypercalls[cases[i].nr](&F->x->vm, cases[i].io_gpa);
        assert_int_equal(r, HC_STOP);
        assert_int_equal(F->x->res.end, WISP_END_ABI);
        assert_int_equal(F->x->res.status, WISP_EXIT_GUEST_FAULT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mac_parse_good),
        cmocka_unit_test(mac_parse_bad),
        cmocka_unit_test(mac_random_local_unicast),
        cmocka_unit_test_setup_teardown(options_refused, setup_detached, teardown),
        cmocka_unit_test_setup_teardown(mac_option_and_check, setup_detached, teardown),
        cmocka_unit_test_setup_teardown(detached_module_is_inactive, setup_detached, teardown),
        cmocka_unit_test_setup_teardown(setup_registers, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_batch, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_full_batch, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_from_read_only_memory, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_bad_handle_or_count, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_stops_at_bad_frame, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(write_host_errors, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(read_nothing_pending, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(read_batch, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(read_oversized_not_truncated, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(read_bad_handle_or_count, setup_attached, teardown),
        cmocka_unit_test_setup_teardown(abi_violations, setup_attached, teardown),
    };

    signal(SIGPIPE, SIG_IGN); /* write_host_errors: EPIPE, not a signal */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
