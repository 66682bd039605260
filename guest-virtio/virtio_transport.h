/*
 * virtio_transport.h: the per-transport operations virtio.c dispatches to
 * (virtio_pci.c, virtio_mmio.c), and the feature bits every device shares.
 */
#ifndef WISP_GUEST_VIRTIO_TRANSPORT_H
#define WISP_GUEST_VIRTIO_TRANSPORT_H

#include "virtq.h"

#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

uint64_t vg_pci_features(struct vg_vdev *d);
void vg_pci_set_features(struct vg_vdev *d, uint64_t f);
uint8_t vg_pci_status(struct vg_vdev *d);
void vg_pci_set_status(struct vg_vdev *d, uint8_t s);
uint8_t vg_pci_cfg8(struct vg_vdev *d, unsigned off);
unsigned vg_pci_queue_max(struct vg_vdev *d, unsigned idx);
void vg_pci_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q);

uint64_t vg_mmio_features(struct vg_vdev *d);
void vg_mmio_set_features(struct vg_vdev *d, uint64_t f);
uint8_t vg_mmio_status(struct vg_vdev *d);
void vg_mmio_set_status(struct vg_vdev *d, uint8_t s);
uint8_t vg_mmio_cfg8(struct vg_vdev *d, unsigned off);
unsigned vg_mmio_queue_max(struct vg_vdev *d, unsigned idx);
void vg_mmio_queue_setup(struct vg_vdev *d, unsigned idx, struct vg_virtq *q);

#endif
