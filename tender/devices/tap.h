/*
 * The host side of a guest NIC on Linux: attaching a tap interface (by name
 * or as an already-open fd) and Ethernet (MAC) addresses.  No VM state here:
 * every function reports errors as text in the caller's buffer, so the net
 * module can prefix them with the option that caused them, and the unit
 * tests can call them directly.
 */
#ifndef WISP_TAP_H
#define WISP_TAP_H

#include <stddef.h>
#include <stdint.h>

#define TAP_ERR_MAX 256

/* What tap_attach / tap_attach_fd report about an attached tap. */
struct tap_info {
    int fd;       /* non-blocking, close-on-exec, IFF_TAP | IFF_NO_PI */
    unsigned mtu; /* the interface's MTU (payload bytes, no Ethernet header) */
};

/*
 * tap_attach: open the existing tap interface (ifname).  The interface MUST
 * exist (it is never created: a missing one is an error, not a new tap),
 * MUST be up (IFF_UP) and MUST be a tap; (ifname) MUST be shorter than
 * IFNAMSIZ.  Opens /dev/net/tun with IFF_TAP | IFF_NO_PI, O_NONBLOCK and
 * O_CLOEXEC and reads the MTU with SIOCGIFMTU.  The fd is then checked to
 * be attached to the interface that was checked (same ifindex): one that
 * vanished in between is an error, never a new unconnected tap.  Returns 0 and fills *out, or
 * -1 with a message in err[TAP_ERR_MAX] (e.g. "no such interface tap9").
 */
int tap_attach(const char *ifname, struct tap_info *out, char *err);

/*
 * tap_attach_fd: use the already-open tap fd (fd) (the "@FD" form).  The fd
 * MUST be a tun/tap fd attached to a tap interface (TUNGETIFF) without a
 * packet-information or vnet header (IFF_NO_PI, no IFF_VNET_HDR).  Makes it
 * non-blocking and close-on-exec and reads the MTU of its interface.  Takes
 * ownership of (fd) on success only.  Returns 0 or -1 with a message.
 */
int tap_attach_fd(int fd, struct tap_info *out, char *err);

/*
 * mac_parse: parse (s), which MUST be exactly six two-digit hex octets
 * separated by ':' ("02:00:5e:10:00:01", either case), into mac[6].  A
 * multicast/broadcast address (low bit of the first octet set) or the
 * all-zero address is refused: a NIC needs a unicast address.  Returns 0, or
 * -1 with a message in err[TAP_ERR_MAX] saying what is wrong.
 */
int mac_parse(const char *s, uint8_t mac[6], char *err);

/*
 * mac_random: a random locally administered unicast address (getrandom):
 * first octet has bit 1 set and bit 0 clear.  Returns 0, or -1 with a
 * message if the kernel gives no random bytes.
 */
int mac_random(uint8_t mac[6], char *err);

/* mac_format: "xx:xx:xx:xx:xx:xx" (lower case) into buf[18]. */
void mac_format(const uint8_t mac[6], char buf[18]);

#endif /* WISP_TAP_H */
