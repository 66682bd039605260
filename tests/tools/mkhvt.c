/*
 * mkhvt: write a minimal Solo5 hvt (ABI version 2) unikernel for the
 * compatibility-mode tests, without any guest library: a few dozen bytes of
 * CPL0 code that make port-I/O hypercalls, Solo5's notes, and options to
 * break the notes one way or another (tests/e2e/compat_reject.bats,
 * tests/e2e/compat_tender.bats).
 *
 *   mkhvt [OPTIONS] PROGRAM OUT
 *   mkhvt --list
 *
 * Image (identity mapped, GPA == GVA):
 *   0x100000  text   R+X   the PROGRAM's code, entry point
 *   0x101000  data   RW    hypercall scratch, parameters, message
 *   0x102000  rodata R     one page of 'R'
 *   0x103000  bss    RW    only with --bss=BYTES (p_filesz 0)
 * plus PT_INTERP "/nonexistent/solo5/" (as Solo5 links it) and two PT_NOTEs
 * (ABI1, MFT1), each alone in its own segment as Solo5 lays them out.
 *
 * Data page (filled here, read by the code): STATUS (u32) @0x101040, the
 * message length @0x101048, P1 @0x101080, P2 @0x101088, the message
 * @0x101100, a fake Solo5 trap frame @0x101200.
 *
 * Options:
 *   --status=N        HALT status (default 0)
 *   --msg=TEXT        the message (default "Hello from mkhvt\n")
 *   --p1=N --p2=N     the PROGRAM's parameters (0x.. or decimal)
 *   --target=N        ABI1 target (default 1, hvt)
 *   --abi-version=N   ABI1 version (default 2)
 *   --no-abi          no ABI1 note
 *   --no-mft          no MFT1 note
 *   --mft-descsz=N    MFT1 n_descsz forced to N (malformed manifests)
 *   --block=NAME --net=NAME   declare a device (repeatable, in order)
 *   --bss=BYTES       add a .bss segment of BYTES at 0x103000
 *   --no-interp       no PT_INTERP
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wisp/hvt_abi.h"
#include "wisp/mft_abi.h"

/* ---- guest code ------------------------------------------------------------
 * Assembled by the host assembler into .rodata of this program and copied
 * to 0x100000 in the image.  Absolute addresses only (the image is at a
 * fixed place), so the bytes need no relocation. */
