/*
 * wisp as a library: one call boots one unikernel and reports how it ended.
 * tender/programs/wisp.c is a thin wrapper around cli_parse() and wisp_run(); tests and
 * benchmarks can call wisp_run() in-process.
 *
 * Error policy of the library layer: functions return 0 or -1; on -1 they
 * have written one message (no "wisp:" prefix, no newline) into the run's
 * error buffer with vm_fail().  Nothing below main() calls exit(), except
 * the seccomp kernel action on a forbidden syscall.
 */
#ifndef WISP_WISP_H
#define WISP_WISP_H

#include <stddef.h>
#include <stdint.h>

#include "wisp/abi.h"

/* Exit statuses of the wisp process (also in --help and README). */
#define WISP_EXIT_TENDER_ERROR 253 /* wisp could not start or serve the guest */
#define WISP_EXIT_GUEST_FAULT  255 /* guest crashed, aborted or broke the ABI */
#define WISP_EXIT_TIMEOUT      124 /* --timeout ran out (as timeout(1)); compat mode: 1 */

#define WISP_MEM_DEFAULT_MIB 32
#define WISP_ERR_MAX 512
#define WISP_MAX_DEVICE_ARGS 128

/* A device option from the command line, kept for the module that owns it. */
struct wisp_device_arg {
    const char *arg; /* the whole argument, e.g. "--net:service0=tap0" */
};

struct wisp_config {
    const char *kernel;            /* path of the unikernel ELF */
    uint64_t mem_size;             /* guest RAM in bytes */
    int console_fd;                /* where guest console output goes */
    int log_fd;                    /* where wisp's own messages go (vm_log) */
    unsigned ndevice_args;         /* used entries of device_args (below) */
    /* The guest's input stream (devices/input.c): -1 none; otherwise a
     * readable fd (`wisp --input`: 0).  With input_handoff_fd >= 0 (wisp
     * serve's pool), the guest's first console, poll, input, exit or clock
     * hypercall first waits on that Unix socket for one message carrying a
     * connection fd (SCM_RIGHTS), which then becomes both input_fd and
     * console_fd (dup3 onto them); the socket's end before a message ends
     * the run quietly with status 0.  input_ready_fd >= 0: a pipe on which
     * one byte is written just before that wait (the guest is booted). */
    int input_fd;
    int input_handoff_fd;
    int input_ready_fd;
    int no_seccomp;                /* tests only: skip the seccomp filter */
    int timings;                   /* print the milestones at exit */
    const char *stats_path;        /* --stats[=FILE]: JSON at exit ("" = stderr) */
    int stats_fd;                  /* where the caller writes it (seccomp allows it), -1 */
    int ioeventfd;                 /* --ioeventfd: net ring kicks through KVM_IOEVENTFD */
    int no_rings;                  /* --no-rings: do not offer shared rings */
    int solo5_cpl0;                /* --solo5:cpl0: a Solo5 hvt guest at CPL0 */
    int solo5_trap_io;             /* --solo5:trap-io: CPL3 hypercalls trap (no I/O bitmap) */
    uint64_t timeout_ms;           /* --timeout: end the guest after this long; 0 none */
    const char *timeout_arg;       /* --timeout's value as given, for the message */
    uint64_t t_main;               /* WISP_EV_MAIN, from the caller */
    /* Optional: called once the VM is fully prepared (resources acquired,
     * registers set), before the seccomp filter and the guest's first
     * instruction; may block (wisp-oci waits there for `start`).  Non-zero
     * ends the run as a tender error ("stopped before the guest started"). */
    int (*before_guest)(void *arg);
    void *before_guest_arg;
    /* The two large arrays last: wisp_config_init does not clear them (only
     * their used parts mean anything), so a tender whose config is static
     * keeps one page of it resident, not three (bench/README.md, memory). */
    struct wisp_device_arg device_args[WISP_MAX_DEVICE_ARGS];
    char cmdline[WISP_CMDLINE_MAX];/* guest command line, NUL-terminated */
};

enum wisp_end {
    WISP_END_EXIT,     /* guest called solo5_exit(status) */
    WISP_END_ABORT,    /* guest called solo5_abort() or failed a check */
    WISP_END_CRASH,    /* CPU exception in the guest (crash report printed) */
    WISP_END_ABI,      /* guest broke the hypercall ABI */
    WISP_END_ERROR     /* the tender failed (message in err) */
};

/* Boot and run milestones, in CLOCK_MONOTONIC nanoseconds (0: not
 * reached).  Recorded on every run (a vDSO clock read each); printed by
 * `wisp --timings`.  Guest milestones come from the guest's TSC. */
