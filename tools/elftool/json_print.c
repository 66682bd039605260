/*
 * wisp-elftool: JSON output in exactly solo5-elftool's format (SOLO5_HVT_ABI.md
 * section 3), so scripts written against solo5-elftool read ours unchanged.
 */
#include <string.h>

#include "elftool.h"

void print_manifest_json(FILE *f, const void *m, size_t size)
{
    struct mft hdr;
    struct mft_entry e;
    uint32_t i;

    memcpy(&hdr, m, sizeof(hdr));
    fputs("{\n"
          "  \"type\": \"solo5.manifest\",\n", f);
    fprintf(f, "  \"version\": %u,\n", hdr.version);
    fputs("  \"devices\": [\n", f);
    for (i = 1; i < hdr.entries && MFT_SIZE((size_t)i + 1) <= size; i++) {
        const char *t;
        memcpy(&e, (const uint8_t *)m + MFT_SIZE(i), sizeof(e));
        e.name[MFT_NAME_SIZE - 1] = 0;
        t = mft_type_name(e.type);
        fprintf(f, "    { \"name\": \"%s\", \"type\": \"%s\" }%s\n", e.name,
                t ? t : "UNKNOWN", i + 1 < hdr.entries ? "," : "");
    }
    fputs("  ]\n"
          "}\n", f);
}

void print_abi_json(FILE *f, const char *type, const char *target,
                    uint32_t version)
{
    fprintf(f, "{\n"
               "  \"type\": \"%s\",\n"
               "  \"target\": \"%s\",\n"
               "  \"version\": %u\n"
               "}\n", type, target, version);
}
