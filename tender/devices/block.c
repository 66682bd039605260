/*
 * The block module: --block:NAME=PATH (read-write), --block-ro:NAME=PATH
 * (read-only, beyond Solo5) and --block-sector-size:NAME=N attach an image
 * to a BLOCK_BASIC device of the manifest; the BLOCK_READ, BLOCK_WRITE and
 * BLOCK_FLUSH hypercalls (include/wisp/abi.h), or in compatibility mode
 * Solo5's BLOCK_WRITE and BLOCK_READ, serve it through the backend in
 * block_backend.c.  The device's state is struct block_dev, in
 * vm->dev_priv[handle].  Nothing is registered, and no syscall allowed,
 * unless a block device is attached.
 *
 * Error policy (isolated mode): a bad handle, offset or length is the
 * guest's per-request error (ret = WISP_R_EINVAL); a host I/O error is
 * WISP_R_EUNSPEC and the guest goes on; a buffer outside guest RAM, or a
 * read into memory the guest itself may not write, ends the guest as an
 * ABI violation.
 */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "devices/block_backend.h"
#include "devices/device.h"
#include "devices/ring.h"
#include "core/module.h"
#include "core/vm.h"
#include "wisp/hvt_abi.h"


/* Host state of one BLOCK_BASIC device, in vm->dev_priv[handle]. */
struct block_dev {
    struct blk blk;
    const char *attach_arg; /* the --block: or --block-ro: option, or NULL */
    const char *size_arg;   /* the --block-sector-size: option, or NULL */
    uint32_t block_size;    /* from size_arg; 0: BLK_SIZE_DEFAULT */
};

enum block_opt { OPT_ATTACH, OPT_ATTACH_RO, OPT_SECTOR_SIZE };

static const char *const block_prefixes[] = {
    [OPT_ATTACH] = "--block:",
    [OPT_ATTACH_RO] = "--block-ro:",
    [OPT_SECTOR_SIZE] = "--block-sector-size:",
    NULL,
};

/* block_dev_get: the state of device `handle`, created on first use. */
static struct block_dev *block_dev_get(struct vm *vm, unsigned handle)
{
    struct block_dev *d = vm->dev_priv[handle];

    if (d)
        return d;
    d = calloc(1, sizeof *d);
    if (!d) {
        vm_fail(vm, "out of memory");
        return NULL;
    }
    d->blk.fd = -1;
    vm->dev_priv[handle] = d;
    return d;
}

/* block_attach: --block: / --block-ro: for device `name`: open and lock. */
static enum opt_result block_attach(struct vm *vm, struct block_dev *d, const char *arg,
                                    const char *name, const char *path, int ro)
{
    char err[BLK_ERR_MAX];

    if (d->attach_arg) {
        vm_fail(vm, "%s: device '%s' is already attached by %s", arg, name, d->attach_arg);
        return OPT_ERROR;
    }
    if (blk_open(&d->blk, path, ro, err)) {
        vm_fail(vm, "%s: %s", arg, err);
        return OPT_ERROR;
    }
    d->attach_arg = arg;
    return OPT_OK;
}

static enum opt_result block_sector_size(struct vm *vm, struct block_dev *d, const char *arg,
                                         const char *name, const char *value)
{
    if (d->size_arg) {
        vm_fail(vm, "%s: the block size of '%s' is already set by %s", arg, name, d->size_arg);
        return OPT_ERROR;
    }
    if (blk_parse_block_size(value, &d->block_size)) {
        vm_fail(vm, "%s: Block size must be a multiple of 2 greater than or equal 512 "
                "(a power of two from %u to %u)", arg, BLK_SIZE_MIN, BLK_SIZE_MAX);
        return OPT_ERROR;
    }
    d->size_arg = arg;
    return OPT_OK;
}

static enum opt_result block_option(struct vm *vm, const char *arg)
{
    char name[MFT_NAME_SIZE];
    const char *value;
    struct mft_entry *e;
    struct block_dev *d;
    unsigned handle;

    for (int kind = 0; block_prefixes[kind]; kind++) {
        enum opt_result r = device_option(vm, arg, block_prefixes[kind], name, &value);

        if (r == OPT_NOT_MINE)
            continue;
        if (r == OPT_ERROR ||
            device_lookup(vm, arg, name, MFT_DEV_BLOCK_BASIC, &e, &handle) == OPT_ERROR)
            return OPT_ERROR;
        d = block_dev_get(vm, handle);
        if (!d)
            return OPT_ERROR;
        if (kind == OPT_SECTOR_SIZE)
            return block_sector_size(vm, d, arg, name, value);
        return block_attach(vm, d, arg, name, value, kind == OPT_ATTACH_RO);
    }
    return OPT_NOT_MINE;
}

