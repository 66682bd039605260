/* zone_build: the records a master file yields, as the parser (zone.c)
 * collects them, and the making of the searchable zone from them: the
 * whole-zone rules, duplicates, nodes.  Internal to examples/dnsd. */
#ifndef DNSD_ZONE_BUILD_H
#define DNSD_ZONE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "zone.h"

/* Owner names and RDATA live in chunks, filled in file order and handed
 * to the zone as they are: a zone costs its bytes once, plus 24 octets a
 * record and 24 a name (100,000 records at 50,000 names: about 8 MiB). */
#define ZONE_CHUNK_SIZE 65536
struct zone_chunk {
    struct zone_chunk *next;
    size_t used, cap;
    uint8_t data[];
};

/* A record as parsed, before the zone is made. */
struct zone_parsed_rr {    /* 32 octets */
    const uint8_t *owner;   /* in a chunk, shared by consecutive records */
    const uint8_t *rdata;   /* in a chunk */
    uint32_t ttl;
    uint32_t line;          /* where it starts; also its file order (one record an entry) */
    uint16_t type;
    uint16_t rdlen;
    uint8_t owner_len;
};

struct zone_records {
    struct zone_parsed_rr *rrs;
    size_t n_rrs, cap_rrs;
    struct zone_chunk *chunks;   /* newest first */
    char *err;                   /* where messages go */
    size_t errlen;
};

/* zone_fail: put "line N: what" ("what" for line 0) in rec->err; -1. */
int zone_fail(struct zone_records *rec, unsigned line, const char *what);

void zone_chunks_free(struct zone_chunk *c);

/* zone_build: sort rec's records by owner, check the whole-zone rules
 * against apex (owners at or under it, NS only at it, a CNAME owner with
 * nothing else), drop duplicates, give each RRset its lowest TTL, and
 * make *out, which takes over
 * rec->chunks (then NULL).  Returns 0, or -1 with the message set. */
int zone_build(struct zone_records *rec, const uint8_t *apex, size_t apex_len, struct zone **out);

#endif
