/*
 * http_server.h: the static web server shared by the httpd and https
 * examples, on lwIP's altcp API, so one code path serves plain TCP and TLS
 * (altcp_tls over mbedTLS).  Files come from a ustar archive on a block
 * device (ustar.h), read in place and streamed; "/" and any path ending in
 * "/" map to index.html.
 *
 * HTTP/1.1 with keep-alive and pipelining (requests are answered in order,
 * the next one parsed when the previous response is queued), GET and HEAD;
 * bad requests get the status http_parse_request reports and the
 * connection is closed after the response (lingering: the server reads and
 * discards until the client closes or the timeout).  Bounded: at most
 * HTTP_SERVER_CONNS connections (more are refused with a reset at once),
 * HTTP_HEAD_MAX bytes of request head buffered per connection, the TCP
 * window for the rest.  Timeouts (struct http_server_config.timeout_s): an
 * idle keep-alive connection, a request head not complete that long after
 * its first byte (slowloris; answered 408), a response the client stops
 * reading, and a lingering close.
 */
#ifndef WISP_EXAMPLES_HTTP_SERVER_H
#define WISP_EXAMPLES_HTTP_SERVER_H

#include <stdint.h>

#include <solo5.h>

#include "lwip/altcp.h"

/* With TLS each connection takes two altcp pcbs (TLS and TCP); lwipopts.h
 * has MEMP_NUM_ALTCP_PCB 256. */
#define HTTP_SERVER_CONNS 112

struct http_server_config {
    uint16_t port;
    unsigned timeout_s;               /* every timeout above, in seconds */
    altcp_allocator_t allocator;      /* {altcp_tcp_alloc, NULL} or {altcp_tls_alloc, tls_config} */
    solo5_handle_t site;              /* block device holding the archive */
    struct solo5_block_info site_info;
};

/*
 * http_server_start: listen on CFG->port (IPv4 and IPv6) and serve.  The
 * work happens in lwIP's callbacks, i.e. inside wisp_lwip_poll().  Returns
 * 0, or -1 after printing why (no memory, port in use).
 */
int http_server_start(const struct http_server_config *cfg);

/* http_server_parse_timeout: parse "--timeout=SECONDS" (1..3600) at ARG
 * into *S.  Returns 1 if ARG is that option and good, 0 if ARG is another
 * argument, -1 (after printing why) for a bad value. */
int http_server_parse_timeout(const char *arg, unsigned *s);

#endif
