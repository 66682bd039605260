/*
 * Device plumbing shared by the device modules (see device.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "devices/device.h"

enum opt_result device_option(struct vm *vm, const char *arg, const char *prefix,
                              char *name, const char **value)
{
    size_t plen = strlen(prefix), n;
    const char *rest, *eq;

    if (strncmp(arg, prefix, plen) != 0)
        return OPT_NOT_MINE;
    rest = arg + plen;
    eq = strchr(rest, '=');
    if (!eq || eq == rest || eq[1] == '\0') {
        vm_fail(vm, "%s: expected %sNAME=VALUE", arg, prefix);
        return OPT_ERROR;
    }
    n = (size_t)(eq - rest);
    if (n > MFT_NAME_MAX) {
        vm_fail(vm, "%s: device name longer than %d characters", arg, MFT_NAME_MAX);
        return OPT_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)rest[i])) {
            vm_fail(vm, "%s: device names are made of letters and digits only", arg);
            return OPT_ERROR;
        }
    }
    memcpy(name, rest, n);
    name[n] = '\0';
    *value = eq + 1;
    return OPT_OK;
}

const char *device_type_name(uint32_t type)
{
    switch (type) {
    case MFT_DEV_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case MFT_DEV_NET_BASIC:
        return "NET_BASIC";
    default:
        return "UNKNOWN";
    }
}

enum opt_result device_lookup(struct vm *vm, const char *arg, const char *name,
                              uint32_t type, struct mft_entry **entry, unsigned *handle)
{
    for (unsigned i = 1; i < vm->mft->entries; i++) {
        struct mft_entry *e = &vm->mft->e[i];

        if (strcmp(e->name, name) != 0)
            continue;
        if (e->type != type) {
            vm_fail(vm, "%s: device '%s' is declared as %s in %s, not %s", arg, name,
                    device_type_name(e->type), vm->kernel, device_type_name(type));
            return OPT_ERROR;
        }
        *entry = e;
        *handle = i;
        return OPT_OK;
    }
    vm_fail(vm, "%s: device '%s' is not declared in the manifest of %s", arg, name,
            vm->kernel);
    return OPT_ERROR;
}

struct mft_entry *device_entry(struct vm *vm, uint64_t handle, uint32_t type)
{
    struct mft_entry *e;

    if (handle == 0 || handle >= vm->mft->entries)
        return NULL;
    e = &vm->mft->e[handle];
    return (e->type == type && e->attached) ? e : NULL;
}

int devices_check_attached(struct vm *vm)
{
    char msg[WISP_ERR_MAX];
    size_t used = 0;
    int missing = 0;

    for (unsigned i = 1; i < vm->mft->entries; i++) {
        const struct mft_entry *e = &vm->mft->e[i];
        int n;

        if (e->attached)
            continue;
        n = snprintf(msg + used, sizeof msg - used, "%s'%s' (%s)", missing ? ", " : "",
                     e->name, device_type_name(e->type));
        if (n > 0 && (size_t)n < sizeof msg - used)
            used += (size_t)n;
        missing++;
    }
    if (!missing)
        return 0;
    return vm_fail(vm, "%s declares %d device%s that %s not attached: %s (attach with "
                   "--net:NAME=IFACE or --block:NAME=PATH; see --help)",
                   vm->kernel, missing, missing > 1 ? "s" : "", missing > 1 ? "are" : "is", msg);
}
