/* dns_msg: read queries, write compressed responses (dns_msg.h). */
#include "dns_msg.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* Skip the possibly compressed name at *off in msg[0..len).  Pointers
 * must point backwards (so they cannot loop); returns 0 or -1. */
static int skip_name(const uint8_t *msg, size_t len, size_t *off)
{
    size_t at = *off, end = 0, total = 0;
    int jumped = 0;

    for (;;) {
        uint8_t l;

        if (at >= len)
            return -1;
        l = msg[at];
        if ((l & 0xc0) == 0xc0) {
            size_t to;

            if (at + 1 >= len)
                return -1;
            to = (size_t)(l & 0x3f) << 8 | msg[at + 1];
            if (to >= at)
                return -1;
            if (!jumped)
                end = at + 2;
            jumped = 1;
            at = to;
            continue;
        }
        if (l & 0xc0)
            return -1;
        total += 1 + (size_t)l;
        if (total > DNS_NAME_MAX)
            return -1;
        if (l == 0)
            break;
        at += 1 + (size_t)l;
    }
    *off = jumped ? end : at + 1;
    return 0;
}

/* The question's name: uncompressed (a pointer could only point into the
 * header), copied as received and in lower case. */
static int read_qname(const uint8_t *msg, size_t len, size_t *off, struct dns_query *q)
{
    size_t at = *off, n = 0;

    for (;;) {
        uint8_t l, i;

        if (at >= len || (msg[at] & 0xc0))
            return -1;
        l = msg[at];
        if (n + 1 + l > DNS_NAME_MAX || at + 1 + l > len)
            return -1;
        q->qname[n] = q->qname_lc[n] = l;
        for (i = 0; i < l; i++) {
            uint8_t c = msg[at + 1 + i];

            q->qname[n + 1 + i] = c;
            q->qname_lc[n + 1 + i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
        }
        n += 1 + (size_t)l;
        at += 1 + (size_t)l;
        if (l == 0)
            break;
    }
    q->qname_len = n;
    *off = at;
    return 0;
}

/* OPT RDATA is a list of {code, length, data}; each must fit exactly. */
static int check_opt_rdata(const uint8_t *p, size_t len)
{
    size_t at = 0;

    while (at < len) {
        if (len - at < 4 || get16(p + at + 2) > len - at - 4)
            return -1;
        at += 4 + get16(p + at + 2);
    }
    return 0;
}

enum dns_parse dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q)
{
    size_t off = DNS_HEADER_LEN;
    uint16_t ar, i;

    memset(q, 0, sizeof *q);
    if (len < DNS_HEADER_LEN)
        return DNS_PARSE_DROP;
    q->id = get16(msg);
    q->flags = get16(msg + 2);
    if (q->flags & DNS_FLAG_QR)
        return DNS_PARSE_DROP;   /* a response: answering it could loop */
    if ((q->flags >> 11 & 0xf) != 0)
        return DNS_PARSE_NOTIMP;
    if (get16(msg + 4) != 1 || get16(msg + 6) != 0 || get16(msg + 8) != 0)
        return DNS_PARSE_FORMERR;
    if (read_qname(msg, len, &off, q) || len - off < 4)
        return DNS_PARSE_FORMERR;
    q->qtype = get16(msg + off);
    q->qclass = get16(msg + off + 2);
    off += 4;
    ar = get16(msg + 10);
    for (i = 0; i < ar; i++) {
        size_t name_at = off;
        uint16_t type, rdlen;

        if (skip_name(msg, len, &off) || len - off < 10)
            return DNS_PARSE_FORMERR;
        type = get16(msg + off);
        rdlen = get16(msg + off + 8);
        if (rdlen > len - off - 10)
            return DNS_PARSE_FORMERR;
        if (type == DNS_TYPE_OPT) {
            if (q->edns || msg[name_at] != 0 || check_opt_rdata(msg + off + 10, rdlen))
                return DNS_PARSE_FORMERR;
            q->edns = 1;
            q->edns_udp_size = get16(msg + off + 2);
            q->edns_version = msg[off + 5];
        }
        off += 10 + (size_t)rdlen;
    }
    if (off != len)
        return DNS_PARSE_FORMERR;
    return DNS_PARSE_OK;
}

void dns_write_header(struct dns_writer *w, uint8_t *buf, size_t limit, uint16_t id,
                      uint16_t flags)
{
    w->buf = buf;
    w->limit = limit;
    w->n_names = 0;
    memset(buf, 0, DNS_HEADER_LEN);
    put16(buf, id);
    put16(buf + 2, flags);
    w->len = DNS_HEADER_LEN;
}

