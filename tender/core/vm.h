/*
 * The state of one run of the tender: configuration, the validated image,
 * guest memory and its layout, the KVM backend, hypercall handlers.  Passed
 * to every layer as `struct vm *` (no global state).
 */
#ifndef WISP_VM_H
#define WISP_VM_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

#include "core/guest_mem.h"
#include "core/log.h"
#include "image/elf.h"
#include "wisp.h"

struct vm;
struct kvm_backend; /* opaque: kvm/kvm_backend.h */
struct mode_ops;    /* the guest mode: core/mode.h */
struct hvt;         /* the hvt mode's own state: modes/hvt/hvt.h */
struct ring_dev;    /* a shared ring: devices/ring.h */

/*
 * A hypercall handler of either mode.  `arg` is the guest-physical address
 * of its argument struct (isolated: the value stored to the doorbell; hvt:
 * the 32-bit value written to port 0x500 + nr).  Returns HC_CONTINUE to resume the guest,
 * HC_STOP when the guest has ended (res filled), or -1 on a tender error
 * (message set with vm_fail).
 */
#define HC_CONTINUE 0
#define HC_STOP     1
typedef int (*hypercall_fn)(struct vm *vm, wisp_gpa_t arg);

/* A host fd the POLL hypercall waits on; `handle` is the device's handle. */
struct poll_source {
    int fd;
    unsigned handle;
    int eventfd;       /* an eventfd: read (reset) when it fires */
    int failed;        /* reported POLLERR/POLLNVAL: no longer waited on */
};
#define VM_MAX_POLL_SOURCES 64

/* A range of guest memory the guest may reach (each mode's load fills
 * vm->regions: modes/isolated/layout.c, modes/hvt/mem.c). */
struct vm_region {
    uint64_t start, end;
    int writable;
};
#define VM_MAX_REGIONS (2 * ELF_MAX_SEGMENTS + 4)

/* Guest-physical layout of an isolated-mode guest (see layout.c). */
struct vm_layout {
    uint64_t heap_start, heap_end;   /* user RW NX */
    uint64_t guard_start, guard_end; /* unmapped */
    uint64_t stack_start, stack_end; /* user RW NX; stack_end == mem_size */
    uint64_t cr3;                    /* the page tables (layout_populate) */
};

struct vm {
    const struct wisp_config *cfg;
    struct wisp_result *res;
    const char *kernel;      /* short name for messages */

    uint8_t *file;           /* the unikernel file, read whole (own mapping) */
    size_t file_size;
    size_t file_map_size;
    struct elf_image img;

    const struct mode_ops *mode; /* chosen from the image's notes */

    uint8_t *mem;            /* host mapping of guest RAM, mem_alloc bytes */
    uint64_t mem_size;       /* the guest's RAM: what it may name */
    uint64_t mem_alloc;      /* mapped and registered: mem_size + mode extras */
    /* A part of [0, mem_alloc) registered with KVM only when the guest
     * first touches it (kvm_map_deferred; the mode keeps the guest's page
     * tables from reaching it until then): a large memslot costs KVM set-up
     * and teardown on every boot (rmap allocation for shadow paging).  An
     * empty range (start == end, the default) defers nothing. */
    uint64_t mem_defer_start, mem_defer_end;
    int mem_defer_done;      /* kvm_map_deferred has registered it */
    struct vm_layout layout;
    struct vm_region regions[VM_MAX_REGIONS]; /* sorted, non-overlapping */
    unsigned nregions;
    struct wisp_boot_info *bi; /* inside mem */
    struct mft *mft;         /* the tender's own manifest copy (host heap) */
    size_t mft_size;

    struct kvm_backend *kvm;
    struct hvt *hvt;         /* the hvt mode's own state (modes/hvt only) */
    struct dumpcore *dumpcore; /* --dumpcore's state (debug/dumpcore.c), or NULL */
    struct symbols *symbols; /* function names for crash reports (debug/symbols.c) */
    struct gdb *gdb;         /* --gdb's server (debug/gdb*.c), or NULL */

