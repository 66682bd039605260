/*
 * Host CPUID facts and their per-kernel cache (see host_cpuid.h).
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "x86_64/host_cpuid.h"
#include "kvm/kvm_backend.h"
#include "core/vm.h"

#define CACHE_MAGIC "WISPCPU1"

struct cache_header {
    char magic[8];
    uint32_t nent;
    uint32_t is_pvm;
    uint32_t l1_ecx, l7_ebx, l7_ecx, _pad;
    char release[65];
    char version[65];
    char _pad2[6];
};
_Static_assert(sizeof(struct cache_header) == 168, "cache header size");

/* kernel_id: the running kernel's release and version strings. */
static void kernel_id(struct cache_header *h)
{
    struct utsname u;

    memset(h->release, 0, sizeof h->release);
    memset(h->version, 0, sizeof h->version);
    if (uname(&u) == 0) {
        snprintf(h->release, sizeof h->release, "%s", u.release);
        snprintf(h->version, sizeof h->version, "%s", u.version);
    }
}

/* private_to_me: owned by the caller, writable by nobody else. */
static int private_to_me(const struct stat *st)
{
    return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

const char *cpuid_cache_path(char *buf, size_t len)
{
    const char *base = geteuid() == 0 ? "/run" : getenv("XDG_RUNTIME_DIR");
    int n;

    if (!base || base[0] != '/')
        return NULL;
    n = snprintf(buf, len, "%s/wisp/cpuid-v1", base);
    return (n > 0 && (size_t)n < len) ? buf : NULL;
}

/* dir_ok: the cache file's directory exists, is a real directory (not a
 * link) and is private to the caller. */
static int dir_ok(const char *path)
{
    char dir[CPUID_CACHE_PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct stat st;

    if (!slash || (size_t)(slash - path) >= sizeof dir)
        return 0;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && private_to_me(&st);
}

int cpuid_cache_load(const char *path, struct host_cpuid *hc)
{
    struct cache_header h, now;
    struct stat st;
    size_t body;
    int fd;

    if (!dir_ok(path))
        return -1;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !private_to_me(&st) ||
        read(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, CACHE_MAGIC, 8) != 0 ||
        h.nent == 0 || h.nent > CPUID_CACHE_MAX_ENTRIES)
        goto invalid;
    body = (size_t)h.nent * sizeof(struct kvm_cpuid_entry2);
    if ((uint64_t)st.st_size != sizeof h + body)
        goto invalid;
    kernel_id(&now);
    if (memcmp(h.release, now.release, sizeof h.release) != 0 ||
        memcmp(h.version, now.version, sizeof h.version) != 0)
        goto invalid;
    hc->supported = host_cpuid_table_alloc();
    if (!hc->supported)
        goto invalid;
    if (read(fd, hc->supported->entries, body) != (ssize_t)body) {
        host_cpuid_free(hc);
        goto invalid;
    }
    close(fd);
    hc->supported->nent = h.nent;
    hc->supported->padding = 0;
    hc->is_pvm = h.is_pvm;
    hc->l1_ecx = h.l1_ecx;
    hc->l7_ebx = h.l7_ebx;
    hc->l7_ecx = h.l7_ecx;
    return 0;
invalid:
    close(fd);
    return -1;
}

int cpuid_cache_store(const char *path, const struct host_cpuid *hc)
{
    struct cache_header h = {.nent = hc->supported->nent, .is_pvm = hc->is_pvm,
                             .l1_ecx = hc->l1_ecx, .l7_ebx = hc->l7_ebx,
                             .l7_ecx = hc->l7_ecx};
    size_t body = (size_t)h.nent * sizeof(struct kvm_cpuid_entry2);
    char dir[CPUID_CACHE_PATH_MAX], tmp[CPUID_CACHE_PATH_MAX + 24];
    const char *slash = strrchr(path, '/');
    int fd, ok;

    if (!slash || (size_t)(slash - path) >= sizeof dir || strlen(path) >= sizeof dir ||
        h.nent > CPUID_CACHE_MAX_ENTRIES)
        return -1;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -1;
    if (!dir_ok(path))
        return -1;
    memcpy(h.magic, CACHE_MAGIC, 8);
    kernel_id(&h);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
         write(fd, hc->supported->entries, body) == (ssize_t)body;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* collect: ask KVM and the CPU (the slow path). */
static int collect(struct vm *vm, struct host_cpuid *hc)
{
    unsigned a, b, c, d;

    hc->supported = host_cpuid_table_alloc();
    if (!hc->supported)
        return vm_fail(vm, "out of memory");
    if (kvm_supported_cpuid(vm, hc->supported, CPUID_CACHE_MAX_ENTRIES)) {
        host_cpuid_free(hc);
        return -1;
    }
    hc->is_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
    hc->l1_ecx = hc->l7_ebx = hc->l7_ecx = 0;
    if (hc->is_pvm) {
        __cpuid_count(1, 0, a, b, c, d);
        hc->l1_ecx = c;
        if (__get_cpuid_max(0, NULL) >= 7) {
            __cpuid_count(7, 0, a, b, c, d);
            hc->l7_ebx = b;
            hc->l7_ecx = c;
        }
    }
    (void)a;
    (void)d;
    return 0;
}

int host_cpuid_get(struct vm *vm, struct host_cpuid *hc)
{
    char buf[CPUID_CACHE_PATH_MAX];
    const char *path = cpuid_cache_path(buf, sizeof buf);

    memset(hc, 0, sizeof *hc);
    if (path && cpuid_cache_load(path, hc) == 0)
        return 0;
    if (collect(vm, hc))
        return -1;
    if (path)
        (void)cpuid_cache_store(path, hc); /* an optimisation: failure is fine */
    return 0;
}

#define TABLE_BYTES (sizeof(struct kvm_cpuid2) + \
                     CPUID_CACHE_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2))

struct kvm_cpuid2 *host_cpuid_table_alloc(void)
{
    void *p = mmap(NULL, TABLE_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    return p == MAP_FAILED ? NULL : p;
}

void host_cpuid_free(struct host_cpuid *hc)
{
    if (hc->supported)
        munmap(hc->supported, TABLE_BYTES);
    hc->supported = NULL;
}
