/* Helpers shared by the dnsd unit tests: build queries, decode responses
 * (written apart from examples/dnsd/dns_msg.c, so the tests check it). */
#ifndef TEST_DNS_UTIL_H
#define TEST_DNS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../examples/dnsd/zone.h"

/* A query for dotted name (no trailing dot needed), type, class IN, RD
 * set; with EDNS (OPT of udp_size, version) when udp_size != 0.  Returns
 * its length in out. */
static inline size_t tq_make(uint8_t *out, const char *name, uint16_t type, uint16_t udp_size,
                             uint8_t version)
{
    size_t n = 12;
    const char *p = name;

    memset(out, 0, 12);
    out[0] = 0x12;
    out[1] = 0x34;
    out[2] = 0x01;   /* RD */
    out[5] = 1;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);

        out[n++] = (uint8_t)l;
        memcpy(out + n, p, l);
        n += l;
        p += l;
        if (*p == '.')
            p++;
    }
    out[n++] = 0;
    out[n++] = (uint8_t)(type >> 8);
    out[n++] = (uint8_t)type;
    out[n++] = 0;
    out[n++] = 1;
    if (udp_size) {
        out[11] = 1;
        out[n++] = 0;
        out[n++] = 0;
        out[n++] = 41;
        out[n++] = (uint8_t)(udp_size >> 8);
        out[n++] = (uint8_t)udp_size;
        out[n++] = 0;
        out[n++] = version;
        out[n++] = 0;
        out[n++] = 0;
        out[n++] = 0;
        out[n++] = 0;
    }
    return n;
}

struct tr_rr {
    char name[300];
    uint16_t type;
    uint32_t ttl;
    char data[1024];   /* A, AAAA, CNAME, NS as text; TXT as "s1|s2"; SOA "mname rname serial" */
};

struct tr_msg {
    uint16_t id, flags;
    unsigned rcode;                 /* header rcode */
    unsigned count[4];
    char qname[300];                /* as written, case kept */
    uint16_t qtype;
    struct tr_rr rr[3][64];         /* answer, authority, additional */
    int has_opt;
    uint16_t opt_size;
    uint8_t opt_ext_rcode;
    size_t pointers;                /* compression pointers seen */
};

/* Decode the name at *off (pointers followed, at most 64) as dotted text. */
static inline int tr_name(const uint8_t *m, size_t len, size_t *off, char *out,
                          size_t *pointers)
{
    size_t at = *off, o = 0, jumps = 0;
    int jumped = 0;

    out[0] = 0;
    for (;;) {
        uint8_t l;

        if (at >= len)
            return -1;
        l = m[at];
        if ((l & 0xc0) == 0xc0) {
            if (at + 1 >= len || ++jumps > 64)
                return -1;
            if (!jumped)
                *off = at + 2;
            jumped = 1;
            (*pointers)++;
            if (((size_t)(l & 0x3f) << 8 | m[at + 1]) >= at)
                return -1;   /* dnsd only ever points backwards */
            at = (size_t)(l & 0x3f) << 8 | m[at + 1];
            continue;
        }
        if (l == 0)
            break;
        if (l > 63 || at + 1 + l > len || o + l + 2 > 290)
            return -1;
        memcpy(out + o, m + at + 1, l);
        o += l;
        out[o++] = '.';
        out[o] = 0;
        at += 1 + l;
    }
    if (o == 0)
        strcpy(out, ".");
    if (!jumped)
        *off = at + 1;
    return 0;
}

static inline int tr_parse(const uint8_t *m, size_t len, struct tr_msg *r)
{
    size_t off = 12, s, i;

    memset(r, 0, sizeof *r);
    if (len < 12)
        return -1;
    r->id = (uint16_t)(m[0] << 8 | m[1]);
    r->flags = (uint16_t)(m[2] << 8 | m[3]);
    r->rcode = m[3] & 0xf;
    for (i = 0; i < 4; i++)
        r->count[i] = (unsigned)(m[4 + 2 * i] << 8 | m[5 + 2 * i]);
    if (r->count[0] > 1)
        return -1;
    if (r->count[0] == 1) {
        if (tr_name(m, len, &off, r->qname, &r->pointers) || off + 4 > len)
            return -1;
        r->qtype = (uint16_t)(m[off] << 8 | m[off + 1]);
        off += 4;
    }
    for (s = 0; s < 3; s++) {
        unsigned n = r->count[s + 1];

        if (n > 64)
            return -1;
        for (i = 0; i < n; i++) {
            struct tr_rr *rr = &r->rr[s][i];
            size_t rd, rdlen, p;

            if (tr_name(m, len, &off, rr->name, &r->pointers) || off + 10 > len)
                return -1;
            rr->type = (uint16_t)(m[off] << 8 | m[off + 1]);
            rr->ttl = (uint32_t)m[off + 4] << 24 | (uint32_t)m[off + 5] << 16 |
                      (uint32_t)m[off + 6] << 8 | m[off + 7];
            rdlen = (size_t)(m[off + 8] << 8 | m[off + 9]);
            rd = off + 10;
            if (rd + rdlen > len)
                return -1;
            if (rr->type == 41) {
                r->has_opt = 1;
                r->opt_size = (uint16_t)(m[off + 2] << 8 | m[off + 3]);
                r->opt_ext_rcode = m[off + 4];
            } else if (rr->type == 1 && rdlen == 4) {
                snprintf(rr->data, sizeof rr->data, "%u.%u.%u.%u", m[rd], m[rd + 1], m[rd + 2],
                         m[rd + 3]);
            } else if (rr->type == 28 && rdlen == 16) {
                for (p = 0; p < 16; p += 2)
                    sprintf(rr->data + strlen(rr->data), "%s%x", p ? ":" : "",
                            m[rd + p] << 8 | m[rd + p + 1]);
            } else if (rr->type == 5 || rr->type == 2 || rr->type == 6) {
                size_t q = rd;
                char a[300], b[300];

                if (tr_name(m, len, &q, a, &r->pointers))
                    return -1;
                if (rr->type == 6) {
                    if (tr_name(m, len, &q, b, &r->pointers) || q + 20 != rd + rdlen)
                        return -1;
                    snprintf(rr->data, sizeof rr->data, "%s %s %u", a, b,
                             (unsigned)((uint32_t)m[q] << 24 | (uint32_t)m[q + 1] << 16 |
                                        (uint32_t)m[q + 2] << 8 | m[q + 3]));
                } else {
                    if (q != rd + rdlen)
                        return -1;
                    snprintf(rr->data, sizeof rr->data, "%s", a);
                }
            } else if (rr->type == 16) {
                for (p = rd; p < rd + rdlen; p += 1 + m[p]) {
                    size_t l = strlen(rr->data);

                    if (p + 1 + m[p] > rd + rdlen || l + m[p] + 2 > sizeof rr->data)
                        return -1;
                    snprintf(rr->data + l, sizeof rr->data - l, "%s%.*s", p > rd ? "|" : "",
                             m[p], (const char *)m + p + 1);
                }
            }
            off = rd + rdlen;
        }
    }
    return off == len ? 0 : -1;
}

/* Parse a zone given as lines, failing the test with the message if bad. */
static inline struct zone *tz_parse(const char *text)
{
    struct zone *z = NULL;
    char err[512];

    if (zone_parse(text, strlen(text), &z, err, sizeof err)) {
        fprintf(stderr, "zone_parse: %s\n", err);
        return NULL;
    }
    return z;
}

#endif
