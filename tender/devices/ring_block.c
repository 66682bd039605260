/*
 * The shared block ring of isolated mode (abi.h struct wisp_block_ring),
 * served in order, one request completed before the next starts, by the
 * device's I/O thread or by the vCPU thread in a kick exit (devices/ring.h;
 * the ring's lock makes them take turns).  Each descriptor is copied, then
 * checked: an unknown operation or a range blk_check refuses is
 * WISP_R_EINVAL; a buffer the guest may not use (readable for a write,
 * writable for a read) faults the ring, which ends the guest as the
 * BLOCK_* hypercalls do.  Reads copy from the image's read-only mapping
 * (pread where it has none), writes go through pwrite (blk_io; measured:
 * do_request()), flushes through io_uring (Debian's liburing; fdatasync if
 * the host refuses io_uring).  While it spins, the I/O thread
 * watches the ring between yields (RING_BLOCK_POLL_NS).  A FLUSH is
 * an fdatasync issued after every earlier request completed, so it
 * completes only once every earlier write is durable.  The request's
 * result goes to its descriptor's ret, then req.cons moves past it
 * (release).
 *
 * Seccomp: io_uring_enter on this ring's io_uring fd only, and only when a
 * block ring exists (ring_block_seccomp_rules); the io_uring itself is
 * created at setup, before the filter.  The operations io_uring performs
 * are the tender's own (it builds every submission from checked values).
 */
#include <errno.h>
#include <liburing.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "devices/block_backend.h"
#include "devices/ring.h"

#define SLOTS WISP_BLOCK_RING_SLOTS
/* The I/O thread watches the ring this long between sched_yields while it
 * spins (ring.h poll_ns): a yield is a syscall the hand-off waits behind. */
#define RING_BLOCK_POLL_NS 5000ull

struct block_priv {
    struct blk *blk;
    struct io_uring uring;
    int uring_ok;
    uint32_t cons; /* the host's own consumer index */
};

/* uring_fdatasync: an fdatasync of the image through io_uring, waited
 * for; 0 or -errno. */
static int uring_fdatasync(struct block_priv *p)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&p->uring);
    struct io_uring_cqe *cqe;
    int r;

    if (!sqe)
        return -EBUSY;
    io_uring_prep_fsync(sqe, p->blk->fd, IORING_FSYNC_DATASYNC);
    do
        r = io_uring_submit_and_wait(&p->uring, 1);
    while (r == -EINTR);
    if (r < 0)
        return r;
    do
        r = io_uring_wait_cqe(&p->uring, &cqe);
    while (r == -EINTR);
    if (r < 0)
        return r;
    r = cqe->res;
    io_uring_cqe_seen(&p->uring, cqe);
    return r;
}

static int32_t flush(struct block_priv *p)
{
    if (p->blk->ro)
        return WISP_R_EINVAL;
    if (!p->uring_ok)
        return blk_flush(p->blk);
    return uring_fdatasync(p) < 0 ? WISP_R_EUNSPEC : WISP_R_OK;
}

/* do_request: one copied descriptor; its WISP_R_* result. */
static int32_t do_request(struct ring_dev *d, struct block_priv *p,
                          const struct wisp_block_desc *desc)
{
    int write = desc->op == WISP_BLOCK_OP_WRITE;
    enum guest_fault fault;
    void *buf;
    int32_t r;

    if (desc->op == WISP_BLOCK_OP_FLUSH) {
        d->st->flushes++;
        return flush(p);
    }
    if (desc->op != WISP_BLOCK_OP_READ && !write) {
        d->st->ring_refused++;
        return WISP_R_EINVAL;
    }
    if (blk_check(p->blk, write, desc->offset, desc->len) != WISP_R_OK)
        return WISP_R_EINVAL;
    buf = guest_range(d->vm, desc->data, desc->len, !write, &fault);
    if (!buf) {
        /* As the hypercalls: the guest's buffer is the guest's fault. */
        d->st->ring_refused++;
        ring_fault(d, "%s buffer: guest address 0x%llx, size %llu is %s",
                   write ? "BLOCK_WRITE" : "BLOCK_READ", (unsigned long long)desc->data,
                   (unsigned long long)desc->len, guest_fault_phrase(fault));
        return WISP_R_EINVAL;
    }
    /* blk_io: a read is a memcpy from the image's mapping (guarded
     * against a truncated image), a write a pwrite.  One request is in
     * flight (the API is synchronous), so io_uring has nothing to batch
     * or overlap here and costs more per request.  Measured on kvm_pvm,
     * 4 KiB at random blocks of a cached 64 MiB image: bench/handoff,
     * mapping 284 ns, pread 538-547 ns, io_uring 684-706 ns, pwrite
     * 8.9 us, io_uring 11.1 us (a buffered write goes to an io_uring
     * worker thread on this kernel); blkbench rand_read_4k through the
     * ring, interleaved runs, medians: 623,000/s with io_uring, 794,000/s
     * with pread (7 runs, 2026-11-30); 925,000/s with pread, 1,186,000/s
     * from the mapping (7 runs under SCHED_FIFO, 2026-12-01).  io_uring
     * serves the flush. */
    r = blk_io(p->blk, write, desc->offset, buf, desc->len);
    if (r != WISP_R_OK) {
        /* Said once per device; --stats counts them all. */
        if (!d->st->io_errors++)
            vm_log(d->vm, "block device '%s': a %s of %llu bytes at offset %llu failed (a host "
                   "I/O error, or the image shrank under the device); the guest gets EUNSPEC",
                   d->vm->mft->e[d->handle].name, write ? "write" : "read",
                   (unsigned long long)desc->len, (unsigned long long)desc->offset);
    } else if (write) {
        d->st->writes++;
        d->st->write_bytes += desc->len;
    } else {
        d->st->reads++;
        d->st->read_bytes += desc->len;
    }
    return r;
}