/* Remember the labels in the first upto octets of name (lower-case wire
 * form), written out in full at off. */
static void remember(struct dns_writer *w, const uint8_t *name, size_t upto, size_t off)
{
    size_t i = 0;

    while (i < upto && name[i] != 0 && off + i < 0x4000 && w->n_names < DNS_COMPRESS_MAX) {
        w->names[w->n_names].name = name + i;
        w->names[w->n_names].off = (uint16_t)(off + i);
        w->n_names++;
        i += 1 + (size_t)name[i];
    }
}

/* Write name (lower-case wire form), as a pointer to the longest suffix
 * already written where there is one. */
static int write_name(struct dns_writer *w, const uint8_t *name)
{
    size_t i = 0, k, start = w->len;

    for (;;) {
        size_t rest = dns_name_len(name + i);

        if (name[i] == 0)
            break;
        for (k = 0; k < w->n_names; k++) {
            const uint8_t *n = w->names[k].name;

            if (dns_name_len(n) == rest && memcmp(n, name + i, rest) == 0)
                break;
        }
        if (k < w->n_names) {
            if (w->limit - w->len < i + 2)
                return -1;
            memcpy(w->buf + w->len, name, i);
            put16(w->buf + w->len + i, (uint16_t)(0xc000 | w->names[k].off));
            w->len += i + 2;
            remember(w, name, i, start);
            return 0;
        }
        i += 1 + (size_t)name[i];
    }
    if (w->limit - w->len < i + 1)
        return -1;
    memcpy(w->buf + w->len, name, i + 1);
    w->len += i + 1;
    remember(w, name, i, start);
    return 0;
}

int dns_write_question(struct dns_writer *w, const struct dns_query *q)
{
    if (w->limit - w->len < q->qname_len + 4)
        return -1;
    memcpy(w->buf + w->len, q->qname, q->qname_len);
    remember(w, q->qname_lc, q->qname_len, w->len);
    w->len += q->qname_len;
    put16(w->buf + w->len, q->qtype);
    put16(w->buf + w->len + 2, q->qclass);
    w->len += 4;
    put16(w->buf + 4, 1);
    return 0;
}

/* The RDATA of rr, its names compressed (RFC 3597 4: only the types of
 * RFC 1035 may be). */
static int write_rdata(struct dns_writer *w, const struct zone_rr *rr)
{
    const uint8_t *p = rr->rdata;
    size_t l;

    switch (rr->type) {
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
        return write_name(w, p);
    case DNS_TYPE_SOA:
        l = dns_name_len(p);
        if (write_name(w, p))
            return -1;
        p += l;
        l = dns_name_len(p);
        if (write_name(w, p))
            return -1;
        p += l;
        if (w->limit - w->len < 20)
            return -1;
        memcpy(w->buf + w->len, p, 20);
        w->len += 20;
        return 0;
    default:
        if (w->limit - w->len < rr->rdlen)
            return -1;
        memcpy(w->buf + w->len, p, rr->rdlen);
        w->len += rr->rdlen;
        return 0;
    }
}

int dns_write_rr(struct dns_writer *w, size_t count_off, const uint8_t *owner,
                 const struct zone_rr *rr, uint32_t ttl)
{
    size_t saved_len = w->len, saved_names = w->n_names, rdlen_at;

    if (write_name(w, owner) || w->limit - w->len < 10)
        goto undo;
    put16(w->buf + w->len, rr->type);
    put16(w->buf + w->len + 2, DNS_CLASS_IN);
    put32(w->buf + w->len + 4, ttl);
    rdlen_at = w->len + 8;
    w->len += 10;
    if (write_rdata(w, rr))
        goto undo;
    put16(w->buf + rdlen_at, (uint16_t)(w->len - rdlen_at - 2));
    put16(w->buf + count_off, (uint16_t)(get16(w->buf + count_off) + 1));
    return 0;
undo:
    w->len = saved_len;
    w->n_names = saved_names;
    return -1;
}

int dns_write_opt(struct dns_writer *w, unsigned ext_rcode)
{
    uint8_t *p = w->buf + w->len;

    if (w->limit - w->len < DNS_OPT_LEN)
        return -1;
    p[0] = 0;                                  /* the root */
    put16(p + 1, DNS_TYPE_OPT);
    put16(p + 3, DNS_EDNS_MAX);                /* our UDP payload size */
    put32(p + 5, (uint32_t)(ext_rcode >> 4) << 24);   /* version 0, DO clear */
    put16(p + 9, 0);
    w->len += DNS_OPT_LEN;
    put16(w->buf + 10, (uint16_t)(get16(w->buf + 10) + 1));
    return 0;
}
