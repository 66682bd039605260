/* zone: parse a master file into a sorted, searchable zone (zone.h). */
#include "zone.h"
#include "zone_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Owner names and RDATA live in chunks, filled in file order and handed
 * to the zone as they are: a zone costs its bytes once, plus 24 octets a
 * record and 24 a name (50,000 names with 100,000 records: about 8 MiB). */
#define CHUNK_SIZE 65536
struct chunk {
    struct chunk *next;
    size_t used, cap;
    uint8_t data[];
};

/* A record as parsed, before the zone is assembled. */
struct parsed_rr {
    const uint8_t *owner;   /* in a chunk, shared by consecutive records */
    uint8_t owner_len;
    uint16_t type;
    uint16_t rdlen;
    uint32_t ttl;
    const uint8_t *rdata;   /* in a chunk */
    unsigned line;
    size_t seq;             /* file order */
};

struct parser {
    struct zone_lexer lx;
    struct zone_token tok[ZONE_MAX_TOKENS];
    uint8_t origin[DNS_NAME_MAX];
    size_t origin_len;
    uint8_t first_origin[DNS_NAME_MAX];
    size_t first_origin_len;
    uint8_t owner[DNS_NAME_MAX];   /* the previous owner, for entries without one */
    size_t owner_len;
    const uint8_t *owner_stored;   /* owner's copy in a chunk, once made */
    struct chunk *chunks;          /* newest first */
    int have_dollar_ttl, have_last_ttl;
    uint32_t dollar_ttl;           /* $TTL (RFC 2308 4): the TTL of records without one */
    uint32_t last_ttl;             /* else the last TTL given (RFC 1035 5.1) */
    struct parsed_rr *rrs;
    size_t n_rrs, cap_rrs;
    uint8_t rdata[65535];
    char *err;
    size_t errlen;
};

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

static int fail(struct parser *ps, unsigned line, const char *what)
{
    if (line == 0)
        snprintf(ps->err, ps->errlen, "%s", what);
    else
        snprintf(ps->err, ps->errlen, "line %u: %s", line, what);
    return -1;
}

static int type_from_token(const struct zone_token *t, uint16_t *type)
{
    static const struct { const char *name; uint16_t type; } types[] = {
        { "A", DNS_TYPE_A }, { "AAAA", DNS_TYPE_AAAA }, { "CNAME", DNS_TYPE_CNAME },
        { "TXT", DNS_TYPE_TXT }, { "NS", DNS_TYPE_NS }, { "SOA", DNS_TYPE_SOA },
    };
    size_t i;

    for (i = 0; i < sizeof types / sizeof types[0]; i++)
        if (zone_token_is(t, types[i].name)) {
            *type = types[i].type;
            return 0;
        }
    return -1;
}

static int is_class_word(const struct zone_token *t)
{
    return zone_token_is(t, "IN") || zone_token_is(t, "CH") || zone_token_is(t, "HS") ||
           zone_token_is(t, "CS") || zone_token_is(t, "ANY") || zone_token_is(t, "NONE");
}

/* Parse the RDATA tokens tok[0..n) of a record of type into ps->rdata.
 * Returns its length, or -1 with the message set. */
