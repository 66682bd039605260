/*
 * tnet.h: a tiny ARP / ICMP-echo / UDP-echo responder shared by the network
 * test unikernels (net_ping, net_2if).  Header-only on purpose: this
 * directory has no .c, so it is not a test guest of its own.
 *
 * Command line of a guest built on it:  IP0 [IP1 ...] [count=N] [idle=S]
 *   IPn     the IPv4 address device "servicen" answers for
 *   count=N exit with SUCCESS after N echo replies (ICMP + UDP) in total
 *           (0, the default: run until idle)
 *   idle=S  fail if no frame arrives for S seconds (default 60)
 * Console: per device "serviceN: MAC is xx:..", "serviceN: MTU is N", then
 * "READY" once every device is acquired, then "SUCCESS" or "FAILURE: ...".
 *
 * It uses the batched API of <wisp.h>: one VM exit reads up to TNET_BATCH
 * frames, replies are built in place and sent with one more exit.  In the
 * Solo5 hvt flavour (wisp-cc --target=hvt defines __WISP_HVT__) it uses
 * solo5_net_read/solo5_net_write, one frame at a time, instead: the same
 * guest then runs under solo5-hvt and wisp's compatibility mode.  Every
 * received IPv4 header, ICMP and UDP checksum is verified; one bad checksum
 * (a frame corrupted on its way in) fails the test.
 */
#ifndef WISP_TEST_TNET_H
#define WISP_TEST_TNET_H

#include "t.h"
#ifndef __WISP_HVT__
#include "wisp.h"
#endif

#define TNET_MAX_NICS 4
#ifdef __WISP_HVT__
#define TNET_BATCH 1 /* solo5.h has no batches */
#else
#define TNET_BATCH 32
#endif
#define TNET_BUF 9232 /* MTU 9000 + header + VLAN, rounded */
#define TNET_SEC 1000000000ull

struct tnet_nic {
    solo5_handle_t handle;
    struct solo5_net_info info;
    uint8_t ip[4];
};

struct tnet_stats {
    uint64_t arp, icmp, udp, ignored, oversized, bad_csum;
};

static uint8_t tnet_bufs[TNET_MAX_NICS][TNET_BATCH][TNET_BUF];

static uint16_t tnet_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void tnet_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* tnet_sum: one's-complement sum of (n) bytes, added to (sum), unfolded. */
static uint32_t tnet_sum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (; n > 1; p += 2, n -= 2)
        sum += tnet_get16(p);
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t tnet_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void tnet_swap(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* tnet_parse_ip: "a.b.c.d" -> ip[4]; 0 on success. */
static int tnet_parse_ip(const char *s, size_t n, uint8_t ip[4])
{
    unsigned part = 0, v = 0, digits = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!digits || v > 255 || part > 3)
                return -1;
            ip[part++] = (uint8_t)v;
            v = digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned)(s[i] - '0');
            digits++;
        } else {
            return -1;
        }
    }
    return part == 4 ? 0 : -1;
}

static void tnet_put_mac(const uint8_t *m)
{
    static const char hex[] = "0123456789abcdef";
    char s[18];

    for (int i = 0; i < 6; i++) {
        s[3 * i] = hex[m[i] >> 4];
        s[3 * i + 1] = hex[m[i] & 15];
        s[3 * i + 2] = i < 5 ? ':' : '\0';
    }
    t_puts(s);
}

/*
 * tnet_reply: turn the frame at (f) of (len) bytes into its reply in place.
 * Returns the reply's length, or 0 if the frame needs none.
 */
static size_t tnet_reply(const struct tnet_nic *nic, uint8_t *f, size_t len,
                         struct tnet_stats *st)
{
    const uint8_t *mac = nic->info.mac_address;

