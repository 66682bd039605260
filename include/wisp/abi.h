/*
 * wisp isolated-mode guest ABI: the one contract between the tender and a
 * unikernel that runs at CPL3.  Dual use: included by the tender (host) and
 * by the guest library.  Self-contained: only fixed-width types, no pointers
 * (guest addresses are wisp_gpa_t, which the host never dereferences).
 *
 * Bump WISP_ABI_VERSION on ANY change to a struct, constant or semantics
 * below, except an addition a guest only uses after seeing its
 * WISP_FEATURE_* bit in boot_info.host_features (so an older guest keeps
 * working unchanged: the shared rings are such an addition).  Every shared
 * struct has _Static_asserts on its size and offsets.
 *
 * Transport: the guest stores the guest-physical address of an argument
 * struct (8 bytes) to WISP_DOORBELL_GPA + 8 * nr.  That page is mapped
 * user-writable in the guest page tables but is not backed by guest RAM, so
 * the store exits to the tender as KVM_EXIT_MMIO on every KVM host (port I/O
 * from CPL3 is not usable on all of them, see PLATFORM.md).  The guest names
 * the doorbell by that (virtual) address only; which guest-physical page is
 * behind it is the tender's choice and not part of the ABI (today the same
 * address: GPA == GVA).  The call is
 * synchronous: OUT fields are filled before the guest resumes.  One VM exit
 * per call.
 *
 * Argument structs (and a struct wisp_net_buf array) MUST be 8-byte
 * aligned; data buffers may have any alignment.
 *
 * The store MUST be one 8-byte `mov` (REX.W 89 `mov %r64, m64`, REX.W c7 /0
 * `movq $imm32, m64` or REX.W a3 `movabs %rax, moffs64`, no other prefix):
 * the tender checks that such a mov ends at the guest's RIP and stored that
 * value at that address.  Any other store to the page (a 16-byte SSE store,
 * which KVM splits into two 8-byte exits; AVX, fxsave, xsave, movdir64b,
 * string stores) and any load from it ends the guest, before any
 * hypercall it names runs; one KVM cannot emulate at all is reported as a
 * crash ("the doorbell store could not be emulated: ...").
 *
 * Policy for bad guest input (tender side): an argument struct or buffer that
 * is not entirely inside memory the guest itself may access that way, a
 * misaligned argument struct, an unknown hypercall number or a store of
 * the wrong width or by the wrong instruction ends the guest (exit status
 * WISP_EXIT_GUEST_FAULT, with a message naming the hypercall and the address).  Per-request argument errors
 * (bad handle, bad offset or length) return WISP_R_EINVAL in the struct.
 */
#ifndef WISP_ABI_H
#define WISP_ABI_H

#include <stdint.h>

#define WISP_ABI_VERSION 1

typedef uint64_t wisp_gpa_t;

/* ---- ELF note that marks an isolated-mode unikernel -------------------- */
/* owner "wisp\0" (n_namesz 5, padded to 8), type "WABI", descriptor below. */
#define WISP_NOTE_NAME     "wisp"
#define WISP_NOTE_NAMESZ   5
#define WISP_NOTE_TYPE_ABI 0x49424157u /* "WABI" little-endian */

struct wisp_abi_note {
    uint32_t abi_version; /* WISP_ABI_VERSION the guest was built for */
    uint32_t flags;       /* reserved, 0 */
    uint32_t stack_size;  /* bytes of stack the guest wants, 0 = default */
    uint32_t reserved;    /* 0 */
};
_Static_assert(sizeof(struct wisp_abi_note) == 16, "wisp_abi_note size");

/* ---- Guest-physical (== guest-virtual) layout -------------------------- */
/* (The doorbell page is named by its guest-virtual address: see above.) */
#define WISP_PAGE_SIZE        0x1000ull
/* Below WISP_BOOT_INFO_GPA: tender-private (supervisor-only or unmapped). */
#define WISP_BOOT_INFO_GPA    0x10000ull  /* user read-only page(s)          */
#define WISP_BOOT_INFO_SIZE   0x10000ull  /* boot info + cmdline + manifest  */
#define WISP_ELF_MIN_GPA      0x100000ull /* lowest address a PT_LOAD may use */
#define WISP_CONSOLE_GPA      0x1f000ull  /* console buffer: user read-write */
#define WISP_DOORBELL_GPA     0xfffff000ull /* hypercall doorbell page (MMIO; VA) */
#define WISP_MEM_MAX          0xc0000000ull /* 3 GiB: RAM ends below the hole */
#define WISP_STACK_DEFAULT    0x80000ull  /* 512 KiB */
#define WISP_CMDLINE_MAX      8192u       /* including the NUL */