static long parse_rdata(struct parser *ps, uint16_t type, const struct zone_token *tok, size_t n,
                        unsigned line)
{
    char msg[320];
    size_t len = 0, i, want;

    switch (type) {
    case DNS_TYPE_A: case DNS_TYPE_AAAA: case DNS_TYPE_CNAME: case DNS_TYPE_NS: want = 1; break;
    case DNS_TYPE_SOA: want = 7; break;
    default: want = n ? n : 1; break;   /* TXT: one string or more */
    }
    if (n < want)
        return fail(ps, line, type == DNS_TYPE_SOA
            ? "SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"
            : "record has no RDATA");
    if (n > want) {
        snprintf(msg, sizeof msg, "unexpected '%.*s%s' after the RDATA", SHOWN(&tok[want]));
        return fail(ps, tok[want].line, msg);
    }
    switch (type) {
    case DNS_TYPE_A:
        if (tok[0].quoted || zone_ipv4_from_text(tok[0].s, tok[0].len, ps->rdata)) {
            snprintf(msg, sizeof msg, "'%.*s%s' is not an IPv4 address (a.b.c.d)",
                     SHOWN(&tok[0]));
            return fail(ps, tok[0].line, msg);
        }
        return 4;
    case DNS_TYPE_AAAA:
        if (tok[0].quoted || zone_ipv6_from_text(tok[0].s, tok[0].len, ps->rdata)) {
            snprintf(msg, sizeof msg, "'%.*s%s' is not an IPv6 address", SHOWN(&tok[0]));
            return fail(ps, tok[0].line, msg);
        }
        return 16;
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
    case DNS_TYPE_SOA:
        for (i = 0; i < (type == DNS_TYPE_SOA ? 2u : 1u); i++) {
            size_t l = zone_name_from_text(&tok[i], ps->origin, ps->origin_len,
                                           ps->rdata + len, ps->err, ps->errlen);
            if (l == 0)
                return -1;
            len += l;
        }
        if (type != DNS_TYPE_SOA)
            return (long)len;
        for (i = 2; i < 7; i++) {
            uint32_t v;
            int bad = i == 2 ? zone_u32_from_text(&tok[i], &v) : zone_ttl_from_text(&tok[i], &v);

            if (bad) {
                snprintf(msg, sizeof msg, "SOA %s '%.*s%s' is not %s",
                         i == 2 ? "SERIAL" : i == 3 ? "REFRESH" : i == 4 ? "RETRY"
                                : i == 5 ? "EXPIRE" : "MINIMUM",
                         SHOWN(&tok[i]),
                         i == 2 ? "a number 0..4294967295" : "a time 0..2147483647 s");
                return fail(ps, tok[i].line, msg);
            }
            ps->rdata[len++] = (uint8_t)(v >> 24);
            ps->rdata[len++] = (uint8_t)(v >> 16);
            ps->rdata[len++] = (uint8_t)(v >> 8);
            ps->rdata[len++] = (uint8_t)v;
        }
        return (long)len;
    default:   /* TXT */
        for (i = 0; i < n; i++) {
            uint8_t s[1 + DNS_STRING_MAX];
            size_t l = zone_string_from_text(&tok[i], s);

            if (l == 0)
                return fail(ps, tok[i].line,
                            "TXT string longer than 255 octets or with a bad \\DDD escape");
            if (len + l > sizeof ps->rdata)
                return fail(ps, tok[i].line, "TXT record longer than 65535 octets");
            memcpy(ps->rdata + len, s, l);
            len += l;
        }
        return (long)len;
    }
}

/* n bytes in the newest chunk (a new one if they do not fit), or NULL. */
static uint8_t *chunk_alloc(struct parser *ps, size_t n)
{
    struct chunk *c = ps->chunks;

    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;

        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->next = ps->chunks;
        c->used = 0;
        c->cap = cap;
        ps->chunks = c;
    }
    c->used += n;
    return c->data + c->used - n;
}

static void free_chunks(struct chunk *c)
{
    while (c != NULL) {
        struct chunk *next = c->next;

        free(c);
        c = next;
    }
}

static int add_rr(struct parser *ps, uint16_t type, uint32_t ttl, size_t rdlen, unsigned line)
{
    struct parsed_rr *r;
    uint8_t *rdata;

    if (ps->n_rrs == ps->cap_rrs) {
        size_t cap = ps->cap_rrs ? 2 * ps->cap_rrs : 64;
        struct parsed_rr *n = realloc(ps->rrs, cap * sizeof *n);

        if (n == NULL)
            return fail(ps, line, "out of memory");
        ps->rrs = n;
        ps->cap_rrs = cap;
    }
    if (ps->owner_stored == NULL) {
        uint8_t *o = chunk_alloc(ps, ps->owner_len);

        if (o == NULL)
            return fail(ps, line, "out of memory");
        memcpy(o, ps->owner, ps->owner_len);
        ps->owner_stored = o;
    }
    rdata = chunk_alloc(ps, rdlen);
    if (rdata == NULL)
        return fail(ps, line, "out of memory");
    memcpy(rdata, ps->rdata, rdlen);
    r = &ps->rrs[ps->n_rrs];
    r->owner = ps->owner_stored;
    r->owner_len = (uint8_t)ps->owner_len;
    r->type = type;
    r->ttl = ttl;
    r->rdlen = (uint16_t)rdlen;
    r->rdata = rdata;
    r->line = line;
    r->seq = ps->n_rrs++;
    return 0;
}

