/*
 * confine.c: the process target's seccomp allow-list, installed after every
 * device is open and the heap is mapped, before the unikernel's first
 * instruction: the system calls behind the solo5.h API and nothing else,
 * any other one kills the process (as solo5-spt does).  The filter is a
 * few BPF instructions written out here; the program has no libseccomp.
 */
#include "internal.h"
#include "sys.h"

#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define AUDIT_ARCH_X86_64 0xc000003eu
#define X32_SYSCALL_BIT 0x40000000u
#define SYS_rt_sigreturn 15

/* Classic BPF, as <linux/filter.h> defines it. */
struct sock_filter {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};
struct sock_fprog {
    unsigned short len;
    struct sock_filter *filter;
};
#define BPF_LD_W_ABS 0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define BPF_JEQ_K 0x15    /* BPF_JMP | BPF_JEQ | BPF_K */
#define BPF_JGE_K 0x35    /* BPF_JMP | BPF_JGE | BPF_K */
#define BPF_RET_K 0x06    /* BPF_RET | BPF_K */
#define OFF_NR 0          /* struct seccomp_data.nr */
#define OFF_ARCH 4        /* struct seccomp_data.arch */

static const uint32_t allowed[] = {
    SYS_read, SYS_write, SYS_pread64, SYS_pwrite64, SYS_ppoll, SYS_clock_gettime,
    SYS_fdatasync, SYS_exit, SYS_exit_group, SYS_arch_prctl, SYS_rt_sigreturn,
    SYS_getrandom,
};
#define NALLOWED (sizeof allowed / sizeof allowed[0])

void wp_confine(void)
{
    /* arch load and check, nr load and x32 check, one test per call, then
     * kill (what no test matched falls through to it) and allow */
    struct sock_filter f[4 + NALLOWED + 2];
    struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
    unsigned n = 0, kill = (unsigned)(sizeof f / sizeof f[0]) - 2;
    long r;

    f[n++] = (struct sock_filter){ BPF_LD_W_ABS, 0, 0, OFF_ARCH };
    f[n] = (struct sock_filter){ BPF_JEQ_K, 0, (uint8_t)(kill - n - 1), AUDIT_ARCH_X86_64 };
    n++;
    f[n++] = (struct sock_filter){ BPF_LD_W_ABS, 0, 0, OFF_NR };
    f[n] = (struct sock_filter){ BPF_JGE_K, (uint8_t)(kill - n - 1), 0, X32_SYSCALL_BIT };
    n++;
    for (unsigned i = 0; i < NALLOWED; i++, n++)
        f[n] = (struct sock_filter){ BPF_JEQ_K, (uint8_t)(kill + 1 - n - 1), 0, allowed[i] };
    f[kill] = (struct sock_filter){ BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS };
    f[kill + 1] = (struct sock_filter){ BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW };

    if (sys6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) < 0)
        wp_fail("seccomp: cannot set no_new_privs");
    r = sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    if (r < 0)
        wp_fail("seccomp: cannot install the filter: %s", wp_strerror(-r));
}
