/* dnsd-host: the dnsd zone parser and answerer as a Linux process, for
 * trying zone files on the host and as the Linux baseline of bench/dns.sh.
 *   dnsd-host ZONEFILE [ADDRESS [PORT]]   (default 127.0.0.1 53)
 *   dnsd-host --check ZONEFILE            parse only; exit 0 if good */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../zone.h"
#include "../dns_answer.h"
#include "../dns_msg.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (f == NULL)
        return NULL;
    do {
        if (n == cap) {
            char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    int check = argc > 1 && strcmp(argv[1], "--check") == 0;
    const char *path = argv[1 + check];
    struct sockaddr_in sa = { .sin_family = AF_INET };
    struct zone *z;
    char err[512];
    size_t len;
    char *text;
    int fd;

    if (argc < 2 + check || argc > 4 || (check && argc != 3)) {
        fprintf(stderr, "usage: %s ZONEFILE [ADDRESS [PORT]] | --check ZONEFILE\n", argv[0]);
        return 2;
    }
    text = read_file(path, &len);
    if (text == NULL) {
        fprintf(stderr, "dnsd-host: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (zone_parse(text, len, &z, err, sizeof err)) {
        fprintf(stderr, "dnsd-host: %s: %s\n", path, err);
        return 1;
    }
    free(text);
    if (check) {
        printf("%s: %zu records, %zu names\n", path, z->n_rrs, z->n_nodes);
        zone_free(z);
        return 0;
    }
    sa.sin_port = htons(argc > 3 ? (uint16_t)atoi(argv[3]) : 53);
    if (inet_pton(AF_INET, argc > 2 ? argv[2] : "127.0.0.1", &sa.sin_addr) != 1) {
        fprintf(stderr, "dnsd-host: '%s' is not an IPv4 address\n", argv[2]);
        return 2;
    }
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "dnsd-host: bind: %s\n", strerror(errno));
        return 1;
    }
    printf("dnsd-host: serving %zu records\n", z->n_rrs);
    fflush(stdout);
    for (;;) {
        uint8_t q[4096], r[DNS_EDNS_MAX];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
        size_t out;

        if (n < 0)
            continue;
        out = dns_answer(z, q, (size_t)n, r, sizeof r);
        if (out > 0)
            sendto(fd, r, out, 0, (struct sockaddr *)&from, fl);
    }
}
