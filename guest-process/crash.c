/*
 * crash.c: a unikernel run as a process that faults (bad access, illegal
 * instruction, division error) ends as under wisp: a one-line crash report
 * on stderr naming the signal, the address and the instruction, and the
 * guest-fault exit status 255, instead of a core-dumping signal.  The
 * handler runs on its own stack (a stack overflow is reported too) and
 * never returns, so it needs no system call beyond write and exit_group.
 */
#include "internal.h"
#include "sys.h"

#define SYS_rt_sigaction 13
#define SYS_sigaltstack 131
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SIGILL 4
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11

struct kernel_sigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

struct stack_t_ {
    void *sp;
    int flags;
    size_t size;
};

/* Offsets in the kernel's siginfo and ucontext (x86_64). */
#define SIGINFO_ADDR_OFF 16
#define UCONTEXT_RIP_OFF (40 + 16 * 8)
#define UCONTEXT_RSP_OFF (40 + 15 * 8)

static uint8_t altstack[16384] __attribute__((aligned(16)));

static const char *signame(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    default: return "signal";
    }
}

static void hex(char *out, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    int i;

    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 16; i++)
        out[2 + i] = digits[(v >> (60 - 4 * i)) & 0xf];
    out[18] = '\0';
}

static void on_fault(int sig, void *info, void *uctx)
{
    char addr[19], rip[19], rsp[19], line[256];
    size_t n;

    hex(addr, *(uint64_t *)((char *)info + SIGINFO_ADDR_OFF));
    hex(rip, *(uint64_t *)((char *)uctx + UCONTEXT_RIP_OFF));
    hex(rsp, *(uint64_t *)((char *)uctx + UCONTEXT_RSP_OFF));
    wp_format(line, sizeof line - 1,
              "wisp: guest crashed: %s at %s\nwisp:   instruction at %s, rsp %s", signame(sig),
              addr, rip, rsp);
    n = wp_strlen(line);
    line[n++] = '\n';
    sys3(SYS_write, 2, line, n);
    for (;;)
        sys1(SYS_exit_group, WP_EXIT_ABORT);
}

/* Never used (the handler exits), but the kernel wants a restorer. */
extern void wp_sigreturn(void);
__asm__(".text\n"
        "wp_sigreturn:\n"
        "    movq $15, %rax\n"
        "    syscall\n"
        "    ud2\n");

void wp_crash_init(void)
{
    struct stack_t_ ss = { altstack, 0, sizeof altstack };
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };

    if (sys2(SYS_sigaltstack, &ss, NULL) < 0)
        wp_fail("cannot set up the crash handler's stack");
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct kernel_sigaction sa = {
            .handler = on_fault,
            .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
            .restorer = wp_sigreturn,
            .mask = ~0ull,
        };
        if (sys4(SYS_rt_sigaction, sigs[i], &sa, NULL, 8) < 0)
            wp_fail("cannot install the crash handler");
    }
}
