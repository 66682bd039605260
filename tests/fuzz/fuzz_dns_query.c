/* libFuzzer target: dns_answer (examples/dnsd/) on arbitrary UDP payloads
 * against a fixed zone with every feature (CNAME chains and a loop, an
 * empty non-terminal, an RRset too big for 512 octets, TXT, SOA, NS).
 * Checked on every input: no response to a response or to fewer than 12
 * octets; otherwise a response of 12..512 octets (or up to DNS_EDNS_MAX if
 * the query had EDNS), QR set, the query's ID, and a message that an
 * independent decoder (tests/unit/test_dns_util.h) reads to its last
 * octet, every compression pointer pointing backwards; an error response
 * is the header alone; OPT only in answer to OPT. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/dnsd/dns_answer.h"
#include "../../examples/dnsd/dns_msg.h"
#include "../unit/test_dns_util.h"

static struct zone *zone;

static const char zone_text[] =
    "$ORIGIN example.test.\n$TTL 3600\n"
    "@ SOA ns1 hostmaster 7 3600 900 604800 300\n@ NS ns1\n@ NS ns2.example.org.\n"
    "ns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\nwww A 192.0.2.10\nwww AAAA 2001:db8::10\n"
    "alias CNAME www\nc1 CNAME c2\nc2 CNAME alias\nloop1 CNAME loop2\nloop2 CNAME loop1\n"
    "dead CNAME nowhere\nout CNAME www.example.org.\n"
    "txt TXT \"hello world\" two\ndeep.ent A 192.0.2.99\n";

static void die(const char *what)
{
    fprintf(stderr, "fuzz_dns_query: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t resp[4096];
    static struct tr_msg m;
    struct dns_query q;
    enum dns_parse parsed;
    size_t n, limit, i;

    if (zone == NULL) {
        char text[sizeof zone_text + 40 * 32], err[256];

        strcpy(text, zone_text);
        for (i = 0; i < 40; i++)
            sprintf(text + strlen(text), "big A 198.51.100.%zu\n", i);
        if (zone_parse(text, strlen(text), &zone, err, sizeof err))
            die(err);
    }
    parsed = dns_query_parse(data, size, &q);
    n = dns_answer(zone, data, size, resp, sizeof resp);
    if (size < 12 || (data[2] & 0x80)) {
        if (n != 0)
            die("answered a response or a runt");
        return 0;
    }
    limit = DNS_UDP_MIN;
    if (parsed == DNS_PARSE_OK && q.edns && q.edns_udp_size > DNS_UDP_MIN)
        limit = q.edns_udp_size < DNS_EDNS_MAX ? q.edns_udp_size : DNS_EDNS_MAX;
    if (n < 12 || n > limit)
        die("response length out of bounds");
    if (tr_parse(resp, n, &m))
        die("response does not decode");
    if (m.id != (uint16_t)(data[0] << 8 | data[1]) || !(m.flags & 0x8000))
        die("bad ID or QR");
    if (parsed != DNS_PARSE_OK && n != 12)
        die("an error response carries more than the header");
    if (m.has_opt && !(parsed == DNS_PARSE_OK && q.edns))
        die("OPT in the response to a query without one");
    return 0;
}
