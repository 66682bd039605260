/*
 * solo5check: would solo5-hvt load this file?  A second, spec-literal
 * implementation of the acceptance rules of Solo5's hvt tender, written
 * from /work/shared/design/SOLO5_HVT_ABI.md (1.3, 3, 4.1, 4.2) and kept
 * independent of wisp's own validator (tender/elf*.c, tender/mft.c): it
 * includes no wisp header and shares no code with it.  Issue 4 asks that
 * the hvt flavour's binaries be valid Solo5 hvt binaries; no solo5-hvt is
 * available here, so this is how tests/e2e/solo5_abi.bats checks it.
 *
 *   solo5check [--mem=MIB] FILE...
 *
 * The rules are applied in the order solo5-hvt applies them (4.1):
 *   1. the ABI1 note (elf_load_note: ELF header, program headers, the note
 *      lookup), then target == 1 (hvt) and version == 2;
 *   2. the MFT1 note (elf_load_note again), then mft_validate;
 *   3. elf_load: ELF header, entry point, program headers, then every
 *      PT_LOAD with p_filesz > 0 in order.
 * The first rule broken is reported, as solo5-hvt stops at its first
 * error:
 *   FILE: ok (solo5-hvt would load it: N PT_LOADs, M devices)
 *   FILE: REJECTED: <rule, with the values>
 * N counts the PT_LOADs solo5-hvt loads (p_filesz > 0); M the manifest's
 * devices, the reserved entry 0 not counted.  Facts that Solo5's bindings
 * and the spec rely on but the tender does not check are reported, never
 * rejected, as "FILE: note: ..." lines (PT_INTERP "/nonexistent/solo5/",
 * .text at 0x100020, ...).
 *
 * --mem=MIB is solo5-hvt's option (default 512): rounded down to 2 MiB
 * with a minimum of 2 MiB, at most 4096.  The 2 MiB that solo5-hvt adds to
 * the size given to elf_load when a NET_BASIC device is attached depends on
 * the command line, not on the file, and is not added: the check is the
 * stricter one.
 *
 * Exit status: 0 all files accepted, 1 some file rejected or unreadable,
 * 2 usage.  Files must be regular and at most 256 MiB; every read is
 * bounds-checked against the file as read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- constants, from the spec (not from wisp's headers) ------------------ */
#define MIB                 (UINT64_C(1) << 20)
#define GUEST_MIN_BASE      UINT64_C(0x100000)   /* HVT_GUEST_MIN_BASE (1.5) */
#define MEM_MAX             (UINT64_C(4096) * MIB) /* X86_GUEST_MAX_MEM_SIZE */
#define MEM_ROUND           (2 * MIB)
#define PAGE                UINT64_C(0x1000)
#define MAX_FILE            (UINT64_C(256) * MIB)

#define EHDR_SIZE           64
#define PHDR_SIZE           56
#define NHDR_SIZE           12                   /* Elf64_Nhdr */
#define SOLO5_NHDR_SIZE     20                   /* Elf64_Nhdr + "Solo5\0" padded to 8 */
#define ET_EXEC_            2
#define ET_DYN_             3
#define EM_X86_64_          62
#define EV_CURRENT_         1
#define ELFCLASS64_         2
#define ELFDATA2LSB_        1
#define PT_LOAD_            1
#define PT_INTERP_          3
#define PT_NOTE_            4
#define PF_X_               1
#define PF_W_               2

#define ABI1_NOTE_TYPE      UINT32_C(0x31494241) /* "ABI1" */
#define ABI1_NOTE_ALIGN     4
#define ABI1_NOTE_MAX       32
#define HVT_ABI_TARGET      1
#define HVT_ABI_VERSION     2
#define MFT1_NOTE_TYPE      UINT32_C(0x3154464d) /* "MFT1" */
#define MFT1_NOTE_ALIGN     8
#define MFT1_NOTE_MAX       6668
#define MFT_VERSION         1
#define MFT_MAX_ENTRIES     64
#define MFT_HDR_SIZE        8                    /* struct mft: version, entries */
#define MFT_ENTRY_SIZE      104
#define MFT_NAME_SIZE       68
#define MFT_OFF_TYPE        68
#define MFT_OFF_ATTACHED    96
#define MFT_RESERVED_FIRST  (UINT32_C(1) << 30)