static int directive(struct parser *ps, const struct zone_token *tok, size_t n)
{
    char msg[320];

    if (zone_token_is(&tok[0], "$ORIGIN")) {
        uint8_t name[DNS_NAME_MAX];
        size_t len;

        if (n != 2)
            return fail(ps, tok[0].line, "$ORIGIN takes one name");
        len = zone_name_from_text(&tok[1], ps->origin, ps->origin_len, name, ps->err, ps->errlen);
        if (len == 0)
            return -1;
        memcpy(ps->origin, name, len);
        ps->origin_len = len;
        if (ps->first_origin_len == 0) {
            memcpy(ps->first_origin, name, len);
            ps->first_origin_len = len;
        }
        return 0;
    }
    if (zone_token_is(&tok[0], "$TTL")) {
        if (n != 2 || zone_ttl_from_text(&tok[1], &ps->dollar_ttl))
            return fail(ps, tok[0].line, "$TTL takes one time 0..2147483647 s (e.g. 3600 or 1h)");
        ps->have_dollar_ttl = 1;
        return 0;
    }
    if (zone_token_is(&tok[0], "$INCLUDE"))
        return fail(ps, tok[0].line, "$INCLUDE is not supported: the zone is one file");
    snprintf(msg, sizeof msg, "unknown directive '%.*s%s' (expected $ORIGIN or $TTL)",
             SHOWN(&tok[0]));
    return fail(ps, tok[0].line, msg);
}

/* One entry: a directive or a record "[owner] [ttl] [class] type rdata"
 * (TTL and class in either order). */
static int entry(struct parser *ps, size_t n, int owner_given)
{
    const struct zone_token *tok = ps->tok;
    size_t i = 0;
    uint32_t ttl = 0;
    int have_ttl = 0, have_class = 0;
    uint16_t type;
    long rdlen;
    char msg[320];
    unsigned line = tok[0].line;

    if (owner_given && !tok[0].quoted && tok[0].len > 0 && tok[0].s[0] == '$')
        return directive(ps, tok, n);
    if (owner_given) {
        size_t len = zone_name_from_text(&tok[0], ps->origin, ps->origin_len, ps->owner,
                                         ps->err, ps->errlen);
        if (len == 0)
            return -1;
        if (ps->owner[0] == 1 && ps->owner[1] == '*')
            return fail(ps, line, "wildcard names ('*') are not supported");
        ps->owner_len = len;
        ps->owner_stored = NULL;
        i = 1;
    } else if (ps->owner_len == 0) {
        return fail(ps, line, "record with no owner name (the line starts with blank space) "
                              "and no previous owner");
    }
    for (; i < n; i++) {
        if (!have_ttl && !tok[i].quoted && tok[i].len > 0 && tok[i].s[0] >= '0' &&
            tok[i].s[0] <= '9') {
            if (zone_ttl_from_text(&tok[i], &ttl)) {
                snprintf(msg, sizeof msg, "bad TTL '%.*s%s' (expected 0..2147483647 s, e.g. 3600 "
                         "or 1h)", SHOWN(&tok[i]));
                return fail(ps, tok[i].line, msg);
            }
            have_ttl = 1;
        } else if (!have_class && is_class_word(&tok[i])) {
            if (!zone_token_is(&tok[i], "IN"))
                return fail(ps, tok[i].line, "only class IN is supported");
            have_class = 1;
        } else {
            break;
        }
    }
    if (i == n)
        return fail(ps, line, "record has no type");
    if (type_from_token(&tok[i], &type)) {
        snprintf(msg, sizeof msg, "unsupported record type '%.*s%s' (expected A, AAAA, CNAME, "
                 "TXT, NS or SOA)", SHOWN(&tok[i]));
        return fail(ps, tok[i].line, msg);
    }
    if (have_ttl) {
        ps->last_ttl = ttl;
        ps->have_last_ttl = 1;
    } else if (ps->have_dollar_ttl) {
        ttl = ps->dollar_ttl;
    } else if (ps->have_last_ttl) {
        ttl = ps->last_ttl;
    } else {
        return fail(ps, line, "record has no TTL, and no $TTL or earlier TTL applies");
    }
    rdlen = parse_rdata(ps, type, &tok[i + 1], n - i - 1, tok[i].line);
    if (rdlen < 0)
        return -1;
    return add_rr(ps, type, ttl, (size_t)rdlen, line);
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
    const struct parsed_rr *a = pa, *b = pb;
    int c = name_cmp(a->owner, a->owner_len, b->owner, b->owner_len);

    if (c != 0)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int node_order(const void *pa, const void *pb)
{
    const struct zone_node *a = pa, *b = pb;

    return name_cmp(a->name, dns_name_len(a->name), b->name, dns_name_len(b->name));
}

/* Whole-zone rules, on the records sorted by owner. */
static int check_zone(struct parser *ps, const uint8_t *apex, size_t apex_len)
{
    char msg[320];
    size_t i, j;

    for (i = 0; i < ps->n_rrs; i++) {
        const struct parsed_rr *r = &ps->rrs[i];

        if (!dns_name_is_under(r->owner, r->owner_len, apex, apex_len))
            return fail(ps, r->line, "owner name is outside the zone (its apex is the SOA "
                                     "owner, or else the first $ORIGIN)");
        if (r->type == DNS_TYPE_NS && (r->owner_len != apex_len ||
                                       memcmp(r->owner, apex, apex_len) != 0))
            return fail(ps, r->line, "NS below the zone apex (a delegation) is not supported");
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
            return fail(ps, ps->rrs[cname_at].line, msg);
        }
    }
    return 0;
}