    if (len < 14)
        goto ignore;
    if (tnet_get16(f + 12) == 0x0806) { /* ARP request for our address */
        uint8_t *a = f + 14;

        if (len < 42 || tnet_get16(a) != 1 || tnet_get16(a + 2) != 0x0800 ||
            a[4] != 6 || a[5] != 4 || tnet_get16(a + 6) != 1 || t_memcmp(a + 24, nic->ip, 4))
            goto ignore;
        tnet_put16(a + 6, 2);
        t_memcpy(a + 18, a + 8, 10); /* target := sender (MAC + IP) */
        t_memcpy(a + 8, mac, 6);
        t_memcpy(a + 14, nic->ip, 4);
        t_memcpy(f, f + 6, 6);
        t_memcpy(f + 6, mac, 6);
        st->arp++;
        return 42;
    }
    if (tnet_get16(f + 12) != 0x0800 || len < 34)
        goto ignore;
    uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = tnet_get16(ip + 2);

    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || 14 + tot > len ||
        t_memcmp(ip + 16, nic->ip, 4))
        goto ignore;
    if (tnet_fold(tnet_sum(ip, ihl, 0)) != 0) {
        st->bad_csum++;
        return 0;
    }
    if (tnet_get16(ip + 6) & 0x3fff) /* a fragment: not handled */
        goto ignore;
    uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;

    if (ip[9] == 1) { /* ICMP echo request */
        if (l4len < 8 || l4[0] != 8 || l4[1] != 0)
            goto ignore;
        if (tnet_fold(tnet_sum(l4, l4len, 0)) != 0) {
            st->bad_csum++;
            return 0;
        }
        l4[0] = 0;
        tnet_put16(l4 + 2, 0);
        tnet_put16(l4 + 2, tnet_fold(tnet_sum(l4, l4len, 0)));
        st->icmp++;
    } else if (ip[9] == 17) { /* UDP: echo to the sender */
        if (l4len < 8 || tnet_get16(l4 + 4) != l4len)
            goto ignore;
        if (tnet_get16(l4 + 6) != 0) {
            uint32_t s = tnet_sum(ip + 12, 8, 17 + (uint32_t)l4len);

            if (tnet_fold(tnet_sum(l4, l4len, s)) != 0) {
                st->bad_csum++;
                return 0;
            }
        }
        tnet_swap(l4, l4 + 2, 2); /* ports; the checksum is unchanged */
        st->udp++;
    } else {
        goto ignore;
    }
    tnet_swap(ip + 12, ip + 16, 4);
    ip[8] = 64;
    tnet_put16(ip + 10, 0);
    tnet_put16(ip + 10, tnet_fold(tnet_sum(ip, ihl, 0)));
    t_memcpy(f, f + 6, 6);
    t_memcpy(f + 6, mac, 6);
    return 14 + tot;
ignore:
    st->ignored++;
    return 0;
}

/* tnet_serve: drain device (n), answering what needs an answer.  Returns 0,
 * or -1 after printing FAILURE. */
#ifdef __WISP_HVT__
static int tnet_serve(const struct tnet_nic *nic, unsigned n, struct tnet_stats *st,
                      uint64_t *frames)
{
    uint8_t *buf = tnet_bufs[n][0];

    for (;;) {
        size_t got, len;
        solo5_result_t r = solo5_net_read(nic->handle, buf, TNET_BUF, &got);

        if (r == SOLO5_R_AGAIN)
            return 0;
        if (r != SOLO5_R_OK)
            return t_fail("solo5_net_read failed"), -1;
        (*frames)++;
        len = tnet_reply(nic, buf, got, st);
        if (len && solo5_net_write(nic->handle, buf, len) != SOLO5_R_OK)
            return t_fail("solo5_net_write failed"), -1;
    }
}
#else
static int tnet_serve(const struct tnet_nic *nic, unsigned n, struct tnet_stats *st,
                      uint64_t *frames)
{
    struct wisp_net_buf rb[TNET_BATCH], wb[TNET_BATCH];
    unsigned done, nw, wdone;
    solo5_result_t r;

    do {
        for (unsigned i = 0; i < TNET_BATCH; i++)
            rb[i] = (struct wisp_net_buf){.data = (uintptr_t)tnet_bufs[n][i], .len = TNET_BUF};
        r = wisp_net_read_batch(nic->handle, rb, TNET_BATCH, &done);
        if (r == SOLO5_R_AGAIN)
            return 0;
        if (r != SOLO5_R_OK)
            return t_fail("wisp_net_read_batch failed"), -1;
        nw = 0;
        for (unsigned i = 0; i < done; i++) {
            size_t len;

            if (rb[i].ret != SOLO5_R_OK) {
                st->oversized++;
                continue;
            }
            len = tnet_reply(nic, tnet_bufs[n][i], rb[i].len, st);
            if (len)
                wb[nw++] = (struct wisp_net_buf){.data = rb[i].data, .len = (uint32_t)len};
        }
        *frames += done;
        if (nw && (wisp_net_write_batch(nic->handle, wb, nw, &wdone) != SOLO5_R_OK ||
                   wdone != nw))
            return t_fail("wisp_net_write_batch did not send every reply"), -1;
    } while (done == TNET_BATCH);
    return 0;
}
#endif

