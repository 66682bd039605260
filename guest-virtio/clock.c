/*
 * clock.c: the clocks.
 *   Monotonic: the TSC, scaled to nanoseconds since boot with a 32.32
 *   fixed-point factor.  Its frequency comes from kvmclock when the
 *   hypervisor is KVM with KVM_FEATURE_CLOCKSOURCE2 (the pvclock scale the
 *   host computed; kvmclock is then switched off again: the TSC alone is
 *   read), else it is measured against the PIT: channel 0 counts
 *   down at 1.193182 MHz and is read back through the latch command (no
 *   speaker gate at port 0x61 is needed, which microvm lacks), for 10 ms.
 *   Wall: kvmclock's wall clock when there is kvmclock, else the CMOS
 *   real-time clock read once at boot (whole seconds, UTC as QEMU's default
 *   -rtc base=utc gives it); then advanced by the monotonic clock.
 */
#include "internal.h"

#define PIT_HZ 1193182ull
#define CAL_TICKS 11932u /* 10 ms of PIT ticks */

uint64_t vg_tsc_hz;
static uint64_t tsc_boot, ns_per_tick_32, wall_base_ns, wall_base_mono;

/* kvmclock's per-vCPU time information and wall-clock structures. */
struct pvclock_vcpu {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags, pad[2];
};
struct pvclock_wall {
    uint32_t version, sec, nsec;
};

static uint64_t kvm_wall_ns; /* wall time when the TSC read kvm_wall_tsc */
static uint64_t kvm_wall_tsc;

/* pv_scale: kvmclock's scaling of a TSC delta to nanoseconds. */
static uint64_t pv_scale(uint64_t delta, uint32_t mul, int shift)
{
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/*
 * kvmclock: under KVM with KVM_FEATURE_CLOCKSOURCE2, the TSC rate from the
 * pvclock scale the host computed, and the wall clock (the host's time at
 * kvmclock's zero plus kvmclock's time now), since some hypervisors
 * (Firecracker) have no CMOS clock.  Returns 0 when there is no kvmclock.
 * Tested under QEMU's KVM on PVM (virtio.bats); TCG has no kvmclock.
 */
static int kvmclock(void)
{
    static volatile struct pvclock_vcpu pv __attribute__((aligned(64)));
    static volatile struct pvclock_wall wc __attribute__((aligned(64)));
    uint32_t r[4];

    vg_cpuid(1, 0, r);
    if (!(r[2] & (1u << 31))) /* not under a hypervisor */
        return 0;
    vg_cpuid(0x40000000, 0, r);
    if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d || r[0] < 0x40000001)
        return 0; /* not "KVMKVMKVM" */
    vg_cpuid(0x40000001, 0, r);
    if (!(r[0] & (1u << 3))) /* KVM_FEATURE_CLOCKSOURCE2 */
        return 0;
    vg_wrmsr(0x4b564d01, (uint64_t)(uintptr_t)&pv | 1); /* MSR_KVM_SYSTEM_TIME_NEW */
    vg_wrmsr(0x4b564d00, (uint64_t)(uintptr_t)&wc);     /* MSR_KVM_WALL_CLOCK_NEW */
    uint32_t v, mul = 0;
    int shift = 0;
    uint64_t ts = 0, st = 0, tsc = 0;
    for (unsigned i = 0; i < 1000000; i++) {
        v = pv.version;
        __asm__ __volatile__("" ::: "memory");
        mul = pv.tsc_to_system_mul;
        shift = pv.tsc_shift;
        ts = pv.tsc_timestamp;
        st = pv.system_time;
        tsc = vg_rdtsc();
        __asm__ __volatile__("" ::: "memory");
        if (v != 0 && !(v & 1) && v == pv.version)
            break;
        mul = 0;
    }
    vg_wrmsr(0x4b564d01, 0);
    if (mul == 0)
        return 0;
    /* ns = ((tsc << shift) * mul) >> 32, so hz = 10^9 * 2^32 / mul >> shift. */
    uint64_t hz = (uint64_t)(((unsigned __int128)1000000000ull << 32) / mul);
    vg_tsc_hz = shift >= 0 ? hz >> shift : hz << -shift;
    if (vg_tsc_hz == 0)
        return 0;
    if (!(wc.version & 1) && wc.sec != 0) {
        kvm_wall_ns = (uint64_t)wc.sec * 1000000000ull + wc.nsec + st + pv_scale(tsc - ts, mul, shift);
        kvm_wall_tsc = tsc;
    }
    return 1;
}

