/*
 * Unit tests of the isolated mode's guest memory (tender/modes/isolated/
 * layout.c) and crash reports (crash.c) without KVM: the plan (stack at the
 * top, guard page, heap after the image) and its refusal, what
 * layout_populate writes (boot info, command line, manifest copy without
 * host fds, ELF bytes, page tables), the regions guest_range checks
 * against, and crash_describe's words for the common faults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "modes/isolated/crash.h"
#include "modes/isolated/layout.h"
#include "vm_fixture.h"
#include "x86_64/x86_64.h"

#define MIB (1ull << 20)
#define MEM (4 * MIB)

static struct vm_fixture *X;
static uint8_t file[0x3000]; /* the "unikernel file": text, rodata, data */

/* An image of three segments: text 0x100000 (2 pages, R+X), rodata
 * 0x102000 (R), data 0x103000 (R+W, 2 pages of which 0x100 in the file). */
static int setup(void **state)
{
    static const struct vm_fixture_dev disk = {"disk", MFT_DEV_BLOCK_BASIC};
    struct elf_image *img;

    X = vm_fixture_new(&mode_isolated, 0, &disk, 1);
    if (!X)
        return -1;
    X->cfg.mem_size = MEM;
    X->vm.mft->e[1].b.hostfd = 7;
    X->vm.mft->e[1].attached = 1;
    strcpy(X->cfg.cmdline, "hello world");
    memset(file, 0xcc, sizeof file);
    img = &X->vm.img;
    img->file = file;
    img->entry = 0x100000;
    img->nsegs = 3;
    img->seg[0] = (struct elf_segment){0x100000, 0x2000, 0x2000, 0, SEG_R | SEG_X, 0};
    img->seg[1] = (struct elf_segment){0x102000, 0x1000, 0x1000, 0x2000, SEG_R, 1};
    img->seg[2] = (struct elf_segment){0x103000, 0x2000, 0x100, 0x2800, SEG_R | SEG_W, 2};
    img->load_end = 0x105000;
    return 0;
}

static int teardown(void **state)
{
    vm_fixture_free(X);
    return 0;
}

/* plan_and_populate: the mode's plan, then guest memory, then the layout. */
static void plan_and_populate(void)
{
    assert_int_equal(mode_isolated.plan_memory(&X->vm), 0);
    X->vm.mem = calloc(1, X->vm.mem_alloc);
    assert_non_null(X->vm.mem);
    assert_int_equal(layout_populate(&X->vm), 0);
}

static void test_plan(void **state)
{
    const struct vm_layout *l = &X->vm.layout;

    assert_int_equal(mode_isolated.plan_memory(&X->vm), 0);
    assert_int_equal(X->vm.mem_size, MEM);
    assert_int_equal(X->vm.mem_alloc, MEM);
    assert_int_equal(l->stack_end, MEM);
    assert_int_equal(l->stack_start, MEM - WISP_STACK_DEFAULT);
    assert_int_equal(l->guard_end, l->stack_start);
    assert_int_equal(l->guard_start, l->stack_start - WISP_PAGE_SIZE);
    assert_int_equal(l->heap_start, 0x105000);
    assert_int_equal(l->heap_end, l->guard_start);
}

static void test_plan_refusals(void **state)
{
    /* the stack (rounded up to a page) must fit above 1 MiB */
    X->vm.img.wisp_abi.stack_size = 3 * MIB + 1;
    assert_int_equal(mode_isolated.plan_memory(&X->vm), -1);
    assert_string_equal(X->res.err, "k: a 3076 KiB stack does not fit in 4 MiB of guest "
                                    "memory (use a larger --mem)");
    /* the image must end below the guard page */
    X->vm.img.wisp_abi.stack_size = 0;
    X->vm.img.seg[2].memsz = MEM;
    X->vm.img.load_end = 0x103000 + MEM;
    assert_int_equal(mode_isolated.plan_memory(&X->vm), -1);
    /* --mem outside 2 MiB .. WISP_MEM_MAX */
    X->cfg.mem_size = MIB;
    assert_int_equal(mode_isolated.plan_memory(&X->vm), -1);
    assert_string_equal(X->res.err, "--mem: 1 MiB is out of range (2 to 3072)");
}

