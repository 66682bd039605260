/*
 * kvm-facts: print, one "key value" per line, what this machine's /dev/kvm
 * offers an isolated-mode guest: the CPUID bits the tender reads from
 * KVM_GET_SUPPORTED_CPUID and the XCR0 bits it may set.  make test-hwvirt
 * runs it on the host and inside its VM and prints both, so the two kinds of
 * KVM can be compared in the same run.  Not a test: it never fails the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>
#include <unistd.h>

static struct kvm_cpuid_entry2 *leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
    for (uint32_t i = 0; i < c->nent; i++)
        if (c->entries[i].function == fn && c->entries[i].index == idx)
            return &c->entries[i];
    return NULL;
}

static const char *bit(struct kvm_cpuid_entry2 *e, int reg, int n)
{
    uint32_t v;

    if (!e)
        return "absent";
    v = reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
    return (v >> n) & 1 ? "yes" : "no";
}

int main(void)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    struct kvm_cpuid2 *c;
    struct kvm_cpuid_entry2 *l1, *l7, *ld;
    int n;

    if (kvm < 0) {
        printf("kvm-open failed: %s\n", strerror(errno));
        return 0;
    }
    printf("kvm-kind %s\n", access("/sys/module/kvm_pvm", F_OK) == 0 ? "pvm"
                            : access("/sys/module/kvm_amd", F_OK) == 0 ? "kvm_amd"
                            : access("/sys/module/kvm_intel", F_OK) == 0 ? "kvm_intel"
                            : "unknown");
    printf("kvm-api %d\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
    printf("cap-xcrs %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XCRS));
    printf("cap-xsave %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE));
    printf("cap-tsc-control %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL));
    {
        /* The TSC rate KVM reports for a new vCPU, and the host TSC's rate
         * measured against CLOCK_MONOTONIC over 200 ms: the tender converts
         * guest TSC readings to host time with the former. */
        int vm = ioctl(kvm, KVM_CREATE_VM, 0);
        int vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
        struct timespec a, b, d = {0, 200000000};
        unsigned long long t0, t1;

        printf("tsc-khz-kvm %d\n", vcpu < 0 ? -1 : ioctl(vcpu, KVM_GET_TSC_KHZ, 0));
        clock_gettime(CLOCK_MONOTONIC, &a);
        t0 = __rdtsc();
        nanosleep(&d, NULL);
        t1 = __rdtsc();
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("tsc-khz-measured %.0f\n",
               (double)(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) * 1e3);
        if (vcpu >= 0)
            close(vcpu);
        if (vm >= 0)
            close(vm);
    }
    for (n = 64; n <= 4096; n *= 2) {
        c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
        if (!c)
            return 1;
        c->nent = n;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
            break;
        free(c);
        c = NULL;
        if (errno != E2BIG)
            break;
    }
    if (!c) {
        printf("supported-cpuid failed: %s\n", strerror(errno));
        return 0;
    }
    l1 = leaf(c, 1, 0);
    l7 = leaf(c, 7, 0);
    ld = leaf(c, 0xd, 0);
    printf("cpuid-xsave %s\n", bit(l1, 2, 26));
    printf("cpuid-avx %s\n", bit(l1, 2, 28));
    printf("cpuid-fsgsbase %s\n", bit(l7, 1, 0));
    printf("cpuid-avx2 %s\n", bit(l7, 1, 5));
    printf("cpuid-smep %s\n", bit(l7, 1, 7));
    printf("cpuid-smap %s\n", bit(l7, 1, 20));
    printf("cpuid-avx512f %s\n", bit(l7, 1, 16));
    printf("cpuid-umip %s\n", bit(l7, 2, 2));
    if (ld)
        printf("xcr0-supported 0x%llx\n",
               (unsigned long long)ld->eax | (unsigned long long)ld->edx << 32);
    else
        printf("xcr0-supported absent\n");
    free(c);
    return 0;
}
