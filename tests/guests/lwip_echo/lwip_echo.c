/*
 * lwip_echo: a TCP echo service on port 7 (IPv4 and IPv6) over lwIP and
 * <wisp/lwip.h>, on NET_BASIC device service0; lwIP itself answers ping
 * and ping6.  Prints the arguments main() got (the network options are
 * gone by then), then READY once the device is configured.  A client that
 * sends a line "QUIT" ends the service: it prints SUCCESS and exits 0.
 * Exits 1 if wisp_lwip_init fails.  (tests/e2e/lwip.bats)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/altcp.h>
#include <lwip/altcp_tcp.h>
#include <lwip/tcp.h>
#include <solo5.h>
#include <wisp/lwip.h>

#include "altcp_echo.h"

#define ECHO_PORT 7

int main(int argc, char **argv)
{
    struct netif *nif;

    for (int i = 0; i < argc; i++)
        printf("argv[%d]=<%s>\n", i, argv[i]);
    if (wisp_lwip_init("service0", &nif) != 0)
        return 1;
    struct altcp_pcb *listener = altcp_tcp_new_ip_type(IPADDR_TYPE_ANY);
    if (!listener || altcp_bind(listener, IP_ANY_TYPE, ECHO_PORT) != ERR_OK)
        return printf("FAILURE: cannot bind port %d\n", ECHO_PORT), 1;
    listener = altcp_listen(listener);
    printf("READY\n");
    altcp_echo_serve(listener);
    printf("SUCCESS\n");
    return 0;
}
