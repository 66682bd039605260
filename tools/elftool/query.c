/*
 * wisp-elftool query-manifest / query-abi BINARY: read a unikernel (bounded
 * size), validate it with the tender's own elf_parse(), and print its
 * manifest or ABI note as JSON in solo5-elftool's format.
 */
#include <stdlib.h>

#include "image/elf.h"
#include "elftool.h"

/*
 * load_image: read `path` and parse it into *img; *buf receives the file
 * (img points into it; the caller frees it).  Prints errors.  Returns 0/-1.
 */
static int load_image(const char *path, struct elf_image *img, uint8_t **buf)
{
    char err[ELF_ERR_MAX];
    size_t size;

    if (read_file_bounded(path, ELF_MAX_FILE, buf, &size) < 0)
        return -1;
    err[0] = 0;
    if (elf_parse(path, *buf, size, img, err) < 0) {
        elftool_err("%s", err[0] ? err : "invalid ELF file");
        free(*buf);
        *buf = NULL;
        return -1;
    }
    return 0;
}

int cmd_query_manifest(const char *binary)
{
    static struct elf_image img;
    uint8_t *buf;

    if (load_image(binary, &img, &buf) < 0)
        return 1;
    if (img.mft == NULL) {
        elftool_err("%s: No Solo5 manifest found in executable", binary);
        free(buf);
        return 1;
    }
    print_manifest_json(stdout, img.mft, img.mft_size);
    free(buf);
    return flush_stdout() == 0 ? 0 : 1;
}

/* solo5_target_name: solo5-elftool's names for ABI1 targets. */
static const char *solo5_target_name(uint32_t target)
{
    switch (target) {
    case SOLO5_ABI_TARGET_HVT:
        return "hvt";
    case SOLO5_ABI_TARGET_SPT:
        return "spt";
    case SOLO5_ABI_TARGET_VIRTIO:
        return "virtio";
    case SOLO5_ABI_TARGET_MUEN:
        return "muen";
    case SOLO5_ABI_TARGET_GENODE:
        return "genode";
    case SOLO5_ABI_TARGET_XEN:
        return "xen";
    default:
        return "unknown";
    }
}

int cmd_query_abi(const char *binary)
{
    static struct elf_image img;
    uint8_t *buf;

    if (load_image(binary, &img, &buf) < 0)
        return 1;
    if (img.mode == WISP_MODE_ISOLATED) {
        print_abi_json(stdout, "wisp.abi", "isolated", img.wisp_abi.abi_version);
    } else if (img.has_solo5_abi) {
        print_abi_json(stdout, "solo5.abi",
                       solo5_target_name(img.solo5_abi.abi_target),
                       img.solo5_abi.abi_version);
    } else {
        elftool_err("%s: No Solo5 or wisp ABI information found", binary);
        free(buf);
        return 1;
    }
    free(buf);
    return flush_stdout() == 0 ? 0 : 1;
}
