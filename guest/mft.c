/*
 * mft.c: look devices up in the manifest copy the tender placed in guest
 * memory (bi->mft, read-only to the guest; attached and u.* filled in by the
 * tender).  A device's handle is its index in the manifest.
 */
#include "internal.h"

const struct mft_entry *wg_mft_lookup(const char *name, enum mft_type type,
                                      unsigned *index)
{
    const struct mft *m = (const struct mft *)(uintptr_t)wg_bi->mft;

    if (m == NULL || name == NULL)
        return NULL;
    size_t len = wg_strnlen(name, MFT_NAME_SIZE);
    if (len == 0 || len > MFT_NAME_MAX)
        return NULL;

    uint32_t n = m->entries <= MFT_MAX_ENTRIES ? m->entries : MFT_MAX_ENTRIES;
    /* Entry 0 is reserved; devices start at 1. */
    for (uint32_t i = 1; i < n; i++) {
        const struct mft_entry *e = &m->e[i];
        if (e->type == (uint32_t)type && memcmp(e->name, name, len + 1) == 0) {
            *index = i;
            return e;
        }
    }
    return NULL;
}
