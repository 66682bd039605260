/*
 * internal.h: what the files of the virtio flavour of the guest library
 * (guest-virtio/, wisp-cc --target=virtio) share.  Nothing here is public:
 * the build keeps only solo5_*, wisp_*, _start and __stack_chk_* global in
 * wisp-guest-virtio.o, so these names (prefix vg_, and the string helpers
 * compiled from guest/string.c) are local to the library.
 *
 * The flavour runs on a standard PC-compatible virtual machine (QEMU,
 * Firecracker, bhyve): there is no tender, so the library owns the machine
 * and runs at CPL0 together with the application.  It boots from a
 * multiboot or PVH 32-bit entry (boot.S), builds its own page tables
 * (paging.c), talks to the serial port, the PIT, the CMOS clock (or
 * kvmclock), the local APIC and IOAPIC, and virtio devices over PCI or MMIO.  It is built with -mno-sse
 * -mno-red-zone: nothing here touches the FPU/SSE state, which belongs to
 * the application.
 */
#ifndef WISP_GUEST_VIRTIO_INTERNAL_H
#define WISP_GUEST_VIRTIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "solo5.h"
#include "wisp/mft_abi.h"

#define VG_PAGE_SIZE 4096ull

/* ---- port and memory-mapped I/O ------------------------------------------- */

static inline void vg_outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void vg_outw(uint16_t port, uint16_t v)
{
    __asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void vg_outl(uint16_t port, uint32_t v)
{
    __asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t vg_inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
static inline uint16_t vg_inw(uint16_t port)
{
    uint16_t v;
    __asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}
static inline uint32_t vg_inl(uint16_t port)
{
    uint32_t v;
    __asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
    return v;
}

static inline uint8_t vg_mmio_r8(uint64_t a) { return *(volatile uint8_t *)(uintptr_t)a; }
static inline uint16_t vg_mmio_r16(uint64_t a) { return *(volatile uint16_t *)(uintptr_t)a; }
static inline uint32_t vg_mmio_r32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline void vg_mmio_w8(uint64_t a, uint8_t v) { *(volatile uint8_t *)(uintptr_t)a = v; }
static inline void vg_mmio_w16(uint64_t a, uint16_t v) { *(volatile uint16_t *)(uintptr_t)a = v; }
static inline void vg_mmio_w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }

/* vg_barrier: a full memory barrier (device-visible ordering). */
static inline void vg_barrier(void)
{
    __asm__ __volatile__("mfence" ::: "memory");
}

static inline uint64_t vg_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void vg_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                         : "memory");
}

static inline void vg_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(sub));
}

#define VG_MSR_FS_BASE 0xc0000100u

/* ---- boot (boot.S, bootinfo.c, start.c) ------------------------------------ */

/* Written by boot.S before it clears .bss: how the loader entered. */
enum vg_boot_kind { VG_BOOT_MULTIBOOT = 1, VG_BOOT_PVH = 2 };
extern uint32_t vg_boot_kind, vg_boot_magic, vg_boot_info;

/* What bootinfo.c learnt from the loader, copied out of its memory. */
struct vg_boot {
    uint64_t mem_end; /* end of the RAM that starts at 1 MiB */
    int cmdline_has_path; /* the loader put the kernel's path first (QEMU) */
    char cmdline[8192];
};
extern struct vg_boot vg_boot;
/* bootinfo.c: fill vg_boot from the multiboot or PVH info; panics on none. */
void vg_bootinfo_parse(void);

/* The image's bounds, from virtio.ld. */
extern char _stext[], _etext[], _erodata[], _edata[], _end[];

/* ---- console and log (serial.c) -------------------------------------------- */

/* serial.c: program COM1 (115200 8N1, no interrupts). */
void vg_serial_init(void);
/* serial.c: write (n) bytes to COM1, as they are. */
void vg_serial_write(const char *s, size_t n);
/* serial.c: wait (bounded) until every byte has left the UART. */
void vg_serial_drain(void);

/* A line under construction (fixed buffer, truncated when full). */
struct vg_line {
    char buf[200];
    size_t len;
};
void vg_line_str(struct vg_line *l, const char *s);
void vg_line_hex(struct vg_line *l, uint64_t v); /* "0x" + hex */
void vg_line_dec(struct vg_line *l, uint64_t v);
void vg_line_end(struct vg_line *l); /* adds '\n', writes it */
/* vg_log: write the NUL-terminated (s) to the console. */
void vg_log(const char *s);

