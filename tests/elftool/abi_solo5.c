/* A Solo5 ABI1 note (hvt, ABI version 2), as Solo5's bindings emit it
 * (SOLO5_HVT_ABI.md 1.3): for query-abi tests. */
#include <stdint.h>
#include <wisp/mft_abi.h>

static const struct {
    uint32_t n_namesz, n_descsz, n_type;
    char name[8];
    struct abi1_info desc;
} abi1_note __attribute__((used, aligned(ABI1_NOTE_ALIGN), section(".note.solo5.abi"))) = {
    SOLO5_NOTE_NAMESZ, sizeof(struct abi1_info), ABI1_NOTE_TYPE, SOLO5_NOTE_NAME,
    { SOLO5_ABI_TARGET_HVT, SOLO5_HVT_ABI_VERSION, 0, 0 },
};
