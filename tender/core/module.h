/*
 * Tender modules: the core services and one module per device type
 * (tender/devices/).  A module owns its command-line options, its usage
 * text, its hypercall handlers in every guest mode, its poll sources and
 * seccomp rules, and its devices' state.  The core only iterates over the
 * table in devices/modules.c, in the order written there.
 */
#ifndef WISP_MODULE_H
#define WISP_MODULE_H

#include "core/mode.h"
#include "core/vm.h"

enum opt_result {
    OPT_NOT_MINE = 0, /* the option belongs to another module */
    OPT_OK = 1,       /* consumed */
    OPT_ERROR = -1    /* mine, but malformed or refused (message set) */
};

/* A hypercall a module serves in one guest mode. */
struct module_hypercall {
    unsigned nr;       /* WISP_HC_* (isolated) or HVT_HYPERCALL_* (hvt) */
    hypercall_fn fn;
};

struct module {
    /* Option prefixes this module owns (e.g. "--net:"), NULL-terminated;
     * the command-line parser refuses options no module claims. */
    const char *const *option_prefixes;
    /* --help text: lines of "  --opt=VALUE   what it does\n". */
    const char *usage;
    /* handle_option: consume `arg` (one of its prefixes) once the manifest
     * is known.  Optional. */
    enum opt_result (*handle_option)(struct vm *vm, const char *arg);
    /* check: after every option was handled, before the missing-device
     * check and before guest memory exists: resolve what depends on
     * several options, fill the manifest copy.  Optional. */
    int (*check)(struct vm *vm);
    /* setup: after guest memory exists, before the first KVM_RUN: poll
     * sources.  Optional. */
    int (*setup)(struct vm *vm);
    /* attached: whether the module serves this run (a device of its type
     * is attached); NULL: always.  Its hypercalls exist only then. */
    int (*attached)(const struct vm *vm);
    /* hypercalls[id]: its handlers in the guest mode `id` (enum mode_id),
     * ending with {0, NULL}; NULL: none in that mode. */
    const struct module_hypercall *hypercalls[MODE_COUNT];
    /* seccomp_rules: add this module's allow rules to `ctx` (a
     * scmp_filter_ctx).  Optional. */
    int (*seccomp_rules)(struct vm *vm, void *ctx);
    /* teardown: release what setup acquired.  Optional. */
    void (*teardown)(struct vm *vm);
};

/* module_register_hypercalls: if `m` is attached, register its handlers
 * for the run's mode (after its setup); -1 on a clash (message set). */
int module_register_hypercalls(struct vm *vm, const struct module *m);

/* The module table, NULL-terminated, in setup order. */
extern const struct module *const wisp_modules[];

extern const struct module module_core;
extern const struct module module_net;
extern const struct module module_block;
extern const struct module module_input;

#endif /* WISP_MODULE_H */
