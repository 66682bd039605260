/*
 * Networking without CNI support in the unikernel: when the container's
 * network namespace holds exactly one interface with an IPv4 address (what
 * a CNI plugin, or a veth prepared by hand, leaves) and the unikernel
 * declares a NET_BASIC device, create the tap OCI_TAP in that namespace,
 * redirect every frame between tap and interface with tc (ingress qdisc,
 * u32 match-all, mirred egress redirect: urunc's method), give the guest
 * the interface's MAC, and pass --ipv4=ADDR/PREFIX and --ipv4-gateway=GW
 * on its command line.  Frames for the interface never reach the
 * namespace's own IP stack.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/elf.h"
#include "oci/oci.h"

#define OCI_TAP "wisptap0"

/* the_interface: the one non-loopback interface with an IPv4 address. */
static int the_interface(char *name, struct in_addr *addr, unsigned *prefix)
{
    struct ifaddrs *ifs, *i;
    int n = 0;

    if (getifaddrs(&ifs) < 0)
        return 0;
    for (i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK) ||
            strcmp(i->ifa_name, OCI_TAP) == 0)
            continue;
        if (n++ == 0) {
            snprintf(name, IFNAMSIZ, "%s", i->ifa_name);
            *addr = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
            *prefix = (unsigned)__builtin_popcount(
                ((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr.s_addr);
        }
    }
    freeifaddrs(ifs);
    return n == 1;
}

/* default_gateway: from /proc/net/route, for IFNAME; 0 if none. */
static int default_gateway(const char *ifname, struct in_addr *gw)
{
    char line[256], dev[IFNAMSIZ + 1];
    unsigned dest, gate;
    FILE *f = fopen("/proc/net/route", "re");
    int found = 0;

    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%16s %x %x", dev, &dest, &gate) == 3 && dest == 0 && gate &&
            strcmp(dev, ifname) == 0) {
            gw->s_addr = gate;
            found = 1;
        }
    fclose(f);
    return found;
}

/* first_net_device: the name of the unikernel's first NET_BASIC device. */
static int first_net_device(const char *kernel, char *name, size_t len)
{
    static struct elf_image img;
    char err[ELF_ERR_MAX];
    struct stat st;
    uint8_t *file;
    int found = 0, fd = open(kernel, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (file == MAP_FAILED)
        return 0;
    /* An invalid image is reported by wisp_run itself, later. */
    if (elf_parse(kernel, file, (size_t)st.st_size, &img, err) == 0 && img.mft)
        for (uint32_t k = 0; k < img.mft->entries && !found; k++)
            if (img.mft->e[k].type == MFT_DEV_NET_BASIC) {
                snprintf(name, len, "%.*s", (int)sizeof img.mft->e[k].name, img.mft->e[k].name);
                found = 1;
            }
    munmap(file, (size_t)st.st_size);
    return found;
}

/* tap: create (persist=1) or remove (0) the tap OCI_TAP. */
static int tap(int persist)
{
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), s;

    snprintf(ifr.ifr_name, IFNAMSIZ, OCI_TAP);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, persist) < 0) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        return persist ? oci_err("tap %s: cannot create: %s", OCI_TAP, strerror(e)) : -1;
    }
    close(fd);
    if (!persist)
        return 0;
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
        if (s >= 0)
            close(s);
        return oci_err("tap %s: cannot bring up: %s", OCI_TAP, strerror(errno));
    }
    close(s);
    return 0;
}

static int mac_of(const char *ifname, char *out, size_t len)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    unsigned char *m = (unsigned char *)ifr.ifr_hwaddr.sa_data;

    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
        if (s >= 0)
            close(s);
        return oci_err("%s: cannot read its MAC address: %s", ifname, strerror(errno));
    }
    close(s);
    snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return 0;
}

