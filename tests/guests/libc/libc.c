/*
 * libc: the C library of wisp-cc --libc (newlib on guest-libc/).  The first
 * argument picks what to do (tests/e2e/libc.bats):
 *   (none) or "all"   every self-check below; prints "PASS name" per check
 *                     and "SUCCESS" at the end (exit 0), or "FAILURE: why"
 *   args ...          prints argc and each argv[i] as "argv[i]=<...>"
 *   exit N            returns N from main
 *   buffered-exit     printf without a newline, then returns 3
 *   buffered-abort    printf without a newline, then abort()
 *   assert            assert(argc == 0) fails
 *   entropy           prints 32 bytes of getentropy() in hex
 *   sleep MS          nanosleep for MS milliseconds, prints the measured time
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *detail)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAILURE: %s: %s\n", name, detail);
        failures++;
    }
}

static void check_format(void)
{
    char buf[128];

    snprintf(buf, sizeof buf, "%d|%5.2f|%e|%g|%x|%s|%lld|%zu", -42, 3.14159, 12345.678, 0.0001,
             0xbeef, "str", -1234567890123LL, (size_t)77);
    check(strcmp(buf, "-42| 3.14|1.234568e+04|0.0001|beef|str|-1234567890123|77") == 0,
          "snprintf", buf);
    printf("printf float: %.3f %.1e %g\n", 2.0 / 3.0, 6.02214076e23, sqrt(2.0));
    int n = snprintf(buf, 8, "%s", "truncated text");
    check(n == 14 && strcmp(buf, "truncat") == 0, "snprintf-truncation", buf);
}

static void check_strtod(void)
{
    char *end;
    double d = strtod("  -12.5e3xyz", &end);

    check(d == -12500.0 && strcmp(end, "xyz") == 0, "strtod", "bad value or end");
    check(strtol("0x1f", NULL, 16) == 31 && atoi("-77") == -77, "strtol", "bad value");
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

static void check_qsort(void)
{
    int v[1000];

    for (int i = 0; i < 1000; i++)
        v[i] = (i * 7919) % 1000;
    qsort(v, 1000, sizeof v[0], cmp_int);
    int sorted = 1;
    for (int i = 0; i < 1000; i++)
        sorted &= v[i] == i;
    check(sorted, "qsort", "not sorted");
}

/* malloc stress: 4000 rounds of malloc/realloc/free over 256 slots of
 * random sizes up to 64 KiB, each block filled and checked with a pattern. */
static void check_malloc(void)
{
    enum { SLOTS = 256, ROUNDS = 4000 };
    static unsigned char *slot[SLOTS];
    static size_t size[SLOTS];
    int ok = 1;

    for (int r = 0; r < ROUNDS && ok; r++) {
        int i = rand() % SLOTS;

        if (slot[i]) {
            for (size_t k = 0; k < size[i]; k++)
                if (slot[i][k] != (unsigned char)(i + k)) {
                    ok = 0;
                    break;
                }
        }
        size_t n = (size_t)(rand() % 65536) + 1;
        if (r % 3 == 0 && slot[i]) {
            unsigned char *p = realloc(slot[i], n);
            if (!p) {
                ok = 0;
                break;
            }
            size_t keep = n < size[i] ? n : size[i];
            for (size_t k = 0; k < keep; k++)
                if (p[k] != (unsigned char)(i + k))
                    ok = 0;
            slot[i] = p;
        } else {
            free(slot[i]);
            slot[i] = malloc(n);
            if (!slot[i]) {
                ok = 0;
                break;
            }
        }
        size[i] = n;
        for (size_t k = 0; k < n; k++)
            slot[i][k] = (unsigned char)(i + k);
    }
    for (int i = 0; i < SLOTS; i++)
        free(slot[i]);
    check(ok, "malloc-stress", "a block lost its contents or malloc failed");
    int *z = calloc(1000, sizeof *z);
    int zero = z != NULL;
    for (int i = 0; zero && i < 1000; i++)
        zero &= z[i] == 0;
    free(z);
    check(zero, "calloc", "not zeroed");
    errno = 0;
    void *huge = malloc((size_t)1 << 40);
    check(huge == NULL && errno == ENOMEM, "malloc-too-big", "1 TiB allocation did not fail with ENOMEM");
}