/* block_check: with every option known, size-check each attached image
 * against its block size and fill the manifest copy. */
static int block_check(struct vm *vm)
{
    char err[BLK_ERR_MAX];

    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct mft_entry *e = &vm->mft->e[i];
        struct block_dev *d = vm->dev_priv[i];
        uint32_t bs;

        if (e->type != MFT_DEV_BLOCK_BASIC || !d || !d->attach_arg)
            continue; /* not attached: the core's missing-device check says so */
        bs = d->block_size ? d->block_size : BLK_SIZE_DEFAULT;
        /* solo5-hvt's words first (its test suite matches them), then ours */
        if (blk_set_block_size(&d->blk, bs, err))
            return vm_fail(vm, "%s: Backing storage size must be %s: %s", d->attach_arg,
                           d->blk.size % bs ? "block aligned" : "at least 1 block", err);
        e->u.block_basic.capacity = d->blk.size;
        e->u.block_basic.block_size = (uint16_t)d->blk.block_size;
        e->b.hostfd = d->blk.fd;
        e->attached = 1;
    }
    return 0;
}

/* block_dev: the attached block device `handle`, or NULL. */
static struct block_dev *block_dev(struct vm *vm, uint64_t handle)
{
    return device_entry(vm, handle, MFT_DEV_BLOCK_BASIC) ? vm->dev_priv[handle] : NULL;
}

static int hc_block_io(struct vm *vm, wisp_gpa_t gpa, int write)
{
    const char *what = write ? "BLOCK_WRITE" : "BLOCK_READ";
    struct wisp_hc_block_io *a;
    struct block_dev *d;
    uint64_t offset, len;
    void *buf;

    GUEST_PTR_W(vm, a, gpa, sizeof *a, what);
    d = block_dev(vm, a->handle);
    offset = a->offset;
    len = a->len;
    if (!d || blk_check(&d->blk, write, offset, len) != WISP_R_OK) {
        a->ret = WISP_R_EINVAL;
        return HC_CONTINUE;
    }
    if (write)
        GUEST_PTR(vm, buf, a->data, len, "BLOCK_WRITE buffer");
    else
        GUEST_PTR_W(vm, buf, a->data, len, "BLOCK_READ buffer");
    a->ret = blk_io(&d->blk, write, offset, buf, len);
    return HC_CONTINUE;
}

static int hc_block_read(struct vm *vm, wisp_gpa_t gpa)
{
    return hc_block_io(vm, gpa, 0);
}

static int hc_block_write(struct vm *vm, wisp_gpa_t gpa)
{
    return hc_block_io(vm, gpa, 1);
}

static int hc_block_flush(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_block_flush *a;
    struct block_dev *d;

    GUEST_PTR_W(vm, a, gpa, sizeof *a, "BLOCK_FLUSH");
    d = block_dev(vm, a->handle);
    a->ret = d ? blk_flush(&d->blk) : WISP_R_EINVAL;
    return HC_CONTINUE;
}

/*
 * Compatibility mode (Solo5 hvt ABI, SOLO5_HVT_ABI.md 1.2): BLOCK_WRITE and
 * BLOCK_READ as solo5-hvt serves them, with two deliberate differences:
 * the request goes through blk_check (offset and length whole blocks,
 * which Solo5's guest bindings already require), and a host I/O error is
 * returned to the guest (EUNSPEC) instead of ending the tender.  A bad
 * guest address is a tender error, as in Solo5.
 */
static int hvt_hc_block_io(struct vm *vm, uint64_t gpa, int write)
{
    const char *what = write ? "BLOCK_WRITE" : "BLOCK_READ";
    /* Both structs share one layout (hvt_abi.h offsets). */
    struct hvt_hc_block_read *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 1, what);
    struct block_dev *d;
    uint64_t offset, len;
    void *buf;

    if (!a)
        return -1;
    offset = a->offset;
    len = a->len;
    d = block_dev(vm, a->handle);
    if (!d || blk_check(&d->blk, write, offset, len) != HVT_R_OK) {
        a->ret = HVT_R_EINVAL;
        return HC_CONTINUE;
    }
    buf = guest_ptr_or_fail(vm, a->data, len, !write,
                            write ? "BLOCK_WRITE data" : "BLOCK_READ data");
    if (!buf)
        return -1;
    a->ret = blk_io(&d->blk, write, offset, buf, len);
    return HC_CONTINUE;
}

