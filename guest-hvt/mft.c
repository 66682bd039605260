/*
 * mft.c: device lookups in the manifest copy the tender placed in guest
 * memory (boot_info.mft: read-only, with attached and u.* filled in).  A
 * device's handle is its index in the manifest (1..63; 0 is reserved).
 */
#include "internal.h"

static const struct mft *mft(uint32_t *n)
{
    const struct mft *m = (const struct mft *)(uintptr_t)hg_bi->mft;

    *n = 0;
    if (m != NULL)
        *n = m->entries <= MFT_MAX_ENTRIES ? m->entries : MFT_MAX_ENTRIES;
    return m;
}

const struct mft_entry *hg_mft_by_name(const char *name, enum mft_type type,
                                       unsigned *index)
{
    uint32_t n;
    const struct mft *m = mft(&n);

    if (name == NULL)
        return NULL;
    size_t len = wg_strnlen(name, MFT_NAME_SIZE);
    if (len == 0 || len > MFT_NAME_MAX)
        return NULL;
    for (uint32_t i = 1; i < n; i++) {
        const struct mft_entry *e = &m->e[i];
        if (e->type == (uint32_t)type && memcmp(e->name, name, len + 1) == 0) {
            *index = i;
            return e;
        }
    }
    return NULL;
}

const struct mft_entry *hg_mft_by_handle(solo5_handle_t handle, enum mft_type type)
{
    uint32_t n;
    const struct mft *m = mft(&n);

    if (handle == 0 || handle >= n || m->e[handle].type != (uint32_t)type)
        return NULL;
    return &m->e[handle];
}
