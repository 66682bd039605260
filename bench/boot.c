/*
 * boot.c: boot latency.  `wisp-bench boot [-n ROUNDS] NAME=COMMAND...`
 * runs every command ROUNDS times, interleaved (round r runs them all, in
 * an order rotated by r), each from posix_spawn to its reaping (wait4):
 * the wall time from exec to exit.  stdout goes to /dev/null.  A command
 * with --timings also has its stderr parsed for wisp's events, which are
 * CLOCK_MONOTONIC like the parent's spawn time, so exec -> main -> first
 * guest instruction -> solo5_app_main -> exit and every tender phase are
 * known per run; their medians are reported.  Leading words @NAME=VALUE
 * of a command are set in its environment (A/B switches cost no exec).  The commands named "floor"
 * and "floor-static" are the baselines every median is divided by.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* wisp's events, in order (tender/vm.c wisp_event_name), plus "reaped". */
static const char *const events[] = {
    "main", "elf_read", "validated", "kvm", "memory", "layout", "modules", "cpu",
    "confined", "guest_start", "guest_main", "guest_end", "teardown",
};
#define NEV (sizeof events / sizeof events[0])

/* The split from the issue: exec -> main -> first guest instruction ->
 * solo5_app_main -> (guest ends) -> exit. */
static const struct {
    const char *name;
    int from, to; /* event indices; -1 = exec (spawn), NEV = reaped */
} splits[] = {
    {"exec_to_main", -1, 0},
    {"main_to_first_insn", 0, 9},
    {"first_insn_to_app_main", 9, 10},
    {"app_main_to_guest_end", 10, 11},
    {"guest_end_to_exit", 11, NEV},
    {"total", -1, NEV},
};
#define NSPLIT (sizeof splits / sizeof splits[0])

struct cmd {
    char *name;
    char *argv[BENCH_MAX_ARGS];
    char **env;                  /* NULL: inherited */
    int timings;
    double *wall;                /* µs per run */
    double *ev[NEV + 1];         /* µs since exec, per event, per run */
    size_t n, nfail;
    struct stats st;
};

static void parse_events(struct cmd *c, size_t run, const char *text, uint64_t t0, uint64_t t1)
{
    for (size_t e = 0; e < NEV; e++)
        c->ev[e][run] = -1;
    for (const char *p = text; (p = strstr(p, "wisp: event ")); p++) {
        char name[32];
        unsigned long long ns;

        if (sscanf(p, "wisp: event %31s %llu", name, &ns) != 2)
            continue;
        for (size_t e = 0; e < NEV; e++)
            if (strcmp(name, events[e]) == 0 && ns >= t0)
                c->ev[e][run] = (double)(ns - t0) / 1e3;
    }
    c->ev[NEV][run] = (double)(t1 - t0) / 1e3;
}

static double ev_at(const struct cmd *c, size_t run, int e)
{
    return e < 0 ? 0 : c->ev[e][run];
}

/* median of ev[to] - ev[from] over the runs where both are known. */
static double phase_median(const struct cmd *c, int from, int to)
{
    double *v = malloc(c->n * sizeof *v), m;
    size_t k = 0;

    for (size_t r = 0; r < c->n; r++) {
        double a = ev_at(c, r, from), b = ev_at(c, r, to);

        if (a >= 0 && b >= 0)
            v[k++] = b - a;
    }
    m = k ? median_of(v, k) : -1;
    free(v);
    return m;
}

static int run_once(struct cmd *c, int errfd, size_t run)
{
    static char text[65536];
    struct rusage ru;
    uint64_t t0, t1;
    int status;
    pid_t pid;

    t0 = now_ns();
    pid = spawn_env(c->argv, c->env, -1, errfd, 0);
    if (pid < 0)
        return -1;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    t1 = now_ns();
    read_fd_all(errfd, text, sizeof text);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (c->nfail++ == 0)
            fprintf(stderr, "wisp-bench: %s: exit status 0x%x; stderr: %s\n", c->name,
                    status, text);
        return 0;
    }
    c->wall[run] = (double)(t1 - t0) / 1e3;
    if (c->timings)
        parse_events(c, run, text, t0, t1);
    c->n++;
    return 0;
}

static double median_wall(struct cmd *cmds, int ncmd, const char *name)
{
    for (int i = 0; i < ncmd; i++)
        if (strcmp(cmds[i].name, name) == 0 && cmds[i].n)
            return cmds[i].st.median;
    return 0;
}

/* write_plot_data: boot_cdf.dat (one block per command: sorted wall time
 * in ms, cumulative fraction) and split.dat (one row per command with
 * timings: the split medians in ms). */
