/*
 * mem.c: host memory of idle guests.  `wisp-bench mem [-r ROUNDS]
 * [-m MIB] [-k K]... WISP IDLE.wisp` starts K idle guests (bench/guests/idle:
 * print READY, block in solo5_yield) at once, all writing to one pipe, and
 * measures
 *   - the time from the first spawn until all K printed READY;
 *   - the host's used memory (MemTotal - MemAvailable, /proc/meminfo)
 *     before the first spawn and once all are ready: the rise divided by K
 *     is the host memory per guest, KVM's kernel structures included;
 *   - the tenders' own resident set (VmRSS, summed, per guest).
 * All guests run in one process group, killed with SIGKILL when measured,
 * on error, and on SIGINT/SIGTERM/SIGHUP.  Soft limits on open files and
 * processes are raised to the hard ones.  Each K is run ROUNDS times;
 * medians are reported.
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
#define READY_TIMEOUT_NS (120ull * 1000000000ull)

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

/* used_kib: MemTotal - MemAvailable. */
static long used_kib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long total = -1, avail = -1, v;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "MemTotal: %ld kB", &v) == 1)
            total = v;
        else if (sscanf(line, "MemAvailable: %ld kB", &v) == 1)
            avail = v;
    }
    fclose(f);
    return total < 0 || avail < 0 ? -1 : total - avail;
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
    double per_guest_kib, ready_ms, rss_kib;
    int ready;
};

/* one_round: K guests up, measured, killed and reaped. */
static int one_round(char *cmd[], int k, struct round *out)
{
    pid_t *pids = calloc((size_t)k, sizeof *pids);
    int p[2], ready = 0, started = 0;
    long before, after, rss = 0;
    uint64_t t0, deadline;
    char buf[4096];

    if (!pids || pipe2(p, O_CLOEXEC) < 0)
        return -1;
    sleep(1); /* let the previous round's teardown settle */
    before = used_kib();
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
        /* each guest writes "READY\n" in one write (one PUTS): count lines */
        for (ssize_t j = 0; j < r; j++)
            ready += buf[j] == '\n';
    }
    out->ready_ms = (double)(now_ns() - t0) / 1e6;
    after = used_kib();
    for (int i = 0; i < started; i++)
        rss += rss_kib(pids[i]);
    kill_group();
    for (int i = 0; i < started; i++)
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    group = 0;
    close(p[0]);
    free(pids);
    out->ready = ready;
    out->per_guest_kib = (double)(after - before) / k;
    out->rss_kib = (double)rss / (started ? started : 1);
    if (ready < k) {
        fprintf(stderr, "wisp-bench mem: only %d of %d guests (%d started) became ready\n",
                ready, k, started);
        return -1;
    }
    return 0;
}

int bench_mem(int argc, char *argv[], FILE *json)
{
    int ks[MAX_K], nk = 0, rounds = 3, opt;
    const char *mib = "16";
    char memopt[32];
    double res_pg[MAX_K], res_rs[MAX_K], res_rd[MAX_K];
    FILE *pf = plot_file("mem.dat");

    while ((opt = getopt(argc, argv, "r:m:k:")) != -1) {
        if (opt == 'r')
            rounds = atoi(optarg);
        else if (opt == 'm')
            mib = optarg;
        else if (opt == 'k' && nk < MAX_K)
            ks[nk++] = atoi(optarg);
        else
            return 2;
    }
    if (argc - optind != 2 || nk == 0 || rounds < 1)
        return fprintf(stderr, "wisp-bench mem: expected -k K... WISP IDLE.wisp\n"), 2;
    snprintf(memopt, sizeof memopt, "--mem=%s", mib);
    char *cmd[] = {argv[optind], memopt, argv[optind + 1], NULL};

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    atexit(kill_group);
    raise_limit(RLIMIT_NOFILE, "open files", 64);
    raise_limit(RLIMIT_NPROC, "processes", (rlim_t)ks[nk - 1] + 64);

    printf("\nIdle guests (--mem=%s): host memory per guest (rise of MemTotal-MemAvailable / K), "
           "tender RSS, time until all printed READY (median of %d rounds)\n", mib, rounds);
    printf("%6s %16s %16s %14s\n", "K", "host MiB/guest", "tender RSS MiB", "all ready ms");
    fprintf(json, "  \"mem\": {\"mem_mib\": %s, \"rounds\": %d, \"idle\": [\n", mib, rounds);
    for (int i = 0; i < nk; i++) {
        double pg[16], rd[16], rs[16];
        int n = 0;

        for (int r = 0; r < rounds && r < 16; r++) {
            struct round o;

            fprintf(stderr, "wisp-bench mem: K=%d round %d\n", ks[i], r + 1);
            if (one_round(cmd, ks[i], &o))
                return 1;
            pg[n] = o.per_guest_kib / 1024;
            rd[n] = o.ready_ms;
            rs[n] = o.rss_kib / 1024;
            n++;
        }
        res_pg[i] = median_of(pg, (size_t)n);
        res_rs[i] = median_of(rs, (size_t)n);
        res_rd[i] = median_of(rd, (size_t)n);
        printf("%6d %16.3f %16.3f %14.0f\n", ks[i], median_of(pg, (size_t)n),
               median_of(rs, (size_t)n), median_of(rd, (size_t)n));
        fprintf(json, "    {\"k\": %d, \"host_mib_per_guest\": %.4f, \"tender_rss_mib\": %.4f, "
                      "\"all_ready_ms\": %.1f}%s\n", ks[i], median_of(pg, (size_t)n),
                median_of(rs, (size_t)n), median_of(rd, (size_t)n), i + 1 < nk ? "," : "");
    }
    fprintf(json, "  ]}");
    if (pf) {
        for (int i = 0; i < nk; i++)
            fprintf(pf, "%d %.4f %.4f %.1f\n", ks[i], res_pg[i], res_rs[i], res_rd[i]);
        fclose(pf);
    }
    return 0;
}
