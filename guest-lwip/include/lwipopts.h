/*
 * lwipopts.h: lwIP 2.1.3 configured for wisp unikernel services: NO_SYS=1
 * (one main loop, wisp_lwip_poll), raw and altcp APIs, IPv4 and IPv6, DHCP,
 * altcp_tls over mbedTLS, sized for ~100 concurrent TCP clients with large
 * windows.  lwIP's memory is its own static heap (16 MiB: what tcp_write
 * copies) and pools (4096 receive pbufs), about 23 MiB of BSS in all: give
 * a service --mem=64 or more (the default 32 MiB leaves little heap).
 */
#ifndef WISP_LWIPOPTS_H
#define WISP_LWIPOPTS_H

/* ---- system: no OS, no threads ---- */
#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_NETIF_API              0
#define LWIP_TIMERS                 1

/* ---- memory: lwIP's own heap and pools ---- */
#define MEM_LIBC_MALLOC             0
#define MEMP_MEM_MALLOC             0
#define MEM_ALIGNMENT               8
#define MEM_SIZE                    (16 * 1024 * 1024)
#define MEMP_NUM_PBUF               1024
#define MEMP_NUM_RAW_PCB            8
#define MEMP_NUM_UDP_PCB            16
#define MEMP_NUM_TCP_PCB            256
#define MEMP_NUM_TCP_PCB_LISTEN     16
#define MEMP_NUM_TCP_SEG            4096
#define MEMP_NUM_REASSDATA          16
#define IP_REASS_MAX_PBUFS          64
#define MEMP_NUM_FRAG_PBUF          32
#define MEMP_NUM_ARP_QUEUE          64
#define MEMP_NUM_SYS_TIMEOUT        (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define MEMP_NUM_ALTCP_PCB          MEMP_NUM_TCP_PCB
#define PBUF_POOL_SIZE              4096
#define PBUF_POOL_BUFSIZE           LWIP_MEM_ALIGN_SIZE(TCP_MSS + 40 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)

/* ---- protocols ---- */
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_IPV4                   1
#define LWIP_IPV6                   1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
#define LWIP_DNS                    1
#define LWIP_IGMP                   1
#define LWIP_AUTOIP                 0
#define LWIP_IPV6_MLD               1
#define LWIP_IPV6_AUTOCONFIG        1
#define LWIP_IPV6_DHCP6             0
#define LWIP_ICMP6                  1
#define LWIP_IPV6_FRAG              1
#define IPV6_FRAG_COPYHEADER        1 /* required on 64-bit (GUEST_STACK.md) */
#define IP_REASSEMBLY               1
#define IP_FRAG                     1
#define ARP_TABLE_SIZE              64
#define ARP_QUEUEING                1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
#define LWIP_NETIF_HOSTNAME         1
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_ND6_NUM_NEIGHBORS      32
#define LWIP_ND6_NUM_DESTINATIONS   32

/* ---- TCP: large windows, many connections ---- */
#define TCP_MSS                     1460
#define LWIP_WND_SCALE              1
#define TCP_RCV_SCALE               2
#define TCP_WND                     (32 * TCP_MSS)
#define TCP_SND_BUF                 (64 * TCP_MSS)
#define TCP_SND_QUEUELEN            ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_SNDLOWAT                (TCP_SND_BUF / 2)
#define TCP_OVERSIZE                TCP_MSS
#define TCP_LISTEN_BACKLOG          1
#define TCP_DEFAULT_LISTEN_BACKLOG  128
#define LWIP_TCP_TIMESTAMPS         0
#define TCP_QUEUE_OOSEQ             1
#define LWIP_TCP_SACK_OUT           0
#define LWIP_CHECKSUM_ON_COPY       1

/* ---- altcp (and TLS over mbedTLS; liblwip-tls.a, wisp-cc --mbedtls) ---- */
#define LWIP_ALTCP                  1
#define LWIP_ALTCP_TLS              1
#define LWIP_ALTCP_TLS_MBEDTLS      1
#define ALTCP_MBEDTLS_USE_SESSION_CACHE   1
#define ALTCP_MBEDTLS_SESSION_CACHE_SIZE  128
#define ALTCP_MBEDTLS_USE_SESSION_TICKETS 1

/* ---- misc ---- */
#define LWIP_STATS                  0
#define LWIP_NETIF_LOOPBACK         0
#define LWIP_HAVE_LOOPIF            0
#define LWIP_SINGLE_NETIF           0
#define LWIP_DEBUG                  0

#endif
