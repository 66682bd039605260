/*
 * Unit tests of elf_parse / elf_check_fits (tender/image/elf.c, elf_notes.c).
 * Every image is built in memory by the small builder below (ELF header,
 * program headers, segment bytes, note segments); each rejection rule has
 * one test that checks the exact message, plus positive cases for an
 * isolated-mode image and a Solo5 image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/elf.h"
#include "image/elf_priv.h"

#define NAME "k.elf"
#define DATA_START (64 + 80 * 56) /* room for up to 80 program headers */
#define IMG_MAX (64 * 1024)

/* ---- image builder ------------------------------------------------------ */

struct builder {
    struct elf64_ehdr eh;
    struct elf64_phdr ph[80];
    unsigned nph;
    uint8_t buf[IMG_MAX];
    size_t len; /* bytes used in buf (>= DATA_START) */
};

/* b_init: an empty x86_64 ET_EXEC with entry 0x100010 and no phdrs. */
static void b_init(struct builder *b)
{
    memset(b, 0, sizeof(*b));
    memcpy(b->eh.e_ident, "\177ELF", 4);
    b->eh.e_ident[EI_CLASS] = ELFCLASS64;
    b->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    b->eh.e_ident[EI_VERSION] = EV_CURRENT;
    b->eh.e_type = ET_EXEC;
    b->eh.e_machine = EM_X86_64;
    b->eh.e_version = EV_CURRENT;
    b->eh.e_entry = 0x100010;
    b->eh.e_phoff = 64;
    b->eh.e_ehsize = 64;
    b->eh.e_phentsize = 56;
    b->len = DATA_START;
}

/* b_data: append n bytes (copied from p, or a pattern if p is NULL) at an
 * 8-aligned offset; returns the offset. */
static uint64_t b_data(struct builder *b, const void *p, size_t n)
{
    uint64_t off = (b->len + 7) & ~(size_t)7;

    assert_true(off + n <= IMG_MAX);
    for (size_t i = 0; i < n; i++)
        b->buf[off + i] = p ? ((const uint8_t *)p)[i] : (uint8_t)(0x90 + i);
    b->len = off + n;
    return off;
}

/* b_phdr: append a program header; returns its index. */
static unsigned b_phdr(struct builder *b, uint32_t type, uint32_t flags, uint64_t off,
                       uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    struct elf64_phdr *ph = &b->ph[b->nph];

    assert_true(b->nph < 80);
    ph->p_type = type;
    ph->p_flags = flags;
    ph->p_offset = off;
    ph->p_vaddr = ph->p_paddr = vaddr;
    ph->p_filesz = filesz;
    ph->p_memsz = memsz;
    ph->p_align = align;
    return b->nph++;
}

/* b_load: a PT_LOAD with filesz pattern bytes; returns its phdr index. */
static unsigned b_load(struct builder *b, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
                       uint32_t flags)
{
    uint64_t off = b_data(b, NULL, filesz);

    return b_phdr(b, PT_LOAD, flags, off, vaddr, filesz, memsz, 0x1000);
}

/* note_bytes: serialize one note (4-byte padding) into out; returns its size. */
static size_t note_bytes(uint8_t *out, const char *owner, uint32_t type, const void *desc,
                         uint32_t descsz)
{
    struct elf64_nhdr h = { (uint32_t)strlen(owner) + 1, descsz, type };
    size_t namelen = (h.n_namesz + 3) & ~3u, desclen = (descsz + 3) & ~3u;

    memset(out, 0, 12 + namelen + desclen);
    memcpy(out, &h, 12);
    memcpy(out + 12, owner, h.n_namesz);
    if (desc)
        memcpy(out + 12 + namelen, desc, descsz);
    return 12 + namelen + desclen;
}

/* b_notes: a PT_NOTE holding the n bytes at p; returns its phdr index. */
static unsigned b_notes(struct builder *b, const void *p, size_t n)
{
    uint64_t off = b_data(b, p, n);

    return b_phdr(b, PT_NOTE, PF_R, off, 0, n, 0, 4);
}

/* b_note: a PT_NOTE with one note. */
static unsigned b_note(struct builder *b, const char *owner, uint32_t type, const void *desc,
                       uint32_t descsz)
{
    uint8_t tmp[8192];

    return b_notes(b, tmp, note_bytes(tmp, owner, type, desc, descsz));
}

