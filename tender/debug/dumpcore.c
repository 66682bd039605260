/*
 * The guest core file (see dumpcore.h).  Layout: ELF header, program
 * headers (one PT_NOTE, then a PT_LOAD per region), the notes, then each
 * region's bytes at a page-aligned file offset.  Only pages the host has
 * resident (mincore) are written; the rest stay holes, which read back as
 * the zeros the guest would see.  Runs after the seccomp filter is on:
 * the module adds openat (on the directory's fd only), mincore, pwrite64
 * and ftruncate when the option is given, and nothing here allocates.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <unistd.h>

#include "core/mode.h"
#include "core/module.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "debug/gdb.h"
#include "kvm/kvm_backend.h"
#include "modes/hvt/emulate.h"

#define PAGE 4096ull
#define NOTE_ALIGN(x) (((x) + 3) & ~(size_t)3)

struct dumpcore {
    int dirfd;
    const char *arg;
    char dir[4096];
    char name[64];
    struct vm_fault fault;
};

static struct dumpcore *state(const struct vm *vm)
{
    return vm->dumpcore;
}

static enum opt_result dumpcore_option(struct vm *vm, const char *arg)
{
    const char *dir = ".";
    struct dumpcore *d;

    if (strcmp(arg, "--dumpcore") == 0)
        dir = ".";
    else if (strncmp(arg, "--dumpcore=", 11) == 0 && arg[11])
        dir = arg + 11;
    else if (strncmp(arg, "--dumpcore", 10) == 0) {
        vm_fail(vm, "%s: expected --dumpcore or --dumpcore=DIR", arg);
        return OPT_ERROR;
    } else
        return OPT_NOT_MINE;
    if (vm->dumpcore) {
        vm_fail(vm, "%s: --dumpcore given more than once", arg);
        return OPT_ERROR;
    }
    if (strlen(dir) >= sizeof d->dir) {
        vm_fail(vm, "%s: directory name too long", arg);
        return OPT_ERROR;
    }
    d = calloc(1, sizeof *d);
    if (!d) {
        vm_fail(vm, "out of memory");
        return OPT_ERROR;
    }
    d->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d->dirfd < 0) {
        vm_fail(vm, "%s: cannot open directory %s: %s", arg, dir, strerror(errno));
        free(d);
        return OPT_ERROR;
    }
    d->arg = arg;
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    snprintf(d->name, sizeof d->name, "core.%s.%d",
             vm->mode->id == MODE_HVT ? "solo5-hvt" : "wisp", (int)getpid());
    vm->dumpcore = d;
    return OPT_OK;
}

static int dumpcore_seccomp(struct vm *vm, void *ctx)
{
    struct dumpcore *d = state(vm);
    int r = 0;

    if (!d)
        return 0;
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d->dirfd));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mincore), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pwrite64), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ftruncate), 0);
    if (r)
        return vm_fail(vm, "seccomp: cannot add the --dumpcore rules");
    return 0;
}

static void dumpcore_teardown(struct vm *vm)
{
    struct dumpcore *d = state(vm);

    if (!d)
        return;
    close(d->dirfd);
    free(d);
    vm->dumpcore = NULL;
}

void dumpcore_record_fault(struct vm *vm, const struct vm_fault *f)
{
    gdb_guest_fault(vm, f); /* --gdb: the debugger sees the crash first */
    if (state(vm))
        state(vm)->fault = *f;
}

/* put_note: one ELF note at buf+*off (owner, type, desc), padded. */
static void put_note(uint8_t *buf, size_t *off, const char *owner, uint32_t type,
                     const void *desc, size_t desclen)
{
    Elf64_Nhdr h = {.n_namesz = (Elf64_Word)strlen(owner) + 1,
                    .n_descsz = (Elf64_Word)desclen, .n_type = type};

    memcpy(buf + *off, &h, sizeof h);
    *off += sizeof h;
    memcpy(buf + *off, owner, h.n_namesz);
    *off += NOTE_ALIGN(h.n_namesz);
    memcpy(buf + *off, desc, desclen);
    *off += NOTE_ALIGN(desclen);
}

