/*
 * arch/cc.h: lwIP's port description for wisp guests (compiler, types,
 * diagnostics), on newlib's headers (GUEST_STACK.md section 4).
 */
#ifndef WISP_LWIP_ARCH_CC_H
#define WISP_LWIP_ARCH_CC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* newlib's ssize_t is long: tell lwIP so it does not typedef its own int. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* newlib has <inttypes.h> and <ctype.h>; lwIP uses them. */
#define LWIP_NO_INTTYPES_H 0
#define LWIP_NO_CTYPE_H 0

typedef int sys_prot_t;

/* Diagnostics go to the console through the OS layer (guest-lwip/port.c);
 * a failed lwIP assertion stops the unikernel. */
void wisp_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wisp_lwip_assert_failed(const char *msg, const char *file, int line)
    __attribute__((noreturn));
uint32_t wisp_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { wisp_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) wisp_lwip_assert_failed((x), __FILE__, __LINE__)
#define LWIP_RAND() (wisp_lwip_rand())

#endif
