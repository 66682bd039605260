/*
 * Shared device plumbing for device modules: parsing "--OPT:NAME=VALUE"
 * options, finding a device in the manifest, the attached-device check.
 * The tender's manifest copy (vm->mft) is the one source of truth for
 * handles; the guest sees a read-only copy with host-private fields zeroed.
 */
#ifndef WISP_DEVICE_H
#define WISP_DEVICE_H

#include "core/module.h"
#include "core/vm.h"

/*
 * device_option: if `arg` starts with `prefix` (e.g. "--net:"), split the
 * rest at the first '=' into name[MFT_NAME_SIZE] and *value.  Returns
 * OPT_NOT_MINE if the prefix does not match, OPT_ERROR (message set) if the
 * name is empty, longer than 67 characters, not alphanumeric, or there is
 * no '=' or an empty value; OPT_OK otherwise.
 */
enum opt_result device_option(struct vm *vm, const char *arg, const char *prefix,
                              char *name, const char **value);

/*
 * device_lookup: the manifest entry (and its handle) for NAME, which MUST
 * be declared with `type`.  Otherwise OPT_ERROR with a message naming the
 * option `arg`: not declared, or declared with another type.
 */
enum opt_result device_lookup(struct vm *vm, const char *arg, const char *name,
                              uint32_t type, struct mft_entry **entry, unsigned *handle);

/* device_entry: the entry for `handle` if it is an attached device of
 * `type`, else NULL (a per-request error for the guest: WISP_R_EINVAL). */
struct mft_entry *device_entry(struct vm *vm, uint64_t handle, uint32_t type);

/* device_type_name: "NET_BASIC", "BLOCK_BASIC", ... */
const char *device_type_name(uint32_t type);

/* devices_check_attached: every declared device attached, else a message
 * listing each missing one by name and type. */
int devices_check_attached(struct vm *vm);

#endif /* WISP_DEVICE_H */
