/*
 * net.c: NET_BASIC devices of the process target, on a Linux tap opened
 * through /dev/net/tun (IFF_TAP | IFF_NO_PI, non-blocking) or passed in as
 * an open descriptor (@FD).  One frame per read(2)/write(2).
 */
#include "internal.h"
#include "sys.h"

#define TUNSETIFF 0x400454caul
#define TUNGETIFF 0x800454d2ul
#define SIOCGIFMTU 0x8921ul
#define IFF_TAP 0x0002
#define IFF_NO_PI 0x1000
#define IFNAMSIZ 16
#define AF_INET 2
#define SOCK_DGRAM 2
#define F_SETFL 4
#define F_GETFL 3

struct ifreq {
    char name[IFNAMSIZ];
    union {
        short flags;
        int mtu;
        char pad[24];
    } u;
};
_Static_assert(sizeof(struct ifreq) == 40, "ifreq size");

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int wp_parse_mac(const char *s, uint8_t mac[6])
{
    uint8_t m[6];

    if (wp_strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            return -1;
        m[i] = (uint8_t)(hi << 4 | lo);
    }
    if ((m[0] & 1) || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
        return -1;
    memcpy(mac, m, 6);
    return 0;
}

/* open_tap: the tap called (ifname), opened non-blocking; its name in ifr. */
static int open_tap(const char *arg, const char *ifname, struct ifreq *ifr)
{
    size_t n = wp_strlen(ifname);
    long fd, r;

    if (n == 0 || n >= IFNAMSIZ)
        wp_fail("%s: interface name '%s' is too long (at most %d characters)", arg, ifname,
                IFNAMSIZ - 1);
    fd = sys3(SYS_open, "/dev/net/tun", WP_O_RDWR | WP_O_NONBLOCK | WP_O_CLOEXEC, 0);
    if (fd < 0)
        wp_fail("%s: cannot open /dev/net/tun: %s", arg, wp_strerror(-fd));
    memset(ifr, 0, sizeof *ifr);
    memcpy(ifr->name, ifname, n);
    ifr->u.flags = IFF_TAP | IFF_NO_PI;
    r = sys3(SYS_ioctl, fd, TUNSETIFF, ifr);
    if (r < 0)
        wp_fail("%s: cannot attach %s: %s", arg, ifname, wp_strerror(-r));
    return (int)fd;
}

/* adopt_fd: "@N", an open tap descriptor; made non-blocking. */
static int adopt_fd(const char *arg, const char *v, struct ifreq *ifr)
{
    uint64_t n;
    long fl, r;

    if (wp_parse_u64(v + 1, &n) < 0 || n > 1u << 30)
        wp_fail("%s: '%s' is not a file descriptor number (expected @N)", arg, v + 1);
    if (n <= 2)
        wp_fail("%s: fd %d is a standard stream, not a tap", arg, (int)n);
    memset(ifr, 0, sizeof *ifr);
    r = sys3(SYS_ioctl, n, TUNGETIFF, ifr);
    if (r < 0)
        wp_fail("%s: fd %d is not a tap (TUNGETIFF: %s)", arg, (int)n, wp_strerror(-r));
    if ((ifr->u.flags & (IFF_TAP | IFF_NO_PI)) != (IFF_TAP | IFF_NO_PI))
        wp_fail("%s: fd %d must be a tap opened with IFF_NO_PI", arg, (int)n);
    fl = sys2(SYS_fcntl, n, F_GETFL);
    if (fl < 0 || sys3(SYS_fcntl, n, F_SETFL, fl | WP_O_NONBLOCK) < 0)
        wp_fail("%s: fd %d: cannot make it non-blocking", arg, (int)n);
    return (int)n;
}

void wp_net_attach(solo5_handle_t h, struct wp_device *d)
{
    struct ifreq ifr;
    long s, r;

    (void)h;
    d->fd = d->target[0] == '@' ? adopt_fd(d->attach_arg, d->target, &ifr)
                                : open_tap(d->attach_arg, d->target, &ifr);
    /* The guest sees the tap's MTU, as under wisp. */
    s = sys3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        wp_fail("%s: cannot open a socket to query the MTU: %s", d->attach_arg,
                wp_strerror(-s));
    ifr.u.mtu = 0;
    r = sys3(SYS_ioctl, s, SIOCGIFMTU, &ifr);
    sys1(SYS_close, s);
    if (r < 0 || ifr.u.mtu < 1 || ifr.u.mtu > 65535)
        wp_fail("%s: cannot read the MTU of %s", d->attach_arg, ifr.name);
    d->mtu = (uint16_t)ifr.u.mtu;
    if (!d->mac_arg) {
        if (sys3(SYS_getrandom, d->mac, 6, 0) != 6)
            wp_fail("%s: cannot get random bytes for a MAC address", d->attach_arg);
        d->mac[0] = (uint8_t)((d->mac[0] & 0xfe) | 0x02);
    }
}

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    solo5_handle_t h = wp_device_lookup(name, MFT_DEV_NET_BASIC);
    struct wp_device *d = wp_device_get(h, MFT_DEV_NET_BASIC);

    if (d == NULL || handle == NULL || info == NULL)
        return SOLO5_R_EUNSPEC;
    memcpy(info->mac_address, d->mac, 6);
    info->mtu = d->mtu;
    *handle = h;
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    struct wp_device *d = wp_device_get(handle, MFT_DEV_NET_BASIC);
    long r;

    if (d == NULL || size < SOLO5_NET_HLEN || size > (size_t)d->mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    do
        r = sys3(SYS_write, d->fd, buf, size);
    while (r == -WP_EINTR);
    if (r == -WP_EAGAIN)
        return SOLO5_R_AGAIN;
    return r == (long)size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    struct wp_device *d = wp_device_get(handle, MFT_DEV_NET_BASIC);
    long r;

    if (d == NULL || read_size == NULL || size < (size_t)d->mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    do
        r = sys3(SYS_read, d->fd, buf, size);
    while (r == -WP_EINTR);
    if (r == -WP_EAGAIN)
        return SOLO5_R_AGAIN;
    if (r < 0)
        return SOLO5_R_EUNSPEC;
    *read_size = (size_t)r;
    return SOLO5_R_OK;
}

/* The batched calls of <wisp.h>: here one system call per frame. */
static solo5_result_t batch(solo5_handle_t handle, struct wisp_net_buf *bufs, unsigned count,
                            unsigned *done, int write)
{
    unsigned i;

    if (wp_device_get(handle, MFT_DEV_NET_BASIC) == NULL || bufs == NULL || done == NULL ||
        count < 1 || count > WISP_NET_IO_MAX)
        return SOLO5_R_EINVAL;
    for (i = 0; i < count; i++) {
        uint8_t *p = (uint8_t *)(uintptr_t)bufs[i].data;
        size_t n = 0;
        solo5_result_t r = write ? solo5_net_write(handle, p, bufs[i].len)
                                 : solo5_net_read(handle, p, bufs[i].len, &n);

        bufs[i].ret = (int32_t)r;
        if (r != SOLO5_R_OK)
            break;
        if (!write)
            bufs[i].len = (uint32_t)n;
    }
    *done = i;
    return i > 0 ? SOLO5_R_OK : (solo5_result_t)bufs[0].ret;
}

solo5_result_t wisp_net_write_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                    unsigned count, unsigned *done)
{
    return batch(handle, bufs, count, done, 1);
}

solo5_result_t wisp_net_read_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                   unsigned count, unsigned *done)
{
    return batch(handle, bufs, count, done, 0);
}
