/*
 * Compat-mode device hypercalls (SOLO5_HVT_ABI.md 1.2): BLOCK_WRITE,
 * BLOCK_READ, NET_WRITE, NET_READ over the devices the block and net
 * modules attached (their options, checks, manifest entries, poll sources
 * and seccomp rules serve both modes).  Registered only when a device of
 * the type is attached, as in Solo5, so a guest without one gets "Invalid
 * guest hypercall".
 *
 * Semantics as solo5-hvt, with two deliberate differences: the block
 * request goes through blk_check (offset and length whole blocks, which
 * Solo5's guest bindings already require), and a host I/O error is
 * returned to the guest (EUNSPEC) instead of ending the tender.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/block_backend.h"
#include "devices/device.h"
#include "modes/hvt/hvt.h"
#include "core/vm.h"

/* hvt_blk: a backend view of the attached BLOCK_BASIC entry `handle`,
 * from the manifest the block module filled (fd, capacity, block size). */
static int hvt_blk(struct vm *vm, uint64_t handle, struct blk *b)
{
    const struct mft_entry *e = device_entry(vm, handle, MFT_DEV_BLOCK_BASIC);

    if (!e)
        return -1;
    b->fd = (int)e->b.hostfd;
    b->size = e->u.block_basic.capacity;
    b->block_size = e->u.block_basic.block_size;
    b->ro = (uint64_t)handle < 64 && (vm->hvt->blk_ro & (1ull << handle));
    return 0;
}

static int hc_block(struct vm *vm, uint64_t gpa, int write)
{
    const char *what = write ? "BLOCK_WRITE" : "BLOCK_READ";
    /* Both structs share one layout (hvt_abi.h offsets). */
    struct hvt_hc_block_read *a = hvt_checked_gpa_w(vm, gpa, sizeof *a, what);
    uint64_t offset, len;
    struct blk b;
    void *buf;

    if (!a)
        return -1;
    offset = a->offset;
    len = a->len;
    if (hvt_blk(vm, a->handle, &b) || blk_check(&b, write, offset, len) != HVT_R_OK) {
        a->ret = HVT_R_EINVAL;
        return HC_CONTINUE;
    }
    buf = write ? hvt_checked_gpa(vm, a->data, len, "BLOCK_WRITE data")
                : hvt_checked_gpa_w(vm, a->data, len, "BLOCK_READ data");
    if (!buf)
        return -1;
    a->ret = blk_io(&b, write, offset, buf, len);
    return HC_CONTINUE;
}

static int hc_block_write(struct vm *vm, uint64_t gpa)
{
    return hc_block(vm, gpa, 1);
}

static int hc_block_read(struct vm *vm, uint64_t gpa)
{
    return hc_block(vm, gpa, 0);
}

static int hc_net_write(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_net_write *a = hvt_checked_gpa_w(vm, gpa, sizeof *a, "NET_WRITE");
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
    data = hvt_checked_gpa(vm, a->data, a->len, "NET_WRITE data");
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

static int hc_net_read(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_net_read *a = hvt_checked_gpa_w(vm, gpa, sizeof *a, "NET_READ");
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
    iov.iov_base = hvt_checked_gpa_w(vm, a->data, a->len, "NET_READ data");
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

void hvt_dev_register(struct vm *vm)
{
    struct hvt *h = vm->hvt;
    int blocks = 0, nics = 0;

    for (unsigned i = 1; i < vm->mft->entries; i++) {
        const struct mft_entry *e = &vm->mft->e[i];

        if (!e->attached)
            continue;
        if (e->type == MFT_DEV_NET_BASIC)
            nics++;
        if (e->type == MFT_DEV_BLOCK_BASIC) {
            int fl = fcntl((int)e->b.hostfd, F_GETFL);

            blocks++;
            if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY) /* --block-ro */
                h->blk_ro |= 1ull << i;
        }
    }
    if (blocks) {
        h->hc[HVT_HYPERCALL_BLOCK_WRITE] = hc_block_write;
        h->hc[HVT_HYPERCALL_BLOCK_READ] = hc_block_read;
    }
    if (nics) {
        h->hc[HVT_HYPERCALL_NET_WRITE] = hc_net_write;
        h->hc[HVT_HYPERCALL_NET_READ] = hc_net_read;
    }
}
