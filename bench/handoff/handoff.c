/*
 * handoff: what bounds a block request through wisp's shared ring on this
 * host, measured without a VM.  A request on the ring is a hand-off from
 * the vCPU thread to the I/O thread and back around one host I/O call, so
 * this times, per round trip (median of ROUNDS runs of N round trips):
 *   spin-2cpu    two threads on two CPUs, each spinning (pause) on a shared
 *                word for the other's answer: the ring's steady state when
 *                the vCPU and the I/O thread each have a CPU;
 *   yield-1cpu   the same on one CPU, each yielding (sched_yield) while it
 *                waits: what the spinning turns into when they share one;
 *   eventfd-2cpu / eventfd-1cpu  a blocking hand-off (write an eventfd, the
 *                other side wakes in read): an I/O thread that slept;
 * and per 4 KiB request at random blocks of FILE (page cache warm):
 *   pread, io_uring-read, pwrite, io_uring-write: the host I/O call the I/O
 *   thread makes (io_uring: one submission waited for, as ring_block.c);
 *   mmap-read: a memcpy from a MAP_SHARED read-only mapping of FILE (no
 *   syscall; the ring's reads, block_backend.c blk_map).
 * Prints "NAME ns_per_op" lines.  A program, not a test: nothing passes or
 * fails on a time.  Usage: handoff FILE [N] [CPU_A CPU_B]  (FILE: a
 * scratch image of at least 1 MiB, written to).  Built by bench/io.sh:
 *   cc -O2 -pthread -o build/bench/handoff bench/handoff/handoff.c -luring
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t s;

    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) < 0) {
        perror("handoff: sched_setaffinity");
        exit(1);
    }
}

/* start_on: a thread running fn(arg), placed on (cpu) from its start (a
 * thread that placed itself could never run under SCHED_FIFO beside a
 * spinning creator on the creator's CPU). */
static void start_on(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    cpu_set_t s;

    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    pthread_attr_init(&a);
    pthread_attr_setaffinity_np(&a, sizeof s, &s);
    if (pthread_create(t, &a, fn, arg)) {
        fprintf(stderr, "handoff: pthread_create failed\n");
        exit(1);
    }
    pthread_attr_destroy(&a);
}

enum mode { SPIN, YIELD, EVENTFD };

struct pair {
    enum mode mode;
    long n;
    int cpu_a, cpu_b;
    _Alignas(64) volatile uint64_t req;
    _Alignas(64) volatile uint64_t done;
    int efd_req, efd_done;
};

static void wait_for(struct pair *p, volatile uint64_t *w, uint64_t v, int efd)
{
    uint64_t x;

    if (p->mode == EVENTFD) {
        while (read(efd, &x, sizeof x) < 0 && errno == EINTR)
            ;
        return;
    }
    while (*w != v) {
        if (p->mode == YIELD)
            sched_yield();
        else
            __builtin_ia32_pause();
    }
}

static void signal_to(struct pair *p, volatile uint64_t *w, uint64_t v, int efd)
{
    uint64_t one = 1;

    __atomic_store_n(w, v, __ATOMIC_RELEASE);
    if (p->mode == EVENTFD)
        (void)!write(efd, &one, sizeof one);
}

/* server: the I/O thread's part: answer each request. */
static void *server(void *arg)
{
    struct pair *p = arg;

    for (uint64_t i = 1; i <= (uint64_t)p->n; i++) {
        wait_for(p, &p->req, i, p->efd_req);
        signal_to(p, &p->done, i, p->efd_done);
    }
    return NULL;
}

/* handoff_ns: ns per request/answer round trip between two threads. */
static double handoff_ns(enum mode mode, long n, int cpu_a, int cpu_b)
{
    struct pair *p = aligned_alloc(64, sizeof *p);
    pthread_t t;
    uint64_t t0, t1;

    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->n = n;
    p->cpu_a = cpu_a;
    p->cpu_b = cpu_b;
    p->efd_req = eventfd(0, 0);
    p->efd_done = eventfd(0, 0);
    pin(cpu_a);
    start_on(&t, cpu_b, server, p);
    t0 = now_ns();
    for (uint64_t i = 1; i <= (uint64_t)n; i++) {
        signal_to(p, &p->req, i, p->efd_req);
        wait_for(p, &p->done, i, p->efd_done);
    }
    t1 = now_ns();
    pthread_join(t, NULL);
    close(p->efd_req);
    close(p->efd_done);
    free(p);
    return (double)(t1 - t0) / (double)n;
}