#define SOLO5_INTERP        "/nonexistent/solo5/"
#define SOLO5_TEXT_START    UINT64_C(0x100020)

/* ---- the file, and bounded little-endian reads --------------------------- */
struct file {
    const char *name;
    const uint8_t *buf;
    uint64_t size;
};

/* [off, off+len) lies inside the file (overflow-safe). */
static bool in_file(const struct file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32);
}

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static void get_ehdr(const struct file *f, struct ehdr *e)
{
    const uint8_t *p = f->buf;
    memcpy(e->ident, p, 16);
    e->type = le16(p + 16);
    e->machine = le16(p + 18);
    e->version = le32(p + 20);
    e->entry = le64(p + 24);
    e->phoff = le64(p + 32);
    e->shoff = le64(p + 40);
    e->ehsize = le16(p + 52);
    e->phentsize = le16(p + 54);
    e->phnum = le16(p + 56);
    e->shentsize = le16(p + 58);
    e->shnum = le16(p + 60);
    e->shstrndx = le16(p + 62);
}

/* Only after check_headers() has accepted e_phoff/e_phnum. */
static void get_phdr(const struct file *f, const struct ehdr *e, unsigned i, struct phdr *ph)
{
    const uint8_t *p = f->buf + e->phoff + (uint64_t)i * PHDR_SIZE;
    ph->type = le32(p);
    ph->flags = le32(p + 4);
    ph->offset = le64(p + 8);
    ph->vaddr = le64(p + 16);
    ph->paddr = le64(p + 24);
    ph->filesz = le64(p + 32);
    ph->memsz = le64(p + 40);
    ph->align = le64(p + 48);
}

/* ---- reporting ------------------------------------------------------------ */
static char reason[512];