/* ---- Hypercall numbers -------------------------------------------------- */
enum wisp_hypercall {
    WISP_HC_RESERVED = 0,
    WISP_HC_PUTS = 1,        /* struct wisp_hc_puts   */
    WISP_HC_POLL = 2,        /* struct wisp_hc_poll   */
    WISP_HC_EXIT = 3,        /* struct wisp_hc_exit   */
    WISP_HC_ABORT = 4,       /* struct wisp_hc_abort  */
    WISP_HC_WALLTIME = 5,    /* struct wisp_hc_walltime (resync only) */
    /* devices: only registered when such a device is attached */
    WISP_HC_NET_WRITE = 16,   /* struct wisp_hc_net_io */
    WISP_HC_NET_READ = 17,    /* struct wisp_hc_net_io */
    WISP_HC_NET_RING = 18,    /* struct wisp_hc_ring_setup (WISP_FEATURE_RINGS) */
    WISP_HC_BLOCK_READ = 24,  /* struct wisp_hc_block_io */
    WISP_HC_BLOCK_WRITE = 25, /* struct wisp_hc_block_io */
    WISP_HC_BLOCK_FLUSH = 26, /* struct wisp_hc_block_flush */
    WISP_HC_BLOCK_RING = 27,  /* struct wisp_hc_ring_setup (WISP_FEATURE_RINGS) */
    WISP_HC_MAX = 64         /* doorbell slots: 64 x 8 bytes */
};

/* Results, numerically identical to solo5_result_t. */
#define WISP_R_OK     0
#define WISP_R_AGAIN  1
#define WISP_R_EINVAL 2
#define WISP_R_EUNSPEC 3

/* PUTS: write len bytes at data to the console (host stdout), all of them. */
struct wisp_hc_puts {
    wisp_gpa_t data; /* IN */
    uint64_t len;    /* IN, at most WISP_PUTS_MAX */
};
#define WISP_PUTS_MAX (1u << 20)
_Static_assert(sizeof(struct wisp_hc_puts) == 16, "puts size");
_Static_assert(__builtin_offsetof(struct wisp_hc_puts, len) == 8, "puts.len");

/* POLL: block until timeout_ns (relative) passes or a device has input. */
struct wisp_hc_poll {
    uint64_t timeout_ns; /* IN  */
    uint64_t ready_set;  /* OUT: bit (1 << handle) per device with input */
    int32_t ret;         /* OUT: number of ready devices */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_poll) == 24, "poll size");
_Static_assert(__builtin_offsetof(struct wisp_hc_poll, ready_set) == 8, "poll.ready_set");
_Static_assert(__builtin_offsetof(struct wisp_hc_poll, ret) == 16, "poll.ret");

/* EXIT: end the guest; the tender exits with status & 0xff.  The guest
 * also reports two boot milestones (guest TSC values, 0 if unknown) so the
 * tender can time a boot without an extra VM exit: the first instruction
 * of _start and the call of solo5_app_main. */
struct wisp_hc_exit {
    uint64_t status;    /* IN */
    uint64_t tsc_start; /* IN */
    uint64_t tsc_main;  /* IN */
};
_Static_assert(sizeof(struct wisp_hc_exit) == 24, "exit size");
_Static_assert(__builtin_offsetof(struct wisp_hc_exit, tsc_main) == 16, "exit.tsc_main");

/* ABORT: end the guest abnormally (status 255) with an optional message. */
struct wisp_hc_abort {
    wisp_gpa_t msg;   /* IN, may be 0 */
    uint64_t msg_len; /* IN, truncated by the tender to WISP_ABORT_MSG_MAX */
};
#define WISP_ABORT_MSG_MAX 512u
_Static_assert(sizeof(struct wisp_hc_abort) == 16, "abort size");
_Static_assert(__builtin_offsetof(struct wisp_hc_abort, msg_len) == 8, "abort.msg_len");

/* WALLTIME: the host's CLOCK_REALTIME now.  Not needed for solo5_clock_wall
 * (computed from the boot info), kept for guests that want to resync. */