static unsigned b_wisp_note(struct builder *b, uint32_t version)
{
    struct wisp_abi_note n = { .abi_version = version, .stack_size = 0x10000 };

    return b_note(b, WISP_NOTE_NAME, WISP_NOTE_TYPE_ABI, &n, sizeof(n));
}

static unsigned b_abi1_note(struct builder *b, uint32_t target, uint32_t version)
{
    struct abi1_info a = { .abi_target = target, .abi_version = version };

    return b_note(b, SOLO5_NOTE_NAME, ABI1_NOTE_TYPE, &a, sizeof(a));
}

/* mft_make: a manifest with the reserved entry and ndev devices named
 * dev0, dev1, ... alternating NET_BASIC and BLOCK_BASIC; returns its size. */
static size_t mft_make(uint8_t *out, unsigned ndev)
{
    struct mft h = { MFT_VERSION, ndev + 1 };
    struct mft_entry e;

    memcpy(out, &h, sizeof(h));
    memset(&e, 0, sizeof(e));
    e.type = MFT_RESERVED_FIRST;
    memcpy(out + MFT_SIZE(0), &e, sizeof(e));
    for (unsigned i = 1; i <= ndev; i++) {
        memset(&e, 0, sizeof(e));
        snprintf(e.name, sizeof(e.name), "dev%u", i - 1);
        e.type = (i & 1) ? MFT_DEV_NET_BASIC : MFT_DEV_BLOCK_BASIC;
        memcpy(out + MFT_SIZE(i), &e, sizeof(e));
    }
    return MFT_SIZE(ndev + 1);
}

/* mft_note_bytes: an MFT1 note (4 pad bytes, then the manifest) in out. */
static size_t mft_note_bytes(uint8_t *out, const uint8_t *m, size_t msize)
{
    uint8_t desc[8192] = { 0 };

    memcpy(desc + 4, m, msize);
    return note_bytes(out, SOLO5_NOTE_NAME, MFT1_NOTE_TYPE, desc, (uint32_t)msize + 4);
}

static unsigned b_mft_note(struct builder *b, unsigned ndev)
{
    uint8_t m[8192], note[8192];

    return b_notes(b, note, mft_note_bytes(note, m, mft_make(m, ndev)));
}

/* b_finish: write the headers into buf; returns the image size. */
static size_t b_finish(struct builder *b)
{
    b->eh.e_phnum = (uint16_t)b->nph;
    memcpy(b->buf, &b->eh, sizeof(b->eh));
    memcpy(b->buf + 64, b->ph, b->nph * sizeof(b->ph[0]));
    return b->len;
}

/* b_isolated: the standard valid isolated image: text, rodata, data, bss,
 * a wisp ABI note and a 2-device manifest. */
static void b_isolated(struct builder *b)
{
    b_init(b);
    b_load(b, 0x100000, 0x1000, 0x1000, PF_R | PF_X);
    b_load(b, 0x101000, 0x200, 0x200, PF_R);
    b_load(b, 0x102000, 0x100, 0x180, PF_R | PF_W);
    b_load(b, 0x103000, 0, 0x2000, PF_R | PF_W);
    b_wisp_note(b, WISP_ABI_VERSION);
    b_mft_note(b, 2);
}

/* ---- helpers ------------------------------------------------------------ */

static struct builder B;
static struct elf_image img;
static char err[ELF_ERR_MAX];

static int parse(size_t len)
{
    memset(err, 0, sizeof(err));
    return elf_parse(NAME, B.buf, len, &img, err);
}

/* expect: parsing the first len bytes of B.buf fails with exactly msg. */
static void expect(size_t len, const char *msg)
{
    assert_int_equal(parse(len), -1);
    assert_string_equal(err, msg);
}

/* expect_len: like expect, msg has one %zu, replaced by len. */
static void expect_len(size_t len, const char *fmt) __attribute__((format(printf, 2, 0)));
static void expect_len(size_t len, const char *fmt)
{
    char msg[ELF_ERR_MAX];

    snprintf(msg, sizeof(msg), fmt, len);
    expect(len, msg);
}

/* expect_sub: parsing fails and the message starts with "k.elf: " and
 * contains sub. */