/* prstatus: the vCPU's registers as Linux's NT_PRSTATUS (user_regs_struct
 * order); rip and rsp from the crash report when there is one. */
static void prstatus(struct vm *vm, const struct vm_fault *f, struct elf_prstatus *ps)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct user_regs_struct *u = (struct user_regs_struct *)&ps->pr_reg;

    memset(ps, 0, sizeof *ps);
    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, &r);
    ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &s);
    ps->pr_pid = 1;
    ps->pr_cursig = f->valid ? 11 : 6; /* SIGSEGV for a CPU exception, else SIGABRT */
    ps->pr_info.si_signo = ps->pr_cursig;
    u->r15 = r.r15; u->r14 = r.r14; u->r13 = r.r13; u->r12 = r.r12;
    u->rbp = r.rbp; u->rbx = r.rbx; u->r11 = r.r11; u->r10 = r.r10;
    u->r9 = r.r9; u->r8 = r.r8; u->rax = r.rax; u->rcx = r.rcx;
    u->rdx = r.rdx; u->rsi = r.rsi; u->rdi = r.rdi; u->orig_rax = (unsigned long long)-1;
    u->rip = f->valid ? f->rip : r.rip;
    u->rsp = f->valid ? f->rsp : r.rsp;
    u->eflags = r.rflags;
    if (f->valid && vm->mode->id == MODE_HVT) {
        /* Compatibility mode at CPL3: the registers at the fault, as the
         * tender delivered it, not those of the guest's HALT. */
        uint64_t g[16], fl;

        if (hvt_fault_regs(vm, f->rip, g, &fl) == 0) {
            u->rax = g[0]; u->rcx = g[1]; u->rdx = g[2]; u->rbx = g[3];
            u->rsp = g[4]; u->rbp = g[5]; u->rsi = g[6]; u->rdi = g[7];
            u->r8 = g[8]; u->r9 = g[9]; u->r10 = g[10]; u->r11 = g[11];
            u->r12 = g[12]; u->r13 = g[13]; u->r14 = g[14]; u->r15 = g[15];
            u->eflags = fl;
        }
    }
    u->cs = s.cs.selector; u->ss = s.ss.selector; u->ds = s.ds.selector;
    u->es = s.es.selector; u->fs = s.fs.selector; u->gs = s.gs.selector;
    u->fs_base = s.fs.base; u->gs_base = s.gs.base;
}

/* write_all_at: pwrite every byte; 0 or -1. */
static int write_all_at(int fd, const void *p, size_t n, off_t at)
{
    const uint8_t *b = p;

    while (n > 0) {
        ssize_t w = pwrite(fd, b, n, at);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
        at += w;
    }
    return 0;
}

/* write_region: the resident pages of [start, end) at file offset `at`;
 * counts them in *pages. */
static int write_region(struct vm *vm, int fd, uint64_t start, uint64_t end, off_t at,
                        uint64_t *pages)
{
    unsigned char vec[4096];

    for (uint64_t a = start; a < end;) {
        uint64_t n = (end - a + PAGE - 1) / PAGE;

        if (n > sizeof vec)
            n = sizeof vec;
        if (mincore(vm->mem + a, n * PAGE, vec) < 0)
            memset(vec, 1, n); /* cannot tell: write them all */
        for (uint64_t i = 0; i < n; i++, a += PAGE) {
            uint64_t len = end - a < PAGE ? end - a : PAGE;

            if (!(vec[i] & 1))
                continue;
            if (write_all_at(fd, vm->mem + a, len, at + (off_t)(a - start)))
                return -1;
            (*pages)++;
        }
    }
    return 0;
}

