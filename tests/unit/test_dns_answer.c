/* Unit tests of the dnsd answerer (examples/dnsd/dns_answer.c, dns_msg.c):
 * queries built here, responses decoded by test_dns_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../examples/dnsd/dns_answer.h"
#include "../../examples/dnsd/dns_msg.h"
#include "test_dns_util.h"

static const char zone_text[] =
    "$ORIGIN example.test.\n"
    "$TTL 3600\n"
    "@     SOA ns1 hostmaster 7 3600 900 604800 300\n"
    "@     NS  ns1\n"
    "@     NS  ns2\n"
    "ns1   A   192.0.2.1\n"
    "ns1   AAAA 2001:db8::1\n"
    "www   A   192.0.2.10\n"
    "www   AAAA 2001:db8::10\n"
    "alias CNAME www\n"
    "c1    CNAME c2\n"
    "c2    CNAME alias\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "dead  CNAME nowhere\n"
    "out   CNAME www.example.org.\n"
    "txt   TXT \"hello world\" two\n"
    "deep.ent A 192.0.2.99\n";

static struct zone *z;
static uint8_t q[4096], r[4096];
static struct tr_msg m;

static int setup(void **state)
{
    char err[256];
    size_t i;
    /* "big": 40 A records (16 octets each with compression): > 512, < 1232. */
    char text[sizeof zone_text + 40 * 32];

    (void)state;
    strcpy(text, zone_text);
    for (i = 0; i < 40; i++)
        sprintf(text + strlen(text), "big A 198.51.100.%zu\n", i);
    return zone_parse(text, strlen(text), &z, err, sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    zone_free(z);
    return 0;
}

/* Ask name/type (EDNS with udp_size if non-zero) and decode the answer. */
static size_t ask(const char *name, uint16_t type, uint16_t udp_size)
{
    size_t qlen = tq_make(q, name, type, udp_size, 0);
    size_t n = dns_answer(z, q, qlen, r, sizeof r);

    assert_true(n >= 12);
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_int_equal(m.id, 0x1234);
    assert_true(m.flags & DNS_FLAG_QR);
    assert_true(m.flags & DNS_FLAG_RD);   /* copied */
    assert_false(m.flags & 0x0080);       /* no recursion available */
    return n;
}

