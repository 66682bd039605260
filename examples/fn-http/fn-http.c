/*
 * fn-http: a function as a unikernel.  Reads one HTTP request from its
 * input stream (a connection under `wisp serve`, stdin under `wisp
 * --input`), answers it with a small JSON body and exits: one VM, one
 * request.  The body names the VM by a random id (RDRAND), so every
 * connection shows it got a VM of its own, and repeats the request line.
 *
 * Everything that does not depend on the request is done before the first
 * read (warm_up): under `wisp serve --pool` that happens before the
 * connection arrives.  On PVM, where each VM exit and each first touch of
 * a page costs tens of microseconds, this halves the time from the
 * request to the answer.
 *
 *   wisp serve --listen=127.0.0.1:8080 build/examples/fn-http.wisp
 *   curl http://127.0.0.1:8080/hello
 */
#include <solo5.h>
#include <wisp.h>

#define REQ_MAX 8192
#define LINE_MAX_SHOWN 200
#define WAIT_NS 10000000000ull /* a client silent this long gets a 408 */

static char req[REQ_MAX];
static char out[2048]; /* fits the longest answer: 200 bytes escaped x6 */
static size_t out_len;

static void put(const char *s)
{
    while (*s && out_len < sizeof out)
        out[out_len++] = *s++;
}

static void put_hex64(uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    char s[17];

    for (int i = 15; i >= 0; i--, v >>= 4)
        s[i] = hex[v & 15];
    s[16] = '\0';
    put(s);
}

static void put_dec(uint64_t v)
{
    char s[21];
    int i = 20;

    s[i] = '\0';
    do
        s[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    put(s + i);
}

/* put_json_string: (n) bytes of (s) as the inside of a JSON string. */
static void put_json_string(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
        char one[2] = {(char)c, '\0'};

        if (c == '"' || c == '\\') {
            char esc[3] = {'\\', (char)c, '\0'};
            put(esc);
        } else if (c < 0x20 || c >= 0x7f) {
            put(e);
        } else {
            put(one);
        }
    }
}

/* random_id: 64 random bits from RDRAND, or the TSC if the CPU has none. */
static uint64_t random_id(void)
{
    uint32_t a, b, c, d;
    uint64_t v;
    unsigned char ok;

    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (c & (1u << 30)) {
        for (int tries = 0; tries < 10; tries++) {
            __asm__ __volatile__("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
            if (ok)
                return v;
        }
    }
    __asm__ __volatile__("rdtsc" : "=a"(a), "=d"(d));
    return ((uint64_t)d << 32) | a;
}

/* read_request: input until the blank line that ends the headers, the end
 * of input, a full buffer, or WAIT_NS of silence.  Returns the bytes read;
 * *timed_out set on silence. */
static size_t read_request(int *timed_out)
{
    size_t used = 0;
    solo5_time_t deadline = solo5_clock_monotonic() + WAIT_NS;

    *timed_out = 0;
    while (used < sizeof req) {
        size_t n = 0;
        solo5_result_t r = wisp_input_read(req + used, sizeof req - used, &n);

        if (r == SOLO5_R_AGAIN) {
            solo5_handle_set_t ready = 0;

            if (solo5_clock_monotonic() >= deadline) {
                *timed_out = 1;
                break;
            }
            solo5_yield(deadline, &ready);
            continue;
        }
        if (r != SOLO5_R_OK || n == 0)
            break;
        used += n;
        for (size_t i = used - n >= 3 ? used - n - 3 : 0; i + 1 < used; i++)
            if ((req[i] == '\n' && req[i + 1] == '\n') ||
                (i + 3 < used && req[i] == '\r' && req[i + 1] == '\n' &&
                 req[i + 2] == '\r' && req[i + 3] == '\n'))
                return used;
    }
    return used;
}

/* build_answer: the whole HTTP answer to the (len) bytes of req in out
 * (out_len), naming the VM by (id).  A request line that is empty or not
 * ended gets 400, a silent client 408. */
static void build_answer(uint64_t id, size_t len, int timed_out)
{
    static char body[sizeof out + 1];
    size_t line = 0, body_len;
    const char *status = "200 OK";

    while (line < len && req[line] != '\r' && req[line] != '\n')
        line++;
    if (timed_out)
        status = "408 Request Timeout";
    else if (line == 0 || line == len)
        status = "400 Bad Request";
    /* The body first, to know its length. */
    out_len = 0;
    put("{\"vm\":\"");
    put_hex64(id);
    put("\",\"request\":\"");
    put_json_string(req, line < LINE_MAX_SHOWN ? line : LINE_MAX_SHOWN);
    put("\",\"status\":\"");
    put(status);
    put("\"}\n");
    body_len = out_len;
    for (size_t i = 0; i < body_len; i++)
        body[i] = out[i];
    body[body_len] = '\0';
    out_len = 0;
    put("HTTP/1.0 ");
    put(status);
    put("\r\nContent-Type: application/json\r\nContent-Length: ");
    put_dec(body_len);
    put("\r\nConnection: close\r\n\r\n");
    put(body);
}

/* warm_up: draw the id and answer a made-up request once, so that every
 * page the real answer uses (code, buffers, stack, the console buffer) has
 * been touched before the first read: no page fault is left for after the
 * request. */
static uint64_t warm_up(void)
{
    static const char sample[] = "GET /\"\\\x01 HTTP/1.0\r\n\r\n";

    for (size_t i = 0; i < sizeof req; i += 512)
        ((volatile char *)req)[i] = 0;
    for (size_t i = 0; i < sizeof sample - 1; i++)
        req[i] = sample[i];
    build_answer(0, sizeof sample - 1, 0);
    solo5_console_write("", 0); /* writes the console buffer's length */
    return random_id();
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t id = warm_up();
    int timed_out;
    size_t len = read_request(&timed_out);

    (void)si;
    build_answer(id, len, timed_out);
    solo5_console_write(out, out_len); /* one write: one segment, no Nagle wait */
    return SOLO5_EXIT_SUCCESS;
}
