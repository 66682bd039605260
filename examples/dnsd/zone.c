/* zone: parse a master file (zone.h); zone_build.c makes the zone. */
#include "zone.h"
#include "zone_build.h"
#include "zone_lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct zone_records rec;       /* what has been parsed */
    int have_dollar_ttl, have_last_ttl;
    uint32_t dollar_ttl;           /* $TTL (RFC 2308 4): the TTL of records without one */
    uint32_t last_ttl;             /* else the last TTL given (RFC 1035 5.1) */
    uint8_t rdata[65535];
};

static int fail(struct parser *ps, unsigned line, const char *what)
{
    return zone_fail(&ps->rec, line, what);
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
                                           ps->rdata + len, ps->rec.err, ps->rec.errlen);
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
    struct zone_chunk *c = ps->rec.chunks;

    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > ZONE_CHUNK_SIZE ? n : ZONE_CHUNK_SIZE;

        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->next = ps->rec.chunks;
        c->used = 0;
        c->cap = cap;
        ps->rec.chunks = c;
    }
    c->used += n;
    return c->data + c->used - n;
}

static int add_rr(struct parser *ps, uint16_t type, uint32_t ttl, size_t rdlen, unsigned line)
{
    struct zone_parsed_rr *r;
    uint8_t *rdata;

    if (ps->rec.n_rrs == ps->rec.cap_rrs) {
        size_t cap = ps->rec.cap_rrs ? 2 * ps->rec.cap_rrs : 64;
        struct zone_parsed_rr *n = realloc(ps->rec.rrs, cap * sizeof *n);

        if (n == NULL)
            return fail(ps, line, "out of memory");
        ps->rec.rrs = n;
        ps->rec.cap_rrs = cap;
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
    r = &ps->rec.rrs[ps->rec.n_rrs];
    r->owner = ps->owner_stored;
    r->owner_len = (uint8_t)ps->owner_len;
    r->type = type;
    r->ttl = ttl;
    r->rdlen = (uint16_t)rdlen;
    r->rdata = rdata;
    r->line = line;
    ps->rec.n_rrs++;
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
        len = zone_name_from_text(&tok[1], ps->origin, ps->origin_len, name, ps->rec.err, ps->rec.errlen);
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
                                         ps->rec.err, ps->rec.errlen);
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
    ps->rec.err = err;
    ps->rec.errlen = errlen;
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
    for (i = 0; i < ps->rec.n_rrs; i++) {
        if (ps->rec.rrs[i].type != DNS_TYPE_SOA)
            continue;
        if (apex != NULL) {
            fail(ps, ps->rec.rrs[i].line, "a second SOA record (a zone has one, at its apex)");
            goto out;
        }
        apex = ps->rec.rrs[i].owner;
        apex_len = ps->rec.rrs[i].owner_len;
    }
    if (apex == NULL) {
        apex = ps->first_origin;
        apex_len = ps->first_origin_len;
    }
    if (ps->rec.n_rrs == 0) {
        fail(ps, ps->lx.line, "the zone has no records");
        goto out;
    }
    if (apex_len == 0) {
        fail(ps, ps->lx.line, "no SOA record and no $ORIGIN: the zone's apex is unknown");
        goto out;
    }
    rc = zone_build(&ps->rec, apex, apex_len, out);
out:
    zone_chunks_free(ps->rec.chunks);
    free(ps->rec.rrs);
    free(ps);
    return rc;
}