__asm__(
    ".pushsection .rodata.mkhvt, \"a\"\n"
    ".set SCR, 0x101000\n"
    ".set STATUS, 0x101040\n"
    ".set MSGLEN, 0x101048\n"
    ".set P1, 0x101080\n"
    ".set P2, 0x101088\n"
    ".set MSG, 0x101100\n"
    ".macro HC port\n"
    "    mov $\\port, %edx\n"
    "    mov $SCR, %eax\n"
    "    out %eax, (%dx)\n"
    ".endm\n"
    /* HALT(status in reg32, cookie 0) */
    ".macro HALT_WITH reg\n"
    "    movq $0, SCR\n"
    "    mov \\reg, SCR+8\n"
    "    HC 0x508\n"
    "    hlt\n"
    ".endm\n"
    ".macro BLOB name\n"
    "    .globl g_\\name\\()_start, g_\\name\\()_end\n"
    "    .hidden g_\\name\\()_start, g_\\name\\()_end\n"
    ".endm\n"

    /* puts_halt: PUTS(MSG, MSGLEN); HALT(STATUS) */
    "BLOB puts_halt\n"
    "g_puts_halt_start:\n"
    "    movq $MSG, SCR\n"
    "    mov MSGLEN, %rax\n"
    "    mov %rax, SCR+8\n"
    "    HC 0x502\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_puts_halt_end:\n"

    /* puts_ptr: PUTS(P1, P2); HALT(STATUS) */
    "BLOB puts_ptr\n"
    "g_puts_ptr_start:\n"
    "    mov P1, %rax\n"
    "    mov %rax, SCR\n"
    "    mov P2, %rax\n"
    "    mov %rax, SCR+8\n"
    "    HC 0x502\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_puts_ptr_end:\n"

    /* outl: outl(P2 -> port P1); HALT(STATUS) */
    "BLOB outl\n"
    "g_outl_start:\n"
    "    mov P1, %edx\n"
    "    mov P2, %eax\n"
    "    out %eax, (%dx)\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_outl_end:\n"

    /* outb: outb(P2 -> port P1) */
    "BLOB outb\n"
    "g_outb_start:\n"
    "    mov P1, %edx\n"
    "    mov P2, %eax\n"
    "    out %al, (%dx)\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_outb_end:\n"

    /* inl: inl(port P1) */
    "BLOB inl\n"
    "g_inl_start:\n"
    "    mov P1, %edx\n"
    "    in (%dx), %eax\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_inl_end:\n"

    /* walltime: HALT(0) if WALLTIME says 2017 or later, else HALT(1) */
    "BLOB walltime\n"
    "g_walltime_start:\n"
    "    HC 0x501\n"
    "    mov SCR, %rax\n"
    "    movabs $1483228800000000000, %rcx\n"
    "    xor %esi, %esi\n"
    "    cmp %rcx, %rax\n"
    "    jae 1f\n"
    "    mov $1, %esi\n"
    "1:  HALT_WITH %esi\n"
    "g_walltime_end:\n"

    /* poll: POLL(timeout P1 ns); HALT(ret + 0x10 * (ready_set != 0)) */
    "BLOB poll\n"
    "g_poll_start:\n"
    "    mov P1, %rax\n"
    "    mov %rax, SCR\n"
    "    movq $-1, SCR+8\n"
    "    HC 0x503\n"
    "    mov SCR+16, %esi\n"
    "    cmpq $0, SCR+8\n"
    "    je 1f\n"
    "    add $0x10, %esi\n"
    "1:  HALT_WITH %esi\n"
    "g_poll_end:\n"

    /* halt_cookie: HALT(STATUS, cookie P1) */
    "BLOB halt_cookie\n"
    "g_halt_cookie_start:\n"
    "    mov P1, %rax\n"
    "    mov %rax, SCR\n"
    "    mov STATUS, %eax\n"
    "    mov %eax, SCR+8\n"
    "    HC 0x508\n"
    "    hlt\n"
    "g_halt_cookie_end:\n"

    /* store: 4-byte store to P1; HALT(STATUS) */
    "BLOB store\n"
    "g_store_start:\n"
    "    mov P1, %rcx\n"
    "    movl $0x41414141, (%rcx)\n"
    "    mov STATUS, %eax\n"
    "    HALT_WITH %eax\n"
    "g_store_end:\n"

    /* blkrw: BLOCK_WRITE(1, P1, MSG, P2), BLOCK_READ(1, P1, 0x101800, P2),
     * PUTS(0x101800, MSGLEN), HALT(STATUS); a failing call: HALT(0x20 +
     * ret) for the write, HALT(0x30 + ret) for the read. */
    "BLOB blkrw\n"
    "g_blkrw_start:\n"
    "    movq $1, SCR\n"
    "    mov P1, %rax\n"
    "    mov %rax, SCR+8\n"
    "    movq $MSG, SCR+16\n"
    "    mov P2, %rax\n"
    "    mov %rax, SCR+24\n"
    "    movl $-1, SCR+32\n"
    "    HC 0x504\n"
    "    mov SCR+32, %esi\n"
    "    add $0x20, %esi\n"
    "    cmp $0x20, %esi\n"
    "    jne 8f\n"
    "    movq $1, SCR\n"
    "    mov P1, %rax\n"
    "    mov %rax, SCR+8\n"
    "    movq $0x101800, SCR+16\n"
    "    mov P2, %rax\n"
    "    mov %rax, SCR+24\n"
    "    movl $-1, SCR+32\n"
    "    HC 0x505\n"
    "    mov SCR+32, %esi\n"
    "    add $0x30, %esi\n"
    "    cmp $0x30, %esi\n"
    "    jne 8f\n"
    "    movq $0x101800, SCR\n"
    "    mov MSGLEN, %rax\n"
    "    mov %rax, SCR+8\n"
    "    HC 0x502\n"
    "    mov STATUS, %esi\n"
    "8:  HALT_WITH %esi\n"
    "g_blkrw_end:\n"

    /* hlt / ud2: end without a hypercall */
    "BLOB hlt\n"
    "g_hlt_start:\n"
    "    hlt\n"
    "g_hlt_end:\n"
    "BLOB ud2\n"
    "g_ud2_start:\n"
    "    ud2\n"
    "g_ud2_end:\n"

    /* bootinfo: check the initial state of SOLO5_HVT_ABI.md 1.4 and 1.6;
     * HALT(9..) naming the first check that failed, else print the
     * command line and HALT(STATUS).  P1 = expected kernel_end, P2 =
     * expected cmdline address. */
    "BLOB bootinfo\n"
    "g_bootinfo_start:\n"
    "    pushfq\n"                          /* rflags == 2 (before any flag change) */
    "    mov %rax, %r13\n"                  /* all other GPRs 0, RSI included */
    "    or %rbx, %r13\n"
    "    or %rcx, %r13\n"
    "    or %rdx, %r13\n"
    "    or %rsi, %r13\n"
    "    or %rbp, %r13\n"
    "    or %r8, %r13\n"
    "    or %r9, %r13\n"
    "    or %r10, %r13\n"
    "    or %r11, %r13\n"
    "    or %r12, %r13\n"
    "    or %r14, %r13\n"
    "    or %r15, %r13\n"
    "    mov $9, %esi\n"
    "    jnz 8f\n"
    "    pop %rax\n"
    "    mov $10, %esi\n"
    "    cmp $2, %rax\n"
    "    jne 8f\n"
    "    mov %rdi, %r12\n"
    "    mov $11, %esi\n"
    "    cmp $0x10000, %rdi\n"
    "    jne 8f\n"
    "    mov $12, %esi\n"                   /* rsp + 8 == mem_size */
    "    lea 8(%rsp), %rax\n"
    "    cmp (%r12), %rax\n"
    "    jne 8f\n"
    "    mov $13, %esi\n"
    "    mov 8(%r12), %rax\n"
    "    cmp P1, %rax\n"
    "    jne 8f\n"
    "    mov $14, %esi\n"
    "    cmpq $0, 16(%r12)\n"
    "    je 8f\n"
    "    mov $15, %esi\n"
    "    mov 24(%r12), %rax\n"
    "    cmp P2, %rax\n"
    "    jne 8f\n"
    "    mov $16, %esi\n"
    "    cmpq $0x10038, 32(%r12)\n"
    "    jne 8f\n"
    "    mov $17, %esi\n"
    "    cmpq $0, 40(%r12)\n"
    "    jne 8f\n"
    "    mov $18, %esi\n"
    "    cmpq $0, 48(%r12)\n"
    "    jne 8f\n"
    "    mov $19, %esi\n"
    "    mov %cr0, %rax\n"
    "    cmp $0x80010031, %eax\n"   /* PE NE WP PG, and ET (hardwired) */
    "    jne 8f\n"
    "    mov $20, %esi\n"
    "    mov %cr4, %rax\n"
    "    cmp $0x620, %rax\n"
    "    jne 8f\n"
    "    mov $21, %esi\n"
    "    mov %cr3, %rax\n"
    "    cmp $0x2000, %rax\n"
    "    jne 8f\n"
    "    mov $22, %esi\n"
    "    mov $0xc0000080, %ecx\n"
    "    rdmsr\n"
    "    and $0xd01, %eax\n"                /* LME, LMA, NXE, SCE */
    "    cmp $0x500, %eax\n"
    "    jne 8f\n"
    "    mov $23, %esi\n"
    "    mov %cs, %eax\n"
    "    cmp $8, %eax\n"
    "    jne 8f\n"
    "    mov $24, %esi\n"
    "    mov %ss, %eax\n"
    "    cmp $0x10, %eax\n"
    "    jne 8f\n"
    "    mov $25, %esi\n"
    "    sgdt SCR+0x20\n"
    "    cmpw $23, SCR+0x20\n"
    "    jne 8f\n"
    "    cmpq $0x1000, SCR+0x22\n"
    "    jne 8f\n"
    "    mov 24(%r12), %rdi\n"              /* strlen(cmdline) */
    "    xor %ecx, %ecx\n"
    "2:  cmpb $0, (%rdi,%rcx)\n"
    "    je 3f\n"
    "    inc %rcx\n"
    "    jmp 2b\n"
    "3:  mov %rdi, SCR\n"
    "    mov %rcx, SCR+8\n"
    "    HC 0x502\n"
    "    mov STATUS, %esi\n"
    "8:  HALT_WITH %esi\n"
    "g_bootinfo_end:\n"
    ".popsection\n");