static void expect_sub(size_t len, const char *sub)
{
    assert_int_equal(parse(len), -1);
    assert_memory_equal(err, NAME ": ", strlen(NAME ": "));
    if (!strstr(err, sub))
        fail_msg("message \"%s\" does not contain \"%s\"", err, sub);
}

/* isolated image with one extra PT_LOAD, finished. */
static size_t isolated_plus(uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint32_t flags)
{
    b_isolated(&B);
    b_load(&B, vaddr, filesz, memsz, flags);
    return b_finish(&B);
}

/* ---- positive cases ----------------------------------------------------- */

static void test_valid_isolated(void **state)
{
    b_isolated(&B);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.mode, WISP_MODE_ISOLATED);
    assert_int_equal(img.entry, 0x100010);
    assert_int_equal(img.nsegs, 4);
    assert_int_equal(img.seg[0].vaddr, 0x100000);
    assert_int_equal(img.seg[0].flags, SEG_R | SEG_X);
    assert_int_equal(img.seg[3].vaddr, 0x103000);
    assert_int_equal(img.seg[3].filesz, 0);
    assert_int_equal(img.seg[3].memsz, 0x2000);
    assert_int_equal(img.seg[3].phdr_index, 3);
    assert_int_equal(img.seg[2].filesz, 0x100);
    assert_int_equal(img.seg[2].memsz, 0x180);
    assert_int_equal(img.load_end, 0x105000);
    assert_int_equal(img.wisp_abi.abi_version, WISP_ABI_VERSION);
    assert_int_equal(img.wisp_abi.stack_size, 0x10000);
    assert_false(img.has_solo5_abi);
    assert_false(img.has_interp);
    assert_non_null(img.mft);
    assert_int_equal(img.mft_size, MFT_SIZE(3));
    assert_ptr_equal(img.file, B.buf);
    /* the manifest points at note offset 24 */
    assert_int_equal((const uint8_t *)img.mft - B.buf, B.ph[5].p_offset + 24);
    assert_int_equal(elf_check_fits(NAME, &img, 0x105000, err), 0);
}

static void test_valid_solo5(void **state)
{
    b_init(&B);
    b_phdr(&B, PT_INTERP, PF_R, b_data(&B, "/nonexistent/solo5/\0", 20), 0, 20, 20, 1);
    b_load(&B, 0x100000, 0x3000, 0x3000, PF_R | PF_X);
    b_load(&B, 0x103000, 0x1000, 0x5000, PF_R | PF_W);
    b_abi1_note(&B, SOLO5_ABI_TARGET_HVT, SOLO5_HVT_ABI_VERSION);
    b_mft_note(&B, 1);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.mode, WISP_MODE_SOLO5_HVT);
    assert_true(img.has_interp);
    assert_true(img.has_solo5_abi);
    assert_int_equal(img.solo5_abi.abi_target, SOLO5_ABI_TARGET_HVT);
    assert_int_equal(img.solo5_abi.abi_version, SOLO5_HVT_ABI_VERSION);
    assert_int_equal(img.mft_size, MFT_SIZE(2));
    assert_int_equal(img.nsegs, 2);
    assert_int_equal(img.load_end, 0x108000);
}

/* Target and version are recorded, not checked, by elf_parse. */
static void test_solo5_other_target_recorded(void **state)
{
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_abi1_note(&B, SOLO5_ABI_TARGET_SPT, 7);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.mode, WISP_MODE_SOLO5_HVT);
    assert_int_equal(img.solo5_abi.abi_target, SOLO5_ABI_TARGET_SPT);
    assert_int_equal(img.solo5_abi.abi_version, 7);
    assert_null(img.mft);
}

static void test_both_notes_prefer_wisp(void **state)
{
    b_isolated(&B);
    b_abi1_note(&B, SOLO5_ABI_TARGET_HVT, SOLO5_HVT_ABI_VERSION);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.mode, WISP_MODE_ISOLATED);
    assert_true(img.has_solo5_abi);
}

