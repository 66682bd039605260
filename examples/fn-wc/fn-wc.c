/*
 * fn-wc: counts the words of a request body.  Reads its input stream (a
 * connection under `wisp serve`, stdin under `wisp --input`):
 *   - an HTTP request (its first line ends in HTTP/1.x): the body, of
 *     Content-Length bytes (or up to the end of input), is counted and the
 *     answer is {"words":W,"lines":L,"bytes":B}; "Expect: 100-continue"
 *     is honoured;
 *   - anything else: the whole input is counted, and W is printed alone,
 *     as `wc -w` would.
 * A word is a maximal run of bytes other than space, tab, CR, LF, VT, FF.
 *
 *   wisp serve --listen=127.0.0.1:8081 build/examples/fn-wc.wisp
 *   curl --data-binary 'one two three' http://127.0.0.1:8081/
 *   printf 'one two three\n' | wisp --input build/examples/fn-wc.wisp
 */
#include <solo5.h>
#include <wisp.h>

#define HEAD_MAX 8192
#define WAIT_NS 10000000000ull /* silence this long ends the input */

static char head[HEAD_MAX];
static char chunk[65536];

struct count {
    uint64_t words, lines, bytes;
    int in_word;
};

static void count_bytes(struct count *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        int space = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' ||
                    ch == '\f';

        c->lines += ch == '\n';
        if (!space && !c->in_word)
            c->words++;
        c->in_word = !space;
    }
    c->bytes += n;
}

/* read_input: up to (size) bytes, waiting up to WAIT_NS for them; 0 at the
 * end of input (or after the wait). */
static size_t read_input(char *buf, size_t size)
{
    solo5_time_t deadline = solo5_clock_monotonic() + WAIT_NS;

    for (;;) {
        size_t n = 0;
        solo5_result_t r = wisp_input_read(buf, size, &n);
        solo5_handle_set_t ready;

        if (r != SOLO5_R_AGAIN)
            return r == SOLO5_R_OK ? n : 0;
        if (solo5_clock_monotonic() >= deadline)
            return 0;
        solo5_yield(deadline, &ready);
    }
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* header_value: the value of header (name, lower case, with its colon) in
 * head[0 .. end), or NULL. */
static const char *header_value(size_t end, const char *name)
{
    for (size_t i = 0; i < end; i++) {
        size_t k = 0;

        if (i > 0 && head[i - 1] != '\n')
            continue;
        while (name[k] && i + k < end && lower(head[i + k]) == name[k])
            k++;
        if (name[k])
            continue;
        i += k;
        while (i < end && head[i] == ' ')
            i++;
        return head + i;
    }
    return 0;
}

/* is_http_line: whether head[0 .. end) ends in " HTTP/1.x" (CR allowed). */
static int is_http_line(size_t end)
{
    static const char tag[] = " HTTP/1.";

    if (end > 0 && head[end - 1] == '\r')
        end--;
    if (end < sizeof tag)
        return 0;
    for (size_t i = 0; i < sizeof tag - 1; i++)
        if (head[end - sizeof tag + i] != tag[i])
            return 0;
    return 1;
}

static void put(char *out, size_t *len, const char *s)
{
    while (*s)
        out[(*len)++] = *s++;
}

static void put_dec(char *out, size_t *len, uint64_t v)
{
    char s[21];
    int i = 20;

    s[i] = '\0';
    do
        s[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    put(out, len, s + i);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static char out[512], body[256];
    struct count c = {0, 0, 0, 0};
    size_t used = 0, hdr_end = 0, n, len = 0, blen = 0, line = 0;
    uint64_t want = UINT64_MAX;
    const char *v;

    (void)si;
    /* The head: up to the blank line that ends HTTP headers, or the end. */
    while (!hdr_end && used < sizeof head && (n = read_input(head + used, sizeof head - used))) {
        used += n;
        for (size_t i = 0; i + 1 < used && !hdr_end; i++)
            if (head[i] == '\n' && (head[i + 1] == '\n' ||
                                    (head[i + 1] == '\r' && i + 2 < used && head[i + 2] == '\n')))
                hdr_end = i + (head[i + 1] == '\n' ? 2 : 3);
    }
    while (line < used && head[line] != '\n')
        line++;
    if (!hdr_end || !is_http_line(line)) {
        /* Not HTTP: count everything, print the words alone. */
        count_bytes(&c, head, used);
        while ((n = read_input(chunk, sizeof chunk)) > 0)
            count_bytes(&c, chunk, n);
        put_dec(out, &len, c.words);
        put(out, &len, "\n");
        solo5_console_write(out, len);
        return SOLO5_EXIT_SUCCESS;
    }
    if ((v = header_value(hdr_end, "content-length:")) != 0)
        for (want = 0; *v >= '0' && *v <= '9' && want < (1ull << 60); v++)
            want = want * 10 + (uint64_t)(*v - '0');
    if ((v = header_value(hdr_end, "expect:")) != 0 && lower(v[0]) == '1' && v[1] == '0' &&
        v[2] == '0') {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        solo5_console_write(cont, sizeof cont - 1);
    }
    n = used - hdr_end < want ? used - hdr_end : (size_t)want;
    count_bytes(&c, head + hdr_end, n);
    while (c.bytes < want && (n = read_input(chunk, sizeof chunk)) > 0)
        count_bytes(&c, chunk, c.bytes + n > want ? (size_t)(want - c.bytes) : n);

    put(body, &blen, "{\"words\":");
    put_dec(body, &blen, c.words);
    put(body, &blen, ",\"lines\":");
    put_dec(body, &blen, c.lines);
    put(body, &blen, ",\"bytes\":");
    put_dec(body, &blen, c.bytes);
    put(body, &blen, "}\n");
    body[blen] = '\0';
    put(out, &len, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ");
    put_dec(out, &len, blen);
    put(out, &len, "\r\nConnection: close\r\n\r\n");
    put(out, &len, body);
    solo5_console_write(out, len);
    return SOLO5_EXIT_SUCCESS;
}
