/*
 * <wisp/libc.h>: wisp's C library (wisp-cc --libc: newlib over the guest
 * API).  A libc program normally starts at main(argc, argv) and needs
 * nothing from here.  A program that keeps its own solo5_app_main() while
 * linking --libc calls wisp_libc_init() first: it gives malloc() the heap and
 * seeds rand().
 */
#ifndef WISP_LIBC_H
#define WISP_LIBC_H

#include <solo5.h>

void wisp_libc_init(const struct solo5_start_info *si);

#endif