static uint16_t pit_read(void)
{
    vg_outb(0x43, 0x00); /* latch channel 0 */
    uint8_t lo = vg_inb(0x40);
    uint8_t hi = vg_inb(0x40);
    return (uint16_t)(hi << 8 | lo);
}

static void pit_calibrate(void)
{
    vg_outb(0x43, 0x34); /* channel 0, lo/hi byte, mode 2, binary */
    vg_outb(0x40, 0xff);
    vg_outb(0x40, 0xff);
    uint16_t c0 = pit_read(), c;
    uint64_t t0 = vg_rdtsc(), t1;
    unsigned spins = 0;

    /* The counter starts at 65535 and wraps after 55 ms: 10 ms never wraps. */
    do {
        c = pit_read();
        t1 = vg_rdtsc();
        if (++spins > 50000000u || c > c0)
            vg_panic("clock.c: the PIT does not count: cannot measure the TSC");
    } while ((uint16_t)(c0 - c) < CAL_TICKS);
    vg_tsc_hz = (t1 - t0) * PIT_HZ / (uint16_t)(c0 - c);
}

static unsigned cmos(unsigned reg)
{
    vg_outb(0x70, (uint8_t)reg);
    return vg_inb(0x71);
}

static unsigned bcd(unsigned v, int binary)
{
    return binary ? v : (v & 15) + (v >> 4) * 10;
}

/* days_from_civil: days since 1970-01-01 of (y, m, d) (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static uint64_t rtc_seconds(void)
{
    for (unsigned i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
        __asm__ __volatile__("pause");
    unsigned b = cmos(0x0b);
    if (b == 0xff)
        return 0; /* no RTC */
    int bin = b & 4;
    unsigned s = bcd(cmos(0), bin), mi = bcd(cmos(2), bin);
    unsigned hr = cmos(4), d = bcd(cmos(7), bin), mo = bcd(cmos(8), bin);
    unsigned y = bcd(cmos(9), bin), pm = hr & 0x80;

    hr = bcd(hr & 0x7f, bin);
    if (!(b & 2) && pm) /* 12-hour mode */
        hr = (hr % 12) + 12;
    else if (!(b & 2))
        hr %= 12;
    int64_t days = days_from_civil(2000 + (int64_t)y, mo, d);
    if (days < 0 || mo < 1 || mo > 12)
        return 0;
    return (uint64_t)days * 86400 + hr * 3600 + mi * 60 + s;
}

static void report(int kvm, const char *wall)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, "clock: TSC ");
    vg_line_dec(&l, vg_tsc_hz / 1000);
    vg_line_str(&l, kvm ? " kHz from kvmclock" : " kHz measured against the PIT");
    vg_line_str(&l, ", wall clock from ");
    vg_line_str(&l, wall);
    vg_report(&l);
}

void vg_clock_init(void)
{
    int kvm = kvmclock();

    if (!kvm)
        pit_calibrate();
    ns_per_tick_32 = (1000000000ull << 32) / vg_tsc_hz;
    tsc_boot = vg_rdtsc();
    if (kvm && kvm_wall_ns != 0) {
        /* Monotonic time is 0 at tsc_boot; kvm_wall_ns was the wall time at
         * TSC kvm_wall_tsc, a little earlier. */
        wall_base_mono = 0;
        wall_base_ns = kvm_wall_ns +
                       (uint64_t)(((unsigned __int128)(tsc_boot - kvm_wall_tsc) * ns_per_tick_32) >> 32);
        report(kvm, "kvmclock");
        return;
    }
    wall_base_mono = solo5_clock_monotonic();
    wall_base_ns = rtc_seconds() * 1000000000ull;
    report(kvm, wall_base_ns ? "the CMOS RTC" : "nowhere (no RTC: it starts at 1970)");
}

solo5_time_t solo5_clock_monotonic(void)
{
    return (solo5_time_t)(((unsigned __int128)(vg_rdtsc() - tsc_boot) * ns_per_tick_32) >> 32);
}

solo5_time_t solo5_clock_wall(void)
{
    return wall_base_ns + (solo5_clock_monotonic() - wall_base_mono);
}
