/*
 * The container's cgroup, from linux.cgroupsPath and linux.resources, on
 * cgroup v2 (one hierarchy) or v1 (one per controller, as on this
 * project's CI machines).  The tender process is moved in before it opens
 * /dev/kvm, so guest memory is charged to it and CPU limits throttle the
 * vCPU.  A systemd-style path "slice:prefix:name" is mapped to
 * /slice/prefix-name.scope in the cgroup file system (no systemd call).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

#define CG_ROOT "/sys/fs/cgroup"

static const char *const v1_controllers[] = {"memory", "cpu", "cpuacct", "cpu,cpuacct",
                                             "pids", "blkio", "freezer", "devices", NULL};

static int is_v2(void)
{
    return access(CG_ROOT "/cgroup.controllers", F_OK) == 0;
}

/* rel_path: the cgroup path below a hierarchy's root. */
static void rel_path(const char *path, char *out, size_t len)
{
    char slice[256], prefix[256], name[256];

    if (path[0] != '/' && sscanf(path, "%255[^:]:%255[^:]:%255s", slice, prefix, name) == 3)
        snprintf(out, len, "/%s/%s-%s.scope", slice, prefix, name);
    else
        snprintf(out, len, "%s%s", path[0] == '/' ? "" : "/", path);
}

static int mkdir_p(char *dir)
{
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                *p = '/';
                return -1;
            }
            *p = '/';
        }
    return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *file, const char *val)
{
    char path[PATH_MAX + 160];
    FILE *f;
    int ok;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    f = fopen(path, "we");
    if (!f)
        return oci_err("cgroup: %s: cannot open: %s", path, strerror(errno));
    ok = fputs(val, f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : oci_err("cgroup: %s: cannot write '%s': %s", path, val, strerror(errno));
}

/* enable_v2: the controllers in every ancestor's subtree_control (best
 * effort: a parent may not have them). */
static void enable_v2(const char *dir)
{
    char parent[PATH_MAX + 64];
    FILE *f;

    snprintf(parent, sizeof parent, "%s", dir);
    for (char *p = parent + strlen(CG_ROOT); (p = strchr(p + 1, '/'));) {
        char file[PATH_MAX + 128];

        *p = '\0';
        snprintf(file, sizeof file, "%s/cgroup.subtree_control", parent);
        *p = '/';
        if ((f = fopen(file, "we"))) {
            fputs("+memory +cpu +pids", f);
            fclose(f);
        }
    }
    snprintf(parent, sizeof parent, CG_ROOT "/cgroup.subtree_control");
    if ((f = fopen(parent, "we"))) {
        fputs("+memory +cpu +pids", f);
        fclose(f);
    }
}

static int enter_v2(const struct oci_spec *s, const char *rel, pid_t pid)
{
    char dir[PATH_MAX + 64], val[64];

    snprintf(dir, sizeof dir, CG_ROOT "%s", rel);
    if (mkdir_p(dir) < 0)
        return oci_err("cgroup: cannot create %s: %s", dir, strerror(errno));
    enable_v2(dir);
    if (s->mem_limit > 0) {
        snprintf(val, sizeof val, "%" PRId64, s->mem_limit);
        if (write_file(dir, "memory.max", val))
            return -1;
    }
    if (s->cpu_quota > 0) {
        snprintf(val, sizeof val, "%" PRId64 " %" PRIu64, s->cpu_quota,
                 s->cpu_period ? s->cpu_period : 100000);
        if (write_file(dir, "cpu.max", val))
            return -1;
    }
    if (s->cpu_shares >= 2) {
        snprintf(val, sizeof val, "%" PRIu64, 1 + ((s->cpu_shares - 2) * 9999) / 262142);
        if (write_file(dir, "cpu.weight", val))
            return -1;
    }
    if (s->pids_limit > 0) {
        snprintf(val, sizeof val, "%" PRId64, s->pids_limit);
        if (write_file(dir, "pids.max", val))
            return -1;
    }
    snprintf(val, sizeof val, "%d", pid);
    return write_file(dir, "cgroup.procs", val);
}

static int limits_v1(const struct oci_spec *s, const char *ctl, const char *dir)
{
    char val[64];

    if (strcmp(ctl, "memory") == 0 && s->mem_limit > 0) {
        snprintf(val, sizeof val, "%" PRId64, s->mem_limit);
        return write_file(dir, "memory.limit_in_bytes", val);
    }
    if (strncmp(ctl, "cpu", 3) == 0 && strcmp(ctl, "cpuacct") != 0) {
        if (s->cpu_period) {
            snprintf(val, sizeof val, "%" PRIu64, s->cpu_period);
            if (write_file(dir, "cpu.cfs_period_us", val))
                return -1;
        }
        if (s->cpu_quota > 0) {
            snprintf(val, sizeof val, "%" PRId64, s->cpu_quota);
            if (write_file(dir, "cpu.cfs_quota_us", val))
                return -1;
        }
        if (s->cpu_shares) {
            snprintf(val, sizeof val, "%" PRIu64, s->cpu_shares);
            return write_file(dir, "cpu.shares", val);
        }
    }
    if (strcmp(ctl, "pids") == 0 && s->pids_limit > 0) {
        snprintf(val, sizeof val, "%" PRId64, s->pids_limit);
        return write_file(dir, "pids.max", val);
    }
    return 0;
}

static int enter_v1(const struct oci_spec *s, const char *rel, pid_t pid)
{
    char dir[PATH_MAX + 64], val[32];

    snprintf(val, sizeof val, "%d", pid);
    for (const char *const *c = v1_controllers; *c; c++) {
        snprintf(dir, sizeof dir, CG_ROOT "/%s", *c);
        if (access(dir, F_OK) < 0)
            continue;
        snprintf(dir, sizeof dir, CG_ROOT "/%s%s", *c, rel);
        if (mkdir_p(dir) < 0)
            return oci_err("cgroup: cannot create %s: %s", dir, strerror(errno));
        if (limits_v1(s, *c, dir) || write_file(dir, "cgroup.procs", val))
            return -1;
    }
    return 0;
}

int oci_cgroup_enter(const struct oci_spec *spec, pid_t pid)
{
    char rel[PATH_MAX];

    if (!spec->cgroups_path[0])
        return 0;
    rel_path(spec->cgroups_path, rel, sizeof rel);
    return is_v2() ? enter_v2(spec, rel, pid) : enter_v1(spec, rel, pid);
}

void oci_cgroup_kill(const char *path, int sig)
{
    char rel[PATH_MAX], file[PATH_MAX + 64];
    FILE *f;
    int pid;

    if (!path[0])
        return;
    rel_path(path, rel, sizeof rel);
    snprintf(file, sizeof file, CG_ROOT "%s%s/cgroup.procs", is_v2() ? "" : "/pids", rel);
    if (!is_v2() && access(file, F_OK) < 0)
        snprintf(file, sizeof file, CG_ROOT "/memory%s/cgroup.procs", rel);
    f = fopen(file, "re");
    if (!f)
        return;
    while (fscanf(f, "%d", &pid) == 1)
        kill(pid, sig);
    fclose(f);
}

void oci_cgroup_remove(const char *path)
{
    char rel[PATH_MAX], dir[PATH_MAX + 64];

    if (!path[0])
        return;
    rel_path(path, rel, sizeof rel);
    if (is_v2()) {
        snprintf(dir, sizeof dir, CG_ROOT "%s", rel);
        rmdir(dir);
        return;
    }
    for (const char *const *c = v1_controllers; *c; c++) {
        snprintf(dir, sizeof dir, CG_ROOT "/%s%s", *c, rel);
        rmdir(dir);
    }
}
