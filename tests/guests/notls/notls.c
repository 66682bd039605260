/* notls: reads a __thread variable without solo5_set_tls_base (FS base 0); expect a page-fault crash report, status 255. */
#include "t.h"

__thread volatile int tls_var = 42;

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("reading a TLS variable with no TLS base\n");
    if (tls_var == 42)
        return t_fail("TLS variable readable without a TLS base");
    return t_fail("TLS read without a TLS base did not fault");
}