/* Several notes in one PT_NOTE, among unknown ones, all found. */
static void test_notes_share_segment(void **state)
{
    uint8_t notes[8192], m[8192];
    struct wisp_abi_note w = { .abi_version = WISP_ABI_VERSION };
    uint8_t buildid[20] = { 1, 2, 3 };
    size_t n = 0;

    n += note_bytes(notes + n, "GNU", 3, buildid, sizeof(buildid));
    n += note_bytes(notes + n, "wisp", 7, buildid, 3); /* unknown type */
    n += note_bytes(notes + n, WISP_NOTE_NAME, WISP_NOTE_TYPE_ABI, &w, sizeof(w));
    n += mft_note_bytes(notes + n, m, mft_make(m, 3));
    n += 4; /* zero padding at the end is tolerated */
    memset(notes + n - 4, 0, 4);
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_notes(&B, notes, n);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.mode, WISP_MODE_ISOLATED);
    assert_int_equal(img.mft_size, MFT_SIZE(4));
}

/* Segments need not be in ascending order in the file; they come out sorted. */
static void test_unsorted_segments_sorted(void **state)
{
    b_init(&B);
    b_load(&B, 0x300000, 0, 0x1000, PF_R | PF_W);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_load(&B, 0x200000, 0x100, 0x100, PF_R);
    b_wisp_note(&B, WISP_ABI_VERSION);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.nsegs, 3);
    assert_int_equal(img.seg[0].vaddr, 0x100000);
    assert_int_equal(img.seg[0].phdr_index, 1);
    assert_int_equal(img.seg[1].vaddr, 0x200000);
    assert_int_equal(img.seg[2].vaddr, 0x300000);
    assert_int_equal(img.seg[2].phdr_index, 0);
    assert_int_equal(img.load_end, 0x301000);
}

/* memsz 0 segments are ignored, even at absurd addresses. */
static void test_empty_segment_ignored(void **state)
{
    assert_int_equal(parse(isolated_plus(0x10, 0, 0, PF_R | PF_W | PF_X)), 0);
    assert_int_equal(img.nsegs, 4);
}

static void test_align_zero_and_one_ok(void **state)
{
    b_isolated(&B);
    B.ph[0].p_align = 0;
    B.ph[1].p_align = 1;
    assert_int_equal(parse(b_finish(&B)), 0);
}

/* ---- ELF header --------------------------------------------------------- */

static void test_truncated_header(void **state)
{
    b_isolated(&B);
    b_finish(&B);
    expect(10, NAME ": file is truncated (10 bytes, an ELF header needs 64)");
    expect(63, NAME ": file is truncated (63 bytes, an ELF header needs 64)");
}

static void test_bad_magic(void **state)
{
    b_isolated(&B);
    size_t len = b_finish(&B);

    B.buf[1] = 'X';
    expect(len, NAME ": not an ELF file");
    expect(0, NAME ": not an ELF file");
    expect(3, NAME ": not an ELF file");
}

static void test_elfclass32(void **state)
{
    b_isolated(&B);
    B.eh.e_ident[EI_CLASS] = ELFCLASS32;
    expect(b_finish(&B), NAME ": 32-bit ELF, expected a 64-bit x86_64 executable");
}

static void test_bad_class(void **state)
{
    b_isolated(&B);
    B.eh.e_ident[EI_CLASS] = 7;
    expect(b_finish(&B), NAME ": ELF class 7, expected ELFCLASS64");
}

static void test_big_endian(void **state)
{
    b_isolated(&B);
    B.eh.e_ident[EI_DATA] = 2;
    expect(b_finish(&B),
           NAME ": big-endian or unknown ELF data encoding 2, expected little-endian");
}

static void test_bad_version(void **state)
{
    b_isolated(&B);
    B.eh.e_version = 2;
    expect(b_finish(&B), NAME ": ELF version 2, expected 1 (EV_CURRENT)");
    b_isolated(&B);
    B.eh.e_ident[EI_VERSION] = 0;
    expect(b_finish(&B), NAME ": ELF version 0, expected 1 (EV_CURRENT)");
}

static void test_bad_machine(void **state)
{
    b_isolated(&B);
    B.eh.e_machine = 183; /* aarch64 */
    expect(b_finish(&B), NAME ": ELF for machine 183, expected x86_64");
}

static void test_pie(void **state)
{
    b_isolated(&B);
    B.eh.e_type = ET_DYN;
    expect(b_finish(&B), NAME ": position-independent executable (ET_DYN), "
                         "expected a static ET_EXEC (link with -no-pie)");
}

