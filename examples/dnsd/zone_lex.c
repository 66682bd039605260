/* zone_lex: tokens of a master file and the shared field decoders. */
#include "zone_lex.h"
#include "zone.h"

#include <stdio.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int zone_token_is(const struct zone_token *t, const char *w)
{
    size_t i;

    if (t->quoted || strlen(w) != t->len)
        return 0;
    for (i = 0; i < t->len; i++)
        if (lower(t->s[i]) != lower(w[i]))
            return 0;
    return 1;
}

/* A token ends at blank space, a line end, a comment, a parenthesis or a
 * quote; a backslash keeps the next character in it. */
static int lex_word(struct zone_lexer *lx, struct zone_token *t)
{
    const char *s = lx->p;

    while (lx->p < lx->end) {
        char c = *lx->p;

        if (is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"')
            break;
        if (c == '\\') {
            if (lx->p + 1 >= lx->end || lx->p[1] == '\n')
                return -1;
            lx->p++;
        }
        lx->p++;
    }
    t->s = s;
    t->len = (size_t)(lx->p - s);
    t->quoted = 0;
    return 0;
}

/* A quoted string ends at the next unescaped '"' on the same line. */
static int lex_quoted(struct zone_lexer *lx, struct zone_token *t)
{
    const char *s = ++lx->p;

    while (lx->p < lx->end && *lx->p != '"') {
        if (*lx->p == '\n')
            return -1;
        if (*lx->p == '\\') {
            if (lx->p + 1 >= lx->end || lx->p[1] == '\n')
                return -1;
            lx->p++;
        }
        lx->p++;
    }
    if (lx->p >= lx->end)
        return -1;
    t->s = s;
    t->len = (size_t)(lx->p - s);
    t->quoted = 1;
    lx->p++;
    return 0;
}

int zone_lex_entry(struct zone_lexer *lx, struct zone_token *tok, size_t *n,
                   int *owner_given, char *err, size_t errlen)
{
    unsigned paren_line = 0;
    int paren = 0;
    int line_start = 1;

    *n = 0;
    *owner_given = 0;
    while (lx->p < lx->end) {
        char c = *lx->p;

        if (line_start && paren == 0 && *n == 0)
            *owner_given = !is_blank(c);
        line_start = 0;
        if (is_blank(c)) {
            lx->p++;
        } else if (c == ';') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '\n') {
            lx->p++;
            lx->line++;
            line_start = 1;
            if (paren == 0 && *n > 0)
                return 1;
        } else if (c == '(') {
            if (paren) {
                snprintf(err, errlen, "line %u: nested '('", lx->line);
                return -1;
            }
            paren = 1;
            paren_line = lx->line;
            lx->p++;
        } else if (c == ')') {
            if (!paren) {
                snprintf(err, errlen, "line %u: ')' without '('", lx->line);
                return -1;
            }
            paren = 0;
            lx->p++;
        } else {
            struct zone_token *t = &tok[*n];

            if (*n == ZONE_MAX_TOKENS) {
                snprintf(err, errlen, "line %u: more than %d fields in one record",
                         lx->line, ZONE_MAX_TOKENS);
                return -1;
            }
            t->line = lx->line;
            if (c == '"' ? lex_quoted(lx, t) : lex_word(lx, t)) {
                snprintf(err, errlen, "line %u: %s", lx->line,
                         c == '"' ? "unterminated quoted string" : "'\\' at the end of a line");
                return -1;
            }
            (*n)++;
        }
    }
    if (paren) {
        snprintf(err, errlen, "line %u: '(' opened here is never closed", paren_line);
        return -1;
    }
    return *n > 0;
}

/* Decode one character of t->s at *i (an escape "\X" or "\DDD", or a
 * plain character) into *out.  Returns 0, or -1 for a bad "\DDD". */
static int decode_char(const struct zone_token *t, size_t *i, uint8_t *out, int *escaped)
{
    const char *s = t->s;

    *escaped = 0;
    if (s[*i] != '\\') {
        *out = (uint8_t)s[(*i)++];
        return 0;
    }
    *escaped = 1;
    (*i)++;   /* the lexer guarantees a character after '\' */
    if (is_digit(s[*i])) {
        unsigned v = 0, k;

        for (k = 0; k < 3; k++, (*i)++) {
            if (*i >= t->len || !is_digit(s[*i]))
                return -1;
            v = v * 10 + (unsigned)(s[*i] - '0');
        }
        if (v > 255)
            return -1;
        *out = (uint8_t)v;
        return 0;
    }
    *out = (uint8_t)s[(*i)++];
    return 0;
}

