/*
 * lwip_tls: a TLS echo service on port 443 (IPv4 and IPv6) over lwIP's
 * altcp_tls and mbedTLS (wisp-cc --lwip --mbedtls), on NET_BASIC device
 * service0.  Its certificate chain and private key come from block device
 * "tls": the PEM certificate(s), then the PEM private key, zero-padded to
 * whole blocks.  Prints READY once listening; a client that sends a line
 * "QUIT" ends the service (SUCCESS, status 0); status 1 on a setup error.
 * (tests/e2e/lwip.bats)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/altcp.h>
#include <lwip/altcp_tls.h>
#include <lwip/tcp.h>
#include <solo5.h>
#include <wisp/lwip.h>

#include "altcp_echo.h"

#define TLS_PORT 443
#define MAX_PEM (64 * 1024)

/* read_pem: the whole "tls" device as a NUL-terminated string. */
static char *read_pem(void)
{
    solo5_handle_t h;
    struct solo5_block_info bi;

    if (solo5_block_acquire("tls", &h, &bi) != SOLO5_R_OK || bi.capacity > MAX_PEM)
        return NULL;
    char *buf = calloc(1, bi.capacity + 1);
    if (!buf)
        return NULL;
    for (solo5_off_t off = 0; off < bi.capacity; off += bi.block_size)
        if (solo5_block_read(h, off, (uint8_t *)buf + off, bi.block_size) != SOLO5_R_OK)
            return NULL;
    return buf;
}

int main(void)
{
    char *pem = read_pem();
    char *key;

    if (!pem || !(key = strstr(pem, "-----BEGIN EC PRIVATE KEY-----")) &&
                    !(key = strstr(pem, "-----BEGIN PRIVATE KEY-----")) &&
                    !(key = strstr(pem, "-----BEGIN RSA PRIVATE KEY-----")))
        return printf("FAILURE: no certificate and key on block device tls\n"), 1;
    /* Both halves as separate NUL-terminated strings; lengths include the NUL. */
    size_t cert_len = (size_t)(key - pem);
    char *cert = malloc(cert_len + 1);
    memcpy(cert, pem, cert_len);
    cert[cert_len] = '\0';
    struct altcp_tls_config *conf = altcp_tls_create_config_server_privkey_cert(
        (const u8_t *)key, strlen(key) + 1, NULL, 0, (const u8_t *)cert, cert_len + 1);
    if (!conf)
        return printf("FAILURE: mbedTLS refused the certificate or key\n"), 1;
    if (wisp_lwip_init("service0", NULL) != 0)
        return 1;
    struct altcp_pcb *listener = altcp_tls_new(conf, IPADDR_TYPE_ANY);
    if (!listener || altcp_bind(listener, IP_ANY_TYPE, TLS_PORT) != ERR_OK)
        return printf("FAILURE: cannot bind port %d\n", TLS_PORT), 1;
    listener = altcp_listen(listener);
    printf("READY\n");
    altcp_echo_serve(listener);
    printf("SUCCESS\n");
    return 0;
}