struct wisp_hc_walltime {
    uint64_t nsecs; /* OUT */
};
_Static_assert(sizeof(struct wisp_hc_walltime) == 8, "walltime size");

/* ---- Block devices (handle = manifest index of a BLOCK_BASIC entry) ---- */
/* BLOCK_READ / BLOCK_WRITE: any whole number of blocks in one call.
 * offset and len MUST be multiples of the device's block size, and the
 * range inside the device; otherwise ret = WISP_R_EINVAL and nothing moves.
 * A host I/O error gives ret = WISP_R_EUNSPEC (the guest goes on). */
struct wisp_hc_block_io {
    uint64_t handle;  /* IN */
    uint64_t offset;  /* IN: byte offset on the device */
    wisp_gpa_t data;  /* IN: guest buffer */
    uint64_t len;     /* IN: bytes */
    int32_t ret;      /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_block_io) == 40, "block_io size");
_Static_assert(__builtin_offsetof(struct wisp_hc_block_io, offset) == 8, "block_io.offset");
_Static_assert(__builtin_offsetof(struct wisp_hc_block_io, data) == 16, "block_io.data");
_Static_assert(__builtin_offsetof(struct wisp_hc_block_io, len) == 24, "block_io.len");
_Static_assert(__builtin_offsetof(struct wisp_hc_block_io, ret) == 32, "block_io.ret");

/* BLOCK_FLUSH: make every completed write durable (fdatasync). */
struct wisp_hc_block_flush {
    uint64_t handle; /* IN */
    int32_t ret;     /* OUT: OK, EINVAL (bad handle or read-only), EUNSPEC (I/O error) */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_block_flush) == 16, "block_flush size");
_Static_assert(__builtin_offsetof(struct wisp_hc_block_flush, ret) == 8, "block_flush.ret");

/* ---- Network devices (handle = manifest index of a NET_BASIC entry) ---- */
/* NET_WRITE / NET_READ move up to WISP_NET_IO_MAX frames in ONE exit, so a
 * guest never needs a VM exit per packet when it has several; a shared-ring
 * transport can be added later under a new WISP_FEATURE_* bit without
 * changing these calls.  Frames are Ethernet frames without FCS. */
#define WISP_NET_IO_MAX 64
struct wisp_net_buf {
    wisp_gpa_t data; /* IN */
    uint32_t len;    /* WRITE: IN frame size.  READ: IN buffer size, OUT frame size */
    int32_t ret;     /* OUT: per-frame result */
};
_Static_assert(sizeof(struct wisp_net_buf) == 16, "net_buf size");
_Static_assert(__builtin_offsetof(struct wisp_net_buf, len) == 8, "net_buf.len");
_Static_assert(__builtin_offsetof(struct wisp_net_buf, ret) == 12, "net_buf.ret");

struct wisp_hc_net_io {
    uint64_t handle; /* IN */
    wisp_gpa_t bufs; /* IN: array of struct wisp_net_buf */
    uint32_t count;  /* IN: 1 .. WISP_NET_IO_MAX */
    uint32_t done;   /* OUT: frames written / read (a prefix of bufs) */
    int32_t ret;     /* OUT: OK if done > 0; AGAIN: read found nothing pending;
                        EINVAL: bad handle, count, or a frame larger than
                        MTU + 14 (write) */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_net_io) == 32, "net_io size");
_Static_assert(__builtin_offsetof(struct wisp_hc_net_io, bufs) == 8, "net_io.bufs");
_Static_assert(__builtin_offsetof(struct wisp_hc_net_io, count) == 16, "net_io.count");
_Static_assert(__builtin_offsetof(struct wisp_hc_net_io, done) == 20, "net_io.done");
_Static_assert(__builtin_offsetof(struct wisp_hc_net_io, ret) == 24, "net_io.ret");

/* ---- Input stream (issue 13; tender/devices/input.c, guest/input.c) ---- */
/* One byte stream per VM, the guest's input: a connection under `wisp
 * serve`, the tender's stdin under `wisp --input`.  The hypercall is
 * always registered; without an attached stream it returns EUNSPEC.  The
 * stream's poll handle is WISP_INPUT_HANDLE, which no device has (handle
 * 0 is the manifest's reserved entry): POLL sets bit (1 << 0) in its
 * ready_set when data or the end of the stream is available. */
#define WISP_HC_INPUT_READ 40 /* hypercall number; struct wisp_hc_input_read */
#define WISP_INPUT_HANDLE 0u
#define WISP_INPUT_READ_MAX (1u << 20) /* longer reads are cut to this */

