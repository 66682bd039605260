/*
 * t.h: the test-support library compiled into every test unikernel
 * (tests/guests/common/t.c).  Small freestanding helpers with a t_ prefix so
 * a test guest needs nothing but solo5.h and this header.
 *
 * Convention: a test guest prints "SUCCESS" and returns SOLO5_EXIT_SUCCESS
 * when it passes, or "FAILURE: <why>" and returns SOLO5_EXIT_FAILURE.
 *     if (x != 42)
 *         return t_fail("x is not 42");
 *     return t_success();
 */
#ifndef WISP_TEST_T_H
#define WISP_TEST_T_H

#include <stddef.h>
#include <stdint.h>

#include "solo5.h"

/* String and memory helpers, as their libc namesakes. */
size_t t_strlen(const char *s);
int t_strcmp(const char *a, const char *b);
void *t_memset(void *dst, int c, size_t n);
void *t_memcpy(void *dst, const void *src, size_t n);
int t_memcmp(const void *a, const void *b, size_t n);

/* t_puts: write the NUL-terminated string (s) to the console as it is (no
 * newline is added) with one solo5_console_write. */
void t_puts(const char *s);
/* t_put_hex: write (v) as "0x" followed by 16 hex digits. */
void t_put_hex(uint64_t v);
/* t_put_dec: write (v) in decimal, no padding. */
void t_put_dec(uint64_t v);

/* t_fail: print "FAILURE: (msg)\n"; returns SOLO5_EXIT_FAILURE so a test can
 * write `return t_fail("...")` from solo5_app_main. */
int t_fail(const char *msg);
/* t_success: print "SUCCESS\n"; returns SOLO5_EXIT_SUCCESS. */
int t_success(void);

/*
 * t_launder: return (p) unchanged, but hide its value from the optimiser, so
 * a deliberately bad access through a constant address (NULL + 8, a far
 * address, a function's bytes) is compiled as written and draws no
 * -Warray-bounds / -Wnull-dereference diagnostics.
 */
static inline void *t_launder(uintptr_t p)
{
    __asm__ volatile("" : "+r"(p));
    return (void *)p;
}

/* What the compiler may call even in freestanding code (struct copies, large
 * initialisers); defined weak in t.c so a library definition wins. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* WISP_TEST_T_H */
