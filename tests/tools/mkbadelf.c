/*
 * mkbadelf: write a copy of a good unikernel broken in exactly one way, for
 * the negative end-to-end tests (tests/e2e/elf_reject.bats).
 *
 *   mkbadelf RULE IN OUT     write OUT, IN broken as RULE says
 *   mkbadelf --list          print every RULE and what it does
 *
 * On success it prints on stdout the facts a test needs to predict the
 * tender's message, one KEY=VALUE line each (numbers in the tender's
 * format: hexadecimal with 0x, or decimal), e.g. "seg=2" "vaddr=0x102000".
 * Exit status 0, or 1 with a message on stderr (unknown rule, unusable
 * input, a rule that does not apply to this input).
 *
 * The input is read as hostile too: every offset and size is checked with
 * overflow-safe arithmetic before use.  The ELF structures are spelled out
 * here rather than shared with tender/elf_priv.h, so the tool does not
 * inherit a mistake of the code under test.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wisp/abi.h"
#include "wisp/mft_abi.h"

#define MAX_IN     (64u << 20) /* larger inputs: refused */
#define SLACK      4096u       /* room for appended headers and data */
#define PAGE       0x1000ull
#define EHDR_SIZE  64u
#define PHDR_SIZE  56u
#define NHDR_SIZE  12u
#define MAX_PHDRS  64u         /* the tender's limit (tender/elf.h) */

#define PT_NULL    0
#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_NOTE    4
#define PF_X       1u
#define PF_W       2u
#define PF_R       4u

/* Field offsets of Elf64_Ehdr and Elf64_Phdr. */
#define E_TYPE      16
#define E_MACHINE   18
#define E_ENTRY     24
#define E_PHOFF     32
#define E_PHENTSIZE 54
#define E_PHNUM     56
#define P_TYPE      0
#define P_FLAGS     4
#define P_OFFSET    8
#define P_VADDR     16
#define P_PADDR     24
#define P_FILESZ    32
#define P_MEMSZ     40
#define P_ALIGN     48

