/*
 * wisp.h: wisp-specific extensions to the guest API of <solo5.h>.  A
 * unikernel that uses only <solo5.h> stays buildable for Solo5; one that
 * includes this header is wisp-only.
 */
#ifndef WISP_H
#define WISP_H

#include <wisp/abi.h>

#include "solo5.h"

/*
 * wisp_boot_info: the boot information the tender placed at
 * WISP_BOOT_INFO_GPA (read-only to the guest: writing to it faults).  Valid
 * for the whole run, from solo5_app_main on.
 */
const struct wisp_boot_info *wisp_boot_info(void);

/*
 * wisp_block_flush: make every write to block device (handle) that has
 * completed so far durable on the host (fdatasync of the image).  Returns
 * SOLO5_R_OK, SOLO5_R_EINVAL for a bad handle or a read-only attachment,
 * SOLO5_R_EUNSPEC if the host reports an I/O error.
 */
solo5_result_t wisp_block_flush(solo5_handle_t handle);

/* ---- Network: batched frame I/O (net module) --------------------------- */
/*
 * wisp_net_write_batch / wisp_net_read_batch: move up to (count) frames on
 * network device (handle) in ONE VM exit, where solo5_net_write/read move
 * one.  (bufs) is an array of (count) struct wisp_net_buf (include/wisp/
 * abi.h), 1 <= count <= WISP_NET_IO_MAX, with bufs[i].data the address of a
 * frame buffer ((uint64_t)(uintptr_t)ptr) and bufs[i].len its size: the
 * frame's length for a write, the buffer's size for a read.  Everything MUST
 * be in ordinary guest memory (static, heap or stack).
 *
 * On return *done is how many entries were processed, each with its own
 * result in bufs[i].ret (and for a read, the frame's length in bufs[i].len):
 *   write: bufs[0 .. done) were sent; if done < count, bufs[done].ret says
 *          why the batch stopped (SOLO5_R_EINVAL: frame shorter than 14 or
 *          longer than mtu + SOLO5_NET_HLEN; SOLO5_R_AGAIN: host queue full;
 *          SOLO5_R_EUNSPEC: host error).
 *   read:  bufs[0 .. done) each hold a frame (ret SOLO5_R_OK) or report one
 *          too large for its buffer (ret SOLO5_R_EINVAL, len = its real size;
 *          the frame is dropped, never silently truncated); the batch stops
 *          early when no more frames are pending.
 * Returns SOLO5_R_OK if done > 0; otherwise SOLO5_R_AGAIN (read: nothing
 * pending), SOLO5_R_EINVAL (bad handle or count, or bufs[0]'s reason) or
 * SOLO5_R_EUNSPEC.
 */
solo5_result_t wisp_net_write_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                    unsigned count, unsigned *done);
solo5_result_t wisp_net_read_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                   unsigned count, unsigned *done);
/* ---- end of network block --------------------------------------------- */

/* ---- Input stream (input module; isolated mode) -------------------------- */
/*
 * wisp_input_read: read up to (size) bytes of the guest's input stream (a
 * connection under `wisp serve`, wisp's stdin under `wisp --input`) into
 * (buf); never blocks.  Returns
 *   SOLO5_R_OK with *read_size > 0:  data;
 *   SOLO5_R_OK with *read_size == 0: end of input (the client closed its
 *                                    side, or the pipe's writer is gone);
 *   SOLO5_R_AGAIN:   nothing available yet: wait with solo5_yield, which
 *                    reports WISP_INPUT_HANDLE ready (bit 1 << 0 of its
 *                    ready set) when data or the end is available;
 *   SOLO5_R_EINVAL:  size 0;
 *   SOLO5_R_EUNSPEC: no input stream is attached (or a host error).
 * Reads longer than WISP_INPUT_READ_MAX are cut to it.
 */
solo5_result_t wisp_input_read(void *buf, size_t size, size_t *read_size);
/* ---- end of input stream block ------------------------------------------- */

#endif /* WISP_H */
