/*
 * wisp-elftool: JSON output in exactly solo5-elftool's format (SOLO5_HVT_ABI.md
 * section 3), so scripts written against solo5-elftool read ours unchanged.
 */
#include <string.h>

#include "elftool.h"

/* put_json_string: s as a JSON string.  Validated names are [A-Za-z0-9]
 * only; escaping anyway keeps the output valid whatever the parser let in. */
static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

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
        fputs("    { \"name\": ", f);
        put_json_string(f, e.name);
        fprintf(f, ", \"type\": \"%s\" }%s\n", t ? t : "UNKNOWN",
                i + 1 < hdr.entries ? "," : "");
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
