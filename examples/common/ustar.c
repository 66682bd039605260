/*
 * ustar.c: find and read members of a ustar archive in place on a block
 * device (contract in ustar.h).  Every header is checked (magic, checksum,
 * octal fields, member inside the device) each time it is read, so a
 * cached index can never lead outside the device.
 */
#include <string.h>

#include "ustar.h"
#include "ustar_dev.h"

#define HDR 512u

/* One header, decoded. */
struct hdr_info {
    uint64_t hdr;     /* byte offset of the header */
    uint64_t data;    /* byte offset of the data */
    uint64_t size;    /* data bytes */
    uint64_t next;    /* byte offset of the next header */
    int regular;      /* typeflag '0' or NUL */
    char name[257];   /* prefix/name with leading "./" and "/" removed */
};

struct index_entry {
    uint32_t hash;       /* fnv1a of the name */
    uint32_t hdr_blocks; /* header offset / 512 */
};

struct device_index {
    int in_use;
    int overflow; /* more regular members than USTAR_INDEX_MAX: walk instead */
    solo5_handle_t handle;
    uint64_t capacity, block_size;
    uint32_t count;
    struct index_entry e[USTAR_INDEX_MAX];
};

static struct device_index indexes[USTAR_INDEX_DEVICES];
static uint8_t bounce[USTAR_BLOCK_MAX] __attribute__((aligned(64)));

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

/* geometry_ok: block size a power of two in 512..USTAR_BLOCK_MAX, capacity
 * a whole number of blocks. */
static int geometry_ok(const struct solo5_block_info *bi)
{
    uint64_t bs = bi->block_size;

    return bs >= 512 && bs <= USTAR_BLOCK_MAX && (bs & (bs - 1)) == 0 && bi->capacity % bs == 0;
}

/*
 * read_bytes: read LEN bytes at byte OFF of the device, any alignment;
 * OFF + LEN must not exceed the capacity (checked).  Whole aligned blocks
 * go straight into BUF, partial ones through the bounce buffer.
 * Returns 0 or -1.
 */
