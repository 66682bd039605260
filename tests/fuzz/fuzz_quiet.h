/*
 * fuzz_quiet: silence the code under test's messages on stderr while
 * keeping libFuzzer's and the sanitizers' reports.  Called from
 * LLVMFuzzerInitialize, which runs before libFuzzer parses its flags: it
 * appends -close_fd_mask=2, so libFuzzer moves its own output and the
 * sanitizer reports to a duplicate of stderr and points fd 2 at
 * /dev/null.  FUZZ_SHOW_ERRORS=1 in the environment, or an explicit
 * -close_fd_mask flag, leaves everything as it is.
 */
#ifndef WISP_FUZZ_QUIET_H
#define WISP_FUZZ_QUIET_H

#include <stdlib.h>
#include <string.h>

static void fuzz_quiet(int *argc, char ***argv)
{
    static char flag[] = "-close_fd_mask=2";
    char **nv;

    if (getenv("FUZZ_SHOW_ERRORS"))
        return;
    for (int i = 1; i < *argc; i++)
        if (strncmp((*argv)[i], "-close_fd_mask", 14) == 0)
            return;
    nv = calloc((size_t)*argc + 2, sizeof *nv); /* kept for the process */
    if (!nv)
        return;
    memcpy(nv, *argv, (size_t)*argc * sizeof *nv);
    nv[(*argc)++] = flag;
    *argv = nv;
}

#endif /* WISP_FUZZ_QUIET_H */
