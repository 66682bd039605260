/*
 * fuzz_http: libFuzzer target for the example web servers' request parser
 * (examples/common/http_parse.c).  Each input is one connection's bytes.
 * Checked: the result is a head length or one of the documented statuses;
 * an accepted head ends in CRLF CRLF within the input and HTTP_HEAD_MAX,
 * parses to the same result alone (it does not depend on what follows),
 * and yields a bounded, NUL-terminated path with no control byte and no
 * "." or ".." segment; a refusal on a prefix stays a refusal when more
 * bytes arrive.  The response helpers run on what was parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

static int documented(int r)
{
    return r == 0 || r == -400 || r == -405 || r == -413 || r == -414 || r == -431 || r == -501 ||
           r == -505;
}

static void check_path(const char *p)
{
    size_t n = strnlen(p, HTTP_PATH_MAX + 1), seg = 0;

    if (n > HTTP_PATH_MAX)
        abort();
    for (size_t i = 0; i <= n; i++) {
        if (i < n && ((unsigned char)p[i] < 0x20 || p[i] == 0x7f))
            abort();
        if (i == n || p[i] == '/') {
            if ((i - seg == 1 && p[seg] == '.') || (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.'))
                abort();
            seg = i + 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct http_request req, again;
    char head[1024];
    int r = http_parse_request(buf, size, &req);

    if (r > 0) {
        if ((size_t)r > size || r > HTTP_HEAD_MAX || r < 4 || memcmp(buf + r - 4, "\r\n\r\n", 4))
            abort();
        if (req.method != HTTP_GET && req.method != HTTP_HEAD)
            abort();
        if ((req.minor != 0 && req.minor != 1) || req.content_length > HTTP_BODY_MAX)
            abort();
        check_path(req.path);
        if (http_parse_request(buf, (size_t)r, &again) != r || memcmp(&req, &again, sizeof req))
            abort();
        http_content_type(req.path);
        if (!http_format_head(head, sizeof head, 200, req.minor, http_content_type(req.path),
                              req.content_length, req.keep_alive))
            abort();
    } else if (!documented(r)) {
        abort();
    }
    /* A refusal is final: one byte fewer refused means this is refused. */
    if (size > 0 && http_parse_request(buf, size - 1, &again) < 0 && r >= 0)
        abort();
    if (r < 0)
        http_format_head(head, sizeof head, -r, 1, NULL, 0, 0);
    return 0;
}
