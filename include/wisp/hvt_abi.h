/*
 * Solo5 hvt ABI version 2 (x86_64), for wisp's compatibility mode: the
 * contract between wisp (as a drop-in for solo5-hvt) and unmodified Solo5
 * hvt unikernels, and wisp's own compatibility-flavour guest library.
 * Dual use: tender and guest.  Facts from SOLO5_HVT_ABI.md sections 1-2;
 * the code is wisp's own.  Layouts are fixed by Solo5 binaries in the
 * field: never change them; _Static_asserts pin every size and offset.
 *
 * Transport: `outl %eax, %dx` with DX = HVT_HYPERCALL_PIO_BASE + nr and EAX =
 * the low 32 bits of the argument struct's guest-physical address (guest
 * memory is identity mapped and below 4 GiB).
 */
#ifndef WISP_HVT_ABI_H
#define WISP_HVT_ABI_H

#include <stdint.h>

#define HVT_ABI_VERSION          2
#define HVT_HYPERCALL_PIO_BASE   0x500
#define HVT_RING_KICK_PIO_BASE   0x600
#define HVT_HALT_COOKIE_MAX      512
#define HVT_CMDLINE_SIZE         8192   /* including the NUL */

/* Guest-physical layout (SOLO5_HVT_ABI.md 1.5). */
#define HVT_GDT_BASE             0x1000
#define HVT_PML4_BASE            0x2000
#define HVT_PDPTE_BASE           0x3000
#define HVT_PDE_BASE             0x4000   /* 4 page directories */
#define HVT_PT0_BASE             0x8000   /* 4 KiB PTEs for the first 2 MiB */
#define HVT_BOOT_INFO_BASE       0x10000
#define HVT_GUEST_MIN_BASE       0x100000
#define HVT_GUEST_MAX_MEM        0x100000000ull /* 4 GiB */

enum hvt_hypercall {
    HVT_HYPERCALL_WALLTIME = 1,
    HVT_HYPERCALL_PUTS = 2,
    HVT_HYPERCALL_POLL = 3,
    HVT_HYPERCALL_BLOCK_WRITE = 4,
    HVT_HYPERCALL_BLOCK_READ = 5,
    HVT_HYPERCALL_NET_WRITE = 6,
    HVT_HYPERCALL_NET_READ = 7,
    HVT_HYPERCALL_HALT = 8,
    HVT_HYPERCALL_MAX = 9
};

#define HVT_FEATURE_RING_IO (1u << 0)

/* Results, as solo5_result_t stored in an int. */
#define HVT_R_OK     0
#define HVT_R_AGAIN  1
#define HVT_R_EINVAL 2
#define HVT_R_EUNSPEC 3

struct hvt_hc_walltime {
    uint64_t nsecs;           /* OUT */
};
_Static_assert(sizeof(struct hvt_hc_walltime) == 8, "hvt walltime");

struct hvt_hc_puts {
    uint64_t data;            /* IN: guest address */
    uint64_t len;             /* IN */
};
_Static_assert(sizeof(struct hvt_hc_puts) == 16, "hvt puts");

struct hvt_hc_poll {
    uint64_t timeout_nsecs;   /* IN: relative */
    uint64_t ready_set;       /* OUT */
    int32_t ret;              /* OUT: number of ready devices */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_poll) == 24, "hvt poll");
_Static_assert(__builtin_offsetof(struct hvt_hc_poll, ret) == 16, "hvt poll.ret");

struct hvt_hc_block_write {
    uint64_t handle;          /* IN */
    uint64_t offset;          /* IN */
    uint64_t data;            /* IN */
    uint64_t len;             /* IN */
    int32_t ret;              /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_block_write) == 40, "hvt block_write");
_Static_assert(__builtin_offsetof(struct hvt_hc_block_write, ret) == 32, "hvt block_write.ret");

struct hvt_hc_block_read {
    uint64_t handle;          /* IN */
    uint64_t offset;          /* IN */
    uint64_t data;            /* IN */
    uint64_t len;             /* IN/OUT */
    int32_t ret;              /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_block_read) == 40, "hvt block_read");
_Static_assert(__builtin_offsetof(struct hvt_hc_block_read, ret) == 32, "hvt block_read.ret");