enum io { PREAD, PWRITE, URING_READ, URING_WRITE, MMAP_READ };

/* io_ns: ns per 4 KiB request at pseudo-random blocks of fd (MMAP_READ:
 * a memcpy from map, a MAP_SHARED read-only mapping of the file). */
static double io_ns(int fd, uint64_t blocks, enum io kind, long n, struct io_uring *u,
                    const uint8_t *map)
{
    static uint8_t buf[4096] __attribute__((aligned(4096)));
    uint64_t x = 0x2545f4914f6cdd1dull, t0 = now_ns();

    for (long i = 0; i < n; i++) {
        off_t off;
        long r;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        off = (off_t)((x >> 33) % blocks) * 4096;
        if (kind == MMAP_READ) {
            memcpy(buf, map + off, sizeof buf);
            __asm__ volatile("" : : "r"(buf) : "memory");
            r = sizeof buf;
        } else if (kind == PREAD || kind == PWRITE) {
            r = kind == PREAD ? pread(fd, buf, sizeof buf, off) : pwrite(fd, buf, sizeof buf, off);
        } else {
            struct io_uring_sqe *sqe = io_uring_get_sqe(u);
            struct io_uring_cqe *cqe;

            if (kind == URING_READ)
                io_uring_prep_read(sqe, fd, buf, sizeof buf, (uint64_t)off);
            else
                io_uring_prep_write(sqe, fd, buf, sizeof buf, (uint64_t)off);
            io_uring_submit_and_wait(u, 1);
            io_uring_wait_cqe(u, &cqe);
            r = cqe->res;
            io_uring_cqe_seen(u, cqe);
        }
        if (r != (long)sizeof buf) {
            fprintf(stderr, "handoff: I/O failed (%ld)\n", r);
            exit(1);
        }
    }
    return (double)(now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v)
{
    qsort(v, ROUNDS, sizeof *v, cmp_double);
    return v[ROUNDS / 2];
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? atol(argv[2]) : 200000;
    int a = argc > 4 ? atoi(argv[3]) : 1, b = argc > 4 ? atoi(argv[4]) : 0;
    const char *names[] = {"pread", "pwrite", "io_uring-read", "io_uring-write",
                           "mmap-read"};
    struct io_uring u;
    uint8_t *map;
    struct stat st;
    double v[ROUNDS];
    int fd;

    if (argc < 2 || n <= 0) {
        fprintf(stderr, "usage: handoff FILE [N] [CPU_A CPU_B]\n");
        return 2;
    }
    fd = open(argv[1], O_RDWR);
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < (1 << 20)) {
        fprintf(stderr, "handoff: %s: need a writable file of at least 1 MiB\n", argv[1]);
        return 2;
    }
    if (io_uring_queue_init(4, &u, 0) < 0) {
        fprintf(stderr, "handoff: io_uring_queue_init failed\n");
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++)
        v[r] = handoff_ns(SPIN, n, a, b);
    printf("spin-2cpu %.0f\n", median(v));
    for (int r = 0; r < ROUNDS; r++)
        v[r] = handoff_ns(YIELD, n / 10, a, a);
    printf("yield-1cpu %.0f\n", median(v));
    for (int r = 0; r < ROUNDS; r++)
        v[r] = handoff_ns(EVENTFD, n / 10, a, b);
    printf("eventfd-2cpu %.0f\n", median(v));
    for (int r = 0; r < ROUNDS; r++)
        v[r] = handoff_ns(EVENTFD, n / 10, a, a);
    printf("eventfd-1cpu %.0f\n", median(v));
    pin(b);
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        perror("handoff: mmap");
        return 1;
    }
    io_ns(fd, (uint64_t)st.st_size / 4096, PREAD, (long)st.st_size / 4096, &u, map); /* warm */
    for (int k = PREAD; k <= MMAP_READ; k++) {
        for (int r = 0; r < ROUNDS; r++)
            v[r] = io_ns(fd, (uint64_t)st.st_size / 4096, (enum io)k, n / 4, &u, map);
        printf("%s %.0f\n", names[k], median(v));
    }
    io_uring_queue_exit(&u);
    return 0;
}