size_t zone_name_from_text(const struct zone_token *t, const uint8_t *origin, size_t origin_len,
                           uint8_t *out, char *err, size_t errlen)
{
    size_t i = 0, len = 0, label = 0;   /* label: where the open label's length byte is */
    int absolute = 0;

    if (t->quoted) {
        snprintf(err, errlen, "line %u: a name cannot be a quoted string", t->line);
        return 0;
    }
    if (t->len == 1 && t->s[0] == '@') {
        if (origin_len == 0) {
            snprintf(err, errlen, "line %u: '@' with no $ORIGIN set", t->line);
            return 0;
        }
        memcpy(out, origin, origin_len);
        return origin_len;
    }
    if (t->len == 1 && t->s[0] == '.') {
        out[0] = 0;
        return 1;
    }
    out[0] = 0;
    len = 1;
    while (i < t->len) {
        uint8_t c;
        int escaped;

        if (decode_char(t, &i, &c, &escaped)) {
            snprintf(err, errlen, "line %u: bad escape in name '%.*s%s' (\\DDD is 000..255)",
                     t->line, SHOWN(t));
            return 0;
        }
        if (c == '.' && !escaped) {
            if (out[label] == 0) {
                snprintf(err, errlen, "line %u: empty label in name '%.*s%s'",
                         t->line, SHOWN(t));
                return 0;
            }
            if (i == t->len) {
                absolute = 1;
                break;
            }
            label = len;
            out[len++] = 0;
        } else {
            if (out[label] == DNS_LABEL_MAX) {
                snprintf(err, errlen, "line %u: label longer than %d octets in name '%.*s%s'",
                         t->line, DNS_LABEL_MAX, SHOWN(t));
                return 0;
            }
            out[label]++;
            out[len++] = (uint8_t)lower((char)c);
        }
        if (len >= DNS_NAME_MAX) {
            snprintf(err, errlen, "line %u: name '%.*s%s' longer than %d octets",
                     t->line, SHOWN(t), DNS_NAME_MAX);
            return 0;
        }
    }
    if (!absolute) {
        if (origin_len == 0) {
            snprintf(err, errlen, "line %u: relative name '%.*s%s' with no $ORIGIN set",
                     t->line, SHOWN(t));
            return 0;
        }
        if (len + origin_len > DNS_NAME_MAX) {
            snprintf(err, errlen, "line %u: name '%.*s%s' longer than %d octets with the origin",
                     t->line, SHOWN(t), DNS_NAME_MAX);
            return 0;
        }
        memcpy(out + len, origin, origin_len);
        return len + origin_len;
    }
    out[len++] = 0;
    return len;
}

int zone_ttl_from_text(const struct zone_token *t, uint32_t *ttl)
{
    uint64_t total = 0, v = 0;
    size_t i;
    int digits = 0, units = 0;

    if (t->quoted || t->len == 0)
        return -1;
    for (i = 0; i < t->len; i++) {
        char c = lower(t->s[i]);
        uint64_t mult;

        if (is_digit(c)) {
            v = v * 10 + (uint64_t)(c - '0');
            digits++;
            if (v > 0x7fffffff)
                return -1;
            continue;
        }
        switch (c) {
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        case 'w': mult = 604800; break;
        default: return -1;
        }
        if (!digits)
            return -1;
        total += v * mult;
        if (total > 0x7fffffff)
            return -1;
        v = 0;
        digits = 0;
        units++;
    }
    if (digits) {
        if (units)   /* "1h30" is ambiguous: refuse it */
            return -1;
        total = v;
    }
    *ttl = (uint32_t)total;
    return 0;
}

int zone_u32_from_text(const struct zone_token *t, uint32_t *v)
{
    uint64_t x = 0;
    size_t i;

    if (t->quoted || t->len == 0 || t->len > 10)
        return -1;
    for (i = 0; i < t->len; i++) {
        if (!is_digit(t->s[i]))
            return -1;
        x = x * 10 + (uint64_t)(t->s[i] - '0');
    }
    if (x > 0xffffffffu)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

size_t zone_string_from_text(const struct zone_token *t, uint8_t *out)
{
    size_t i = 0, n = 0;

    while (i < t->len) {
        uint8_t c;
        int escaped;

        if (n == DNS_STRING_MAX || decode_char(t, &i, &c, &escaped))
            return 0;
        out[1 + n++] = c;
    }
    out[0] = (uint8_t)n;
    return n + 1;
}

int zone_ipv4_from_text(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
        while (i < len && is_digit(s[i])) {
            if (digits == 1 && v == 0)   /* no leading zeros: "010" is not 8 or 10 */
                return -1;
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 255)
                return -1;
            digits++;
            i++;
        }
        if (digits == 0)
            return -1;
        out[part] = (uint8_t)v;
    }
    return i == len ? 0 : -1;
}

static int hex_value(char c)
{
    c = lower(c);
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int zone_ipv6_from_text(const char *s, size_t len, uint8_t out[16])
{
    uint8_t b[16];
    size_t i = 0, n = 0;      /* n: bytes of b filled */
    long gap = -1;            /* where "::" stands, in bytes */

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        int h;

        while (i < len && i - start < 5 && (h = hex_value(s[i])) >= 0) {
            v = v * 16 + (unsigned)h;
            i++;
        }
        if (i < len && s[i] == '.') {   /* a trailing dotted quad */
            if (n > 12 || zone_ipv4_from_text(s + start, len - start, b + n))
                return -1;
            n += 4;
            i = len;
            break;
        }
        if (i == start || i - start > 4 || n > 14)
            return -1;
        b[n++] = (uint8_t)(v >> 8);
        b[n++] = (uint8_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = (long)n;
            i++;
        } else if (i == len) {
            return -1;   /* a trailing single ':' */
        }
    }
    if (gap < 0) {
        if (n != 16)
            return -1;
        memcpy(out, b, 16);
        return 0;
    }
    if (n > 14)   /* "::" stands for at least one group */
        return -1;
    memset(out, 0, 16);
    memcpy(out, b, (size_t)gap);
    memcpy(out + 16 - (n - (size_t)gap), b + gap, n - (size_t)gap);
    return 0;
}
