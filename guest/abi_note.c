/*
 * abi_note.c: the ELF note that marks a binary as an isolated-mode wisp
 * unikernel and names the ABI version it was built for (include/wisp/abi.h).
 * The tender picks the guest mode from it before it opens /dev/kvm.
 * wisp.ld keeps the section and covers it with its own PT_NOTE.
 */
#include "internal.h"

struct wisp_abi_note_elf {
    uint32_t n_namesz;
    uint32_t n_descsz;
    uint32_t n_type;
    char name[(WISP_NOTE_NAMESZ + 3) & ~3]; /* "wisp\0", padded to 4 */
    struct wisp_abi_note desc;
};
_Static_assert(sizeof(struct wisp_abi_note_elf) == 12 + 8 + 16, "wisp ABI note size");

static const struct wisp_abi_note_elf wisp_abi_note
    __attribute__((section(".note.wisp.abi"), aligned(4), used)) = {
        .n_namesz = WISP_NOTE_NAMESZ,
        .n_descsz = sizeof(struct wisp_abi_note),
        .n_type = WISP_NOTE_TYPE_ABI,
        .name = WISP_NOTE_NAME,
        .desc = {
            .abi_version = WISP_ABI_VERSION,
            .flags = 0,
            .stack_size = 0, /* the tender's default, WISP_STACK_DEFAULT */
            .reserved = 0,
        },
    };
