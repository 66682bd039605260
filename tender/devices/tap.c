/*
 * Linux tap attachment and MAC addresses (see tap.h).  Everything here runs
 * before the seccomp filter is installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/tap.h"

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, TAP_ERR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

/* if_query: flags, index and kind of interface (name) through a
 * throw-away socket: *is_tap is set if the driver is "tun" in tap mode,
 * and only then is *mtu read. */
static int if_query(const char *name, short *flags, int *ifindex, unsigned *mtu, int *is_tap,
                    char *err)
{
    struct ifreq ifr;
    struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (s < 0)
        return fail(err, "cannot open a socket to query %s: %s", name, strerror(errno));
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
        int e = errno;

        close(s);
        if (e == ENODEV)
            return fail(err, "no such interface %s", name);
        return fail(err, "cannot query interface %s: %s", name, strerror(e));
    }
    *flags = ifr.ifr_flags;
    if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
        int e = errno;

        close(s);
        return fail(err, "cannot query interface %s: %s", name, strerror(e));
    }
    *ifindex = ifr.ifr_ifindex;
    ifr.ifr_data = (char *)&drv;
    /* The tun driver answers "tun" with bus_info "tap" (or "tun"). */
    *is_tap = ioctl(s, SIOCETHTOOL, &ifr) == 0 && strcmp(drv.driver, "tun") == 0 &&
              strcmp(drv.bus_info, "tap") == 0;
    if (!*is_tap) {
        close(s);
        return 0;
    }
    if (ioctl(s, SIOCGIFMTU, &ifr) < 0) {
        int e = errno;

        close(s);
        return fail(err, "cannot read the MTU of %s: %s", name, strerror(e));
    }
    if (ifr.ifr_mtu <= 0 || ifr.ifr_mtu > 0xffff) {
        close(s);
        return fail(err, "%s has an MTU of %d, outside 1..65535", name, ifr.ifr_mtu);
    }
    *mtu = (unsigned)ifr.ifr_mtu;
    close(s);
    return 0;
}

/* attached_ifindex: the index of the interface tun/tap fd (fd) is
 * attached to (TUNGETIFF gives its name), or 0. */
static int attached_ifindex(int fd)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) < 0)
        return 0;
    ifr.ifr_name[IFNAMSIZ - 1] = '\0';
    return (int)if_nametoindex(ifr.ifr_name);
}

int tap_attach(const char *ifname, struct tap_info *out, char *err)
{
    struct ifreq ifr;
    short flags;
    unsigned mtu;
    int is_tap, fd, ifindex;

    if (ifname[0] == '\0' || strlen(ifname) >= IFNAMSIZ)
        return fail(err, "interface name '%s' is %s (at most %d characters)", ifname,
                    ifname[0] ? "too long" : "empty", IFNAMSIZ - 1);
    /* Check first: TUNSETIFF on a name that does not exist would create a
     * new tap, and an unconnected tap is a silent black hole. */
    if (if_query(ifname, &flags, &ifindex, &mtu, &is_tap, err))
        return -1;
    if (!is_tap)
        return fail(err, "%s is not a tap interface", ifname);
    if (!(flags & IFF_UP))
        return fail(err, "interface %s is down (bring it up: ip link set %s up)", ifname,
                    ifname);
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(err, "cannot open /dev/net/tun: %s", strerror(errno));
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;

        close(fd);
        if (e == EBUSY)
            return fail(err, "%s is already attached to another process", ifname);
        if (e == EINVAL)
            return fail(err, "cannot attach %s: not a single-queue tap (%s)", ifname,
                        strerror(e));
        return fail(err, "cannot attach %s: %s", ifname, strerror(e));
    }
    /* Had the interface gone between the check and TUNSETIFF, TUNSETIFF
     * made a new one of that name: the fd must be on the one checked.
     * (Closing the fd removes such a new, non-persistent tap.) */
    if (attached_ifindex(fd) != ifindex) {
        close(fd);
        return fail(err, "interface %s disappeared while being attached (a new tap of "
                    "that name would be connected to nothing): not attached", ifname);
    }
    out->fd = fd;
    out->mtu = mtu;
    return 0;
}

int tap_attach_fd(int fd, struct tap_info *out, char *err)
{
    struct ifreq ifr;
    short flags;
    int fl, is_tap, ifindex;

    if (fd <= 2)
        return fail(err, "fd %d is a standard stream, not a tap", fd);
    fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return fail(err, "fd %d is not open", fd);
    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) < 0)
        return fail(err, "fd %d is not a tap (TUNGETIFF: %s)", fd, strerror(errno));
    if (!(ifr.ifr_flags & IFF_TAP))
        return fail(err, "fd %d is a tun (layer 3) device, not a tap", fd);
    if (!(ifr.ifr_flags & IFF_NO_PI) || (ifr.ifr_flags & IFF_VNET_HDR))
        return fail(err, "fd %d: the tap must be opened with IFF_NO_PI and without "
                    "IFF_VNET_HDR", fd);
    ifr.ifr_name[IFNAMSIZ - 1] = '\0';
    if (if_query(ifr.ifr_name, &flags, &ifindex, &out->mtu, &is_tap, err))
        return -1;
    if (!is_tap)
        return fail(err, "fd %d: interface %s is not a tap", fd, ifr.ifr_name);
    if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return fail(err, "fd %d: cannot make it non-blocking: %s", fd, strerror(errno));
    out->fd = fd;
    return 0;
}

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

int mac_parse(const char *s, uint8_t mac[6], char *err)
{
    uint8_t m[6];

    if (strlen(s) != 17)
        goto bad;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            goto bad;
        m[i] = (uint8_t)(hi << 4 | lo);
    }
    if (m[0] & 1)
        return fail(err, "'%s' is a multicast address; a NIC needs a unicast MAC "
                    "(first octet even)", s);
    if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
        return fail(err, "'%s' is not a usable address", s);
    memcpy(mac, m, 6);
    return 0;
bad:
    return fail(err, "'%s' is not a MAC address (expected xx:xx:xx:xx:xx:xx, hex)", s);
}

int mac_random(uint8_t mac[6], char *err)
{
    if (getrandom(mac, 6, 0) != 6)
        return fail(err, "cannot get random bytes for a MAC address: %s", strerror(errno));
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
    return 0;
}

void mac_format(const uint8_t mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
}
