/*
 * virtio_mmio.c: virtio over MMIO (spec 1.x section 4.2), version 2 and
 * legacy version 1 (QEMU's default, force-legacy=on).  Devices are found
 * where the command line's virtio_mmio.device= words say (cmdline.c), in
 * ascending address order: QEMU's microvm and Firecracker both name them
 * so.  A slot whose magic is not "virt" or whose device ID is 0 (no device
 * plugged) is skipped.
 */
#include "virtio_transport.h"

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DF 0x010
#define R_DF_SEL 0x014
#define R_GF 0x020
#define R_GF_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028 /* legacy */
#define R_Q_SEL 0x030
#define R_Q_NUM_MAX 0x034
#define R_Q_NUM 0x038
#define R_Q_ALIGN 0x03c /* legacy */
#define R_Q_PFN 0x040   /* legacy */
#define R_Q_READY 0x044
#define R_STATUS 0x070
#define R_Q_DESC 0x080
#define R_Q_AVAIL 0x090
#define R_Q_USED 0x0a0
#define R_CONFIG 0x100
#define MAGIC_VIRT 0x74726976u

#define MMIO_MAX 32

static struct {
    uint64_t addr, size;
    int irq;
} slots[MMIO_MAX];
static unsigned nslots;

void vg_mmio_add(uint64_t addr, uint64_t size, int irq)
{
    if (nslots < MMIO_MAX && size >= 0x100 && addr != 0) {
        slots[nslots].addr = addr;
        slots[nslots].size = size;
        slots[nslots].irq = irq;
        nslots++;
    }
}

static void where(struct vg_vdev *d, uint64_t a)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, "mmio ");
    vg_line_hex(&l, a);
    memcpy(d->where, l.buf, l.len < sizeof d->where - 1 ? l.len : sizeof d->where - 1);
}

void vg_mmio_scan(void)
{
    /* Insertion sort by address: the binding order. */
    for (unsigned i = 1; i < nslots; i++)
        for (unsigned j = i; j > 0 && slots[j - 1].addr > slots[j].addr; j--) {
            uint64_t a = slots[j].addr, sz = slots[j].size;
            int irq = slots[j].irq;
            slots[j] = slots[j - 1];
            slots[j - 1].addr = a;
            slots[j - 1].size = sz;
            slots[j - 1].irq = irq;
        }
    for (unsigned i = 0; i < nslots; i++) {
        uint64_t a = slots[i].addr;
        struct vg_vdev d;

        vg_map_mmio(a, slots[i].size);
        if (vg_mmio_r32(a + R_MAGIC) != MAGIC_VIRT)
            continue;
        memset(&d, 0, sizeof d);
        d.kind = VG_VT_MMIO;
        d.mmio = a;
        d.mmio_version = vg_mmio_r32(a + R_VERSION);
        d.irq = slots[i].irq;
        d.type = vg_mmio_r32(a + R_DEVICE_ID);
        if ((d.mmio_version != 1 && d.mmio_version != 2) ||
            (d.type != VIRTIO_ID_NET && d.type != VIRTIO_ID_BLOCK))
            continue;
        where(&d, a);
        vg_dev_found(&d);
    }
}

uint64_t vg_mmio_features(struct vg_vdev *d)
{
    vg_mmio_w32(d->mmio + R_DF_SEL, 0);
    uint64_t f = vg_mmio_r32(d->mmio + R_DF);
    if (d->mmio_version == 1)
        return f;
    vg_mmio_w32(d->mmio + R_DF_SEL, 1);
    return f | (uint64_t)vg_mmio_r32(d->mmio + R_DF) << 32;
}

void vg_mmio_set_features(struct vg_vdev *d, uint64_t f)
{
    vg_mmio_w32(d->mmio + R_GF_SEL, 0);
    vg_mmio_w32(d->mmio + R_GF, (uint32_t)f);
    if (d->mmio_version == 1)
        return;
    vg_mmio_w32(d->mmio + R_GF_SEL, 1);
    vg_mmio_w32(d->mmio + R_GF, (uint32_t)(f >> 32));
}

uint8_t vg_mmio_status(struct vg_vdev *d)
{
    return (uint8_t)vg_mmio_r32(d->mmio + R_STATUS);
}

void vg_mmio_set_status(struct vg_vdev *d, uint8_t s)
{
    vg_mmio_w32(d->mmio + R_STATUS, s);
}

uint8_t vg_mmio_cfg8(struct vg_vdev *d, unsigned off)
{
    return vg_mmio_r8(d->mmio + R_CONFIG + off);
}

unsigned vg_mmio_queue_max(struct vg_vdev *d, unsigned idx)
{
    vg_mmio_w32(d->mmio + R_Q_SEL, idx);
    return vg_mmio_r32(d->mmio + R_Q_NUM_MAX);
}

static void w64(uint64_t a, uint64_t v)
{
    vg_mmio_w32(a, (uint32_t)v);
    vg_mmio_w32(a + 4, (uint32_t)(v >> 32));
}

void vg_mmio_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q)
{
    vg_mmio_w32(d->mmio + R_Q_SEL, idx);
    vg_mmio_w32(d->mmio + R_Q_NUM, q->size);
    if (d->mmio_version == 1) {
        vg_mmio_w32(d->mmio + R_GUEST_PAGE_SIZE, (uint32_t)VG_PAGE_SIZE);
        vg_mmio_w32(d->mmio + R_Q_ALIGN, (uint32_t)VG_PAGE_SIZE);
        vg_mmio_w32(d->mmio + R_Q_PFN, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 12));
        return;
    }
    w64(d->mmio + R_Q_DESC, (uint64_t)(uintptr_t)q->desc);
    w64(d->mmio + R_Q_AVAIL, (uint64_t)(uintptr_t)q->avail);
    w64(d->mmio + R_Q_USED, (uint64_t)(uintptr_t)q->used);
    vg_mmio_w32(d->mmio + R_Q_READY, 1);
}