struct hvt_hc_net_write {
    uint64_t handle;          /* IN */
    uint64_t data;            /* IN */
    uint64_t len;             /* IN */
    int32_t ret;              /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_net_write) == 32, "hvt net_write");
_Static_assert(__builtin_offsetof(struct hvt_hc_net_write, ret) == 24, "hvt net_write.ret");

struct hvt_hc_net_read {
    uint64_t handle;          /* IN */
    uint64_t data;            /* IN */
    uint64_t len;             /* IN: buffer size; OUT: frame size */
    int32_t ret;              /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_net_read) == 32, "hvt net_read");
_Static_assert(__builtin_offsetof(struct hvt_hc_net_read, ret) == 24, "hvt net_read.ret");

struct hvt_hc_halt {
    uint64_t cookie;          /* IN: guest address of a trap frame, or 0 */
    int32_t exit_status;      /* IN */
    uint32_t _pad;
};
_Static_assert(sizeof(struct hvt_hc_halt) == 16, "hvt halt");
_Static_assert(__builtin_offsetof(struct hvt_hc_halt, exit_status) == 8, "hvt halt.status");

/* Boot info at HVT_BOOT_INFO_BASE, address passed in RDI. */
struct hvt_boot_info {
    uint64_t mem_size;        /* usable bytes (below the ring, if any) */
    uint64_t kernel_end;      /* end of the loaded image, page aligned */
    uint64_t cpu_cycle_freq;  /* TSC Hz */
    uint64_t cmdline;         /* guest address */
    uint64_t mft;             /* guest address of the manifest copy */
    uint32_t host_features;   /* HVT_FEATURE_* */
    uint32_t guest_features;  /* 0 */
    uint64_t net_ring;        /* guest address of struct hvt_ring, or 0 */
};
_Static_assert(sizeof(struct hvt_boot_info) == 56, "hvt boot_info");
_Static_assert(__builtin_offsetof(struct hvt_boot_info, cmdline) == 24, "hvt bi.cmdline");
_Static_assert(__builtin_offsetof(struct hvt_boot_info, mft) == 32, "hvt bi.mft");
_Static_assert(__builtin_offsetof(struct hvt_boot_info, host_features) == 40, "hvt bi.features");
_Static_assert(__builtin_offsetof(struct hvt_boot_info, net_ring) == 48, "hvt bi.net_ring");

/* Ring-I/O extension (SOLO5_HVT_ABI.md section 2). */
#define HVT_RING_ENTRIES   1024
#define HVT_RING_BUF_SIZE  2048
#define HVT_RING_OP_NET_WRITE 1
#define HVT_RING_OP_NET_READ  2

struct hvt_ring_entry {
    uint32_t operation;
    uint32_t handle;
    uint64_t data;
    uint32_t len;
    uint32_t id;
    uint64_t _reserved;
};
_Static_assert(sizeof(struct hvt_ring_entry) == 32, "hvt ring entry");

struct hvt_ring_commit {
    uint32_t id;
    int32_t ret;
    uint32_t len;
    uint32_t _reserved;
};
_Static_assert(sizeof(struct hvt_ring_commit) == 16, "hvt ring commit");

struct hvt_ring {
    /* cache line 0: written by the guest */
    uint32_t ent_tail;
    uint32_t com_head;
    uint8_t _pad0[56];
    /* cache line 1: written by the host */
    uint32_t ent_head;
    uint32_t com_tail;
    uint32_t needs_kick;
    uint8_t _pad1[52];
    struct hvt_ring_entry entries[HVT_RING_ENTRIES];
    struct hvt_ring_commit commits[HVT_RING_ENTRIES];
};
_Static_assert(__builtin_offsetof(struct hvt_ring, ent_head) == 64, "hvt ring.ent_head");
_Static_assert(__builtin_offsetof(struct hvt_ring, entries) == 128, "hvt ring.entries");
_Static_assert(__builtin_offsetof(struct hvt_ring, commits) == 32896, "hvt ring.commits");
_Static_assert(sizeof(struct hvt_ring) == 49280, "hvt ring size");

#endif /* WISP_HVT_ABI_H */