/* write_core: the whole file into fd; 0 or -1 (errno). */
static int write_core(struct vm *vm, struct dumpcore *d, int fd, uint64_t *pages)
{
    static uint8_t head[sizeof(Elf64_Ehdr) + (VM_MAX_REGIONS + 1) * sizeof(Elf64_Phdr) + 1024];
    Elf64_Ehdr *eh = (Elf64_Ehdr *)head;
    Elf64_Phdr *ph = (Elf64_Phdr *)(head + sizeof *eh);
    size_t notes_at = sizeof *eh + (vm->nregions + 1) * sizeof *ph, off = notes_at;
    struct elf_prstatus ps;
    uint64_t data_at;

    memset(head, 0, sizeof head);
    prstatus(vm, &d->fault, &ps);
    put_note(head, &off, "CORE", NT_PRSTATUS, &ps, sizeof ps);
    if (d->fault.valid) {
        struct wisp_core_fault_note fn = {d->fault.vector, d->fault.errcode, d->fault.cr2,
                                          d->fault.rip, d->fault.rsp, d->fault.has_errcode};

        put_note(head, &off, WISP_CORE_NOTE_NAME, WISP_CORE_NOTE_FAULT, &fn, sizeof fn);
    }
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
    eh->e_type = ET_CORE;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_phoff = sizeof *eh;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof *ph;
    eh->e_phnum = (Elf64_Half)(vm->nregions + 1);
    ph[0] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = notes_at,
                         .p_filesz = off - notes_at, .p_align = 4};
    data_at = (off + PAGE - 1) & ~(PAGE - 1);
    for (unsigned i = 0; i < vm->nregions; i++) {
        const struct vm_region *r = &vm->regions[i];

        ph[i + 1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | (r->writable ? PF_W : 0),
                                 .p_offset = data_at, .p_vaddr = r->start, .p_paddr = r->start,
                                 .p_filesz = r->end - r->start, .p_memsz = r->end - r->start,
                                 .p_align = PAGE};
        for (unsigned s = 0; s < vm->img.nsegs; s++)
            if (vm->img.seg[s].flags & SEG_X && r->start < vm->img.seg[s].vaddr +
                vm->img.seg[s].memsz && vm->img.seg[s].vaddr < r->end)
                ph[i + 1].p_flags |= PF_X;
        if (write_region(vm, fd, r->start, r->end, (off_t)data_at, pages))
            return -1;
        data_at += (r->end - r->start + PAGE - 1) & ~(PAGE - 1);
    }
    if (write_all_at(fd, head, off, 0))
        return -1;
    return ftruncate(fd, (off_t)data_at);
}

void dumpcore_after_run(struct vm *vm)
{
    struct dumpcore *d = state(vm);
    uint64_t pages = 0, total = 0;
    int fd;

    if (!d || !vm->kvm || !vm->mem || vm->res->end == WISP_END_ERROR ||
        vm->res->status != WISP_EXIT_GUEST_FAULT)
        return;
    vm_log(vm, "dumpcore: dumping guest core to: %s/%s", d->dir, d->name);
    fd = openat(d->dirfd, d->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        vm_log(vm, "dumpcore: cannot create %s/%s: %s", d->dir, d->name, strerror(errno));
        return;
    }
    for (unsigned i = 0; i < vm->nregions; i++)
        total += (vm->regions[i].end - vm->regions[i].start + PAGE - 1) / PAGE;
    if (write_core(vm, d, fd, &pages) < 0)
        vm_log(vm, "dumpcore: writing %s/%s failed: %s", d->dir, d->name, strerror(errno));
    else
        vm_log(vm, "dumpcore: dumped %llu pages of total %llu pages",
               (unsigned long long)pages, (unsigned long long)total);
    close(fd);
}

const struct module module_dumpcore = {
    .option_prefixes = (const char *const[]){"--dumpcore", NULL},
    .usage = "  --dumpcore[=DIR]\n"
             "                 if the guest ends with status 255 (crash, abort), write an\n"
             "                 ELF core file of it to DIR (default .): core.wisp.PID, or\n"
             "                 core.solo5-hvt.PID for a Solo5 hvt unikernel; read it with\n"
             "                 gdb KERNEL CORE\n",
    .handle_option = dumpcore_option,
    .seccomp_rules = dumpcore_seccomp,
    .teardown = dumpcore_teardown,
};
