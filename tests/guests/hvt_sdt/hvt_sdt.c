/*
 * hvt_sdt: what the stores of system state show a compatibility-mode
 * guest.  sgdt and sidt of the tables Solo5's bindings loaded (cpu_init,
 * before solo5_app_main), then after its own lgdt and lidt, str after
 * its ltr, sldt, smsw to memory and to a 64-bit register.  Under
 * solo5-hvt (and --solo5:cpl0) the CPU answers; at CPL3 with CR4.UMIP
 * they trap and wisp answers from what the guest loaded: the same values.
 * Where this KVM offers no UMIP (CPUID.7.0:ECX bit 2 clear) they run
 * natively at CPL3 and show the tender's tables: the guest prints
 * "umip: not offered" with what it saw, and SUCCESS.
 */
#include "hvt_cpu.h"
#include "t.h"

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0, 0,
};
static struct hc_tss tss __attribute__((aligned(16)));
static struct hc_gate idt[32] __attribute__((aligned(16)));

static int check(int ok, const char *what)
{
    if (!ok) {
        t_puts("FAILURE: ");
        t_puts(what);
        t_puts("\n");
    }
    return ok;
}

static struct hc_dtr sgdt(void)
{
    struct hc_dtr d;

    __asm__ __volatile__("sgdt %0" : "=m"(d));
    return d;
}

static struct hc_dtr sidt(void)
{
    struct hc_dtr d;

    __asm__ __volatile__("sidt %0" : "=m"(d));
    return d;
}

static int has_umip(void)
{
    uint32_t a = 7, b, c = 0, d;

    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 2) & 1;
}

static void put_dtr(const char *what, struct hc_dtr d)
{
    t_puts(what);
    t_puts(" base=");
    t_put_hex(d.base);
    t_puts(" limit=");
    t_put_hex(d.limit);
    t_puts("\n");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct hc_dtr g0, i0, g, i;
    uint64_t msw64 = ~0ull, tr = ~0ull, ldt = ~0ull;
    uint16_t msw16 = 0xffff, tr16 = 0xffff;
    int ok = 1;

    (void)si;
    g0 = sgdt();
    i0 = sidt();
    put_dtr("boot sgdt", g0);
    put_dtr("boot sidt", i0);
    hc_tss_desc(&gdt[3], &tss);
    tss.iomap = sizeof tss;
    hc_lgdt(gdt, sizeof gdt - 1);
    hc_lidt(idt, sizeof idt - 1);
    hc_ltr(0x18);
    g = sgdt();
    i = sidt();
    put_dtr("sgdt", g);
    put_dtr("sidt", i);
    __asm__ __volatile__("str %w0" : "=r"(tr) : "0"(~0ull));
    __asm__ __volatile__("str %0" : "=m"(tr16));
    __asm__ __volatile__("sldt %k0" : "=r"(ldt) : "0"(~0ull));
    __asm__ __volatile__("smsw %0" : "=r"(msw64));
    __asm__ __volatile__("smsw %0" : "=m"(msw16));
    t_puts("str=");
    t_put_hex(tr);
    t_puts(" sldt=");
    t_put_hex(ldt);
    t_puts(" smsw=");
    t_put_hex(msw64);
    t_puts("\n");
    if (!has_umip()) {
        t_puts("umip: not offered by this KVM: these values are the CPU's, not the guest's\n");
        return t_success();
    }
    /* Solo5's bindings loaded their own tables before solo5_app_main. */
    ok &= check(g0.base >= 0x100000 && g0.limit == 0x27, "boot sgdt is not the bindings' GDT");
    ok &= check(i0.base >= 0x100000 && i0.limit == 0x1ff, "boot sidt is not the bindings' IDT");
    ok &= check(g.base == (uint64_t)(uintptr_t)gdt && g.limit == sizeof gdt - 1,
                "sgdt is not the GDT the guest loaded");
    ok &= check(i.base == (uint64_t)(uintptr_t)idt && i.limit == sizeof idt - 1,
                "sidt is not the IDT the guest loaded");
    ok &= check((tr & 0xffff) == 0x18 && tr16 == 0x18, "str is not the selector the guest loaded");
    ok &= check(ldt == 0, "sldt is not 0 (no LDT)");
    ok &= check(msw64 == 0x80010031ull && msw16 == 0x31, "smsw is not solo5-hvt's CR0");
    if (ok)
        t_puts("sgdt, sidt, str, sldt, smsw: the guest's own values: ok\n");
    return ok ? t_success() : SOLO5_EXIT_FAILURE;
}
