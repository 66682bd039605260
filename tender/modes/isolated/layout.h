/*
 * Guest memory of an isolated-mode guest: where everything goes, and
 * writing it there (system tables, page tables, ELF segments, boot info).
 */
#ifndef WISP_LAYOUT_H
#define WISP_LAYOUT_H

#include <stdint.h>

struct vm;

/* layout_plan: compute vm->layout (heap, guard page, stack) from the image
 * and vm->mem_size, and check the image fits below the guard page.  No
 * guest memory is touched. */
int layout_plan(struct vm *vm);

/*
 * layout_populate: write the system tables, load the ELF segments, write
 * the boot info (cmdline, manifest copy) and build the page tables with
 * each region's permissions.  vm->mem MUST be zero-filled.  Sets
 * vm->layout.cr3.
 */
int layout_populate(struct vm *vm);

#endif /* WISP_LAYOUT_H */
