/*
 * Function names for isolated-mode crash reports: the ELF symbol table's
 * STT_FUNC entries, copied into a small sorted table while the unikernel
 * file is still mapped (the file itself is released before the guest
 * runs), then looked up for the faulting RIP and for each return address
 * of a frame-pointer backtrace (wisp-cc builds with frame pointers).  A
 * stripped or odd image just gives no names.  The file is hostile: every
 * offset, size and name is bounds-checked.
 */
#ifndef WISP_SYMBOLS_H
#define WISP_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct vm;

/* symbols_load: build vm->symbols from vm->img's file (no-op without a
 * symbol table; never fails the run). */
void symbols_load(struct vm *vm);

/* symbols_free: release vm->symbols. */
void symbols_free(struct vm *vm);

/* symbols_find: the function containing addr and addr's offset in it, or
 * NULL. */
const char *symbols_find(const struct vm *vm, uint64_t addr, uint64_t *offset);

/* symbols_backtrace: "  in F+0xN\n" for rip, then "  called from F+0xN
 * (0xADDR)\n" for each return address found by walking the frame-pointer
 * chain from rbp inside [stack_lo, stack_hi) (at most 16 frames); into
 * buf, NUL-terminated; returns the length. */
size_t symbols_backtrace(const struct vm *vm, uint64_t rip, uint64_t rbp, uint64_t stack_lo,
                         uint64_t stack_hi, char *buf, size_t len);

#endif /* WISP_SYMBOLS_H */