/* INPUT_READ: never blocks.  ret OK with done > 0: data; OK with done == 0:
 * end of input (also after the peer reset the connection); AGAIN: nothing
 * available yet; EUNSPEC: no input stream attached, or a host error. */
struct wisp_hc_input_read {
    wisp_gpa_t data; /* IN: guest buffer */
    uint64_t len;    /* IN: its size */
    uint64_t done;   /* OUT: bytes read */
    int32_t ret;     /* OUT */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_input_read) == 32, "input_read size");
_Static_assert(__builtin_offsetof(struct wisp_hc_input_read, len) == 8, "input_read.len");
_Static_assert(__builtin_offsetof(struct wisp_hc_input_read, done) == 16, "input_read.done");
_Static_assert(__builtin_offsetof(struct wisp_hc_input_read, ret) == 24, "input_read.ret");
/* ---- end of input stream block ------------------------------------------ */

/* ---- Console buffer, at WISP_CONSOLE_GPA, read-write for the guest ---- */
/* The guest may collect console output here instead of making a PUTS per
 * write (the guest library buffers up to a newline).  Whenever the guest
 * ends, however it ends (exit, abort, crash, ABI violation), the tender
 * first writes data[0 .. min(len, WISP_CONSOLE_DATA)) to the console, so
 * nothing buffered is lost; the guest flushes it itself with PUTS before
 * anything else must appear (a newline, a POLL that may block). */
#define WISP_CONSOLE_DATA 4088u
struct wisp_console_buf {
    uint32_t len;  /* bytes pending in data, written by the guest */
    uint32_t _pad;
    char data[WISP_CONSOLE_DATA];
};
_Static_assert(sizeof(struct wisp_console_buf) == 4096, "console_buf size");
_Static_assert(__builtin_offsetof(struct wisp_console_buf, data) == 8, "console_buf.data");

/* ---- Boot information, at WISP_BOOT_INFO_GPA, read-only to the guest ---- */
#define WISP_BOOT_MAGIC 0x3142505349577769ull /* "iwWISPB1" */

struct wisp_boot_info {
    uint64_t magic;          /* WISP_BOOT_MAGIC */
    uint32_t abi_version;    /* WISP_ABI_VERSION of the tender */
    uint32_t _pad0;
    uint64_t mem_size;       /* bytes of guest RAM (GPA 0 .. mem_size) */
    uint64_t heap_start;     /* first heap byte (page aligned, after the ELF) */
    uint64_t heap_end;       /* one past the last heap byte */
    uint64_t stack_top;      /* initial RSP + 8 */
    uint64_t tsc_freq_hz;    /* guest TSC frequency */
    uint64_t tsc_ns_mult;    /* ns = (delta_tsc * tsc_ns_mult) >> 32 */
    uint64_t tsc_base;       /* guest TSC value sampled at wall_base_ns */
    uint64_t wall_base_ns;   /* host CLOCK_REALTIME (ns) at tsc_base */
    wisp_gpa_t cmdline;      /* NUL-terminated, at most WISP_CMDLINE_MAX */
    wisp_gpa_t mft;          /* Solo5-format manifest copy (struct mft) */
    uint64_t ssp_canary;     /* random, from the host */
    uint64_t host_features;  /* WISP_FEATURE_* */
};
_Static_assert(sizeof(struct wisp_boot_info) == 112, "boot_info size");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, mem_size) == 16, "bi.mem_size");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, heap_start) == 24, "bi.heap_start");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, tsc_freq_hz) == 48, "bi.tsc_freq_hz");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, tsc_base) == 64, "bi.tsc_base");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, cmdline) == 80, "bi.cmdline");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, mft) == 88, "bi.mft");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, ssp_canary) == 96, "bi.ssp_canary");
_Static_assert(__builtin_offsetof(struct wisp_boot_info, host_features) == 104, "bi.host_features");

/* Entry: RIP = e_entry, RDI = WISP_BOOT_INFO_GPA, RSP = stack_top - 8,
 * CPL3, RFLAGS = 0x2, FS/GS base 0, SSE/AVX usable, CR4.FSGSBASE set
 * (wrfsbase usable) when WISP_FEATURE_FSGSBASE is set. */
