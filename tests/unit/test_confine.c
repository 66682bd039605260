/*
 * Unit tests of the tender's seccomp confinement (tender/confine/confine.c): the
 * build-time filter is exactly what libseccomp builds from the tender's
 * rules at run time, it is used only where it applies, and a filtered
 * process that makes a forbidden syscall is killed (SIGSYS).
 */
#include <linux/kvm.h>
#include <seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "confine/confine.h"
#include "kvm/kvm_backend.h"
#include "core/vm.h"
#include "modes/hvt/hvt.h"
#include "vm_fixture.h"

/* make_vm: the common case the build-time filter is for (console on
 * CONFINE_CONSOLE_FD, vCPU on CONFINE_VCPU_FD), with `devices` attached
 * network devices declared in the manifest. */
static struct vm_fixture *make_vm(unsigned devices)
{
    static const struct vm_fixture_dev nic[] = {{"n1", MFT_DEV_NET_BASIC}, {"n2", MFT_DEV_NET_BASIC},
                                                {"n3", MFT_DEV_NET_BASIC}, {"n4", MFT_DEV_NET_BASIC}};
    struct vm_fixture *f;

    assert_true(devices <= 4);
    f = vm_fixture_new(&mode_isolated, 0, nic, devices);
    assert_non_null(f);
    f->cfg.console_fd = CONFINE_CONSOLE_FD;
    f->kb.vcpu_fd = CONFINE_VCPU_FD;
    for (unsigned i = 1; i <= devices; i++) {
        f->vm.mft->e[i].attached = 1;
        f->vm.mft->e[i].b.hostfd = 42;
    }
    return f;
}

/* assert_filter_is: the filter confine_build makes for f is `variant`,
 * byte for byte, and confine_precompiled_variant picks it. */
static void assert_filter_is(struct vm_fixture *f, int variant)
{
    size_t len = confine_precompiled[variant].len * sizeof(struct sock_filter);
    void *ctx;
    char *runtime;
    int fd;

    assert_true(len > 0);
    assert_int_equal(confine_precompiled_variant(&f->vm), variant);
    assert_int_equal(confine_build(&f->vm, &ctx), 0);
    fd = memfd_create("bpf", 0);
    assert_true(fd >= 0);
    assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
    assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)len);
    runtime = malloc(len);
    assert_int_equal(pread(fd, runtime, len, 0), (ssize_t)len);
    assert_memory_equal(runtime, confine_precompiled[variant].prog, len);
    free(runtime);
    close(fd);
    seccomp_release(ctx);
}

static void test_build_time_filter_matches_runtime(void **state)
{
    struct vm_fixture *f = make_vm(0);

    (void)state;
    assert_true(confine_core_bpf_len > 0);
    assert_ptr_equal(confine_precompiled[CONFINE_ISOLATED].prog, confine_core_bpf);
    assert_filter_is(f, CONFINE_ISOLATED);
    vm_fixture_free(f);
}

/* Compatibility mode at CPL3 without devices: its own build-time filters,
 * without and with deferred memory; none at CPL0, none on another VM fd. */
static void test_build_time_filters_of_compat_mode(void **state)
{
    struct vm_fixture *f = vm_fixture_new(&mode_hvt, 0, NULL, 0);
    struct hvt h = {.cpl3 = 1};

    (void)state;
    assert_non_null(f);
    f->cfg.console_fd = CONFINE_CONSOLE_FD;
    f->kb.vcpu_fd = CONFINE_VCPU_FD;
    f->kb.vm_fd = CONFINE_VM_FD;
    f->vm.hvt = &h;
    assert_filter_is(f, CONFINE_HVT_CPL3);
    f->vm.mem_defer_start = 64ull << 20;
    f->vm.mem_defer_end = 510ull << 20;
    assert_filter_is(f, CONFINE_HVT_CPL3_DEFER);
    f->kb.vm_fd = CONFINE_VM_FD + 1;
    assert_false(confine_precompiled_applies(&f->vm));
    f->kb.vm_fd = CONFINE_VM_FD;
    h.cpl3 = 0;
    assert_false(confine_precompiled_applies(&f->vm));
    vm_fixture_free(f);
}

static void test_applies_only_to_the_common_case(void **state)
{
    struct vm_fixture *f = make_vm(0), *g = make_vm(1);

    (void)state;
    assert_true(confine_precompiled_applies(&f->vm));
    assert_false(confine_precompiled_applies(&g->vm)); /* a device: its own rules */
    f->kb.vcpu_fd = CONFINE_VCPU_FD + 1;
    assert_false(confine_precompiled_applies(&f->vm));
    f->kb.vcpu_fd = CONFINE_VCPU_FD;
    f->cfg.console_fd = 7;
    assert_false(confine_precompiled_applies(&f->vm));
    vm_fixture_free(f);
    vm_fixture_free(g);
}

/* run_confined: fork; the child confines itself as `f` says, then makes
 * the syscall `nr`; returns the child's wait status. */
static int run_confined(struct vm_fixture *f, long nr)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        if (seccomp_confine(&f->vm))
            _exit(100);
        syscall(nr, 0, 0, 0);
        _exit(0); /* allowed: exit_group is */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_forbidden_syscall_kills_process(void **state)
{
    struct vm_fixture *f = make_vm(0), *g = make_vm(1);
    int st;

    (void)state;
    st = run_confined(f, SYS_getpid); /* build-time filter */
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
    st = run_confined(g, SYS_getpid); /* runtime filter */
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
    st = run_confined(f, SYS_openat); /* no file may be opened once confined */
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
    vm_fixture_free(f);
    vm_fixture_free(g);
}

static void test_allowed_syscall_passes(void **state)
{
    struct vm_fixture *f = make_vm(0);
    int st = run_confined(f, SYS_rt_sigreturn + 10000); /* no such syscall: killed */

    (void)state;
    assert_true(WIFSIGNALED(st));
    st = run_confined(f, SYS_close); /* allowed (teardown) */
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    vm_fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_time_filter_matches_runtime),
        cmocka_unit_test(test_build_time_filters_of_compat_mode),
        cmocka_unit_test(test_applies_only_to_the_common_case),
        cmocka_unit_test(test_forbidden_syscall_kills_process),
        cmocka_unit_test(test_allowed_syscall_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
