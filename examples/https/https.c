/*
 * https: the httpd site over TLS 1.2 on port 443.  The site is the ustar
 * archive on block device "www"; the certificate chain (cert.pem, the
 * server's certificate first) and its private key (key.pem, ECDSA or RSA,
 * unencrypted) are members of the ustar archive on block device "tls".
 * TLS is lwIP's altcp_tls over mbedTLS, limited to TLS 1.2 with ECDHE
 * suites (AES-GCM, ChaCha20-Poly1305), so the same server code
 * (examples/common/http_server.c) serves both examples.
 *
 *   wisp --mem=128 --net:service0=TAP --block-ro:www=site.tar \
 *        --block-ro:tls=tls.tar -- https.wisp --ipv4=10.0.0.2/24
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solo5.h>
#include <wisp/lwip.h>

#include "lwip/altcp_tls.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#include "http_server.h"
#include "site.h"
#include "ustar.h"

#define PEM_MAX (1u << 20)

/* ECDHE key exchange with ECDSA or RSA certificates, AEAD ciphers only. */
static const int ecdhe_suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

/* load_pem: member NAME of the archive on (h, bi) as a NUL-terminated
 * string; *len counts the NUL (as mbedTLS wants).  NULL after printing
 * why. */
static unsigned char *load_pem(solo5_handle_t h, const struct solo5_block_info *bi,
                               const char *name, size_t *len)
{
    struct ustar_member m;
    unsigned char *buf;
    int r = ustar_find(h, bi, name, &m);

    if (r != 0) {
        printf("https: %s: %s in the archive on block device 'tls'\n", name,
               r == -1 ? "not found" : "unreadable (not a ustar archive?)");
        return NULL;
    }
    if (m.size == 0 || m.size > PEM_MAX) {
        printf("https: %s: %llu bytes; expected a PEM file of 1 byte to 1 MiB\n", name,
               (unsigned long long)m.size);
        return NULL;
    }
    buf = malloc((size_t)m.size + 1);
    if (!buf || ustar_read(h, bi, &m, 0, buf, (size_t)m.size) != (long)m.size) {
        printf("https: %s: cannot read it\n", name);
        free(buf);
        return NULL;
    }
    buf[m.size] = '\0';
    *len = (size_t)m.size + 1;
    return buf;
}

/* check_pair: the chain parses and its first certificate's public key
 * belongs to the private key.  Returns 0, or -1 after printing why. */
static int check_pair(const unsigned char *cert, size_t cert_len, const unsigned char *key,
                      size_t key_len)
{
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    int r, ok = -1;

    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&pk);
    if ((r = mbedtls_x509_crt_parse(&crt, cert, cert_len)) != 0)
        printf("https: cert.pem: not a PEM certificate chain (mbedTLS error -0x%04x)\n", -r);
    else if ((r = mbedtls_pk_parse_key(&pk, key, key_len, NULL, 0)) != 0)
        printf("https: key.pem: not an unencrypted PEM private key (mbedTLS error -0x%04x)\n", -r);
    else if (mbedtls_pk_check_pair(&crt.pk, &pk) != 0)
        printf("https: key.pem does not match the first certificate of cert.pem\n");
    else
        ok = 0;
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&crt);
    return ok;
}

/* tls_config: the server's TLS configuration from the archive on device
 * "tls".  NULL after printing why. */
static struct altcp_tls_config *tls_config(void)
{
    struct altcp_tls_config *tls = NULL;
    struct solo5_block_info bi;
    unsigned char *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    solo5_handle_t h;

    if (solo5_block_acquire("tls", &h, &bi) != SOLO5_R_OK) {
        printf("https: no block device 'tls' (attach a ustar archive holding cert.pem and key.pem "
               "with --block-ro:tls=FILE)\n");
        return NULL;
    }
    cert = load_pem(h, &bi, "cert.pem", &cert_len);
    key = cert ? load_pem(h, &bi, "key.pem", &key_len) : NULL;
    if (key && check_pair(cert, cert_len, key, key_len) == 0) {
        /* The chain and key parsed above, so a failure here is seeding the
         * random generator: RDSEED can run dry for a moment on a busy
         * host.  Try a few times, 50 ms apart. */
        for (int attempt = 0; attempt < 5 && !tls; attempt++) {
            if (attempt) {
                printf("https: seeding mbedTLS's random generator failed; retrying\n");
                usleep(50000);
            }
            tls = altcp_tls_create_config_server_privkey_cert(key, key_len, NULL, 0, cert, cert_len);
        }
        if (!tls)
            printf("https: mbedTLS refused the certificate or key, or found no entropy\n");
    }
    if (key) {
        memset(key, 0, key_len);
        free(key);
    }
    free(cert);
    if (tls) {
        /* lwIP 2.1.3's struct altcp_tls_config begins with its
         * mbedtls_ssl_config (apps/altcp_tls/altcp_tls_mbedtls.c): the one
         * way to choose suites and version through altcp_tls. */
        mbedtls_ssl_config *conf = (mbedtls_ssl_config *)(void *)tls;

        mbedtls_ssl_conf_ciphersuites(conf, ecdhe_suites);
        mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    }
    return tls;
}

int main(int argc, char **argv)
{
    struct http_server_config cfg = {.port = 443, .timeout_s = 10};

    if (site_parse_args("https", argc, argv, &cfg) || site_open("www", &cfg))
        return 1;
    /* lwIP first: altcp_tls allocates its configuration from lwIP's heap. */
    if (wisp_lwip_init("service0", NULL) != 0)
        return 1;
    cfg.allocator.alloc = altcp_tls_alloc;
    cfg.allocator.arg = tls_config();
    if (!cfg.allocator.arg || http_server_start(&cfg) != 0)
        return 1;
    printf("https: serving block device 'www' on port %u (TLS 1.2)\n", cfg.port);
    fflush(stdout);
    for (;;)
        wisp_lwip_poll(solo5_clock_monotonic() + 1000000000ull);
}
