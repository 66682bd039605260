/*
 * notes.c: what makes the image a Solo5 hvt binary besides its layout:
 * the ABI1 note {target hvt, version 2} (SOLO5_HVT_ABI.md 1.3; the
 * manifest note comes from wisp-elftool gen-manifest), and the PT_INTERP
 * string.  No such interpreter exists, so executing a unikernel on the
 * host fails in execve (status 127 from a shell) instead of running it.
 * hvt.ld places .interp first, so .text starts at 0x100020 as in Solo5.
 * Solo5's third note, .note.solo5.not_openbsd, is omitted: it only matters
 * to OpenBSD's execve, and neither tender reads it.
 */
#include "internal.h"

struct abi1_note_elf {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
    char name[(SOLO5_NOTE_NAMESZ + 3) & ~3]; /* "Solo5\0", padded to 8 */
    struct abi1_info desc;                   /* at offset 20: ABI1_NOTE_ALIGN 4 */
};
_Static_assert(sizeof(struct abi1_note_elf) == 20 + 16, "ABI1 note size");
_Static_assert(__builtin_offsetof(struct abi1_note_elf, desc) == 20, "ABI1 descriptor offset");

static const struct abi1_note_elf abi1_note
    __attribute__((section(".note.solo5.abi"), aligned(ABI1_NOTE_ALIGN), used)) = {
        .n_namesz = SOLO5_NOTE_NAMESZ,
        .n_descsz = sizeof(struct abi1_info),
        .n_type = ABI1_NOTE_TYPE,
        .name = SOLO5_NOTE_NAME,
        .desc = {
            .abi_target = SOLO5_ABI_TARGET_HVT,
            .abi_version = SOLO5_HVT_ABI_VERSION,
            .reserved0 = 0,
            .reserved1 = 0,
        },
    };

static const char interp[] __attribute__((section(".interp"), used, aligned(1))) =
    "/nonexistent/solo5/";