static void test_relocatable(void **state)
{
    b_isolated(&B);
    B.eh.e_type = 1;
    expect(b_finish(&B), NAME ": ELF type 1, expected ET_EXEC");
}

static void test_bad_ehsize(void **state)
{
    b_isolated(&B);
    B.eh.e_ehsize = 52;
    expect(b_finish(&B), NAME ": ELF header size 52, expected 64");
}

static void test_bad_phentsize(void **state)
{
    b_isolated(&B);
    B.eh.e_phentsize = 32;
    expect(b_finish(&B), NAME ": program header size 32, expected 56");
}

static void test_no_phdrs(void **state)
{
    size_t len;

    b_isolated(&B);
    len = b_finish(&B);
    B.eh.e_phnum = 0;
    memcpy(B.buf, &B.eh, sizeof(B.eh));
    expect(len, NAME ": 0 program headers, expected 1 to 64");
}

static void test_too_many_phdrs(void **state)
{
    b_isolated(&B);
    while (B.nph < 65)
        b_phdr(&B, 0x6474e551 /* PT_GNU_STACK */, PF_R | PF_W, 0, 0, 0, 0, 16);
    expect(b_finish(&B), NAME ": 65 program headers, expected 1 to 64");
}

static void test_phdrs_outside_file(void **state)
{
    b_isolated(&B);
    B.eh.e_phoff = 0x20000;
    expect_len(b_finish(&B), NAME ": file is truncated: program header table at offset "
                             "0x20000 (6 entries) lies outside the file (%zu bytes)");
    b_isolated(&B);
    B.eh.e_phoff = UINT64_MAX - 8;
    expect_sub(b_finish(&B), "program header table at offset 0xfffffffffffffff7");
}

static void test_file_too_large(void **state)
{
    b_isolated(&B);
    b_finish(&B);
    /* the size is checked before any byte is read */
    expect((size_t)ELF_MAX_FILE + 1, NAME ": file is too large (268435457 bytes, at most 268435456)");
}

/* ---- program headers ---------------------------------------------------- */

static void test_dynamic(void **state)
{
    b_isolated(&B);
    b_phdr(&B, PT_DYNAMIC, PF_R | PF_W, 0x100, 0x102000, 0x10, 0x10, 8);
    expect(b_finish(&B), NAME ": dynamically linked (PT_DYNAMIC), expected a static executable");
}

static void test_interp_outside_file(void **state)
{
    b_isolated(&B);
    b_phdr(&B, PT_INTERP, PF_R, 0x8000, 0, 0x20000, 0x20000, 1);
    expect(b_finish(&B),
           NAME ": file is truncated: interpreter (segment 6) lies outside the file");
}

static void test_interp_recorded_isolated(void **state)
{
    b_isolated(&B);
    b_phdr(&B, PT_INTERP, PF_R, 0x100, 0, 0x10, 0x10, 1);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_true(img.has_interp);
}

static void test_load_outside_file(void **state)
{
    b_isolated(&B);
    B.ph[1].p_offset = 0x2000;
    B.ph[1].p_filesz = 0x2000;
    B.ph[1].p_memsz = 0x2000;
    expect_len(b_finish(&B), NAME ": file is truncated: segment 1 (offset 0x2000, 0x2000 "
                             "bytes) lies outside the file (%zu bytes)");
}

static void test_load_offset_overflow(void **state)
{
    b_isolated(&B);
    B.ph[1].p_offset = UINT64_MAX - 0x10;
    expect_sub(b_finish(&B), "segment 1 (offset 0xffffffffffffffef, 0x200 bytes) lies outside");
}

static void test_filesz_gt_memsz(void **state)
{
    b_isolated(&B);
    B.ph[2].p_memsz = 0x80;
    expect(b_finish(&B),
           NAME ": segment 2 has more file bytes (0x100) than memory bytes (0x80)");
}

static void test_vaddr_overflow(void **state)
{
    expect(isolated_plus(0xfffffffffffff000ull, 0, 0x2000, PF_R | PF_W),
           NAME ": segment 6 at 0xfffffffffffff000 with size 0x2000 overflows the address space");
    /* the page round-up of the end overflows */
    expect_sub(isolated_plus(0xfffffffffffff000ull, 0, 0xff0, PF_R), "overflows the address space");
}

