/*
 * The container's record under --root: ROOT/ID/state.json (written once by
 * create) and ROOT/ID/exec.fifo (present until start).  The status is
 * derived, never stored: the process alive (same PID and start time) with
 * the fifo present is "created", without it "running"; otherwise "stopped".
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

int oci_id_valid(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n >= OCI_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
            return 0;
    return 1;
}

void oci_dir(char *out, size_t len, const char *root, const char *id, const char *name)
{
    if (name)
        snprintf(out, len, "%s/%s/%s", root, id, name);
    else
        snprintf(out, len, "%s/%s", root, id);
}

int oci_state_save(const char *root, const struct oci_state *st)
{
    char file[PATH_MAX], tmp[PATH_MAX + 8];
    json_t *j = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", st->id, "pid",
                          (json_int_t)st->pid, "pid_start", (json_int_t)st->pid_start,
                          "bundle", st->bundle, "rootfs", st->rootfs, "created", st->created,
                          "cgroups_path", st->cgroups_path, "netns_path", st->netns_path);

    oci_dir(file, sizeof file, root, st->id, "state.json");
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    if (!j || json_dump_file(j, tmp, 0) < 0 || rename(tmp, file) < 0) {
        json_decref(j);
        return oci_err("%s: cannot write the container's state: %s", file, strerror(errno));
    }
    json_decref(j);
    return 0;
}

static void copy(char *dst, size_t len, json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));

    snprintf(dst, len, "%s", s ? s : "");
}

int oci_state_load(const char *root, const char *id, struct oci_state *st)
{
    char file[PATH_MAX];
    json_error_t jerr;
    json_t *j;

    memset(st, 0, sizeof *st);
    if (!oci_id_valid(id))
        return oci_err("invalid container id '%s' (letters, digits, _+-. only)", id);
    oci_dir(file, sizeof file, root, id, "state.json");
    if (access(file, F_OK) < 0)
        return oci_err("container %s does not exist", id);
    j = json_load_file(file, 0, &jerr);
    if (!j)
        return oci_err("%s: %s", file, jerr.text);
    snprintf(st->id, sizeof st->id, "%s", id);
    st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
    st->pid_start = (unsigned long long)json_integer_value(json_object_get(j, "pid_start"));
    copy(st->bundle, sizeof st->bundle, j, "bundle");
    copy(st->rootfs, sizeof st->rootfs, j, "rootfs");
    copy(st->created, sizeof st->created, j, "created");
    copy(st->cgroups_path, sizeof st->cgroups_path, j, "cgroups_path");
    copy(st->netns_path, sizeof st->netns_path, j, "netns_path");
    json_decref(j);
    return 0;
}

unsigned long long oci_proc_start(pid_t pid)
{
    char file[64], buf[1024], *p, state;
    unsigned long long start = 0;
    FILE *f;

    if (pid <= 0)
        return 0;
    snprintf(file, sizeof file, "/proc/%d/stat", pid);
    f = fopen(file, "re");
    if (!f)
        return 0;
    if (!fgets(buf, sizeof buf, f)) {
        fclose(f);
        return 0;
    }
    fclose(f);
    p = strrchr(buf, ')'); /* after the command name, which may hold spaces */
    if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
                            "%*d %*d %*d %llu", &state, &start) != 2)
        return 0;
    return state == 'Z' || state == 'X' ? 0 : start;
}

enum oci_status oci_status(const char *root, const struct oci_state *st)
{
    char fifo[PATH_MAX];

    if (oci_proc_start(st->pid) != st->pid_start || st->pid_start == 0)
        return OCI_STOPPED;
    oci_dir(fifo, sizeof fifo, root, st->id, "exec.fifo");
    return access(fifo, F_OK) == 0 ? OCI_CREATED : OCI_RUNNING;
}

const char *oci_status_name(enum oci_status s)
{
    return s == OCI_CREATED ? "created" : s == OCI_RUNNING ? "running" : "stopped";
}

void oci_remove_dir(const char *root, const char *id)
{
    char dir[PATH_MAX], file[PATH_MAX + 300];
    struct dirent *e;
    DIR *d;

    oci_dir(dir, sizeof dir, root, id, NULL);
    d = opendir(dir);
    if (d) {
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
                unlink(file);
            }
        closedir(d);
    }
    rmdir(dir);
}
