/*
 * wisp_run: the phases of one run, in order, the same for every guest mode
 * (core/mode.h).  Everything the unikernel file says is validated before
 * /dev/kvm is opened; every resource is acquired before the seccomp filter
 * goes on; then the guest runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine/confine.h"
#include "core/mode.h"
#include "core/module.h"
#include "core/signals.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "debug/symbols.h"
#include "devices/device.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "wisp.h"

void wisp_config_init(struct wisp_config *cfg)
{
    memset(cfg, 0, offsetof(struct wisp_config, device_args)); /* wisp.h: not the arrays */
    cfg->cmdline[0] = '\0';
    cfg->mem_size = 0; /* the mode's default (its plan_memory) */
    cfg->console_fd = 1;
    cfg->log_fd = 2;
    cfg->input_fd = -1;
    cfg->input_handoff_fd = -1;
    cfg->input_ready_fd = -1;
    cfg->stats_fd = -1;
}

/* A set-up step is not inlined into wisp_run: inlined, its locals (error
 * buffers, struct stat) would stay in wisp_run's frame, under which the
 * vCPU loop runs for the guest's whole life; each 4 KiB of stack depth
 * there is a resident page per idle guest (bench/README.md, memory). */
#define SETUP_STEP __attribute__((noinline))

/* open_regular: open the unikernel file without ever blocking: a FIFO
 * would block open() until a writer comes, a device node may do anything.
 * Its type is looked at first (stat), then again on the fd (fstat: it may
 * have been replaced meanwhile), the fd opened O_NONBLOCK, which is
 * cleared once it is known to be a regular file.  The fd, or -1 (message
 * set). */
static int open_regular(struct vm *vm, struct stat *st)
{
    int fd;

    if (stat(vm->kernel, st) == 0 && !S_ISREG(st->st_mode))
        return vm_fail(vm, "%s: not a regular file", vm->kernel);
    fd = open(vm->kernel, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return vm_fail(vm, "%s: cannot open: %s", vm->kernel, strerror(errno));
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        close(fd);
        return vm_fail(vm, "%s: not a regular file", vm->kernel);
    }
    return fd;
}

/* read_kernel: the whole unikernel file into vm->file (bounded). */
static int read_kernel(struct vm *vm)
{
    struct stat st;
    size_t got = 0;
    int fd = open_regular(vm, &st);

    if (fd < 0)
        return -1;
    if ((uint64_t)st.st_size > ELF_MAX_FILE) {
        close(fd);
        return vm_fail(vm, "%s: file too large (%lld bytes, at most %u)", vm->kernel,
                       (long long)st.st_size, ELF_MAX_FILE);
    }
    /* Its own mapping, so that vm_release_file can give the pages back
     * once the segments are in guest memory (an idle guest keeps none). */
    vm->file_map_size = st.st_size ? (size_t)st.st_size : 1;
    vm->file = mmap(NULL, vm->file_map_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm->file == MAP_FAILED) {
        vm->file = NULL;
        close(fd);
        return vm_fail(vm, "out of memory");
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, vm->file + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return vm_fail(vm, "%s: read failed: %s", vm->kernel,
                           r < 0 ? strerror(errno) : "file shrank while reading");
        }
        got += (size_t)r;
    }
    close(fd);
    vm->file_size = got;
    return 0;
}

/* setup_manifest: the tender's own manifest copy (an empty one if the
 * image has none). */
static int setup_manifest(struct vm *vm)
{
    size_t size = vm->img.mft ? vm->img.mft_size : MFT_SIZE(1);

    vm->mft = calloc(1, size);
    if (!vm->mft)
        return vm_fail(vm, "out of memory");
    if (vm->img.mft) {
        memcpy(vm->mft, vm->img.mft, size);
    } else {
        vm->mft->version = MFT_VERSION;
        vm->mft->entries = 1;
        vm->mft->e[0].type = MFT_RESERVED_FIRST;
    }
    vm->mft_size = size;
    return 0;
}

/* parse_kernel: read and parse the image, choose its mode (even when the
 * image is refused, so that the mode's exit status applies), let the mode
 * check it, and make the manifest copy.  SETUP_STEP: see there. */
SETUP_STEP static int parse_kernel(struct vm *vm)
{
    char err[ELF_ERR_MAX];
    int r;

    if (read_kernel(vm))
        return -1;
    vm_event(vm, WISP_EV_ELF_READ);
    r = elf_parse(vm->kernel, vm->file, vm->file_size, &vm->img, err);
    vm->mode = mode_for_image(&vm->img);
    if (r)
        return vm_fail(vm, "%s", err);
    if (vm->mode->check_image(vm))
        return -1;
    return setup_manifest(vm);
}

SETUP_STEP static int handle_device_options(struct vm *vm)
{
    for (unsigned i = 0; i < vm->cfg->ndevice_args; i++) {
        const char *arg = vm->cfg->device_args[i].arg;
        enum opt_result r = OPT_NOT_MINE;

        for (const struct module *const *m = wisp_modules; *m && r == OPT_NOT_MINE; m++)
            if ((*m)->handle_option)
                r = (*m)->handle_option(vm, arg);
        if (r == OPT_ERROR)
            return -1;
        if (r == OPT_NOT_MINE)
            return vm_fail(vm, "unknown option: %s", arg);
    }
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->check && (*m)->check(vm))
            return -1;
    return devices_check_attached(vm);
}

