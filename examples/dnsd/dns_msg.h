/* dns_msg: DNS messages on the wire (RFC 1035 4, RFC 6891): read a query
 * with every length checked, and write a response with name compression.
 * Pure C, no I/O. */
#ifndef DNSD_DNS_MSG_H
#define DNSD_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "zone.h"

#define DNS_HEADER_LEN  12
#define DNS_UDP_MIN     512    /* without EDNS (RFC 1035 4.2.1) */
#define DNS_EDNS_MAX    1232   /* the UDP payload this server offers and uses at most */

enum dns_rcode {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
    DNS_RCODE_BADVERS = 16,   /* extended: needs OPT */
};

/* What dns_query_parse found.  DROP: no answer at all (not a query, or
 * too short to carry an ID); FORMERR, NOTIMP: answer with that code and
 * the header only; OK: the question is in the struct. */
enum dns_parse { DNS_PARSE_OK, DNS_PARSE_DROP, DNS_PARSE_FORMERR, DNS_PARSE_NOTIMP };

struct dns_query {
    uint16_t id;
    uint16_t flags;                 /* as received */
    uint8_t qname[DNS_NAME_MAX];    /* as received (case kept) */
    uint8_t qname_lc[DNS_NAME_MAX]; /* lower case, for lookups */
    size_t qname_len;
    uint16_t qtype, qclass;
    int edns;                       /* an OPT record was present */
    uint8_t edns_version;
    uint16_t edns_udp_size;
};

/* dns_query_parse: read the query msg[0..len) into *q.  Refuses (FORMERR)
 * anything but one question and no answer or authority records, names
 * with compression in the question, labels over 63 or names over 255
 * octets, records running past the end, bytes after the last record, a
 * second OPT or one not owned by the root.  A non-QUERY opcode is NOTIMP. */
enum dns_parse dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q);

/* A response under construction. */
#define DNS_COMPRESS_MAX 64
struct dns_writer {
    uint8_t *buf;
    size_t len, limit;              /* nothing is written at or past limit */
    struct {
        const uint8_t *name;        /* lower-case wire name (a suffix of one) */
        uint16_t off;               /* where it is in buf */
    } names[DNS_COMPRESS_MAX];
    size_t n_names;
};

/* dns_write_header: start a response in buf[0..limit) (limit >= 12) to q
 * with the given rcode (low 4 bits) and flags (DNS_FLAG_*); counts zero. */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
void dns_write_header(struct dns_writer *w, uint8_t *buf, size_t limit, uint16_t id,
                      uint16_t flags);

/* dns_write_question: the question of q, its name as received, made
 * available for compression.  Returns 0, or -1 if it does not fit. */
int dns_write_question(struct dns_writer *w, const struct dns_query *q);

/* dns_write_rr: one record owned by owner (lower-case wire form) in the
 * section whose count is at header offset count_off (6 answer, 8
 * authority, 10 additional), names compressed.  ttl overrides rr->ttl.
 * On -1 (does not fit) the writer is as it was before the call. */
int dns_write_rr(struct dns_writer *w, size_t count_off, const uint8_t *owner,
                 const struct zone_rr *rr, uint32_t ttl);

/* dns_write_opt: an OPT record (RFC 6891 6.1.2) offering DNS_EDNS_MAX,
 * with the upper 8 bits of ext_rcode, in the additional section. */
int dns_write_opt(struct dns_writer *w, unsigned ext_rcode);

#define DNS_OPT_LEN 11

#endif
