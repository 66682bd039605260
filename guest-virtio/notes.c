/*
 * notes.c: Solo5's ABI1 note with target virtio (3), as Solo5's own virtio
 * binaries carry: tools that read notes (wisp-elftool query-abi, solo5-elftool)
 * see what the image is, and the wisp tender, which boots hvt and wisp
 * targets only, refuses it.  The manifest note comes from wisp-elftool
 * gen-manifest; the PVH note is in boot.S.
 */
#include "internal.h"

struct abi1_note_elf {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
    char name[(SOLO5_NOTE_NAMESZ + 3) & ~3];
    struct abi1_info desc;
};
_Static_assert(sizeof(struct abi1_note_elf) == 20 + 16, "ABI1 note size");

static const struct abi1_note_elf abi1_note
    __attribute__((section(".note.solo5.abi"), aligned(ABI1_NOTE_ALIGN), used)) = {
        .n_namesz = SOLO5_NOTE_NAMESZ,
        .n_descsz = sizeof(struct abi1_info),
        .n_type = ABI1_NOTE_TYPE,
        .name = SOLO5_NOTE_NAME,
        .desc = {
            .abi_target = SOLO5_ABI_TARGET_VIRTIO,
            .abi_version = 1,
            .reserved0 = 0,
            .reserved1 = 0,
        },
    };
