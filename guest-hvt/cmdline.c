/*
 * cmdline.c: Solo5's guest command-line options.  Leading tokens
 * --solo5:quiet, --solo5:error, --solo5:warn, --solo5:info and
 * --solo5:debug set the log level and are removed; the application sees
 * the rest.  wisp's own --solo5:noring (also removed) keeps the network on
 * the NET_* hypercalls when the tender offers the ring (net.c): a switch
 * for tests, which then exercise what a guest predating the ring does;
 * --solo5:ringext adds wisp's POLL reads to the ring
 * (include/wisp/hvt_ring_ext.h); without it the ring is used as Solo5's
 * own bindings use it.  The
 * first token that is not one of these ends the options.
 * The command line lives in read-only memory, so the result is a pointer
 * into it, not a copy.
 */
#include "internal.h"

int hg_log_level = HG_LOG_INFO;

static const struct {
    const char *token;
    int level;
} options[] = {
    { "--solo5:quiet", HG_LOG_ERROR }, /* as Solo5: ABORT and trap lines still print */
    { "--solo5:error", HG_LOG_ERROR },
    { "--solo5:warn", HG_LOG_WARN },
    { "--solo5:info", HG_LOG_INFO },
    { "--solo5:debug", HG_LOG_DEBUG },
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* match: if (p) starts with the whole token (tok), return its end, else NULL. */
static const char *match(const char *p, const char *tok)
{
    for (; *tok != '\0'; p++, tok++)
        if (*p != *tok)
            return NULL;
    return (*p == '\0' || is_space(*p)) ? p : NULL;
}

const char *hg_cmdline_parse(const char *p)
{
    const char *after;
    size_t i;

    while (is_space(*p))
        p++;
    while (p[0] == '-' && p[1] == '-') {
        for (i = 0; i < sizeof options / sizeof options[0]; i++)
            if ((after = match(p, options[i].token)) != NULL)
                break;
        if (i == sizeof options / sizeof options[0]) {
            if ((after = match(p, "--solo5:noring")) != NULL)
                hg_net_noring = 1;
            else if ((after = match(p, "--solo5:ringext")) != NULL)
                hg_net_ringext = 1;
            else
                break;
        } else {
            hg_log_level = options[i].level;
        }
        for (p = after; is_space(*p); p++)
            ;
    }
    return p;
}