static void write_plot_data(struct cmd *cmds, int ncmd, double floor_dyn)
{
    FILE *f = plot_file("boot_names.dat");

    if (f) {
        for (int i = 0; i < ncmd; i++)
            fprintf(f, "%s%s", i ? " " : "", cmds[i].name);
        fprintf(f, "\n");
        fclose(f);
    }
    f = plot_file("boot_cdf.dat");

    if (f) {
        for (int i = 0; i < ncmd; i++) {
            double *w = malloc((cmds[i].n + 1) * sizeof *w);

            memcpy(w, cmds[i].wall, cmds[i].n * sizeof *w);
            stats_of(w, cmds[i].n);
            for (size_t r = 0; r < cmds[i].n; r++)
                fprintf(f, "%.4f %.4f\n", w[r] / 1e3, (double)(r + 1) / (double)cmds[i].n);
            fprintf(f, "\n\n");
            free(w);
        }
        fclose(f);
    }
    f = plot_file("split.dat");
    if (f) {
        fprintf(f, "# name");
        for (size_t s = 0; s + 1 < NSPLIT; s++)
            fprintf(f, " %s", splits[s].name);
        fprintf(f, " floor_median\n");
        for (int i = 0; i < ncmd; i++) {
            if (!cmds[i].timings)
                continue;
            fprintf(f, "%s", cmds[i].name);
            for (size_t s = 0; s + 1 < NSPLIT; s++) {
                double m = phase_median(&cmds[i], splits[s].from, splits[s].to);

                fprintf(f, " %.4f", m > 0 ? m / 1e3 : 0);
            }
            fprintf(f, " %.4f\n", floor_dyn / 1e3);
        }
        fclose(f);
    }
}