static void test_below_1mib(void **state)
{
    expect(isolated_plus(0xff000, 0x10, 0x10, PF_R),
           NAME ": segment 6 at 0xff000 lies below 1 MiB (0x100000)");
}

static void test_below_1mib_bss(void **state)
{
    expect(isolated_plus(0x8000, 0, 0x1000, PF_R | PF_W),
           NAME ": segment 6 at 0x8000 lies below 1 MiB (0x100000)");
}

/* one byte below 1 MiB is refused even with a tiny size */
static void test_below_1mib_edge(void **state)
{
    expect(isolated_plus(0xfffff, 0, 0x10, PF_R),
           NAME ": segment 6 at 0xfffff lies below 1 MiB (0x100000)");
}

static void test_wx(void **state)
{
    expect(isolated_plus(0x200000, 0x10, 0x10, PF_R | PF_W | PF_X),
           NAME ": segment 6 is both writable and executable (W^X)");
}

static void test_wx_bss(void **state)
{
    expect(isolated_plus(0x200000, 0, 0x1000, PF_W | PF_X),
           NAME ": segment 6 is both writable and executable (W^X)");
}

static void test_bad_align(void **state)
{
    b_isolated(&B);
    B.ph[3].p_align = 0x3000;
    expect(b_finish(&B), NAME ": segment 3 has alignment 0x3000, expected a power of two");
}

static void test_overlap(void **state)
{
    expect(isolated_plus(0x100800, 0x10, 0x10, PF_R),
           NAME ": segments 0 (0x100000-0x101000) and 6 (0x100800-0x100810) overlap or share "
                "a 4 KiB page");
}

/* data ending mid-page and bss starting in that page share it */
static void test_share_page(void **state)
{
    b_isolated(&B);
    B.ph[3].p_vaddr = 0x102180;
    expect(b_finish(&B), NAME ": segments 2 (0x102000-0x102180) and 3 (0x102180-0x104180) "
                         "overlap or share a 4 KiB page");
}

/* overlap between segments listed out of order is found too */
static void test_overlap_unsorted(void **state)
{
    b_init(&B);
    b_load(&B, 0x200000, 0, 0x10000, PF_R | PF_W);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_load(&B, 0x208000, 0x10, 0x10, PF_R);
    b_wisp_note(&B, WISP_ABI_VERSION);
    expect(b_finish(&B), NAME ": segments 0 (0x200000-0x210000) and 2 (0x208000-0x208010) "
                         "overlap or share a 4 KiB page");
}

static void test_too_many_segments(void **state)
{
    b_isolated(&B);
    for (unsigned i = 0; i < ELF_MAX_SEGMENTS - 3; i++)
        b_load(&B, 0x200000 + 0x1000 * i, 0, 0x10, PF_R);
    expect(b_finish(&B), NAME ": more than 16 loadable segments");
    /* exactly 16 is fine */
    b_isolated(&B);
    for (unsigned i = 0; i < ELF_MAX_SEGMENTS - 4; i++)
        b_load(&B, 0x200000 + 0x1000 * i, 0, 0x10, PF_R);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.nsegs, 16);
}

static void test_no_load(void **state)
{
    b_init(&B);
    b_wisp_note(&B, WISP_ABI_VERSION);
    expect(b_finish(&B), NAME ": no loadable segment");
}

static void test_entry_outside(void **state)
{
    b_isolated(&B);
    B.eh.e_entry = 0x101000; /* rodata */
    expect(b_finish(&B), NAME ": entry point 0x101000 is not inside an executable segment");
    b_isolated(&B);
    B.eh.e_entry = 0x50000; /* nowhere */
    expect(b_finish(&B), NAME ": entry point 0x50000 is not inside an executable segment");
    b_isolated(&B);
    B.eh.e_entry = 0x100fff; /* last byte of text */
    assert_int_equal(parse(b_finish(&B)), 0);
}

/* ---- notes -------------------------------------------------------------- */

static void test_note_outside_file(void **state)
{
    b_isolated(&B);
    B.ph[4].p_offset = 0x100000;
    expect(b_finish(&B), NAME ": file is truncated: note segment 4 lies outside the file");
}