static void test_boot_info(void **state)
{
    const struct wisp_boot_info *bi;
    const struct mft *m;

    plan_and_populate();
    bi = (const void *)(X->vm.mem + WISP_BOOT_INFO_GPA);
    assert_ptr_equal(X->vm.bi, bi);
    assert_int_equal(bi->magic, WISP_BOOT_MAGIC);
    assert_int_equal(bi->abi_version, WISP_ABI_VERSION);
    assert_int_equal(bi->mem_size, MEM);
    assert_int_equal(bi->heap_start, 0x105000);
    assert_int_equal(bi->stack_top, MEM);
    assert_string_equal((const char *)X->vm.mem + bi->cmdline, "hello world");
    m = (const void *)(X->vm.mem + bi->mft);
    assert_int_equal(m->entries, 2);
    assert_string_equal(m->e[1].name, "disk");
    assert_int_equal(m->e[1].b.hostfd, 0);     /* no host fd for the guest */
    assert_int_equal(X->vm.mft->e[1].b.hostfd, 7);
    /* the ELF bytes, and the .bss zero */
    assert_int_equal(X->vm.mem[0x100000], 0xcc);
    assert_int_equal(X->vm.mem[0x1030ff], 0xcc);
    assert_int_equal(X->vm.mem[0x103100], 0);
    assert_int_equal(X->vm.layout.cr3, X86_PT_POOL_START);
}

static void test_regions(void **state)
{
    enum guest_fault f;

    plan_and_populate();
    /* boot info: read-only; console: read-write */
    assert_non_null(guest_range(&X->vm, WISP_BOOT_INFO_GPA, 16, 0, &f));
    assert_null(guest_range(&X->vm, WISP_BOOT_INFO_GPA, 16, 1, &f));
    assert_int_equal(f, GUEST_FAULT_NO_WRITE);
    assert_non_null(guest_range(&X->vm, WISP_CONSOLE_GPA, 16, 1, &f));
    /* text and rodata read-only, data and heap writable, across segments */
    assert_non_null(guest_range(&X->vm, 0x100000, 0x3000, 0, &f));
    assert_null(guest_range(&X->vm, 0x102ff8, 16, 1, &f));
    assert_non_null(guest_range(&X->vm, 0x103000, 0x3000, 1, &f));
    /* tender memory, the guard page: not the guest's */
    assert_null(guest_range(&X->vm, X86_IDT_GPA, 8, 0, &f));
    assert_int_equal(f, GUEST_FAULT_NO_READ);
    assert_null(guest_range(&X->vm, X->vm.layout.guard_start, 8, 0, &f));
    assert_non_null(guest_range(&X->vm, MEM - 8, 8, 1, &f));
    assert_null(guest_range(&X->vm, MEM - 8, 9, 1, &f));
    assert_int_equal(f, GUEST_FAULT_OUTSIDE);
    assert_string_equal(guest_fault_phrase(GUEST_FAULT_NO_WRITE), "not memory the guest may write");
}

/* leaf: the leaf entry mapping `va` in the tables layout_populate built,
 * 0 if none (a 2 MiB leaf is returned as is). */
static uint64_t leaf(uint64_t va)
{
    uint64_t e = X->vm.layout.cr3;

    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t t = e & PTE_ADDR_MASK;

        memcpy(&e, X->vm.mem + t + ((va >> shift) & 511) * 8, sizeof e);
        if (!(e & PTE_P) || (shift == 21 && (e & PTE_PS)))
            return e;
    }
    return e;
}

/* The system tables: GDT, IDT and TSS in one supervisor read-only NX page,
 * the stub in a supervisor read-only executable one, the page between them
 * not mapped; the IDT's gates lead to the stub. */