/* ---- failure and exit (exit.c, crash.c) ------------------------------------- */

/* exit.c: end the VM with (status) (0..255); see exit.c for the mapping. */
void vg_poweroff(int status) __attribute__((noreturn));
/* exit.c: print "wisp: guest aborted: (msg)" and end with status 255. */
void vg_panic(const char *msg) __attribute__((noreturn));
#define VG_ASSERT(e) \
    do { \
        if (!(e)) \
            vg_panic(__FILE_NAME__ ": assertion failed: " #e); \
    } while (0)

/* ---- CPU (cpu.c, traps.S, crash.c) ------------------------------------------ */

/* cpu.c: own GDT, TSS (IST stacks) and IDT; SSE (and AVX) usable. */
void vg_cpu_init(void);
/* Interrupt vectors: the LAPIC timer and its spurious vector. */
#define VG_VEC_TIMER 0x20
#define VG_VEC_DEVICE 0x21
#define VG_VEC_SPURIOUS 0xff

/* ---- memory (paging.c, alloc) ------------------------------------------------ */

/* The memory plan (paging.c): heap, guard page and stack at the top. */
struct vg_mem {
    uint64_t heap_start, heap_end; /* heap_end: the guard page */
    uint64_t stack_bottom, stack_top;
};
extern struct vg_mem vg_mem;
/* paging.c: build the W^X page tables from the image and vg_boot.mem_end,
 * switch to them (CR3).  Boot-time page allocations come after _end. */
void vg_paging_init(void);
/* paging.c: map [phys, phys+size) identity, read-write, not executable,
 * uncached, for device registers.  Panics if the tables run out. */
void vg_map_mmio(uint64_t phys, uint64_t size);
/* paging.c: (n) zeroed, page-aligned pages of boot-time memory (before the
 * heap; never freed).  Panics when it would eat the minimum heap. */
void *vg_alloc_pages(uint64_t n);
/* paging.c: fix the heap's start after the last boot allocation. */
void vg_mem_seal(void);

/* ---- time (clock.c, lapic.c) ----------------------------------------------- */

/* clock.c: TSC frequency (kvmclock's, or measured against the PIT) and the
 * wall clock (kvmclock's or the CMOS one); reports both. */
void vg_clock_init(void);
extern uint64_t vg_tsc_hz;
/* lapic.c: enable the local APIC, calibrate its timer against the TSC. */
void vg_lapic_init(void);
/* lapic.c: halt until an interrupt, or until monotonic time (deadline)
 * (the LAPIC timer is armed for it); returns at once if it is past. */
void vg_halt_until(solo5_time_t deadline);
/* lapic.c: the local APIC's register base (traps.S writes EOI there). */
extern uint64_t vg_lapic_base;
/* ioapic.c: deliver interrupt line (gsi) as VG_VEC_DEVICE, edge-triggered,
 * only to end a halt.  0, or -1 if no IOAPIC serves it. */
int vg_ioapic_route(unsigned gsi);

/* ---- the command line (cmdline.c) ------------------------------------------ */

/* cmdline.c: set by a leading --wisp:verbose: the library reports how it
 * booted (vg_report) on the console. */
extern int vg_verbose;
/* vg_report: one line "wisp: virtio: (s)" if vg_verbose. */
void vg_report(struct vg_line *l);
/* cmdline.c: remove the loader's and the machine's words from
 * vg_boot.cmdline (the kernel path of multiboot, virtio_mmio.device=
 * tokens, which it records for mmio.c); returns the application's part. */
const char *vg_cmdline_parse(void);

/* ---- devices (pci.c, virtio_*.c, devices.c, net.c, blk.c) ------------------ */

/* A virtio transport: one of PCI legacy, PCI modern, MMIO (legacy or v2). */
enum vg_vt_kind { VG_VT_PCI_LEGACY, VG_VT_PCI_MODERN, VG_VT_MMIO };

struct vg_vdev {
    enum vg_vt_kind kind;
    uint32_t type;   /* virtio device type: 1 net, 2 blk */
    char where[32];  /* "pci 00:03.0" / "mmio 0xfeb00000", for messages */
    /* PCI legacy: I/O base.  PCI modern: the mapped capabilities. */
    uint16_t io;
    uint64_t common, notify, isr, devcfg; /* isr: read to acknowledge */
    uint32_t notify_mul;
    /* MMIO: register base and version (1 legacy, 2 modern). */
    uint64_t mmio;
    uint32_t mmio_version;
    int irq; /* its interrupt line (GSI), -1 if unknown */
    int modern; /* VIRTIO_F_VERSION_1 negotiated (12-byte net header) */
};

struct vg_virtq; /* virtq.c */

/* virtio_transport.c: the operations, by transport. */
uint64_t vg_vt_features(struct vg_vdev *d);
void vg_vt_set_features(struct vg_vdev *d, uint64_t f);
uint8_t vg_vt_status(struct vg_vdev *d);
void vg_vt_set_status(struct vg_vdev *d, uint8_t s);
uint8_t vg_vt_cfg8(struct vg_vdev *d, unsigned off);
uint32_t vg_vt_cfg32(struct vg_vdev *d, unsigned off);
uint64_t vg_vt_cfg64(struct vg_vdev *d, unsigned off);
/* vg_vt_queue_max: the device's size of queue (idx), 0 if none. */
unsigned vg_vt_queue_max(struct vg_vdev *d, unsigned idx);
/* vg_vt_queue_setup: give queue (idx) of (size) entries at (q) to the device. */
void vg_vt_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q);
void vg_vt_notify(struct vg_vdev *d, struct vg_virtq *q);
/*
 * vg_vt_negotiate: reset the device, ACKNOWLEDGE|DRIVER, offer (want) of
 * the device's features (VERSION_1 added for modern transports), require
 * (need) (a subset of want) and FEATURES_OK.  Returns the negotiated set,
 * or panics naming the device.
 */
