/*
 * --dumpcore[=DIR]: when the guest ends with status 255 (crash, abort,
 * failed check, ABI violation; solo5-hvt's rule), an ELF core file of the
 * guest in DIR (default: the current directory): NT_PRSTATUS with the
 * vCPU's registers, one PT_LOAD per guest memory region (vm->regions),
 * written sparse (only resident pages), and in isolated mode a "WISP" note
 * with the crash report's vector, error code and CR2.  Named
 * core.solo5-hvt.PID (compatibility mode, with solo5-hvt's messages) or
 * core.wisp.PID; created O_EXCL | O_NOFOLLOW, mode 0600, relative to the
 * directory opened when the option was handled.
 */
#ifndef WISP_DUMPCORE_H
#define WISP_DUMPCORE_H

#include <stdint.h>

struct vm;
struct module;

/* What the crash report (isolated mode) or Solo5's trap frame (the HALT
 * cookie, compatibility mode: no vector) knew, kept for the core file. */
#define VM_FAULT_NO_VECTOR 0xffffffffu
struct vm_fault {
    int valid;
    uint32_t vector;
    uint32_t has_errcode;
    uint64_t errcode, cr2, rip, rsp;
};

/* Name and type of the isolated-mode crash note (desc: struct
 * wisp_core_fault_note, little-endian). */
#define WISP_CORE_NOTE_NAME  "WISP"
#define WISP_CORE_NOTE_FAULT 0x57430001u
struct wisp_core_fault_note {
    uint64_t vector, errcode, cr2, rip, rsp, has_errcode;
};

/* dumpcore_after_run: after the run loop, while the vCPU and guest memory
 * still exist: write the core file if --dumpcore was given and the guest
 * ended with status 255.  Errors are reported (vm_log), not fatal. */
void dumpcore_after_run(struct vm *vm);

/* dumpcore_record_fault: remember the crash report for the core file. */
void dumpcore_record_fault(struct vm *vm, const struct vm_fault *f);

extern const struct module module_dumpcore;

#endif /* WISP_DUMPCORE_H */
