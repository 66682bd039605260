/*
 * mem.c: host memory of idle guests, against the floor.
 * `wisp-bench mem [-r ROUNDS] [-b B] [-k K]... NAME=COMMAND...` starts, for each
 * command, K copies at once (an idle guest: it prints "READY\n" in one
 * write, then blocks; bench/guests/idle under wisp, `floor --idle`), all
 * writing to one pipe, and measures
 *   - the time from the first spawn until all K printed READY;
 *   - the host's used memory before the first spawn and once all are
 *     ready: the rise divided by K is the host memory per guest, KVM's
 *     kernel structures included.  Used = MemTotal - MemAvailable
 *     (/proc/meminfo) - the free pages held on the per-CPU page lists
 *     ("count:" of each pageset in /proc/zoneinfo): Linux counts those as
 *     neither free nor available, and with its auto-tuned lists they swing
 *     by tens of MiB between rounds (a round that frees 500 MiB leaves them
 *     full, the next one allocates from them without MemFree falling);
 *   - where that rise went: the rise of each /proc/meminfo counter below
 *     (anonymous pages, page tables, KVM's secondary page tables, kernel
 *     stacks, slabs, ...), per guest;
 *   - the processes' own resident set (VmRSS, summed, per guest).
 *   - "uncounted": the rise of used memory that none of the counters
 *     above explains (kernel pages allocated outside them, as KVM's
 *     per-vCPU MMU page caches are);
 * The first B commands (-b B, default 1) are references: every command is
 * also given as a multiple of each ("x NAME").  Within a round the commands run one after
 * the other, in an order rotated by the round.  All copies run in one
 * process group, killed with SIGKILL when measured, on error, and on
 * SIGINT/SIGTERM/SIGHUP.  Soft limits on open files and processes are
 * raised to the hard ones.  Medians of ROUNDS rounds are reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_K 8
#define MAX_ROUNDS 16
#define READY_TIMEOUT_NS (120ull * 1000000000ull)

/* The /proc/meminfo counters whose rise is reported per guest; "used" is
 * computed (above), "pcp" is the free pages on the per-CPU lists. */
static const char *const counters[] = {
    "used", "pcp", "AnonPages", "PageTables", "SecPageTables", "KernelStack",
    "Slab", "SUnreclaim", "Shmem", "Mapped", "VmallocUsed", "Percpu",
};
#define NCOUNTERS (sizeof counters / sizeof counters[0])

/* uncounted: used minus the counters that are parts of it (AnonPages,
 * PageTables, SecPageTables, KernelStack, Slab, Shmem, VmallocUsed,
 * Percpu; not pcp, SUnreclaim (in Slab) or Mapped (file pages)). */
static double uncounted(const double v[NCOUNTERS])
{
    static const char *const parts[] = {"AnonPages", "PageTables", "SecPageTables", "KernelStack",
                                        "Slab", "Shmem", "VmallocUsed", "Percpu"};
    double u = v[0];

    for (size_t m = 0; m < NCOUNTERS; m++)
        for (size_t j = 0; j < sizeof parts / sizeof parts[0]; j++)
            if (strcmp(counters[m], parts[j]) == 0)
                u -= v[m];
    return u;
}

static volatile pid_t group; /* the guests' process group, 0 if none */

static void kill_group(void)
{
    if (group > 0)
        kill(-group, SIGKILL);
}

static void on_signal(int sig)
{
    kill_group();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* pcp_kib: the free pages on the per-CPU page lists, KiB (0 if unknown). */
static long pcp_kib(void)
{
    FILE *f = fopen("/proc/zoneinfo", "r");
    char line[256];
    long pages = 0, x;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " count: %ld", &x) == 1)
            pages += x;
    fclose(f);
    return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* meminfo: the counters above, in KiB (-1 where the kernel lacks one).
 * Returns 0, or -1 if /proc/meminfo cannot be read. */
static int meminfo(long v[NCOUNTERS])
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256], name[64];
    long total = -1, avail = -1, x;

    if (!f)
        return -1;
    for (size_t i = 0; i < NCOUNTERS; i++)
        v[i] = -1;
    v[1] = pcp_kib();
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63[^:]: %ld", name, &x) != 2)
            continue;
        if (strcmp(name, "MemTotal") == 0)
            total = x;
        else if (strcmp(name, "MemAvailable") == 0)
            avail = x;
        for (size_t i = 2; i < NCOUNTERS; i++)
            if (strcmp(name, counters[i]) == 0)
                v[i] = x;
    }
    fclose(f);
    v[0] = total < 0 || avail < 0 ? -1 : total - avail - v[1];
    return v[0] < 0 ? -1 : 0;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long v = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
            break;
    fclose(f);
    return v;
}