static unsigned block_serve(struct ring_dev *d)
{
    struct wisp_block_ring *r = d->ring;
    struct block_priv *p = d->priv;
    uint32_t prod = ring_load(&r->req.prod);
    int64_t avail = ring_pending_count(prod, p->cons, SLOTS);
    unsigned n = 0;

    if (avail < 0) {
        ring_fault(d, "request producer index %u is more than %u entries ahead of the "
                   "consumer index %u", prod, SLOTS, p->cons);
        return 0;
    }
    for (; avail > 0; avail--, n++) {
        struct wisp_block_desc desc, *slot = &r->desc[p->cons % SLOTS];
        int32_t ret;

        memcpy(&desc, (const void *)slot, sizeof desc); /* one copy; only it is checked */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        ret = do_request(d, p, &desc);
        if (__atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
            return n; /* not completed: the guest is ended at its next exit */
        /* ret first (release: after the data), then cons: a guest may
         * watch either (abi.h). */
        __atomic_store_n(&slot->ret, ret, __ATOMIC_RELEASE);
        __atomic_store_n(&p->cons, p->cons + 1, __ATOMIC_RELAXED); /* block_pending */
        ring_store(&r->req.cons, p->cons);
    }
    if (n)
        ring_notify(d);
    return n;
}

/* block_pending: whether the guest published a request not yet served;
 * only reads (the I/O thread calls it without the lock, ring.h poll_ns).
 * It also prefetches the next request's descriptor: the guest writes it
 * just before the producer index, so the two cache-line transfers
 * overlap instead of following each other when the request comes
 * (measured: rand_read_4k +9%, 9 interleaved runs). */
static int block_pending(struct ring_dev *d)
{
    struct wisp_block_ring *r = d->ring;
    uint32_t cons = __atomic_load_n(&((struct block_priv *)d->priv)->cons, __ATOMIC_RELAXED);

    __builtin_prefetch(&r->desc[cons % SLOTS]);
    return ring_load(&r->req.prod) != cons;
}

static int block_wait_fd(struct ring_dev *d)
{
    (void)d;
    return -1;
}

static void block_release(struct ring_dev *d)
{
    struct block_priv *p = d->priv;

    if (p->uring_ok)
        io_uring_queue_exit(&p->uring);
    free(p);
}

const struct ring_ops ring_block_ops = {
    .kind = "block",
    .serve = block_serve,
    .pending = block_pending,
    .wait_fd = block_wait_fd,
    .release = block_release,
    .serve_on_kick = 1,
    .poll_ns = RING_BLOCK_POLL_NS,
};

void *ring_block_priv_new(struct blk *blk, int use_io_uring)
{
    struct block_priv *p = calloc(1, sizeof *p);

    if (p) {
        p->blk = blk;
        p->uring_ok = use_io_uring && io_uring_queue_init(4, &p->uring, 0) == 0;
    }
    return p;
}

struct ring_dev *ring_block_start(struct vm *vm, unsigned handle, struct blk *blk)
{
    struct block_priv *p = ring_block_priv_new(blk, 1);
    struct ring_dev *d;

    if (!p) {
        vm_fail(vm, "out of memory");
        return NULL;
    }
    d = ring_dev_start(vm, handle, &ring_block_ops, p);
    if (!d)
        block_release(&(struct ring_dev){.priv = p});
    return d;
}

int ring_block_seccomp_rules(struct vm *vm, void *ctx)
{
    for (unsigned h = 1; h < MFT_MAX_ENTRIES; h++) {
        struct ring_dev *d = vm->rings[h];
        struct block_priv *p;

        if (!d || d->ops != &ring_block_ops)
            continue;
        p = d->priv;
        if (p->uring_ok &&
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(io_uring_enter), 1,
                             SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)p->uring.ring_fd)))
            return vm_fail(vm, "seccomp: cannot add the block ring rules");
    }
    return 0;
}
