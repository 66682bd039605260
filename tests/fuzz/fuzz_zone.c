/* libFuzzer target: zone_parse (examples/dnsd/zone.c, zone_lex.c) on
 * arbitrary master files.  A refused file must get a one-line message
 * naming a line ("line N: ...", or "out of memory"); an accepted zone
 * must hold its invariants: nodes sorted and unique, every name a valid
 * lower-case wire name (labels 1..63, at most 255 octets) at or under the
 * apex, RDATA of the right shape for its type, no CNAME beside other data,
 * the SOA (if any) at the apex, one TTL per RRset, no duplicate records.  Then every name of the zone is asked for
 * A, CNAME and ANY, and each response must decode (test_dns_util.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/dnsd/dns_answer.h"
#include "../../examples/dnsd/dns_msg.h"
#include "../unit/test_dns_util.h"

static void die(const char *what)
{
    fprintf(stderr, "fuzz_zone: %s\n", what);
    abort();
}

/* A valid lower-case wire name of exactly len octets (0: any length);
 * returns its length. */
static size_t check_name(const uint8_t *n, size_t max)
{
    size_t at = 0;

    for (;;) {
        size_t i;

        if (at >= max || at >= DNS_NAME_MAX)
            die("name runs past its bound");
        if (n[at] == 0)
            return at + 1;
        if (n[at] > DNS_LABEL_MAX)
            die("label over 63 octets");
        for (i = 1; i <= n[at]; i++)
            if (n[at + i] >= 'A' && n[at + i] <= 'Z')
                die("upper case in a stored name");
        at += 1 + n[at];
    }
}

static void check_rdata(const struct zone_rr *rr)
{
    size_t l, at;

    switch (rr->type) {
    case DNS_TYPE_A: if (rr->rdlen != 4) die("A rdlen"); break;
    case DNS_TYPE_AAAA: if (rr->rdlen != 16) die("AAAA rdlen"); break;
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
        if (check_name(rr->rdata, rr->rdlen) != rr->rdlen)
            die("CNAME/NS rdata is not one name");
        break;
    case DNS_TYPE_SOA:
        l = check_name(rr->rdata, rr->rdlen);
        l += check_name(rr->rdata + l, rr->rdlen - l);
        if (l + 20 != rr->rdlen)
            die("SOA rdata shape");
        break;
    case DNS_TYPE_TXT:
        if (rr->rdlen == 0)
            die("empty TXT rdata");
        for (at = 0; at < rr->rdlen; at += 1 + rr->rdata[at])
            ;
        if (at != rr->rdlen)
            die("TXT strings overrun");
        break;
    default:
        die("unknown type stored");
    }
}

static void ask_all(const struct zone *z)
{
    static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_CNAME, DNS_TYPE_ANY };
    static uint8_t q[600], r[DNS_EDNS_MAX];
    static struct tr_msg m;
    size_t i, t;

    for (i = 0; i < z->n_nodes && i < 64; i++) {
        size_t len = dns_name_len(z->nodes[i].name);

        for (t = 0; t < 3; t++) {
            size_t n, qlen = 12;

            memset(q, 0, 12);
            q[5] = 1;
            memcpy(q + 12, z->nodes[i].name, len);
            qlen += len;
            q[qlen++] = 0;
            q[qlen++] = (uint8_t)types[t];
            q[qlen++] = 0;
            q[qlen++] = 1;
            n = dns_answer(z, q, qlen, r, sizeof r);
            if (n < 12 || n > DNS_UDP_MIN || tr_parse(r, n, &m))
                die("answer from an accepted zone does not decode");
            if ((m.rcode != 0 && m.rcode != 3) || !(m.flags & 0x0400))
                die("a name of the zone is not answered authoritatively");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct zone *z = NULL;
    char err[512];
    size_t i, j, k;

    memset(err, 'x', sizeof err);
    if (zone_parse((const char *)data, size, &z, err, sizeof err)) {
        if (z != NULL || memchr(err, '\0', sizeof err) == NULL || strchr(err, '\n') != NULL ||
            (strncmp(err, "line ", 5) != 0 && strcmp(err, "out of memory") != 0))
            die("bad refusal");
        return 0;
    }
    if (z == NULL || z->n_rrs == 0 || z->n_nodes == 0)
        die("accepted an empty zone");
    if (check_name(z->apex, z->apex_len) != z->apex_len)
        die("apex");
    if (z->soa != NULL) {
        const struct zone_node *a = zone_find(z, z->apex, z->apex_len);

        if (a == NULL || z->soa < &z->rrs[a->first] || z->soa >= &z->rrs[a->first + a->count])
            die("SOA not at the apex");
    }
    for (i = 0; i < z->n_nodes; i++) {
        const struct zone_node *nd = &z->nodes[i];
        size_t len = check_name(nd->name, DNS_NAME_MAX), cnames = 0;

        if (!dns_name_is_under(nd->name, len, z->apex, z->apex_len))
            die("name outside the apex");
        if (i > 0) {
            size_t pl = dns_name_len(z->nodes[i - 1].name);
            int c = memcmp(z->nodes[i - 1].name, nd->name, pl < len ? pl : len);

            if (c > 0 || (c == 0 && pl >= len))
                die("nodes not sorted and unique");
        }
        if (zone_find(z, nd->name, len) != nd)
            die("zone_find misses a node");
        if (nd->first + nd->count > z->n_rrs)
            die("node records out of range");
        for (j = 0; j < nd->count; j++) {
            const struct zone_rr *rr = &z->rrs[nd->first + j];

            check_rdata(rr);
            cnames += rr->type == DNS_TYPE_CNAME;
            for (k = 0; k < j; k++) {
                const struct zone_rr *o = &z->rrs[nd->first + k];

                if (o->type == rr->type && o->ttl != rr->ttl)
                    die("two TTLs in one RRset");
                if (o->type == rr->type && o->rdlen == rr->rdlen &&
                    memcmp(o->rdata, rr->rdata, rr->rdlen) == 0)
                    die("a duplicate record kept");
            }
            if (rr->type == DNS_TYPE_NS && len != z->apex_len)
                die("NS below the apex");
        }
        if (cnames && nd->count != 1)
            die("CNAME beside other data");
    }
    ask_all(z);
    zone_free(z);
    return 0;
}