static int hvt_hc_block_write(struct vm *vm, uint64_t gpa)
{
    return hvt_hc_block_io(vm, gpa, 1);
}

static int hvt_hc_block_read(struct vm *vm, uint64_t gpa)
{
    return hvt_hc_block_io(vm, gpa, 0);
}

/* block_attached: whether any block device is attached (then, and only
 * then, the guest has the block hypercalls, in either mode). */
static int block_attached(const struct vm *vm)
{
    for (unsigned i = 1; i < vm->mft->entries; i++)
        if (vm->mft->e[i].type == MFT_DEV_BLOCK_BASIC && vm->mft->e[i].attached)
            return 1;
    return 0;
}

/* block_setup: in isolated mode (unless --no-rings), the shared-ring I/O
 * thread of each attached device, idle until the guest names the ring. */
static int block_setup(struct vm *vm)
{
    if (vm->mode->id != MODE_ISOLATED || vm->cfg->no_rings)
        return 0;
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct block_dev *d = block_dev(vm, i);

        if (d && !ring_block_start(vm, i, &d->blk))
            return -1;
    }
    return 0;
}

static int hc_block_ring(struct vm *vm, wisp_gpa_t gpa)
{
    return ring_setup_hypercall(vm, gpa, MFT_DEV_BLOCK_BASIC, sizeof(struct wisp_block_ring),
                                "BLOCK_RING");
}

static const struct module_hypercall block_hypercalls[] = {
    {WISP_HC_BLOCK_READ, hc_block_read},
    {WISP_HC_BLOCK_WRITE, hc_block_write},
    {WISP_HC_BLOCK_FLUSH, hc_block_flush},
    {WISP_HC_BLOCK_RING, hc_block_ring},
    {0, NULL},
};

static const struct module_hypercall block_hvt_hypercalls[] = {
    {HVT_HYPERCALL_BLOCK_WRITE, hvt_hc_block_write},
    {HVT_HYPERCALL_BLOCK_READ, hvt_hc_block_read},
    {0, NULL},
};

/* block_seccomp_rules: pread64 on each attached image; pwrite64 and
 * fdatasync on each read-write one; nothing else, and nothing at all
 * without a block device. */
static int block_seccomp_rules(struct vm *vm, void *ctx)
{
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct block_dev *d = block_dev(vm, i);
        scmp_datum_t fd;
        int r;

        if (!d)
            continue;
        fd = (scmp_datum_t)d->blk.fd;
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pread64), 1,
                             SCMP_A0(SCMP_CMP_EQ, fd));
        if (!r && !d->blk.ro)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pwrite64), 1,
                                 SCMP_A0(SCMP_CMP_EQ, fd)) ||
                seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fdatasync), 1,
                                 SCMP_A0(SCMP_CMP_EQ, fd));
        if (r)
            return vm_fail(vm, "seccomp: cannot add the block rules");
    }
    return ring_block_seccomp_rules(vm, ctx);
}

static void block_teardown(struct vm *vm)
{
    if (!vm->mft)
        return;
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct block_dev *d = vm->dev_priv[i];

        if (vm->mft->e[i].type != MFT_DEV_BLOCK_BASIC || !d)
            continue;
        ring_dev_stop(vm->rings[i]);
        blk_close(&d->blk);
        free(d);
        vm->dev_priv[i] = NULL;
    }
}

const struct module module_block = {
    .option_prefixes = block_prefixes,
    .usage = "  --block:NAME=PATH\n"
             "                 attach the image file or block device PATH, read-write\n"
             "                 and exclusively locked, to the block device NAME\n"
             "  --block-ro:NAME=PATH\n"
             "                 attach PATH read-only (shared lock); writes fail\n"
             "  --block-sector-size:NAME=N\n"
             "                 block size of NAME in bytes: a power of two from 512 to\n"
             "                 32768 (default 512); the image must be a whole number\n"
             "                 of blocks\n",
    .handle_option = block_option,
    .check = block_check,
    .setup = block_setup,
    .attached = block_attached,
    .hypercalls = {[MODE_ISOLATED] = block_hypercalls, [MODE_HVT] = block_hvt_hypercalls},
    .seccomp_rules = block_seccomp_rules,
    .teardown = block_teardown,
};