static void test_system_tables(void **state)
{
    uint64_t gate_lo;

    plan_and_populate();
    assert_int_equal(leaf(X86_GDT_GPA), X86_GDT_GPA | PTE_P | PTE_NX);
    assert_int_equal(X86_IDT_GPA & ~0xfffull, X86_GDT_GPA);
    assert_int_equal(X86_TSS_GPA & ~0xfffull, X86_GDT_GPA);
    assert_int_equal(leaf(0x2000) & PTE_P, 0);
    assert_int_equal(leaf(X86_STUB_GPA), X86_STUB_GPA | PTE_P);
    assert_int_equal(leaf(X86_STUB_STACK_GPA), X86_STUB_STACK_GPA | PTE_P | PTE_W | PTE_NX);
    for (unsigned v = 0; v < X86_IDT_VECTORS; v++) {
        memcpy(&gate_lo, X->vm.mem + X86_IDT_GPA + 16 * v, sizeof gate_lo);
        assert_int_equal((gate_lo & 0xffff) | ((gate_lo >> 32) & 0xffff0000),
                         X86_STUB_GPA + v * X86_STUB_ENTRY_SIZE);
    }
    /* exactly the image's bytes, which x86_share_system_tables maps in
     * their place (else every guest would keep its own copy) */
    assert_memory_equal(X->vm.mem + X86_GDT_GPA, &x86_tables_image, 0x1000);
    assert_memory_equal(X->vm.mem + X86_STUB_GPA, x86_tables_image.stub, 0x1000);
}

static void test_crash_describe(void **state)
{
    char buf[512];
    struct crash_info c = {.vector = 14, .has_errcode = 1, .errcode = 4, .rip = 0x100010,
                           .rsp = MEM - 64, .cr2 = 8};

    plan_and_populate();
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: page fault: NULL pointer access at 0x8 (error code 0x4)\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3fffc0\n");
    c.cr2 = X->vm.layout.guard_start + 0xff8;
    c.errcode = 6;
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: page fault: stack overflow into the guard page at "
                             "0x37fff8 in guard page (error code 0x6)\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3fffc0\n");
    c.cr2 = 0x100004;
    c.errcode = 7;
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: page fault: write to read-only memory at 0x100004 "
                             "in text segment (error code 0x7)\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3fffc0\n");
    c.cr2 = 0x103000;
    c.errcode = 0x15;
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: page fault: execute from non-executable memory at "
                             "0x103000 in data segment (error code 0x15)\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3fffc0\n");
    c = (struct crash_info){.vector = 6, .rip = 0x105000, .rsp = MEM - 8};
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: invalid opcode (#UD)\n"
                             "  instruction at 0x105000 in heap, rsp 0x3ffff8\n");
    c = (struct crash_info){.vector = 13, .has_errcode = 1, .errcode = 0, .rip = 0x102000};
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: general protection fault (#GP), error code 0x0\n"
                             "  instruction at 0x102000 in rodata segment, rsp 0x0\n");
    /* the address decides, not the error code (PVM sets RSVD outside RAM) */
    c = (struct crash_info){.vector = 14, .has_errcode = 1, .errcode = 0xf, .rip = 0x100010,
                            .rsp = MEM - 8, .cr2 = 0xffff800000001000ull};
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: page fault: access outside guest memory at "
                             "0xffff800000001000 (error code 0xf)\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3ffff8\n");
    /* a #GP on a non-canonical operand names it; a canonical one is not blamed */
    c = (struct crash_info){.vector = 13, .has_errcode = 1, .rip = 0x100010, .rsp = MEM - 8,
                            .has_addr = 1, .addr = 0x8000000000000000ull};
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: general protection fault (#GP), error code 0x0: "
                             "access to non-canonical address 0x8000000000000000, outside "
                             "guest memory\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3ffff8\n");
    c.addr = 0x7fffffffffffull;
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: general protection fault (#GP), error code 0x0\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3ffff8\n");
    /* the exit handler's own words */
    c.why = "the guest executed syscall at 0x100010: no";
    crash_describe(&X->vm, &c, buf, sizeof buf);
    assert_string_equal(buf, "guest crashed: the guest executed syscall at 0x100010: no\n"
                             "  instruction at 0x100010 in text segment, rsp 0x3ffff8\n");
    c = (struct crash_info){.vector = 13, .has_errcode = 1, .errcode = 0, .rip = 0x102000};
    /* a short buffer is cut, NUL-terminated */
    assert_int_equal(crash_describe(&X->vm, &c, buf, 16), 15);
    assert_string_equal(buf, "guest crashed: ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_system_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_describe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
