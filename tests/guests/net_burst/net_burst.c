/* net_burst: writes 64 small frames on service0 with solo5_net_write (through the ring when the tender offers it: each returns OK at once) and exits right after the last, without another READ that would wait for the ring to drain.  Every frame must still reach the tap: the tender serves what the guest left in the ring when it exits.  Frames: broadcast, EtherType 0x88b5 (local experimental), 60 bytes, byte 14 = index.  Expect SUCCESS, status 0; the test counts the tap's rx_packets. */
#include "t.h"

#define BURST 64

int solo5_app_main(const struct solo5_start_info *si)
{
    static uint8_t f[60];
    struct solo5_net_info info;
    solo5_handle_t h;

    (void)si;
    if (solo5_net_acquire("service0", &h, &info) != SOLO5_R_OK)
        return t_fail("solo5_net_acquire failed");
    t_puts("READY\n");
    for (int i = 0; i < 6; i++)
        f[i] = 0xff;
    t_memcpy(f + 6, info.mac_address, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    for (unsigned i = 0; i < BURST; i++) {
        f[14] = (uint8_t)i;
        if (solo5_net_write(h, f, sizeof f) != SOLO5_R_OK)
            return t_fail("solo5_net_write failed");
    }
    return t_success();
}
