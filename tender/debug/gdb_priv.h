/*
 * The GDB server's state, shared by its files: gdb.c (options, socket,
 * seccomp), gdb_target.c (registers, memory, breakpoints), gdb_run.c
 * (the run loop's hooks and the command loop).
 */
#ifndef WISP_GDB_PRIV_H
#define WISP_GDB_PRIV_H

#include <stdint.h>

#include "debug/gdb_packet.h"
#include "debug/gdb_proto.h"
#include "kvm/guest_debug.h"

struct vm;

#define GDB_SW_BP_MAX 64
#define GDB_HW_SLOTS 4
#define GDB_STUB_PORT_BASE 0x80 /* as compatibility mode's stub (modes/hvt/emulate.h) */

struct gdb_sw_bp {
    uint64_t addr;
    uint8_t orig;   /* the text byte under the 0xcc */
};

struct gdb_hw_bp {
    int used;
    enum gdb_bp_type type;
    uint64_t addr, len;
};

struct gdb {
    struct vm *vm;
    int listen_fd;          /* until the debugger connects */
    int fd;                 /* the debugger's connection, or -1 */
    int dir_fd;             /* a Unix socket's directory (unlinked once connected) */
    char sock_name[108];    /* the socket's name in dir_fd */
    char where[160];        /* "127.0.0.1:1234" or the socket's path, for messages */
    int port;
    int is_unix;
    int tid;                /* the vCPU thread: SIGIO goes there */

    int stopped;            /* the guest waits for the debugger's commands */
    int stepping;
    int inserted;           /* software breakpoints are in guest text now */
    int finished;           /* detached, or the debugger went away */

    struct gdb_sw_bp sw[GDB_SW_BP_MAX];
    unsigned nsw;
    struct gdb_hw_bp hw[GDB_HW_SLOTS];

    struct guest_debug_frame frame; /* a crash's true rip/rsp/... */

    /* CPL3 guests (isolated mode, compatibility mode at CPL3): #BP and #DB
     * that KVM does not intercept (PVM intercepts neither) arrive through
     * the tender's stub, `out %al, $(GDB_STUB_PORT_BASE + vector)`, which
     * changes no register; the guest then returns to user_segs. */
    int stub_mode;
    /* Debug registers reach the running guest (hardware KVM).  PVM keeps
     * them in the vCPU state but never loads them (measured: no #DB from
     * an armed DR7 either way), so Z1-Z4 are refused there and gdb falls
     * back to software watchpoints (set can-use-hw-watchpoints 0). */
    int hw_debug;
    struct guest_debug_user user;

    struct gdb_rx rx;
    struct gdb_proto proto;
    char tx[2 * GDB_REPLY_MAX + 8];
};

extern const struct gdb_target_ops gdb_target_ops;

/* gdb_sw_insert/remove: put 0xcc at every software breakpoint / the
 * original bytes back (idempotent). */
void gdb_sw_insert(struct gdb *g);
void gdb_sw_remove(struct gdb *g);

/* gdb_hw_dr7: DR0-3 and DR7 for the hardware slots in use. */
uint64_t gdb_hw_dr7(const struct gdb *g, uint64_t dr[4]);

/* gdb_await_ack: wait (one second at most) for gdb's ack of the last
 * packet, before closing the connection: closing first makes gdb report a
 * broken connection. */
void gdb_await_ack(struct gdb *g);

/* gdb_send: one framed packet to the debugger; 0 or -1. */
int gdb_send(struct gdb *g, const char *payload, size_t len);

#endif /* WISP_GDB_PRIV_H */
