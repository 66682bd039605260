/*
 * ioapic.c: routing a device's interrupt line to the local APIC, only to
 * end a halt (lapic.c): the line's IOAPIC pin gets vector VG_VEC_DEVICE,
 * edge-triggered, to this CPU; the stub in traps.S acknowledges it at the
 * APIC and the driver polls its rings.  Edge-triggered, so a line that
 * stays asserted raises one interrupt, not a storm: solo5_yield
 * acknowledges the devices (virtio ISR) before each halt, so the next
 * event is a new edge.  The IOAPICs are where QEMU (pc, microvm) and
 * Firecracker put them: pins 0..23 at 0xfec00000, 24..47 at 0xfec10000
 * (microvm's second); an IOAPIC that does not answer routes nothing.
 */
#include "internal.h"

#define IOAPIC_PINS 24

static uint64_t mapped[2];

static uint32_t rd(uint64_t base, uint32_t reg)
{
    vg_mmio_w32(base, reg);
    return vg_mmio_r32(base + 0x10);
}

static void wr(uint64_t base, uint32_t reg, uint32_t v)
{
    vg_mmio_w32(base, reg);
    vg_mmio_w32(base + 0x10, v);
}

int vg_ioapic_route(unsigned gsi)
{
    unsigned i = gsi / IOAPIC_PINS, pin = gsi % IOAPIC_PINS;

    if (i >= 2 || vg_lapic_base == 0)
        return -1;
    uint64_t base = 0xfec00000ull + 0x10000ull * i;
    if (!mapped[i]) {
        vg_map_mmio(base, VG_PAGE_SIZE);
        mapped[i] = base;
    }
    uint32_t ver = rd(base, 1);
    if (ver == 0xffffffffu || ((ver >> 16) & 0xff) < pin)
        return -1; /* no IOAPIC, or not that many pins */
    uint32_t apic_id = vg_mmio_r32(vg_lapic_base + 0x20) >> 24;
    wr(base, 0x10 + 2 * pin + 1, apic_id << 24);
    wr(base, 0x10 + 2 * pin, VG_VEC_DEVICE); /* fixed, physical, edge, high, unmasked */
    return 0;
}
