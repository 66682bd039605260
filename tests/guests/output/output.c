/* output: one 5000-byte console write (100 lines of 49 pattern chars + '\n'), then SUCCESS; expect every byte on stdout, status 0. */
#include "t.h"

#define LINES 100
#define WIDTH 49 /* characters per line before the '\n' */

static char buf[LINES * (WIDTH + 1)];

int solo5_app_main(const struct solo5_start_info *si)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    size_t n = 0;

    (void)si;
    /* Line k, column j holds alphabet[(k + j) % 62]. */
    for (int k = 0; k < LINES; k++) {
        for (int j = 0; j < WIDTH; j++)
            buf[n++] = alphabet[(k + j) % 62];
        buf[n++] = '\n';
    }
    solo5_console_write(buf, sizeof buf);
    return t_success();
}
