/* Unit tests of the dnsd zone parser (examples/dnsd/zone.c, zone_lex.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../examples/dnsd/zone.h"
#include "../../examples/dnsd/zone_lex.h"
#include "test_dns_util.h"

/* Wire form of a dotted name (absolute), for lookups. */
static size_t wire(const char *dotted, uint8_t *out)
{
    size_t n = 0;
    const char *p = dotted;

    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);

        out[n++] = (uint8_t)l;
        memcpy(out + n, p, l);
        n += l;
        p += l + (*(p + l) == '.');
    }
    out[n++] = 0;
    return n;
}

static const struct zone_node *find(const struct zone *z, const char *dotted)
{
    uint8_t w[300];
    size_t n = wire(dotted, w);

    return zone_find(z, w, n);
}

static const struct zone_rr *rr_of(const struct zone *z, const char *dotted, uint16_t type,
                                   size_t nth)
{
    const struct zone_node *node = find(z, dotted);
    size_t i;

    for (i = 0; node != NULL && i < node->count; i++)
        if (z->rrs[node->first + i].type == type && nth-- == 0)
            return &z->rrs[node->first + i];
    return NULL;
}

static const char good_zone[] =
    "; a comment line\n"
    "$ORIGIN Example.TEST.\n"
    "$TTL 1h\n"
    "@   IN SOA ns1 hostmaster.example.test. ( 2024010101 ; serial\n"
    "        3600 900   ; refresh retry\n"
    "        1w 300 )\n"
    "    IN NS ns1\n"
    "ns1 IN A 10.0.0.2\n"
    "WWW 60 IN A 192.0.2.10 ; trailing comment\n"
    "    IN 120 AAAA 2001:DB8::10\n"
    "    A 192.0.2.11\n"
    "alias CNAME www\n"
    "txt TXT \"hello world\" \"semi;colon \\\"q\\\"\" plain \\065\\066\n"
    "txt.example.test. TXT \"\"\n"
    "esc\\.aped A 192.0.2.12\n"
    "deep.ent 30 A 192.0.2.13\n"
    "$ORIGIN sub.example.test.\n"
    "x A 192.0.2.14\n"
    "x A 192.0.2.14\n";   /* a duplicate, kept once */

static void test_good_zone(void **state)
{
    struct zone *z = tz_parse(good_zone);
    const struct zone_rr *r;
    uint8_t apex[300];

    (void)state;
    assert_non_null(z);
    assert_int_equal(z->apex_len, wire("example.test", apex));
    assert_memory_equal(z->apex, apex, z->apex_len);
    assert_non_null(z->soa);
    assert_int_equal(z->n_rrs, 12);

    /* SOA across three lines, comments inside the parentheses, units. */
    r = rr_of(z, "example.test", DNS_TYPE_SOA, 0);
    assert_ptr_equal(r, z->soa);
    assert_int_equal(r->ttl, 3600);
    /* MNAME ns1.example.test. (18 octets), RNAME hostmaster.example.test.
     * (25), five numbers. */
    assert_int_equal(r->rdlen, 18 + 25 + 20);
    assert_memory_equal(r->rdata + 43, "\x78\xa3\xf1\x75\0\0\x0e\x10\0\0\x03\x84\0\x09\x3a\x80"
                        "\0\0\x01\x2c", 20);

    r = rr_of(z, "www.example.test", DNS_TYPE_A, 0);
    assert_non_null(r);
    assert_int_equal(r->ttl, 60);
    assert_memory_equal(r->rdata, "\xc0\x00\x02\x0a", 4);
    /* TTL after the class; the owner carried over from the line above. */
    r = rr_of(z, "www.example.test", DNS_TYPE_AAAA, 0);
    assert_non_null(r);
    assert_int_equal(r->ttl, 120);
    assert_memory_equal(r->rdata, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16);
    /* No TTL: $TTL, not the last one given (120). */
    r = rr_of(z, "alias.example.test", DNS_TYPE_CNAME, 0);
    assert_non_null(r);
    assert_int_equal(r->ttl, 3600);
    /* The second A of www came with $TTL's 3600: its RRset's lowest now. */
    r = rr_of(z, "www.example.test", DNS_TYPE_A, 1);
    assert_non_null(r);
    assert_int_equal(r->ttl, 60);
    assert_memory_equal(r->rdata, "\xc0\x00\x02\x0b", 4);

    r = rr_of(z, "alias.example.test", DNS_TYPE_CNAME, 0);
    assert_non_null(r);
    assert_int_equal(r->rdlen, 18);
    assert_memory_equal(r->rdata, "\3www\7example\4test", 18);

    r = rr_of(z, "txt.example.test", DNS_TYPE_TXT, 0);
    assert_non_null(r);
    assert_int_equal(r->rdlen, 12 + 15 + 6 + 3);
    assert_memory_equal(r->rdata, "\13hello world\016semi;colon \"q\"\5plain\2AB", r->rdlen);
    r = rr_of(z, "txt.example.test", DNS_TYPE_TXT, 1);
    assert_non_null(r);
    assert_int_equal(r->rdlen, 1);

    /* An escaped dot is part of the label. */
    {
        uint8_t w[] = "\x08" "esc.aped" "\x07" "example" "\x04" "test";

        assert_non_null(zone_find(z, w, sizeof w));
    }
    /* An empty non-terminal exists, with no records; a name below the
     * zone's owners does not. */
    assert_non_null(find(z, "ent.example.test"));
    assert_int_equal(find(z, "ent.example.test")->count, 0);
    assert_non_null(find(z, "sub.example.test"));
    assert_null(find(z, "nope.example.test"));
    assert_null(find(z, "deeper.deep.ent.example.test"));
    /* The duplicate was dropped. */
    assert_non_null(rr_of(z, "x.sub.example.test", DNS_TYPE_A, 0));
    assert_null(rr_of(z, "x.sub.example.test", DNS_TYPE_A, 1));
    zone_free(z);
}

