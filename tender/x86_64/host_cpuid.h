/*
 * The host facts a guest's CPUID table is made from: KVM's supported table
 * (KVM_GET_SUPPORTED_CPUID) and, on PVM, the host CPU's user-mode ISA
 * bits.  Collecting them costs ~0.5 ms on a nested development machine
 * (every `cpuid` the kernel runs traps to the outer hypervisor, ~7 us each;
 * bench/README.md), which is a quarter of a whole boot; they cannot change
 * while the kernel runs, so they are cached for the running kernel:
 *
 *   root:   /run/wisp/cpuid-v1          (tmpfs: gone at reboot)
 *   others: $XDG_RUNTIME_DIR/wisp/cpuid-v1, or no cache
 *
 * A cache file is used only if it and its directory belong to the caller
 * and are writable by nobody else, its size is exact, and it was written
 * under the same kernel (uname release and version).  Anything else is
 * ignored and rewritten.  The cache only decides what the guest is told
 * about the CPU; KVM still validates every register the tender sets.
 * After reloading the KVM modules with other parameters, delete it.
 */
#ifndef WISP_HOST_CPUID_H
#define WISP_HOST_CPUID_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

struct host_cpuid {
    struct kvm_cpuid2 *supported; /* host_cpuid_table_alloc'ed */
    uint32_t is_pvm;
    uint32_t l1_ecx, l7_ebx, l7_ecx; /* host CPUID bits, meaningful on PVM */
};

#define CPUID_CACHE_MAX_ENTRIES 4096
/* The longest cache path used (NUL included): a longer $XDG_RUNTIME_DIR
 * means no cache.  Small on purpose: these buffers are on the stack of
 * every boot, and each 4 KiB of stack depth stays resident per guest. */
#define CPUID_CACHE_PATH_MAX 256

/* host_cpuid_get: from the cache, or from KVM and the CPU (then cached).
 * Returns 0, or -1 with the message set. */
int host_cpuid_get(struct vm *vm, struct host_cpuid *hc);

/* host_cpuid_free: release hc->supported. */
void host_cpuid_free(struct host_cpuid *hc);

/* host_cpuid_table_alloc: a zeroed table with room for
 * CPUID_CACHE_MAX_ENTRIES entries (nent 0), for hc->supported; NULL if
 * out of memory.  A mapping of its own, not the heap: host_cpuid_free
 * unmaps it, where a freed heap buffer would stay resident in every idle
 * tender (bench/README.md, memory); only the entries used are touched. */
struct kvm_cpuid2 *host_cpuid_table_alloc(void);

/* cpuid_cache_path: the cache file for the caller (see above) in buf, or
 * NULL if there is none (or it would not fit in len bytes). */
const char *cpuid_cache_path(char *buf, size_t len);

/* cpuid_cache_load / cpuid_cache_store: read or atomically write the cache
 * at `path` (shorter than CPUID_CACHE_PATH_MAX, or -1).  load returns 0 with hc filled, or -1 (no file, or a file that
 * fails any check above: not an error).  store returns 0 or -1. */
int cpuid_cache_load(const char *path, struct host_cpuid *hc);
int cpuid_cache_store(const char *path, const struct host_cpuid *hc);

#endif /* WISP_HOST_CPUID_H */
