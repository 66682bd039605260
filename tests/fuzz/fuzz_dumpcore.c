/*
 * libFuzzer target for the guest core file writer (tender/debug/dumpcore.c,
 * --dumpcore): everything it writes comes from the guest: its memory, its
 * registers (KVM_GET_REGS / KVM_GET_SREGS, answered here from the input:
 * the target is linked with -Wl,--wrap=ioctl), the crash report or Solo5
 * trap frame (dumpcore_record_fault), and, through the image, the memory
 * regions and executable segments.  No KVM: the tests' struct vm fixture
 * with 32 KiB of RAM mapped here, so that each input starts with no page
 * resident (the writer leaves those as holes).
 *
 * Input: 144 bytes of struct kvm_regs, 64 bytes of the start of struct
 * kvm_sregs (segments cs, ds, es), 49 bytes of fault (valid, then vector,
 * errcode, cr2, rip, rsp as u32 and u64s), one byte of region count (1..8)
 * and 3 bytes per region (a gap of 0..3 pages after the previous one,
 * 1..4 pages, writable: clipped into RAM, sorted and disjoint as the
 * tender's are), one byte of segment count
 * (0..4) and 9 bytes per segment (flags, vaddr and memsz as u32); the rest
 * is written into guest RAM at 0, 4 KiB apart per 1 KiB of input.  Missing
 * bytes are 0.
 *
 * Checked on the file written (core.wisp.PID in a directory made under
 * /dev/shm or /tmp, removed at exit): an x86_64 ET_CORE with one PT_NOTE and one
 * PT_LOAD per region, in order, page-aligned and disjoint in the file,
 * PF_W exactly for writable regions; the PT_LOAD bytes read back equal
 * guest RAM (holes read as its zeros); the NT_PRSTATUS note has the
 * registers (rip and rsp from the fault when valid) and the WISP fault
 * note exists exactly when the fault is valid; the file ends where the
 * last region does.  How to run: tests/fuzz/README.md.
 */
#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/module.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "vm_fixture.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_ioctl(int fd, unsigned long req, ...);
int __real_ioctl(int fd, unsigned long req, ...);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define MEM_SIZE (32u << 10)
#define PAGE 4096u
#define VCPU_FD 987654 /* never open: only __wrap_ioctl answers it */

static struct vm_fixture *X;
static char dir[] = "/dev/shm/fuzz_dumpcore.XXXXXX"; /* or /tmp: see init */
static char core_path[sizeof dir + 64];
static char option[sizeof dir + 16];
static struct kvm_regs in_regs;
static struct kvm_sregs in_sregs;
static uint8_t file[MEM_SIZE + 64 * 1024];

int __wrap_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (fd != VCPU_FD)
        return __real_ioctl(fd, req, arg);
    if (req == KVM_GET_REGS) {
        memcpy(arg, &in_regs, sizeof in_regs);
        return 0;
    }
    if (req == KVM_GET_SREGS) {
        memcpy(arg, &in_sregs, sizeof in_sregs);
        return 0;
    }
    return -1;
}

