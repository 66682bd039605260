/*
 * devices.c: the manifest, and how its devices meet the virtio devices.
 * The manifest is the image's own MFT1 note (read-only, from
 * wisp-elftool gen-manifest); a device's handle is its index (1..63).
 * Binding, so that one manifest serves every target: the k-th NET_BASIC
 * entry of the manifest (in manifest order) is the k-th virtio-net device
 * found, and the k-th BLOCK_BASIC entry the k-th virtio-blk device, where
 * devices are found PCI first (bus, device, function order) and then MMIO
 * (address order).  wisp-run-virtio adds the QEMU devices in manifest
 * order, so --net:NAME and --block:NAME reach the entry NAME.  Virtio
 * devices beyond the manifest's are left alone; a manifest device with no
 * virtio device to bind ends the boot with a message (status 255).
 */
#include "internal.h"

#define FOUND_MAX 16

extern const char _wisp_mft_note[]; /* virtio.ld */

static struct vg_vdev found_net[FOUND_MAX], found_blk[FOUND_MAX];
static unsigned nnet, nblk;
static struct vg_vdev *bound[MFT_MAX_ENTRIES];

static const struct mft *mft(uint32_t *n)
{
    /* The note: 12-byte header, "Solo5\0" padded to 8, 4 pad bytes. */
    const struct mft *m = (const struct mft *)(uintptr_t)(_wisp_mft_note + 24);

    *n = 0;
    if (m->version == MFT_VERSION)
        *n = m->entries <= MFT_MAX_ENTRIES ? m->entries : MFT_MAX_ENTRIES;
    return m;
}

void vg_dev_found(const struct vg_vdev *d)
{
    if (d->type == 1 && nnet < FOUND_MAX)
        found_net[nnet++] = *d;
    else if (d->type == 2 && nblk < FOUND_MAX)
        found_blk[nblk++] = *d;
}

static void unbound(const struct mft_entry *e, const char *kind, unsigned found)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, "manifest device '");
    vg_line_str(&l, e->name);
    vg_line_str(&l, "': no ");
    vg_line_str(&l, kind);
    vg_line_str(&l, " device left to bind it to (the VM has ");
    vg_line_dec(&l, found);
    vg_line_str(&l, ")");
    vg_panic(l.buf);
}

/* report: which virtio device an entry got, through which interface. */
static void report(const struct mft_entry *e, const struct vg_vdev *d)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, "device '");
    vg_line_str(&l, e->name);
    vg_line_str(&l, d->type == 1 ? "': virtio-net at " : "': virtio-blk at ");
    vg_line_str(&l, d->where);
    vg_line_str(&l, d->kind == VG_VT_PCI_LEGACY   ? ", legacy interface"
                    : d->kind == VG_VT_PCI_MODERN ? ", modern interface"
                    : d->mmio_version == 1        ? ", legacy (version 1)"
                                                  : ", version 2");
    if (d->type == 1 && d->irq >= 0) {
        vg_line_str(&l, ", wakes on IRQ ");
        vg_line_dec(&l, (uint64_t)d->irq);
    }
    vg_report(&l);
}

void vg_devices_init(void)
{
    uint32_t n;
    const struct mft *m = mft(&n);
    unsigned inet = 0, iblk = 0;

    for (uint32_t i = 1; i < n; i++) {
        const struct mft_entry *e = &m->e[i];

        if (e->type == MFT_DEV_NET_BASIC) {
            if (inet == nnet)
                unbound(e, "virtio-net", nnet);
            bound[i] = &found_net[inet++];
            vg_net_init(i, bound[i]);
            report(e, bound[i]);
        } else if (e->type == MFT_DEV_BLOCK_BASIC) {
            if (iblk == nblk)
                unbound(e, "virtio-blk", nblk);
            bound[i] = &found_blk[iblk++];
            vg_blk_init(i, bound[i]);
            report(e, bound[i]);
        }
    }
}

struct vg_vdev *vg_dev_of(solo5_handle_t handle)
{
    return handle < MFT_MAX_ENTRIES ? bound[handle] : NULL;
}

const struct mft_entry *vg_mft_by_handle(solo5_handle_t handle, enum mft_type type)
{
    uint32_t n;
    const struct mft *m = mft(&n);

    if (handle == 0 || handle >= n || m->e[handle].type != (uint32_t)type || !bound[handle])
        return NULL;
    return &m->e[handle];
}

const struct mft_entry *vg_mft_by_name(const char *name, enum mft_type type, unsigned *index)
{
    uint32_t n;
    const struct mft *m = mft(&n);

    if (name == NULL)
        return NULL;
    size_t len = wg_strnlen(name, MFT_NAME_SIZE);
    if (len == 0 || len > MFT_NAME_MAX)
        return NULL;
    for (uint32_t i = 1; i < n; i++) {
        const struct mft_entry *e = &m->e[i];
        if (e->type == (uint32_t)type && memcmp(e->name, name, len + 1) == 0 && bound[i]) {
            *index = i;
            return e;
        }
    }
    return NULL;
}
