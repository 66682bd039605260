/*
 * The one `struct vm` fixture of the unit tests and fuzz targets: a run
 * without KVM (the backend's fds -1), with its mode, default config,
 * result, zeroed guest RAM and a manifest whose devices are declared but
 * not attached.  Header-only: each test program is one .c file.
 */
#ifndef WISP_TEST_VM_FIXTURE_H
#define WISP_TEST_VM_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mode.h"
#include "core/vm.h"
#include "kvm/kvm_backend.h"

/* A device declared in the fixture's manifest (handle = index + 1). */
struct vm_fixture_dev {
    const char *name;
    uint32_t type; /* MFT_DEV_* */
};

struct vm_fixture {
    struct wisp_config cfg;
    struct wisp_result res;
    struct kvm_backend kb;
    struct vm vm;
};

/*
 * vm_fixture_new: a fixture in `mode` with `mem_size` bytes of zeroed guest
 * RAM (0: none; mem_alloc the same), console on fd 1, kernel name "k",
 * and a manifest of entry 0 (reserved) then `ndevs` devices.  NULL if out
 * of memory.
 */
static inline struct vm_fixture *vm_fixture_new(const struct mode_ops *mode, uint64_t mem_size,
                                                const struct vm_fixture_dev *devs,
                                                unsigned ndevs)
{
    struct vm_fixture *f = calloc(1, sizeof *f);
    size_t mft_size = MFT_SIZE(1 + ndevs);
    struct mft *m = calloc(1, mft_size);

    if (!f || !m) {
        free(f);
        free(m);
        return NULL;
    }
    wisp_config_init(&f->cfg);
    f->kb = (struct kvm_backend){.kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1};
    m->version = MFT_VERSION;
    m->entries = 1 + ndevs;
    m->e[0].type = MFT_RESERVED_FIRST;
    for (unsigned i = 0; i < ndevs; i++) {
        strncpy(m->e[1 + i].name, devs[i].name, sizeof m->e[1 + i].name - 1);
        m->e[1 + i].type = devs[i].type;
    }
    f->vm = (struct vm){.cfg = &f->cfg, .res = &f->res, .kernel = "k", .mode = mode,
                        .kvm = &f->kb, .mft = m, .mft_size = mft_size,
                        .mem_size = mem_size, .mem_alloc = mem_size};
    if (mem_size) {
        f->vm.mem = calloc(1, mem_size);
        if (!f->vm.mem) {
            free(m);
            free(f);
            return NULL;
        }
    }
    return f;
}

/* vm_fixture_free: the fixture, its guest RAM and manifest. */
static inline void vm_fixture_free(struct vm_fixture *f)
{
    if (!f)
        return;
    free(f->vm.mem);
    free(f->vm.mft);
    free(f);
}

#endif /* WISP_TEST_VM_FIXTURE_H */
