/*
 * ustar.h: read a ustar archive (tar --format=ustar) in place on a block
 * device, never unpacked.  Shared by the example services (httpd, https,
 * dnsd).
 *
 * The archive is a sequence of 512-byte headers, each followed by its
 * member's data padded to 512 bytes, ended by a zero block (or the end of
 * the device).  Every header must carry the "ustar" magic and a correct
 * checksum, and every member must lie inside the device; otherwise the
 * whole archive is malformed.  Only regular files (typeflag '0' or NUL) can
 * be found; other members (directories, links, pax headers, ...) are
 * skipped.  A name is the header's prefix field, '/', and its name field;
 * leading "./" and "/" are ignored.  When a name occurs twice, the later
 * member wins, as tar extracts it.
 *
 * The first ustar_find on a device walks the archive once and keeps an
 * index (name hashes and header positions, at most USTAR_INDEX_MAX
 * members, for up to USTAR_INDEX_DEVICES devices); later lookups read one
 * header.  An archive with more members is searched by walking it on every
 * lookup.  Block reads go through ustar_dev_read (ustar_dev.h), so the
 * reader runs over memory in host tests and fuzzers.
 */
#ifndef WISP_EXAMPLES_USTAR_H
#define WISP_EXAMPLES_USTAR_H

#include <stddef.h>
#include <stdint.h>

#include <solo5.h>

#define USTAR_INDEX_MAX 4096
#define USTAR_INDEX_DEVICES 4
#define USTAR_BLOCK_MAX 32768 /* largest device block size supported */

struct ustar_member {
    char name[256];  /* the member's name as looked up, NUL-terminated */
    uint64_t offset; /* byte offset of the data on the device */
    uint64_t size;   /* bytes of data */
};

/*
 * ustar_find: look up NAME (no leading "./" or "/"; "./" prefixes in the
 * archive are ignored) on block device H.  Returns 0 and fills *out if
 * found, -1 if not found, -2 for a malformed archive or an I/O error.
 */
int ustar_find(solo5_handle_t h, const struct solo5_block_info *bi, const char *name,
               struct ustar_member *out);

/*
 * ustar_read: copy LEN bytes at OFF within member M into BUF (bounded by
 * the member's size); returns the bytes read (0 at or past the end) or -1
 * on I/O error.
 */
long ustar_read(solo5_handle_t h, const struct solo5_block_info *bi, const struct ustar_member *m,
                uint64_t off, void *buf, size_t len);

/*
 * ustar_forget: drop every cached index, so the next lookup walks the
 * archive again.  For host tests and fuzzers that put different archives
 * behind the same handle; a service never needs it.
 */
void ustar_forget(void);

#endif
