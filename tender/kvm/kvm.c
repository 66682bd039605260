/*
 * KVM backend, machine-independent part: /dev/kvm, the VM, the vCPU and its
 * shared run structure, guest memory registration, teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "confine/confine.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "core/vm.h"

static int check_cap(struct vm *vm, int cap, const char *name)
{
    int r = ioctl(vm->kvm->kvm_fd, KVM_CHECK_EXTENSION, cap);

    if (r <= 0)
        return vm_fail(vm, "KVM: the host does not support %s", name);
    return 0;
}

/* move_to_fixed_fd: renumber *fd to `want` if that number is free, so the
 * build-time seccomp filter (confine.h) matches; otherwise leave it. */
static void move_to_fixed_fd(int *fd, int want)
{
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, want);

    if (moved == want) {
        close(*fd);
        *fd = moved;
    } else if (moved >= 0) {
        close(moved);
    }
}

int kvm_open(struct vm *vm)
{
    struct kvm_backend *b = calloc(1, sizeof *b);
    int r;

    if (!b)
        return vm_fail(vm, "out of memory");
    b->kvm_fd = b->vm_fd = b->vcpu_fd = -1;
    vm->kvm = b;

    b->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (b->kvm_fd < 0)
        return vm_fail(vm, "cannot open /dev/kvm: %s", strerror(errno));
    r = ioctl(b->kvm_fd, KVM_GET_API_VERSION, 0);
    if (r != KVM_API_VERSION)
        return vm_fail(vm, "KVM: API version is %d, wisp requires %d", r, KVM_API_VERSION);
    if (check_cap(vm, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY") ||
        check_cap(vm, KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ") ||
        check_cap(vm, KVM_CAP_XCRS, "KVM_CAP_XCRS"))
        return -1;

    b->vm_fd = ioctl(b->kvm_fd, KVM_CREATE_VM, 0);
    if (b->vm_fd < 0)
        return vm_fail(vm, "KVM: cannot create a VM: %s", strerror(errno));
    b->vcpu_fd = ioctl(b->vm_fd, KVM_CREATE_VCPU, 0);
    if (b->vcpu_fd < 0)
        return vm_fail(vm, "KVM: cannot create a vCPU: %s", strerror(errno));
    move_to_fixed_fd(&b->vcpu_fd, CONFINE_VCPU_FD);
    move_to_fixed_fd(&b->vm_fd, CONFINE_VM_FD);
    r = ioctl(b->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (r < (int)sizeof(struct kvm_run))
        return vm_fail(vm, "KVM: bad vCPU mmap size %d", r);
    b->run_size = (size_t)r;
    b->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, b->vcpu_fd, 0);
    if (b->run == MAP_FAILED) {
        b->run = NULL;
        return vm_fail(vm, "KVM: cannot map the vCPU run structure: %s", strerror(errno));
    }
    return 0;
}

/* set_slot: guest-physical [gpa, gpa + size) to vm->mem + gpa as `slot`. */
static int set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)(vm->mem + gpa),
    };

    if (!size)
        return 0;
    if (ioctl(vm->kvm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return vm_fail(vm, "KVM: cannot register %llu bytes of guest memory at 0x%llx: %s",
                       (unsigned long long)size, (unsigned long long)gpa, strerror(errno));
    return 0;
}

int kvm_map_memory(struct vm *vm)
{
    uint64_t lo = vm->mem_defer_start, hi = vm->mem_defer_end;

    if (lo >= hi || hi > vm->mem_alloc) {
        vm->mem_defer_start = vm->mem_defer_end = 0;
        return set_slot(vm, 0, 0, vm->mem_alloc);
    }
    return set_slot(vm, 0, 0, lo) || set_slot(vm, 1, hi, vm->mem_alloc - hi) ? -1 : 0;
}

int kvm_map_deferred(struct vm *vm)
{
    uint64_t lo = vm->mem_defer_start, hi = vm->mem_defer_end;

    if (lo >= hi || vm->mem_defer_done)
        return 0;
    if (set_slot(vm, 2, lo, hi - lo))
        return -1;
    vm->mem_defer_done = 1;
    return 0;
}

int kvm_vm_fd(const struct vm *vm)
{
    return vm->kvm->vm_fd;
}

void kvm_close(struct vm *vm)
{
    struct kvm_backend *b = vm->kvm;

    if (!b)
        return;
    if (b->run)
        munmap(b->run, b->run_size);
    if (b->vcpu_fd >= 0)
        close(b->vcpu_fd);
    if (b->vm_fd >= 0)
        close(b->vm_fd);
    if (b->kvm_fd >= 0)
        close(b->kvm_fd);
    free(b);
    vm->kvm = NULL;
}