#define WISP_FEATURE_FSGSBASE (1ull << 0)
/* The tender serves shared I/O rings (below): a guest that sees this bit
 * MAY set up a ring per device with WISP_HC_NET_RING / WISP_HC_BLOCK_RING;
 * a guest that does not keeps the NET_* / BLOCK_* hypercalls. */
#define WISP_FEATURE_RINGS    (1ull << 1)

/* ---- Shared I/O rings (WISP_FEATURE_RINGS) ------------------------------ *
 * A ring is a page-aligned struct in guest RAM the guest may write, named
 * by the guest once per device (RING setup hypercall); from then on one
 * tender I/O thread per device serves it concurrently with the vCPU (and
 * the vCPU thread itself, in POLL and in kick exits).  The device's NET_*
 * / BLOCK_* hypercalls keep working, but they bypass the ring: a guest
 * uses one or the other.
 *
 * Each direction has descriptors and two free-running 32-bit indices:
 * the producer writes descriptor [prod % SLOTS], then prod + 1 (release);
 * the consumer reads it after prod (acquire), then writes cons + 1.  The
 * tender treats the whole ring as hostile: it reads an index once,
 * refuses a producer more than SLOTS ahead of the consumer (or a
 * consumer ahead of the producer) by ending the guest at its next exit
 * with a message naming the ring; it copies each descriptor out of guest
 * memory before checking it, checks every buffer as the hypercalls do
 * (memory the guest itself may read, or write for data the tender
 * writes), bounds every length, and refuses a bad descriptor (ret =
 * WISP_R_EINVAL, counted in --stats) without ending the guest.
 *
 * Wake-ups, both ways, with a full fence on each side (Dekker):
 *   - tender -> guest: the guest sets guest_waiting, fences, checks the
 *     ring again and only then blocks in POLL; the tender, after it
 *     publishes, fences and, if guest_waiting, makes POLL return (the
 *     device's bit in ready_set).
 *   - guest -> tender: the I/O thread spins a bounded time, then sets
 *     host_sleeping, fences, checks again and sleeps; the guest, after it
 *     publishes, fences and, if host_sleeping, kicks: an 8-byte store of
 *     any value to WISP_KICK_GPA(handle) (in the doorbell page).  A kick
 *     is an exit in which the tender serves the ring at once (a block
 *     request is complete when the store returns; a kick also ends a
 *     block request the guest tired of waiting for); with --ioeventfd a
 *     NIC's kick wakes the I/O thread through KVM_IOEVENTFD instead.
 *     While both sides keep up, neither sleeps and no VM exit is made
 *     per request.
 *   - A guest spins for input only while host_beat moves: a still beat
 *     means the I/O thread sleeps or the host gave its CPU to someone
 *     else (perhaps the spinning vCPU itself), and blocking in POLL then
 *     serves the ring sooner. */
#define WISP_KICK_BASE_GPA     (WISP_DOORBELL_GPA + 0x800ull)
#define WISP_KICK_GPA(handle)  (WISP_KICK_BASE_GPA + 8ull * (uint64_t)(handle))

struct wisp_hc_ring_setup {
    uint64_t handle;  /* IN: the device */
    wisp_gpa_t ring;  /* IN: page-aligned struct wisp_net_ring / wisp_block_ring */
    int32_t ret;      /* OUT: OK; EINVAL (bad handle, ring already set up,
                         device unsuitable: the guest keeps the hypercalls) */
    uint32_t _pad;
};
_Static_assert(sizeof(struct wisp_hc_ring_setup) == 24, "ring_setup size");
_Static_assert(__builtin_offsetof(struct wisp_hc_ring_setup, ring) == 8, "ring_setup.ring");
_Static_assert(__builtin_offsetof(struct wisp_hc_ring_setup, ret) == 16, "ring_setup.ret");

/* Indices of one direction, producer and consumer on separate cache lines. */
struct wisp_ring_idx {
    uint32_t prod;
    uint32_t _pad0[15];
    uint32_t cons;
    uint32_t _pad1[15];
};
_Static_assert(sizeof(struct wisp_ring_idx) == 128, "ring_idx size");
_Static_assert(__builtin_offsetof(struct wisp_ring_idx, cons) == 64, "ring_idx.cons");

