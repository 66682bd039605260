/*
 * The bundle's config.json (OCI runtime spec), parsed with libjansson.  What
 * wisp-oci uses: root.path, process.args (args[0]: the unikernel's path in
 * the rootfs, the rest its command line), process.terminal, mounts (bind
 * sources of block devices), annotations org.wisp.*, linux.namespaces,
 * linux.cgroupsPath and linux.resources (memory, CPU, pids).  Paths inside
 * the rootfs are resolved with openat2(RESOLVE_IN_ROOT), so that a symlink
 * in an image cannot point the tender outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/oci.h"

#define ANNOT_MEM "org.wisp.mem"
#define ANNOT_BLOCK "org.wisp.block."
#define ANNOT_NET "org.wisp.net."

/* in_root: the host path of PATH inside ROOT (symlinks resolved as if ROOT
 * were /), which must be a regular file. */
static int in_root(const char *root, const char *path, char *out, size_t len, const char *what)
{
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
    char link[64];
    struct stat st;
    ssize_t n;
    int rfd, fd;

    rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return oci_err("rootfs %s: cannot open: %s", root, strerror(errno));
    fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof how);
    close(rfd);
    if (fd < 0)
        return oci_err("%s: %s: cannot open in the container's rootfs %s: %s", what, path, root,
                       strerror(errno));
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, out, len - 1);
    if (fstat(fd, &st) < 0 || n < 0 || (size_t)n >= len - 1) {
        close(fd);
        return oci_err("%s: %s: cannot resolve in %s", what, path, root);
    }
    close(fd);
    out[n] = '\0';
    if (!S_ISREG(st.st_mode))
        return oci_err("%s: %s: not a regular file", what, path);
    return 0;
}

static int absolute(const char *base, const char *path, char *out, size_t len)
{
    int n = path[0] == '/' ? snprintf(out, len, "%s", path)
                           : snprintf(out, len, "%s/%s", base, path);
    return n < 0 || (size_t)n >= len ? oci_err("path too long: %s", path) : 0;
}

static int parse_args(json_t *process, struct oci_spec *spec)
{
    json_t *args = json_object_get(process, "args");
    size_t used = 0;

    if (!json_is_array(args) || json_array_size(args) == 0)
        return oci_err("config.json: process.args is missing or empty (args[0] must be "
                       "the unikernel's path inside the rootfs)");
    for (size_t i = 0; i < json_array_size(args); i++)
        if (!json_is_string(json_array_get(args, i)))
            return oci_err("config.json: process.args[%zu] is not a string", i);
    if (in_root(spec->rootfs, json_string_value(json_array_get(args, 0)), spec->kernel,
                sizeof spec->kernel, "process.args[0]"))
        return -1;
    spec->cmdline[0] = '\0';
    for (size_t i = 1; i < json_array_size(args); i++) {
        const char *a = json_string_value(json_array_get(args, i));
        size_t n = strlen(a);

        if (used + (i > 1) + n >= sizeof spec->cmdline)
            return oci_err("config.json: process.args: command line too long (more than "
                           "%zu characters)", sizeof spec->cmdline - 1);
        if (i > 1)
            spec->cmdline[used++] = ' ';
        memcpy(spec->cmdline + used, a, n + 1);
        used += n;
    }
    spec->terminal = json_is_true(json_object_get(process, "terminal"));
    return 0;
}

/* block_source: a mount destination's bind source, else the path in the
 * rootfs. */
static int block_source(json_t *root, const char *path, struct oci_spec *spec, char *out,
                        size_t len, const char *what)
{
    json_t *mounts = json_object_get(root, "mounts"), *m;
    size_t i;

    json_array_foreach(mounts, i, m) {
        const char *dst = json_string_value(json_object_get(m, "destination"));
        const char *src = json_string_value(json_object_get(m, "source"));

        if (dst && src && strcmp(dst, path) == 0) {
            struct stat st;

            if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
                return oci_err("%s: mount source %s of %s is not a regular file", what, src,
                               path);
            return absolute(spec->bundle, src, out, len);
        }
    }
    return in_root(spec->rootfs, path, out, len, what);
}

static int add_device_arg(struct oci_spec *spec, const char *prefix, const char *name,
                          const char *value)
{
    char *arg;

    if (spec->ndevice_args == WISP_MAX_DEVICE_ARGS)
        return oci_err("too many devices (at most %d)", WISP_MAX_DEVICE_ARGS);
    if (asprintf(&arg, "%s%s=%s", prefix, name, value) < 0)
        return oci_err("out of memory");
    spec->device_args[spec->ndevice_args++] = arg;
    return 0;
}

static int parse_annotation(json_t *root, const char *key, const char *val,
                            struct oci_spec *spec)
{
    char path[PATH_MAX];

