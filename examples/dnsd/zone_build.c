/* zone_build: whole-zone rules, and the searchable zone made of the parsed
 * records (zone_build.h); lookups in it (zone.h). */
#include "zone_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t dns_name_len(const uint8_t *name)
{
    size_t n = 0;

    while (name[n] != 0)
        n += 1 + (size_t)name[n];
    return n + 1;
}

int dns_name_is_under(const uint8_t *name, size_t len, const uint8_t *parent, size_t plen)
{
    size_t off = 0;

    /* Walk name's label boundaries: parent must match a whole suffix. */
    while (len - off > plen)
        off += 1 + (size_t)name[off];
    return len - off == plen && memcmp(name + off, parent, plen) == 0;
}

int zone_fail(struct zone_records *rec, unsigned line, const char *what)
{
    if (line == 0)
        snprintf(rec->err, rec->errlen, "%s", what);
    else
        snprintf(rec->err, rec->errlen, "line %u: %s", line, what);
    return -1;
}

void zone_chunks_free(struct zone_chunk *c)
{
    while (c != NULL) {
        struct zone_chunk *next = c->next;

        free(c);
        c = next;
    }
}

static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int rr_order(const void *pa, const void *pb)
{
    const struct zone_parsed_rr *a = pa, *b = pb;
    int c = name_cmp(a->owner, a->owner_len, b->owner, b->owner_len);

    if (c != 0)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;   /* file order */
}

static int node_order(const void *pa, const void *pb)
{
    const struct zone_node *a = pa, *b = pb;

    return name_cmp(a->name, dns_name_len(a->name), b->name, dns_name_len(b->name));
}

/* Whole-zone rules, on the records sorted by owner. */
static int check_zone(struct zone_records *ps, const uint8_t *apex, size_t apex_len)
{
    char msg[320];
    size_t i, j;

    for (i = 0; i < ps->n_rrs; i++) {
        const struct zone_parsed_rr *r = &ps->rrs[i];

        if (!dns_name_is_under(r->owner, r->owner_len, apex, apex_len))
            return zone_fail(ps, r->line, "owner name is outside the zone (its apex is the SOA "
                                     "owner, or else the first $ORIGIN)");
        if (r->type == DNS_TYPE_NS && (r->owner_len != apex_len ||
                                       memcmp(r->owner, apex, apex_len) != 0))
            return zone_fail(ps, r->line, "NS below the zone apex (a delegation) is not supported");
    }
    for (i = 0; i < ps->n_rrs; i = j) {
        size_t cname = 0, other = 0, cname_at = i;

        for (j = i; j < ps->n_rrs && ps->rrs[j].owner_len == ps->rrs[i].owner_len &&
                    memcmp(ps->rrs[j].owner, ps->rrs[i].owner, ps->rrs[i].owner_len) == 0; j++) {
            if (ps->rrs[j].type == DNS_TYPE_CNAME) {
                if (cname++ == 0)
                    cname_at = j;
            } else {
                other++;
            }
        }
        if (cname > 1 || (cname && other)) {
            snprintf(msg, sizeof msg, "a CNAME owner can have no other record (RFC 1034 3.6.2): "
                     "it has %zu more", cname + other - 1);
            return zone_fail(ps, ps->rrs[cname_at].line, msg);
        }
    }
    return 0;
}

static int same_rrset(const struct zone_parsed_rr *a, const struct zone_parsed_rr *b)
{
    return a->type == b->type && a->owner_len == b->owner_len &&
           memcmp(a->owner, b->owner, a->owner_len) == 0;
}

/* On the records sorted by owner, type and file order: drop records
 * identical to an earlier one (RFC 2181 5: an RRset holds no duplicates),
 * and give every record of an RRset the RRset's lowest TTL (RFC 2181 5.2:
 * the TTLs of an RRset are equal). */
static void normalise_rrsets(struct zone_records *ps)
{
    size_t i, k, out = 0, set = 0;   /* set: where the current RRset starts in the output */

    for (i = 0; i < ps->n_rrs; i++) {
        struct zone_parsed_rr *r = &ps->rrs[i];
        int dup = 0;

        if (out == 0 || !same_rrset(&ps->rrs[set], r))
            set = out;
        for (k = set; k < out && !dup; k++)
            dup = ps->rrs[k].rdlen == r->rdlen && memcmp(ps->rrs[k].rdata, r->rdata, r->rdlen) == 0;
        if (dup)
            continue;
        ps->rrs[out++] = *r;
        if (r->ttl != ps->rrs[set].ttl) {   /* the others of the set share one TTL */
            uint32_t ttl = r->ttl < ps->rrs[set].ttl ? r->ttl : ps->rrs[set].ttl;

            for (k = set; k < out; k++)
                ps->rrs[k].ttl = ttl;
        }
    }
    ps->n_rrs = out;
}

