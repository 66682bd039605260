/*
 * confine_bpf.c: the seccomp filter for the common case (confine.h),
 * generated at build time by tools/gen-seccomp.c with libseccomp from the
 * same rules confine_build() adds at run time.
 */
#include "confine/confine.h"
#include "seccomp_core.h" /* build/gen: CONFINE_CORE_BPF */

const struct sock_filter confine_core_bpf[] = CONFINE_CORE_BPF;
const unsigned confine_core_bpf_len = sizeof confine_core_bpf / sizeof confine_core_bpf[0];
