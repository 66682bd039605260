/*
 * bigout N: writes N console lines, line k (from 0) being k in decimal,
 * zero-padded to 7 digits, and '\n' (8 bytes a line, as awk's printf "%07d\n"),
 * in 4 KiB writes; then exits 0.  For a console that cannot take it all at
 * once (a non-blocking pipe read slowly: tests/e2e/hostile_host.bats).
 */
#include "t.h"

#define LINE 8
#define CHUNK_LINES 512

static char chunk[CHUNK_LINES * LINE];

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n = 0, k = 0;

    for (const char *p = si->cmdline; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    while (k < n) {
        size_t used = 0;

        for (; used < sizeof chunk && k < n; used += LINE, k++) {
            uint64_t v = k;

            for (int d = LINE - 2; d >= 0; d--, v /= 10)
                chunk[used + (size_t)d] = (char)('0' + v % 10);
            chunk[used + LINE - 1] = '\n';
        }
        solo5_console_write(chunk, used);
    }
    return SOLO5_EXIT_SUCCESS;
}
