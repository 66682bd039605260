/*
 * Compat-mode core hypercalls (SOLO5_HVT_ABI.md 1.2): WALLTIME, PUTS,
 * POLL and HALT, and the checked guest-address translation they all use.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modes/hvt/hvt.h"
#include "core/vm.h"

void *hvt_gpa(const struct vm *vm, uint64_t gpa, uint64_t len, int write, const char **why)
{
    uint64_t end;

    if (__builtin_add_overflow(gpa, len, &end) || gpa >= vm->mem_size ||
        end > vm->mem_size) {
        *why = "outside guest memory";
        return NULL;
    }
    if (!write)
        return vm->mem + gpa;
    /* The host maps text and rodata read-only (hvt_load_elf): a store
     * there would kill the tender with SIGSEGV, not end the guest. */
    for (unsigned i = 0; i < vm->img.nsegs; i++) {
        const struct elf_segment *s = &vm->img.seg[i];
        uint64_t lo = s->vaddr & ~0xfffull;
        uint64_t hi = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;

        if (!(s->flags & SEG_W) && gpa < hi && end > lo) {
            *why = "read-only guest memory";
            return NULL;
        }
    }
    return vm->mem + gpa;
}

static void *checked(struct vm *vm, uint64_t gpa, uint64_t len, int write, const char *what)
{
    const char *why;
    void *p = hvt_gpa(vm, gpa, len, write, &why);

    if (p)
        return p;
    if (write && strcmp(why, "read-only guest memory") == 0)
        vm_fail(vm, "Invalid guest access: gpa=0x%llx, sz=%llu (%s): %s",
                (unsigned long long)gpa, (unsigned long long)len, what, why);
    else
        vm_fail(vm, "Invalid guest access: gpa=0x%llx, sz=%llu (%s)",
                (unsigned long long)gpa, (unsigned long long)len, what);
    return NULL;
}

void *hvt_checked_gpa(struct vm *vm, uint64_t gpa, uint64_t len, const char *what)
{
    return checked(vm, gpa, len, 0, what);
}

void *hvt_checked_gpa_w(struct vm *vm, uint64_t gpa, uint64_t len, const char *what)
{
    return checked(vm, gpa, len, 1, what);
}

static int hc_walltime(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_walltime *a = hvt_checked_gpa_w(vm, gpa, sizeof *a, "WALLTIME");
    struct timespec ts;

    if (!a)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    a->nsecs = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return HC_CONTINUE;
}

/* hc_puts: the whole buffer reaches the console (Solo5 ignores short
 * writes; wisp completes them). */
static int hc_puts(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_puts *a = hvt_checked_gpa(vm, gpa, sizeof *a, "PUTS");
    const uint8_t *p;
    uint64_t n;

    if (!a)
        return -1;
    n = a->len;
    p = hvt_checked_gpa(vm, a->data, n, "PUTS data");
    if (!p)
        return -1;
    while (n > 0) {
        ssize_t w = write(vm->cfg->console_fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return vm_fail(vm, "console: write failed: %s", strerror(errno));
        p += w;
        n -= (uint64_t)w;
    }
    return HC_CONTINUE;
}

/* hc_poll: wait up to timeout_nsecs (relative) for a network device;
 * ready_set gets bit (1 << handle) per ready device, ret their number. */
static int hc_poll(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_poll *a = hvt_checked_gpa_w(vm, gpa, sizeof *a, "POLL");
    uint64_t ready;
    int count;

    if (!a)
        return -1;
    count = vm_poll(vm, a->timeout_nsecs, &ready);
    if (count < 0)
        return -1;
    a->ready_set = ready;
    a->ret = count;
    return HC_CONTINUE;
}

/* Solo5's trap frame, handed over as the HALT cookie by a trapping guest. */
struct hvt_trap_frame {
    uint64_t cr2, ec, rip, cs, rflags, rsp, ss;
};

int hvt_halt(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_halt *a = hvt_checked_gpa(vm, gpa, sizeof *a, "HALT");
    int status;

    if (!a)
        return -1;
    status = a->exit_status & 0xff;
    if (a->cookie) {
        const struct hvt_trap_frame *f =
            hvt_checked_gpa(vm, a->cookie, HVT_HALT_COOKIE_MAX, "HALT cookie");
        char line[256];
        int len;

        if (!f)
            return -1;
        /* The guest printed its own "Solo5: ABORT"/"trap" lines; add where
         * it stopped, once, on stderr. */
        len = snprintf(line, sizeof line, "wisp: guest halted with status %d; trap frame: "
                       "rip=0x%llx rsp=0x%llx rflags=0x%llx cr2=0x%llx ec=0x%llx\n", status,
                       (unsigned long long)f->rip, (unsigned long long)f->rsp,
                       (unsigned long long)f->rflags, (unsigned long long)f->cr2,
                       (unsigned long long)f->ec);
        if (len > 0)
            (void)!write(2, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    }
    return vm_end(vm, status == 255 ? WISP_END_ABORT : WISP_END_EXIT, status);
}

void hvt_core_register(struct vm *vm)
{
    vm->hvt->hc[HVT_HYPERCALL_WALLTIME] = hc_walltime;
    vm->hvt->hc[HVT_HYPERCALL_PUTS] = hc_puts;
    vm->hvt->hc[HVT_HYPERCALL_POLL] = hc_poll;
}
