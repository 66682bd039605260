/*
 * confine_bpf.c: the seccomp filter for the common case (confine.h),
 * generated at build time by tools/gen-seccomp.c with libseccomp from the
 * same rules confine_build() adds at run time.
 */
#include "confine/confine.h"
#include "seccomp_core.h" /* build/gen: CONFINE_CORE_BPF */

const struct sock_filter confine_core_bpf[] = CONFINE_CORE_BPF;
const unsigned confine_core_bpf_len = sizeof confine_core_bpf / sizeof confine_core_bpf[0];
static const struct sock_filter hvt_cpl3_bpf[] = CONFINE_HVT_CPL3_BPF;
static const struct sock_filter hvt_cpl3_defer_bpf[] = CONFINE_HVT_CPL3_DEFER_BPF;

#define N(a) (sizeof a / sizeof a[0])
const struct confine_bpf confine_precompiled[CONFINE_VARIANTS] = {
    [CONFINE_ISOLATED] = {confine_core_bpf, N(confine_core_bpf)},
    [CONFINE_HVT_CPL3] = {hvt_cpl3_bpf, N(hvt_cpl3_bpf)},
    [CONFINE_HVT_CPL3_DEFER] = {hvt_cpl3_defer_bpf, N(hvt_cpl3_defer_bpf)},
};
