/*
 * Choosing the guest mode of an image (core/mode.h).
 */
#include "core/mode.h"
#include "image/elf.h"

const struct mode_ops *mode_for_image(const struct elf_image *img)
{
    /* The mode elf_parse chose; for a refused image, the one it would
     * have chosen from the notes seen (the wisp note wins). */
    if (img->mode == WISP_MODE_ISOLATED || img->has_wisp_abi)
        return &mode_isolated;
    if (img->mode == WISP_MODE_SOLO5_HVT || img->has_solo5_abi)
        return &mode_hvt;
    return &mode_isolated;
}
