/* globals: .data "RUCCESS" is incremented to "SUCCESS" and printed; a .bss array is zero and writable; expect SUCCESS, status 0. */
#include "t.h"

char greeting[] = "RUCCESS\n";   /* .data */
unsigned char zeros[16384];      /* .bss  */

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile unsigned char *z = zeros;

    (void)si;
    for (size_t i = 0; i < sizeof zeros; i++)
        if (z[i] != 0)
            return t_fail(".bss array is not zero-initialised");
    for (size_t i = 0; i < sizeof zeros; i++)
        z[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < sizeof zeros; i++)
        if (z[i] != (unsigned char)(i * 7 + 1))
            return t_fail(".bss array did not keep what was written");

    ((volatile char *)greeting)[0]++;
    t_puts(greeting);   /* "SUCCESS\n" if .data is initialised and writable */
    return SOLO5_EXIT_SUCCESS;
}
