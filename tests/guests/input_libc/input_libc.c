/*
 * input_libc: with wisp-cc --libc, stdin is the input stream
 * (guest-libc/console.c on wisp_input_read).  Reads stdin line by line
 * with fgets, prints each line upper-cased, then "N lines, M bytes" at its
 * end; without a stream stdin is at end of file at once ("0 lines").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[512];
    unsigned lines = 0, bytes = 0;

    while (fgets(line, sizeof line, stdin)) {
        bytes += (unsigned)strlen(line);
        for (char *p = line; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        fputs(line, stdout);
        lines++;
    }
    printf("%u lines, %u bytes\n", lines, bytes);
    return 0;
}