#define DECL(n) extern const uint8_t g_##n##_start[], g_##n##_end[]
DECL(puts_halt); DECL(puts_ptr); DECL(outl); DECL(outb); DECL(inl); DECL(walltime);
DECL(poll); DECL(halt_cookie); DECL(store); DECL(hlt); DECL(ud2); DECL(bootinfo);
DECL(blkrw);

struct program {
    const char *name;
    const uint8_t *start, *end;
    const char *what;
};
#define PROG(n, w) { #n, g_##n##_start, g_##n##_end, w }
static const struct program programs[] = {
    PROG(puts_halt, "PUTS the message, HALT(status)"),
    PROG(puts_ptr, "PUTS(data=p1, len=p2), HALT(status)"),
    PROG(outl, "outl p2 to port p1, HALT(status)"),
    PROG(outb, "outb p2 to port p1, HALT(status)"),
    PROG(inl, "inl from port p1, HALT(status)"),
    PROG(walltime, "HALT(0) if WALLTIME >= 2017, else HALT(1)"),
    PROG(poll, "POLL(timeout p1 ns), HALT(ret, +0x10 if ready_set != 0)"),
    PROG(halt_cookie, "HALT(status, cookie=p1); a trap frame is at 0x101200"),
    PROG(store, "store 4 bytes at p1, HALT(status)"),
    PROG(blkrw, "BLOCK_WRITE the message (p2 bytes at offset p1 of device 1), read it "
                "back, PUTS it; HALT(status), or 0x20/0x30 + ret on a failed write/read"),
    PROG(hlt, "hlt"),
    PROG(ud2, "ud2 (no IDT: triple fault)"),
    PROG(bootinfo, "check boot info and CPU state (p1 kernel_end, p2 cmdline GPA), "
                   "PUTS the cmdline, HALT(status); else HALT(9..25)"),
};