static void test_a(void **state)
{
    (void)state;
    ask("www.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_true(m.flags & DNS_FLAG_AA);
    assert_false(m.flags & DNS_FLAG_TC);
    assert_int_equal(m.count[1], 1);
    assert_string_equal(m.rr[0][0].name, "www.example.test.");
    assert_int_equal(m.rr[0][0].type, DNS_TYPE_A);
    assert_int_equal(m.rr[0][0].ttl, 3600);
    assert_string_equal(m.rr[0][0].data, "192.0.2.10");
    assert_int_equal(m.count[2] + m.count[3], 0);
    assert_false(m.has_opt);
}

static void test_aaaa_txt(void **state)
{
    (void)state;
    ask("www.example.test", DNS_TYPE_AAAA, 0);
    assert_int_equal(m.count[1], 1);
    assert_string_equal(m.rr[0][0].data, "2001:db8:0:0:0:0:0:10");
    ask("txt.example.test", DNS_TYPE_TXT, 0);
    assert_int_equal(m.count[1], 1);
    assert_string_equal(m.rr[0][0].data, "hello world|two");
}

/* The question comes back as asked; lookups ignore case; the answer's
 * owner points at the question. */
static void test_case_and_compression(void **state)
{
    size_t n;

    (void)state;
    n = ask("wWw.ExAmple.TEST", DNS_TYPE_A, 0);
    assert_string_equal(m.qname, "wWw.ExAmple.TEST.");
    assert_int_equal(m.count[1], 1);
    assert_memory_equal(r + n - 16, "\xc0\x0c", 2);   /* owner: pointer to offset 12 */
    /* NS: both targets compressed against the question. */
    n = ask("example.test", DNS_TYPE_NS, 0);
    assert_int_equal(m.count[1], 2);
    assert_string_equal(m.rr[0][0].data, "ns1.example.test.");
    assert_string_equal(m.rr[0][1].data, "ns2.example.test.");
    /* header 12 + question 18 + 2 NS of (2 + 10 + 6) + glue for ns1:
     * A (6 + 10 + 4 ... owner compressed to a pointer) and AAAA. */
    assert_int_equal(m.count[3], 2);
    assert_string_equal(m.rr[2][0].name, "ns1.example.test.");
    assert_string_equal(m.rr[2][0].data, "192.0.2.1");
    assert_string_equal(m.rr[2][1].data, "2001:db8:0:0:0:0:0:1");
    assert_int_equal(n, 12 + 18 + 2 * 18 + 2 * (2 + 10) + 4 + 16);
}

static void test_cname_chain(void **state)
{
    (void)state;
    ask("c1.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_true(m.flags & DNS_FLAG_AA);
    assert_int_equal(m.count[1], 4);
    assert_string_equal(m.rr[0][0].data, "c2.example.test.");
    assert_string_equal(m.rr[0][1].name, "c2.example.test.");
    assert_string_equal(m.rr[0][1].data, "alias.example.test.");
    assert_string_equal(m.rr[0][2].data, "www.example.test.");
    assert_string_equal(m.rr[0][3].name, "www.example.test.");
    assert_string_equal(m.rr[0][3].data, "192.0.2.10");
    /* Asking for the CNAME itself does not follow it. */
    ask("c1.example.test", DNS_TYPE_CNAME, 0);
    assert_int_equal(m.count[1], 1);
    assert_int_equal(m.rr[0][0].type, DNS_TYPE_CNAME);
    /* A chain to a missing name: NXDOMAIN (RFC 6604), with the SOA. */
    ask("dead.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NXDOMAIN);
    assert_int_equal(m.count[1], 1);
    assert_int_equal(m.count[2], 1);
    assert_int_equal(m.rr[1][0].type, DNS_TYPE_SOA);
    /* Out of the zone: the CNAME alone. */
    ask("out.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(m.count[1], 1);
    assert_string_equal(m.rr[0][0].data, "www.example.org.");
    assert_int_equal(m.count[2], 0);
    /* The NODATA of the chain's end carries the SOA. */
    ask("alias.example.test", DNS_TYPE_TXT, 0);
    assert_int_equal(m.count[1], 1);
    assert_int_equal(m.count[2], 1);
}

static void test_cname_loop(void **state)
{
    (void)state;
    ask("loop1.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(m.count[1], 2);   /* each CNAME once, then stop */
    assert_string_equal(m.rr[0][0].data, "loop2.example.test.");
    assert_string_equal(m.rr[0][1].data, "loop1.example.test.");
}

/* A chain longer than DNS_CNAME_HOPS ends after DNS_CNAME_HOPS + 1 CNAMEs. */
static void test_cname_hops(void **state)
{
    char text[4096] = "$ORIGIN t.\n$TTL 1\n";
    struct zone *long_chain;
    char err[256];
    size_t i, n, qlen;

    (void)state;
    for (i = 0; i < 40; i++)
        sprintf(text + strlen(text), "c%zu CNAME c%zu\n", i, i + 1);
    strcat(text, "c40 A 192.0.2.1\n");
    assert_int_equal(zone_parse(text, strlen(text), &long_chain, err, sizeof err), 0);
    qlen = tq_make(q, "c0.t", DNS_TYPE_A, 0, 0);
    n = dns_answer(long_chain, q, qlen, r, sizeof r);
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_int_equal(m.count[1], DNS_CNAME_HOPS + 1);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    zone_free(long_chain);
}

static void test_nxdomain_nodata(void **state)
{
    (void)state;
    ask("nope.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NXDOMAIN);
    assert_true(m.flags & DNS_FLAG_AA);
    assert_int_equal(m.count[1], 0);
    assert_int_equal(m.count[2], 1);
    assert_string_equal(m.rr[1][0].name, "example.test.");
    assert_int_equal(m.rr[1][0].type, DNS_TYPE_SOA);
    assert_int_equal(m.rr[1][0].ttl, 300);   /* min(TTL 3600, MINIMUM 300) */
    assert_string_equal(m.rr[1][0].data, "ns1.example.test. hostmaster.example.test. 7");
    /* Below an existing name, still NXDOMAIN. */
    ask("x.www.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NXDOMAIN);
    /* NODATA: the name exists, the type does not. */
    ask("www.example.test", DNS_TYPE_TXT, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(m.count[1], 0);
    assert_int_equal(m.count[2], 1);
    /* An empty non-terminal: NODATA, not NXDOMAIN (RFC 8020). */
    ask("ent.example.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(m.count[1], 0);
    assert_int_equal(m.count[2], 1);
    /* A type the server knows nothing of: NODATA too. */
    ask("www.example.test", 99, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(m.count[2], 1);
}

static void test_any(void **state)
{
    (void)state;
    ask("www.example.test", DNS_TYPE_ANY, 0);
    assert_int_equal(m.count[1], 2);
    ask("alias.example.test", DNS_TYPE_ANY, 0);
    assert_int_equal(m.count[1], 1);
    assert_int_equal(m.rr[0][0].type, DNS_TYPE_CNAME);
}

static void test_refused(void **state)
{
    size_t qlen, n;

    (void)state;
    ask("www.example.org", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_REFUSED);
    assert_false(m.flags & DNS_FLAG_AA);
    assert_int_equal(m.count[0], 1);
    assert_int_equal(m.count[1] + m.count[2] + m.count[3], 0);
    ask("test", DNS_TYPE_A, 0);   /* the parent of the apex */
    assert_int_equal(m.rcode, DNS_RCODE_REFUSED);
    ask("xexample.test", DNS_TYPE_A, 0);
    assert_int_equal(m.rcode, DNS_RCODE_REFUSED);
    /* Class CH (version.bind and friends). */
    qlen = tq_make(q, "www.example.test", DNS_TYPE_TXT, 0, 0);
    q[qlen - 1] = 3;
    n = dns_answer(z, q, qlen, r, sizeof r);
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_int_equal(m.rcode, DNS_RCODE_REFUSED);
}

static void test_notimp(void **state)
{
    size_t qlen, n;

    (void)state;
    ask("example.test", DNS_TYPE_AXFR, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOTIMP);
    assert_int_equal(m.count[1], 0);
    ask("example.test", DNS_TYPE_IXFR, 0);
    assert_int_equal(m.rcode, DNS_RCODE_NOTIMP);
    /* Opcode 2 (STATUS), 4 (NOTIFY), 5 (UPDATE). */
    for (unsigned op = 1; op < 16; op++) {
        qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 0, 0);
        q[2] = (uint8_t)(op << 3);
        n = dns_answer(z, q, qlen, r, sizeof r);
        assert_int_equal(n, 12);
        assert_int_equal(tr_parse(r, n, &m), 0);
        assert_int_equal(m.rcode, DNS_RCODE_NOTIMP);
        assert_int_equal((m.flags >> 11) & 0xf, op);
    }
}

/* Each malformed query gets FORMERR, header only; the ID comes back. */
static void formerr(size_t len)
{
    size_t n = dns_answer(z, q, len, r, sizeof r);

    assert_int_equal(n, 12);
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_int_equal(m.id, 0x1234);
    assert_int_equal(m.rcode, DNS_RCODE_FORMERR);
    assert_true(m.flags & DNS_FLAG_QR);
}

static void test_formerr(void **state)
{
    size_t qlen, i;

    (void)state;
    qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 0, 0);
    for (i = 12; i < qlen; i++)   /* every truncation of the question */
        formerr(i);
    formerr(qlen + 1);            /* a byte after the last record */
    q[5] = 2;                     /* two questions */
    formerr(qlen);
    q[5] = 0;                     /* none */
    formerr(qlen);
    q[5] = 1;
    q[7] = 1;                     /* an answer record in a query */
    formerr(qlen);
    q[7] = 0;
    q[9] = 1;                     /* an authority record */
    formerr(qlen);
    q[9] = 0;
    q[11] = 1;                    /* an additional record that is not there */
    formerr(qlen);
    q[11] = 0;
    q[12] = 0xc0;                 /* compression in the question */
    q[13] = 0x0c;
    formerr(qlen);
    q[12] = 0x40;                 /* label type 01 (extended, obsolete) */
    formerr(qlen);
    q[12] = 64;                   /* a 64-octet label */
    formerr(qlen);
    /* A name of 256 octets: 4 labels of 63 plus 3, over the limit. */
    memset(q + 12, 63, 1);
    for (i = 0; i < 4; i++) {
        q[12 + i * 64] = 63;
        memset(q + 13 + i * 64, 'a', 63);
    }
    q[12 + 256] = 2;
    q[12 + 257] = 'a';
    q[12 + 258] = 'a';
    q[12 + 259] = 0;
    memset(q + 12 + 260, 0, 4);
    q[12 + 261] = 1;
    q[12 + 263] = 1;
    formerr(12 + 264);
}

static void test_formerr_opt(void **state)
{
    size_t qlen;

    (void)state;
    qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 1232, 0);
    q[qlen - 11] = 1;     /* OPT owned by a non-root name (and truncated) */
    formerr(qlen);
    /* Two OPT records. */
    qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 1232, 0);
    memcpy(q + qlen, q + qlen - 11, 11);
    q[11] = 2;
    formerr(qlen + 11);
    /* An OPT option running past its RDATA. */
    qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 1232, 0);
    q[qlen - 1] = 4;
    memcpy(q + qlen, "\x00\x0a\x00\x09", 4);
    formerr(qlen + 4);
}

static void test_dropped(void **state)
{
    size_t qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 0, 0);

    (void)state;
    assert_int_equal(dns_answer(z, q, 11, r, sizeof r), 0);
    assert_int_equal(dns_answer(z, q, 0, r, sizeof r), 0);
    q[2] |= 0x80;   /* a response: never answered */
    assert_int_equal(dns_answer(z, q, qlen, r, sizeof r), 0);
}

static void test_truncation(void **state)
{
    size_t n;

    (void)state;
    /* 12 + 18 + 40 x 16 = 670 > 512: TC, the question only. */
    n = ask("big.example.test", DNS_TYPE_A, 0);
    assert_true(m.flags & DNS_FLAG_TC);
    assert_true(m.flags & DNS_FLAG_AA);
    assert_int_equal(m.count[0], 1);
    assert_int_equal(m.count[1] + m.count[2] + m.count[3], 0);
    assert_true(n <= 512);
    /* EDNS 512 is the same; EDNS 1232 fits them all, with our OPT. */
    ask("big.example.test", DNS_TYPE_A, 512);
    assert_true(m.flags & DNS_FLAG_TC);
    assert_true(m.has_opt);
    n = ask("big.example.test", DNS_TYPE_A, 1232);
    assert_false(m.flags & DNS_FLAG_TC);
    assert_int_equal(m.count[1], 40);
    assert_true(m.has_opt);
    assert_int_equal(m.opt_size, DNS_EDNS_MAX);
    assert_int_equal(n, 12 + 22 + 40 * 16 + 11);
    /* EDNS 600: not enough. */
    ask("big.example.test", DNS_TYPE_A, 600);
    assert_true(m.flags & DNS_FLAG_TC);
    /* A client's size below 512 counts as 512 (RFC 6891 6.2.5). */
    n = ask("www.example.test", DNS_TYPE_A, 100);
    assert_false(m.flags & DNS_FLAG_TC);
    assert_int_equal(m.count[1], 1);
    /* The caller's buffer bounds the response too. */
    n = dns_answer(z, q, tq_make(q, "big.example.test", DNS_TYPE_A, 4096, 0), r, 600);
    assert_true(n <= 600);
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_true(m.flags & DNS_FLAG_TC);
}

static void test_edns_badvers(void **state)
{
    size_t qlen = tq_make(q, "www.example.test", DNS_TYPE_A, 1232, 1);
    size_t n = dns_answer(z, q, qlen, r, sizeof r);

    (void)state;
    assert_int_equal(tr_parse(r, n, &m), 0);
    assert_int_equal(m.rcode, 0);             /* BADVERS = 16: 0 here ... */
    assert_true(m.has_opt);
    assert_int_equal(m.opt_ext_rcode, 1);     /* ... and 1 in the OPT */
    assert_int_equal(m.count[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a),
        cmocka_unit_test(test_aaaa_txt),
        cmocka_unit_test(test_case_and_compression),
        cmocka_unit_test(test_cname_chain),
        cmocka_unit_test(test_cname_loop),
        cmocka_unit_test(test_cname_hops),
        cmocka_unit_test(test_nxdomain_nodata),
        cmocka_unit_test(test_any),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_notimp),
        cmocka_unit_test(test_formerr),
        cmocka_unit_test(test_formerr_opt),
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_edns_badvers),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
