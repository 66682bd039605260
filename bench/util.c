/*
 * util.c: statistics, the machine stamp, process spawning for wisp-bench.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* pct: nearest-rank percentile of sorted (v). */
static double pct(const double *v, size_t n, double p)
{
    size_t r = (size_t)(p / 100.0 * (double)n + 0.999999);

    if (r < 1)
        r = 1;
    if (r > n)
        r = n;
    return v[r - 1];
}

struct stats stats_of(double *v, size_t n)
{
    struct stats s = {0};
    double sum = 0;

    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_double);
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s.n = n;
    s.min = v[0];
    s.max = v[n - 1];
    s.mean = sum / (double)n;
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.p90 = pct(v, n, 90);
    s.p99 = pct(v, n, 99);
    return s;
}

double median_of(double *v, size_t n)
{
    return stats_of(v, n).median;
}

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *kvm_kind(void)
{
    if (access("/sys/module/kvm_pvm", F_OK) == 0)
        return "kvm_pvm";
    if (access("/sys/module/kvm_amd", F_OK) == 0)
        return "kvm_amd (hardware)";
    if (access("/sys/module/kvm_intel", F_OK) == 0)
        return "kvm_intel (hardware)";
    return "unknown";
}

static void cpu_model(char *buf, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(buf, cap, "unknown");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');

        if (strncmp(line, "model name", 10) == 0 && c) {
            c += 2;
            c[strcspn(c, "\n")] = '\0';
            snprintf(buf, cap, "%s", c);
            break;
        }
    }
    fclose(f);
}

static void date_utc(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void commit(char *buf, size_t cap)
{
    FILE *p = popen("git rev-parse --short HEAD 2>/dev/null", "r");

    snprintf(buf, cap, "unknown");
    if (p) {
        if (fgets(buf, (int)cap, p))
            buf[strcspn(buf, "\n")] = '\0';
        pclose(p);
    }
}

void stamp_json(FILE *f)
{
    char cpu[256], date[64], rev[64];
    struct utsname u;

    cpu_model(cpu, sizeof cpu);
    date_utc(date, sizeof date);
    commit(rev, sizeof rev);
    uname(&u);
    fprintf(f, "  \"stamp\": {\"date\": \"%s\", \"nproc\": %ld, \"cpu\": \"%s\", "
               "\"kernel\": \"%s\", \"kvm\": \"%s\", \"wisp_commit\": \"%s\"}",
            date, sysconf(_SC_NPROCESSORS_ONLN), cpu, u.release, kvm_kind(), rev);
}

void stamp_print(FILE *f)
{
    char cpu[256], date[64], rev[64];
    struct utsname u;

    cpu_model(cpu, sizeof cpu);
    date_utc(date, sizeof date);
    commit(rev, sizeof rev);
    uname(&u);
    fprintf(f, "# %s  nproc=%ld  cpu=\"%s\"  kernel=%s  kvm=%s  wisp=%s\n", date,
            sysconf(_SC_NPROCESSORS_ONLN), cpu, u.release, kvm_kind(), rev);
}

pid_t spawn(char *const argv[], int out_fd, int err_fd, pid_t pgid)
{
    return spawn_env(argv, NULL, out_fd, err_fd, pgid);
}

pid_t spawn_env(char *const argv[], char *const env[], int out_fd, int err_fd, pid_t pgid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    pid_t pid;
    int r;

    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (err_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    else
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_setpgroup(&at, pgid);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    r = posix_spawn(&pid, argv[0], &fa, &at, argv, env ? env : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (r) {
        fprintf(stderr, "wisp-bench: cannot start %s: %s\n", argv[0], strerror(r));
        return -1;
    }
    return pid;
}

int split_cmd(char *s, char *argv[], char ***env)
{
    size_t ne = 0, nenv = 0;
    int n = 0;

    while (environ[ne])
        ne++;
    *env = NULL;
    for (char *w = strtok(s, " "); w && n < BENCH_MAX_ARGS - 1; w = strtok(NULL, " ")) {
        if (n == 0 && w[0] == '@' && strchr(w, '=')) {
            if (!*env) {
                *env = calloc(ne + BENCH_MAX_ARGS + 1, sizeof **env);
                memcpy(*env, environ, ne * sizeof **env);
                nenv = ne;
            }
            (*env)[nenv++] = w + 1;
            continue;
        }
        argv[n++] = w;
    }
    argv[n] = NULL;
    return n;
}

size_t read_fd_all(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    ssize_t r;

    lseek(fd, 0, SEEK_SET);
    while (got + 1 < cap && (r = read(fd, buf + got, cap - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    if (ftruncate(fd, 0) < 0)
        perror("wisp-bench: ftruncate");
    lseek(fd, 0, SEEK_SET);
    return got;
}
