/*
 * httpd: a static website from the ustar archive on block device "www",
 * over HTTP/1.1 on port 80 (examples/common/http_server.c does the work).
 *
 *   wisp --net:service0=TAP --block-ro:www=site.tar -- httpd.wisp \
 *        --ipv4=10.0.0.2/24 [--timeout=SECONDS]
 */
#include <stdio.h>
#include <string.h>

#include <solo5.h>
#include <wisp/lwip.h>

#include "http_server.h"
#include "lwip/altcp_tcp.h"
#include "site.h"

int main(int argc, char **argv)
{
    struct http_server_config cfg = {.port = 80, .timeout_s = 10, .allocator = {altcp_tcp_alloc, NULL}};

    if (site_parse_args("httpd", argc, argv, &cfg) || site_open("www", &cfg))
        return 1;
    if (wisp_lwip_init("service0", NULL) != 0 || http_server_start(&cfg) != 0)
        return 1;
    printf("httpd: serving block device 'www' on port %u (HTTP)\n", cfg.port);
    fflush(stdout);
    for (;;)
        wisp_lwip_poll(solo5_clock_monotonic() + 1000000000ull);
}