static void test_soa_rdata(void **state)
{
    struct zone *z = tz_parse("$TTL 300\nexample.test. SOA ns.example.test. h.example.test. "
                              "4294967295 1 2 3 4\n");

    (void)state;
    assert_non_null(z);
    assert_int_equal(z->soa->rdlen, 17 + 16 + 20);
    assert_memory_equal(z->soa->rdata + 33, "\xff\xff\xff\xff\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4", 20);
    zone_free(z);
}

/* One RRset, one TTL: the lowest (RFC 2181 5.2); duplicates dropped even
 * with another TTL; other RRsets untouched; file order kept in a set. */
static void test_rrset_ttl(void **state)
{
    struct zone *z = tz_parse("$ORIGIN t.\n$TTL 300\n"
                              "a 60 A 192.0.2.1\n"
                              "a AAAA ::1\n"
                              "a 30 A 192.0.2.2\n"
                              "a 10 A 192.0.2.1\n"     /* a duplicate: ignored, its TTL too */
                              "a 90 A 192.0.2.3\n");
    const struct zone_node *n;
    size_t i, a = 0;

    (void)state;
    assert_non_null(z);
    n = find(z, "a.t");
    assert_non_null(n);
    assert_int_equal(n->count, 4);
    for (i = 0; i < n->count; i++) {
        const struct zone_rr *r = &z->rrs[n->first + i];

        if (r->type == DNS_TYPE_AAAA) {
            assert_int_equal(r->ttl, 300);
            continue;
        }
        assert_int_equal(r->ttl, 30);
        assert_int_equal(r->rdata[3], (uint8_t)(1 + a++));   /* .1 .2 .3 in file order */
    }
    assert_int_equal(a, 3);
    zone_free(z);
}

static void test_apex_from_origin(void **state)
{
    struct zone *z = tz_parse("$ORIGIN example.test.\na 60 A 192.0.2.1\n");
    uint8_t apex[300];

    (void)state;
    assert_non_null(z);
    assert_null(z->soa);
    assert_int_equal(z->apex_len, wire("example.test", apex));
    assert_memory_equal(z->apex, apex, z->apex_len);
    zone_free(z);
}