static void raise_limit(int res, const char *name, rlim_t need)
{
    struct rlimit rl;

    if (getrlimit(res, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(res, &rl);
    }
    if (getrlimit(res, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        fprintf(stderr, "wisp-bench mem: warning: %s limit %llu < %llu\n", name,
                (unsigned long long)rl.rlim_cur, (unsigned long long)need);
}

struct round {
    double per_guest_kib[NCOUNTERS]; /* rise of each counter / K */
    double ready_ms, rss_kib;
};

/* one_round: K copies of (cmd) up, measured, killed and reaped.
 * Returns 0, or -1 (with a message) if not all became ready. */
static int one_round(char *cmd[], int k, struct round *out)
{
    pid_t *pids = calloc((size_t)k, sizeof *pids);
    int p[2], ready = 0, started = 0;
    long before[NCOUNTERS], after[NCOUNTERS], rss = 0;
    uint64_t t0, deadline;
    char buf[4096];

    if (!pids || pipe2(p, O_CLOEXEC) < 0)
        return -1;
    sleep(1); /* let the previous round's teardown settle */
    if (meminfo(before) < 0)
        return fprintf(stderr, "wisp-bench mem: cannot read /proc/meminfo\n"), -1;
    t0 = now_ns();
    for (int i = 0; i < k; i++) {
        pids[i] = spawn(cmd, p[1], -1, group);
        if (pids[i] < 0)
            break;
        if (group == 0)
            group = pids[i];
        started++;
    }
    close(p[1]);
    deadline = t0 + READY_TIMEOUT_NS;
    while (ready < started && now_ns() < deadline) {
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        ssize_t r;

        if (poll(&pf, 1, 1000) <= 0)
            continue;
        r = read(p[0], buf, sizeof buf);
        if (r <= 0)
            break; /* every writer is gone */
        /* each copy writes "READY\n" in one write: count lines */
        for (ssize_t j = 0; j < r; j++)
            ready += buf[j] == '\n';
    }
    out->ready_ms = (double)(now_ns() - t0) / 1e6;
    meminfo(after);
    for (int i = 0; i < started; i++)
        rss += rss_kib(pids[i]);
    kill_group();
    for (int i = 0; i < started; i++)
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    group = 0;
    close(p[0]);
    free(pids);
    for (size_t c = 0; c < NCOUNTERS; c++)
        out->per_guest_kib[c] = before[c] < 0 || after[c] < 0 ? 0 : (double)(after[c] - before[c]) / k;
    out->rss_kib = (double)rss / (started ? started : 1);
    if (ready < k) {
        fprintf(stderr, "wisp-bench mem: %s: only %d of %d copies (%d started) became ready\n",
                cmd[0], ready, k, started);
        return -1;
    }
    return 0;
}

struct memcmd {
    const char *name;
    char *argv[BENCH_MAX_ARGS];
    /* per K: medians over the rounds */
    double pg[MAX_K][NCOUNTERS], rss[MAX_K], ready[MAX_K];
};

int bench_mem(int argc, char *argv[], FILE *json)
{
    struct memcmd cmds[BENCH_MAX_CMDS];
    int ks[MAX_K], nk = 0, rounds = 3, ncmd = 0, nref = 1, opt;
    FILE *pf = plot_file("mem.dat");

    while ((opt = getopt(argc, argv, "r:b:k:")) != -1) {
        if (opt == 'r')
            rounds = atoi(optarg);
        else if (opt == 'b')
            nref = atoi(optarg);
        else if (opt == 'k' && nk < MAX_K)
            ks[nk++] = atoi(optarg);
        else
            return 2;
    }
    for (int i = optind; i < argc && ncmd < BENCH_MAX_CMDS; i++) {
        char *eq = strchr(argv[i], '='), **env;

        if (!eq)
            return fprintf(stderr, "wisp-bench mem: expected NAME=COMMAND, got %s\n", argv[i]), 2;
        *eq = '\0';
        cmds[ncmd].name = argv[i];
        if (split_cmd(eq + 1, cmds[ncmd].argv, &env) < 1 || env)
            return fprintf(stderr, "wisp-bench mem: %s: empty command or @ENV\n", argv[i]), 2;
        ncmd++;
    }
    if (ncmd == 0 || nk == 0 || rounds < 1 || rounds > MAX_ROUNDS || nref < 1 || nref > ncmd)
        return fprintf(stderr, "wisp-bench mem: expected [-r 1..%d] [-b B] -k K... NAME=COMMAND...\n",
                       MAX_ROUNDS), 2;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    atexit(kill_group);
    raise_limit(RLIMIT_NOFILE, "open files", 64);
    raise_limit(RLIMIT_NPROC, "processes", (rlim_t)ks[nk - 1] + 64);

    for (int i = 0; i < nk; i++) {
        double pg[BENCH_MAX_CMDS][NCOUNTERS][MAX_ROUNDS], rd[BENCH_MAX_CMDS][MAX_ROUNDS],
               rs[BENCH_MAX_CMDS][MAX_ROUNDS];

        for (int r = 0; r < rounds; r++)
            for (int j = 0; j < ncmd; j++) {
                int c = (j + r) % ncmd; /* rotated order */
                struct round o;

                fprintf(stderr, "wisp-bench mem: K=%d round %d: %s\n", ks[i], r + 1, cmds[c].name);
                if (one_round(cmds[c].argv, ks[i], &o))
                    return 1;
                for (size_t m = 0; m < NCOUNTERS; m++)
                    pg[c][m][r] = o.per_guest_kib[m];
                rd[c][r] = o.ready_ms;
                rs[c][r] = o.rss_kib;
            }
        for (int c = 0; c < ncmd; c++) {
            for (size_t m = 0; m < NCOUNTERS; m++)
                cmds[c].pg[i][m] = median_of(pg[c][m], (size_t)rounds);
            cmds[c].ready[i] = median_of(rd[c], (size_t)rounds);
            cmds[c].rss[i] = median_of(rs[c], (size_t)rounds);
        }
    }

    printf("\nIdle guests: host memory per guest (rise of MemTotal-MemAvailable-pcp / K; x NAME = "
           "/ the same for NAME), resident set per process, time until all printed READY "
           "(median of %d rounds)\n", rounds);
    printf("%6s %-16s %14s", "K", "command", "host MiB/guest");
    for (int r = 0; r < nref; r++) {
        char h[40];

        snprintf(h, sizeof h, "x %s", cmds[r].name);
        printf(" %12s", h);
    }
    printf(" %14s %12s\n", "RSS MiB/proc", "all ready ms");
    for (int i = 0; i < nk; i++)
        for (int c = 0; c < ncmd; c++) {
            printf("%6d %-16s %14.3f", ks[i], cmds[c].name, cmds[c].pg[i][0] / 1024);
            for (int r = 0; r < nref; r++)
                printf(" %12.2f", cmds[c].pg[i][0] / cmds[r].pg[i][0]);
            printf(" %14.3f %12.0f\n", cmds[c].rss[i] / 1024, cmds[c].ready[i]);
        }
    printf("Where it went: rise of each /proc/meminfo counter / K, KiB per guest (medians)\n");
    printf("%6s %-16s", "K", "command");
    for (size_t m = 0; m < NCOUNTERS; m++)
        printf(" %*s", m == 0 ? 6 : (int)(strlen(counters[m]) > 6 ? strlen(counters[m]) : 6),
               counters[m]);
    printf(" %9s\n", "uncounted");
    for (int i = 0; i < nk; i++)
        for (int c = 0; c < ncmd; c++) {
            printf("%6d %-16s", ks[i], cmds[c].name);
            for (size_t m = 0; m < NCOUNTERS; m++)
                printf(" %*.0f", m == 0 ? 6 : (int)(strlen(counters[m]) > 6 ? strlen(counters[m]) : 6),
                       cmds[c].pg[i][m]);
            printf(" %9.0f\n", uncounted(cmds[c].pg[i]));
        }

    fprintf(json, "  \"mem\": {\"rounds\": %d, \"idle\": [\n", rounds);
    for (int i = 0; i < nk; i++)
        for (int c = 0; c < ncmd; c++) {
            fprintf(json, "    {\"k\": %d, \"command\": \"%s\", \"host_mib_per_guest\": %.4f, "
                          "\"x\": {", ks[i], cmds[c].name, cmds[c].pg[i][0] / 1024);
            for (int r = 0; r < nref; r++)
                fprintf(json, "\"%s\": %.3f%s", cmds[r].name, cmds[c].pg[i][0] / cmds[r].pg[i][0],
                        r + 1 < nref ? ", " : "");
            fprintf(json, "}, \"rss_mib\": %.4f, \"all_ready_ms\": %.1f, \"kib_per_guest\": {",
                    cmds[c].rss[i] / 1024, cmds[c].ready[i]);
            for (size_t m = 0; m < NCOUNTERS; m++)
                fprintf(json, "\"%s\": %.1f, ", counters[m], cmds[c].pg[i][m]);
            fprintf(json, "\"uncounted\": %.1f}}%s\n", uncounted(cmds[c].pg[i]),
                    i + 1 < nk || c + 1 < ncmd ? "," : "");
        }
    fprintf(json, "  ]}");
    if (pf) {
        /* one line per K: K, then per command host MiB/guest and ready ms */
        for (int i = 0; i < nk; i++) {
            fprintf(pf, "%d", ks[i]);
            for (int c = 0; c < ncmd; c++)
                fprintf(pf, " %.4f %.1f", cmds[c].pg[i][0] / 1024, cmds[c].ready[i]);
            fprintf(pf, "\n");
        }
        fclose(pf);
    }
    return 0;
}
