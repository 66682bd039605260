/*
 * wisp's optional addition to Solo5's ring-I/O extension (SOLO5_HVT_ABI.md
 * section 2; README "the POLL read"): nothing in the Solo5 layout changes,
 * and a guest that does not look for it sees the ring exactly as solo5-hvt
 * offers it.
 *
 *   - Offer: wisp writes HVT_RING_EXT_MAGIC into the host cache line's
 *     padding (offset 76) when it starts the ring.  solo5-hvt and older
 *     wisps zero the whole ring, so a guest reads 0 there and keeps
 *     Solo5's protocol.
 *   - A guest that saw the magic may post a NET_READ entry whose
 *     _reserved field is HVT_RING_EXT_POLL_READ.  The host's I/O thread
 *     leaves such an entry, and every entry after it, to the next POLL
 *     hypercall; POLL serves the ring's entries up to the first such READ
 *     before it waits (so queued frames leave first), waits as always,
 *     then serves the rest.  The READ thus gets the frame whose arrival
 *     ended the wait, in the same exit.
 *   - Its commit's _reserved is HVT_RING_EXT_SEEN, plus HVT_RING_EXT_MORE
 *     if another frame was waiting at the device when this one was read.
 *     Other commits keep _reserved 0, as in Solo5.
 */
#ifndef WISP_HVT_RING_EXT_H
#define WISP_HVT_RING_EXT_H

#include <stdint.h>

#define HVT_RING_EXT_MAGIC_OFFSET 76          /* in struct hvt_ring, host cache line */
#define HVT_RING_EXT_MAGIC        0x31505357u /* "WSP1" */
#define HVT_RING_EXT_POLL_READ    0x57535052504f4c4cull /* entry._reserved: "LLOPRPSW" */
#define HVT_RING_EXT_SEEN         0x100u      /* commit._reserved */
#define HVT_RING_EXT_MORE         0x1u

#endif /* WISP_HVT_RING_EXT_H */
