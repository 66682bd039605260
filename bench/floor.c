/*
 * floor: the least a KVM "boot, run, exit" can cost on this host, the
 * baseline every wisp boot figure is compared with.  Opens /dev/kvm,
 * creates a VM and one vCPU, backs the page of the x86 reset vector
 * (GPA 0xfffff000) with one host page holding `hlt` at 0xfffffff0, runs
 * the vCPU from reset (real mode, CPL0) to its one exit (KVM_EXIT_HLT) and
 * exits.  No register set-up at all: the reset state already points at
 * the instruction.  Exit status 0 if the exit was the expected one.
 *
 * `floor --idle`: the floor of an idle guest, for the host-memory
 * benchmark (bench/mem.c): the same VM and run, then "READY\n" on stdout
 * in one write and sleep until killed, the VM and vCPU still open.
 *
 * `floor --long [--idle]`: the same with the vCPU in 64-bit mode, paging
 * on, as every x86_64 unikernel runs: four guest pages at GPA 0 (PML4,
 * PDPT, a PD mapping the first 2 MiB with one large page, and `hlt` at
 * 0x3000), set through KVM_SET_SREGS/KVM_SET_REGS.  The least a paged
 * 64-bit guest costs; with shadow paging (KVM without EPT/NPT, PVM) KVM
 * keeps more per vCPU for it than for the real-mode floor.
 *
 * `floor --http`: the floor of a VM per connection, for bench/serve.sh: read
 * stdin up to the blank line that ends an HTTP request, run the same bare
 * VM, answer with a fixed HTTP/1.0 200 JSON body on stdout, exit.  Forked
 * and exec'd per connection by bench/serve/inetd, it costs what any server
 * that gives each connection a fresh KVM VM must at least pay here: a
 * process, a VM and a vCPU created, one guest instruction, all torn down.
 *
 * `floor --cpl3-exits=N`: the floor plus the least N hypercalls can cost:
 * 64-bit paged as --long, but the code runs at CPL3 on a TSS whose I/O
 * bitmap lets it `out` to port 0x80 (as compatibility mode lets a Solo5
 * guest's `outl` to 0x500+n exit directly), making N port-I/O exits, the
 * Nth ending the run (no `hlt`: it is privileged).  What a guest that
 * makes N hypercalls cannot go below on this host (bench/compat.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RESET_PAGE 0xfffff000ull
#define LONG_PAGES 4

/* long_mode: the four pages at (mem) and the vCPU's state for 64-bit
 * paged execution of the `hlt` at 0x3000.  Returns 0 or -1 (perror). */
static int long_mode(int vcpu, unsigned char *mem)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs = {.rip = 0x3000, .rflags = 2};
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 11, .present = 1,
        .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    struct kvm_segment data = code;
    unsigned long long *pml4 = (void *)mem, *pdpt = (void *)(mem + 0x1000),
                       *pd = (void *)(mem + 0x2000);

    pml4[0] = 0x1000 | 3;   /* present, writable */
    pdpt[0] = 0x2000 | 3;
    pd[0] = 0 | 0x80 | 3;   /* a 2 MiB page at 0 */
    mem[0x3000] = 0xf4;     /* hlt */
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
        return perror("floor: KVM_GET_SREGS"), -1;
    data.type = 3;
    data.l = 0;
    data.selector = 0x10;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.cr3 = 0;
    sregs.cr4 = 1u << 5;                 /* PAE */
    sregs.cr0 = 0x80000001u | (1u << 5); /* PG, PE, NE */
    sregs.efer = 0x500;                  /* LME, LMA */
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
        return perror("floor: KVM_SET_SREGS/REGS"), -1;
    return 0;
}

/* read_request: stdin until "\r\n\r\n", "\n\n" or the end; 0, or -1. */
static int read_request(void)
{
    char buf[8192];
    size_t used = 0;

    while (used < sizeof buf) {
        ssize_t n = read(0, buf + used, sizeof buf - used);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return perror("floor: read"), -1;
        if (n == 0)
            return 0;
        used += (size_t)n;
        for (size_t i = 0; i + 1 < used; i++)
            if ((buf[i] == '\n' && buf[i + 1] == '\n') ||
                (i + 3 < used && memcmp(buf + i, "\r\n\r\n", 4) == 0))
                return 0;
    }
    return 0;
}

static const char http_answer[] =
    "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 33\r\n"
    "Connection: close\r\n\r\n{\"vm\":\"floor\",\"status\":\"200 OK\"}\n";

#define CPL3_PORT 0x80
#define CPL3_TSS  0x4000
#define CPL3_GDT  0x5000
#define CPL3_PAGES 6 /* long mode's 4, the TSS, the GDT */
#define CPL3_IOMAP_BYTES (CPL3_PORT / 8 + 2) /* through port 0x8f, then 0xff */

/* cpl3_mode: long_mode's pages and state, the code at CPL3 (the 2 MiB
 * page user-accessible), a TSS at 0x4000 whose I/O bitmap opens ports
 * 0x80-0x83 only, and the code `xor %eax,%eax; 1: inc %eax; out %eax,
 * $0x80; jmp 1b`: one exit per `out`, the count in %eax. */