static void check_clocks(void)
{
    struct timespec a, b, r;
    struct timeval tv;

    check(clock_gettime(CLOCK_MONOTONIC, &a) == 0 && clock_gettime(CLOCK_MONOTONIC, &b) == 0 &&
              (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)),
          "clock-monotonic", "went backwards or failed");
    check(clock_gettime(CLOCK_REALTIME, &r) == 0 && r.tv_sec > 1577836800, "clock-realtime",
          "before 2020");
    check(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= r.tv_sec && tv.tv_sec - r.tv_sec < 5,
          "gettimeofday", "disagrees with CLOCK_REALTIME");
    time_t t = time(NULL);
    check(t >= r.tv_sec && t - r.tv_sec < 5, "time", "disagrees with CLOCK_REALTIME");
    errno = 0;
    check(clock_gettime((clockid_t)99, &a) == -1 && errno == EINVAL, "clock-bad-id", "no EINVAL");
    struct tm tm;
    check(gmtime_r(&t, &tm) != NULL && tm.tm_year >= 120, "gmtime", "year before 2020");
}

static void check_sleep(void)
{
    struct timespec a, b, req = { 0, 50 * 1000 * 1000 };

    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    check(rc == 0 && ns >= 50000000LL, "nanosleep", "returned early");
    req.tv_nsec = 2000000000L;
    errno = 0;
    check(nanosleep(&req, NULL) == -1 && errno == EINVAL, "nanosleep-einval", "no EINVAL");
}

static jmp_buf jb;

static void jump_back(int v)
{
    longjmp(jb, v);
}

static void check_setjmp(void)
{
    volatile int passes = 0;
    int v = setjmp(jb);

    passes++;
    if (v == 0)
        jump_back(7);
    check(v == 7 && passes == 2, "setjmp-longjmp", "wrong value or pass count");
}

static void check_enosys(void)
{
    errno = 0;
    check(fork() == -1 && errno == ENOSYS, "fork-enosys", "fork did not fail with ENOSYS");
    errno = 0;
    check(open("/etc/passwd", O_RDONLY) == -1 && errno == ENOSYS, "open-enosys",
          "open did not fail with ENOSYS");
    errno = 0;
    check(fopen("/etc/passwd", "r") == NULL && errno == ENOSYS, "fopen-enosys",
          "fopen did not fail with ENOSYS");
    errno = 0;
    check(unlink("/x") == -1 && errno == ENOSYS, "unlink-enosys", "no ENOSYS");
    check(getenv("PATH") == NULL && getenv("HOME") == NULL, "getenv-empty", "environment not empty");
}

static void check_entropy(void)
{
    unsigned char a[32], b[32], zero[32] = { 0 };

    check(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0 &&
              memcmp(a, b, sizeof a) != 0 && memcmp(a, zero, sizeof a) != 0,
          "getentropy", "constant or zero");
    errno = 0;
    check(getentropy(a, 257) == -1 && errno == EIO, "getentropy-too-long", "no EIO");
    uint32_t r1 = arc4random(), r2 = arc4random();
    check(r1 != r2, "arc4random", "two equal values in a row");
}

static void print_entropy(void)
{
    unsigned char a[32];
    uint32_t eax = 1, ebx, ecx, edx;

    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "c"(0));
    printf("cpuid rdrand=%u\n", (ecx >> 30) & 1);

    if (getentropy(a, sizeof a) != 0) {
        printf("FAILURE: getentropy\n");
        exit(1);
    }
    printf("entropy ");
    for (size_t i = 0; i < sizeof a; i++)
        printf("%02x", a[i]);
    printf(" rand %d\n", rand());
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";

    if (strcmp(mode, "args") == 0) {
        printf("argc=%d\n", argc);
        for (int i = 0; i < argc; i++)
            printf("argv[%d]=<%s>\n", i, argv[i]);
        return argv[argc] == NULL ? 0 : 1;
    }
    if (strcmp(mode, "exit") == 0 && argc > 2)
        return atoi(argv[2]);
    if (strcmp(mode, "buffered-exit") == 0) {
        printf("text without a newline before exit");
        return 3;
    }
    if (strcmp(mode, "buffered-abort") == 0) {
        printf("text without a newline before abort");
        abort();
    }
    if (strcmp(mode, "assert") == 0) {
        printf("before the assertion");
        assert(argc == 0);
        return 0;
    }
    if (strcmp(mode, "entropy") == 0) {
        print_entropy();
        return 0;
    }
    if (strcmp(mode, "sleep") == 0 && argc > 2) {
        struct timespec a, b, req = { atoi(argv[2]) / 1000, (atoi(argv[2]) % 1000) * 1000000L };
        clock_gettime(CLOCK_MONOTONIC, &a);
        nanosleep(&req, NULL);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("slept %lld ms\n",
               ((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec)) / 1000000);
        return 0;
    }
    check_format();
    check_strtod();
    check_qsort();
    check_malloc();
    check_clocks();
    check_sleep();
    check_setjmp();
    check_enosys();
    check_entropy();
    if (failures) {
        printf("FAILURE: %d checks failed\n", failures);
        return 1;
    }
    printf("SUCCESS\n");
    return 0;
}