static void test_malformed_note(void **state)
{
    b_isolated(&B);
    B.ph[4].p_filesz -= 4; /* the descriptor no longer fits */
    expect(b_finish(&B), NAME ": malformed note in segment 4: note does not fall within valid size");
}

static void test_malformed_note_huge_sizes(void **state)
{
    uint8_t n[16] = { 0 };
    uint32_t big = UINT32_MAX;

    memcpy(n, &big, 4);
    memcpy(n + 4, &big, 4);
    b_isolated(&B);
    b_notes(&B, n, sizeof(n));
    expect(b_finish(&B), NAME ": malformed note in segment 6: note does not fall within valid size");
}

static void test_malformed_note_tail(void **state)
{
    uint8_t notes[256];
    struct wisp_abi_note w = { .abi_version = WISP_ABI_VERSION };
    size_t n = note_bytes(notes, WISP_NOTE_NAME, WISP_NOTE_TYPE_ABI, &w, sizeof(w));

    memcpy(notes + n, "\1\0\0\0\0\0\0\0", 8); /* 8 non-zero bytes: not padding */
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_notes(&B, notes, n + 8);
    expect(b_finish(&B), NAME ": malformed note in segment 1: note does not fall within valid size");
}

static void test_wisp_note_size(void **state)
{
    struct wisp_abi_note w = { .abi_version = WISP_ABI_VERSION };

    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_note(&B, WISP_NOTE_NAME, WISP_NOTE_TYPE_ABI, &w, 12);
    expect(b_finish(&B), NAME ": wisp ABI note has 12 descriptor bytes, expected 16");
}

static void test_wisp_version(void **state)
{
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_wisp_note(&B, 2);
    expect(b_finish(&B), NAME ": built for wisp ABI version 2, this wisp supports version 1");
}

static void test_duplicate_wisp_note(void **state)
{
    b_isolated(&B);
    b_wisp_note(&B, WISP_ABI_VERSION);
    expect(b_finish(&B), NAME ": duplicate wisp ABI note (segment 6)");
}

static void test_duplicate_abi1_note(void **state)
{
    b_isolated(&B);
    b_abi1_note(&B, 1, 2);
    b_abi1_note(&B, 1, 2);
    expect(b_finish(&B), NAME ": duplicate Solo5 ABI1 note (segment 7)");
}

static void test_duplicate_mft_note(void **state)
{
    b_isolated(&B);
    b_mft_note(&B, 1);
    expect(b_finish(&B), NAME ": duplicate Solo5 manifest (MFT1) note (segment 6)");
}

static void test_abi1_note_size(void **state)
{
    uint8_t d[64] = { 1, 0, 0, 0, 2 };

    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_note(&B, SOLO5_NOTE_NAME, ABI1_NOTE_TYPE, d, 8);
    expect(b_finish(&B), NAME ": Solo5 ABI1 note has 8 descriptor bytes, expected 16 to 32");
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_note(&B, SOLO5_NOTE_NAME, ABI1_NOTE_TYPE, d, 36);
    expect(b_finish(&B), NAME ": Solo5 ABI1 note has 36 descriptor bytes, expected 16 to 32");
    /* 32 is accepted (as Solo5 does) */
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_note(&B, SOLO5_NOTE_NAME, ABI1_NOTE_TYPE, d, 32);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(img.solo5_abi.abi_version, 2);
}

/* test_buggyelf's case: MFT1 n_descsz smaller than the 4 padding bytes */
static void test_mft_note_too_small(void **state)
{
    uint8_t d[4] = { 0 };

    b_isolated(&B);
    B.ph[5].p_type = 0x6474e551; /* drop the good manifest */
    b_note(&B, SOLO5_NOTE_NAME, MFT1_NOTE_TYPE, d, 1);
    expect(b_finish(&B), NAME ": INV_EXE: phdr[6] note does not fall within valid size "
                         "(1 < 4): invalid manifest: note descriptor of 1 bytes, shorter than "
                         "its 4 padding bytes");
}

static void test_mft_note_invalid(void **state)
{
    uint8_t m[8192], note[8192];
    size_t msize = mft_make(m, 2);

    m[0] = 9; /* version */
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_wisp_note(&B, WISP_ABI_VERSION);
    b_notes(&B, note, mft_note_bytes(note, m, msize));
    expect(b_finish(&B), NAME ": invalid manifest: version 9, expected 1");
}

