/*
 * virtq.h: split virtqueues (virtio 1.x section 2.7, and the legacy layout
 * it keeps): descriptor table, driver ("available") ring, then the device
 * ("used") ring on the next 4 KiB boundary, in one zeroed allocation, so
 * the same memory serves legacy (one page frame number) and modern
 * (three addresses) transports.  Descriptors are owned by the driver: net.c
 * and blk.c give each buffer a fixed descriptor and post it by index.
 * Bounded: a queue has at most VG_VIRTQ_MAX entries, whatever the device
 * offers, except on legacy PCI, which cannot shrink a queue: there it has
 * the device's size (a power of two up to 32768, checked).
 */
#ifndef WISP_GUEST_VIRTIO_VIRTQ_H
#define WISP_GUEST_VIRTIO_VIRTQ_H

#include "internal.h"

#define VG_VIRTQ_MAX 256

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];
};

struct vg_virtq {
    unsigned index; /* the queue's number on its device */
    unsigned size;
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    uint16_t avail_idx; /* the driver's copy */
    uint16_t used_seen; /* device ring entries consumed */
    uint64_t notify_addr; /* PCI modern: where to write the queue's index */
};

/*
 * vg_virtq_init: set up queue (index) of device (d) with min(device size,
 * VG_VIRTQ_MAX) entries (the device's own size on legacy PCI), which must
 * be at least (need); give it to the device.  Panics naming the device
 * when the queue does not exist or is too small.
 */
void vg_virtq_init(struct vg_vdev *d, struct vg_virtq *q, unsigned index, unsigned need);
/* vg_virtq_post: make the chain that starts at descriptor (head) available
 * and notify the device unless it asked not to be. */
void vg_virtq_post(struct vg_vdev *d, struct vg_virtq *q, uint16_t head);
/* vg_virtq_publish + vg_virtq_kick: the same in two steps, so that many
 * chains can be made available with one notification. */
void vg_virtq_publish(struct vg_virtq *q, uint16_t head);
void vg_virtq_kick(struct vg_vdev *d, struct vg_virtq *q);
/* vg_virtq_pop: the next used chain: 1 with its head and written length,
 * 0 if there is none. */
int vg_virtq_pop(struct vg_virtq *q, uint16_t *head, uint32_t *len);
/* vg_virtq_has_used: whether vg_virtq_pop would return 1. */
int vg_virtq_has_used(const struct vg_virtq *q);

#endif
