/*
 * Unit tests of the HTTP request parser and response helpers of the
 * example web servers (examples/common/http_parse.c): good requests of
 * both versions, keep-alive rules, pipelining, byte-by-byte arrival, path
 * decoding, and every refusal with its status (400, 405, 413, 414, 431,
 * 501, 505), content types and response heads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_parse.h"

static struct http_request req;

static int parse(const char *s)
{
    return http_parse_request(s, strlen(s), &req);
}

static void test_get_http11(void **state)
{
    const char *r = "GET / HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n";

    assert_int_equal(parse(r), (int)strlen(r));
    assert_int_equal(req.method, HTTP_GET);
    assert_int_equal(req.minor, 1);
    assert_int_equal(req.keep_alive, 1);
    assert_string_equal(req.path, "");
    assert_int_equal(req.content_length, 0);
}

static void test_head_http10(void **state)
{
    const char *r = "HEAD /a/b.html?x=1&y=/.. HTTP/1.0\r\n\r\n";

    assert_int_equal(parse(r), (int)strlen(r));
    assert_int_equal(req.method, HTTP_HEAD);
    assert_int_equal(req.minor, 0);
    assert_int_equal(req.keep_alive, 0);
    assert_string_equal(req.path, "a/b.html");
}

static void test_keep_alive_rules(void **state)
{
    assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0);
    assert_int_equal(req.keep_alive, 1);
    assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n") > 0);
    assert_int_equal(req.keep_alive, 0);
    assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nconnection: Upgrade, CLOSE\r\n\r\n") > 0);
    assert_int_equal(req.keep_alive, 0);
    assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n") > 0);
    assert_int_equal(req.keep_alive, 1);
    assert_true(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n") > 0);
    assert_int_equal(req.keep_alive, 0);
}

static void test_pipelined(void **state)
{
    const char *a = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
    const char *b = "HEAD /two HTTP/1.1\r\nHost: h\r\n\r\n";
    char buf[256];
    int n;

    snprintf(buf, sizeof buf, "%s%sGET /thr", a, b);
    n = parse(buf);
    assert_int_equal(n, (int)strlen(a));
    assert_string_equal(req.path, "one");
    assert_int_equal(http_parse_request(buf + n, strlen(buf) - (size_t)n, &req), (int)strlen(b));
    assert_string_equal(req.path, "two");
    assert_int_equal(req.method, HTTP_HEAD);
    assert_int_equal(parse(buf + strlen(a) + strlen(b)), 0);
}

static void test_byte_by_byte(void **state)
{
    const char *r = "\r\nGET /x%20y.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n";
    size_t n = strlen(r);

    for (size_t i = 0; i < n; i++)
        assert_int_equal(http_parse_request(r, i, &req), 0);
    assert_int_equal(http_parse_request(r, n, &req), (int)n);
    assert_string_equal(req.path, "x y.txt");
    assert_int_equal(req.content_length, 5);
}

static void test_path_decoding(void **state)
{
    assert_true(parse("GET /%41%62c/%c3%a9 HTTP/1.0\r\n\r\n") > 0);
    assert_string_equal(req.path, "Abc/\xc3\xa9");
    assert_true(parse("GET /dir/ HTTP/1.0\r\n\r\n") > 0);
    assert_string_equal(req.path, "dir/");
    assert_true(parse("GET /.well-known/x HTTP/1.0\r\n\r\n") > 0);
    assert_string_equal(req.path, ".well-known/x");
    assert_int_equal(parse("GET /../etc/passwd HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a/.. HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a/./b HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /%2e%2e/x HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a%00b HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a%0ab HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a%zz HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a%4 HTTP/1.0\r\n\r\n"), -400);
    assert_int_equal(parse("GET /a% HTTP/1.0\r\n\r\n"), -400);
}

static void test_line_endings(void **state)
{
    assert_int_equal(parse("GET / HTTP/1.1\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\rX"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\n"), -400);
    assert_int_equal(parse("\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r"), 0);
}

static void test_methods(void **state)
{
    assert_int_equal(parse("POST / HTTP/1.1\r\nHost: h\r\n\r\n"), -405);
    assert_int_equal(parse("POST "), -405);
    assert_int_equal(parse("get / HTTP/1.1\r\nHost: h\r\n\r\n"), -405);
    assert_int_equal(parse("DELETE /x HTTP/1.1\r\n"), -405);
    assert_int_equal(parse("POST"), 0); /* the token may go on: not yet known */
    assert_int_equal(parse("G\x01T / HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse(" GET / HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET  / HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("AVERYVERYVERYLONGMETHODNAME"), -400);
    /* A TLS ClientHello on the plain port: refused from its first bytes. */
    assert_int_equal(http_parse_request("\x16\x03\x01\x02\x00\x01", 6, &req), -400);
}

