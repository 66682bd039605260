/*
 * wisp-bench: shared declarations of the benchmark program (the .c files in bench/).
 * Benchmarks are programs, not tests: they print data series and compare
 * against a baseline measured in the same run (ARCHITECTURE.md).
 */
#ifndef WISP_BENCH_H
#define WISP_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define BENCH_MAX_CMDS 8
#define BENCH_MAX_ARGS 16

struct stats {
    double median, p90, p99, min, max, mean;
    size_t n;
};

/* stats_of: order statistics of (n) values (sorted in place). */
struct stats stats_of(double *v, size_t n);
double median_of(double *v, size_t n);

/* now_ns: CLOCK_MONOTONIC, the clock wisp's --timings events use. */
uint64_t now_ns(void);

/* stamp_json: the "stamp" object (date, nproc, CPU model, kernel, KVM
 * kind, wisp commit) written to (f); stamp_line: the same on one line. */
void stamp_json(FILE *f);
void stamp_print(FILE *f);
const char *kvm_kind(void);

/* spawn: start argv[0] with stdout on (out_fd) and stderr on (err_fd)
 * (-1: /dev/null), in process group (pgid) (0: its own).  Returns the pid
 * or -1 with a message on stderr. */
pid_t spawn(char *const argv[], int out_fd, int err_fd, pid_t pgid);
/* spawn_env: the same with (env) as the environment (NULL: inherited). */
pid_t spawn_env(char *const argv[], char *const env[], int out_fd, int err_fd, pid_t pgid);

/* split_cmd: split (s) on spaces into at most BENCH_MAX_ARGS-1 words in
 * (argv), NULL-terminated; leading words "@NAME=VALUE" go to (env) instead
 * (added to a copy of the environment, NULL-terminated).  (s) is modified. */
int split_cmd(char *s, char *argv[], char ***env);

/* read_fd_all: the contents of a memfd/tmpfile from offset 0, truncated
 * afterwards; NUL-terminated, at most (cap)-1 bytes. */
size_t read_fd_all(int fd, char *buf, size_t cap);

/* plot_file: DIR/NAME for writing gnuplot data (main's -d DIR), or NULL
 * when no directory was given. */
FILE *plot_file(const char *name);

/* The benchmarks.  Each prints its table on stdout and writes its JSON
 * member ("name": {...}) to (json). */
int bench_boot(int argc, char *argv[], FILE *json);
int bench_hcall(int argc, char *argv[], FILE *json);
int bench_mem(int argc, char *argv[], FILE *json);
int bench_rss(int argc, char *argv[], FILE *json);

#endif /* WISP_BENCH_H */
