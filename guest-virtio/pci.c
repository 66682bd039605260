/*
 * pci.c: PCI enumeration through configuration mechanism 1 (ports
 * 0xcf8/0xcfc): bus 0, then the buses behind PCI-to-PCI bridges, in
 * bus/device/function order, which is the order the manifest's devices are
 * bound in (devices.c).  A virtio device (vendor 0x1af4, device
 * 0x1000..0x107f) is driven through its modern interface when it has the
 * virtio capabilities (common, notify, ISR, device configuration) and
 * through the legacy I/O BAR 0 otherwise.  The device's memory BARs are
 * mapped uncached; bus mastering is enabled; INTx is left on for NICs only.
 */
#include "virtio_transport.h"

#define PCI_VENDOR_VIRTIO 0x1af4
#define CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc);
}

static uint32_t cfg_r32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    vg_outl(0xcf8, cfg_addr(bus, dev, fn, off));
    return vg_inl(0xcfc);
}

static uint8_t cfg_r8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return (uint8_t)(cfg_r32(bus, dev, fn, off) >> (8 * (off & 3)));
}

static void cfg_w16(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint16_t v)
{
    vg_outl(0xcf8, cfg_addr(bus, dev, fn, off));
    vg_outw((uint16_t)(0xcfc + (off & 2)), v);
}

/* bar: the address of memory BAR (i) (64-bit BARs span two), 0 if none. */
static uint64_t bar(unsigned bus, unsigned dev, unsigned fn, unsigned i)
{
    if (i > 5)
        return 0;
    uint32_t lo = cfg_r32(bus, dev, fn, 0x10 + 4 * i);
    if (lo & 1)
        return 0; /* I/O */
    uint64_t a = lo & ~0xfull;
    if (((lo >> 1) & 3) == 2 && i < 5)
        a |= (uint64_t)cfg_r32(bus, dev, fn, 0x14 + 4 * i) << 32;
    return a;
}

static void where(struct vg_vdev *d, unsigned bus, unsigned dev, unsigned fn)
{
    static const char hex[] = "0123456789abcdef";
    char *w = d->where;

    memcpy(w, "pci 00:00.0", 12);
    w[4] = hex[(bus >> 4) & 15];
    w[5] = hex[bus & 15];
    w[7] = hex[(dev >> 4) & 1];
    w[8] = hex[dev & 15];
    w[10] = (char)('0' + fn);
}

/* modern: find the virtio capabilities; 1 if the device is usable so. */
static int modern(struct vg_vdev *d, unsigned bus, unsigned dev, unsigned fn)
{
    unsigned found = 0;

    if (!(cfg_r32(bus, dev, fn, 0x04) & (1u << 20))) /* no capability list */
        return 0;
    unsigned p = cfg_r8(bus, dev, fn, 0x34) & 0xfc;
    for (unsigned n = 0; p >= 0x40 && n < 48; n++) {
        if (cfg_r8(bus, dev, fn, p) == CAP_VENDOR) {
            unsigned type = cfg_r8(bus, dev, fn, p + 3);
            unsigned b = cfg_r8(bus, dev, fn, p + 4);
            uint32_t off = cfg_r32(bus, dev, fn, p + 8);
            uint32_t len = cfg_r32(bus, dev, fn, p + 12);
            uint64_t base = bar(bus, dev, fn, b);
            uint64_t *slot = type == CFG_COMMON ? &d->common
                             : type == CFG_NOTIFY ? &d->notify
                             : type == CFG_ISR    ? &d->isr
                             : type == CFG_DEVICE ? &d->devcfg
                                                  : NULL;

            if (slot != NULL && *slot == 0 && base != 0 && len != 0) {
                vg_map_mmio(base + off, len);
                *slot = base + off;
                found |= 1u << type;
                if (type == CFG_NOTIFY)
                    d->notify_mul = cfg_r32(bus, dev, fn, p + 16);
            }
        }
        p = cfg_r8(bus, dev, fn, p + 1) & 0xfc;
    }
    return (found & 0x16) == 0x16; /* common, notify, device */
}

static void virtio_fn(unsigned bus, unsigned dev, unsigned fn, uint16_t device)
{
    struct vg_vdev d;

    memset(&d, 0, sizeof d);
    d.type = device >= 0x1040 ? device - 0x1040u : cfg_r32(bus, dev, fn, 0x2c) >> 16;
    if (d.type != VIRTIO_ID_NET && d.type != VIRTIO_ID_BLOCK)
        return;
    where(&d, bus, dev, fn);
    /* I/O and memory decoding, bus master; INTx stays on for a NIC (its
     * interrupts end a halt, lapic.c), off for a block device (polled). */
    cfg_w16(bus, dev, fn, 0x04, d.type == VIRTIO_ID_NET ? 0x0007 : 0x0007 | 0x0400);
    /* The INTx line the firmware assigned: on PC machines, its IOAPIC pin. */
    uint8_t line = cfg_r8(bus, dev, fn, 0x3c), pin = cfg_r8(bus, dev, fn, 0x3d);
    d.irq = (pin != 0 && line != 0 && line != 0xff) ? line : -1;
    if (modern(&d, bus, dev, fn)) {
        d.kind = VG_VT_PCI_MODERN;
    } else {
        uint32_t b0 = cfg_r32(bus, dev, fn, 0x10);
        if (!(b0 & 1) || device >= 0x1040)
            return; /* neither interface usable */
        d.kind = VG_VT_PCI_LEGACY;
        d.io = (uint16_t)(b0 & ~3u);
    }
    vg_dev_found(&d);
}

static void scan_bus(unsigned bus, unsigned depth)
{
    for (unsigned dev = 0; dev < 32; dev++) {
        unsigned nfn = 1;

        for (unsigned fn = 0; fn < nfn; fn++) {
            uint32_t id = cfg_r32(bus, dev, fn, 0);
            if ((id & 0xffff) == 0xffff)
                continue;
            uint8_t hdr = cfg_r8(bus, dev, fn, 0x0e);
            if (fn == 0 && (hdr & 0x80))
                nfn = 8;
            uint16_t device = (uint16_t)(id >> 16);
            if ((id & 0xffff) == PCI_VENDOR_VIRTIO && device >= 0x1000 && device <= 0x107f)
                virtio_fn(bus, dev, fn, device);
            else if ((hdr & 0x7f) == 1 && depth < 8) /* PCI-to-PCI bridge */
                scan_bus(cfg_r8(bus, dev, fn, 0x19), depth + 1);
        }
    }
}

void vg_pci_scan(void)
{
    /* No host bridge answers: no PCI (e.g. QEMU microvm). */
    if ((cfg_r32(0, 0, 0, 0) & 0xffff) == 0xffff)
        return;
    scan_bus(0, 0);
}
