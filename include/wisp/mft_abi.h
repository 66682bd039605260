/*
 * The application manifest, in Solo5's binary format (MFT1 note), and
 * Solo5's ABI1 note.  Dual use: the tender, wisp-elftool and the guest
 * library include it.  Layout facts: SOLO5_HVT_ABI.md sections 1.3 and 3.
 *
 * The manifest lists the devices a unikernel needs.  Entry 0 is reserved
 * (type MFT_RESERVED_FIRST, empty name); entries 1..63 are devices, and a
 * device's handle is its index, so a 64-bit set can name every device.
 * The tender fills the host-side fields (attached, u.*) in the copy it
 * places in guest memory; in the ELF file they must be zero.
 */
#ifndef WISP_MFT_ABI_H
#define WISP_MFT_ABI_H

#include <stdint.h>

#define SOLO5_NOTE_NAME     "Solo5"
#define SOLO5_NOTE_NAMESZ   6

/* ---- MFT1: the manifest note ---------------------------------------- */
#define MFT1_NOTE_TYPE      0x3154464du /* "MFT1" */
#define MFT1_NOTE_ALIGN     8           /* descriptor at note offset 24 */
#define MFT_VERSION         1
#define MFT_MAX_ENTRIES     64          /* including the reserved entry 0 */
#define MFT_NAME_SIZE       68          /* 67 characters + NUL */
#define MFT_NAME_MAX        (MFT_NAME_SIZE - 1)

enum mft_type {
    MFT_DEV_BLOCK_BASIC = 1,
    MFT_DEV_NET_BASIC = 2,
    MFT_RESERVED_FIRST = (1u << 30)
};

struct mft_block_basic {
    uint64_t capacity;   /* bytes */
    uint16_t block_size; /* bytes */
};

struct mft_net_basic {
    uint8_t mac[6];
    uint16_t mtu;
};

struct mft_entry {
    char name[MFT_NAME_SIZE];
    uint32_t type; /* enum mft_type */
    union {
        struct mft_block_basic block_basic;
        struct mft_net_basic net_basic;
    } u;
    union {
        int64_t hostfd; /* host private; never meaningful to the guest */
        uint64_t data;
    } b;
    uint8_t attached; /* bool */
    uint8_t _pad[7];
};
_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry size");
_Static_assert(__builtin_offsetof(struct mft_entry, type) == 68, "mft_entry.type");
_Static_assert(__builtin_offsetof(struct mft_entry, u) == 72, "mft_entry.u");
_Static_assert(__builtin_offsetof(struct mft_entry, u.block_basic.block_size) == 80,
               "mft_entry.u.block_basic.block_size");
_Static_assert(__builtin_offsetof(struct mft_entry, u.net_basic.mtu) == 78,
               "mft_entry.u.net_basic.mtu");
_Static_assert(__builtin_offsetof(struct mft_entry, b) == 88, "mft_entry.b");
_Static_assert(__builtin_offsetof(struct mft_entry, attached) == 96, "mft_entry.attached");

struct mft {
    uint32_t version; /* MFT_VERSION */
    uint32_t entries; /* 1 .. MFT_MAX_ENTRIES */
    struct mft_entry e[];
};
_Static_assert(sizeof(struct mft) == 8, "mft header size");

#define MFT_SIZE(entries) (sizeof(struct mft) + (entries) * sizeof(struct mft_entry))
/* n_descsz of an MFT1 note: 4 padding bytes + the struct. */
#define MFT1_NOTE_DESCSZ(entries) (4 + MFT_SIZE(entries))
#define MFT1_NOTE_MAX_SIZE        MFT1_NOTE_DESCSZ(MFT_MAX_ENTRIES)
_Static_assert(MFT1_NOTE_MAX_SIZE == 6668, "MFT1 max size");

/* ---- ABI1: Solo5's ABI note (compatibility mode) ----------------------- */
#define ABI1_NOTE_TYPE      0x31494241u /* "ABI1" */
#define ABI1_NOTE_ALIGN     4
#define ABI1_NOTE_MAX_SIZE  32

enum abi1_target {
    SOLO5_ABI_TARGET_HVT = 1,
    SOLO5_ABI_TARGET_SPT = 2,
    SOLO5_ABI_TARGET_VIRTIO = 3,
    SOLO5_ABI_TARGET_MUEN = 4,
    SOLO5_ABI_TARGET_GENODE = 5,
    SOLO5_ABI_TARGET_XEN = 6
};
#define SOLO5_HVT_ABI_VERSION 2

struct abi1_info {
    uint32_t abi_target;
    uint32_t abi_version;
    uint32_t reserved0;
    uint32_t reserved1;
};
_Static_assert(sizeof(struct abi1_info) == 16, "abi1_info size");

#endif /* WISP_MFT_ABI_H */
