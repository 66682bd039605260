/*
 * args.c: the network options of the unikernel's command line (MirageOS's
 * convention), taken out of argv before main() sees it (guest-libc/crt0.c
 * calls wisp_lwip_take_args when this glue is linked), which also
 * initialises lwIP before main() runs.
 */
#include <string.h>
#include "glue.h"

const char *wl_opt_ipv4, *wl_opt_ipv4_gateway;

static const char *value_of(const char *arg, const char *name)
{
    size_t n = strlen(name);

    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

int wisp_lwip_take_args(int argc, char **argv);
int wisp_lwip_take_args(int argc, char **argv)
{
    int out = 1;

    /* Also the moment to start lwIP: every lwIP call is valid in main(). */
    wl_lwip_start();

    for (int i = 1; i < argc; i++) {
        const char *v;

        if ((v = value_of(argv[i], "--ipv4")) != NULL)
            wl_opt_ipv4 = v;
        else if ((v = value_of(argv[i], "--ipv4-gateway")) != NULL)
            wl_opt_ipv4_gateway = v;
        else
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}