static void cleanup(void)
{
    unlink(core_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    X = vm_fixture_new(&mode_isolated, 0, NULL, 0);
    CHECK(X != NULL);
    X->vm.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(X->vm.mem != MAP_FAILED);
    X->vm.mem_size = X->vm.mem_alloc = MEM_SIZE;
    X->kb.vcpu_fd = VCPU_FD;
    if (!mkdtemp(dir)) { /* no /dev/shm (tmpfs: fast) */
        strcpy(dir, "/tmp/fuzz_dumpcore.XXXXXX"); /* shorter */
        CHECK(mkdtemp(dir) != NULL);
    }
    atexit(cleanup);
    snprintf(option, sizeof option, "--dumpcore=%s", dir);
    CHECK(module_dumpcore.handle_option(&X->vm, option) == OPT_OK);
    snprintf(core_path, sizeof core_path, "%s/core.wisp.%d", dir, (int)getpid());
    fuzz_quiet(argc, argv);
    return 0;
}

/* take: n bytes of the input into out (zeros past its end). */
static void take(const uint8_t **data, size_t *size, void *out, size_t n)
{
    size_t k = *size < n ? *size : n;

    memset(out, 0, n);
    memcpy(out, *data, k);
    *data += k;
    *size -= k;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

/* check_notes: NT_PRSTATUS first, then the WISP note iff the fault is valid. */
static void check_notes(const uint8_t *n, size_t len, const struct vm_fault *f)
{
    Elf64_Nhdr h;
    struct elf_prstatus ps;
    const struct user_regs_struct *u = (const struct user_regs_struct *)&ps.pr_reg;

    CHECK(len >= sizeof h + 8 + sizeof ps);
    memcpy(&h, n, sizeof h);
    CHECK(h.n_type == NT_PRSTATUS && h.n_namesz == 5 && memcmp(n + sizeof h, "CORE", 5) == 0);
    CHECK(h.n_descsz == sizeof ps);
    memcpy(&ps, n + sizeof h + 8, sizeof ps);
    CHECK(u->rax == in_regs.rax && u->rbx == in_regs.rbx && u->r15 == in_regs.r15 &&
          u->rdi == in_regs.rdi && u->eflags == in_regs.rflags);
    CHECK(u->rip == (f->valid ? f->rip : in_regs.rip));
    CHECK(u->rsp == (f->valid ? f->rsp : in_regs.rsp));
    CHECK(u->cs == in_sregs.cs.selector && u->ds == in_sregs.ds.selector);
    n += sizeof h + 8 + ((sizeof ps + 3) & ~(size_t)3);
    len -= sizeof h + 8 + ((sizeof ps + 3) & ~(size_t)3);
    if (!f->valid) {
        CHECK(len == 0);
        return;
    }
    CHECK(len == sizeof h + 8 + sizeof(struct wisp_core_fault_note));
    memcpy(&h, n, sizeof h);
    CHECK(h.n_type == WISP_CORE_NOTE_FAULT && memcmp(n + sizeof h, "WISP", 5) == 0);
    CHECK(get64(n + sizeof h + 8) == f->vector && get64(n + sizeof h + 16) == f->errcode &&
          get64(n + sizeof h + 24) == f->cr2);
}

static void check_core(const struct vm_fault *f)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph[VM_MAX_REGIONS + 1];
    struct stat st;
    uint64_t end = 0;
    int fd = open(core_path, O_RDONLY | O_CLOEXEC);

    CHECK(fd >= 0 && fstat(fd, &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK((size_t)st.st_size <= sizeof file);
    CHECK(pread(fd, file, (size_t)st.st_size, 0) == st.st_size);
    close(fd);
    memcpy(&eh, file, sizeof eh);
    CHECK(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_type == ET_CORE &&
          eh.e_machine == EM_X86_64 && eh.e_phoff == sizeof eh);
    CHECK(eh.e_phnum == X->vm.nregions + 1);
    memcpy(ph, file + sizeof eh, eh.e_phnum * sizeof ph[0]);
    CHECK(ph[0].p_type == PT_NOTE && ph[0].p_offset + ph[0].p_filesz <= (uint64_t)st.st_size);
    check_notes(file + ph[0].p_offset, ph[0].p_filesz, f);
    end = ph[0].p_offset + ph[0].p_filesz;
    for (unsigned i = 0; i < X->vm.nregions; i++) {
        const struct vm_region *r = &X->vm.regions[i];
        const Elf64_Phdr *p = &ph[i + 1];

        CHECK(p->p_type == PT_LOAD && p->p_vaddr == r->start && p->p_filesz == r->end - r->start);
        CHECK(p->p_offset % PAGE == 0 && p->p_offset >= end);
        CHECK(!!(p->p_flags & PF_W) == !!r->writable && (p->p_flags & PF_R));
        CHECK(p->p_offset + p->p_filesz <= (uint64_t)st.st_size);
        CHECK(memcmp(file + p->p_offset, X->vm.mem + r->start, p->p_filesz) == 0);
        end = p->p_offset + ((p->p_filesz + PAGE - 1) & ~(uint64_t)(PAGE - 1));
    }
    CHECK((uint64_t)st.st_size == ((end + PAGE - 1) & ~(uint64_t)(PAGE - 1)) ||
          (uint64_t)st.st_size == end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t fb[49], b[9], n = 0;
    struct vm_fault f;
    unsigned page = 0;

    take(&data, &size, &in_regs, sizeof in_regs);
    take(&data, &size, &in_sregs, 64);
    take(&data, &size, fb, sizeof fb);
    f = (struct vm_fault){.valid = fb[0] & 1, .vector = (uint32_t)get64(fb + 1),
                          .has_errcode = fb[1] & 1, .errcode = get64(fb + 9),
                          .cr2 = get64(fb + 17), .rip = get64(fb + 25), .rsp = get64(fb + 33)};
    take(&data, &size, &n, 1);
    X->vm.nregions = 0;
    for (unsigned i = 0; i < 1u + n % 8; i++) {
        unsigned start, len;

        take(&data, &size, b, 3);
        start = page + b[0] % 4;
        len = 1 + b[1] % 4;
        if (start >= MEM_SIZE / PAGE)
            break;
        if (start + len > MEM_SIZE / PAGE)
            len = MEM_SIZE / PAGE - start;
        X->vm.regions[X->vm.nregions++] = (struct vm_region){
            (uint64_t)start * PAGE, (uint64_t)(start + len) * PAGE, b[2] & 1};
        page = start + len;
    }
    take(&data, &size, &n, 1);
    X->vm.img.nsegs = n % 5;
    for (unsigned i = 0; i < X->vm.img.nsegs; i++) {
        uint32_t v, m;

        take(&data, &size, b, 9);
        memcpy(&v, b + 1, 4);
        memcpy(&m, b + 5, 4);
        X->vm.img.seg[i] = (struct elf_segment){.vaddr = v % MEM_SIZE, .memsz = m % MEM_SIZE,
                                                .flags = b[0] & (SEG_R | SEG_W | SEG_X)};
    }
    /* guest RAM: nothing resident, then the rest of the input */
    CHECK(madvise(X->vm.mem, MEM_SIZE, MADV_DONTNEED) == 0);
    for (uint64_t at = 0; size > 0 && at < MEM_SIZE; at += PAGE) {
        size_t k = size < 1024 ? size : 1024;

        memcpy(X->vm.mem + at, data, k);
        data += k;
        size -= k;
    }
    dumpcore_record_fault(&X->vm, &f);
    memset(&X->res, 0, sizeof X->res);
    X->res.end = WISP_END_CRASH;
    X->res.status = WISP_EXIT_GUEST_FAULT;
    dumpcore_after_run(&X->vm);
    check_core(&f);
    CHECK(unlink(core_path) == 0);
    return 0;
}
