/* hello-libc: the smallest wisp unikernel with a C library (wisp-cc --libc):
 * main(argc, argv) from the command line, printf with a float, and the
 * argument count as the exit status. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("%s: %d argument(s), pi is %.5f\n", argv[0], argc - 1, 3.14159265);
    return argc - 1;
}
