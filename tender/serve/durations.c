/* Connection durations for --stats (serve.h). */
#include <stdlib.h>

#include "serve/serve.h"

void durations_add(struct durations *d, double ms)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 1024;
        double *v = realloc(d->ms, cap * sizeof *v);

        if (!v)
            return; /* the figure is lost, the server goes on */
        d->ms = v;
        d->cap = cap;
    }
    d->ms[d->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void durations_percentiles(struct durations *d, double *p50, double *p99)
{
    *p50 = *p99 = 0;
    if (!d->n)
        return;
    qsort(d->ms, d->n, sizeof *d->ms, cmp_double);
    *p50 = d->ms[(d->n - 1) / 2];
    *p99 = d->ms[(size_t)((double)(d->n - 1) * 0.99)];
}
