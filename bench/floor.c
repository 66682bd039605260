/*
 * floor: the least a KVM "boot, run, exit" can cost on this host, the
 * baseline every wisp boot figure is compared with.  Opens /dev/kvm,
 * creates a VM and one vCPU, backs the page of the x86 reset vector
 * (GPA 0xfffff000) with one host page holding `hlt` at 0xfffffff0, runs
 * the vCPU from reset (real mode, CPL0) to its one exit (KVM_EXIT_HLT) and
 * exits.  No register set-up at all: the reset state already points at
 * the instruction.  Exit status 0 if the exit was the expected one.
 *
 * `floor --idle`: the floor of an idle guest, for the host-memory
 * benchmark (bench/mem.c): the same VM and run, then "READY\n" on stdout
 * in one write and sleep until killed, the VM and vCPU still open.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RESET_PAGE 0xfffff000ull

int main(int argc, char *argv[])
{
    struct kvm_userspace_memory_region slot = {
        .slot = 0, .guest_phys_addr = RESET_PAGE, .memory_size = 4096,
    };
    struct kvm_run *run;
    unsigned char *mem;
    int kvm, vm, vcpu, size;

    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        return perror("floor: /dev/kvm"), 1;
    vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0)
        return perror("floor: KVM_CREATE_VM"), 1;
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu < 0 || size <= 0)
        return perror("floor: KVM_CREATE_VCPU"), 1;
    run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (run == MAP_FAILED || mem == MAP_FAILED)
        return perror("floor: mmap"), 1;
    mem[0xff0] = 0xf4; /* hlt, at the reset vector 0xfffffff0 */
    slot.userspace_addr = (unsigned long long)(unsigned long)mem;
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        return perror("floor: KVM_SET_USER_MEMORY_REGION"), 1;
    if (ioctl(vcpu, KVM_RUN, 0) < 0)
        return perror("floor: KVM_RUN"), 1;
    if (run->exit_reason != KVM_EXIT_HLT)
        return fprintf(stderr, "floor: unexpected exit reason %u\n", run->exit_reason), 1;
    if (argc > 1 && strcmp(argv[1], "--idle") == 0) {
        if (write(1, "READY\n", 6) != 6)
            return 1;
        for (;;)
            pause();
    }
    return 0;
}
