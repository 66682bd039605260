/* Confinement of the tender before it runs the guest. */
#ifndef WISP_CONFINE_H
#define WISP_CONFINE_H

#include <linux/filter.h>

struct vm;

/* The file descriptors the build-time filter was generated for.  kvm_open
 * moves the vCPU fd to CONFINE_VCPU_FD when that number is free. */
#define CONFINE_VCPU_FD    100
#define CONFINE_VM_FD      101 /* the VM fd likewise (compat mode's rules name it) */
#define CONFINE_CONSOLE_FD 1
#define CONFINE_LOG_FD     2

/* The build-time filter (confine_bpf.c, generated); len 0 if none. */
extern const struct sock_filter confine_core_bpf[];
extern const unsigned confine_core_bpf_len;

/* Every build-time filter, by the case it serves (a mode's
 * precompiled_variant names one): isolated mode (confine_core_bpf), and
 * compatibility mode at CPL3 without and with deferred guest memory
 * (modes/hvt/emulate.h).  Each serves no devices, console on fd 1, the
 * vCPU on CONFINE_VCPU_FD (and the VM on CONFINE_VM_FD for compat). */
enum confine_variant {
    CONFINE_ISOLATED, CONFINE_HVT_CPL3, CONFINE_HVT_CPL3_DEFER, CONFINE_VARIANTS
};
struct confine_bpf {
    const struct sock_filter *prog;
    unsigned len;            /* 0: not generated */
};
extern const struct confine_bpf confine_precompiled[CONFINE_VARIANTS];

/* seccomp_confine: install the allow-list (base + every module's rules).
 * Afterwards only the run loop's syscalls are possible. */
int seccomp_confine(struct vm *vm);

/* confine_build: the allow-list for `vm` as a libseccomp filter context,
 * in *ctx (a scmp_filter_ctx; the caller releases it). */
int confine_build(struct vm *vm, void **ctx);

/* confine_precompiled_variant: the build-time filter that is exactly the
 * allow-list confine_build would make for `vm` (enum confine_variant), or
 * -1 if none is.  confine_precompiled_applies: whether there is one. */
int confine_precompiled_variant(const struct vm *vm);
int confine_precompiled_applies(const struct vm *vm);

/* confine_variant_isolated: isolated mode's precompiled_variant (core/mode.h). */
int confine_variant_isolated(const struct vm *vm);

#endif /* WISP_CONFINE_H */
