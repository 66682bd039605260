/*
 * Shared by the fuzz targets of the device hypercalls (fuzz_devcall.c,
 * fuzz_hvt_hypercall.c): a tests' struct vm fixture (vm_fixture.h, no
 * KVM) with a NET_BASIC device "service0" (handle 1) whose tap is one end
 * of a datagram socketpair, and a BLOCK_BASIC device "storage" (handle 2)
 * attached through the block module's own option and check
 * (--block:storage=FILE, a 64 KiB temporary file, 512-byte blocks); the
 * input format of calls, frames and guest-memory patches; and the
 * snapshot of the regions the guest may only read.
 *
 * Input: byte 0 gives the number of calls (1..8); each call is 10 bytes:
 * a selector, a mode and 8 bytes making the argument GPA (mode bit 0: raw;
 * else an offset around the start of the region (mode >> 1) % nregions);
 * then one byte: how many frames (0..7) wait on the tap for NET_READ, the
 * frames ([u16 len][bytes]); the rest are patches of guest RAM
 * ([u32 gpa][u16 len][bytes], gpa modulo the RAM size, clipped), which give
 * the fuzzer the argument structs, buffer arrays and pointers.  RAM is
 * small (fd_setup's caller picks it) and copied back from its snapshot
 * after each input, so every input starts from the same guest memory.
 */
#ifndef WISP_FUZZ_DEVICES_H
#define WISP_FUZZ_DEVICES_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/module.h"
#include "devices/block_backend.h"
#include "core/vm.h"
#include "vm_fixture.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define FD_MAX_CALLS 8
#define FD_NET 1
#define FD_BLK 2

struct fd_call {
    uint8_t sel;
    uint64_t gpa;
};

static struct vm_fixture *X;
static int fd_tap[2]; /* [0]: the tender's "tap", [1]: the host side */
static uint8_t *fd_ro_copy; /* RAM as set up */
static uint8_t *fd_ro_seen; /* RAM after the input's patches */
static unsigned fd_queued; /* frames fd_decode queued on the tap */

static const struct vm_fixture_dev fd_devs[] = {
    {"service0", MFT_DEV_NET_BASIC},
    {"storage", MFT_DEV_BLOCK_BASIC},
};

/* fd_setup: the fixture in `mode` with `mem` bytes of RAM and both
 * devices attached (call before the regions and hypercalls are set). */
static void fd_setup(const struct mode_ops *mode, uint64_t mem)
{
    static char blk_path[] = "/tmp/fuzz_devices.XXXXXX";
    static char blk_arg[64];
    int fd;

    X = vm_fixture_new(mode, mem, fd_devs, 2);
    CHECK(X != NULL);
    X->cfg.console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    CHECK(X->cfg.console_fd >= 0);
    X->vm.kernel = "fuzz";
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd_tap) == 0);
    X->vm.mft->e[FD_NET].attached = 1;
    X->vm.mft->e[FD_NET].u.net_basic.mtu = 1500;
    X->vm.mft->e[FD_NET].b.hostfd = fd_tap[0];
    fd = mkstemp(blk_path);
    CHECK(fd >= 0 && ftruncate(fd, 65536) == 0);
    close(fd);
    snprintf(blk_arg, sizeof blk_arg, "--block:storage=%s", blk_path);
    CHECK(module_block.handle_option(&X->vm, blk_arg) == OPT_OK);
    CHECK(module_block.check(&X->vm) == 0);
    unlink(blk_path); /* the device keeps it open */
    CHECK(X->vm.mft->e[FD_BLK].attached);
}

/* fd_snapshot_ro: remember guest RAM as set up (regions and contents). */
static void fd_snapshot_ro(void)
{
    fd_ro_copy = malloc(X->vm.mem_size);
    fd_ro_seen = malloc(X->vm.mem_size);
    CHECK(fd_ro_copy != NULL && fd_ro_seen != NULL);
    memcpy(fd_ro_copy, X->vm.mem, X->vm.mem_size);
}

/* fd_ro_unchanged: no byte of a read-only region changed since the
 * patches (which may write anywhere: the image is hostile too). */
static int fd_ro_unchanged(void)
{
    for (unsigned i = 0; i < X->vm.nregions; i++) {
        const struct vm_region *r = &X->vm.regions[i];

        if (!r->writable && memcmp(X->vm.mem + r->start, fd_ro_seen + r->start,
                                   r->end - r->start) != 0)
            return 0;
    }
    return 1;
}

static uint64_t fd_get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

/* fd_drain: read every datagram waiting on fd; returns their number. */
static unsigned fd_drain(int fd)
{
    static char b[65536];
    unsigned n = 0;

    while (recv(fd, b, sizeof b, 0) >= 0)
        n++;
    return n;
}

/* fd_decode: the calls (returns their number) and frames of the input,
 * and applies its patches to guest RAM (remembered for fd_undo). */
static unsigned fd_decode(const uint8_t *data, size_t size, struct fd_call *calls)
{
    uint64_t mem = X->vm.mem_size;
    unsigned ncalls, nframes;
    size_t at = 1;

    ncalls = size ? 1 + data[0] % FD_MAX_CALLS : 0;
    for (unsigned i = 0; i < ncalls; i++) {
        uint8_t mode;
        uint64_t raw;

        if (at + 10 > size) {
            ncalls = i;
            break;
        }
        calls[i].sel = data[at];
        mode = data[at + 1];
        raw = fd_get64(data + at + 2);
        at += 10;
        if (mode & 1) {
            calls[i].gpa = raw;
        } else {
            const struct vm_region *r = &X->vm.regions[(mode >> 1) % X->vm.nregions];

            calls[i].gpa = r->start - 32 + raw % (r->end - r->start + 64);
        }
    }
    nframes = at < size ? data[at++] % 8 : 0;
    fd_queued = 0;
    for (unsigned f = 0; f < nframes && at + 2 <= size; f++) {
        size_t len = (size_t)data[at] | (size_t)data[at + 1] << 8;

        at += 2;
        if (len > size - at)
            len = size - at;
        /* a tap never hands over an empty frame: none here either */
        if (len > 0 && send(fd_tap[1], data + at, len, 0) >= 0)
            fd_queued++;
        at += len;
    }
    while (at + 6 <= size) {
        uint32_t g;
        uint16_t len;

        memcpy(&g, data + at, 4);
        memcpy(&len, data + at + 4, 2);
        at += 6;
        g %= mem;
        if (len > size - at)
            len = (uint16_t)(size - at);
        if (len > mem - g)
            len = (uint16_t)(mem - g);
        memcpy(X->vm.mem + g, data + at, len);
        at += len;
    }
    for (unsigned i = 0; i < X->vm.nregions; i++) {
        const struct vm_region *r = &X->vm.regions[i];

        if (!r->writable)
            memcpy(fd_ro_seen + r->start, X->vm.mem + r->start, r->end - r->start);
    }
    return ncalls;
}

/* fd_undo: guest RAM back to its snapshot, both ends of the tap empty. */
static void fd_undo(void)
{
    memcpy(X->vm.mem, fd_ro_copy, X->vm.mem_size);
    fd_drain(fd_tap[0]);
    fd_drain(fd_tap[1]);
}

#endif /* WISP_FUZZ_DEVICES_H */
