/* zone_lex: split a master file (RFC 1035 5.1) into entries of tokens, and
 * decode the token forms that every record type shares: names, TTLs,
 * numbers, character-strings, IPv4 and IPv6 addresses. */
#ifndef DNSD_ZONE_LEX_H
#define DNSD_ZONE_LEX_H

#include <stddef.h>
#include <stdint.h>

struct zone_token {
    const char *s;      /* raw text (quotes removed, escapes still in) */
    size_t len;
    unsigned line;      /* the line it is on */
    int quoted;
};

struct zone_lexer {
    const char *p, *end;
    unsigned line;
};

/* The most tokens one entry may have (a TXT record of 65535 bytes would
 * need 257 strings of 255). */
#define ZONE_MAX_TOKENS 300

/* zone_lex_entry: read the next entry (one line, or several joined by
 * parentheses) into tok[0..*n).  *owner_given is whether the entry's line
 * starts with a token rather than blank space (then tok[0] is its owner).
 * Returns 1 for an entry, 0 at the end of the text, -1 with a message in
 * err ("line N: ...") for malformed text. */
int zone_lex_entry(struct zone_lexer *lx, struct zone_token *tok, size_t *n,
                   int *owner_given, char *err, size_t errlen);

/* zone_name_from_text: the name in token t, made absolute with origin
 * (wire form, lower case; origin_len 0 means no origin is set) into
 * out[DNS_NAME_MAX].  "@" is the origin.  Returns the wire length, or 0
 * with a message in err. */
size_t zone_name_from_text(const struct zone_token *t, const uint8_t *origin, size_t origin_len,
                           uint8_t *out, char *err, size_t errlen);

/* zone_ttl_from_text: a TTL in seconds ("3600") or with units ("1h30m",
 * s/m/h/d/w, any case), at most 2^31-1 (RFC 2181 8).  Returns 0 or -1. */
int zone_ttl_from_text(const struct zone_token *t, uint32_t *ttl);

/* zone_u32_from_text: a plain decimal number 0..2^32-1.  Returns 0 or -1. */
int zone_u32_from_text(const struct zone_token *t, uint32_t *v);

/* zone_string_from_text: the <character-string> in t, escapes decoded,
 * as a length byte and the bytes into out[1 + DNS_STRING_MAX].  Returns
 * the bytes written (1 + length), or 0 if longer than 255. */
size_t zone_string_from_text(const struct zone_token *t, uint8_t *out);

/* zone_ipv4_from_text, zone_ipv6_from_text: an address in its usual text
 * form (dotted quad without leading zeros; RFC 4291 2.2, "::" and a
 * trailing dotted quad allowed).  Return 0 or -1. */
int zone_ipv4_from_text(const char *s, size_t len, uint8_t out[4]);
int zone_ipv6_from_text(const char *s, size_t len, uint8_t out[16]);

/* SHOWN(t): printf arguments for "%.*s%s" showing token t in a message,
 * cut at 60 characters with "..." so that messages stay one line. */
#define ZONE_SHOWN_MAX 60
#define SHOWN(t) (int)((t)->len > ZONE_SHOWN_MAX ? ZONE_SHOWN_MAX : (t)->len), (t)->s, \
                 (t)->len > ZONE_SHOWN_MAX ? "..." : ""

/* zone_token_is: whether t is, case-insensitively, the word w. */
int zone_token_is(const struct zone_token *t, const char *w);

#endif
