/* tls: two TLS blocks set up with solo5_tls_init, switched with solo5_set_tls_base; .tdata/.tbss values stay per block; expect SUCCESS, status 0. */
#include "t.h"

__thread volatile uint64_t tdata = 0xC0FFEE; /* .tdata */
__thread volatile uint64_t tbss;             /* .tbss  */

#define BLOCK_MAX 4096
static uint8_t block1[BLOCK_MAX] __attribute__((aligned(64)));
static uint8_t block2[BLOCK_MAX] __attribute__((aligned(64)));

static int use_block(uint8_t *block)
{
    return solo5_set_tls_base((uintptr_t)block + solo5_tls_tp_offset()) == SOLO5_R_OK;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (solo5_tls_size() > BLOCK_MAX)
        return t_fail("solo5_tls_size() is larger than the test's blocks");
    if (solo5_tls_init((uintptr_t)block1) != SOLO5_R_OK ||
        solo5_tls_init((uintptr_t)block2) != SOLO5_R_OK)
        return t_fail("solo5_tls_init failed");

    if (!use_block(block1))
        return t_fail("solo5_set_tls_base(block1) failed");
    if (tdata != 0xC0FFEE || tbss != 0)
        return t_fail("block1 not initialised from .tdata/.tbss");
    tdata = 1;
    tbss = 11;

    if (!use_block(block2))
        return t_fail("solo5_set_tls_base(block2) failed");
    if (tdata != 0xC0FFEE || tbss != 0)
        return t_fail("block2 sees block1's values");
    tdata = 2;
    tbss = 22;

    if (!use_block(block1))
        return t_fail("switching back to block1 failed");
    if (tdata != 1 || tbss != 11)
        return t_fail("block1 lost its values");
    if (!use_block(block2))
        return t_fail("switching back to block2 failed");
    if (tdata != 2 || tbss != 22)
        return t_fail("block2 lost its values");
    return t_success();
}