enum wisp_event {
    WISP_EV_MAIN,        /* main() entered (set by the caller) */
    WISP_EV_ELF_READ,    /* unikernel file read */
    WISP_EV_VALIDATED,   /* ELF, manifest and device options checked */
    WISP_EV_KVM,         /* /dev/kvm opened, VM and vCPU created */
    WISP_EV_MEMORY,      /* guest memory mapped and registered */
    WISP_EV_LAYOUT,      /* tables, ELF segments, boot info, page tables */
    WISP_EV_MODULES,     /* module setups done */
    WISP_EV_CPU,         /* CPUID, XCR0, registers, TSC */
    WISP_EV_CONFINED,    /* seccomp filter loaded; next: first KVM_RUN */
    WISP_EV_GUEST_START, /* guest's first instruction (_start) */
    WISP_EV_GUEST_MAIN,  /* guest called solo5_app_main */
    WISP_EV_GUEST_END,   /* the hypercall or exception that ended the guest */
    WISP_EV_TEARDOWN,    /* resources released; wisp_run returns */
    WISP_EV_MAX
};

/* wisp_event_name: "main", "elf_read", ... */
const char *wisp_event_name(enum wisp_event ev);

/* wisp_now_ns: CLOCK_MONOTONIC in nanoseconds. */
uint64_t wisp_now_ns(void);

/* Kinds of VM exit, as --stats counts them. */
enum wisp_exit_kind {
    WISP_XK_HYPERCALL,  /* doorbell store (isolated) or port I/O (hvt) */
    WISP_XK_KICK,       /* a ring kick that reached the tender (no ioeventfd) */
    WISP_XK_IO,         /* other port I/O (the exception stub: isolated, hvt at CPL3) */
    WISP_XK_MMIO,       /* other MMIO */
    WISP_XK_SHUTDOWN,   /* triple fault */
    WISP_XK_INTR,       /* KVM_RUN interrupted by a signal */
    WISP_XK_OTHER,
    WISP_XK_MAX
};

/* Per-device counters (by handle), for --stats.  Each counter has one
 * writer: the vCPU thread (hypercalls) or the device's I/O thread (ring),
 * read after the thread was joined. */
struct wisp_dev_stats {
    char name[68];
    uint32_t type;             /* MFT_DEV_*, 0: no device */
    uint32_t ring;             /* 1: the guest set up a shared ring */
    uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, tx_errors, rx_dropped;
    uint64_t reads, writes, flushes, read_bytes, write_bytes, io_errors;
    uint64_t ring_requests;    /* descriptors served from the ring */
    uint64_t ring_refused;     /* descriptors refused (bad buffer, length, op) */
    uint64_t ring_kicks;       /* wake-ups of the sleeping I/O thread: guest kicks
                                  (--ioeventfd) and wisp's own after kick exits */
    uint64_t ring_notifies;    /* wake-ups of the guest's POLL */
    uint64_t ring_sleeps;      /* times the I/O thread slept */
    uint64_t ring_busy_ns;     /* time the I/O thread spent serving */
};

struct wisp_stats {
    uint64_t exit_count[WISP_XK_MAX], exit_ns[WISP_XK_MAX];
    uint64_t hc_count[WISP_HC_MAX], hc_ns[WISP_HC_MAX];
    uint64_t poll_count, poll_blocked_ns; /* POLL waits and time spent in them */
    uint32_t ndev;                        /* dev[1 .. ndev) are this run's */
    struct wisp_dev_stats dev[64];        /* MFT_MAX_ENTRIES */
};

/* wisp_exit_kind_name: "hypercall", "kick", ... */
const char *wisp_exit_kind_name(enum wisp_exit_kind k);

struct wisp_result {
    uint64_t events[WISP_EV_MAX];
    enum wisp_end end;
    int status;               /* what the process should exit with */
    uint64_t exits;           /* VM exits served */
    char err[WISP_ERR_MAX];   /* tender error message, for WISP_END_ERROR */
    struct wisp_stats stats;  /* counted always; timed only with cfg->stats_path */
};

/*
 * wisp_stats_json: write res's statistics (exits, hypercalls, devices,
 * boot phases) to `fd` as one JSON object.  0, or -1 if writing failed.
 */
int wisp_stats_json(int fd, const struct wisp_config *cfg, const struct wisp_result *res);

/*
 * wisp_config_init: defaults (the mode's memory size, console on fd 1,
 * messages on fd 2, an empty cmdline, no device arguments).  Of cmdline
 * and device_args only the used part is written.
 */
void wisp_config_init(struct wisp_config *cfg);

/*
 * wisp_run: validate cfg->kernel, create the VM, run the guest to its end.
 * Fills *res in every case.  Crash and abort reports go to cfg->log_fd,
 * each line prefixed "wisp: "; the tender's own error is left in res->err
 * for the caller to print.  Returns
 * res->status.
 */
int wisp_run(const struct wisp_config *cfg, struct wisp_result *res);

#endif /* WISP_WISP_H */
