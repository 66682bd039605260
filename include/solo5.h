/*
 * solo5.h: the public guest API of wisp unikernels.  Source compatible with
 * Solo5's solo5.h (same names, types, values and semantics), so runtimes
 * written against Solo5 build unchanged with wisp-cc.  Self-contained: it
 * needs only the compiler's freestanding headers.  wisp-specific additions
 * live in <wisp.h>, never here.
 *
 * Unless a function says otherwise it may be called only from the single
 * thread of execution the unikernel has, and it never returns an error
 * through any channel other than its result.
 */
#ifndef SOLO5_H
#define SOLO5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Results ------------------------------------------------------------ */

/*
 * The outcome of an API call that can fail.  The numeric values are part of
 * the ABI (they equal WISP_R_* in <wisp/abi.h> and Solo5's values).
 */
typedef enum {
    SOLO5_R_OK = 0,     /* the operation completed */
    SOLO5_R_AGAIN = 1,  /* nothing to do right now; retry later (e.g. no packet) */
    SOLO5_R_EINVAL = 2, /* an argument was invalid (handle, offset, size) */
    SOLO5_R_EUNSPEC = 3 /* any other failure */
} solo5_result_t;

/* ---- Start-up and exit -------------------------------------------------- */

/*
 * What the unikernel is given when it starts.
 *   cmdline     the arguments after KERNEL on the tender's command line,
 *               joined by single spaces, NUL-terminated; never NULL.
 *   heap_start  first byte of memory the application owns outright (page
 *               aligned, after the loaded image).
 *   heap_size   bytes from heap_start the application may use.  The memory
 *               is readable and writable but never executable.
 */
struct solo5_start_info {
    const char *cmdline;
    uintptr_t heap_start;
    size_t heap_size;
};

/*
 * solo5_app_main: the application's entry point, which the application MUST
 * define.  Called once, after the library is initialised, with (si) valid
 * for the whole run.  Its return value becomes the exit status, exactly as
 * if passed to solo5_exit().
 */
int solo5_app_main(const struct solo5_start_info *si);

/* Exit statuses with a conventional meaning; any 0..255 may be used. */
#define SOLO5_EXIT_SUCCESS 0
#define SOLO5_EXIT_FAILURE 1
#define SOLO5_EXIT_ABORT 255

/*
 * solo5_exit: end the unikernel normally.  The tender exits with
 * (status & 0xff).  Never returns.
 */
void solo5_exit(int status) __attribute__((noreturn));

/*
 * solo5_abort: end the unikernel abnormally (the tender reports an abort
 * and exits with status SOLO5_EXIT_ABORT).  Never returns.
 */
void solo5_abort(void) __attribute__((noreturn));

/* ---- Time --------------------------------------------------------------- */

/* Nanoseconds. */
typedef uint64_t solo5_time_t;

/*
 * solo5_clock_monotonic: nanoseconds since an arbitrary fixed point at or
 * before start-up.  Never decreases and does not jump when the host's wall
 * clock is changed.  Costs no exit to the tender.
 */
solo5_time_t solo5_clock_monotonic(void);

/*
 * solo5_clock_wall: nanoseconds since the Unix epoch (UTC).  wisp computes
 * it as the host's wall clock at boot plus solo5_clock_monotonic(), so it
 * does not follow host clock adjustments made after boot.  Costs no exit.
 */
solo5_time_t solo5_clock_wall(void);

/* ---- Handles and yield -------------------------------------------------- */

/*
 * A device handle, as returned by an acquire call.  Handles are small
 * integers (below 64), so a set of them fits in a solo5_handle_set_t with
 * bit (1 << handle) standing for the device.
 */
typedef uint64_t solo5_handle_t;
typedef uint64_t solo5_handle_set_t;

/*
 * solo5_yield: give the CPU back to the host until either the monotonic
 * clock reaches (deadline) or at least one acquired device has input ready,
 * whichever is first.  A deadline in the past polls without blocking.
 * If (ready_set) is not NULL, *ready_set receives the set of devices with
 * input ready (0 when the deadline passed first).
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/* ---- Console ------------------------------------------------------------ */

/*
 * solo5_console_write: write the (size) bytes at (buf) to the console (the
 * tender's standard output), all of them, unmodified and unbuffered.  The
 * bytes need not be NUL-terminated and may contain NULs.
 */
void solo5_console_write(const char *buf, size_t size);

/* ---- Network devices ---------------------------------------------------- */

