/*
 * ELF validation and note extraction for unikernel images.  Pure functions
 * over a byte buffer: no KVM, no guest memory, no exit().  The tender calls
 * them before it opens /dev/kvm; wisp-elftool and the unit tests use them
 * too.  The file is hostile: every offset and size is checked with
 * overflow-safe arithmetic before use.
 */
#ifndef WISP_ELF_H
#define WISP_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "wisp/abi.h"
#include "wisp/mft_abi.h"

#define ELF_MAX_PHDRS    64   /* more program headers: refused */
#define ELF_MAX_SEGMENTS 16   /* more PT_LOADs: refused */
#define ELF_MAX_FILE     (256u << 20) /* larger files: refused */
#define ELF_ERR_MAX      512

enum wisp_mode {
    WISP_MODE_NONE = 0,
    WISP_MODE_ISOLATED,   /* carries a wisp ABI note */
    WISP_MODE_SOLO5_HVT   /* carries a Solo5 ABI1 note */
};

/* Segment permission bits, as ELF's PF_*. */
#define SEG_X 1u
#define SEG_W 2u
#define SEG_R 4u

struct elf_segment {
    uint64_t vaddr;   /* == guest-physical address */
    uint64_t memsz;   /* > 0 */
    uint64_t filesz;  /* <= memsz */
    uint64_t offset;  /* file offset of the filesz bytes */
    uint32_t flags;   /* SEG_* */
    uint32_t phdr_index;
};

struct elf_image {
    const uint8_t *file;   /* the whole file (borrowed, not owned) */
    size_t file_size;
    uint64_t entry;
    unsigned nsegs;        /* PT_LOADs with memsz > 0, sorted by vaddr */
    struct elf_segment seg[ELF_MAX_SEGMENTS];
    uint64_t load_end;     /* highest vaddr+memsz, rounded up to a page */
    int has_interp;        /* PT_INTERP present (Solo5 binaries carry one) */

    enum wisp_mode mode;
    int has_wisp_abi;                 /* a wisp ABI note was seen */
    struct wisp_abi_note wisp_abi;    /* valid if mode == ISOLATED */
    struct abi1_info solo5_abi;       /* valid if a Solo5 ABI1 note exists */
    int has_solo5_abi;
    const struct mft *mft;  /* points into file; NULL if no MFT1 note */
    size_t mft_size;        /* bytes of *mft (n_descsz - 4) */
};

/*
 * elf_parse: validate the ELF header, program headers and notes of the
 * `size` bytes at `file`, and describe the image in *img.  `name` (the file
 * name) starts every error message.  Checks: 64-bit, little-endian, x86_64,
 * ET_EXEC (PIE refused), static (no PT_DYNAMIC), header and phdr table
 * inside the file, every PT_LOAD's file bytes inside the file, filesz <=
 * memsz, no arithmetic overflow, no segment below WISP_ELF_MIN_GPA, no two
 * segments sharing a page, no segment both writable and executable, every
 * segment of an isolated-mode image readable (x86 cannot map it otherwise;
 * a Solo5 image's text is execute-only by Solo5's convention), entry
 * point inside an executable segment, notes well formed.  The mode comes from
 * the notes (wisp note: isolated; Solo5 ABI1 note: compatibility); having neither
 * is an error.  An MFT1 note, if present, is validated with mft_validate().
 * Returns 0, or -1 with one line (no trailing newline) in err[ELF_ERR_MAX].
 * Never reads outside [file, file + size).
 */
int elf_parse(const char *name, const uint8_t *file, size_t size,
              struct elf_image *img, char *err);

/*
 * elf_check_fits: check that every segment of a parsed image lies below
 * `limit` (the first guest-physical address the image may not use, e.g. the
 * start of the stack guard area).  Returns 0, or -1 with a message in err.
 */
int elf_check_fits(const char *name, const struct elf_image *img,
                   uint64_t limit, char *err);

/*
 * mft_validate: check a manifest (`size` bytes at `m`, possibly unaligned
 * in the file: copied before use) as Solo5's mft_validate does: version 1,
 * 1 <= entries <= 64, size == 8 + 104 * entries, entry 0 reserved with an
 * empty name, every name NUL-terminated within 68 bytes and made of
 * [A-Za-z0-9], every type known, nothing attached, no two devices with the
 * same name.  Returns 0, or -1 with a message in err.
 */
int mft_validate(const char *name, const void *m, size_t size, char *err);

#endif /* WISP_ELF_H */
