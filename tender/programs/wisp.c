/*
 * wisp: the tender's entry point.  Parses the command line, runs the
 * guest, maps the outcome to an exit status.  All real work is in
 * wisp_run() (tender/core/run.c); `wisp serve` is tender/serve/.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/cli.h"
#include "core/stdfds.h"
#include "serve/serve.h"
#include "wisp.h"

int main(int argc, char *argv[])
{
    static struct wisp_config cfg;
    static struct wisp_result res;
    char err[WISP_ERR_MAX];
    int stats_fd = -1;

    /* Before anything is opened: a closed fd 1 or 2 must not become a
     * block image or the unikernel file (core/stdfds.h). */
    if (stdfds_reopen() < 0) {
        fprintf(stderr, "wisp: cannot open /dev/null for a closed standard fd: %s\n",
                strerror(errno));
        return WISP_EXIT_TENDER_ERROR;
    }
    if (argc > 1 && strcmp(argv[1], "serve") == 0) /* wisp serve: tender/serve/ */
        return serve_main(argc - 1, argv + 1);
    wisp_config_init(&cfg);
    cfg.t_main = wisp_now_ns();
    switch (cli_parse(argc, argv, &cfg, err, sizeof err)) {
    case CLI_HELP:
        cli_usage(stdout);
        return 0;
    case CLI_VERSION:
        printf("wisp %s (isolated-mode ABI version %d)\n", WISP_VERSION, WISP_ABI_VERSION);
        return 0;
    case CLI_ERROR:
        fprintf(stderr, "wisp: %s\n", err);
        fprintf(stderr, "Try 'wisp --help' for more information.\n");
        return WISP_EXIT_TENDER_ERROR;
    case CLI_RUN:
        break;
    }
    /* --stats=FILE: opened now, written after the run (under seccomp). */
    if (cfg.stats_path) {
        stats_fd = cfg.stats_path[0] ? open(cfg.stats_path, O_WRONLY | O_CREAT | O_TRUNC |
                                            O_CLOEXEC, 0644) : 2;
        if (stats_fd < 0) {
            fprintf(stderr, "wisp: --stats=%s: cannot open: %s\n", cfg.stats_path,
                    strerror(errno));
            return WISP_EXIT_TENDER_ERROR;
        }
        cfg.stats_fd = stats_fd;
    }
    /* A closed stdout must not kill the tender silently: report it. */
    signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    wisp_run(&cfg, &res);
    if (res.end == WISP_END_ERROR)
        fprintf(stderr, "wisp: %s\n", res.err);
    if (cfg.timings)
        for (int ev = 0; ev < WISP_EV_MAX; ev++)
            if (res.events[ev])
                fprintf(stderr, "wisp: event %s %llu\n", wisp_event_name(ev),
                        (unsigned long long)res.events[ev]);
    if (stats_fd >= 0) {
        if (wisp_stats_json(stats_fd, &cfg, &res) < 0)
            fprintf(stderr, "wisp: --stats: cannot write: %s\n", strerror(errno));
        if (stats_fd > 2)
            close(stats_fd);
    }
    return res.status;
}
