/*
 * ELF validation of a unikernel image: header, program headers, segments
 * and entry point (notes: elf_notes.c).  Contracts in elf.h.  The file is
 * hostile: every offset and size is checked with overflow-safe arithmetic,
 * and headers are copied out with memcpy because the buffer may be
 * unaligned.  Spec: SOLO5_HVT_ABI.md section 4.2, plus the stricter rules
 * wisp adds (bss segments checked, static only, no page shared).
 */
#include <inttypes.h>
#include <string.h>

#include "image/elf.h"
#include "image/elf_priv.h"

#define PAGE_MASK (WISP_PAGE_SIZE - 1)

int elf_fail(char *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, ELF_ERR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

int elf_range_in_file(uint64_t off, uint64_t len, size_t size)
{
    uint64_t end;

    if (__builtin_add_overflow(off, len, &end))
        return 0;
    return end <= size;
}

/*
 * check_ehdr: the first 64 bytes are a 64-bit little-endian x86_64 ET_EXEC
 * ELF header with standard sizes; copy it into *eh.  `size` <= ELF_MAX_FILE.
 */
static int check_ehdr(const char *name, const uint8_t *file, size_t size,
                      struct elf64_ehdr *eh, char *err)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
    size_t n = size < 4 ? size : 4;

    if (size == 0 || memcmp(file, magic, n) != 0)
        return elf_fail(err, "%s: not an ELF file", name);
    if (size < sizeof(*eh))
        return elf_fail(err, "%s: file is truncated (%zu bytes, an ELF header needs %zu)",
                        name, size, sizeof(*eh));
    memcpy(eh, file, sizeof(*eh));
    if (eh->e_ident[EI_CLASS] == ELFCLASS32)
        return elf_fail(err, "%s: 32-bit ELF, expected a 64-bit x86_64 executable", name);
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return elf_fail(err, "%s: ELF class %u, expected ELFCLASS64", name,
                        eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return elf_fail(err, "%s: big-endian or unknown ELF data encoding %u, expected little-endian",
                        name, eh->e_ident[EI_DATA]);
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return elf_fail(err, "%s: ELF version %u, expected 1 (EV_CURRENT)", name,
                        eh->e_ident[EI_VERSION] != EV_CURRENT ? eh->e_ident[EI_VERSION]
                                                              : eh->e_version);
    if (eh->e_machine != EM_X86_64)
        return elf_fail(err, "%s: ELF for machine %u, expected x86_64", name, eh->e_machine);
    if (eh->e_type == ET_DYN)
        return elf_fail(err, "%s: position-independent executable (ET_DYN), "
                        "expected a static ET_EXEC (link with -no-pie)", name);
    if (eh->e_type != ET_EXEC)
        return elf_fail(err, "%s: ELF type %u, expected ET_EXEC", name, eh->e_type);
    if (eh->e_ehsize != sizeof(struct elf64_ehdr))
        return elf_fail(err, "%s: ELF header size %u, expected %zu", name, eh->e_ehsize,
                        sizeof(struct elf64_ehdr));
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        return elf_fail(err, "%s: program header size %u, expected %zu", name,
                        eh->e_phentsize, sizeof(struct elf64_phdr));
    if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
        return elf_fail(err, "%s: %u program headers, expected 1 to %u", name, eh->e_phnum,
                        ELF_MAX_PHDRS);
    if (!elf_range_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
        return elf_fail(err, "%s: file is truncated: program header table at offset 0x%" PRIx64
                        " (%u entries) lies outside the file (%zu bytes)",
                        name, eh->e_phoff, eh->e_phnum, size);
    return 0;
}

/* read_phdr: copy program header i (inside the file: checked by check_ehdr). */
static void read_phdr(const uint8_t *file, const struct elf64_ehdr *eh, unsigned i,
                      struct elf64_phdr *ph)
{
    memcpy(ph, file + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/*
 * check_load: validate PT_LOAD number i on its own (not against the others)
 * and, if it occupies memory, append it to img->seg[].
 */
static int check_load(const char *name, const struct elf64_phdr *ph, unsigned i,
                      struct elf_image *img, char *err)
{
    uint64_t end, start_pg, end_pg;
    struct elf_segment *s;

    if (!elf_range_in_file(ph->p_offset, ph->p_filesz, img->file_size))
        return elf_fail(err, "%s: file is truncated: segment %u (offset 0x%" PRIx64
                        ", 0x%" PRIx64 " bytes) lies outside the file (%zu bytes)",
                        name, i, ph->p_offset, ph->p_filesz, img->file_size);
    if (ph->p_filesz > ph->p_memsz)
        return elf_fail(err, "%s: segment %u has more file bytes (0x%" PRIx64
                        ") than memory bytes (0x%" PRIx64 ")",
                        name, i, ph->p_filesz, ph->p_memsz);
    if (ph->p_memsz == 0)
        return 0;
    if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
        __builtin_add_overflow(end, PAGE_MASK, &end_pg))
        return elf_fail(err, "%s: segment %u at 0x%" PRIx64 " with size 0x%" PRIx64
                        " overflows the address space", name, i, ph->p_vaddr, ph->p_memsz);
    start_pg = ph->p_vaddr & ~PAGE_MASK;
    if (start_pg < WISP_ELF_MIN_GPA)
        return elf_fail(err, "%s: segment %u at 0x%" PRIx64 " lies below 1 MiB (0x%llx)",
                        name, i, ph->p_vaddr, WISP_ELF_MIN_GPA);
    if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
        return elf_fail(err, "%s: segment %u is both writable and executable (W^X)", name, i);
    /* x86 page tables have no "not readable" bit: a present page is
     * readable, so only R, RW and RX can be given as the file asks.
     * Solo5's own linker script makes text execute-only (SOLO5_HVT_ABI.md
     * 4.3): a Solo5 image keeps Solo5's rules, its text mapped RX. */
    if (img->mode == WISP_MODE_ISOLATED && !(ph->p_flags & PF_R))
        return elf_fail(err, "%s: segment %u has flags %s without R (readable): x86 page "
                        "tables cannot map memory that is not readable", name, i,
                        (ph->p_flags & PF_W) ? "W" : (ph->p_flags & PF_X) ? "X" : "none");
    if (ph->p_align != 0 && (ph->p_align & (ph->p_align - 1)) != 0)
        return elf_fail(err, "%s: segment %u has alignment 0x%" PRIx64
                        ", expected a power of two", name, i, ph->p_align);
    if (img->nsegs == ELF_MAX_SEGMENTS)
        return elf_fail(err, "%s: more than %u loadable segments", name, ELF_MAX_SEGMENTS);
    s = &img->seg[img->nsegs++];
    s->vaddr = ph->p_vaddr;
    s->memsz = ph->p_memsz;
    s->filesz = ph->p_filesz;
    s->offset = ph->p_offset;
    s->flags = ph->p_flags & (SEG_R | SEG_W | SEG_X);
    s->phdr_index = i;
    return 0;
}

/* seg_end_page: end of s rounded up to a page (no overflow: check_load). */
static uint64_t seg_end_page(const struct elf_segment *s)
{
    return (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
}

/*
 * sort_and_check_overlap: sort img->seg[] by vaddr (insertion sort, at most
 * ELF_MAX_SEGMENTS), refuse two segments that overlap or share a page once
 * starts are rounded down and ends up, and set img->load_end.  Sorted by
 * start, disjointness of neighbours implies disjointness of all.
 */
static int sort_and_check_overlap(const char *name, struct elf_image *img, char *err)
{
    for (unsigned i = 1; i < img->nsegs; i++) {
        struct elf_segment key = img->seg[i];
        unsigned j = i;

        for (; j > 0 && img->seg[j - 1].vaddr > key.vaddr; j--)
            img->seg[j] = img->seg[j - 1];
        img->seg[j] = key;
    }
    for (unsigned i = 1; i < img->nsegs; i++) {
        const struct elf_segment *a = &img->seg[i - 1], *b = &img->seg[i];

        if (seg_end_page(a) > (b->vaddr & ~PAGE_MASK))
            return elf_fail(err, "%s: segments %u (0x%" PRIx64 "-0x%" PRIx64 ") and %u (0x%"
                            PRIx64 "-0x%" PRIx64 ") overlap or share a 4 KiB page",
                            name, a->phdr_index, a->vaddr, a->vaddr + a->memsz,
                            b->phdr_index, b->vaddr, b->vaddr + b->memsz);
    }
    img->load_end = img->nsegs ? seg_end_page(&img->seg[img->nsegs - 1]) : 0;
    return 0;
}

/* check_entry: e_entry lies inside an executable segment. */
static int check_entry(const char *name, const struct elf_image *img, char *err)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];

        if ((s->flags & SEG_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            return 0;
    }
    return elf_fail(err, "%s: entry point 0x%" PRIx64 " is not inside an executable segment",
                    name, img->entry);
}

/*
 * scan_meta: first pass over the program headers: refuse PT_DYNAMIC,
 * record PT_INTERP (its bytes must be in the file), parse every PT_NOTE.
 */
static int scan_meta(const char *name, const struct elf64_ehdr *eh, struct elf_image *img,
                     int *has_wisp, char *err)
{
    struct elf64_phdr ph;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        read_phdr(img->file, eh, i, &ph);
        switch (ph.p_type) {
        case PT_DYNAMIC:
            return elf_fail(err, "%s: dynamically linked (PT_DYNAMIC), expected a static executable",
                            name);
        case PT_INTERP:
            if (!elf_range_in_file(ph.p_offset, ph.p_filesz, img->file_size))
                return elf_fail(err, "%s: file is truncated: interpreter (segment %u) lies "
                                "outside the file", name, i);
            img->has_interp = 1;
            break;
        case PT_NOTE:
            if (elf_parse_notes(name, &ph, i, img, has_wisp, err) < 0)
                return -1;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* decide_mode: wisp note (preferred) or Solo5 ABI1 note; neither refused. */
static int decide_mode(const char *name, int has_wisp, struct elf_image *img, char *err)
{
    if (has_wisp) {
        if (img->wisp_abi.abi_version != WISP_ABI_VERSION)
            return elf_fail(err, "%s: built for wisp ABI version %" PRIu32
                            ", this wisp supports version %d",
                            name, img->wisp_abi.abi_version, WISP_ABI_VERSION);
        img->mode = WISP_MODE_ISOLATED;
    } else if (img->has_solo5_abi) {
        img->mode = WISP_MODE_SOLO5_HVT;
    } else {
        return elf_fail(err, "%s: not a unikernel: no wisp or Solo5 ABI note "
                        "(build it with wisp-cc)", name);
    }
    return 0;
}

int elf_parse(const char *name, const uint8_t *file, size_t size,
              struct elf_image *img, char *err)
{
    struct elf64_ehdr eh;
    struct elf64_phdr ph;
    int has_wisp = 0, r;

    memset(img, 0, sizeof(*img));
    img->file = file;
    img->file_size = size;
    if (size > ELF_MAX_FILE)
        return elf_fail(err, "%s: file is too large (%zu bytes, at most %u)", name, size,
                        ELF_MAX_FILE);
    if (check_ehdr(name, file, size, &eh, err) < 0)
        return -1;
    img->entry = eh.e_entry;
    r = scan_meta(name, &eh, img, &has_wisp, err);
    img->has_wisp_abi = has_wisp; /* even if refused: it decides the mode */
    if (r < 0)
        return -1;
    if (decide_mode(name, has_wisp, img, err) < 0)
        return -1;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        read_phdr(file, &eh, i, &ph);
        if (ph.p_type == PT_LOAD && check_load(name, &ph, i, img, err) < 0)
            return -1;
    }
    if (img->nsegs == 0)
        return elf_fail(err, "%s: no loadable segment", name);
    if (sort_and_check_overlap(name, img, err) < 0)
        return -1;
    return check_entry(name, img, err);
}

int elf_check_fits(const char *name, const struct elf_image *img,
                   uint64_t limit, char *err)
{
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];

        if (s->vaddr + s->memsz > limit)
            return elf_fail(err, "%s: segment %u (0x%" PRIx64 "-0x%" PRIx64 ") does not fit "
                            "in guest memory below 0x%" PRIx64 " (use a larger --mem)",
                            name, s->phdr_index, s->vaddr, s->vaddr + s->memsz, limit);
    }
    return 0;
}