static bool reject(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool reject(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return false;
}

static void note(const struct file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct file *f, const char *fmt, ...)
{
    va_list ap;
    printf("%s: note: ", f->name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- ehdr_is_valid (4.2), and reading the program headers --------------- */
static bool ehdr_is_valid(const struct file *f, const struct ehdr *e, const char *when)
{
    if (!(e->ident[0] == 0x7f && e->ident[1] == 'E' && e->ident[2] == 'L' && e->ident[3] == 'F'))
        return reject("ehdr_is_valid (%s): bad ELF magic %02x %02x %02x %02x", when,
                      e->ident[0], e->ident[1], e->ident[2], e->ident[3]);
    if (e->ident[4] != ELFCLASS64_)
        return reject("ehdr_is_valid (%s): EI_CLASS %u != ELFCLASS64 (2)", when, e->ident[4]);
    if (e->ident[5] != ELFDATA2LSB_)
        return reject("ehdr_is_valid (%s): EI_DATA %u != ELFDATA2LSB (1)", when, e->ident[5]);
    if (e->version != EV_CURRENT_)
        return reject("ehdr_is_valid (%s): e_version %" PRIu32 " != EV_CURRENT (1)", when,
                      e->version);
    if (e->ehsize != EHDR_SIZE)
        return reject("ehdr_is_valid (%s): e_ehsize %u != 64", when, e->ehsize);
    if (e->phnum < 1)
        return reject("ehdr_is_valid (%s): e_phnum 0 < 1", when);
    if (e->phentsize != PHDR_SIZE)
        return reject("ehdr_is_valid (%s): e_phentsize %u != 56", when, e->phentsize);
    if (e->type != ET_EXEC_)
        return reject("ehdr_is_valid (%s): e_type %u != ET_EXEC (2)%s", when, e->type,
                      e->type == ET_DYN_ ? " (ET_DYN: PIE is not accepted)" : "");
    if (e->machine != EM_X86_64_)
        return reject("ehdr_is_valid (%s): e_machine %u != EM_X86_64 (62)", when, e->machine);
    return true;
}

/* Read the ELF header and check it, then check that all program headers
 * can be read in full (solo5-hvt rejects a short read). */
static bool check_headers(const struct file *f, struct ehdr *e, const char *when)
{
    if (!in_file(f, 0, EHDR_SIZE))
        return reject("%s: short read of the ELF header (file is %" PRIu64 " bytes < 64)", when,
                      f->size);
    get_ehdr(f, e);
    if (!ehdr_is_valid(f, e, when))
        return false;
    uint64_t phsize = (uint64_t)e->phnum * e->phentsize; /* <= 65535 * 56: no overflow */
    if (!in_file(f, e->phoff, phsize))
        return reject("%s: short read of the program headers (e_phoff 0x%" PRIx64
                      " + %u x 56 bytes > file size %" PRIu64 ")",
                      when, e->phoff, e->phnum, f->size);
    return true;
}

/* ---- elf_load_note (3, "How notes are found") ---------------------------- */
struct found_note {
    unsigned phdr;         /* index of its PT_NOTE */
    uint32_t descsz;       /* n_descsz as stored */
    const uint8_t *desc;   /* descriptor, past the alignment padding */
    uint64_t size;         /* descsz - padding */
};

/* Returns 1 found, 0 not found, -1 invalid executable (reason set). */
static int elf_load_note(const struct file *f, uint32_t type, const char *tname, uint64_t align,
                         uint32_t max, struct found_note *out)
{
    struct ehdr e;
    if (!check_headers(f, &e, "elf header invalid while loading note"))
        return -1;
    for (unsigned i = 0; i < e.phnum; i++) {
        struct phdr ph;
        get_phdr(f, &e, i, &ph);
        if (ph.type != PT_NOTE_)
            continue;
        if (ph.filesz < NHDR_SIZE) {
            reject("%s lookup: phdr[%u].p_filesz note does not fall within valid size (%" PRIu64
                   " < 12)", tname, i, ph.filesz);
            return -1;
        }
        if (ph.filesz < SOLO5_NHDR_SIZE)
            continue; /* too small for a Solo5 note: skipped */
        /* Only the first note of the segment is examined. */
        if (!in_file(f, ph.offset, SOLO5_NHDR_SIZE)) {
            reject("%s lookup: phdr[%u]: short read of the note header at p_offset 0x%" PRIx64
                   " (file size %" PRIu64 ")", tname, i, ph.offset, f->size);
            return -1;
        }
        const uint8_t *n = f->buf + ph.offset;
        uint32_t namesz = le32(n), descsz = le32(n + 4), ntype = le32(n + 8);
        if (!(ntype == type && namesz == 6 && memcmp(n + 12, "Solo5\0", 6) == 0))
            continue;
        if (descsz < 1 || descsz > max) {
            reject("%s note (phdr[%u]): n_descsz %" PRIu32 " outside [1, %" PRIu32 "]", tname, i,
                   descsz, max);
            return -1;
        }
        if (ph.filesz < (uint64_t)SOLO5_NHDR_SIZE + descsz) {
            reject("%s note (phdr[%u]): p_filesz %" PRIu64 " < 20 + n_descsz %" PRIu32, tname, i,
                   ph.filesz, descsz);
            return -1;
        }
        uint64_t doff = (SOLO5_NHDR_SIZE + align - 1) / align * align; /* roundup(20, align) */
        uint64_t pad = doff - SOLO5_NHDR_SIZE;
        if (descsz < pad) {
            reject("%s note: INV_EXE: phdr[%u] note does not fall within valid size "
                   "(n_descsz %" PRIu32 " < padding %" PRIu64 " of align %" PRIu64 ")",
                   tname, i, descsz, pad, align);
            return -1;
        }
        uint64_t size = descsz - pad;
        if (!in_file(f, ph.offset + doff, size)) { /* ph.offset + 20 already fits */
            reject("%s note (phdr[%u]): short read of the descriptor (%" PRIu64
                   " bytes at 0x%" PRIx64 ", file size %" PRIu64 ")",
                   tname, i, size, ph.offset + doff, f->size);
            return -1;
        }
        out->phdr = i;
        out->descsz = descsz;
        out->desc = f->buf + ph.offset + doff;
        out->size = size;
        return 1;
    }
    return 0;
}

/* ---- the ABI1 note (1.3) --------------------------------------------------- */
static bool check_abi1(const struct file *f)
{
    struct found_note n;
    int r = elf_load_note(f, ABI1_NOTE_TYPE, "ABI1", ABI1_NOTE_ALIGN, ABI1_NOTE_MAX, &n);
    if (r < 0)
        return false;
    if (r == 0)
        return reject("No Solo5 ABI information found (no PT_NOTE starts with an "
                      "owner \"Solo5\" note of type ABI1 0x31494241)");
    /* The spec does not say what solo5-hvt does with a descriptor shorter
     * than abi_target + abi_version: it would read past its buffer.  Such a
     * file cannot be relied on to load, so it is refused here. */
    if (n.size < 8)
        return reject("ABI1 note: descriptor of %" PRIu64 " bytes cannot hold abi_target and "
                      "abi_version (solo5-hvt would read past it)", n.size);
    uint32_t target = le32(n.desc), version = le32(n.desc + 4);
    if (target != HVT_ABI_TARGET)
        return reject("ABI1 note: abi_target %" PRIu32 " != 1 (hvt): Executable is not for "
                      "the solo5-hvt target", target);
    if (version != HVT_ABI_VERSION)
        return reject("ABI1 note: abi_version %" PRIu32 " != 2: unsupported ABI version",
                      version);
    if (n.descsz != 16)
        note(f, "ABI1 n_descsz is %" PRIu32 " (Solo5 links 16); accepted", n.descsz);
    return true;
}

/* ---- the MFT1 note and mft_validate (3) ----------------------------------- */
static bool check_mft1(const struct file *f, unsigned *devices)
{
    struct found_note n;
    int r = elf_load_note(f, MFT1_NOTE_TYPE, "MFT1", MFT1_NOTE_ALIGN, MFT1_NOTE_MAX, &n);
    if (r < 0)
        return false;
    if (r == 0)
        return reject("No Solo5 manifest found in executable (no PT_NOTE starts with an "
                      "owner \"Solo5\" note of type MFT1 0x3154464d)");
    uint64_t note_size = n.size; /* descsz - 4 */
    if (note_size < MFT_HDR_SIZE)
        return reject("mft_validate: note size %" PRIu64 " (n_descsz %" PRIu32
                      " - 4) < 8: Solo5 manifest is invalid", note_size, n.descsz);
    uint32_t version = le32(n.desc), entries = le32(n.desc + 4);
    if (version != MFT_VERSION)
        return reject("mft_validate: version %" PRIu32 " != 1: Solo5 manifest is invalid",
                      version);
    if (entries > MFT_MAX_ENTRIES)
        return reject("mft_validate: entries %" PRIu32 " > 64: Solo5 manifest is invalid",
                      entries);
    uint64_t want = MFT_HDR_SIZE + (uint64_t)entries * MFT_ENTRY_SIZE;
    if (note_size != want)
        return reject("mft_validate: note size %" PRIu64 " != 8 + 104 x %" PRIu32
                      " entries = %" PRIu64 ": Solo5 manifest is invalid",
                      note_size, entries, want);
    if (entries < 1)
        return reject("mft_validate: entries 0 < 1 (no reserved entry): Solo5 manifest is "
                      "invalid");
    const uint8_t *e0 = n.desc + MFT_HDR_SIZE;
    if (le32(e0 + MFT_OFF_TYPE) != MFT_RESERVED_FIRST)
        return reject("mft_validate: e[0].type 0x%" PRIx32 " != RESERVED_FIRST (1<<30): "
                      "Solo5 manifest is invalid", le32(e0 + MFT_OFF_TYPE));
    if (e0[0] != 0)
        return reject("mft_validate: e[0].name[0] 0x%02x != 0: Solo5 manifest is invalid",
                      e0[0]);
    for (uint32_t i = 0; i < entries; i++) {
        const uint8_t *ent = e0 + (uint64_t)i * MFT_ENTRY_SIZE; /* inside note_size */
        if (ent[MFT_NAME_SIZE - 1] != 0)
            return reject("mft_validate: e[%" PRIu32 "].name[67] 0x%02x != 0 (name not "
                          "terminated): Solo5 manifest is invalid", i, ent[MFT_NAME_SIZE - 1]);
        if (ent[MFT_OFF_ATTACHED] != 0)
            return reject("mft_validate: e[%" PRIu32 "].attached 0x%02x != false: Solo5 "
                          "manifest is invalid", i, ent[MFT_OFF_ATTACHED]);
    }
    *devices = entries - 1;
    return true;
}

/* ---- elf_load (4.2) ------------------------------------------------------- */
static bool is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static bool check_load(const struct file *f, uint64_t mem_size, unsigned *nload)
{
    struct ehdr e;
    if (!check_headers(f, &e, "elf_load"))
        return false;
    if (e.entry < GUEST_MIN_BASE || e.entry >= mem_size)
        return reject("entry point: e_entry 0x%" PRIx64 " outside [0x100000, mem_size 0x%" PRIx64
                      ")", e.entry, mem_size);

    uint64_t prev_vaddr = 0, prev_end = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < e.phnum; i++) {
        struct phdr p;
        get_phdr(f, &e, i, &p);
        if (p.type != PT_LOAD_ || p.filesz == 0)
            continue;
        if (p.vaddr < GUEST_MIN_BASE)
            return reject("phdr[%u] PT_LOAD: p_vaddr 0x%" PRIx64 " < 0x100000", i, p.vaddr);
        if (p.vaddr < prev_vaddr)
            return reject("phdr[%u] PT_LOAD: p_vaddr 0x%" PRIx64 " below the previous "
                          "segment's 0x%" PRIx64 " (not in ascending order)",
                          i, p.vaddr, prev_vaddr);
        if (!is_pow2(p.align))
            return reject("phdr[%u] PT_LOAD: p_align 0x%" PRIx64 " is not a non-zero power of "
                          "two", i, p.align);
        uint64_t start = p.vaddr & ~(p.align - 1);
        if (start < GUEST_MIN_BASE)
            return reject("phdr[%u] PT_LOAD: aligned start 0x%" PRIx64 " (p_vaddr 0x%" PRIx64
                          ", p_align 0x%" PRIx64 ") < 0x100000", i, start, p.vaddr, p.align);
        if (start < prev_end)
            return reject("phdr[%u] PT_LOAD: aligned start 0x%" PRIx64 " overlaps the previous "
                          "segment, which ends at 0x%" PRIx64, i, start, prev_end);
        if (p.vaddr >= mem_size)
            return reject("phdr[%u] PT_LOAD: p_vaddr 0x%" PRIx64 " >= mem_size 0x%" PRIx64, i,
                          p.vaddr, mem_size);
        if (p.filesz > UINT64_MAX - p.vaddr)
            return reject("phdr[%u] PT_LOAD: p_vaddr 0x%" PRIx64 " + p_filesz 0x%" PRIx64
                          " overflows", i, p.vaddr, p.filesz);
        if (p.vaddr + p.filesz > mem_size)
            return reject("phdr[%u] PT_LOAD: p_vaddr + p_filesz = 0x%" PRIx64 " > mem_size 0x%"
                          PRIx64, i, p.vaddr + p.filesz, mem_size);
        if (p.memsz < p.filesz)
            return reject("phdr[%u] PT_LOAD: p_memsz 0x%" PRIx64 " < p_filesz 0x%" PRIx64, i,
                          p.memsz, p.filesz);
        if (p.memsz > UINT64_MAX - p.vaddr)
            return reject("phdr[%u] PT_LOAD: p_vaddr 0x%" PRIx64 " + p_memsz 0x%" PRIx64
                          " overflows", i, p.vaddr, p.memsz);
        uint64_t mend = p.vaddr + p.memsz;
        if (mend > UINT64_MAX - (p.align - 1))
            return reject("phdr[%u] PT_LOAD: p_vaddr + p_memsz 0x%" PRIx64 " aligned up to 0x%"
                          PRIx64 " overflows", i, mend, p.align);
        uint64_t end = (mend + p.align - 1) & ~(p.align - 1);
        if (end > mem_size)
            return reject("phdr[%u] PT_LOAD: aligned end 0x%" PRIx64 " (p_vaddr + p_memsz 0x%"
                          PRIx64 " up to p_align 0x%" PRIx64 ") > mem_size 0x%" PRIx64,
                          i, end, mend, p.align, mem_size);
        /* (host-pointer overflow checks: host-side, nothing in the file) */
        if (!in_file(f, p.offset, p.filesz))
            return reject("phdr[%u] PT_LOAD: short read: p_offset 0x%" PRIx64 " + p_filesz 0x%"
                          PRIx64 " > file size %" PRIu64, i, p.offset, p.filesz, f->size);
        if ((start & (PAGE - 1)) != 0 || (end & (PAGE - 1)) != 0)
            return reject("phdr[%u] PT_LOAD: aligned start 0x%" PRIx64 " or end 0x%" PRIx64
                          " is not 4 KiB-aligned (p_align 0x%" PRIx64 ")",
                          i, start, end, p.align);
        if ((p.flags & PF_W_) && (p.flags & PF_X_))
            return reject("phdr[%u] PT_LOAD: p_flags 0x%" PRIx32 " requests WRITE and EXEC "
                          "permissions", i, p.flags);
        if (p.paddr != p.vaddr)
            note(f, "phdr[%u] PT_LOAD: p_paddr 0x%" PRIx64 " != p_vaddr 0x%" PRIx64
                 " (checked by p_vaddr, as the spec says)", i, p.paddr, p.vaddr);
        prev_vaddr = p.vaddr;
        prev_end = end;
        n++;
    }
    *nload = n;
    return true;
}

/* ---- facts reported, never rejected ---------------------------------------- */
/* Address of the section named NAME, if the section headers are sound. */
static bool section_addr(const struct file *f, const struct ehdr *e, const char *name,
                         uint64_t *addr)
{
    if (e->shnum == 0 || e->shentsize != 64 || e->shstrndx >= e->shnum)
        return false;
    if (!in_file(f, e->shoff, (uint64_t)e->shnum * 64))
        return false;
    const uint8_t *str = f->buf + e->shoff + (uint64_t)e->shstrndx * 64;
    uint64_t stroff = le64(str + 24), strsize = le64(str + 32);
    if (!in_file(f, stroff, strsize))
        return false;
    size_t nlen = strlen(name) + 1;
    for (unsigned i = 0; i < e->shnum; i++) {
        const uint8_t *s = f->buf + e->shoff + (uint64_t)i * 64;
        uint32_t off = le32(s);
        if (off >= strsize || nlen > strsize - off)
            continue;
        if (memcmp(f->buf + stroff + off, name, nlen) == 0) {
            *addr = le64(s + 16);
            return true;
        }
    }
    return false;
}

static void report_facts(const struct file *f, uint64_t mem_size)
{
    struct ehdr e;
    get_ehdr(f, &e); /* headers already accepted by check_headers() */
    bool interp = false;
    uint64_t top = 0;
    for (unsigned i = 0; i < e.phnum; i++) {
        struct phdr p;
        get_phdr(f, &e, i, &p);
        if (p.type == PT_INTERP_ && !interp) {
            interp = true;
            if (in_file(f, p.offset, p.filesz) && p.filesz == sizeof SOLO5_INTERP &&
                memcmp(f->buf + p.offset, SOLO5_INTERP, sizeof SOLO5_INTERP) == 0)
                note(f, "PT_INTERP \"" SOLO5_INTERP "\" (phdr[%u]): executing the file on the "
                     "host fails (status 127), as for Solo5's binaries", i);
            else
                note(f, "PT_INTERP (phdr[%u], %" PRIu64 " bytes) is not \"" SOLO5_INTERP
                     "\": the host-exec safeguard of Solo5's binaries does not hold", i,
                     p.filesz);
        }
        if (p.type == PT_LOAD_ && p.filesz == 0 && p.memsz != 0)
            note(f, "phdr[%u] PT_LOAD 0x%" PRIx64 "..0x%" PRIx64 " has p_filesz 0: solo5-hvt "
                 "neither checks nor loads it (zero-filled memory)", i, p.vaddr,
                 p.vaddr + p.memsz);
        if (p.type == PT_LOAD_ && p.memsz <= UINT64_MAX - p.vaddr && p.vaddr + p.memsz > top)
            top = p.vaddr + p.memsz;
    }
    if (!interp)
        note(f, "no PT_INTERP: executing the file on the host is not stopped the way "
             "Solo5's binaries stop it");
    uint64_t text;
    bool have_text = section_addr(f, &e, ".text", &text);
    if (e.entry == SOLO5_TEXT_START && have_text && text == SOLO5_TEXT_START)
        note(f, "e_entry and .text at 0x100020, right after PT_INTERP, as Solo5 links them");
    else if (e.entry == SOLO5_TEXT_START)
        note(f, "e_entry at 0x100020, as in Solo5's binaries");
    else
        note(f, "e_entry 0x%" PRIx64 " (Solo5's binaries start at 0x100020)", e.entry);
    /* 1.8 step 6: the bindings need _end (rounded to 4 KiB) + 512 KiB. */
    uint64_t heap = (top + PAGE - 1) & ~(PAGE - 1);
    if (top > UINT64_MAX - PAGE || heap + 512 * 1024 > mem_size)
        note(f, "highest PT_LOAD end 0x%" PRIx64 " + 512 KiB exceeds mem_size 0x%" PRIx64
             ": Solo5's bindings would abort with \"Not enough memory\"", top, mem_size);
}

/* ---- driver ----------------------------------------------------------------- */
/* 0 ok, 1 rejected, 2 could not be read. */
static int check_file(const char *path, uint64_t mem_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        printf("%s: ERROR: cannot open: %s\n", path, strerror(errno));
        return 2;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        printf("%s: ERROR: not a regular file\n", path);
        close(fd);
        return 2;
    }
    if ((uint64_t)st.st_size > MAX_FILE) {
        printf("%s: ERROR: %" PRIu64 " bytes, larger than solo5check's limit of 256 MiB\n", path,
               (uint64_t)st.st_size);
        close(fd);
        return 2;
    }
    uint64_t size = (uint64_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        printf("%s: ERROR: out of memory\n", path);
        close(fd);
        return 2;
    }
    uint64_t got = 0;
    while (got < size) {
        ssize_t r = pread(fd, buf + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* the file shrank: what was read is the file */
        got += (uint64_t)r;
    }
    close(fd);

    struct file f = { .name = path, .buf = buf, .size = got };
    unsigned devices = 0, nload = 0;
    reason[0] = '\0';
    bool ok = check_abi1(&f) && check_mft1(&f, &devices) && check_load(&f, mem_size, &nload);
    if (ok) {
        report_facts(&f, mem_size);
        printf("%s: ok (solo5-hvt would load it: %u PT_LOADs, %u devices)\n", path, nload,
               devices);
    } else {
        printf("%s: REJECTED: %s\n", path, reason);
    }
    free(buf);
    return ok ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: solo5check [--mem=MIB] FILE...\n"
                    "  Apply solo5-hvt's acceptance rules (SOLO5_HVT_ABI.md 1.3, 3, 4.2).\n"
                    "  --mem=MIB  guest memory as solo5-hvt's --mem (default 512)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    uint64_t mem_size = 512 * MIB;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strncmp(a, "--mem=", 6) == 0) {
            char *end;
            errno = 0;
            unsigned long long mib = strtoull(a + 6, &end, 10);
            if (a[6] < '0' || a[6] > '9' || *end != '\0' || errno != 0 || mib == 0) {
                fprintf(stderr, "solo5check: Malformed argument to --mem\n");
                return 2;
            }
            if (mib > MEM_MAX / MIB) {
                fprintf(stderr, "solo5check: --mem=%llu exceeds solo5-hvt's 4096 MiB\n", mib);
                return 2;
            }
            mem_size = (uint64_t)mib * MIB / MEM_ROUND * MEM_ROUND; /* down to 2 MiB */
            if (mem_size < MEM_ROUND)
                mem_size = MEM_ROUND;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            usage();
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "solo5check: unknown option %s\n", a);
            usage();
        }
        break;
    }
    if (i >= argc)
        usage();
    int rc = 0;
    for (; i < argc; i++) {
        if (check_file(argv[i], mem_size) != 0)
            rc = 1;
        fflush(stdout);
    }
    return rc;
}
