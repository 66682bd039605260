/* hello: the smallest useful wisp unikernel: greet and echo the command line. */
#include <solo5.h>

static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    return n;
}

static void puts_(const char *s)
{
    solo5_console_write(s, str_len(s));
}

int solo5_app_main(const struct solo5_start_info *si)
{
    puts_("Hello from wisp!\n");
    puts_("cmdline: ");
    puts_(si->cmdline);
    puts_("\n");
    return SOLO5_EXIT_SUCCESS;
}
