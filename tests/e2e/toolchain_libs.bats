#!/usr/bin/env bats
# wisp-cc --libc, --lwip and --mbedtls: what each flag links and implies,
# for both targets, on programs built here and booted.

load helpers

setup() {
    T="$BATS_TEST_TMPDIR"
}

# build ARGS...: wisp-cc ARGS, which must succeed.
build() {
    run "$WISP_CC" "$@"
    assert_status 0
}

@test "wisp-cc --help describes --libc, --lwip and --mbedtls" {
    run "$WISP_CC" --help
    assert_status 0
    assert_output_has "--libc "
    assert_output_has "int main(int argc, char **argv)"
    assert_output_has "--lwip "
    assert_output_has "--mbedtls "
    assert_output_has "implies --libc"
}

@test "wisp-cc: without --libc there is no C library (stdio.h is not found)" {
    printf '#include <stdio.h>\nint solo5_app_main(const void *si) { (void)si; return 0; }\n' >"$T/a.c"
    run "$WISP_CC" -o "$T/a.wisp" "$T/a.c"
    [ "$status" -ne 0 ]
    assert_output_has "stdio.h"
}

@test "wisp-cc --libc: a C program starting at main() prints and returns its status" {
    require_kvm
    cat >"$T/a.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    char *s = malloc(64);
    snprintf(s, 64, "%s has %d args, pi %.4f", argv[0], argc - 1, 3.14159265);
    puts(s);
    return argc > 1 ? atoi(argv[1]) : 0;
}
C
    build --libc -o "$T/a.wisp" "$T/a.c"
    wisp_run "$T/a.wisp" 5
    assert_status 5
    assert_output_has "unikernel has 1 args, pi 3.1416"
}

@test "wisp-cc --libc: a program that keeps solo5_app_main calls wisp_libc_init and uses malloc" {
    require_kvm
    cat >"$T/a.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <wisp/libc.h>
int solo5_app_main(const struct solo5_start_info *si)
{
    wisp_libc_init(si);
    int *v = calloc(1000, sizeof *v);
    if (!v)
        return 1;
    printf("calloc ok, cmdline '%s'\n", si->cmdline);
    fflush(stdout);
    return 4;
}
C
    build --libc -o "$T/a.wisp" "$T/a.c"
    wisp_run "$T/a.wisp" x
    assert_status 4
    assert_output_has "calloc ok, cmdline 'x'"
}

@test "wisp-cc --lwip implies --libc; wisp_lwip_init names a missing device and returns -1" {
    require_kvm
    cat >"$T/a.c" <<'C'
#include <stdio.h>
#include <lwip/init.h>
#include <wisp/lwip.h>
int main(void)
{
    printf("lwIP %s\n", LWIP_VERSION_STRING);
    return wisp_lwip_init("service0", NULL) == -1 ? 3 : 0;
}
C
    build --lwip -o "$T/a.wisp" "$T/a.c"
    wisp_run "$T/a.wisp"
    assert_status 3
    assert_output_has "lwIP 2.1.3"
    assert_output_has "wisp_lwip_init: service0: no such NET_BASIC device"
}

@test "wisp-cc --lwip without --mbedtls has no altcp_tls (the link names it)" {
    cat >"$T/a.c" <<'C'
#include <lwip/altcp_tls.h>
int main(void)
{
    return altcp_tls_create_config_server(0) == 0;
}
C
    run "$WISP_CC" --lwip -o "$T/a.wisp" "$T/a.c"
    [ "$status" -ne 0 ]
    assert_output_has "altcp_tls_create_config_server"
    build --lwip --mbedtls -o "$T/a.wisp" "$T/a.c"
}

@test "wisp-cc --mbedtls: SHA-256, and an ECDSA P-256 key made from RDRAND entropy signs and verifies" {
    require_kvm
    cat >"$T/a.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>
int main(void)
{
    unsigned char h[32], sig[MBEDTLS_ECDSA_MAX_LEN];
    size_t siglen;
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ecdsa_context key;

    mbedtls_sha256_ret((const unsigned char *)"abc", 3, h, 0);
    printf("sha256(abc) ");
    for (int i = 0; i < 32; i++)
        printf("%02x", h[i]);
    printf("\n");
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ecdsa_init(&key);
    int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0);
    if (rc == 0)
        rc = mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg);
    if (rc == 0)
        rc = mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, h, 32, sig, &siglen,
                                           mbedtls_ctr_drbg_random, &drbg);
    if (rc == 0)
        rc = mbedtls_ecdsa_read_signature(&key, h, 32, sig, siglen);
    h[0] ^= 1;
    int forged = mbedtls_ecdsa_read_signature(&key, h, 32, sig, siglen);
    printf("ecdsa rc %d, tampered hash %s\n", rc, forged == 0 ? "ACCEPTED" : "rejected");
    return rc == 0 && forged != 0 ? 0 : 1;
}
C
    build --mbedtls -o "$T/a.wisp" "$T/a.c"
    wisp_run "$T/a.wisp"
    assert_output_has "sha256(abc) ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert_output_has "ecdsa rc 0, tampered hash rejected"
    assert_status 0
}

@test "wisp-cc --target=hvt links --libc, --lwip and --mbedtls programs (hvt ABI notes present)" {
    printf '#include <stdio.h>\nint main(void) { printf("hi\\n"); return 0; }\n' >"$T/a.c"
    build --target=hvt --libc -o "$T/a.hvt" "$T/a.c"
    cat >"$T/b.c" <<'C'
#include <lwip/altcp_tls.h>
#include <mbedtls/sha256.h>
#include <wisp/lwip.h>
int main(void)
{
    unsigned char h[32];
    mbedtls_sha256_ret((const unsigned char *)"x", 1, h, 0);
    if (wisp_lwip_init("service0", NULL) != 0)
        return 1;
    return altcp_tls_create_config_server(0) == 0;
}
C
    build --target=hvt --lwip --mbedtls -o "$T/b.hvt" "$T/b.c"
    run readelf -nW "$T/b.hvt"
    assert_status 0
    assert_output_has "Solo5"
}
