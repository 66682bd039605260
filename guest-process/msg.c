/*
 * msg.c: the process flavour's diagnostics and the few string helpers it
 * needs without a C library.  Every message goes to stderr in one write,
 * prefixed "wisp:", as the tender's do.
 */
#include "internal.h"
#include "sys.h"

size_t wp_strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int wp_strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
        if (a[i] == '\0')
            return 0;
    }
    return 0;
}

int wp_strcmp(const char *a, const char *b)
{
    return wp_strncmp(a, b, (size_t)-1);
}

int wp_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

const char *wp_strerror(long err)
{
    switch (err) {
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 13: return "Permission denied";
    case 16: return "Device or resource busy";
    case 19: return "No such device";
    case 21: return "Is a directory";
    case 22: return "Invalid argument";
    case 9: return "Bad file descriptor";
    case 11: return "Resource temporarily unavailable";
    case 30: return "Read-only file system";
    default: return "error";
    }
}

/* Output cursor for wp_vformat: bytes past (size - 1) are dropped. */
struct cursor {
    char *out;
    size_t size, len;
};

static void put(struct cursor *c, char ch)
{
    if (c->len + 1 < c->size)
        c->out[c->len] = ch;
    c->len++;
}

static void put_u64(struct cursor *c, uint64_t v)
{
    char digits[20];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put(c, digits[--n]);
}

void wp_vformat(char *out, size_t size, const char *fmt, va_list ap)
{
    struct cursor c = { out, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&c, *fmt);
            continue;
        }
        fmt++;
        if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                put(&c, *s);
        } else if (*fmt == 'd') {
            int v = va_arg(ap, int);
            if (v < 0)
                put(&c, '-');
            put_u64(&c, v < 0 ? -(uint64_t)(int64_t)v : (uint64_t)v);
        } else if (*fmt == 'u') {
            put_u64(&c, va_arg(ap, unsigned));
        } else if (fmt[0] == 'l' && fmt[1] == 'u') {
            fmt++;
            put_u64(&c, va_arg(ap, unsigned long));
        } else if (fmt[0] == 'l' && fmt[1] == 'l' && fmt[2] == 'u') {
            fmt += 2;
            put_u64(&c, va_arg(ap, unsigned long long));
        } else if (*fmt == '%') {
            put(&c, '%');
        } else {
            break; /* unknown conversion: a bug in the caller; stop */
        }
    }
    if (size)
        out[c.len < size ? c.len : size - 1] = '\0';
}

void wp_format(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wp_vformat(out, size, fmt, ap);
    va_end(ap);
}

static void vmsg(const char *fmt, va_list ap)
{
    char line[1024] = "wisp: ";
    size_t n;

    wp_vformat(line + 6, sizeof line - 7, fmt, ap);
    n = wp_strlen(line);
    line[n++] = '\n';
    sys3(SYS_write, 2, line, n);
}

void wp_msg(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
}

void wp_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    for (;;)
        sys1(SYS_exit_group, WP_EXIT_LAUNCH_ERROR);
}