uint64_t vg_vt_negotiate(struct vg_vdev *d, uint64_t want, uint64_t need);
/* vg_vt_ready: DRIVER_OK. */
void vg_vt_ready(struct vg_vdev *d);
/* vg_vt_ack: read and clear the device's interrupt status, which lowers its
 * interrupt line. */
void vg_vt_ack(struct vg_vdev *d);

/* pci.c: find the virtio devices on PCI (bus order), add each with
 * vg_dev_found. */
void vg_pci_scan(void);
/* mmio.c: probe the virtio-mmio devices the command line named. */
void vg_mmio_scan(void);
/* cmdline.c -> mmio.c: a virtio_mmio.device=SIZE@ADDR:IRQ token. */
void vg_mmio_add(uint64_t addr, uint64_t size, int irq);

/* devices.c: a virtio device of (type) was found: remember it in order. */
void vg_dev_found(const struct vg_vdev *d);
/* devices.c: bind the manifest's devices to the found ones, in order, and
 * initialise them (net.c, blk.c); a declared device with no virtio device
 * to bind ends the boot with a message. */
void vg_devices_init(void);
/* devices.c: the manifest entry (handle) if it is of (type), else NULL. */
const struct mft_entry *vg_mft_by_handle(solo5_handle_t handle, enum mft_type type);
const struct mft_entry *vg_mft_by_name(const char *name, enum mft_type type, unsigned *index);
/* devices.c: the virtio device bound to manifest entry (handle). */
struct vg_vdev *vg_dev_of(solo5_handle_t handle);

/* net.c / blk.c: set up the device bound to manifest entry (handle). */
void vg_net_init(solo5_handle_t handle, struct vg_vdev *d);
void vg_blk_init(solo5_handle_t handle, struct vg_vdev *d);
/* net.c: the set of NIC handles with a frame waiting. */
solo5_handle_set_t vg_net_pending(void);
/* net.c: acknowledge every NIC's interrupt status (before a halt); 1 if
 * every NIC's interrupts wake a halt. */
int vg_net_ack(void);
/* net.c: wait (bounded) until the devices have sent every frame written. */
void vg_net_drain(void);
/* net.c: is any NIC attached (yield polls then). */
extern int vg_net_count;

/* ---- shared with guest/ (compiled again from there) ------------------------- */

void wg_ssp_init(uint64_t canary);
void wg_abort_msg(const char *msg, size_t len) __attribute__((noreturn));
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t wg_strnlen(const char *s, size_t max);

#endif /* WISP_GUEST_VIRTIO_INTERNAL_H */
