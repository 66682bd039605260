/*
 * Compat-mode device hypercalls (SOLO5_HVT_ABI.md 1.2): BLOCK_WRITE,
 * BLOCK_READ, NET_WRITE, NET_READ over the device modules' backends.
 * Registered only when a device of the type is attached, as in Solo5, so
 * a guest without one gets "Invalid guest hypercall".
 */
#include "hvt.h"
#include "vm.h"

void hvt_dev_register(struct vm *vm)
{
    (void)vm; /* the device modules are not in this tree yet */
}
