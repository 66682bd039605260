/*
 * The tender's command line:
 *   wisp [OPTIONS] [--] KERNEL [ARGS...]
 * Pure parsing: no files are opened; device options are only matched to
 * the module that owns them and kept for it (it checks them once the
 * unikernel's manifest is known).
 */
#ifndef WISP_CLI_H
#define WISP_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "wisp.h"

enum cli_action {
    CLI_RUN,      /* cfg is complete: boot it */
    CLI_HELP,     /* print usage on stdout, exit 0 */
    CLI_VERSION,  /* print the version on stdout, exit 0 */
    CLI_ERROR     /* err says what is wrong; print it and usage, exit 253 */
};

#define WISP_VERSION "0.1.0"

/*
 * cli_parse: fill cfg (which MUST have been set with wisp_config_init)
 * from argv.  On CLI_ERROR, err[errlen] holds one line naming the option or
 * value and what was expected.
 */
enum cli_action cli_parse(int argc, char *const argv[], struct wisp_config *cfg,
                          char *err, size_t errlen);

/* cli_usage: the --help text, including every module's options. */
void cli_usage(FILE *out);

#endif /* WISP_CLI_H */