static uint8_t *buf;  /* the image, with SLACK spare bytes after it */
static size_t len;    /* bytes of the image */
static size_t cap;    /* bytes allocated */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("mkbadelf: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* fact: one KEY=VALUE line for the test. */
static void fact(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fact(const char *key, const char *fmt, ...)
{
    va_list ap;

    printf("%s=", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- bounds-checked little-endian access to buf[0, len) ----------------- */

static void need(uint64_t off, uint64_t n)
{
    uint64_t end;

    if (__builtin_add_overflow(off, n, &end) || end > len)
        die("input: %" PRIu64 " bytes at offset 0x%" PRIx64 " lie outside the file", n, off);
}

static uint64_t get(uint64_t off, unsigned n)
{
    uint64_t v = 0;

    need(off, n);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)buf[off + i] << (8 * i);
    return v;
}

static void put(uint64_t off, unsigned n, uint64_t v)
{
    need(off, n);
    for (unsigned i = 0; i < n; i++)
        buf[off + i] = (uint8_t)(v >> (8 * i));
}

/* ---- program headers ------------------------------------------------------ */

static unsigned phnum(void) { return (unsigned)get(E_PHNUM, 2); }

static uint64_t ph_off(unsigned i) { return get(E_PHOFF, 8) + (uint64_t)i * PHDR_SIZE; }

static uint64_t ph_get(unsigned i, unsigned field, unsigned n) { return get(ph_off(i) + field, n); }

static void ph_put(unsigned i, unsigned field, unsigned n, uint64_t v)
{
    put(ph_off(i) + field, n, v);
}

static uint64_t ph_type(unsigned i) { return ph_get(i, P_TYPE, 4); }
static uint64_t ph_vaddr(unsigned i) { return ph_get(i, P_VADDR, 8); }
static uint64_t ph_memsz(unsigned i) { return ph_get(i, P_MEMSZ, 8); }
static uint64_t ph_filesz(unsigned i) { return ph_get(i, P_FILESZ, 8); }
static uint64_t ph_offset(unsigned i) { return ph_get(i, P_OFFSET, 8); }

/* ph_end: vaddr + memsz of program header i (the input must not overflow). */
static uint64_t ph_end(unsigned i)
{
    uint64_t end;

    if (__builtin_add_overflow(ph_vaddr(i), ph_memsz(i), &end))
        die("input: segment %u overflows the address space", i);
    return end;
}

/* ph_file_end: offset + filesz of program header i, inside the file. */
static uint64_t ph_file_end(unsigned i)
{
    need(ph_offset(i), ph_filesz(i));
    return ph_offset(i) + ph_filesz(i);
}

/* loads: the PT_LOADs with memsz > 0, sorted by vaddr; returns how many. */
static unsigned loads(unsigned idx[MAX_PHDRS])
{
    unsigned n = 0;

    for (unsigned i = 0; i < phnum(); i++) {
        if (ph_type(i) != PT_LOAD || ph_memsz(i) == 0)
            continue;
        (void)ph_end(i);
        unsigned j = n++;
        for (; j > 0 && ph_vaddr(idx[j - 1]) > ph_vaddr(i); j--)
            idx[j] = idx[j - 1];
        idx[j] = i;
    }
    if (n == 0)
        die("input: no loadable segment");
    return n;
}

/* load_top: end of the highest loadable segment, rounded up to a page. */
static uint64_t load_top(void)
{
    unsigned idx[MAX_PHDRS], n = loads(idx);
    uint64_t end = ph_end(idx[n - 1]);

    if (end > UINT64_MAX - 2 * PAGE)
        die("input: segments reach the top of the address space");
    return (end + PAGE - 1) & ~(PAGE - 1);
}

/* first_load: the PT_LOAD with the lowest index whose flags & mask == want. */
static unsigned first_load(uint32_t mask, uint32_t want, const char *what)
{
    for (unsigned i = 0; i < phnum(); i++)
        if (ph_type(i) == PT_LOAD && ph_memsz(i) > 0 &&
            (ph_get(i, P_FLAGS, 4) & mask) == want)
            return i;
    die("input: no %s segment", what);
}

/* append: copy n bytes (zeros if p is NULL) to the end of the image, at an
 * 8-aligned offset; returns that offset. */
static uint64_t append(const void *p, size_t n)
{
    size_t off = (len + 7) & ~(size_t)7;

    if (off > cap || n > cap - off)
        die("internal: no room to append %zu bytes", n);
    memset(buf + len, 0, off - len);
    if (p)
        memcpy(buf + off, p, n);
    else
        memset(buf + off, 0, n);
    len = off + n;
    return off;
}

/* add_phdr: move the program header table to the end of the file with one
 * more (zeroed) entry; returns the new entry's index.  The old table's
 * bytes are left where they were: nothing refers to them any more. */
static unsigned add_phdr(uint32_t type, uint32_t flags)
{
    unsigned n = phnum();
    uint64_t old = get(E_PHOFF, 8), off;

    if (n >= MAX_PHDRS)
        die("input: already %u program headers", n);
    need(old, (uint64_t)n * PHDR_SIZE);
    off = append(NULL, (size_t)(n + 1) * PHDR_SIZE);
    memcpy(buf + off, buf + old, (size_t)n * PHDR_SIZE);
    put(E_PHOFF, 8, off);
    put(E_PHNUM, 2, n + 1);
    ph_put(n, P_TYPE, 4, type);
    ph_put(n, P_FLAGS, 4, flags);
    return n;
}

/* ---- notes ---------------------------------------------------------------- */

struct note_at {
    unsigned seg;   /* PT_NOTE program header index */
    uint64_t off;   /* file offset of the note header */
    uint64_t desc;  /* file offset of the descriptor */
};

static uint64_t pad4(uint64_t x) { return (x + 3) & ~(uint64_t)3; }

/* find_wisp_note: the wisp ABI note (owner "wisp", type WABI). */
static struct note_at find_wisp_note(void)
{
    for (unsigned i = 0; i < phnum(); i++) {
        uint64_t p, end;

        if (ph_type(i) != PT_NOTE)
            continue;
        p = ph_offset(i);
        end = ph_file_end(i);
        while (end - p >= NHDR_SIZE) {
            uint64_t namesz = get(p, 4), descsz = get(p + 4, 4), type = get(p + 8, 4);
            uint64_t name = p + NHDR_SIZE, desc = name + pad4(namesz);
            uint64_t next = desc + pad4(descsz); /* each term < 2^33: no overflow */

            if (next > end)
                die("input: malformed note in segment %u", i);
            if (namesz == WISP_NOTE_NAMESZ && memcmp(buf + name, WISP_NOTE_NAME, namesz) == 0 &&
                type == WISP_NOTE_TYPE_ABI && descsz == sizeof(struct wisp_abi_note))
                return (struct note_at){ .seg = i, .off = p, .desc = desc };
            p = next;
        }
    }
    die("input: no wisp ABI note");
}

/* ---- the rules ------------------------------------------------------------ */

static void r_trunc_ehdr(void)
{
    len = 40;
    fact("size", "%zu", len);
}

static void r_trunc_phdrs(void)
{
    uint64_t end = ph_off(phnum());

    need(0, end);
    len = (size_t)end - 1;
    fact("phoff", "0x%" PRIx64, get(E_PHOFF, 8));
    fact("phnum", "%u", phnum());
    fact("size", "%zu", len);
}

/* Cut the file one byte short of the PT_LOAD whose bytes end last; every
 * other program header that points into the file must still fit. */
static void r_trunc_segment(void)
{
    unsigned best = 0;
    uint64_t best_end = 0;

    for (unsigned i = 0; i < phnum(); i++)
        if (ph_type(i) == PT_LOAD && ph_filesz(i) > 0 && ph_file_end(i) > best_end) {
            best = i;
            best_end = ph_file_end(i);
        }
    if (best_end == 0)
        die("input: no segment with file bytes");
    if (ph_off(phnum()) > best_end - 1)
        die("input: the program header table lies after segment %u's bytes", best);
    for (unsigned i = 0; i < phnum(); i++)
        if (i != best && ph_type(i) != PT_NULL && ph_file_end(i) > best_end - 1)
            die("input: segment %u's bytes end with segment %u's", i, best);
    len = (size_t)best_end - 1;
    fact("seg", "%u", best);
    fact("offset", "0x%" PRIx64, ph_offset(best));
    fact("filesz", "0x%" PRIx64, ph_filesz(best));
    fact("size", "%zu", len);
}

static void r_bad_magic(void) { buf[1] = 'X'; }
static void r_class32(void) { buf[4] = 1; }

static void r_class_bad(void)
{
    buf[4] = 7;
    fact("class", "7");
}

static void r_big_endian(void)
{
    buf[5] = 2;
    fact("data", "2");
}

static void r_version(void)
{
    buf[6] = 2;
    fact("version", "2");
}

static void r_machine(void)
{
    put(E_MACHINE, 2, 183); /* EM_AARCH64 */
    fact("machine", "183");
}

static void r_et_dyn(void) { put(E_TYPE, 2, 3); }

static void r_et_rel(void)
{
    put(E_TYPE, 2, 1);
    fact("type", "1");
}

static void r_phnum_zero(void) { put(E_PHNUM, 2, 0); }

/* More program headers than the tender takes.  The check comes before the
 * table is read, so the extra entries need not exist. */
static void r_too_many_phdrs(void)
{
    put(E_PHNUM, 2, MAX_PHDRS + 1);
    fact("phnum", "%u", MAX_PHDRS + 1);
}

static void r_dynamic(void)
{
    static const uint8_t dyn[16]; /* one DT_NULL entry */
    uint64_t off = append(dyn, sizeof dyn);
    unsigned i = add_phdr(PT_DYNAMIC, 4 | PF_W);

    ph_put(i, P_OFFSET, 8, off);
    ph_put(i, P_FILESZ, 8, sizeof dyn);
    ph_put(i, P_MEMSZ, 8, sizeof dyn);
    ph_put(i, P_ALIGN, 8, 8);
    fact("seg", "%u", i);
}

static void r_interp(void)
{
    static const char path[] = "/lib64/ld-linux-x86-64.so.2";
    uint64_t off = append(path, sizeof path);
    unsigned i = add_phdr(PT_INTERP, 4);

    ph_put(i, P_OFFSET, 8, off);
    ph_put(i, P_FILESZ, 8, sizeof path);
    ph_put(i, P_MEMSZ, 8, sizeof path);
    ph_put(i, P_ALIGN, 8, 1);
    fact("seg", "%u", i);
}

static void r_no_load(void)
{
    for (unsigned i = 0; i < phnum(); i++)
        if (ph_type(i) == PT_LOAD)
            ph_put(i, P_TYPE, 4, PT_NULL);
}

/* The lowest segment starts 16 bytes below 1 MiB (so its first page is
 * below it, though most of its bytes are above). */
static void r_below_1mib(void)
{
    unsigned idx[MAX_PHDRS];
    unsigned i = (loads(idx), idx[0]);
    uint64_t va = WISP_ELF_MIN_GPA - 16;

    ph_put(i, P_VADDR, 8, va);
    ph_put(i, P_PADDR, 8, va);
    fact("seg", "%u", i);
    fact("vaddr", "0x%" PRIx64, va);
}

static void r_wx(void)
{
    unsigned i = first_load(PF_X, PF_X, "executable");

    ph_put(i, P_FLAGS, 4, ph_get(i, P_FLAGS, 4) | PF_W);
    fact("seg", "%u", i);
}

/* The first segment with exactly the flags `want` (among R, W, X) loses
 * PF_R: what the page tables cannot express. */
static void unreadable(uint32_t want, const char *what)
{
    unsigned i = first_load(PF_R | PF_W | PF_X, want, what);

    ph_put(i, P_FLAGS, 4, ph_get(i, P_FLAGS, 4) & ~PF_R);
    fact("seg", "%u", i);
}

static void r_unreadable_x(void)
{
    unreadable(PF_R | PF_X, "read+execute");
}

static void r_unreadable_w(void)
{
    unreadable(PF_R | PF_W, "read+write");
}

static void r_unreadable(void)
{
    unreadable(PF_R, "read-only");
}

/* pair_facts: the tender's message names the lower segment first. */
static void pair_facts(unsigned a, unsigned b)
{
    fact("a", "%u", a);
    fact("a_start", "0x%" PRIx64, ph_vaddr(a));
    fact("a_end", "0x%" PRIx64, ph_end(a));
    fact("b", "%u", b);
    fact("b_start", "0x%" PRIx64, ph_vaddr(b));
    fact("b_end", "0x%" PRIx64, ph_end(b));
}

/* The second segment (by address) moves into the middle of the first. */
static void r_overlap(void)
{
    unsigned idx[MAX_PHDRS], n = loads(idx), a = idx[0], b;
    uint64_t va;

    if (n < 2 || ph_memsz(a) < 2)
        die("input: needs two segments, the first of at least 2 bytes");
    b = idx[1];
    va = ph_vaddr(a) + ph_memsz(a) / 2;
    ph_put(b, P_VADDR, 8, va);
    ph_put(b, P_PADDR, 8, va);
    pair_facts(a, b);
}

/* The second segment (by address) starts right where the first ends, in
 * the first's last page: no byte in common, but a page in common.  If the
 * first ends on a page boundary it is shortened by 16 bytes first. */
static void r_share_page(void)
{
    unsigned idx[MAX_PHDRS], n = loads(idx), a = idx[0], b;
    uint64_t end;

    if (n < 2)
        die("input: needs two segments");
    b = idx[1];
    end = ph_end(a);
    if ((end & (PAGE - 1)) == 0) {
        if (ph_memsz(a) <= 16)
            die("input: segment %u is too small", a);
        ph_put(a, P_MEMSZ, 8, ph_memsz(a) - 16);
        if (ph_filesz(a) > ph_memsz(a))
            ph_put(a, P_FILESZ, 8, ph_memsz(a));
        end -= 16;
    }
    ph_put(b, P_VADDR, 8, end);
    ph_put(b, P_PADDR, 8, end);
    pair_facts(a, b);
}

static void r_filesz_memsz(void)
{
    unsigned i;

    for (i = 0; i < phnum(); i++)
        if (ph_type(i) == PT_LOAD && ph_filesz(i) > 0)
            break;
    if (i == phnum())
        die("input: no segment with file bytes");
    ph_put(i, P_MEMSZ, 8, ph_filesz(i) - 1);
    fact("seg", "%u", i);
    fact("filesz", "0x%" PRIx64, ph_filesz(i));
    fact("memsz", "0x%" PRIx64, ph_memsz(i));
}

/* The highest segment's vaddr + memsz is exactly 2^64. */
static void r_overflow(void)
{
    unsigned idx[MAX_PHDRS], n = loads(idx), i = idx[n - 1];
    uint64_t memsz = 0 - ph_vaddr(i);

    if (ph_vaddr(i) == 0 || ph_filesz(i) > memsz)
        die("input: segment %u cannot be made to overflow", i);
    ph_put(i, P_MEMSZ, 8, memsz);
    fact("seg", "%u", i);
    fact("vaddr", "0x%" PRIx64, ph_vaddr(i));
    fact("memsz", "0x%" PRIx64, memsz);
}

/* A .bss (no file bytes) of 4 GiB above everything else: more than the
 * largest --mem.  An existing zero-filesz segment grows if it is the
 * highest; otherwise a new PT_LOAD is added. */
static void r_huge_bss(void)
{
    const uint64_t size = 4ull << 30;
    unsigned idx[MAX_PHDRS], n = loads(idx), i = idx[n - 1];

    if (ph_filesz(i) != 0 || ph_get(i, P_FLAGS, 4) & PF_X) {
        uint64_t va = load_top();

        i = add_phdr(PT_LOAD, 4 | PF_W);
        ph_put(i, P_VADDR, 8, va);
        ph_put(i, P_PADDR, 8, va);
        ph_put(i, P_ALIGN, 8, PAGE);
    }
    ph_put(i, P_MEMSZ, 8, size);
    fact("seg", "%u", i);
    fact("start", "0x%" PRIx64, ph_vaddr(i));
    fact("end", "0x%" PRIx64, ph_end(i));
    /* The guest-memory limit in the message depends on the stack size. */
    fact("note_stack", "%" PRIu64,
         get(find_wisp_note().desc + offsetof(struct wisp_abi_note, stack_size), 4));
}

/* The wisp note asks for a stack of almost 4 GiB. */
static void r_huge_stack(void)
{
    struct note_at n = find_wisp_note();
    uint32_t stack = 0xfffff000u;

    put(n.desc + offsetof(struct wisp_abi_note, stack_size), 4, stack);
    fact("stack_kib", "%u", stack >> 10);
}

static void r_entry_outside(void)
{
    uint64_t entry = load_top() + PAGE;

    put(E_ENTRY, 8, entry);
    fact("entry", "0x%" PRIx64, entry);
}

static void r_entry_nx(void)
{
    unsigned i = first_load(PF_X, 0, "non-executable");

    put(E_ENTRY, 8, ph_vaddr(i));
    fact("entry", "0x%" PRIx64, ph_vaddr(i));
}

static void r_align(void)
{
    unsigned i = first_load(0, 0, "loadable");

    ph_put(i, P_ALIGN, 8, 0x3000);
    fact("seg", "%u", i);
    fact("align", "0x3000");
}

/* The wisp note's owner becomes "wisq": no ABI note is left (a Solo5 MFT1
 * manifest note, if any, is not an ABI note). */
static void r_no_abi_note(void)
{
    struct note_at n = find_wisp_note();

    buf[n.off + NHDR_SIZE + 3] = 'q';
}

static void r_abi_version(void)
{
    struct note_at n = find_wisp_note();
    uint64_t v = get(n.desc, 4) + 1;

    put(n.desc, 4, v);
    fact("version", "%" PRIu64, v);
    fact("supported", "%d", WISP_ABI_VERSION);
}

/* The wisp note claims a descriptor larger than its segment. */
static void r_bad_note(void)
{
    struct note_at n = find_wisp_note();

    put(n.off + 4, 4, 0x10000);
    fact("seg", "%u", n.seg);
}

/* The wisp note becomes a Solo5 ABI1 note (hvt target, ABI version 2): the
 * same 16 descriptor bytes, an owner that pads to the same 8 bytes. */
static void r_solo5(void)
{
    struct note_at n = find_wisp_note();
    static const char owner[8] = SOLO5_NOTE_NAME;
    const struct abi1_info info = { .abi_target = SOLO5_ABI_TARGET_HVT, .abi_version = 2 };

    _Static_assert(((WISP_NOTE_NAMESZ + 3) & ~3) == ((SOLO5_NOTE_NAMESZ + 3) & ~3),
                   "owners pad to the same size");
    _Static_assert(sizeof info == sizeof(struct wisp_abi_note), "same descriptor size");
    put(n.off, 4, SOLO5_NOTE_NAMESZ);
    put(n.off + 8, 4, ABI1_NOTE_TYPE);
    need(n.off + NHDR_SIZE, sizeof owner);
    memcpy(buf + n.off + NHDR_SIZE, owner, sizeof owner);
    put(n.desc, 4, info.abi_target);
    put(n.desc + 4, 4, info.abi_version);
    put(n.desc + 8, 4, 0);
    put(n.desc + 12, 4, 0);
}

/* A Solo5 ABI1 note (hvt target, ABI version 2) in a PT_NOTE segment of
 * its own, beside the wisp note: the image stays an isolated-mode one
 * (the wisp note wins), whose tender errors must exit as isolated mode's. */
static void r_solo5_too(void)
{
    uint8_t note[NHDR_SIZE + 8 + 16] = {0};
    static const char owner[8] = SOLO5_NOTE_NAME;
    uint64_t off;
    unsigned i;

    note[0] = SOLO5_NOTE_NAMESZ;
    note[4] = 16;
    note[8] = (uint8_t)ABI1_NOTE_TYPE;
    note[9] = (uint8_t)(ABI1_NOTE_TYPE >> 8);
    note[10] = (uint8_t)(ABI1_NOTE_TYPE >> 16);
    note[11] = (uint8_t)(ABI1_NOTE_TYPE >> 24);
    memcpy(note + NHDR_SIZE, owner, sizeof owner);
    note[NHDR_SIZE + 8] = SOLO5_ABI_TARGET_HVT;
    note[NHDR_SIZE + 12] = 2;
    off = append(note, sizeof note);
    i = add_phdr(PT_NOTE, PF_R);
    ph_put(i, P_OFFSET, 8, off);
    ph_put(i, P_FILESZ, 8, sizeof note);
    ph_put(i, P_MEMSZ, 8, 0);
    ph_put(i, P_ALIGN, 8, 4);
    fact("seg", "%u", i);
}

struct rule {
    const char *name;
    void (*apply)(void);
    const char *what;
};

static const struct rule rules[] = {
    { "trunc-ehdr", r_trunc_ehdr, "file cut to 40 bytes, inside the ELF header" },
    { "trunc-phdrs", r_trunc_phdrs, "file cut one byte short of the program header table's end" },
    { "trunc-segment", r_trunc_segment, "file cut one byte short of the last segment's bytes" },
    { "bad-magic", r_bad_magic, "\\x7fEXF instead of \\x7fELF" },
    { "class32", r_class32, "EI_CLASS = ELFCLASS32" },
    { "class-bad", r_class_bad, "EI_CLASS = 7" },
    { "big-endian", r_big_endian, "EI_DATA = ELFDATA2MSB" },
    { "version", r_version, "EI_VERSION = 2" },
    { "machine", r_machine, "e_machine = EM_AARCH64 (183)" },
    { "et-dyn", r_et_dyn, "e_type = ET_DYN" },
    { "et-rel", r_et_rel, "e_type = ET_REL" },
    { "phnum-zero", r_phnum_zero, "e_phnum = 0" },
    { "too-many-phdrs", r_too_many_phdrs, "e_phnum = 65" },
    { "dynamic", r_dynamic, "a PT_DYNAMIC added" },
    { "interp", r_interp, "a PT_INTERP added" },
    { "no-load", r_no_load, "every PT_LOAD turned into PT_NULL" },
    { "below-1mib", r_below_1mib, "lowest segment moved to 1 MiB - 16" },
    { "wx", r_wx, "the executable segment made writable too" },
    { "unreadable-x", r_unreadable_x, "the executable segment made execute-only (PF_R cleared)" },
    { "unreadable-w", r_unreadable_w, "the writable segment made write-only (PF_R cleared)" },
    { "unreadable", r_unreadable, "the read-only segment given no permission (PF_R cleared)" },
    { "overlap", r_overlap, "second segment moved into the middle of the first" },
    { "share-page", r_share_page, "second segment starts where the first ends, same page" },
    { "filesz-memsz", r_filesz_memsz, "a segment's memsz = filesz - 1" },
    { "overflow", r_overflow, "highest segment's vaddr + memsz = 2^64" },
    { "huge-bss", r_huge_bss, "a 4 GiB zero-filesz segment above the others" },
    { "huge-stack", r_huge_stack, "the wisp note asks for a 0xfffff000-byte stack" },
    { "entry-outside", r_entry_outside, "entry point a page above every segment" },
    { "entry-nx", r_entry_nx, "entry point at the start of a non-executable segment" },
    { "align", r_align, "a segment's p_align = 0x3000" },
    { "no-abi-note", r_no_abi_note, "wisp note's owner renamed to \"wisq\"" },
    { "abi-version", r_abi_version, "wisp note's ABI version + 1" },
    { "bad-note", r_bad_note, "wisp note's n_descsz = 0x10000, beyond its segment" },
    { "solo5-too", r_solo5_too, "a Solo5 ABI1 note added beside the wisp note" },
    { "solo5", r_solo5, "wisp note turned into a Solo5 ABI1 note (hvt, version 2)" },
};

static void read_input(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t got;

    if (!f)
        die("%s: %s", path, strerror(errno));
    cap = MAX_IN + SLACK;
    buf = calloc(1, cap);
    if (!buf)
        die("out of memory");
    got = fread(buf, 1, MAX_IN + 1, f);
    if (ferror(f))
        die("%s: read error", path);
    fclose(f);
    if (got > MAX_IN)
        die("%s: larger than %u bytes", path, MAX_IN);
    len = got;
    /* Enough of a 64-bit little-endian ELF for the rules to work on. */
    if (len < EHDR_SIZE || memcmp(buf, "\177ELF", 4) != 0 || buf[4] != 2 || buf[5] != 1)
        die("%s: not a 64-bit little-endian ELF file", path);
    if (get(E_PHENTSIZE, 2) != PHDR_SIZE || phnum() == 0 || phnum() > MAX_PHDRS)
        die("%s: unexpected program header table", path);
    need(get(E_PHOFF, 8), (uint64_t)phnum() * PHDR_SIZE);
}

static void write_output(const char *path)
{
    FILE *f = fopen(path, "wb");

    if (!f)
        die("%s: %s", path, strerror(errno));
    if (fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        die("%s: write error", path);
}

int main(int argc, char *argv[])
{
    size_t nrules = sizeof rules / sizeof rules[0];

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < nrules; i++)
            printf("%-16s %s\n", rules[i].name, rules[i].what);
        return 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: mkbadelf RULE IN OUT\n       mkbadelf --list\n");
        return 1;
    }
    for (size_t i = 0; i < nrules; i++) {
        if (strcmp(argv[1], rules[i].name) != 0)
            continue;
        read_input(argv[2]);
        rules[i].apply();
        write_output(argv[3]);
        return 0;
    }
    die("unknown rule '%s' (mkbadelf --list shows them)", argv[1]);
}
