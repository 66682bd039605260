/*
 * Compat-mode ring-I/O network extension (SOLO5_HVT_ABI.md 2).  Not
 * offered yet: hvt_ring_wanted() says no, so no memory is reserved and
 * boot_info.host_features stays 0; guests use the NET_* hypercalls.
 */
#include "hvt.h"
#include "vm.h"

int hvt_ring_wanted(const struct vm *vm)
{
    (void)vm;
    return 0;
}

int hvt_ring_start(struct vm *vm)
{
    (void)vm;
    return 0;
}

void hvt_ring_stop(struct vm *vm)
{
    (void)vm;
}

int hvt_ring_seccomp_rules(struct vm *vm, void *ctx)
{
    (void)vm;
    (void)ctx;
    return 0;
}
