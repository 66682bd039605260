/*
 * virtio_pci.c: the two PCI interfaces of a virtio device.
 *   legacy (virtio 0.9.5, QEMU disable-modern=on): registers in I/O BAR 0:
 *     features 0x00 (device) / 0x04 (driver), 32 bits only; queue page frame
 *     0x08, size 0x0c (fixed by the device), select 0x0e, notify 0x10,
 *     status 0x12, ISR 0x13, device configuration from 0x14 (no MSI-X).
 *   modern (virtio 1.x, QEMU disable-legacy=on): the common configuration
 *     structure in a memory BAR (offsets below), notification at
 *     notify + queue_notify_off * notify_off_multiplier, 64-bit features.
 */
#include "virtio_transport.h"

#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_STATUS 0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF 0x1e
#define C_Q_DESC 0x20
#define C_Q_AVAIL 0x28
#define C_Q_USED 0x30

static uint16_t io(struct vg_vdev *d, unsigned off)
{
    return (uint16_t)(d->io + off);
}

uint64_t vg_pci_features(struct vg_vdev *d)
{
    if (d->kind == VG_VT_PCI_LEGACY)
        return vg_inl(io(d, 0x00));
    vg_mmio_w32(d->common + C_DFSELECT, 0);
    uint64_t f = vg_mmio_r32(d->common + C_DF);
    vg_mmio_w32(d->common + C_DFSELECT, 1);
    return f | (uint64_t)vg_mmio_r32(d->common + C_DF) << 32;
}

void vg_pci_set_features(struct vg_vdev *d, uint64_t f)
{
    if (d->kind == VG_VT_PCI_LEGACY) {
        vg_outl(io(d, 0x04), (uint32_t)f);
        return;
    }
    vg_mmio_w32(d->common + C_GFSELECT, 0);
    vg_mmio_w32(d->common + C_GF, (uint32_t)f);
    vg_mmio_w32(d->common + C_GFSELECT, 1);
    vg_mmio_w32(d->common + C_GF, (uint32_t)(f >> 32));
}

uint8_t vg_pci_status(struct vg_vdev *d)
{
    return d->kind == VG_VT_PCI_LEGACY ? vg_inb(io(d, 0x12)) : vg_mmio_r8(d->common + C_STATUS);
}

void vg_pci_set_status(struct vg_vdev *d, uint8_t s)
{
    if (d->kind == VG_VT_PCI_LEGACY)
        vg_outb(io(d, 0x12), s);
    else
        vg_mmio_w8(d->common + C_STATUS, s);
}

uint8_t vg_pci_cfg8(struct vg_vdev *d, unsigned off)
{
    return d->kind == VG_VT_PCI_LEGACY ? vg_inb(io(d, 0x14 + off)) : vg_mmio_r8(d->devcfg + off);
}

unsigned vg_pci_queue_max(struct vg_vdev *d, unsigned idx)
{
    if (d->kind == VG_VT_PCI_LEGACY) {
        vg_outw(io(d, 0x0e), (uint16_t)idx);
        return vg_inw(io(d, 0x0c));
    }
    vg_mmio_w16(d->common + C_Q_SELECT, (uint16_t)idx);
    return vg_mmio_r16(d->common + C_Q_SIZE);
}

static void w64(uint64_t a, uint64_t v)
{
    vg_mmio_w32(a, (uint32_t)v);
    vg_mmio_w32(a + 4, (uint32_t)(v >> 32));
}

void vg_pci_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q)
{
    if (d->kind == VG_VT_PCI_LEGACY) {
        vg_outw(io(d, 0x0e), (uint16_t)idx);
        vg_outl(io(d, 0x08), (uint32_t)((uint64_t)(uintptr_t)q->desc >> 12));
        return;
    }
    vg_mmio_w16(d->common + C_Q_SELECT, (uint16_t)idx);
    vg_mmio_w16(d->common + C_Q_SIZE, (uint16_t)q->size);
    w64(d->common + C_Q_DESC, (uint64_t)(uintptr_t)q->desc);
    w64(d->common + C_Q_AVAIL, (uint64_t)(uintptr_t)q->avail);
    w64(d->common + C_Q_USED, (uint64_t)(uintptr_t)q->used);
    q->notify_addr = d->notify + (uint64_t)vg_mmio_r16(d->common + C_Q_NOFF) * d->notify_mul;
    vg_mmio_w16(d->common + C_Q_ENABLE, 1);
}