/* tc: run Debian's tc (iproute2) with ARGS; 0 if it succeeded. */
static int tc(const char *const args[])
{
    char *argv[32];
    int status, n = 0;
    pid_t pid;

    argv[n++] = (char *)(uintptr_t)"tc";
    for (; *args && n < 31; args++)
        argv[n++] = (char *)(uintptr_t)*args;
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(null, 1);
        dup2(null, 2);
        execvp("tc", argv);
        execv("/sbin/tc", argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* redirect: all frames arriving on FROM leave through TO. */
static int redirect(const char *from, const char *to)
{
    const char *const qdisc[] = {"qdisc", "add", "dev", from, "ingress", NULL};
    const char *const filter[] = {"filter", "add", "dev", from, "parent", "ffff:", "protocol",
                                  "all", "u32", "match", "u32", "0", "0", "action", "mirred",
                                  NULL};
    const char *const tail[] = {"egress", "redirect", "dev", to, NULL};
    const char *full[24];
    int n = 0;

    if (tc(qdisc))
        return oci_err("tc qdisc add dev %s ingress failed", from);
    for (const char *const *a = filter; *a; a++)
        full[n++] = *a;
    for (const char *const *a = tail; *a; a++)
        full[n++] = *a;
    full[n] = NULL;
    return tc(full) ? oci_err("tc: cannot redirect %s to %s", from, to) : 0;
}

int oci_net_auto(struct oci_spec *s)
{
    char ifname[IFNAMSIZ], dev[MFT_NAME_SIZE + 1], mac[32], ip[INET_ADDRSTRLEN];
    struct in_addr addr, gw;
    unsigned prefix;
    size_t used;
    int has_netns = 0;

    for (unsigned i = 0; i < s->nns; i++)
        has_netns |= s->ns[i].type == CLONE_NEWNET;
    for (unsigned i = 0; i < s->ndevice_args; i++)
        if (strncmp(s->device_args[i], "--net:", 6) == 0)
            return 0; /* the bundle names its taps itself */
    if (!has_netns || !the_interface(ifname, &addr, &prefix) ||
        !first_net_device(s->kernel, dev, sizeof dev))
        return 0;
    if (tap(1) || mac_of(ifname, mac, sizeof mac) || redirect(ifname, OCI_TAP) ||
        redirect(OCI_TAP, ifname))
        return -1;
    if (s->ndevice_args + 2 > WISP_MAX_DEVICE_ARGS)
        return oci_err("too many devices (at most %d)", WISP_MAX_DEVICE_ARGS);
    if (asprintf(&s->device_args[s->ndevice_args], "--net:%s=%s", dev, OCI_TAP) < 0 ||
        asprintf(&s->device_args[s->ndevice_args + 1], "--net-mac:%s=%s", dev, mac) < 0)
        return oci_err("out of memory");
    s->ndevice_args += 2;
    used = strlen(s->cmdline);
    inet_ntop(AF_INET, &addr, ip, sizeof ip);
    used += (size_t)snprintf(s->cmdline + used, sizeof s->cmdline - used, "%s--ipv4=%s/%u",
                             used ? " " : "", ip, prefix);
    if (default_gateway(ifname, &gw) && used < sizeof s->cmdline) {
        inet_ntop(AF_INET, &gw, ip, sizeof ip);
        used += (size_t)snprintf(s->cmdline + used, sizeof s->cmdline - used,
                                 " --ipv4-gateway=%s", ip);
    }
    if (used >= sizeof s->cmdline)
        return oci_err("command line too long with the network options");
    return 0;
}

static int exists(const char *ifname)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    r = s >= 0 && ioctl(s, SIOCGIFINDEX, &ifr) == 0;
    if (s >= 0)
        close(s);
    return r;
}

void oci_net_cleanup(const char *netns_path)
{
    char ifname[IFNAMSIZ];
    struct in_addr addr;
    unsigned prefix;
    int fd;

    if (!netns_path[0])
        return; /* a namespace of its own: gone with the tender */
    fd = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    if (!exists(OCI_TAP))
        return;
    tap(0);
    if (the_interface(ifname, &addr, &prefix)) {
        const char *const del[] = {"qdisc", "del", "dev", ifname, "ingress", NULL};

        tc(del);
    }
}
