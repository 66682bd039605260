/*
 * Tender modules: the core services and (later) one module per device
 * type.  A module owns its command-line options, its usage text, its
 * hypercall handlers, poll sources and seccomp rules.  The core only
 * iterates over the table in modules.c, in the order written there.
 */
#ifndef WISP_MODULE_H
#define WISP_MODULE_H

struct vm;

enum opt_result {
    OPT_NOT_MINE = 0, /* the option belongs to another module */
    OPT_OK = 1,       /* consumed */
    OPT_ERROR = -1    /* mine, but malformed or refused (message set) */
};

struct module {
    const char *name;
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
    /* setup: after guest memory exists, before the first KVM_RUN: register
     * hypercalls and poll sources, fill the manifest copy.  Optional. */
    int (*setup)(struct vm *vm);
    /* seccomp_rules: add this module's allow rules to `ctx` (a
     * scmp_filter_ctx).  Optional. */
    int (*seccomp_rules)(struct vm *vm, void *ctx);
    /* teardown: release what setup acquired.  Optional. */
    void (*teardown)(struct vm *vm);
};

/* The module table, NULL-terminated, in setup order. */
extern const struct module *const wisp_modules[];

extern const struct module module_core;
extern const struct module module_net;
extern const struct module module_block;

#endif /* WISP_MODULE_H */