/* Wake-up flags, one cache line. */
struct wisp_ring_flags {
    uint32_t host_sleeping; /* tender: its I/O thread sleeps; kick after publishing */
    uint32_t guest_waiting; /* guest: it is about to block in POLL */
    uint32_t host_beat;     /* tender: changes while an I/O thread spins,
                               at most once a microsecond (still: it sleeps
                               or lacks a CPU) */
    uint32_t _pad[13];
};
_Static_assert(sizeof(struct wisp_ring_flags) == 64, "ring_flags size");
_Static_assert(__builtin_offsetof(struct wisp_ring_flags, host_beat) == 8, "ring_flags.host_beat");

/* Network ring: tx (guest produces frames), rx (tender produces frames
 * into buffers the guest named in rx_desc[].data / len beforehand). */
#define WISP_NET_RING_SLOTS 256u   /* per direction, a power of two */
#define WISP_NET_FRAME_MAX  65550u /* largest frame length the tender accepts */
struct wisp_net_desc {
    wisp_gpa_t data; /* TX: the frame; RX: the guest's buffer (IN, guest) */
    uint32_t len;    /* TX: frame length; RX: buffer size IN, frame length OUT */
    int32_t ret;     /* RX OUT: OK, or EINVAL (refused descriptor, frame
                        larger than the buffer: dropped) */
};
_Static_assert(sizeof(struct wisp_net_desc) == 16, "net_desc size");
_Static_assert(__builtin_offsetof(struct wisp_net_desc, len) == 8, "net_desc.len");
_Static_assert(__builtin_offsetof(struct wisp_net_desc, ret) == 12, "net_desc.ret");

struct wisp_net_ring {
    struct wisp_ring_flags flags;
    struct wisp_ring_idx tx, rx;
    struct wisp_net_desc tx_desc[WISP_NET_RING_SLOTS];
    struct wisp_net_desc rx_desc[WISP_NET_RING_SLOTS];
    uint8_t _reserved[12288 - 320 - 2 * 16 * WISP_NET_RING_SLOTS];
};
_Static_assert(sizeof(struct wisp_net_ring) == 12288, "net_ring size");
_Static_assert(__builtin_offsetof(struct wisp_net_ring, tx) == 64, "net_ring.tx");
_Static_assert(__builtin_offsetof(struct wisp_net_ring, rx) == 192, "net_ring.rx");
_Static_assert(__builtin_offsetof(struct wisp_net_ring, tx_desc) == 320, "net_ring.tx_desc");
_Static_assert(__builtin_offsetof(struct wisp_net_ring, rx_desc) == 4416, "net_ring.rx_desc");

/* Block ring: the guest produces requests; the tender completes them in
 * order (req.cons moves past a request once its ret is written).  A FLUSH
 * completes only after every earlier write is durable (fdatasync).  The
 * tender stores ret (release: after the data of a read) before it moves
 * req.cons, and stores only WISP_R_* values there, so a guest that set
 * ret to another value may watch ret instead of req.cons (the library
 * does: one cache line per completion). */
#define WISP_BLOCK_RING_SLOTS 16u
#define WISP_BLOCK_OP_READ  1u
#define WISP_BLOCK_OP_WRITE 2u
#define WISP_BLOCK_OP_FLUSH 3u
struct wisp_block_desc {
    uint32_t op;      /* WISP_BLOCK_OP_* */
    int32_t ret;      /* OUT: as the BLOCK_* hypercalls */
    uint64_t offset;  /* bytes, whole blocks */
    wisp_gpa_t data;
    uint64_t len;     /* bytes, whole blocks */
};
_Static_assert(sizeof(struct wisp_block_desc) == 32, "block_desc size");
_Static_assert(__builtin_offsetof(struct wisp_block_desc, offset) == 8, "block_desc.offset");
_Static_assert(__builtin_offsetof(struct wisp_block_desc, data) == 16, "block_desc.data");
_Static_assert(__builtin_offsetof(struct wisp_block_desc, len) == 24, "block_desc.len");

struct wisp_block_ring {
    struct wisp_ring_flags flags;
    struct wisp_ring_idx req;
    struct wisp_block_desc desc[WISP_BLOCK_RING_SLOTS];
    uint8_t _reserved[4096 - 192 - 32 * WISP_BLOCK_RING_SLOTS];
};
_Static_assert(sizeof(struct wisp_block_ring) == 4096, "block_ring size");
_Static_assert(__builtin_offsetof(struct wisp_block_ring, req) == 64, "block_ring.req");
_Static_assert(__builtin_offsetof(struct wisp_block_ring, desc) == 192, "block_ring.desc");

#endif /* WISP_ABI_H */
