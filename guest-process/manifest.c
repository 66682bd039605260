/*
 * manifest.c: the process target's manifest is its own MFT1 note, which
 * wisp.ld marks with the symbol _wisp_mft_note.  The device table wp_dev
 * is indexed by handle, as the manifest is.
 */
#include "internal.h"

const struct mft *wp_mft;
struct wp_device wp_dev[MFT_MAX_ENTRIES];

/* The note layout: header, "Solo5\0" padded to 8, 4 bytes of padding, mft. */
struct mft1_note {
    uint32_t n_namesz, n_descsz, n_type;
    char name[8];
    uint32_t pad;
    struct mft m;
};

/* wisp.ld puts this symbol at the start of the MFT1 note. */
extern const struct mft1_note _wisp_mft_note;

void wp_manifest_load(void)
{
    const struct mft1_note *n = &_wisp_mft_note;

    if (n->n_type != MFT1_NOTE_TYPE || n->n_namesz != SOLO5_NOTE_NAMESZ ||
        memcmp(n->name, SOLO5_NOTE_NAME, SOLO5_NOTE_NAMESZ) != 0 ||
        n->m.version != MFT_VERSION || n->m.entries < 1 || n->m.entries > MFT_MAX_ENTRIES)
        wp_fail("this program's manifest note is missing or malformed (build it with "
                "wisp-cc --target=process)");
    wp_mft = &n->m;
}

solo5_handle_t wp_device_lookup(const char *name, enum mft_type type)
{
    size_t len;

    if (name == NULL)
        return 0;
    len = wp_strlen(name);
    if (len == 0 || len > MFT_NAME_MAX)
        return 0;
    for (uint32_t i = 1; i < wp_mft->entries; i++)
        if (wp_mft->e[i].type == (uint32_t)type && wp_strcmp(wp_mft->e[i].name, name) == 0)
            return i;
    return 0;
}

struct wp_device *wp_device_get(solo5_handle_t h, enum mft_type type)
{
    if (h == 0 || h >= wp_mft->entries || wp_mft->e[h].type != (uint32_t)type ||
        wp_dev[h].attach_arg == NULL)
        return NULL;
    return &wp_dev[h];
}