#define SOLO5_NET_ALEN 6  /* bytes in an Ethernet address */
#define SOLO5_NET_HLEN 14 /* bytes in an Ethernet header */

/*
 * What solo5_net_acquire reports about a network device.
 *   mac_address  the guest's own Ethernet address
 *   mtu          the largest payload of one frame, without the Ethernet
 *                header; a read buffer needs mtu + SOLO5_NET_HLEN bytes.
 */
struct solo5_net_info {
    uint8_t mac_address[SOLO5_NET_ALEN];
    size_t mtu;
};

/*
 * solo5_net_acquire: look up the network device called (name) in the
 * unikernel's manifest.  On SOLO5_R_OK, *handle and *info describe it.
 * Returns SOLO5_R_EUNSPEC if no NET_BASIC device has that name or the tender
 * did not attach one.
 */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info);

/*
 * solo5_net_write: send the frame of (size) bytes at (buf), Ethernet header
 * included, on device (handle).  size MUST be at most mtu + SOLO5_NET_HLEN.
 * Returns SOLO5_R_OK when the frame was handed to the host, SOLO5_R_EINVAL
 * for a bad handle or size, SOLO5_R_EUNSPEC otherwise.
 */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size);

/*
 * solo5_net_read: receive one frame from device (handle) into the (size)
 * bytes at (buf), which MUST be at least mtu + SOLO5_NET_HLEN.  On SOLO5_R_OK
 * *read_size is the frame's length.  Returns SOLO5_R_AGAIN if no frame is
 * waiting (use solo5_yield to wait), SOLO5_R_EINVAL for a bad handle or size,
 * SOLO5_R_EUNSPEC otherwise.
 */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size);

/* ---- Block devices ------------------------------------------------------ */

/* A byte offset or size on a block device. */
typedef uint64_t solo5_off_t;

/*
 * What solo5_block_acquire reports about a block device: its size in bytes
 * (a multiple of block_size) and the size of one block, the only unit of
 * transfer.
 */
struct solo5_block_info {
    solo5_off_t capacity;
    solo5_off_t block_size;
};

/*
 * solo5_block_acquire: look up the block device called (name) in the
 * unikernel's manifest.  On SOLO5_R_OK, *handle and *info describe it.
 * Returns SOLO5_R_EUNSPEC if no BLOCK_BASIC device has that name or the
 * tender did not attach one.
 */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info);

/*
 * solo5_block_write: write the (size) bytes at (buf) to device (handle) at
 * byte (offset).  offset MUST be a multiple of block_size; size MUST be a
 * non-zero multiple of block_size (Solo5: exactly block_size; wisp moves any
 * whole number of blocks in one call); the range MUST lie inside the
 * device.  Returns SOLO5_R_OK, SOLO5_R_EINVAL for a bad handle, offset or
 * size or a read-only attachment, SOLO5_R_EUNSPEC for a host I/O error.
 */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size);

/*
 * solo5_block_read: read (size) bytes at byte (offset) of device (handle)
 * into (buf).  Same rules and results as solo5_block_write.
 */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size);

/* ---- Thread-local storage ----------------------------------------------- */

/*
 * solo5_set_tls_base: make (base) the thread pointer (the FS base on
 * x86_64), i.e. the value solo5_tls_init() placed the TLS block around.
 * Returns SOLO5_R_OK, or SOLO5_R_EUNSPEC if the host gives the guest no way
 * to set it.
 */
solo5_result_t solo5_set_tls_base(uintptr_t base);

/*
 * solo5_tls_size: bytes a caller must allocate for one TLS block: the
 * unikernel's TLS data and bss, rounded up to their alignment, plus the
 * thread control block that holds the self pointer.  The block SHOULD be
 * allocated 16-byte aligned (or to the largest alignment of a thread-local
 * variable, if larger).
 */
size_t solo5_tls_size(void);

/*
 * solo5_tls_tp_offset: where, counted in bytes from the start of a TLS
 * block, the thread pointer points: solo5_set_tls_base() takes
 * block + solo5_tls_tp_offset().
 */
uintptr_t solo5_tls_tp_offset(void);

/*
 * solo5_tls_init: initialise the TLS block at (tls) (solo5_tls_size() bytes):
 * copy the initial values of thread-local variables, zero the rest, and
 * store the self pointer at the thread pointer.  Does not make the block
 * current; call solo5_set_tls_base(tls + solo5_tls_tp_offset()) for that.
 * Returns SOLO5_R_OK.
 */
solo5_result_t solo5_tls_init(uintptr_t tls);

#endif /* SOLO5_H */