static void test_targets_and_versions(void **state)
{
    assert_int_equal(parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    assert_int_equal(parse("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), -505);
    assert_int_equal(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), -505);
    assert_int_equal(parse("GET / HTTP/1.1x\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/11\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.\r\n"), -400);
    assert_int_equal(parse("GET / http/1.1\r\n"), -400);
    assert_int_equal(parse("GET /\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1 \r\n"), -400);
}

static void test_host(void **state)
{
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n"), -400);
    assert_true(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n") > 0);
    assert_true(parse("GET / HTTP/1.0\r\n\r\n") > 0);
}

static void test_header_syntax(void **state)
{
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\n: v\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nX: a\x01"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nX: a\x7f" "b\r\n\r\n"), -400);
    assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nX: \t v\xc3\xa9 \t\r\n\r\n") > 0);
}

static void test_content_length(void **state)
{
    assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 65536\r\n\r\n") > 0);
    assert_int_equal(req.content_length, 65536);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 65537\r\n\r\n"), -413);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n"),
                     -413);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"), -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"),
                     -400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), -501);
}

static void test_limits(void **state)
{
    static char buf[3 * HTTP_HEAD_MAX];
    size_t n;

    /* A request line reaching HTTP_LINE_MAX without its CRLF: 414. */
    n = (size_t)snprintf(buf, sizeof buf, "GET /");
    memset(buf + n, 'a', HTTP_LINE_MAX);
    assert_int_equal(http_parse_request(buf, HTTP_LINE_MAX - 1, &req), 0);
    assert_int_equal(http_parse_request(buf, HTTP_LINE_MAX, &req), -414);
    /* A complete request line (a long query) of HTTP_LINE_MAX bytes with its
     * CRLF is good; one byte more is 414. */
    for (size_t extra = 0; extra < 2; extra++) {
        n = (size_t)snprintf(buf, sizeof buf, "GET /?");
        memset(buf + n, 'q', HTTP_LINE_MAX - n - 11 + extra);
        n = HTTP_LINE_MAX - 11 + extra;
        n += (size_t)snprintf(buf + n, sizeof buf - n, " HTTP/1.0\r\n\r\n");
        assert_int_equal(http_parse_request(buf, n, &req), extra ? -414 : (int)n);
    }
    /* A path over HTTP_PATH_MAX: 414. */
    n = (size_t)snprintf(buf, sizeof buf, "GET /");
    memset(buf + n, 'p', HTTP_PATH_MAX + 1);
    n += HTTP_PATH_MAX + 1;
    n += (size_t)snprintf(buf + n, sizeof buf - n, " HTTP/1.0\r\n\r\n");
    assert_int_equal(http_parse_request(buf, n, &req), -414);
    /* A header section of HTTP_HEAD_MAX bytes with no end: 431. */
    n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nX: ");
    memset(buf + n, 'v', sizeof buf - n);
    assert_int_equal(http_parse_request(buf, HTTP_HEAD_MAX - 1, &req), 0);
    assert_int_equal(http_parse_request(buf, HTTP_HEAD_MAX, &req), -431);
    /* Too many header lines: 431. */
    n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: h\r\n");
    for (int i = 0; i < HTTP_HEADERS_MAX; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X%d: y\r\n", i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\n");
    assert_int_equal(http_parse_request(buf, n, &req), -431);
    /* Endless empty lines: refused once the head limit is reached. */
    for (n = 0; n < HTTP_HEAD_MAX; n += 2)
        memcpy(buf + n, "\r\n", 2);
    assert_int_equal(http_parse_request(buf, HTTP_HEAD_MAX - 2, &req), 0);
    assert_int_equal(http_parse_request(buf, HTTP_HEAD_MAX, &req), -400);
}

static void test_content_types(void **state)
{
    assert_string_equal(http_content_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(http_content_type("a/B.PNG"), "image/png");
    assert_string_equal(http_content_type("x.css"), "text/css; charset=utf-8");
    assert_string_equal(http_content_type("noext"), "application/octet-stream");
    assert_string_equal(http_content_type("dir.d/file"), "application/octet-stream");
    assert_string_equal(http_content_type("x.tar.gz"), "application/octet-stream");
    assert_string_equal(http_content_type("x."), "application/octet-stream");
}

static void test_format_head(void **state)
{
    char out[512];
    size_t n = http_format_head(out, sizeof out, 200, 1, "text/html", 1048576, 1);

    assert_int_equal(n, strlen(out));
    assert_string_equal(out, "HTTP/1.1 200 OK\r\nServer: wisp-httpd\r\nContent-Type: text/html\r\n"
                             "Content-Length: 1048576\r\nConnection: keep-alive\r\n\r\n");
    n = http_format_head(out, sizeof out, 405, 0, NULL, 0, 0);
    assert_string_equal(out, "HTTP/1.0 405 Method Not Allowed\r\nServer: wisp-httpd\r\n"
                             "Content-Length: 0\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\n");
    assert_int_equal(http_format_head(out, 20, 200, 1, "text/html", 1, 1), 0);
    assert_string_equal(http_reason(414), "URI Too Long");
    assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_http11),     cmocka_unit_test(test_head_http10),
        cmocka_unit_test(test_keep_alive_rules), cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_byte_by_byte),   cmocka_unit_test(test_path_decoding),
        cmocka_unit_test(test_line_endings),   cmocka_unit_test(test_methods),
        cmocka_unit_test(test_targets_and_versions), cmocka_unit_test(test_host),
        cmocka_unit_test(test_header_syntax),  cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_limits),         cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_format_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