/* ---- the image ------------------------------------------------------------ */
#define TEXT_GPA   0x100000ull
#define DATA_GPA   0x101000ull
#define RO_GPA     0x102000ull
#define BSS_GPA    0x103000ull
#define PAGE       0x1000u
#define OFF_TEXT   0x3000u
#define OFF_DATA   0x4000u
#define OFF_RO     0x5000u
#define FILE_SIZE  0x6000u
#define OFF_INTERP 0x200u
#define OFF_ABI    0x240u
#define OFF_MFT    0x280u
#define MAX_DEVS   63

static const char interp[] = "/nonexistent/solo5/";

struct opts {
    uint32_t status, target, version;
    uint64_t p1, p2, bss;
    const char *msg;
    int no_abi, no_mft, no_interp;
    long mft_descsz;  /* -1: the right one */
    unsigned ndev;
    char dev_name[MAX_DEVS][MFT_NAME_SIZE];
    uint32_t dev_type[MAX_DEVS];
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void phdr(uint8_t *f, unsigned *n, uint32_t type, uint32_t flags, uint64_t off,
                 uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    uint8_t *p = f + 64 + 56 * (*n)++;

    put32(p + 0, type);
    put32(p + 4, flags);
    put64(p + 8, off);
    put64(p + 16, vaddr);
    put64(p + 24, vaddr);
    put64(p + 32, filesz);
    put64(p + 40, memsz);
    put64(p + 48, align);
}

/* note: a Solo5 note at f+off; returns its size in the file. */
static uint64_t note(uint8_t *f, uint64_t off, uint32_t type, uint32_t descsz,
                     const void *desc, uint32_t desclen)
{
    put32(f + off, SOLO5_NOTE_NAMESZ);
    put32(f + off + 4, descsz);
    put32(f + off + 8, type);
    memcpy(f + off + 12, SOLO5_NOTE_NAME, SOLO5_NOTE_NAMESZ);
    memcpy(f + off + 20, desc, desclen);
    return 20 + ((descsz + 3u) & ~3u);
}

static int build(const struct program *pg, const struct opts *o, const char *out)
{
    static uint8_t f[FILE_SIZE];
    static uint8_t mft[4 + MFT_SIZE(MFT_MAX_ENTRIES)];
    uint8_t *data = f + OFF_DATA;
    size_t code = (size_t)(pg->end - pg->start), msglen = strlen(o->msg);
    unsigned n = 0;
    uint64_t mft_bytes = MFT1_NOTE_DESCSZ(1 + o->ndev);
    FILE *fp;

    if (code > PAGE || msglen > 0xe00) {
        fprintf(stderr, "mkhvt: program or message too large\n");
        return 1;
    }
    memset(f, 0, sizeof f);
    /* ELF header */
    memcpy(f, "\177ELF", 4);
    f[4] = 2; f[5] = 1; f[6] = 1;        /* ELFCLASS64, LSB, EV_CURRENT */
    put16(f + 16, 2);                    /* ET_EXEC */
    put16(f + 18, 62);                   /* EM_X86_64 */
    put32(f + 20, 1);
    put64(f + 24, TEXT_GPA);             /* e_entry */
    put64(f + 32, 64);                   /* e_phoff */
    put16(f + 52, 64);                   /* e_ehsize */
    put16(f + 54, 56);                   /* e_phentsize */

    if (!o->no_interp) {
        memcpy(f + OFF_INTERP, interp, sizeof interp);
        phdr(f, &n, 3, 4, OFF_INTERP, 0, sizeof interp, sizeof interp, 1);
    }
    memcpy(f + OFF_TEXT, pg->start, code);
    phdr(f, &n, 1, 5, OFF_TEXT, TEXT_GPA, code, code, PAGE);
    put32(data + 0x40, o->status);
    put64(data + 0x48, msglen);
    put64(data + 0x80, o->p1);
    put64(data + 0x88, o->p2);
    memcpy(data + 0x100, o->msg, msglen);
    /* fake trap frame: cr2, ec, rip, cs, rflags, rsp, ss */
    put64(data + 0x200, 0x8); put64(data + 0x208, 0x2); put64(data + 0x210, 0x100123);
    put64(data + 0x218, 0x8); put64(data + 0x220, 0x2); put64(data + 0x228, 0x1fff00);
    put64(data + 0x230, 0x10);
    phdr(f, &n, 1, 6, OFF_DATA, DATA_GPA, PAGE, PAGE, PAGE);
    memset(f + OFF_RO, 'R', PAGE);
    phdr(f, &n, 1, 4, OFF_RO, RO_GPA, PAGE, PAGE, PAGE);
    if (o->bss)
        phdr(f, &n, 1, 6, 0, BSS_GPA, 0, o->bss, PAGE);
    if (!o->no_abi) {
        struct abi1_info abi = {.abi_target = o->target, .abi_version = o->version};
        uint64_t sz = note(f, OFF_ABI, ABI1_NOTE_TYPE, sizeof abi, &abi, sizeof abi);

        phdr(f, &n, 4, 4, OFF_ABI, 0, sz, 0, 4);
    }
    if (!o->no_mft) {
        struct mft *m = (struct mft *)(void *)(mft + 4);
        uint32_t descsz = o->mft_descsz >= 0 ? (uint32_t)o->mft_descsz : (uint32_t)mft_bytes;
        uint32_t copy = descsz < mft_bytes ? descsz : (uint32_t)mft_bytes;
        uint64_t sz;

        if (OFF_MFT + 20 + descsz + 3 > OFF_TEXT) {
            fprintf(stderr, "mkhvt: manifest note too large\n");
            return 1;
        }
        m->version = MFT_VERSION;
        m->entries = 1 + o->ndev;
        m->e[0].type = MFT_RESERVED_FIRST;
        for (unsigned i = 0; i < o->ndev; i++) {
            memcpy(m->e[1 + i].name, o->dev_name[i], MFT_NAME_SIZE);
            m->e[1 + i].type = o->dev_type[i];
        }
        sz = note(f, OFF_MFT, MFT1_NOTE_TYPE, descsz, mft, copy);
        phdr(f, &n, 4, 4, OFF_MFT, 0, sz, 0, 8);
    }
    put16(f + 56, (uint16_t)n);          /* e_phnum */

    fp = fopen(out, "wb");
    if (!fp || fwrite(f, 1, sizeof f, fp) != sizeof f || fclose(fp) != 0) {
        fprintf(stderr, "mkhvt: %s: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}

static int num(const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 0);
    return (*s == '\0' || *end != '\0' || errno) ? -1 : 0;
}

static int add_dev(struct opts *o, const char *name, uint32_t type)
{
    if (o->ndev == MAX_DEVS || strlen(name) >= MFT_NAME_SIZE)
        return -1;
    strcpy(o->dev_name[o->ndev], name);
    o->dev_type[o->ndev++] = type;
    return 0;
}

int main(int argc, char **argv)
{
    static struct opts o = {.target = 1, .version = 2, .msg = "Hello from mkhvt\n",
                            .mft_descsz = -1};
    const char *pos[2];
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v = 0;
        int bad = 0;

        if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < sizeof programs / sizeof programs[0]; k++)
                printf("%-12s %s\n", programs[k].name, programs[k].what);
            return 0;
        } else if (strncmp(a, "--status=", 9) == 0) {
            bad = num(a + 9, &v); o.status = (uint32_t)v;
        } else if (strncmp(a, "--msg=", 6) == 0) {
            o.msg = a + 6;
        } else if (strncmp(a, "--p1=", 5) == 0) {
            bad = num(a + 5, &o.p1);
        } else if (strncmp(a, "--p2=", 5) == 0) {
            bad = num(a + 5, &o.p2);
        } else if (strncmp(a, "--target=", 9) == 0) {
            bad = num(a + 9, &v); o.target = (uint32_t)v;
        } else if (strncmp(a, "--abi-version=", 14) == 0) {
            bad = num(a + 14, &v); o.version = (uint32_t)v;
        } else if (strcmp(a, "--no-abi") == 0) {
            o.no_abi = 1;
        } else if (strcmp(a, "--no-mft") == 0) {
            o.no_mft = 1;
        } else if (strcmp(a, "--no-interp") == 0) {
            o.no_interp = 1;
        } else if (strncmp(a, "--mft-descsz=", 13) == 0) {
            bad = num(a + 13, &v); o.mft_descsz = (long)v;
        } else if (strncmp(a, "--bss=", 6) == 0) {
            bad = num(a + 6, &o.bss);
        } else if (strncmp(a, "--block=", 8) == 0) {
            bad = add_dev(&o, a + 8, MFT_DEV_BLOCK_BASIC);
        } else if (strncmp(a, "--net=", 6) == 0) {
            bad = add_dev(&o, a + 6, MFT_DEV_NET_BASIC);
        } else if (a[0] == '-' || npos == 2) {
            bad = 1;
        } else {
            pos[npos++] = a;
        }
        if (bad) {
            fprintf(stderr, "mkhvt: bad argument: %s\n", a);
            return 1;
        }
    }
    if (npos != 2) {
        fprintf(stderr, "usage: mkhvt [OPTIONS] PROGRAM OUT (mkhvt --list)\n");
        return 1;
    }
    for (size_t k = 0; k < sizeof programs / sizeof programs[0]; k++)
        if (strcmp(programs[k].name, pos[0]) == 0)
            return build(&programs[k], &o, pos[1]);
    fprintf(stderr, "mkhvt: unknown program %s (mkhvt --list)\n", pos[0]);
    return 1;
}