/* Build the zone: its records, and nodes for owners and empty
 * non-terminals; names and RDATA stay in the parser's chunks, which the
 * zone takes over. */
static int assemble(struct zone_records *ps, const uint8_t *apex, size_t apex_len,
                    struct zone **out)
{
    struct zone *z;
    size_t i, n_names = 0, at;
    struct zone_node *nodes;

    /* Upper bound on names: each owner and each of its ancestors below it. */
    for (i = 0; i < ps->n_rrs; i = at) {
        const struct zone_parsed_rr *r = &ps->rrs[i];
        size_t off = 0;

        for (at = i + 1; at < ps->n_rrs && ps->rrs[at].owner_len == r->owner_len &&
                         memcmp(ps->rrs[at].owner, r->owner, r->owner_len) == 0; at++)
            ;
        while (r->owner_len - off >= apex_len) {
            n_names++;
            if (r->owner_len - off == apex_len)
                break;
            off += 1 + (size_t)r->owner[off];
        }
    }
    z = calloc(1, sizeof *z);
    nodes = malloc(n_names * sizeof *nodes);
    if (z != NULL)
        z->rrs = malloc(ps->n_rrs * sizeof *z->rrs);
    if (z == NULL || nodes == NULL || z->rrs == NULL) {
        if (z != NULL)
            free(z->rrs);
        free(z);
        free(nodes);
        return zone_fail(ps, 0, "out of memory");
    }
    z->n_rrs = ps->n_rrs;
    for (i = 0; i < ps->n_rrs; i++) {
        const struct zone_parsed_rr *r = &ps->rrs[i];
        struct zone_rr *zr = &z->rrs[i];

        zr->type = r->type;
        zr->ttl = r->ttl;
        zr->rdlen = r->rdlen;
        zr->rdata = r->rdata;
        if (r->type == DNS_TYPE_SOA)
            z->soa = zr;
    }
    /* Names: every owner with its records, then its ancestors as empty
     * nodes; sort, then merge equal names keeping the one with records. */
    for (i = 0, n_names = 0; i < ps->n_rrs; i = at) {
        const struct zone_parsed_rr *r = &ps->rrs[i];
        size_t off = 0;

        for (at = i + 1; at < ps->n_rrs && ps->rrs[at].owner_len == r->owner_len &&
                         memcmp(ps->rrs[at].owner, r->owner, r->owner_len) == 0; at++)
            ;
        while (r->owner_len - off >= apex_len) {
            nodes[n_names].name = r->owner + off;
            nodes[n_names].first = off == 0 ? i : 0;
            nodes[n_names].count = off == 0 ? at - i : 0;
            n_names++;
            if (r->owner_len - off == apex_len)
                break;
            off += 1 + (size_t)r->owner[off];
        }
    }
    qsort(nodes, n_names, sizeof *nodes, node_order);
    for (i = 0, at = 0; i < n_names; i++) {
        if (at > 0 && node_order(&nodes[at - 1], &nodes[i]) == 0) {
            if (nodes[i].count)
                nodes[at - 1] = nodes[i];
            continue;
        }
        nodes[at++] = nodes[i];
    }
    z->nodes = nodes;
    z->n_nodes = at;
    memcpy(z->apex, apex, apex_len);
    z->apex_len = apex_len;
    z->arena = ps->chunks;
    ps->chunks = NULL;
    *out = z;
    return 0;
}

int zone_build(struct zone_records *rec, const uint8_t *apex, size_t apex_len, struct zone **out)
{
    uint8_t apex_copy[DNS_NAME_MAX];   /* apex may point into a record sorted below */

    memcpy(apex_copy, apex, apex_len);
    qsort(rec->rrs, rec->n_rrs, sizeof *rec->rrs, rr_order);
    if (check_zone(rec, apex_copy, apex_len))
        return -1;
    normalise_rrsets(rec);
    return assemble(rec, apex_copy, apex_len, out);
}

void zone_free(struct zone *z)
{
    if (z == NULL)
        return;
    free(z->nodes);
    free(z->rrs);
    zone_chunks_free(z->arena);
    free(z);
}

const struct zone_node *zone_find(const struct zone *z, const uint8_t *name, size_t len)
{
    size_t lo = 0, hi = z->n_nodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const uint8_t *m = z->nodes[mid].name;
        int c = name_cmp(name, len, m, dns_name_len(m));

        if (c == 0)
            return &z->nodes[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