/* tnet_main: the whole guest: acquire service0..service(N-1) for the N
 * addresses on the command line, print READY, answer until count or idle. */
static int tnet_main(const struct solo5_start_info *si)
{
    struct tnet_nic nics[TNET_MAX_NICS];
    struct tnet_stats st = {0};
    unsigned nnics = 0;
    uint64_t count = 0, idle = 60, frames = 0;
    const char *p = si->cmdline;

    while (*p) {
        const char *w = p;
        size_t n = 0;

        while (p[n] && p[n] != ' ')
            n++;
        p += n;
        while (*p == ' ')
            p++;
        if (n > 6 && !t_memcmp(w, "count=", 6)) {
            for (size_t i = 6; i < n; i++)
                count = count * 10 + (uint64_t)(w[i] - '0');
        } else if (n > 5 && !t_memcmp(w, "idle=", 5)) {
            idle = 0;
            for (size_t i = 5; i < n; i++)
                idle = idle * 10 + (uint64_t)(w[i] - '0');
        } else if (nnics < TNET_MAX_NICS && tnet_parse_ip(w, n, nics[nnics].ip) == 0) {
            nnics++;
        } else {
            return t_fail("usage: IP0 [IP1 ...] [count=N] [idle=S]");
        }
    }
    if (nnics == 0)
        return t_fail("no IP address on the command line");
    for (unsigned i = 0; i < nnics; i++) {
        char name[] = "service0";

        name[7] = (char)('0' + i);
        if (solo5_net_acquire(name, &nics[i].handle, &nics[i].info) != SOLO5_R_OK)
            return t_fail("solo5_net_acquire failed");
        t_puts(name);
        t_puts(": MAC is ");
        tnet_put_mac(nics[i].info.mac_address);
        t_puts("\n");
        t_puts(name);
        t_puts(": MTU is ");
        t_put_dec(nics[i].info.mtu);
        t_puts("\n");
    }
    t_puts("READY\n");

    solo5_time_t deadline = solo5_clock_monotonic() + idle * TNET_SEC;
    while (count == 0 || st.icmp + st.udp < count) {
        solo5_handle_set_t ready = 0;
        uint64_t before = frames;

        solo5_yield(deadline, &ready);
        for (unsigned i = 0; i < nnics; i++)
            if ((ready & (1ull << nics[i].handle)) && tnet_serve(&nics[i], i, &st, &frames))
                return SOLO5_EXIT_FAILURE;
        if (frames != before)
            deadline = solo5_clock_monotonic() + idle * TNET_SEC;
        else if (solo5_clock_monotonic() >= deadline)
            break;
        if (st.bad_csum)
            return t_fail("a received frame had a bad checksum");
    }
    t_puts("answered: arp ");
    t_put_dec(st.arp);
    t_puts(", icmp ");
    t_put_dec(st.icmp);
    t_puts(", udp ");
    t_put_dec(st.udp);
    t_puts("; ignored ");
    t_put_dec(st.ignored);
    t_puts(", oversized ");
    t_put_dec(st.oversized);
    t_puts("\n");
    if (count && st.icmp + st.udp < count)
        return t_fail("idle timeout before count replies");
    return t_success();
}

#endif /* WISP_TEST_TNET_H */
