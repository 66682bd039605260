/*
 * crt0.c: the entry of a libc program.  The guest library calls
 * solo5_app_main(); this one prepares the C library, splits the command line
 * into argv (on spaces; argv[0] is the fixed name "unikernel"), lets the
 * network glue take its own options out of argv (when linked: --lwip), runs
 * main() and exits with its status through exit(), which flushes stdio.
 * Only solo5_app_main is defined here, so a program that defines its own
 * solo5_app_main never pulls this file in.
 */
#include <stdlib.h>
#include <string.h>
#include <wisp/libc.h>

#define ARGV_MAX 256

int main(int argc, char **argv);

/* guest-lwip/args.c, present when the program links the network glue:
 * removes the options it consumes and returns the new argc. */
int wisp_lwip_take_args(int argc, char **argv) __attribute__((weak));

static char *argv_store[ARGV_MAX + 1];

/* split_cmdline: copy (cmdline) and cut it into words at spaces; argv[0] is
 * the program name.  Words beyond ARGV_MAX are dropped with a warning. */
static int split_cmdline(const char *cmdline, char **argv)
{
    static char progname[] = "unikernel";
    int argc = 0;
    char *copy = strdup(cmdline ? cmdline : "");

    argv[argc++] = progname;
    if (!copy)
        return argc;
    for (char *p = copy; *p;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        if (argc == ARGV_MAX) {
            static const char msg[] = "wisp libc: more than 255 arguments: the rest are dropped\n";
            solo5_console_write(msg, sizeof msg - 1);
            break;
        }
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    argv[argc] = NULL;
    return argc;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    int argc;

    wisp_libc_init(si);
    argc = split_cmdline(si->cmdline, argv_store);
    if (wisp_lwip_take_args)
        argc = wisp_lwip_take_args(argc, argv_store);
    exit(main(argc, argv_store));
}
