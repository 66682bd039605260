/*
 * A guest mode: how a unikernel of one kind is booted and served.  Chosen
 * once, from the image's ELF notes (mode_for_image), right after the image
 * is parsed; from then on the run phases (core/run.c) call the mode's
 * operations and never ask which mode they run.
 *
 *   isolated  wisp's own ABI: CPL3 guest, doorbell hypercalls (modes/isolated)
 *   hvt       Solo5 hvt ABI 2 compatibility: CPL0 guest, port I/O (modes/hvt)
 *
 * Every operation returns 0, or -1 with the run's message set (vm_fail).
 */
#ifndef WISP_MODE_H
#define WISP_MODE_H

#include <stdint.h>

struct vm;
struct kvm_run;
struct elf_image;

enum mode_id { MODE_ISOLATED, MODE_HVT, MODE_COUNT };

struct mode_ops {
    /* Index of this mode's entry in each module's hypercall tables. */
    enum mode_id id;
    /* Hypercall numbers of this mode are below this. */
    unsigned nhypercalls;
    /* precompiled_variant: which build-time seccomp filter
     * (confine/confine.h, enum confine_variant) this mode's rules for `vm`
     * are, or -1 for none; confine.c checks the rest (fds, no devices).
     * Optional. */
    int (*precompiled_variant)(const struct vm *vm);
    /* check_image: the mode's own checks of the parsed image, before any
     * option is handled. */
    int (*check_image)(struct vm *vm);
    /* plan_memory: with every option handled: vm->mem_size (what the guest
     * may name) and vm->mem_alloc (the host mapping and memslot, at least
     * mem_size) and where things go; no guest memory exists yet. */
    int (*plan_memory)(struct vm *vm);
    /* load: fill the zeroed guest memory (tables, ELF segments) while the
     * unikernel file is still mapped. */
    int (*load)(struct vm *vm);
    /* setup_cpu: after the modules' setup: the vCPU, the clock and the boot
     * info; the last step before the seccomp filter. */
    int (*setup_cpu)(struct vm *vm);
    /* seccomp_rules: the mode's own allow rules (ctx is a
     * scmp_filter_ctx).  Optional. */
    int (*seccomp_rules)(struct vm *vm, void *ctx);
    /* handle_exit: one VM exit: HC_CONTINUE, HC_STOP or -1. */
    int (*handle_exit)(struct vm *vm, struct kvm_run *run);
    /* finish: after the guest ended or the run failed, before the modules'
     * teardown; sets the mode's exit status for tender errors.  Optional. */
    void (*finish)(struct vm *vm);
};

extern const struct mode_ops mode_isolated;
extern const struct mode_ops mode_hvt;

/* mode_for_image: the mode of an image elf_parse has seen, even if it then
 * refused it: an image with a wisp ABI note is isolated mode's (even if
 * it also carries a Solo5 ABI1 note: the wisp note wins, as in
 * elf_parse), one with only a Solo5 ABI1 note the hvt mode's, so that its
 * errors get solo5-hvt's exit status; anything else isolated. */
const struct mode_ops *mode_for_image(const struct elf_image *img);

#endif /* WISP_MODE_H */
