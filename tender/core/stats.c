/*
 * --stats: the run's counters as one JSON object (wisp.h, wisp_stats_json):
 *   {"exits": {"total": N, KIND: {"count": N, "ns": T}, ...},
 *    "hypercalls": {NR: {"name": S, "count": N, "ns": T}, ...},
 *    "poll": {"count": N, "blocked_ns": T},
 *    "devices": [{"handle": H, "name": S, "type": S, "ring": B, COUNTER: N, ...}],
 *    "boot_ns": {EVENT: NS since main, ...}, "status": N}
 * Times are nanoseconds; they are measured only when --stats is given (a
 * clock read around each exit and hypercall), counts always.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/vm.h"
#include "devices/device.h"

const char *wisp_exit_kind_name(enum wisp_exit_kind k)
{
    static const char *const names[WISP_XK_MAX] = {
        [WISP_XK_HYPERCALL] = "hypercall", [WISP_XK_KICK] = "kick", [WISP_XK_IO] = "io",
        [WISP_XK_MMIO] = "mmio", [WISP_XK_SHUTDOWN] = "shutdown", [WISP_XK_INTR] = "interrupted",
        [WISP_XK_OTHER] = "other",
    };
    return (unsigned)k < WISP_XK_MAX && names[k] ? names[k] : "?";
}

static const char *hypercall_name(unsigned nr)
{
    switch (nr) {
    case WISP_HC_PUTS: return "puts";
    case WISP_HC_POLL: return "poll";
    case WISP_HC_EXIT: return "exit";
    case WISP_HC_ABORT: return "abort";
    case WISP_HC_WALLTIME: return "walltime";
    case WISP_HC_NET_WRITE: return "net_write";
    case WISP_HC_NET_READ: return "net_read";
    case WISP_HC_NET_RING: return "net_ring";
    case WISP_HC_BLOCK_READ: return "block_read";
    case WISP_HC_BLOCK_WRITE: return "block_write";
    case WISP_HC_BLOCK_FLUSH: return "block_flush";
    case WISP_HC_BLOCK_RING: return "block_ring";
    default: return "other";
    }
}

/* A bounded text buffer: the JSON is built in memory, written once. */
struct out {
    char buf[65536];
    size_t len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->len >= sizeof o->buf)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static void put_device(struct out *o, unsigned h, const struct wisp_dev_stats *d, int first)
{
    const char *name = d->name;

    put(o, "%s\n    {\"handle\": %u, \"name\": \"", first ? "" : ",", h);
    for (; *name; name++)
        put(o, (*name == '"' || *name == '\\') ? "\\%c" : "%c", *name);
    put(o, "\", \"type\": \"%s\", \"ring\": %s", device_type_name(d->type),
        d->ring ? "true" : "false");
#define C(f) put(o, ", \"" #f "\": %llu", (unsigned long long)d->f)
    if (d->type == MFT_DEV_NET_BASIC) {
        C(tx_packets); C(tx_bytes); C(rx_packets); C(rx_bytes); C(tx_errors); C(rx_dropped);
    } else {
        C(reads); C(writes); C(flushes); C(read_bytes); C(write_bytes); C(io_errors);
    }
    C(ring_requests); C(ring_refused); C(ring_kicks); C(ring_notifies); C(ring_sleeps);
    C(ring_busy_ns);
#undef C
    put(o, "}");
}

int wisp_stats_json(int fd, const struct wisp_config *cfg, const struct wisp_result *res)
{
    static struct out o;
    const struct wisp_stats *s = &res->stats;
    int first = 1;
    size_t done = 0;

    (void)cfg;
    o.len = 0;
    put(&o, "{\n  \"status\": %d,\n  \"exits\": {\"total\": %llu", res->status,
        (unsigned long long)res->exits);
    for (int k = 0; k < WISP_XK_MAX; k++)
        put(&o, ", \"%s\": {\"count\": %llu, \"ns\": %llu}", wisp_exit_kind_name(k),
            (unsigned long long)s->exit_count[k], (unsigned long long)s->exit_ns[k]);
    put(&o, "},\n  \"hypercalls\": {");
    for (unsigned nr = 0; nr < WISP_HC_MAX; nr++) {
        if (!s->hc_count[nr])
            continue;
        put(&o, "%s\"%u\": {\"name\": \"%s\", \"count\": %llu, \"ns\": %llu}", first ? "" : ", ",
            nr, hypercall_name(nr), (unsigned long long)s->hc_count[nr],
            (unsigned long long)s->hc_ns[nr]);
        first = 0;
    }
    put(&o, "},\n  \"poll\": {\"count\": %llu, \"blocked_ns\": %llu},\n  \"devices\": [",
        (unsigned long long)s->poll_count, (unsigned long long)s->poll_blocked_ns);
    first = 1;
    for (unsigned h = 1; h < s->ndev && h < sizeof s->dev / sizeof s->dev[0]; h++) {
        if (!s->dev[h].type)
            continue;
        put_device(&o, h, &s->dev[h], first);
        first = 0;
    }
    put(&o, "\n  ],\n  \"boot_ns\": {");
    first = 1;
    for (int ev = 0; ev < WISP_EV_MAX; ev++) {
        if (!res->events[ev] || res->events[ev] < res->events[WISP_EV_MAIN])
            continue;
        put(&o, "%s\"%s\": %llu", first ? "" : ", ", wisp_event_name(ev),
            (unsigned long long)(res->events[ev] - res->events[WISP_EV_MAIN]));
        first = 0;
    }
    put(&o, "}\n}\n");
    if (o.len > sizeof o.buf)
        o.len = sizeof o.buf;
    while (done < o.len) {
        ssize_t w = write(fd, o.buf + done, o.len - done);

        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}
