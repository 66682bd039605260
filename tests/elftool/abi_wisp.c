/* A wisp isolated-mode ABI note (include/wisp/abi.h): for query-abi tests. */
#include <stdint.h>
#include <wisp/abi.h>

static const struct {
    uint32_t n_namesz, n_descsz, n_type;
    char name[8];
    struct wisp_abi_note desc;
} wisp_note __attribute__((used, aligned(4), section(".note.wisp.abi"))) = {
    WISP_NOTE_NAMESZ, sizeof(struct wisp_abi_note), WISP_NOTE_TYPE_ABI, WISP_NOTE_NAME,
    { WISP_ABI_VERSION, 0, 0, 0 },
};