static int cpl3_mode(int vcpu, unsigned char *mem)
{
    static const unsigned char code[] = {0x31, 0xc0, 0xff, 0xc0, 0xe7, CPL3_PORT, 0xeb, 0xfa};
    struct kvm_sregs sregs;
    struct kvm_segment tr = {
        .base = CPL3_TSS, .limit = 104 + CPL3_IOMAP_BYTES - 1, .selector = 0x28, .type = 11,
        .present = 1,
    };
    unsigned char *tss = mem + CPL3_TSS;
    unsigned long long *gdt = (unsigned long long *)(void *)(mem + CPL3_GDT);

    if (long_mode(vcpu, mem))
        return -1;
    ((unsigned long long *)(void *)mem)[0] |= 4;               /* PML4: user */
    ((unsigned long long *)(void *)(mem + 0x1000))[0] |= 4;    /* PDPT: user */
    ((unsigned long long *)(void *)(mem + 0x2000))[0] |= 4;    /* the 2 MiB page: user */
    memcpy(mem + 0x3000, code, sizeof code);
    /* The GDT, as wisp's (x86_64/tables.c): user data 0x1b, user code
     * 0x23, the TSS at 0x28 (busy). */
    gdt[1] = 0x00af9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;
    gdt[3] = 0x00cff3000000ffffull;
    gdt[4] = 0x00affb000000ffffull;
    gdt[5] = (tr.limit & 0xffff) | ((unsigned long long)CPL3_TSS << 16) | (0x8bull << 40);
    tss[102] = 104;                                  /* I/O map base */
    memset(tss + 104, 0xff, CPL3_IOMAP_BYTES);
    tss[104 + CPL3_PORT / 8] = 0xf0;                 /* ports 0x80-0x83 open */
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
        return perror("floor: KVM_GET_SREGS"), -1;
    sregs.cs.dpl = 3;
    sregs.cs.selector = 0x23;
    sregs.ss.dpl = sregs.ds.dpl = sregs.es.dpl = sregs.fs.dpl = sregs.gs.dpl = 3;
    sregs.ss.selector = sregs.ds.selector = sregs.es.selector = 0x1b;
    sregs.fs.selector = sregs.gs.selector = 0x1b;
    sregs.tr = tr;
    sregs.gdt.base = CPL3_GDT;
    sregs.gdt.limit = 7 * 8 - 1;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
        return perror("floor: KVM_SET_SREGS (CPL3)"), -1;
    return 0;
}

int main(int argc, char *argv[])
{
    struct kvm_userspace_memory_region slot = {
        .slot = 0, .guest_phys_addr = RESET_PAGE, .memory_size = 4096,
    };
    struct kvm_run *run;
    unsigned char *mem;
    int kvm, vm, vcpu, size, idle = 0, longm = 0, http = 0;
    long exits = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--idle") == 0)
            idle = 1;
        else if (strcmp(argv[i], "--long") == 0)
            longm = 1;
        else if (strcmp(argv[i], "--http") == 0)
            http = 1;
        else if (strncmp(argv[i], "--cpl3-exits=", 13) == 0 &&
                 (exits = strtol(argv[i] + 13, NULL, 10)) > 0 && exits < 1000000)
            longm = 1;
        else
            return fprintf(stderr, "usage: floor [--long | --cpl3-exits=N] [--idle | --http]\n"), 2;
    }
    if (http && read_request() < 0)
        return 1;
    if (longm) {
        slot.guest_phys_addr = 0;
        slot.memory_size = (exits ? CPL3_PAGES : LONG_PAGES) * 4096;
    }
    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        return perror("floor: /dev/kvm"), 1;
    vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0)
        return perror("floor: KVM_CREATE_VM"), 1;
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu < 0 || size <= 0)
        return perror("floor: KVM_CREATE_VCPU"), 1;
    run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    mem = mmap(NULL, slot.memory_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (run == MAP_FAILED || mem == MAP_FAILED)
        return perror("floor: mmap"), 1;
    if (exits) {
        if (cpl3_mode(vcpu, mem))
            return 1;
    } else if (longm) {
        if (long_mode(vcpu, mem))
            return 1;
    } else {
        mem[0xff0] = 0xf4; /* hlt, at the reset vector 0xfffffff0 */
    }
    slot.userspace_addr = (unsigned long long)(unsigned long)mem;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        return perror("floor: KVM_SET_USER_MEMORY_REGION"), 1;
    for (long n = 1; n < exits; n++) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0)
            return perror("floor: KVM_RUN"), 1;
        if (run->exit_reason != KVM_EXIT_IO || run->io.port != CPL3_PORT)
            return fprintf(stderr, "floor: exit %ld: reason %u, not the out to 0x%x\n", n,
                           run->exit_reason, CPL3_PORT), 1;
    }
    if (ioctl(vcpu, KVM_RUN, 0) < 0)
        return perror("floor: KVM_RUN"), 1;
    if (exits) {
        unsigned eax;

        memcpy(&eax, (unsigned char *)run + run->io.data_offset, sizeof eax);
        if (run->exit_reason != KVM_EXIT_IO || run->io.port != CPL3_PORT || eax != exits)
            return fprintf(stderr, "floor: the last exit is not out #%ld to 0x%x\n", exits,
                           CPL3_PORT), 1;
    } else if (run->exit_reason != KVM_EXIT_HLT)
        return fprintf(stderr, "floor: unexpected exit reason %u\n", run->exit_reason), 1;
    if (http && write(1, http_answer, sizeof http_answer - 1) != (ssize_t)(sizeof http_answer - 1))
        return perror("floor: write"), 1;
    if (idle) {
        if (write(1, "READY\n", 6) != 6)
            return 1;
        for (;;)
            pause();
    }
    return 0;
}
