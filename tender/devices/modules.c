/*
 * The module table.  Order matters only for setup and --help, and it is
 * this order: core first, then device modules.
 */
#include <stddef.h>

#include "core/module.h"
#include "debug/dumpcore.h"
#include "debug/gdb.h"

const struct module *const wisp_modules[] = {
    &module_core,
    &module_net,
    &module_block,
    &module_dumpcore, /* tender/debug/ */
    &module_gdb,      /* tender/debug/ */
    &module_input, /* last: its hand-off stands in for the others' handlers */
    NULL,
};
