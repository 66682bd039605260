/*
 * http_parse.h: the HTTP/1.x request-head parser of the example web
 * servers, and the pieces of a response they share.  Pure functions over
 * memory: no allocation, no I/O, so they run and are fuzzed on the host.
 *
 * Accepted: an origin-form request line "METHOD SP /path[?query] SP
 * HTTP/1.x CRLF" (empty lines before it are skipped), then header lines
 * "name: value CRLF" and an empty line.  Line ends MUST be CRLF.  The
 * server serves GET and HEAD; any other well-formed method gets 405.
 */
#ifndef WISP_EXAMPLES_HTTP_PARSE_H
#define WISP_EXAMPLES_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX 2048   /* request line, CRLF included: longer is 414 */
#define HTTP_HEAD_MAX 8192   /* whole head, request line included: longer is 431 */
#define HTTP_HEADERS_MAX 64  /* header lines: more is 431 */
#define HTTP_PATH_MAX 255    /* decoded path without the leading '/': longer is 414 */
#define HTTP_BODY_MAX 65536  /* a body the server reads and discards: larger is 413 */

enum http_method { HTTP_GET, HTTP_HEAD };

struct http_request {
    enum http_method method;
    int minor;                    /* HTTP/1.MINOR: 0 or 1 */
    int keep_alive;               /* the connection may carry another request */
    uint64_t content_length;      /* body bytes after the head (discarded) */
    char path[HTTP_PATH_MAX + 1]; /* decoded, without the leading '/' or the query */
};

/*
 * http_parse_request: parse the request head at the start of BUF[0..LEN).
 * Returns
 *   > 0   the head is complete and good: its length in bytes; *req filled
 *   0     incomplete so far and within the limits: wait for more bytes
 *   < 0   a bad request: minus the status to answer before closing:
 *         -400 malformed (bad syntax, bare LF or CR, control bytes, a bad
 *              or duplicate Content-Length, no Host in HTTP/1.1, a path
 *              with "..", NUL or a segment starting with '.'),
 *         -405 a well-formed method other than GET or HEAD,
 *         -413 Content-Length above HTTP_BODY_MAX,
 *         -414 the request line or the path too long,
 *         -431 the head too long or too many header lines,
 *         -501 Transfer-Encoding (no body framing but Content-Length),
 *         -505 an HTTP version other than 1.0 or 1.1.
 * An error is reported as soon as the bytes seen prove it.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

/* http_reason: the reason phrase of STATUS ("OK", "Not Found", ...). */
const char *http_reason(int status);

/* http_content_type: the media type for PATH's extension (case-insensitive);
 * "application/octet-stream" when unknown. */
const char *http_content_type(const char *path);

/*
 * http_format_head: write a response head into OUT (SIZE bytes): status
 * line, Server, Content-Type (if TYPE is not NULL), Content-Length, Allow
 * for 405, Connection: keep-alive or close, empty line.  Returns its length,
 * or 0 if it does not fit.
 */
size_t http_format_head(char *out, size_t size, int status, int minor, const char *type,
                        uint64_t content_length, int keep_alive);

#endif
