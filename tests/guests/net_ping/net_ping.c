/* net_ping: answer ARP, ICMP echo and UDP echo for the IP on the command line on device service0 (see ../netlib/tnet.h); prints MAC, MTU, READY; with count=N expect SUCCESS, status 0. */
#include "../netlib/tnet.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    return tnet_main(si);
}