int bench_boot(int argc, char *argv[], FILE *json)
{
    struct cmd cmds[BENCH_MAX_CMDS] = {0};
    size_t rounds = 400;
    int ncmd = 0, opt, errfd;
    double floor_dyn, floor_st;

    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt != 'n')
            return 2;
        rounds = strtoul(optarg, NULL, 10);
    }
    for (int i = optind; i < argc && ncmd < BENCH_MAX_CMDS; i++) {
        struct cmd *c = &cmds[ncmd];
        char *eq = strchr(argv[i], '=');

        if (!eq) {
            fprintf(stderr, "wisp-bench boot: expected NAME=COMMAND, got %s\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        c->name = argv[i];
        if (split_cmd(eq + 1, c->argv, &c->env) < 1)
            return 2;
        for (char **a = c->argv; *a; a++)
            c->timings |= strcmp(*a, "--timings") == 0;
        c->wall = calloc(rounds, sizeof(double));
        for (size_t e = 0; e <= NEV; e++)
            c->ev[e] = calloc(rounds, sizeof(double));
        ncmd++;
    }
    errfd = memfd_create("wisp-bench-stderr", 0);
    if (errfd < 0 || ncmd == 0)
        return 2;
    fprintf(stderr, "wisp-bench boot: %zu rounds of %d commands, interleaved\n", rounds, ncmd);
    for (size_t r = 0; r < rounds; r++)
        for (int k = 0; k < ncmd; k++)
            if (run_once(&cmds[(k + r) % (size_t)ncmd], errfd, cmds[(k + r) % (size_t)ncmd].n))
                return 1;
    close(errfd);

    for (int i = 0; i < ncmd; i++) {
        double *w = malloc((cmds[i].n + 1) * sizeof *w);

        memcpy(w, cmds[i].wall, cmds[i].n * sizeof *w);
        cmds[i].st = stats_of(w, cmds[i].n);
        free(w);
    }
    floor_dyn = median_wall(cmds, ncmd, "floor");
    floor_st = median_wall(cmds, ncmd, "floor-static");

    printf("\nBoot latency: wall time from posix_spawn to wait4, µs (%zu interleaved rounds)\n",
           rounds);
    printf("%-22s %5s %9s %9s %9s %9s %9s %8s %8s\n", "command", "n", "median", "p90",
           "p99", "min", "max", "x floor", "x f-stat");
    for (int i = 0; i < ncmd; i++) {
        struct cmd *c = &cmds[i];

        printf("%-22s %5zu %9.0f %9.0f %9.0f %9.0f %9.0f %8.2f %8.2f%s\n", c->name,
               c->n, c->st.median, c->st.p90, c->st.p99, c->st.min, c->st.max,
               floor_dyn ? c->st.median / floor_dyn : 0, floor_st ? c->st.median / floor_st : 0,
               c->nfail ? "  FAILED RUNS" : "");
    }

    fprintf(json, "  \"boot\": {\"rounds\": %zu, \"unit\": \"us\", \"commands\": [\n", rounds);
    for (int i = 0; i < ncmd; i++) {
        struct cmd *c = &cmds[i];

        fprintf(json, "    {\"name\": \"%s\", \"argv\": [", c->name);
        for (char **a = c->argv; *a; a++)
            fprintf(json, "%s\"%s\"", a == c->argv ? "" : ", ", *a);
        fprintf(json, "], \"runs\": %zu, \"failed\": %zu, \"wall\": {\"median\": %.1f, "
                      "\"p90\": %.1f, \"p99\": %.1f, \"min\": %.1f, \"max\": %.1f, "
                      "\"mean\": %.1f}, \"ratio_to_floor\": %.3f, "
                      "\"ratio_to_floor_static\": %.3f",
                c->n, c->nfail, c->st.median, c->st.p90, c->st.p99, c->st.min,
                c->st.max, c->st.mean, floor_dyn ? c->st.median / floor_dyn : 0,
                floor_st ? c->st.median / floor_st : 0);
        if (c->timings) {
            printf("\n%s: split (median µs; medians of parts do not add up exactly)\n", c->name);
            fprintf(json, ",\n     \"split\": {");
            for (size_t s = 0; s < NSPLIT; s++) {
                double m = phase_median(c, splits[s].from, splits[s].to);

                if (m < 0)
                    printf("  %-28s %9s\n", splits[s].name, "n/a");
                else
                    printf("  %-28s %9.1f\n", splits[s].name, m);
                if (m < 0)
                    fprintf(json, "%s\"%s\": null", s ? ", " : "", splits[s].name);
                else
                    fprintf(json, "%s\"%s\": %.1f", s ? ", " : "", splits[s].name, m);
            }
            printf("%s: tender phases (median µs, from the previous event)\n", c->name);
            fprintf(json, "},\n     \"phases\": {");
            for (size_t e = 0; e <= NEV; e++) {
                double m = phase_median(c, (int)e - 1, (int)e);
                const char *nm = e < NEV ? events[e] : "reaped";

                if (m < 0)
                    printf("  %-28s %9s\n", nm, "n/a");
                else
                    printf("  %-28s %9.1f\n", nm, m);
                if (m < 0)
                    fprintf(json, "%s\"%s\": null", e ? ", " : "", nm);
                else
                    fprintf(json, "%s\"%s\": %.1f", e ? ", " : "", nm, m);
            }
            fprintf(json, "}");
        }
        fprintf(json, ",\n     \"samples\": [");
        for (size_t r = 0; r < c->n; r++)
            fprintf(json, "%s%.0f", r ? "," : "", c->wall[r]);
        fprintf(json, "]}%s\n", i + 1 < ncmd ? "," : "");
    }
    fprintf(json, "  ]}");
    write_plot_data(cmds, ncmd, floor_dyn);
    return 0;
}

/*
 * bench_rss: `wisp-bench rss [-r RUNS] PROBE NAME=COMMAND...`: the peak RSS
 * of each command (median of RUNS), measured by PROBE (bench/rssprobe.c, a
 * small static program: wait4's ru_maxrss includes the pre-exec address
 * space, so a large parent would inflate the figure).
 */
int bench_rss(int argc, char *argv[], FILE *json)
{
    static char text[4096];
    size_t runs = 21;
    int opt, fd, first = 1;

    while ((opt = getopt(argc, argv, "r:")) != -1) {
        if (opt != 'r')
            return 2;
        runs = strtoul(optarg, NULL, 10);
    }
    if (optind + 2 > argc || runs == 0)
        return fprintf(stderr, "wisp-bench rss: expected PROBE NAME=COMMAND...\n"), 2;
    fd = memfd_create("wisp-bench-rss", 0);
    if (fd < 0)
        return 1;
    printf("\nPeak RSS (wait4 ru_maxrss through %s), KiB, median of %zu runs\n", argv[optind],
           runs);
    fprintf(json, "  \"rss\": {\"unit\": \"KiB\", \"runs\": %zu, \"commands\": [", runs);
    for (int i = optind + 1; i < argc; i++) {
        char *args[BENCH_MAX_ARGS + 1], **env, *eq = strchr(argv[i], '=');
        double v[256];
        size_t n = 0;

        if (!eq)
            return 2;
        *eq = '\0';
        args[0] = argv[optind];
        if (split_cmd(eq + 1, args + 1, &env) < 1)
            return 2;
        for (size_t r = 0; r < runs && r < 256; r++) {
            long kib;
            int st, ws;
            pid_t pid = spawn_env(args, env, fd, -1, 0);

            if (pid < 0)
                return 1;
            while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
                ;
            read_fd_all(fd, text, sizeof text);
            {
                char *p = strstr(text, "maxrss_kib ");

                if (p && sscanf(p, "maxrss_kib %ld status %d", &kib, &st) == 2 && st == 0)
                    v[n++] = (double)kib;
            }
        }
        printf("%-22s %9.0f%s\n", argv[i], n ? median_of(v, n) : -1.0,
               n < runs ? "  (failed runs)" : "");
        fprintf(json, "%s\n    {\"name\": \"%s\", \"maxrss_kib\": %.0f, \"ok_runs\": %zu}",
                first ? "" : ",", argv[i], n ? median_of(v, n) : -1.0, n);
        first = 0;
    }
    fprintf(json, "\n  ]}");
    close(fd);
    return 0;
}
