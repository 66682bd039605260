/* net_2if: two NICs at once: service0 answers for the first IP, service1 for the second (see ../netlib/tnet.h); with count=N expect SUCCESS, status 0. */
#include "../netlib/tnet.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    return tnet_main(si);
}
