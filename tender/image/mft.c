/*
 * Manifest (Solo5 MFT1 format) validation, shared by the tender and
 * wisp-elftool.  Solo5's checks (SOLO5_HVT_ABI.md section 3 "Validation")
 * plus wisp's: device names non-empty and [A-Za-z0-9], device types known,
 * names unique.  The manifest may be unaligned in the file: the header and
 * each entry are copied out before use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "image/elf.h"

/* bad: format "NAME: invalid manifest: <reason>" into err; returns -1. */
static int bad(char *err, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(char *err, const char *name, const char *fmt, ...)
{
    int n = snprintf(err, ELF_ERR_MAX, "%s: invalid manifest: ", name);
    va_list ap;

    if (n < 0 || n >= ELF_ERR_MAX)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err + n, ELF_ERR_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* name_ok: e->name is NUL-terminated (checked before) and [A-Za-z0-9]+. */
static int name_ok(const struct mft_entry *e)
{
    if (e->name[0] == '\0')
        return 0;
    for (const char *c = e->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return 0;
    return 1;
}

/* get_entry: copy entry i of the manifest at m (inside: size checked). */
static void get_entry(const void *m, uint32_t i, struct mft_entry *e)
{
    memcpy(e, (const uint8_t *)m + MFT_SIZE(i), sizeof(*e));
}

/* check_entry: entry i (1..) on its own, and against entries 1..i-1. */
static int check_entry(const char *name, const void *m, uint32_t i, const struct mft_entry *e,
                       char *err)
{
    struct mft_entry o;

    if (!name_ok(e))
        return bad(err, name, "entry %u: device name is not 1 to %d letters and digits", i,
                   MFT_NAME_MAX);
    if (e->type != MFT_DEV_BLOCK_BASIC && e->type != MFT_DEV_NET_BASIC)
        return bad(err, name, "entry %u (%s): unknown device type %u", i, e->name, e->type);
    for (uint32_t j = 1; j < i; j++) {
        get_entry(m, j, &o);
        if (strcmp(o.name, e->name) == 0)
            return bad(err, name, "entries %u and %u: duplicate device name \"%s\"", j, i,
                       e->name);
    }
    return 0;
}

int mft_validate(const char *name, const void *m, size_t size, char *err)
{
    struct mft hdr;
    struct mft_entry e;

    if (size < sizeof(hdr))
        return bad(err, name, "%zu bytes, shorter than its %zu-byte header", size, sizeof(hdr));
    memcpy(&hdr, m, sizeof(hdr));
    if (hdr.version != MFT_VERSION)
        return bad(err, name, "version %u, expected %d", hdr.version, MFT_VERSION);
    if (hdr.entries < 1 || hdr.entries > MFT_MAX_ENTRIES)
        return bad(err, name, "%u entries, expected 1 to %d", hdr.entries, MFT_MAX_ENTRIES);
    if (size != MFT_SIZE(hdr.entries))
        return bad(err, name, "%zu bytes, expected %zu for %u entries", size,
                   MFT_SIZE(hdr.entries), hdr.entries);
    for (uint32_t i = 0; i < hdr.entries; i++) {
        get_entry(m, i, &e);
        if (e.name[MFT_NAME_SIZE - 1] != '\0')
            return bad(err, name, "entry %u: name is not NUL-terminated within %d bytes", i,
                       MFT_NAME_SIZE);
        if (e.attached)
            return bad(err, name, "entry %u: marked attached in the file", i);
        if (i == 0) {
            if (e.type != MFT_RESERVED_FIRST || e.name[0] != '\0')
                return bad(err, name, "entry 0 is not the reserved entry (type 0x%x, empty name)",
                           MFT_RESERVED_FIRST);
        } else if (check_entry(name, m, i, &e, err) < 0) {
            return -1;
        }
    }
    return 0;
}
