/*
 * ELF note parsing for unikernel images: the wisp ABI note (isolated mode),
 * Solo5's ABI1 note and the MFT1 manifest note (SOLO5_HVT_ABI.md 1.3, 3).
 * Unlike Solo5, which looks only at the first note of each PT_NOTE, every
 * note of every PT_NOTE is examined, so the notes may share a segment.
 */
#include <string.h>

#include "image/elf.h"
#include "image/elf_priv.h"

#define NOTE_PAD(x) (((uint64_t)(x) + 3) & ~(uint64_t)3)

/* One note, located and bounds-checked by walk(). */
struct note {
    struct elf64_nhdr h;
    const uint8_t *name; /* n_namesz bytes */
    const uint8_t *desc; /* n_descsz bytes */
};

/* owner_is: the note's owner is exactly `owner` (with its NUL). */
static int owner_is(const struct note *n, const char *owner)
{
    size_t len = strlen(owner) + 1;

    return n->h.n_namesz == len && memcmp(n->name, owner, len) == 0;
}

/* take_wisp: the wisp ABI note: 16-byte descriptor, at most one. */
static int take_wisp(const char *name, const struct note *n, unsigned idx,
                     struct elf_image *img, int *has_wisp, char *err)
{
    if (*has_wisp)
        return elf_fail(err, "%s: duplicate wisp ABI note (segment %u)", name, idx);
    if (n->h.n_descsz != sizeof(struct wisp_abi_note))
        return elf_fail(err, "%s: wisp ABI note has %u descriptor bytes, expected %zu",
                        name, n->h.n_descsz, sizeof(struct wisp_abi_note));
    memcpy(&img->wisp_abi, n->desc, sizeof(img->wisp_abi));
    *has_wisp = 1;
    return 0;
}

/* take_abi1: Solo5's ABI1 note: 16..ABI1_NOTE_MAX_SIZE bytes, at most one.
 * Target and version are recorded, not checked (compat mode does that). */
static int take_abi1(const char *name, const struct note *n, unsigned idx,
                     struct elf_image *img, char *err)
{
    if (img->has_solo5_abi)
        return elf_fail(err, "%s: duplicate Solo5 ABI1 note (segment %u)", name, idx);
    if (n->h.n_descsz < sizeof(struct abi1_info) || n->h.n_descsz > ABI1_NOTE_MAX_SIZE)
        return elf_fail(err, "%s: Solo5 ABI1 note has %u descriptor bytes, expected %zu to %u",
                        name, n->h.n_descsz, sizeof(struct abi1_info), ABI1_NOTE_MAX_SIZE);
    memcpy(&img->solo5_abi, n->desc, sizeof(img->solo5_abi));
    img->has_solo5_abi = 1;
    return 0;
}

/* take_mft1: Solo5's MFT1 note: 4 padding bytes (counted in n_descsz, so
 * the manifest starts at note offset 24), then a valid struct mft. */
static int take_mft1(const char *name, const struct note *n, unsigned idx,
                     struct elf_image *img, char *err)
{
    const uint32_t pad = MFT1_NOTE_DESCSZ(0) - MFT_SIZE(0);

    if (img->mft)
        return elf_fail(err, "%s: duplicate Solo5 manifest (MFT1) note (segment %u)", name, idx);
    if (n->h.n_descsz < pad)
        return elf_fail(err, "%s: INV_EXE: phdr[%u] note does not fall within valid size "
                        "(%u < %u): invalid manifest: note descriptor of %u bytes, shorter "
                        "than its %u padding bytes", name, idx, n->h.n_descsz, pad,
                        n->h.n_descsz, pad);
    if (mft_validate(name, n->desc + pad, n->h.n_descsz - pad, err) < 0)
        return -1;
    img->mft = (const struct mft *)(n->desc + pad);
    img->mft_size = n->h.n_descsz - pad;
    return 0;
}

/* take: dispatch one note by owner and type; unknown notes are skipped. */
static int take(const char *name, const struct note *n, unsigned idx,
                struct elf_image *img, int *has_wisp, char *err)
{
    if (owner_is(n, WISP_NOTE_NAME) && n->h.n_type == WISP_NOTE_TYPE_ABI)
        return take_wisp(name, n, idx, img, has_wisp, err);
    if (owner_is(n, SOLO5_NOTE_NAME) && n->h.n_type == ABI1_NOTE_TYPE)
        return take_abi1(name, n, idx, img, err);
    if (owner_is(n, SOLO5_NOTE_NAME) && n->h.n_type == MFT1_NOTE_TYPE)
        return take_mft1(name, n, idx, img, err);
    return 0;
}

/* all_zero: the n bytes at p are 0 (alignment padding after the last note). */
static int all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int elf_parse_notes(const char *name, const struct elf64_phdr *ph, unsigned idx,
                    struct elf_image *img, int *has_wisp, char *err)
{
    const uint8_t *p;
    uint64_t left;
    struct note n;

    if (!elf_range_in_file(ph->p_offset, ph->p_filesz, img->file_size))
        return elf_fail(err, "%s: file is truncated: note segment %u lies outside the file", name,
                        idx);
    p = img->file + ph->p_offset;
    left = ph->p_filesz;
    while (left > 0) {
        uint64_t namelen, desclen;

        if (left < sizeof(n.h)) {
            if (all_zero(p, left))
                break;
            return elf_fail(err, "%s: malformed note in segment %u: note does not fall "
                            "within valid size", name, idx);
        }
        memcpy(&n.h, p, sizeof(n.h));
        namelen = NOTE_PAD(n.h.n_namesz);
        desclen = NOTE_PAD(n.h.n_descsz);
        /* each term < 2^33: the sum cannot overflow */
        if (sizeof(n.h) + namelen + desclen > left)
            return elf_fail(err, "%s: malformed note in segment %u: note does not fall "
                            "within valid size", name, idx);
        n.name = p + sizeof(n.h);
        n.desc = n.name + namelen;
        if (take(name, &n, idx, img, has_wisp, err) < 0)
            return -1;
        p += sizeof(n.h) + namelen + desclen;
        left -= sizeof(n.h) + namelen + desclen;
    }
    return 0;
}
