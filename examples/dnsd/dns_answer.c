/* dns_answer: resolve one query against the zone (dns_answer.h). */
#include "dns_answer.h"
#include "dns_msg.h"

#include <string.h>

#define SEC_ANSWER     6
#define SEC_AUTHORITY  8
#define SEC_ADDITIONAL 10

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Meta query types this server does not answer: OPT, TKEY, TSIG, IXFR,
 * AXFR, MAILB, MAILA (ANY it does). */
static int is_unanswered_meta(uint16_t qtype)
{
    return qtype == DNS_TYPE_OPT || (qtype >= 249 && qtype <= 254);
}

static size_t response_limit(const struct dns_query *q, size_t cap)
{
    size_t limit = DNS_UDP_MIN;

    if (q->edns && q->edns_udp_size > DNS_UDP_MIN)
        limit = q->edns_udp_size < DNS_EDNS_MAX ? q->edns_udp_size : DNS_EDNS_MAX;
    return limit < cap ? limit : cap;
}

/* Additional-section addresses for the targets of NS records at node. */
static void add_glue(const struct zone *z, struct dns_writer *w, const struct zone_node *node)
{
    size_t i, k;

    for (i = node->first; i < node->first + node->count; i++) {
        const struct zone_rr *ns = &z->rrs[i];
        const struct zone_node *t;

        if (ns->type != DNS_TYPE_NS)
            continue;
        t = zone_find(z, ns->rdata, ns->rdlen);
        for (k = 0; t != NULL && k < t->count; k++) {
            const struct zone_rr *a = &z->rrs[t->first + k];

            if ((a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA) &&
                dns_write_rr(w, SEC_ADDITIONAL, t->name, a, a->ttl))
                return;   /* additional data is optional (RFC 2181 9) */
        }
    }
}

/* Fill answer and authority for q (inside the zone); *rcode is set as
 * soon as it is known.  Returns 0, or -1 if the records do not fit. */
static int resolve(const struct zone *z, const struct dns_query *q, struct dns_writer *w,
                   int *rcode)
{
    const struct zone_node *visited[DNS_CNAME_HOPS + 1];
    const uint8_t *name = q->qname_lc;
    size_t name_len = q->qname_len, hops, i, v;
    int negative = 0;

    *rcode = DNS_RCODE_NOERROR;

    for (hops = 0;; hops++) {
        const struct zone_node *node = zone_find(z, name, name_len);
        const struct zone_rr *cname = NULL;
        size_t found = 0;

        if (node == NULL) {
            *rcode = DNS_RCODE_NXDOMAIN;   /* of the last name (RFC 6604) */
            negative = 1;
            break;
        }
        for (v = 0; v < hops; v++)
            if (visited[v] == node)
                return 0;   /* a CNAME loop: the chain so far */
        visited[hops] = node;
        for (i = node->first; i < node->first + node->count; i++)
            if (z->rrs[i].type == DNS_TYPE_CNAME)
                cname = &z->rrs[i];
        if (cname != NULL && q->qtype != DNS_TYPE_CNAME && q->qtype != DNS_TYPE_ANY) {
            if (dns_write_rr(w, SEC_ANSWER, node->name, cname, cname->ttl))
                return -1;
            name = cname->rdata;
            name_len = cname->rdlen;
            if (hops == DNS_CNAME_HOPS || !dns_name_is_under(name, name_len, z->apex, z->apex_len))
                return 0;   /* the resolver follows it from here */
            continue;
        }
        for (i = node->first; i < node->first + node->count; i++) {
            const struct zone_rr *rr = &z->rrs[i];

            if (rr->type != q->qtype && q->qtype != DNS_TYPE_ANY)
                continue;
            if (dns_write_rr(w, SEC_ANSWER, node->name, rr, rr->ttl))
                return -1;
            found++;
        }
        if (found == 0)
            negative = 1;   /* NODATA */
        else if (q->qtype == DNS_TYPE_NS)
            add_glue(z, w, node);
        break;
    }
    if (negative && z->soa != NULL) {
        uint32_t minimum = get32(z->soa->rdata + z->soa->rdlen - 4);
        uint32_t ttl = z->soa->ttl < minimum ? z->soa->ttl : minimum;

        if (dns_write_rr(w, SEC_AUTHORITY, z->apex, z->soa, ttl))
            return -1;
    }
    return 0;
}

size_t dns_answer(const struct zone *z, const uint8_t *msg, size_t len, uint8_t *resp,
                  size_t cap)
{
    struct dns_query q;
    struct dns_writer w;
    enum dns_parse parsed = dns_query_parse(msg, len, &q);
    uint16_t flags;
    size_t limit, question_end;
    int rcode;

    if (parsed == DNS_PARSE_DROP)
        return 0;
    flags = (uint16_t)(DNS_FLAG_QR | (q.flags & (0x7800 | DNS_FLAG_RD)));
    if (parsed != DNS_PARSE_OK) {
        dns_write_header(&w, resp, cap,  q.id, (uint16_t)(flags | (parsed == DNS_PARSE_FORMERR
                                                    ? DNS_RCODE_FORMERR : DNS_RCODE_NOTIMP)));
        return w.len;
    }
    limit = response_limit(&q, cap);
    dns_write_header(&w, resp, limit - (q.edns ? DNS_OPT_LEN : 0), q.id, flags);
    if (dns_write_question(&w, &q)) {   /* cannot happen: 12 + 259 < 512 */
        w.len = DNS_HEADER_LEN;
        rcode = DNS_RCODE_SERVFAIL;
    } else if (q.edns && q.edns_version != 0) {
        rcode = DNS_RCODE_BADVERS;
    } else if ((q.qclass != DNS_CLASS_IN && q.qclass != DNS_CLASS_ANY) ||
               !dns_name_is_under(q.qname_lc, q.qname_len, z->apex, z->apex_len)) {
        rcode = DNS_RCODE_REFUSED;
    } else if (is_unanswered_meta(q.qtype)) {
        rcode = DNS_RCODE_NOTIMP;
    } else {
        question_end = w.len;
        flags |= DNS_FLAG_AA;
        if (resolve(z, &q, &w, &rcode)) {   /* truncated: the question alone, and TC */
            w.len = question_end;
            memset(resp + 6, 0, 6);
            flags |= DNS_FLAG_TC;
        }
    }
    resp[2] = (uint8_t)((flags | (rcode & 0xf)) >> 8);
    resp[3] = (uint8_t)(flags | (rcode & 0xf));
    if (q.edns) {
        w.limit = limit;
        dns_write_opt(&w, (unsigned)rcode);   /* room was kept for it */
    }
    return w.len;
}
