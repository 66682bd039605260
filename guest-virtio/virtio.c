/*
 * virtio.c: the transport-independent part of virtio (spec 1.x section
 * 3.1, with the legacy differences): the device-status handshake and
 * feature negotiation, and dispatch to the transport of a device
 * (virtio_pci.c: PCI legacy and modern; virtio_mmio.c: MMIO legacy and v2).
 * Feature negotiation is checked: a feature the driver needs and the
 * device does not offer, or FEATURES_OK not kept by a modern device, ends
 * the boot with a message naming the device.
 */
#include "virtio_transport.h"

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_FAILED 128

static void fail(struct vg_vdev *d, const char *what)
{
    struct vg_line l = { .len = 0 };

    vg_vt_set_status(d, S_FAILED);
    vg_line_str(&l, "virtio device at ");
    vg_line_str(&l, d->where);
    vg_line_str(&l, ": ");
    vg_line_str(&l, what);
    vg_panic(l.buf);
}

uint64_t vg_vt_negotiate(struct vg_vdev *d, uint64_t want, uint64_t need)
{
    int modern = d->kind == VG_VT_PCI_MODERN || (d->kind == VG_VT_MMIO && d->mmio_version == 2);

    vg_vt_set_status(d, 0); /* reset */
    for (unsigned i = 0; i < 1000000 && vg_vt_status(d) != 0; i++)
        __asm__ __volatile__("pause");
    vg_vt_set_status(d, S_ACK);
    vg_vt_set_status(d, S_ACK | S_DRIVER);
    uint64_t offered = vg_vt_features(d);
    if (modern) {
        want |= VIRTIO_F_VERSION_1;
        need |= VIRTIO_F_VERSION_1;
    }
    uint64_t f = offered & want;
    if ((f & need) != need)
        fail(d, modern ? "lacks a feature the driver needs (VERSION_1 or the device's own)"
                       : "lacks a feature the driver needs");
    vg_vt_set_features(d, f);
    if (modern) {
        vg_vt_set_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
        if (!(vg_vt_status(d) & S_FEATURES_OK))
            fail(d, "did not accept the negotiated features (FEATURES_OK)");
    }
    d->modern = modern;
    return f;
}

void vg_vt_ready(struct vg_vdev *d)
{
    uint8_t s = S_ACK | S_DRIVER | S_DRIVER_OK;

    if (d->modern)
        s |= S_FEATURES_OK;
    vg_vt_set_status(d, s);
    if (vg_vt_status(d) & S_FAILED)
        fail(d, "failed after DRIVER_OK");
}

/* ---- dispatch -------------------------------------------------------------- */

void vg_vt_ack(struct vg_vdev *d)
{
    if (d->kind == VG_VT_PCI_LEGACY) {
        (void)vg_inb((uint16_t)(d->io + 0x13));
    } else if (d->kind == VG_VT_PCI_MODERN) {
        if (d->isr != 0)
            (void)vg_mmio_r8(d->isr);
    } else {
        uint32_t st = vg_mmio_r32(d->mmio + 0x060);
        if (st != 0)
            vg_mmio_w32(d->mmio + 0x064, st);
    }
}

uint64_t vg_vt_features(struct vg_vdev *d)
{
    return d->kind == VG_VT_MMIO ? vg_mmio_features(d) : vg_pci_features(d);
}

void vg_vt_set_features(struct vg_vdev *d, uint64_t f)
{
    if (d->kind == VG_VT_MMIO)
        vg_mmio_set_features(d, f);
    else
        vg_pci_set_features(d, f);
}

uint8_t vg_vt_status(struct vg_vdev *d)
{
    return d->kind == VG_VT_MMIO ? vg_mmio_status(d) : vg_pci_status(d);
}

void vg_vt_set_status(struct vg_vdev *d, uint8_t s)
{
    if (d->kind == VG_VT_MMIO)
        vg_mmio_set_status(d, s);
    else
        vg_pci_set_status(d, s);
}

uint8_t vg_vt_cfg8(struct vg_vdev *d, unsigned off)
{
    return d->kind == VG_VT_MMIO ? vg_mmio_cfg8(d, off) : vg_pci_cfg8(d, off);
}

uint32_t vg_vt_cfg32(struct vg_vdev *d, unsigned off)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)vg_vt_cfg8(d, off + i) << (8 * i);
    return v;
}

uint64_t vg_vt_cfg64(struct vg_vdev *d, unsigned off)
{
    /* Read twice until equal: the halves could change in between. */
    uint64_t a, b;

    do {
        a = vg_vt_cfg32(d, off) | (uint64_t)vg_vt_cfg32(d, off + 4) << 32;
        b = vg_vt_cfg32(d, off) | (uint64_t)vg_vt_cfg32(d, off + 4) << 32;
    } while (a != b);
    return a;
}

unsigned vg_vt_queue_max(struct vg_vdev *d, unsigned idx)
{
    return d->kind == VG_VT_MMIO ? vg_mmio_queue_max(d, idx) : vg_pci_queue_max(d, idx);
}

void vg_vt_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q)
{
    if (d->kind == VG_VT_MMIO)
        vg_mmio_queue_setup(d, idx, q);
    else
        vg_pci_queue_setup(d, idx, q);
}

void vg_vt_notify(struct vg_vdev *d, struct vg_virtq *q)
{
    if (d->kind == VG_VT_MMIO)
        vg_mmio_w32(d->mmio + 0x050, q->index);
    else if (d->kind == VG_VT_PCI_LEGACY)
        vg_outw((uint16_t)(d->io + 0x10), (uint16_t)q->index);
    else
        vg_mmio_w16(q->notify_addr, (uint16_t)q->index);
}
