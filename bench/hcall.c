/*
 * hcall.c: hypercall round trips and first-touch page faults, as the guest
 * sees them.  `wisp-bench hcall [-r RUNS] [-n N] WISP HCBENCH.wisp` runs
 * the hcbench guest (bench/guests/hcbench) RUNS times; each run times N
 * calls of each kind with the guest's TSC clock and prints
 * "BENCH NAME N TOTAL_NS" lines.  Reported: the median over the runs of
 * the cost per operation, in µs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_KINDS 8

int bench_hcall(int argc, char *argv[], FILE *json)
{
    static char text[1 << 20];
    char names[MAX_KINDS][32] = {{0}};
    double *per[MAX_KINDS] = {0};
    size_t runs = 11, got[MAX_KINDS] = {0};
    unsigned long n = 2000;
    char nbuf[32];
    int opt, fd, nk = 0;
    FILE *pf;

    while ((opt = getopt(argc, argv, "r:n:")) != -1) {
        if (opt == 'r')
            runs = strtoul(optarg, NULL, 10);
        else if (opt == 'n')
            n = strtoul(optarg, NULL, 10);
        else
            return 2;
    }
    if (argc - optind != 2)
        return fprintf(stderr, "wisp-bench hcall: expected WISP HCBENCH.wisp\n"), 2;
    snprintf(nbuf, sizeof nbuf, "%lu", n);
    char *cmd[] = {argv[optind], "--mem=64", argv[optind + 1], nbuf, NULL};

    fd = memfd_create("wisp-bench-hcall", 0);
    if (fd < 0)
        return 1;
    fprintf(stderr, "wisp-bench hcall: %zu runs of %lu calls each\n", runs, n);
    for (size_t r = 0; r < runs; r++) {
        int status;
        pid_t pid = spawn(cmd, fd, -1, 0);

        if (pid < 0)
            return 1;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        read_fd_all(fd, text, sizeof text);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "wisp-bench hcall: the guest failed (status 0x%x)\n", status);
            return 1;
        }
        for (char *p = text; (p = strstr(p, "BENCH ")); p++) {
            char name[32];
            unsigned long long cnt, ns;
            int k;

            if (sscanf(p, "BENCH %31s %llu %llu", name, &cnt, &ns) != 3 || cnt == 0)
                continue;
            for (k = 0; k < nk && strcmp(names[k], name); k++)
                ;
            if (k == nk) {
                if (nk == MAX_KINDS)
                    continue;
                snprintf(names[nk], sizeof names[nk], "%s", name);
                per[nk++] = calloc(runs, sizeof(double));
            }
            per[k][got[k]++] = (double)ns / (double)cnt / 1e3;
        }
    }
    close(fd);
    printf("\nHypercall round trip and first-touch page fault, as timed by the guest "
           "(µs per operation; %zu runs of %lu)\n", runs, n);
    printf("%-22s %9s %9s %9s\n", "operation", "median", "min", "max");
    fprintf(json, "  \"hcall\": {\"runs\": %zu, \"n\": %lu, \"unit\": \"us_per_op\", \"ops\": [\n",
            runs, n);
    for (int k = 0; k < nk; k++) {
        struct stats s = stats_of(per[k], got[k]);

        printf("%-22s %9.3f %9.3f %9.3f\n", names[k], s.median, s.min, s.max);
        fprintf(json, "    {\"name\": \"%s\", \"median\": %.4f, \"min\": %.4f, \"max\": %.4f, "
                      "\"runs\": %zu}%s\n", names[k], s.median, s.min, s.max, s.n,
                k + 1 < nk ? "," : "");
    }
    fprintf(json, "  ]}");
    if ((pf = plot_file("hcall.dat"))) {
        for (int k = 0; k < nk; k++) {
            double m = stats_of(per[k], got[k]).median;

            fprintf(pf, "%s %.4f\n", names[k], m);
        }
        fclose(pf);
    }
    return 0;
}
