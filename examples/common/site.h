/*
 * site.h: start-up shared by the httpd and https examples: their command
 * line and the archive that holds the site.
 */
#ifndef WISP_EXAMPLES_SITE_H
#define WISP_EXAMPLES_SITE_H

#include "http_server.h"

/* site_parse_args: for program PROG, accept "--timeout=SECONDS" (into CFG) and nothing else
 * (lwIP's --ipv4= and --ipv4-gateway= are gone before main).  Returns 0,
 * or -1 after printing what was wrong. */
int site_parse_args(const char *prog, int argc, char **argv, struct http_server_config *cfg);

/* site_open: acquire block device NAME as CFG's site and check that it
 * holds a ustar archive.  Returns 0, or -1 after printing why. */
int site_open(const char *name, struct http_server_config *cfg);

#endif