/* create_memory: zero-filled guest memory, touched on demand, registered
 * with KVM as one memslot at guest-physical 0.  Transparent huge pages are
 * refused for it: where THP is "always" (Debian's default kernels), the
 * first guest touch of a 2 MiB region would make it a 2 MiB host page, and
 * an idle unikernel that touches a few hundred KiB would cost 1-2 MiB of
 * host memory (measured: 1.3-1.5 MiB per idle guest on kvm_amd against
 * 0.43 MiB for a bare VM; bench/README.md).  Density before TLB reach: a
 * failure (a kernel without THP) changes nothing and is ignored. */
static int create_memory(struct vm *vm)
{
    vm->mem = mmap(NULL, vm->mem_alloc, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        vm->mem = NULL;
        return vm_fail(vm, "cannot allocate %llu MiB of guest memory: %s",
                       (unsigned long long)(vm->mem_alloc >> 20), strerror(errno));
    }
    (void)madvise(vm->mem, vm->mem_alloc, MADV_NOHUGEPAGE);
    return kvm_map_memory(vm);
}

/* stats_devices: name and type of each attached device, for --stats. */
static void stats_devices(struct vm *vm)
{
    for (unsigned i = 1; i < vm->mft->entries && i < MFT_MAX_ENTRIES; i++) {
        struct wisp_dev_stats *d = &vm->res->stats.dev[i];

        memset(d, 0, sizeof *d);
        vm->res->stats.ndev = i + 1;
        if (!vm->mft->e[i].attached)
            continue;
        d->type = vm->mft->e[i].type;
        memcpy(d->name, vm->mft->e[i].name, sizeof d->name - 1);
    }
}

static int setup_modules(struct vm *vm)
{
    stats_devices(vm);
    for (const struct module *const *m = wisp_modules; *m; m++)
        if (((*m)->setup && (*m)->setup(vm)) || module_register_hypercalls(vm, *m))
            return -1;
    return 0;
}

/* boot: everything between a validated image and the first KVM_RUN, each
 * step's milestone recorded.  SETUP_STEP: see there. */
SETUP_STEP static int boot(struct vm *vm)
{
    if (kvm_open(vm))
        return -1;
    vm_event(vm, WISP_EV_KVM);
    if (create_memory(vm))
        return -1;
    vm_event(vm, WISP_EV_MEMORY);
    if (vm->mode->load(vm))
        return -1;
    if (vm->mode->id == MODE_ISOLATED)
        symbols_load(vm); /* crash reports name functions (CPL0 guests report their own) */
    vm_release_file(vm);
    vm_event(vm, WISP_EV_LAYOUT);
    if (setup_modules(vm))
        return -1;
    vm_event(vm, WISP_EV_MODULES);
    if (vm->mode->setup_cpu(vm))
        return -1;
    vm_event(vm, WISP_EV_CPU);
    return 0;
}

static void teardown(struct vm *vm)
{
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->teardown)
            (*m)->teardown(vm);
    kvm_close(vm);
    if (vm->mem)
        munmap(vm->mem, vm->mem_alloc);
    free(vm->mft);
    symbols_free(vm);
    vm_release_file(vm);
}

int wisp_run(const struct wisp_config *cfg, struct wisp_result *res)
{
    struct vm vm = {.cfg = cfg, .res = res, .kernel = cfg->kernel};
    sigset_t saved_mask;
    int confined = 0;

    signals_block(&saved_mask);
    /* Not the per-device counters: a boot without devices touches no more
     * of *res than it did before --stats (stats_devices clears the
     * entries of the manifest's devices). */
    memset(res, 0, offsetof(struct wisp_result, stats));
    memset(&res->stats, 0, offsetof(struct wisp_stats, dev));
    res->events[WISP_EV_MAIN] = cfg->t_main;
    res->end = WISP_END_ERROR;
    res->status = WISP_EXIT_TENDER_ERROR;
    if (parse_kernel(&vm) || handle_device_options(&vm) || vm.mode->plan_memory(&vm))
        goto out;
    vm_event(&vm, WISP_EV_VALIDATED);
    if (boot(&vm))
        goto out;
    /* The time limit runs from here: the guest's first instruction is a
     * seccomp filter away. */
    if (signals_arm(vm.kvm->run, cfg->timeout_ms)) {
        vm_fail(&vm, "--timeout: cannot set the timer: %s", strerror(errno));
        goto out;
    }
    /* A hook (wisp-oci's wait for `start`) may block here; an ending
     * signal interrupts it and ends the run as it would the guest's. */
    if (cfg->before_guest && cfg->before_guest(cfg->before_guest_arg)) {
        if (signals_caught())
            vm_fail(&vm, "Exiting on signal %d", signals_caught());
        else
            vm_fail(&vm, "stopped before the guest started");
        goto out;
    }
    if (!cfg->no_seccomp && seccomp_confine(&vm))
        goto out;
    confined = !cfg->no_seccomp;
    vm_event(&vm, WISP_EV_CONFINED);
    kvm_run_loop(&vm, vm.mode->handle_exit);
    dumpcore_after_run(&vm);
out:
    if (signals_timed_out() && res->end == WISP_END_ERROR) {
        snprintf(res->err, sizeof res->err, "guest still running after --timeout=%s "
                 "seconds: stopped", cfg->timeout_arg ? cfg->timeout_arg : "?");
        res->status = WISP_EXIT_TIMEOUT; /* compat mode's finish: 1 */
    } else if (signals_caught() && res->end == WISP_END_ERROR) {
        res->status = 128 + signals_caught(); /* compat mode's finish: 1 */
    }
    if (vm.mode && vm.mode->finish)
        vm.mode->finish(&vm);
    teardown(&vm);
    vm_event(&vm, WISP_EV_TEARDOWN);
    signals_restore(&saved_mask, confined);
    return res->status;
}