/* Each bad zone and the message it must get, line number first. */
static const struct { const char *zone; const char *msg; } bad[] = {
    { "$TTL 60\nwww A 1.2.3.4\n", "line 2: relative name 'www' with no $ORIGIN set" },
    { "$ORIGIN t.\n\n\nwww A 1.2.3.4\n", "line 4: record has no TTL" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3\n", "line 3: '1.2.3' is not an IPv4 address" },
    { "$ORIGIN t.\n$TTL 60\nwww A 01.2.3.4\n", "line 3: '01.2.3.4' is not an IPv4" },
    { "$ORIGIN t.\n$TTL 60\nwww AAAA 1::2::3\n", "line 3: '1::2::3' is not an IPv6 address" },
    { "$ORIGIN t.\n$TTL 60\nwww MX 10 mail\n", "line 3: unsupported record type 'MX'" },
    { "$ORIGIN t.\n$TTL 60\nwww CH A 1.2.3.4\n", "line 3: only class IN is supported" },
    { "$ORIGIN t.\n$TTL 60\nwww A\n", "line 3: record has no RDATA" },
    { "$ORIGIN t.\n$TTL 60\nwww\n", "line 3: record has no type" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4 5.6.7.8\n", "line 3: unexpected '5.6.7.8' after the RDATA" },
    { "$ORIGIN t.\n$TTL 60\nwww TXT \"open\n", "line 3: unterminated quoted string" },
    { "$ORIGIN t.\n$TTL 60\nwww A ( 1.2.3.4\n\n", "line 3: '(' opened here is never closed" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4 )\n", "line 3: ')' without '('" },
    { "$ORIGIN t.\n$TTL 60\na..b A 1.2.3.4\n", "line 3: empty label in name 'a..b'" },
    { "$ORIGIN t.\n$TTL 60\n"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 1.2.3.4\n",
      "line 3: label longer than 63 octets" },
    { "$TTL 60\n$ORIGIN t.\n"
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
      "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a A 1.2.3.4\n",
      "line 3: name 'a.a.a" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4\n$INCLUDE other\n", "line 4: $INCLUDE is not supported" },
    { "$ORIGIN t.\n$TTL 60\n$GENERATE 1-2 a A 1.2.3.4\n", "line 3: unknown directive '$GENERATE'" },
    { "$ORIGIN t.\n$TTL 60\n* A 1.2.3.4\n", "line 3: wildcard names ('*') are not supported" },
    { "$ORIGIN t.\n$TTL 60\nwww CNAME a\nwww A 1.2.3.4\n", "line 3: a CNAME owner can have no other record" },
    { "$ORIGIN t.\n$TTL 60\nwww CNAME a\nwww CNAME b\n", "line 3: a CNAME owner can have no other record" },
    { "$ORIGIN t.\n$TTL 60\nsub NS ns.other.\n", "line 3: NS below the zone apex (a delegation) is not supported" },
    { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\nother. A 1.2.3.4\n", "line 4: owner name is outside the zone" },
    { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 5\n@ SOA a b 2 2 3 4 5\n", "line 4: a second SOA record" },
    { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4\n", "line 3: SOA needs MNAME RNAME SERIAL" },
    { "$ORIGIN t.\n$TTL 60\n@ SOA a b 4294967296 2 3 4 5\n", "line 3: SOA SERIAL '4294967296' is not a number" },
    { "$ORIGIN t.\n$TTL 60\n@ SOA a b 1 2 3 4 1x\n", "line 3: SOA MINIMUM '1x' is not a time" },
    { "$ORIGIN t.\n$TTL 2147483648\n", "line 2: $TTL takes one time" },
    { "$ORIGIN t.\nwww 1h30 A 1.2.3.4\n", "line 2: bad TTL '1h30'" },
    { "$ORIGIN t.\n$TTL 60\n", "line 3: the zone has no records" },
    { "\n\n   A 1.2.3.4\n", "line 3: record with no owner name" },
    { "$TTL 60\nwww.t. A 1.2.3.4\n", "line 3: no SOA record and no $ORIGIN" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4\nx\0y A 1.2.3.4\n", "line 4: NUL byte" },
    { "$ORIGIN t.\n$TTL 60\nwww TXT \"\\300\"\n", "line 3: TXT string longer than 255 octets or with a bad \\DDD" },
    { "$ORIGIN t.\n$TTL 60\nwww A (\n1.2.3.4 ( )\n", "line 4: nested '('" },
    { "$ORIGIN t.\n$TTL 60\nwww A 1.2.3.4 \\\n", "line 3: '\\' at the end of a line" },
    { "$ORIGIN t.\n$TTL 60\nwww CNAME \"quoted\"\n", "line 3: a name cannot be a quoted string" },
};

static void test_bad_zones(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct zone *z = (struct zone *)1;
        char err[512] = "";
        /* Length by hand: one case has a NUL inside. */
        size_t len = strlen(bad[i].zone);

        if (strstr(bad[i].msg, "NUL") != NULL)
            len += 1 + strlen(bad[i].zone + len + 1);
        if (zone_parse(bad[i].zone, len, &z, err, sizeof err) != -1 ||
            strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0) {
            print_error("case %zu: got '%s', want '%s...'\n", i, err, bad[i].msg);
            fail();
        }
        assert_null(z);
    }
}

static void test_ttl_text(void **state)
{
    static const struct { const char *s; long v; } cases[] = {
        { "0", 0 }, { "3600", 3600 }, { "1h", 3600 }, { "1H30m", 5400 }, { "1w2d3h4m5s", 788645 },
        { "2147483647", 2147483647 }, { "2147483648", -1 }, { "h", -1 }, { "1x", -1 },
        { "1h30", -1 }, { "", -1 }, { "3551w", -1 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct zone_token t = { cases[i].s, strlen(cases[i].s), 1, 0 };
        uint32_t v = 0;
        int r = zone_ttl_from_text(&t, &v);

        if (cases[i].v < 0)
            assert_int_equal(r, -1);
        else if (r != 0 || v != (uint32_t)cases[i].v) {
            print_error("'%s': %d %u\n", cases[i].s, r, v);
            fail();
        }
    }
}

static void test_ipv6_text(void **state)
{
    static const struct { const char *s; const char *hex; } cases[] = {
        { "::", "00000000000000000000000000000000" },
        { "::1", "00000000000000000000000000000001" },
        { "1::", "00010000000000000000000000000000" },
        { "2001:db8::10", "20010db8000000000000000000000010" },
        { "1:2:3:4:5:6:7:8", "00010002000300040005000600070008" },
        { "1:2:3:4:5:6:7::", "00010002000300040005000600070000" },
        { "::ffff:192.0.2.1", "00000000000000000000ffffc0000201" },
        { "1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304" },
        { "1:2:3:4:5:6:7:8:9", NULL }, { "1:2:3:4:5:6:7", NULL }, { ":1::", NULL },
        { "1:::2", NULL }, { "1::2::3", NULL }, { "12345::", NULL }, { "g::", NULL },
        { "1:", NULL }, { "::1:", NULL }, { "1:2:3:4:5:6:7:8::", NULL }, { "", NULL },
        { "::1.2.3", NULL }, { "1.2.3.4", NULL }, { "1:2:3:4:5:6:7:1.2.3.4", NULL },
    };
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[16];
        char hex[33];
        int r = zone_ipv6_from_text(cases[i].s, strlen(cases[i].s), out);

        if (cases[i].hex == NULL) {
            if (r != -1) {
                print_error("'%s' accepted\n", cases[i].s);
                fail();
            }
            continue;
        }
        for (k = 0; k < 16; k++)
            sprintf(hex + 2 * k, "%02x", out[k]);
        if (r != 0 || strcmp(hex, cases[i].hex) != 0) {
            print_error("'%s': %d %s\n", cases[i].s, r, r == 0 ? hex : "");
            fail();
        }
    }
}

static void test_ipv4_text(void **state)
{
    uint8_t out[4];

    (void)state;
    assert_int_equal(zone_ipv4_from_text("0.0.0.0", 7, out), 0);
    assert_int_equal(zone_ipv4_from_text("255.255.255.255", 15, out), 0);
    assert_memory_equal(out, "\xff\xff\xff\xff", 4);
    assert_int_equal(zone_ipv4_from_text("256.1.1.1", 9, out), -1);
    assert_int_equal(zone_ipv4_from_text("1.1.1.1.", 8, out), -1);
    assert_int_equal(zone_ipv4_from_text("1.1..1", 6, out), -1);
    assert_int_equal(zone_ipv4_from_text("1.1.1.1x", 8, out), -1);
}

/* A name of exactly 255 octets is allowed, 256 is not; a label of 63 is. */
static void test_name_limits(void **state)
{
    char text[1024], label63[64];
    struct zone *z;
    char err[256];

    (void)state;
    memset(label63, 'a', 63);
    label63[63] = 0;
    /* 4 labels of 63 (256 octets) minus: 3 x 63 + 61 + 1 root = 255 */
    snprintf(text, sizeof text, "$TTL 1\n$ORIGIN %s.%s.%s.%.61s.\n@ A 1.2.3.4\n", label63, label63,
             label63, label63);
    assert_int_equal(zone_parse(text, strlen(text), &z, err, sizeof err), 0);
    assert_int_equal(z->apex_len, 255);
    zone_free(z);
    snprintf(text, sizeof text, "$TTL 1\n$ORIGIN %s.%s.%s.%.62s.\n@ A 1.2.3.4\n", label63, label63,
             label63, label63);
    assert_int_equal(zone_parse(text, strlen(text), &z, err, sizeof err), -1);
    assert_non_null(strstr(err, "...' longer than 255 octets"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_zone),
        cmocka_unit_test(test_soa_rdata),
        cmocka_unit_test(test_apex_from_origin),
        cmocka_unit_test(test_rrset_ttl),
        cmocka_unit_test(test_bad_zones),
        cmocka_unit_test(test_ttl_text),
        cmocka_unit_test(test_ipv6_text),
        cmocka_unit_test(test_ipv4_text),
        cmocka_unit_test(test_name_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
