/* zone: an authoritative DNS zone read from a master file (RFC 1035 5).
 *
 * Pure C (no I/O, no platform calls): the same file builds into the
 * unikernel and into host tests and fuzzers.  Names are kept in wire form
 * (length-prefixed labels ending in the root label), lower-cased, so that
 * comparing two names is memcmp. */
#ifndef DNSD_ZONE_H
#define DNSD_ZONE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX   255   /* wire octets of a name, root label included */
#define DNS_LABEL_MAX  63
#define DNS_STRING_MAX 255   /* a <character-string> of TXT */

enum dns_type {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_IXFR = 251,
    DNS_TYPE_AXFR = 252,
    DNS_TYPE_ANY = 255,
};

#define DNS_CLASS_IN  1
#define DNS_CLASS_ANY 255

/* One resource record.  rdata is in wire form; names inside it (NS,
 * CNAME, SOA's MNAME and RNAME) are uncompressed and lower-cased, and the
 * answerer compresses them when it writes them. */
struct zone_rr {
    uint16_t type;
    uint16_t rdlen;
    uint32_t ttl;
    const uint8_t *rdata;
};

/* One name that exists in the zone: an owner of records, or an empty
 * non-terminal (an ancestor of an owner, below the apex, that owns none;
 * RFC 8020: such a name exists, so it gets NODATA, not NXDOMAIN). */
struct zone_node {
    const uint8_t *name;   /* wire form, lower case */
    size_t first;          /* its records: rrs[first .. first + count) */
    size_t count;
};

struct zone {
    uint8_t apex[DNS_NAME_MAX];   /* wire form, lower case */
    size_t apex_len;
    struct zone_node *nodes;      /* sorted by name (memcmp of wire form) */
    size_t n_nodes;
    struct zone_rr *rrs;          /* grouped by node, then by type, in file order */
    size_t n_rrs;
    const struct zone_rr *soa;    /* the apex SOA, or NULL if the zone has none */
    void *arena;                  /* owns the names and RDATA (zone.c's chunks) */
};

/* zone_parse: parse the master file text[0..len) into *out.
 * The apex is the owner of the SOA record if there is one (there may be at
 * most one, at the apex), else the first $ORIGIN.  Supported: $ORIGIN,
 * $TTL, '@', relative and absolute names, '\X' and '\DDD' escapes,
 * comments, parentheses spanning lines, quoted strings; TTLs in seconds or
 * with s/m/h/d/w units; class IN only; types A, AAAA, CNAME, TXT, NS, SOA.
 * Refused: $INCLUDE, wildcards, NS below the apex (delegations), CNAME
 * beside other data, names outside the apex, over-long names, labels and
 * strings, and anything else malformed.  Identical records are kept once;
 * the records of one RRset all get its lowest TTL (RFC 2181 5.2).
 * Returns 0 and a zone to free with zone_free, or -1 with a message
 * "line N: what was wrong" (NUL-terminated, at most errlen bytes) in err. */
int zone_parse(const char *text, size_t len, struct zone **out, char *err, size_t errlen);

void zone_free(struct zone *z);

/* zone_find: the node for the lower-case wire name name[0..len), or NULL. */
const struct zone_node *zone_find(const struct zone *z, const uint8_t *name, size_t len);

/* dns_name_len: length of the uncompressed wire name at name (trusted:
 * a name this module or dns_answer made). */
size_t dns_name_len(const uint8_t *name);

/* dns_name_is_under: whether name equals or is a descendant of parent
 * (both lower-case wire form). */
int dns_name_is_under(const uint8_t *name, size_t len, const uint8_t *parent, size_t plen);

#endif
