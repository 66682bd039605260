/*
 * start.c: the C half of the boot, in order: stack-protector canary, serial
 * console, CPU tables, the loader's information, W^X page tables, then on
 * the final stack (top of RAM, under a guard page): command line, clocks,
 * local APIC, virtio devices, and the application.
 */
#include "internal.h"

void vg_start(void) __attribute__((noreturn));
void vg_switch_stack(uint64_t top, void (*fn)(void)) __attribute__((noreturn));

/* The canary: RDRAND when the CPU has it, mixed with two TSC reads. */
static uint64_t boot_entropy(void)
{
    uint32_t r[4];
    uint64_t t1 = vg_rdtsc(), t2 = vg_rdtsc(), v = 0;

    vg_cpuid(1, 0, r);
    if (r[2] & (1u << 30)) {
        unsigned char ok = 0;

        for (int i = 0; i < 10 && !ok; i++)
            __asm__ __volatile__("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
    }
    return v ^ (t1 << 32) ^ (t1 >> 7) ^ (t2 * 0x9e3779b97f4a7c15ull);
}

static void main_on_final_stack(void) __attribute__((noreturn));

/* boot_report: the entry used and the memory plan (--wisp:verbose). */
static void boot_report(void)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, vg_boot_kind == VG_BOOT_PVH ? "boot: PVH entry, RAM to " : "boot: multiboot entry, RAM to ");
    vg_line_hex(&l, vg_boot.mem_end);
    vg_line_str(&l, ", heap ");
    vg_line_hex(&l, vg_mem.heap_start);
    vg_line_str(&l, "-");
    vg_line_hex(&l, vg_mem.heap_end);
    vg_line_str(&l, ", stack ");
    vg_line_hex(&l, vg_mem.stack_bottom);
    vg_line_str(&l, "-");
    vg_line_hex(&l, vg_mem.stack_top);
    vg_report(&l);
}

void vg_start(void)
{
    wg_ssp_init(boot_entropy());
    vg_wrmsr(VG_MSR_FS_BASE, 0); /* a TLS access before solo5_set_tls_base faults */
    vg_serial_init();
    vg_cpu_init();
    vg_bootinfo_parse();
    vg_paging_init();
    vg_switch_stack(vg_mem.stack_top, main_on_final_stack);
}

static void main_on_final_stack(void)
{
    const char *cmdline = vg_cmdline_parse();
    vg_clock_init();
    vg_lapic_init();
    vg_pci_scan();
    vg_mmio_scan();
    vg_devices_init();
    vg_mem_seal();
    boot_report();

    struct solo5_start_info si = {
        .cmdline = cmdline,
        .heap_start = (uintptr_t)vg_mem.heap_start,
        .heap_size = (size_t)(vg_mem.heap_end - vg_mem.heap_start),
    };
    solo5_exit(solo5_app_main(&si));
}
