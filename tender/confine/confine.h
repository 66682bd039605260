/* Confinement of the tender before it runs the guest. */
#ifndef WISP_CONFINE_H
#define WISP_CONFINE_H

#include <linux/filter.h>

struct vm;

/* The file descriptors the build-time filter was generated for.  kvm_open
 * moves the vCPU fd to CONFINE_VCPU_FD when that number is free. */
#define CONFINE_VCPU_FD    100
#define CONFINE_CONSOLE_FD 1
#define CONFINE_LOG_FD     2

/* The build-time filter (confine_bpf.c, generated); len 0 if none. */
extern const struct sock_filter confine_core_bpf[];
extern const unsigned confine_core_bpf_len;

/* seccomp_confine: install the allow-list (base + every module's rules).
 * Afterwards only the run loop's syscalls are possible. */
int seccomp_confine(struct vm *vm);

/* confine_build: the allow-list for `vm` as a libseccomp filter context,
 * in *ctx (a scmp_filter_ctx; the caller releases it). */
int confine_build(struct vm *vm, void **ctx);

/* confine_precompiled_applies: whether the build-time filter is exactly
 * the allow-list confine_build would make for `vm`. */
int confine_precompiled_applies(const struct vm *vm);

#endif /* WISP_CONFINE_H */
