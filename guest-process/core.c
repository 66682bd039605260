/*
 * core.c: the services every unikernel has, on system calls: console to
 * stdout (unbuffered: nothing is lost when the program ends), clocks from
 * clock_gettime, solo5_yield as one ppoll over the attached network
 * devices, exit and abort, and the TLS base through arch_prctl (the
 * program has no C library of the host's that could own FS).
 */
#include "internal.h"
#include "sys.h"

void solo5_console_write(const char *buf, size_t size)
{
    while (size > 0) {
        long r = sys3(SYS_write, 1, buf, size);

        if (r == -WP_EINTR)
            continue;
        if (r <= 0)
            return; /* stdout gone: the output is dropped, as a console's */
        buf += r;
        size -= (size_t)r;
    }
}

static solo5_time_t clock_ns(int clock)
{
    struct wp_timespec ts;

    sys2(SYS_clock_gettime, clock, &ts);
    return (solo5_time_t)ts.tv_sec * 1000000000ull + (solo5_time_t)ts.tv_nsec;
}

solo5_time_t solo5_clock_monotonic(void)
{
    return clock_ns(WP_CLOCK_MONOTONIC);
}

solo5_time_t solo5_clock_wall(void)
{
    return clock_ns(WP_CLOCK_REALTIME);
}

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct wp_pollfd fds[MFT_MAX_ENTRIES + 1];
    solo5_handle_t handle[MFT_MAX_ENTRIES + 1];
    struct wp_timespec ts = { 0, 0 };
    solo5_time_t now = solo5_clock_monotonic();
    solo5_handle_set_t ready = 0;
    int n = 0;
    long r;

    for (uint32_t h = 1; h < wp_mft->entries; h++) {
        if (wp_device_get(h, MFT_DEV_NET_BASIC) == NULL)
            continue;
        fds[n].fd = wp_dev[h].fd;
        fds[n].events = WP_POLLIN;
        fds[n].revents = 0;
        handle[n++] = h;
    }
    if (wp_input_fd >= 0) {
        fds[n].fd = wp_input_fd;
        fds[n].events = WP_POLLIN;
        fds[n].revents = 0;
        handle[n++] = WISP_INPUT_HANDLE;
    }
    if (deadline > now) {
        ts.tv_sec = (long)((deadline - now) / 1000000000ull);
        ts.tv_nsec = (long)((deadline - now) % 1000000000ull);
    }
    r = sys4(SYS_ppoll, n ? fds : NULL, n, &ts, NULL);
    for (int i = 0; r > 0 && i < n; i++)
        if (fds[i].revents & (WP_POLLIN | WP_POLLHUP))
            ready |= 1ull << handle[i];
    if (ready_set != NULL)
        *ready_set = ready;
}

void solo5_exit(int status)
{
    for (;;)
        sys1(SYS_exit_group, status & 0xff);
}

void wg_abort_msg(const char *msg, size_t len)
{
    char line[600];

    if (len > 512)
        len = 512;
    wp_format(line, sizeof line, "wisp: guest aborted%s", len ? ": " : "");
    size_t n = wp_strlen(line);
    memcpy(line + n, msg, len);
    n += len;
    line[n++] = '\n';
    sys3(SYS_write, 2, line, n);
    for (;;)
        sys1(SYS_exit_group, WP_EXIT_ABORT);
}

void solo5_abort(void)
{
    wg_abort_msg("", 0);
}

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    return sys2(SYS_arch_prctl, WP_ARCH_SET_FS, base) == 0 ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

/* No boot information block exists outside a VM. */
const struct wisp_boot_info *wisp_boot_info(void)
{
    return NULL;
}
