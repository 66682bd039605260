/*
 * http_parse.c: HTTP/1.x request-head parser and response-head helpers
 * (contract in http_parse.h).  The parser re-reads the head from its
 * start on every call; heads are at most HTTP_HEAD_MAX bytes, so that is
 * cheap, and it keeps no state between calls.  Every byte seen is checked
 * as soon as it arrives, so junk is refused without waiting for a line end.
 */
#include <stdio.h>
#include <string.h>

#include "http_parse.h"

#define METHOD_MAX 20 /* no method is longer; longer is junk */

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ieq: the N bytes at A equal the NUL-terminated B, ignoring case. */
static int ieq(const char *a, size_t n, const char *b)
{
    size_t i;

    for (i = 0; i < n && b[i]; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return i == n && b[i] == '\0';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * line_end: find the CRLF ending the line that starts at POS.  Returns 1
 * with *eol at the CR, 0 if the bytes so far hold none, -400 for a bare LF
 * or a CR not followed by LF.
 */
static int line_end(const char *buf, size_t len, size_t pos, size_t *eol)
{
    for (size_t i = pos; i < len; i++) {
        if (buf[i] == '\n')
            return -400;
        if (buf[i] == '\r') {
            if (i + 1 == len)
                return 0;
            if (buf[i + 1] != '\n')
                return -400;
            *eol = i;
            return 1;
        }
    }
    return 0;
}

/*
 * decode_path: percent-decode the target's path T[0..N) (after its '/',
 * before any '?') into OUT.  Returns 0, -400 (bad escape, NUL or control
 * byte, a "." or ".." segment) or -414 (longer than HTTP_PATH_MAX).
 */
static int decode_path(const char *t, size_t n, char *out)
{
    size_t o = 0, seg = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)t[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return -400;
            hi = hexval((unsigned char)t[i + 1]);
            lo = hexval((unsigned char)t[i + 2]);
            if (hi < 0 || lo < 0)
                return -400;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c < 0x20 || c == 0x7f)
            return -400;
        if (o == HTTP_PATH_MAX)
            return -414;
        out[o++] = (char)c;
        if (c == '/') {
            size_t sl = o - 1 - seg;

            if ((sl == 1 && out[seg] == '.') || (sl == 2 && out[seg] == '.' && out[seg + 1] == '.'))
                return -400;
            seg = o;
        }
    }
    out[o] = '\0';
    if ((o - seg == 1 && out[seg] == '.') || (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'))
        return -400;
    return 0;
}

/*
 * request_line: parse the request line P[0..N); COMPLETE says whether N is
 * its end (the CRLF follows) or only the bytes received so far.  Returns 1
 * if complete and good, 0 if good so far, or minus a status.
 */
static int request_line(const char *p, size_t n, int complete, struct http_request *req)
{
    size_t i = 0, m, t, tn, q, vn;
    int r;
    static const char version[] = "HTTP/d.d";

    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    m = i;
    if (m > METHOD_MAX)
        return -400;
    if (i == n)
        return complete ? -400 : 0;
    if (p[i] != ' ' || m == 0)
        return -400;
    if (m == 3 && memcmp(p, "GET", 3) == 0)
        req->method = HTTP_GET;
    else if (m == 4 && memcmp(p, "HEAD", 4) == 0)
        req->method = HTTP_HEAD;
    else
        return -405;
    t = ++i;
    while (i < n && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
        i++;
    tn = i - t;
    if (tn > 0 && p[t] != '/')
        return -400;
    if (i == n)
        return complete ? -400 : 0;
    if (p[i] != ' ' || tn == 0)
        return -400;
    i++;
    /* "HTTP/d.d", checked byte by byte as it arrives. */
    vn = n - i;
    if (vn > sizeof version - 1)
        return -400;
    for (size_t k = 0; k < vn; k++) {
        int digit = p[i + k] >= '0' && p[i + k] <= '9';

        if (version[k] == 'd' ? !digit : p[i + k] != version[k])
            return -400;
    }
    if (!complete)
        return 0;
    if (vn != sizeof version - 1)
        return -400;
    if (p[i + 5] != '1' || (p[i + 7] != '0' && p[i + 7] != '1'))
        return -505;
    req->minor = p[i + 7] - '0';
    for (q = t + 1; q < t + tn && p[q] != '?'; q++)
        ;
    r = decode_path(p + t + 1, q - t - 1, req->path);
    return r < 0 ? r : 1;
}

/* Header facts gathered while parsing. */
struct head_state {
    int host;
    int have_length;
    int close;
    int keep_alive;
};

/* connection_tokens: note "close" and "keep-alive" in a Connection value. */
static void connection_tokens(const char *v, size_t n, struct head_state *s)
{
    size_t i = 0;

    while (i < n) {
        size_t b, e;

        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        b = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        e = i;
        if (ieq(v + b, e - b, "close"))
            s->close = 1;
        else if (ieq(v + b, e - b, "keep-alive"))
            s->keep_alive = 1;
    }
}

/*
 * header_line: parse the header line P[0..N) (COMPLETE as for
 * request_line).  Returns 1 if complete and good, 0 if good so far, or
 * minus a status.
 */
static int header_line(const char *p, size_t n, int complete, struct http_request *req,
                       struct head_state *s)
{
    size_t i = 0, name, vb, ve;

    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    name = i;
    if (i == n)
        return complete ? -400 : 0;
    if (p[i] != ':' || name == 0)
        return -400;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -400;
    }
    if (!complete)
        return 0;
    vb = name + 1;
    ve = n;
    while (vb < ve && (p[vb] == ' ' || p[vb] == '\t'))
        vb++;
    while (ve > vb && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
        ve--;
    if (ieq(p, name, "host")) {
        if (s->host++)
            return -400;
    } else if (ieq(p, name, "content-length")) {
        uint64_t v = 0;

        if (s->have_length++ || vb == ve)
            return -400;
        for (size_t k = vb; k < ve; k++) {
            if (p[k] < '0' || p[k] > '9')
                return -400;
            if (v <= HTTP_BODY_MAX)
                v = v * 10 + (uint64_t)(p[k] - '0');
        }
        if (v > HTTP_BODY_MAX)
            return -413;
        req->content_length = v;
    } else if (ieq(p, name, "transfer-encoding")) {
        return -501;
    } else if (ieq(p, name, "connection")) {
        connection_tokens(p + vb, ve - vb, s);
    }
    return 1;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
    struct head_state s = {0, 0, 0, 0};
    size_t pos = 0, eol = 0;
    int r, headers = 0;

    memset(req, 0, sizeof *req);
    /* Empty lines before the request line are skipped (RFC 9112, 2.2). */
    while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n')
        pos += 2;
    if (pos >= HTTP_HEAD_MAX)
        return -400;
    r = line_end(buf, len, pos, &eol);
    if (r < 0)
        return r;
    if (r == 0) {
        size_t n = len - pos;

        if (n && buf[len - 1] == '\r')
            n--;
        r = request_line(buf + pos, n, 0, req);
        if (r < 0)
            return r;
        if (len - pos >= HTTP_LINE_MAX)
            return -414;
        return len >= HTTP_HEAD_MAX ? -431 : 0;
    }
    if (eol + 2 - pos > HTTP_LINE_MAX)
        return -414;
    r = request_line(buf + pos, eol - pos, 1, req);
    if (r < 0)
        return r;
    pos = eol + 2;
    for (;;) {
        if (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n')
            break;
        r = line_end(buf, len, pos, &eol);
        if (r < 0)
            return r;
        if (r == 0) {
            size_t n = len - pos;

            if (n && buf[len - 1] == '\r')
                n--;
            r = header_line(buf + pos, n, 0, req, &s);
            if (r < 0)
                return r;
            return len >= HTTP_HEAD_MAX ? -431 : 0;
        }
        if (++headers > HTTP_HEADERS_MAX || eol + 2 > HTTP_HEAD_MAX)
            return -431;
        r = header_line(buf + pos, eol - pos, 1, req, &s);
        if (r < 0)
            return r;
        pos = eol + 2;
    }
    pos += 2;
    if (pos > HTTP_HEAD_MAX)
        return -431;
    if (req->minor == 1 && !s.host)
        return -400;
    req->keep_alive = req->minor == 1 ? !s.close : (s.keep_alive && !s.close);
    return (int)pos;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

const char *http_content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},   {"js", "text/javascript; charset=utf-8"},
        {"json", "application/json"},         {"txt", "text/plain; charset=utf-8"},
        {"xml", "application/xml"},           {"svg", "image/svg+xml"},
        {"png", "image/png"},                 {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},               {"gif", "image/gif"},
        {"webp", "image/webp"},               {"ico", "image/x-icon"},
        {"pdf", "application/pdf"},           {"wasm", "application/wasm"},
        {"woff", "font/woff"},                {"woff2", "font/woff2"},
        {"mp4", "video/mp4"},                 {"webm", "video/webm"},
    };
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (ieq(dot + 1, strlen(dot + 1), types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

size_t http_format_head(char *out, size_t size, int status, int minor, const char *type,
                        uint64_t content_length, int keep_alive)
{
    int n = snprintf(out, size,
                     "HTTP/1.%d %d %s\r\n"
                     "Server: wisp-httpd\r\n"
                     "%s%s%s"
                     "Content-Length: %llu\r\n"
                     "%s"
                     "Connection: %s\r\n"
                     "\r\n",
                     minor, status, http_reason(status), type ? "Content-Type: " : "",
                     type ? type : "", type ? "\r\n" : "", (unsigned long long)content_length,
                     status == 405 ? "Allow: GET, HEAD\r\n" : "", keep_alive ? "keep-alive" : "close");

    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