    uint64_t tsc_base, tsc_hz, mono_base; /* guest TSC <-> host clock */

    hypercall_fn hypercalls[WISP_HC_MAX];
    struct poll_source poll[VM_MAX_POLL_SOURCES];
    unsigned npoll;

    /* Host-private state of each device, by handle, owned by the module
     * of the device's type (NULL if none). */
    void *dev_priv[MFT_MAX_ENTRIES];
    /* Shared rings (devices/ring.h), by handle; isolated mode only. */
    struct ring_dev *rings[MFT_MAX_ENTRIES];
    int rings_offered;       /* WISP_FEATURE_RINGS goes to the boot info */
};

/* vm_fail: format the run's error message; always returns -1. */
int vm_fail(struct vm *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* vm_console_write: write all n bytes to the console fd.  A full
 * non-blocking console (EAGAIN) is waited for (ppoll POLLOUT), however
 * slow its reader; an interrupted write is retried unless an ending signal
 * was caught (then -1, errno EINTR).  0, or -1 with errno. */
int vm_console_write(struct vm *vm, const void *buf, size_t n);

/* vm_console_drain: write what the guest left in its console buffer
 * (abi.h) to the console and empty it; called whenever the guest ends,
 * before any message of the tender's, so the output keeps its order. */
void vm_console_drain(struct vm *vm);

/* vm_guest_abi_error: print the violation, end the guest; returns HC_STOP. */
int vm_guest_abi_error(struct vm *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* vm_end: record how the guest ended; returns HC_STOP. */
int vm_end(struct vm *vm, enum wisp_end end, int status);

/* vm_release_file: unmap the unikernel file once its segments are in
 * guest memory; vm->img's pointers into it (file, mft) become NULL. */
void vm_release_file(struct vm *vm);

/* vm_event: record milestone `ev` now. */
void vm_event(struct vm *vm, enum wisp_event ev);

/* vm_guest_tsc_to_ns: a guest TSC value on the host CLOCK_MONOTONIC
 * timeline (0 if tsc is 0 or before the boot sample). */
uint64_t vm_guest_tsc_to_ns(const struct vm *vm, uint64_t tsc);

/*
 * hypercall_dispatch: serve hypercall `nr` with argument-struct address
 * `arg`: an unknown number, or an argument struct that is not 8-byte
 * aligned (abi.h), ends the guest as an ABI violation; otherwise the
 * handler's result.  The doorbell and the fuzz target both call this.
 */
int hypercall_dispatch(struct vm *vm, unsigned nr, wisp_gpa_t arg);

/* hypercall_register: install handler `fn` for `nr` (below the mode's
 * nhypercalls); -1 if taken or out of range. */
int hypercall_register(struct vm *vm, unsigned nr, hypercall_fn fn);

/* vm_poll: wait up to timeout_ns for input on any poll source; sets
 * *ready_set to bit (1 << handle) per device with input and returns their
 * number, or -1 (message set) if the wait itself failed.  Shared rings are
 * served before and after the wait (ring_poll_serve): input already in a
 * ring returns at once, and the taps of NICs with a ring are waited on
 * too.  A source whose fd reports an error instead of input (POLLERR or
 * POLLNVAL: a tap whose interface was deleted) has failed: it is reported
 * ready this once, so that the guest's read gets the error, a message
 * names the device, and it is never waited on again (an fd in error would
 * make every wait return at once: a guest spinning at 100% CPU). */
int vm_poll(struct vm *vm, uint64_t timeout_ns, uint64_t *ready_set);

/* poll_register: add a pollable fd for device `handle`; -1 when full. */
int poll_register(struct vm *vm, int fd, unsigned handle);

/* poll_replace: device `handle`'s poll source becomes eventfd `fd` (its
 * shared ring's notify fd), added if it had none; -1 when full. */
int poll_replace(struct vm *vm, unsigned handle, int fd);

#endif /* WISP_VM_H */