/* Drop records identical to an earlier one at the same owner (RFC 2181
 * 5: an RRset holds no duplicates). */
static void drop_duplicates(struct parser *ps)
{
    size_t i, k, out = 0;

    for (i = 0; i < ps->n_rrs; i++) {
        struct parsed_rr *r = &ps->rrs[i];
        int dup = 0;

        for (k = out; k-- > 0;) {
            const struct parsed_rr *q = &ps->rrs[k];

            if (q->owner_len != r->owner_len || memcmp(q->owner, r->owner, r->owner_len) != 0)
                break;
            if (q->type == r->type && q->rdlen == r->rdlen &&
                memcmp(q->rdata, r->rdata, r->rdlen) == 0) {
                dup = 1;
                break;
            }
        }
        if (!dup)
            ps->rrs[out++] = *r;
    }
    ps->n_rrs = out;
}

/* Build the zone: its records, and nodes for owners and empty
 * non-terminals; names and RDATA stay in the parser's chunks, which the
 * zone takes over. */
static int assemble(struct parser *ps, const uint8_t *apex, size_t apex_len, struct zone **out)
{
    struct zone *z;
    size_t i, n_names = 0, at;
    struct zone_node *nodes;

    /* Upper bound on names: each owner and each of its ancestors below it. */
    for (i = 0; i < ps->n_rrs; i = at) {
        const struct parsed_rr *r = &ps->rrs[i];
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
        return fail(ps, 0, "out of memory");
    }
    z->n_rrs = ps->n_rrs;
    for (i = 0; i < ps->n_rrs; i++) {
        const struct parsed_rr *r = &ps->rrs[i];
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
        const struct parsed_rr *r = &ps->rrs[i];
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

int zone_parse(const char *text, size_t len, struct zone **out, char *err, size_t errlen)
{
    struct parser *ps = calloc(1, sizeof *ps);
    const uint8_t *apex = NULL;
    size_t apex_len = 0, n, i;
    int owner_given, r, rc = -1;

    *out = NULL;
    if (ps == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ps->lx.p = text;
    ps->lx.end = text + len;
    ps->lx.line = 1;
    ps->err = err;
    ps->errlen = errlen;
    if (len > 0 && memchr(text, '\0', len) != NULL) {
        const char *z = memchr(text, '\0', len);
        unsigned line = 1;

        for (; text < z; text++)
            line += *text == '\n';
        fail(ps, line, "NUL byte in the zone file");
        goto out;
    }
    while ((r = zone_lex_entry(&ps->lx, ps->tok, &n, &owner_given, err, errlen)) == 1)
        if (entry(ps, n, owner_given))
            goto out;
    if (r < 0)
        goto out;
    for (i = 0; i < ps->n_rrs; i++) {
        if (ps->rrs[i].type != DNS_TYPE_SOA)
            continue;
        if (apex != NULL) {
            fail(ps, ps->rrs[i].line, "a second SOA record (a zone has one, at its apex)");
            goto out;
        }
        apex = ps->rrs[i].owner;
        apex_len = ps->rrs[i].owner_len;
    }
    if (apex == NULL) {
        apex = ps->first_origin;
        apex_len = ps->first_origin_len;
    }
    if (ps->n_rrs == 0) {
        fail(ps, ps->lx.line, "the zone has no records");
        goto out;
    }
    if (apex_len == 0) {
        fail(ps, ps->lx.line, "no SOA record and no $ORIGIN: the zone's apex is unknown");
        goto out;
    }
    {
        uint8_t apex_copy[DNS_NAME_MAX];

        memcpy(apex_copy, apex, apex_len);
        qsort(ps->rrs, ps->n_rrs, sizeof *ps->rrs, rr_order);
        if (check_zone(ps, apex_copy, apex_len))
            goto out;
        drop_duplicates(ps);
        rc = assemble(ps, apex_copy, apex_len, out);
    }
out:
    free_chunks(ps->chunks);
    free(ps->rrs);
    free(ps);
    return rc;
}

void zone_free(struct zone *z)
{
    if (z == NULL)
        return;
    free(z->nodes);
    free(z->rrs);
    free_chunks(z->arena);
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
