/*
 * wisp-elftool: command line, usage and dispatch.  Same subcommands and
 * output as solo5-elftool; messages are prefixed "wisp-elftool: ".
 * Exit status: 0 success, 1 any error (as solo5-elftool).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "elftool.h"

static const char usage_text[] =
    "usage: " ELFTOOL_NAME " COMMAND ARGS...\n"
    "       " ELFTOOL_NAME " --help | --version\n"
    "\n"
    "Write and read the manifest and ABI notes of wisp and Solo5 unikernels\n"
    "(compatible with solo5-elftool).\n"
    "\n"
    "Commands:\n"
    "  gen-manifest SOURCE.json OUTPUT.c\n"
    "      Compile the JSON manifest SOURCE.json into a C file defining the\n"
    "      manifest note; OUTPUT.c '-' means standard output.\n"
    "  query-manifest BINARY\n"
    "      Print the manifest of the unikernel BINARY as JSON.\n"
    "  query-abi BINARY\n"
    "      Print the ABI (type, target, version) of the unikernel BINARY.\n"
    "\n"
    "Options:\n"
    "  --help      print this help and exit\n"
    "  --version   print the version and exit\n";

static void usage(FILE *f)
{
    fputs(usage_text, f);
}

/* usage_error: report a command-line problem, then the usage; returns 1. */
static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs(ELFTOOL_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    usage(stderr);
    return 1;
}

struct command {
    const char *name;
    int nargs;             /* exact number of arguments after the name */
    const char *args;      /* for messages */
    int (*run1)(const char *);
    int (*run2)(const char *, const char *);
};

static const struct command commands[] = {
    { "gen-manifest", 2, "SOURCE.json OUTPUT.c", NULL, cmd_gen_manifest },
    { "query-manifest", 1, "BINARY", cmd_query_manifest, NULL },
    { "query-abi", 1, "BINARY", cmd_query_abi, NULL },
};

int main(int argc, char *argv[])
{
    const struct command *c = NULL;
    size_t i;
    int a;

    if (argc < 2)
        return usage_error("missing command");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf(ELFTOOL_NAME " " WISP_VERSION " (manifest version %d, Solo5 hvt "
               "ABI %d, wisp ABI %d)\n", MFT_VERSION, SOLO5_HVT_ABI_VERSION,
               WISP_ABI_VERSION);
        return 0;
    }
    if (argv[1][0] == '-')
        return usage_error("unknown option '%s'", argv[1]);
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            c = &commands[i];
    if (c == NULL)
        return usage_error("unknown command '%s'", argv[1]);

    /* "COMMAND --help" is help; other options are not accepted ("-" is an
     * argument: standard output for gen-manifest). */
    for (a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (argv[a][0] == '-' && argv[a][1] != 0)
            return usage_error("%s: unknown option '%s'", c->name, argv[a]);
    }
    if (argc - 2 != c->nargs)
        return usage_error("%s: expected %d argument%s (%s), got %d", c->name,
                           c->nargs, c->nargs == 1 ? "" : "s", c->args, argc - 2);
    return c->nargs == 1 ? c->run1(argv[2]) : c->run2(argv[2], argv[3]);
}
