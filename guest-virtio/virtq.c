/*
 * virtq.c: split virtqueues (see virtq.h).  The device's ring index is read
 * through a volatile access after a barrier, and the driver publishes a
 * descriptor before the index that makes it available.
 */
#include "virtq.h"

void vg_virtq_init(struct vg_vdev *d, struct vg_virtq *q, unsigned index, unsigned need)
{
    unsigned max = vg_vt_queue_max(d, index), size = max;
    struct vg_line l = { .len = 0 };

    if (d->kind != VG_VT_PCI_LEGACY && size > VG_VIRTQ_MAX)
        size = VG_VIRTQ_MAX;
    if (max == 0 || size < need || (size & (size - 1)) != 0 || size > 32768) {
        vg_line_str(&l, "virtio device at ");
        vg_line_str(&l, d->where);
        vg_line_str(&l, ": queue ");
        vg_line_dec(&l, index);
        vg_line_str(&l, " has an unusable size ");
        vg_line_dec(&l, max);
        vg_panic(l.buf);
    }
    uint64_t desc_bytes = 16ull * size;
    uint64_t avail_bytes = 6 + 2ull * size;
    uint64_t used_off = (desc_bytes + avail_bytes + VG_PAGE_SIZE - 1) & ~(VG_PAGE_SIZE - 1);
    uint64_t used_bytes = 6 + 8ull * size;
    uint64_t pages = (used_off + used_bytes + VG_PAGE_SIZE - 1) / VG_PAGE_SIZE;
    uint8_t *mem = vg_alloc_pages(pages);

    q->index = index;
    q->size = size;
    q->desc = (struct virtq_desc *)mem;
    q->avail = (struct virtq_avail *)(mem + desc_bytes);
    q->used = (struct virtq_used *)(mem + used_off);
    q->avail_idx = 0;
    q->used_seen = 0;
    q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT; /* polled */
    vg_vt_queue_setup(d, index, q);
}

void vg_virtq_publish(struct vg_virtq *q, uint16_t head)
{
    q->avail->ring[q->avail_idx % q->size] = head;
    vg_barrier();
    q->avail_idx++;
    *(volatile uint16_t *)&q->avail->idx = q->avail_idx;
}

void vg_virtq_kick(struct vg_vdev *d, struct vg_virtq *q)
{
    vg_barrier();
    if (!(*(volatile uint16_t *)&q->used->flags & VIRTQ_USED_F_NO_NOTIFY))
        vg_vt_notify(d, q);
}

void vg_virtq_post(struct vg_vdev *d, struct vg_virtq *q, uint16_t head)
{
    vg_virtq_publish(q, head);
    vg_virtq_kick(d, q);
}

int vg_virtq_has_used(const struct vg_virtq *q)
{
    return *(const volatile uint16_t *)&q->used->idx != q->used_seen;
}

int vg_virtq_pop(struct vg_virtq *q, uint16_t *head, uint32_t *len)
{
    if (!vg_virtq_has_used(q))
        return 0;
    vg_barrier();
    const volatile struct virtq_used_elem *e = &q->used->ring[q->used_seen % q->size];
    uint32_t id = e->id;

    *len = e->len;
    q->used_seen++;
    if (id >= q->size)
        vg_panic("virtq.c: the device returned a descriptor index out of range");
    *head = (uint16_t)id;
    return 1;
}
