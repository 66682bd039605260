/*
 * Guest crash reports: turn an exception (vector, error code, RIP, RSP,
 * CR2) into one clear report (vm_log) naming the kind of access, the
 * addresses and the ELF segment or memory region involved.
 */
#ifndef WISP_CRASH_H
#define WISP_CRASH_H

#include <stddef.h>
#include <stdint.h>

struct vm;

struct crash_info {
    unsigned vector;
    int has_errcode;
    uint64_t errcode;
    uint64_t rip, rsp, cr2;
    /* For a #GP or #SS: the address of the instruction's memory operand
     * (x86_ea), when it could be decoded. */
    int has_addr;
    uint64_t addr;
    /* When set, the report's first line says this instead of naming the
     * exception: what the guest did (syscall, an instruction the doorbell
     * cannot take), decided by the exit handler. */
    const char *why;
};

/* crash_describe: format the report (two lines, each ending in "\n"; the
 * log adds the "wisp: " prefix) into buf; returns the length.  Pure: no
 * I/O, usable from unit tests. */
size_t crash_describe(const struct vm *vm, const struct crash_info *c, char *buf, size_t len);

/* crash_report: print the report and end the guest with status 255;
 * returns HC_STOP. */
int crash_report(struct vm *vm, const struct crash_info *c);

/* crash_region: "text segment", "heap", ... for a guest address. */
const char *crash_region(const struct vm *vm, uint64_t addr);

#endif /* WISP_CRASH_H */
