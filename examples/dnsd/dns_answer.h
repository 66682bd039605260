/* dns_answer: the authoritative answer to one query over UDP (RFC 1034
 * 4.3.2 for one zone without delegations or wildcards).  Pure C. */
#ifndef DNSD_DNS_ANSWER_H
#define DNSD_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "zone.h"

/* How many CNAMEs one answer follows at most (loops end sooner: a name
 * is never visited twice). */
#define DNS_CNAME_HOPS 16

/* dns_answer: write the response to the query msg[0..len) into
 * resp[0..cap) (cap >= 512) and return its length, or 0 if no response
 * is to be sent (not a query, or shorter than a header).
 * - Names outside the zone: REFUSED, no AA.  Class other than IN or ANY:
 *   REFUSED.  Opcode other than QUERY: NOTIMP.  Zone transfers and other
 *   meta types: NOTIMP.  Malformed: FORMERR.  EDNS version over 0: BADVERS.
 * - Inside: AA; NXDOMAIN or NODATA with the SOA (TTL capped by its
 *   MINIMUM, RFC 2308) in the authority section; CNAMEs followed within
 *   the zone; ANY returns every record at the name.
 * - The response fits in 512 octets, or with EDNS in the client's size
 *   capped at DNS_EDNS_MAX and cap; if the records do not fit it carries
 *   the question only and TC (RFC 2181 9). */
size_t dns_answer(const struct zone *z, const uint8_t *msg, size_t len, uint8_t *resp,
                  size_t cap);

#endif
