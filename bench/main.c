/*
 * wisp-bench: boot latency, hypercall and page-fault cost, host memory.
 *
 *   wisp-bench -o FILE.json [-d PLOTDIR] SECTION ARGS... [:: SECTION ARGS...]...
 *
 * SECTION is boot or rss (boot.c), hcall (hcall.c) or mem (mem.c).  Each prints
 * its table on stdout; all write one JSON object to FILE.json, stamped with
 * the date, the machine, the kernel and the KVM kind; with -d, gnuplot data
 * files (boot_cdf.dat, split.dat, hcall.dat, mem.dat) go to PLOTDIR.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static const char *plot_dir;

FILE *plot_file(const char *name)
{
    char path[4096];
    FILE *f;

    if (!plot_dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", plot_dir, name);
    f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

int main(int argc, char *argv[])
{
    const char *out = NULL;
    FILE *json;
    int i = 1, rc = 0;

    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        out = argv[2];
        i = 3;
    }
    if (argc > i + 1 && strcmp(argv[i], "-d") == 0) {
        plot_dir = argv[i + 1];
        i += 2;
    }
    if (!out || i >= argc) {
        fprintf(stderr, "usage: wisp-bench -o FILE.json [-d PLOTDIR] {boot|rss|hcall|mem} ARGS... "
                        "[:: {boot|rss|hcall|mem} ARGS...]...\n");
        return 2;
    }
    json = fopen(out, "w");
    if (!json) {
        perror(out);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    stamp_print(stdout);
    fprintf(json, "{\n");
    stamp_json(json);
    while (i < argc && rc == 0) {
        int j = i;

        while (j < argc && strcmp(argv[j], "::") != 0)
            j++;
        argv[j < argc ? j : argc] = NULL; /* terminate this section's argv */
        fprintf(json, ",\n");
        optind = 1;
        if (strcmp(argv[i], "boot") == 0)
            rc = bench_boot(j - i, argv + i, json);
        else if (strcmp(argv[i], "hcall") == 0)
            rc = bench_hcall(j - i, argv + i, json);
        else if (strcmp(argv[i], "rss") == 0)
            rc = bench_rss(j - i, argv + i, json);
        else if (strcmp(argv[i], "mem") == 0)
            rc = bench_mem(j - i, argv + i, json);
        else {
            fprintf(stderr, "wisp-bench: unknown section %s\n", argv[i]);
            rc = 2;
        }
        i = j + 1;
    }
    fprintf(json, "\n}\n");
    fclose(json);
    return rc;
}
