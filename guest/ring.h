/*
 * ring.h: the guest side of the shared I/O rings (include/wisp/abi.h,
 * "Shared I/O rings"), used by net.c, block.c and yield.c when the tender
 * offers WISP_FEATURE_RINGS.  Internal to the library.
 */
#ifndef WISP_GUEST_RING_H
#define WISP_GUEST_RING_H

#include <stdint.h>

#include "internal.h"

/* wg_rings_reserve: at start-up, take the memory of every attached
 * device's ring from the top of the heap [heap_start, *heap_end) (nothing
 * if the tender offers no rings or the heap is too small); lowers
 * *heap_end. */
void wg_rings_reserve(uint64_t heap_start, uint64_t *heap_end);

/* wg_net_ring_setup / wg_block_ring_setup: name the reserved ring of
 * `handle` to the tender (at acquire); afterwards the device's I/O goes
 * through the ring.  Quietly keeps the hypercalls if that fails. */
void wg_net_ring_setup(solo5_handle_t handle);
void wg_block_ring_setup(solo5_handle_t handle);

/* wg_net_ring_active / wg_block_ring_active: whether `handle` uses a ring. */
int wg_net_ring_active(solo5_handle_t handle);
int wg_block_ring_active(solo5_handle_t handle);

/* Ring I/O with solo5_net_write / solo5_net_read semantics. */
solo5_result_t wg_net_ring_write(solo5_handle_t handle, const uint8_t *buf, size_t size);
solo5_result_t wg_net_ring_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                                size_t *read_size);

/* wg_block_ring_request: one request (WISP_BLOCK_OP_*), waited for; the
 * tender's result. */
solo5_result_t wg_block_ring_request(solo5_handle_t handle, uint32_t op, uint64_t offset,
                                     const void *buf, uint64_t len);

/* wg_ring_yield: solo5_yield when some NIC has a ring: returns at once if
 * a ring holds a frame, else spins a bounded, adaptive time, then blocks
 * in POLL until the deadline or input.  Returns 0 if no ring is active
 * (the caller then makes the plain POLL). */
int wg_ring_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

#endif /* WISP_GUEST_RING_H */