/* The owner must match with its NUL: "wispx" or "wis" are other owners. */
static void test_owner_exact(void **state)
{
    struct wisp_abi_note w = { .abi_version = WISP_ABI_VERSION };

    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_note(&B, "wispx", WISP_NOTE_TYPE_ABI, &w, sizeof(w));
    b_note(&B, "wis", WISP_NOTE_TYPE_ABI, &w, sizeof(w));
    expect(b_finish(&B),
           NAME ": not a unikernel: no wisp or Solo5 ABI note (build it with wisp-cc)");
}

static void test_not_unikernel(void **state)
{
    b_init(&B);
    b_load(&B, 0x100000, 0x100, 0x100, PF_R | PF_X);
    b_mft_note(&B, 1); /* a manifest alone is not enough */
    expect(b_finish(&B),
           NAME ": not a unikernel: no wisp or Solo5 ABI note (build it with wisp-cc)");
}

/* ---- elf_check_fits ----------------------------------------------------- */

static void test_check_fits(void **state)
{
    b_isolated(&B);
    assert_int_equal(parse(b_finish(&B)), 0);
    assert_int_equal(elf_check_fits(NAME, &img, 0x200000, err), 0);
    assert_int_equal(elf_check_fits(NAME, &img, 0x105000, err), 0);
    assert_int_equal(elf_check_fits(NAME, &img, 0x104000, err), -1);
    assert_string_equal(err, NAME ": segment 3 (0x103000-0x105000) does not fit in guest memory "
                             "below 0x104000 (use a larger --mem)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_isolated),
        cmocka_unit_test(test_valid_solo5),
        cmocka_unit_test(test_solo5_other_target_recorded),
        cmocka_unit_test(test_both_notes_prefer_wisp),
        cmocka_unit_test(test_notes_share_segment),
        cmocka_unit_test(test_unsorted_segments_sorted),
        cmocka_unit_test(test_empty_segment_ignored),
        cmocka_unit_test(test_align_zero_and_one_ok),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_elfclass32),
        cmocka_unit_test(test_bad_class),
        cmocka_unit_test(test_big_endian),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_bad_machine),
        cmocka_unit_test(test_pie),
        cmocka_unit_test(test_relocatable),
        cmocka_unit_test(test_bad_ehsize),
        cmocka_unit_test(test_bad_phentsize),
        cmocka_unit_test(test_no_phdrs),
        cmocka_unit_test(test_too_many_phdrs),
        cmocka_unit_test(test_phdrs_outside_file),
        cmocka_unit_test(test_file_too_large),
        cmocka_unit_test(test_dynamic),
        cmocka_unit_test(test_interp_outside_file),
        cmocka_unit_test(test_interp_recorded_isolated),
        cmocka_unit_test(test_load_outside_file),
        cmocka_unit_test(test_load_offset_overflow),
        cmocka_unit_test(test_filesz_gt_memsz),
        cmocka_unit_test(test_vaddr_overflow),
        cmocka_unit_test(test_below_1mib),
        cmocka_unit_test(test_below_1mib_bss),
        cmocka_unit_test(test_below_1mib_edge),
        cmocka_unit_test(test_wx),
        cmocka_unit_test(test_wx_bss),
        cmocka_unit_test(test_bad_align),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_share_page),
        cmocka_unit_test(test_overlap_unsorted),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_no_load),
        cmocka_unit_test(test_entry_outside),
        cmocka_unit_test(test_note_outside_file),
        cmocka_unit_test(test_malformed_note),
        cmocka_unit_test(test_malformed_note_huge_sizes),
        cmocka_unit_test(test_malformed_note_tail),
        cmocka_unit_test(test_wisp_note_size),
        cmocka_unit_test(test_wisp_version),
        cmocka_unit_test(test_duplicate_wisp_note),
        cmocka_unit_test(test_duplicate_abi1_note),
        cmocka_unit_test(test_duplicate_mft_note),
        cmocka_unit_test(test_abi1_note_size),
        cmocka_unit_test(test_mft_note_too_small),
        cmocka_unit_test(test_mft_note_invalid),
        cmocka_unit_test(test_owner_exact),
        cmocka_unit_test(test_not_unikernel),
        cmocka_unit_test(test_check_fits),
    };

    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
