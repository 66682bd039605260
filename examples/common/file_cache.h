/*
 * file_cache.h: the web servers' memory of the archive.  Every name looked
 * up is remembered with its outcome (found or not, where the data lies),
 * and the data of small files is kept in memory, so a popular page costs
 * no block-device I/O after its first request (a block read is a VM exit,
 * tens of microseconds).  Nothing is ever evicted: the cache stops growing
 * at FILE_CACHE_NAMES names or FILE_CACHE_BYTES bytes of data, and later
 * names are simply looked up each time.  The archive must not change while
 * it is served (attach it with --block-ro).
 */
#ifndef WISP_EXAMPLES_FILE_CACHE_H
#define WISP_EXAMPLES_FILE_CACHE_H

#include <stdint.h>

#include "ustar.h"

#define FILE_CACHE_NAMES 4096            /* table slots; filled to 3/4 at most */
#define FILE_CACHE_FILE_MAX (64 * 1024)  /* larger files are streamed from the device */
#define FILE_CACHE_BYTES (16 * 1024 * 1024)

/*
 * file_cache_get: ustar_find (same results: 0, -1, -2) through the cache.
 * On 0, *m describes the member and *data points at its bytes in memory,
 * valid for the life of the program, or is NULL if they must be read from
 * the device (ustar_read).  Outcomes -2 (malformed archive, I/O error) are
 * never remembered.
 */
int file_cache_get(solo5_handle_t h, const struct solo5_block_info *bi, const char *name,
                   struct ustar_member *m, const uint8_t **data);

/* file_cache_forget: free everything remembered.  For host tests and
 * fuzzers that change the archive under the cache; a service never needs it. */
void file_cache_forget(void);

#endif