    if (strcmp(key, ANNOT_MEM) == 0) {
        char *end;

        spec->mem_mib = strtoull(val, &end, 10);
        if (*val < '0' || *val > '9' || *end || spec->mem_mib == 0)
            return oci_err("annotation %s: '%s' is not a number of MiB", key, val);
        return 0;
    }
    if (strncmp(key, ANNOT_BLOCK, strlen(ANNOT_BLOCK)) == 0) {
        if (block_source(root, val, spec, path, sizeof path, key))
            return -1;
        return add_device_arg(spec, "--block:", key + strlen(ANNOT_BLOCK), path);
    }
    if (strncmp(key, ANNOT_NET, strlen(ANNOT_NET)) == 0)
        return add_device_arg(spec, "--net:", key + strlen(ANNOT_NET), val);
    if (strncmp(key, "org.wisp.", 9) == 0)
        return oci_err("annotation %s: unknown (expected org.wisp.mem, org.wisp.block.NAME, "
                       "org.wisp.net.NAME)", key);
    return 0;
}

static int parse_annotations(json_t *root, struct oci_spec *spec)
{
    json_t *annots = json_object_get(root, "annotations"), *v;
    const char *key;

    json_object_foreach(annots, key, v) {
        if (!json_is_string(v))
            return oci_err("config.json: annotation %s is not a string", key);
        if (parse_annotation(root, key, json_string_value(v), spec))
            return -1;
        if (spec->nannot < OCI_MAX_ANNOT) {
            spec->annot[spec->nannot].key = strdup(key);
            spec->annot[spec->nannot++].value = strdup(json_string_value(v));
        }
    }
    return 0;
}

static int ns_type(const char *name)
{
    static const struct { const char *name; int flag; } types[] = {
        {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
        {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},     {"cgroup", CLONE_NEWCGROUP},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(name, types[i].name) == 0)
            return types[i].flag;
    return 0;
}

static int parse_linux(json_t *lx, struct oci_spec *spec)
{
    json_t *nss = json_object_get(lx, "namespaces"), *ns, *res, *v;
    size_t i;

    json_array_foreach(nss, i, ns) {
        const char *type = json_string_value(json_object_get(ns, "type"));
        const char *path = json_string_value(json_object_get(ns, "path"));
        int flag = type ? ns_type(type) : 0;

        if (!flag)
            return oci_err("config.json: linux.namespaces[%zu]: namespace type '%s' is not "
                           "supported (pid, network, mount, ipc, uts, cgroup)", i,
                           type ? type : "(none)");
        if (spec->nns == OCI_MAX_NS)
            return oci_err("config.json: linux.namespaces: too many");
        spec->ns[spec->nns].type = flag;
        snprintf(spec->ns[spec->nns++].path, PATH_MAX, "%s", path ? path : "");
    }
    v = json_object_get(lx, "cgroupsPath");
    if (json_is_string(v))
        snprintf(spec->cgroups_path, sizeof spec->cgroups_path, "%s", json_string_value(v));
    res = json_object_get(lx, "resources");
    spec->mem_limit = json_integer_value(json_object_get(json_object_get(res, "memory"),
                                                         "limit"));
    v = json_object_get(res, "cpu");
    spec->cpu_quota = json_integer_value(json_object_get(v, "quota"));
    spec->cpu_period = (uint64_t)json_integer_value(json_object_get(v, "period"));
    spec->cpu_shares = (uint64_t)json_integer_value(json_object_get(v, "shares"));
    spec->pids_limit = json_integer_value(json_object_get(json_object_get(res, "pids"),
                                                          "limit"));
    return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec *spec)
{
    char file[PATH_MAX + 16], cwd[PATH_MAX];
    json_error_t jerr;
    json_t *root, *rootpath, *process;
    const char *ctype;
    int r = -1;

    memset(spec, 0, sizeof *spec);
    if (!getcwd(cwd, sizeof cwd) || absolute(cwd, bundle, spec->bundle, sizeof spec->bundle))
        return oci_err("bundle %s: cannot make the path absolute", bundle);
    snprintf(file, sizeof file, "%s/config.json", spec->bundle);
    root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return oci_err("%s: line %d: %s", file, jerr.line, jerr.text);
    if (!json_is_object(root)) {
        oci_err("%s: not a JSON object", file);
        goto out;
    }
    rootpath = json_object_get(json_object_get(root, "root"), "path");
    if (absolute(spec->bundle, json_is_string(rootpath) ? json_string_value(rootpath) : "rootfs",
                 spec->rootfs, sizeof spec->rootfs))
        goto out;
    process = json_object_get(root, "process");
    if (!json_is_object(process)) {
        oci_err("%s: no process object", file);
        goto out;
    }
    ctype = json_string_value(json_object_get(json_object_get(root, "annotations"),
                                              "io.kubernetes.cri.container-type"));
    spec->sandbox = ctype && strcmp(ctype, "sandbox") == 0;
    if ((!spec->sandbox && parse_args(process, spec)) || parse_annotations(root, spec) ||
        parse_linux(json_object_get(root, "linux"), spec))
        goto out;
    r = 0;
out:
    json_decref(root);
    return r;
}

void oci_spec_free(struct oci_spec *spec)
{
    for (unsigned i = 0; i < spec->ndevice_args; i++)
        free(spec->device_args[i]);
    for (unsigned i = 0; i < spec->nannot; i++) {
        free(spec->annot[i].key);
        free(spec->annot[i].value);
    }
    spec->ndevice_args = spec->nannot = 0;
}
