/* t.c: the test-support library of the test unikernels (see t.h). */
#include "t.h"

/* Keep GCC from turning these loops back into calls to themselves. */
#define T_NO_LOOP_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

size_t t_strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

int t_strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

T_NO_LOOP_CALLS void *t_memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}

T_NO_LOOP_CALLS void *t_memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

int t_memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n > 0; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void t_puts(const char *s)
{
    solo5_console_write(s, t_strlen(s));
}

void t_put_hex(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[18];

    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 17; i >= 2; i--, v >>= 4)
        buf[i] = digits[v & 0xf];
    solo5_console_write(buf, sizeof buf);
}

void t_put_dec(uint64_t v)
{
    char buf[20];
    size_t i = sizeof buf;

    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    solo5_console_write(buf + i, sizeof buf - i);
}

int t_fail(const char *msg)
{
    t_puts("FAILURE: ");
    t_puts(msg);
    t_puts("\n");
    return SOLO5_EXIT_FAILURE;
}

int t_success(void)
{
    t_puts("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}

/* Compiler support routines; weak so that a guest library that provides
 * them takes precedence. */
__attribute__((weak)) void *memset(void *dst, int c, size_t n)
{
    return t_memset(dst, c, n);
}

__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n)
{
    return t_memcpy(dst, src, n);
}

__attribute__((weak)) T_NO_LOOP_CALLS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d < s) {
        while (n-- > 0)
            *d++ = *s++;
    } else {
        while (n-- > 0)
            d[n] = s[n];
    }
    return dst;
}

__attribute__((weak)) int memcmp(const void *a, const void *b, size_t n)
{
    return t_memcmp(a, b, n);
}