static int read_bytes(solo5_handle_t h, const struct solo5_block_info *bi, uint64_t off, void *buf,
                      size_t len)
{
    uint64_t bs = bi->block_size;
    uint8_t *out = buf;

    if (off > bi->capacity || len > bi->capacity - off)
        return -1;
    while (len > 0) {
        uint64_t blk = off & ~(bs - 1), in = off - blk;
        size_t n;

        if (in == 0 && len >= bs) {
            n = len & ~(size_t)(bs - 1);
            if (ustar_dev_read(h, bs, off, out, n))
                return -1;
        } else {
            n = bs - in < len ? (size_t)(bs - in) : len;
            if (ustar_dev_read(h, bs, blk, bounce, bs))
                return -1;
            memcpy(out, bounce + in, n);
        }
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* octal: parse a numeric header field (leading spaces, octal digits, then
 * NUL, space or the field's end).  Returns 0 or -1. */
static int octal(const uint8_t *f, size_t len, uint64_t *v)
{
    size_t i = 0;
    int digits = 0;

    *v = 0;
    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
        if (*v >> 61)
            return -1;
        *v = *v * 8 + (uint64_t)(f[i] - '0');
    }
    if (!digits)
        return -1;
    for (; i < len; i++)
        if (f[i] != '\0' && f[i] != ' ')
            return -1;
    return 0;
}

static int all_zero(const uint8_t *b)
{
    for (unsigned i = 0; i < HDR; i++)
        if (b[i])
            return 0;
    return 1;
}

/* strip: remove leading "./" and "/" from S in place. */
static void strip(char *s)
{
    size_t skip = 0;

    for (;;) {
        if (s[skip] == '/')
            skip++;
        else if (s[skip] == '.' && s[skip + 1] == '/')
            skip += 2;
        else
            break;
    }
    memmove(s, s + skip, strlen(s + skip) + 1);
}

/*
 * decode: check and decode the header block B found at byte POS of the
 * device.  Returns 0 with *hi filled, or -2 if malformed.
 */
static int decode(const uint8_t *b, uint64_t pos, const struct solo5_block_info *bi,
                  struct hdr_info *hi)
{
    uint64_t sum = 0, want, size, padded;
    size_t plen, nlen;
    uint8_t type = b[156];

    for (unsigned i = 0; i < HDR; i++)
        sum += (i >= 148 && i < 156) ? ' ' : b[i];
    if (octal(b + 148, 8, &want) || want != sum)
        return -2;
    if (memcmp(b + 257, "ustar", 5) || (b[262] != '\0' && b[262] != ' '))
        return -2;
    if (octal(b + 124, 12, &size))
        return -2;
    /* Links, devices, directories and FIFOs have no data blocks. */
    if (type >= '1' && type <= '6')
        size = 0;
    padded = (size + HDR - 1) / HDR * HDR;
    if (size > bi->capacity || pos + HDR > bi->capacity || padded > bi->capacity - pos - HDR)
        return -2;
    hi->hdr = pos;
    hi->data = pos + HDR;
    hi->size = size;
    hi->next = pos + HDR + padded;
    hi->regular = type == '0' || type == '\0';
    plen = strnlen((const char *)b + 345, 155);
    nlen = strnlen((const char *)b, 100);
    memcpy(hi->name, b + 345, plen);
    if (plen)
        hi->name[plen++] = '/';
    memcpy(hi->name + plen, b, nlen);
    hi->name[plen + nlen] = '\0';
    strip(hi->name);
    return 0;
}

/* read_header: read and decode the header at POS.  Returns 0, 1 at the end
 * of the archive (zero block or end of device), -2 malformed or I/O. */
static int read_header(solo5_handle_t h, const struct solo5_block_info *bi, uint64_t pos,
                       struct hdr_info *hi)
{
    uint8_t b[HDR];

    if (pos + HDR > bi->capacity)
        return 1;
    if (read_bytes(h, bi, pos, b, HDR))
        return -2;
    if (all_zero(b))
        return 1;
    return decode(b, pos, bi, hi);
}

/*
 * walk: call FN on every regular member in archive order; FN returns 0 to
 * go on or non-zero to stop.  Returns 0 at the end, -2 if malformed.
 */
static int walk(solo5_handle_t h, const struct solo5_block_info *bi,
                int (*fn)(const struct hdr_info *, void *), void *ctx)
{
    struct hdr_info hi;
    uint64_t pos = 0;
    int r;

    while ((r = read_header(h, bi, pos, &hi)) == 0) {
        if (hi.regular && hi.name[0] && fn(&hi, ctx))
            return 0;
        pos = hi.next;
    }
    return r == 1 ? 0 : r;
}

struct find_ctx {
    const char *name;
    struct ustar_member *out;
    int found;
};

static int find_fn(const struct hdr_info *hi, void *ctx)
{
    struct find_ctx *f = ctx;

    if (strcmp(hi->name, f->name) == 0) {
        f->found = 1; /* keep going: a later member of that name wins */
        strcpy(f->out->name, hi->name); /* fits: equal to a name shorter than 256 */
        f->out->offset = hi->data;
        f->out->size = hi->size;
    }
    return 0;
}

static int index_fn(const struct hdr_info *hi, void *ctx)
{
    struct device_index *d = ctx;

    if (d->count == USTAR_INDEX_MAX) {
        d->overflow = 1;
        return 1;
    }
    d->e[d->count].hash = fnv1a(hi->name);
    d->e[d->count].hdr_blocks = (uint32_t)(hi->hdr / HDR);
    d->count++;
    return 0;
}

/* index_for: the index of device H, built on first use.  NULL if every
 * slot is taken, the archive has too many members or is too large for
 * 32-bit header positions; *err = -2 if the archive is malformed. */
static struct device_index *index_for(solo5_handle_t h, const struct solo5_block_info *bi,
                                      int *err)
{
    struct device_index *d = NULL;

    *err = 0;
    for (unsigned i = 0; i < USTAR_INDEX_DEVICES; i++) {
        struct device_index *c = &indexes[i];

        if (c->in_use && c->handle == h && c->capacity == bi->capacity &&
            c->block_size == bi->block_size)
            return c->overflow ? NULL : c;
        if (!c->in_use && !d)
            d = c;
    }
    if (!d || bi->capacity / HDR > UINT32_MAX)
        return NULL;
    d->count = 0;
    d->overflow = 0;
    if ((*err = walk(h, bi, index_fn, d)) != 0)
        return NULL;
    d->in_use = 1;
    d->handle = h;
    d->capacity = bi->capacity;
    d->block_size = bi->block_size;
    return d->overflow ? NULL : d;
}

int ustar_find(solo5_handle_t h, const struct solo5_block_info *bi, const char *name,
               struct ustar_member *out)
{
    struct find_ctx f = {name, out, 0};
    struct device_index *d;
    uint32_t hash;
    int err;

    if (!geometry_ok(bi))
        return -2;
    if (!name[0] || strnlen(name, sizeof out->name) == sizeof out->name)
        return -1;
    d = index_for(h, bi, &err);
    if (err)
        return err;
    if (!d) {
        if ((err = walk(h, bi, find_fn, &f)) != 0)
            return err;
        return f.found ? 0 : -1;
    }
    hash = fnv1a(name);
    for (uint32_t i = d->count; i-- > 0;) {
        struct hdr_info hi;

        if (d->e[i].hash != hash)
            continue;
        if (read_header(h, bi, (uint64_t)d->e[i].hdr_blocks * HDR, &hi) != 0 || !hi.regular)
            return -2; /* the device changed under the index */
        if (strcmp(hi.name, name) == 0) {
            find_fn(&hi, &f);
            return 0;
        }
    }
    return -1;
}

long ustar_read(solo5_handle_t h, const struct solo5_block_info *bi, const struct ustar_member *m,
                uint64_t off, void *buf, size_t len)
{
    if (!geometry_ok(bi) || m->offset > bi->capacity || m->size > bi->capacity - m->offset)
        return -1;
    if (off >= m->size)
        return 0;
    if (len > m->size - off)
        len = (size_t)(m->size - off);
    if (len > (size_t)INT32_MAX)
        len = (size_t)INT32_MAX;
    if (read_bytes(h, bi, m->offset + off, buf, len))
        return -1;
    return (long)len;
}

void ustar_forget(void)
{
    for (unsigned i = 0; i < USTAR_INDEX_DEVICES; i++)
        indexes[i].in_use = 0;
}
