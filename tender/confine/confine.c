/*
 * Confinement: after every resource is acquired and before the first
 * KVM_RUN, the tender installs a seccomp allow-list (libseccomp).  Any
 * other syscall kills the whole process (SCMP_ACT_KILL_PROCESS).
 *
 * The common serverless case (isolated mode, or compatibility mode at
 * CPL3, no devices, console on fd 1, the vCPU on fd CONFINE_VCPU_FD) loads
 * a filter that libseccomp built from these same rules at build time (tools/gen-seccomp.c -> confine_bpf.c):
 * libseccomp's construction and its kernel probes cost ~0.1 ms per boot.
 * tests/unit/test_confine.c checks that the two filters are identical.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm/kvm_backend.h"
#include "core/module.h"
#include "confine/confine.h"
#include "core/mode.h"
#include "core/vm.h"
#include "devices/ring.h"

/* allow_vcpu_ioctl: ioctl(vcpu_fd, request) only. */
static int allow_vcpu_ioctl(scmp_filter_ctx ctx, int fd, unsigned long request)
{
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                            SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd),
                            SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)request));
}

int confine_build(struct vm *vm, void **out)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int vcpu = vm->kvm->vcpu_fd;
    int r = 0;

    if (!ctx)
        return vm_fail(vm, "seccomp: cannot create a filter");
    r |= allow_vcpu_ioctl(ctx, vcpu, KVM_RUN);       /* the run loop */
    r |= allow_vcpu_ioctl(ctx, vcpu, KVM_GET_SREGS); /* crash reports: CR2 */
    r |= allow_vcpu_ioctl(ctx, vcpu, KVM_GET_REGS);  /* triple-fault report */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);   /* the end */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0); /* signals */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);       /* teardown */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(close), 0);        /* teardown */
    if (r) {
        seccomp_release(ctx);
        return vm_fail(vm, "seccomp: cannot add the base rules");
    }
    for (const struct module *const *m = wisp_modules; *m; m++) {
        if ((*m)->seccomp_rules && (*m)->seccomp_rules(vm, ctx)) {
            seccomp_release(ctx);
            return -1;
        }
    }
    if (ring_seccomp_rules(vm, ctx) ||
        (vm->mode->seccomp_rules && vm->mode->seccomp_rules(vm, ctx))) {
        seccomp_release(ctx);
        return -1;
    }
    *out = ctx;
    return 0;
}

int confine_precompiled_variant(const struct vm *vm)
{
    int v = -1;

    if (vm->mode->precompiled_variant)
        v = vm->mode->precompiled_variant(vm);
    if (v < 0 || v >= CONFINE_VARIANTS || confine_precompiled[v].len == 0 ||
        vm->cfg->console_fd != CONFINE_CONSOLE_FD || vm->cfg->log_fd != CONFINE_LOG_FD ||
        (vm->cfg->stats_fd >= 0 && vm->cfg->stats_fd != CONFINE_LOG_FD) ||
        vm->kvm->vcpu_fd != CONFINE_VCPU_FD ||
        (v != CONFINE_ISOLATED && vm->kvm->vm_fd != CONFINE_VM_FD) ||
        vm->cfg->input_fd >= 0 || /* the input module's rules (devices/input.c) */
        vm->dumpcore /* its own rules (debug/dumpcore.c) */ ||
        vm->gdb /* its own rules (debug/gdb.c) */)
        return -1;
    for (unsigned i = 1; i < vm->mft->entries; i++)
        if (vm->mft->e[i].attached)
            return -1;
    return v;
}

int confine_variant_isolated(const struct vm *vm)
{
    (void)vm;
    return CONFINE_ISOLATED;
}

int confine_precompiled_applies(const struct vm *vm)
{
    return confine_precompiled_variant(vm) >= 0;
}

/* load_precompiled: the build-time filter (confine_bpf.c), as libseccomp
 * would load it: no_new_privs, then the program. */
static int load_precompiled(struct vm *vm, int variant)
{
    struct sock_fprog prog = {
        .len = (unsigned short)confine_precompiled[variant].len,
        .filter = (struct sock_filter *)(uintptr_t)confine_precompiled[variant].prog,
    };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return vm_fail(vm, "seccomp: cannot set no_new_privs: %s", strerror(errno));
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return vm_fail(vm, "seccomp: cannot load the filter: %s", strerror(errno));
    return 0;
}

int seccomp_confine(struct vm *vm)
{
    int r, variant = confine_precompiled_variant(vm);
    void *ctx;

    /* No thread exists when a build-time filter applies (compat's net
     * ring thread needs a device): no TSYNC needed. */
    if (variant >= 0)
        return load_precompiled(vm, variant);
    if (confine_build(vm, &ctx))
        return -1;
    r = seccomp_load(ctx); /* sets no_new_privs first (libseccomp default) */
    seccomp_release(ctx);
    if (r)
        return vm_fail(vm, "seccomp: cannot load the filter: %s", strerror(-r));
    return 0;
}
