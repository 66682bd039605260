/*
 * ustar_dev.h: the one block-read primitive the ustar reader uses.  The
 * guest implementation (ustar_dev_solo5.c) calls solo5_block_read; host
 * tests and fuzzers link their own over a memory buffer.
 */
#ifndef WISP_EXAMPLES_USTAR_DEV_H
#define WISP_EXAMPLES_USTAR_DEV_H

#include <stddef.h>
#include <stdint.h>

#include <solo5.h>

/*
 * ustar_dev_read: read LEN bytes at byte OFF of device H into BUF.  OFF and
 * LEN are multiples of BLOCK_SIZE, LEN is non-zero and the range lies
 * inside the device (the caller checks).  Returns 0, or -1 on error.
 */
int ustar_dev_read(solo5_handle_t h, uint64_t block_size, uint64_t off, void *buf, size_t len);

#endif
