/*
 * The GDB remote protocol's commands, served against an abstract target
 * (the tender's vCPU and guest memory in debug/gdb.c, a fake one in the
 * fuzz target).  One vCPU, one thread, one process.  Registers travel in
 * the layout of the target description this file serves through
 * qXfer:features:read (amd64: general registers, rip, eflags, segment
 * selectors, x87, SSE, fs_base/gs_base), GDB_REGS_SIZE bytes.
 */
#ifndef WISP_GDB_PROTO_H
#define WISP_GDB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "debug/gdb_packet.h"

/* Register numbers of the target description (gdb's amd64 order). */
enum gdb_reg {
    GDB_RAX, GDB_RBX, GDB_RCX, GDB_RDX, GDB_RSI, GDB_RDI, GDB_RBP, GDB_RSP,
    GDB_R8, GDB_R9, GDB_R10, GDB_R11, GDB_R12, GDB_R13, GDB_R14, GDB_R15,
    GDB_RIP, GDB_EFLAGS, GDB_CS, GDB_SS, GDB_DS, GDB_ES, GDB_FS, GDB_GS,
    GDB_ST0, GDB_FCTRL = GDB_ST0 + 8, GDB_FSTAT, GDB_FTAG, GDB_FISEG, GDB_FIOFF,
    GDB_FOSEG, GDB_FOOFF, GDB_FOP, GDB_XMM0, GDB_MXCSR = GDB_XMM0 + 16,
    GDB_FS_BASE, GDB_GS_BASE, GDB_NREGS
};

#define GDB_REGS_SIZE (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 2 * 8)

/* gdb_reg_offset/size: where register n lies in the GDB_REGS_SIZE blob;
 * -1 / 0 for a number out of range. */
int gdb_reg_offset(unsigned n);
unsigned gdb_reg_size(unsigned n);

/* Breakpoint and watchpoint kinds, as in Z/z packets. */
enum gdb_bp_type { GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2, GDB_WP_READ = 3,
                   GDB_WP_ACCESS = 4 };

/* The target: each returns 0 on success, -1 on failure (the reply becomes
 * an error); insert_bp returns 1 for a kind it does not support. */
struct gdb_target_ops {
    int (*read_regs)(void *t, uint8_t regs[GDB_REGS_SIZE]);
    int (*write_regs)(void *t, const uint8_t regs[GDB_REGS_SIZE]);
    /* read_mem: the bytes readable from addr on, at most len: how many
     * (0 when none). */
    long (*read_mem)(void *t, uint64_t addr, uint8_t *buf, size_t len);
    int (*write_mem)(void *t, uint64_t addr, const uint8_t *buf, size_t len);
    int (*insert_bp)(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len);
    int (*remove_bp)(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len);
};

/* What the command asks of the run. */
enum gdb_action {
    GDB_ACT_NONE,     /* stay stopped; send the reply */
    GDB_ACT_CONTINUE, /* resume the guest; the stop reply comes later */
    GDB_ACT_STEP,     /* execute one instruction, then report a stop */
    GDB_ACT_KILL,     /* end the run (k, vKill) */
    GDB_ACT_DETACH,   /* reply OK, then run on without the debugger */
};

#define GDB_REPLY_MAX (GDB_PACKET_MAX + 64)

struct gdb_proto {
    const struct gdb_target_ops *ops;
    void *target;
    char stop_reply[96]; /* the answer to `?`: the last stop */
    char reply[GDB_REPLY_MAX];
    size_t reply_len;
    int no_reply;        /* the command gets no reply (k) */
};

/* gdb_proto_init: a session whose first stop is SIGTRAP. */
void gdb_proto_init(struct gdb_proto *p, const struct gdb_target_ops *ops, void *target);

/* gdb_proto_handle: serve one received packet (len bytes, may hold NULs
 * in an X packet's data); p->reply/reply_len hold the answer unless
 * p->no_reply.  Never reads outside pkt[0..len]; pkt[len] must be NUL. */
enum gdb_action gdb_proto_handle(struct gdb_proto *p, const char *pkt, size_t len);

#endif /* WISP_GDB_PROTO_H */
