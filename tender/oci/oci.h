/*
 * wisp-oci: an OCI runtime (runc's command line) that boots wisp
 * unikernels.  The layer's error policy: functions return 0 or -1; on -1
 * they have reported one message with oci_err() (stderr and the --log
 * file).  Only main() exits.
 */
#ifndef WISP_OCI_H
#define WISP_OCI_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "wisp.h"

#define OCI_SPEC_VERSION "1.0.2"
#define OCI_ID_MAX 256
#define OCI_MAX_NS 8
#define OCI_MAX_ANNOT 64

/* ---- log.c: messages ---- */
/* oci_log_open: also write messages to FILE, as JSON lines when json. */
void oci_log_open(const char *file, int json);
/* oci_err: one error message (printf format), "wisp-oci: " on stderr. */
/* oci_err_to_fd: send messages (text only) to FD instead of stderr and the
 * log; -1 restores. */
void oci_err_to_fd(int fd);
int oci_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- spec.c: the bundle's config.json ---- */
struct oci_ns {
    int type;              /* CLONE_NEW* */
    char path[PATH_MAX];   /* "" : a new namespace */
};

struct oci_annot {
    char *key, *value;
};

struct oci_spec {
    char bundle[PATH_MAX];   /* absolute */
    char rootfs[PATH_MAX];   /* absolute */
    char kernel[PATH_MAX];   /* host path of process.args[0] inside rootfs */
    char cmdline[WISP_CMDLINE_MAX];
    int terminal;
    int sandbox;             /* a Kubernetes pod's sandbox: no guest */
    uint64_t mem_mib;        /* 0: wisp's default */
    unsigned ndevice_args;
    char *device_args[WISP_MAX_DEVICE_ARGS];
    unsigned nns;
    struct oci_ns ns[OCI_MAX_NS];
    char cgroups_path[PATH_MAX]; /* "" : none */
    int64_t mem_limit;       /* bytes, 0: none */
    int64_t cpu_quota;       /* 0: none */
    uint64_t cpu_period, cpu_shares;
    int64_t pids_limit;      /* 0: none */
    unsigned nannot;
    struct oci_annot annot[OCI_MAX_ANNOT];
};

/* oci_spec_load: read BUNDLE/config.json, resolve the unikernel and the
 * block devices inside the rootfs; every refusal names what was wrong. */
int oci_spec_load(const char *bundle, struct oci_spec *spec);
/* oci_spec_free: what oci_spec_load allocated (also after a failure). */
void oci_spec_free(struct oci_spec *spec);

/* ---- state.c: what survives between commands, under --root ---- */
struct oci_state {
    char id[OCI_ID_MAX];
    pid_t pid;
    unsigned long long pid_start; /* /proc/PID/stat starttime */
    char bundle[PATH_MAX], rootfs[PATH_MAX];
    char created[64];             /* RFC 3339 */
    char cgroups_path[PATH_MAX];
    char netns_path[PATH_MAX];    /* a joined network namespace, or "" */
};

enum oci_status { OCI_CREATED, OCI_RUNNING, OCI_STOPPED };

int oci_id_valid(const char *id);
/* oci_dir: ROOT/ID (and ROOT/ID/NAME when name is not NULL). */
void oci_dir(char *out, size_t len, const char *root, const char *id, const char *name);
int oci_state_save(const char *root, const struct oci_state *st);
/* oci_state_load: -1 with "container ID does not exist" when absent. */
int oci_state_load(const char *root, const char *id, struct oci_state *st);
enum oci_status oci_status(const char *root, const struct oci_state *st);
const char *oci_status_name(enum oci_status s);
/* oci_proc_start: starttime of PID (0: no such live process). */
unsigned long long oci_proc_start(pid_t pid);
/* oci_remove_dir: ROOT/ID and what is in it. */
void oci_remove_dir(const char *root, const char *id);

/* ---- cgroup.c: the container's cgroup (v1 or v2) ---- */
/* oci_cgroup_enter: create the cgroup, set its limits, move PID into it. */
int oci_cgroup_enter(const struct oci_spec *spec, pid_t pid);
/* oci_cgroup_kill: signal every process in it. */
void oci_cgroup_kill(const char *path, int sig);
/* oci_cgroup_remove: remove it (best effort, after its processes end). */
void oci_cgroup_remove(const char *path);

/* ---- console.c: process.terminal ---- */
/* oci_console_open: a pty; sends its master to SOCKET (runc's protocol:
 * SCM_RIGHTS, the pty's name as payload); returns the slave fd. */
int oci_console_open(const char *socket_path);

/* ---- net.c: a tap for the CNI-made interface (tc redirection) ---- */
/* oci_net_auto: in the container's network namespace, before wisp_run:
 * adds --net/--net-mac device options and --ipv4 to the command line when
 * the namespace has one IPv4 interface and the unikernel a NET_BASIC
 * device; 0 also when there is nothing to do. */
int oci_net_auto(struct oci_spec *spec);
/* oci_net_cleanup: remove the tap and redirection from a namespace that
 * outlives the container (joined by path). */
void oci_net_cleanup(const char *netns_path);

/* ---- create.c ---- */
struct oci_create_opts {
    const char *root, *id, *bundle, *pid_file, *console_socket;
};
int oci_create(const struct oci_create_opts *o);

#endif /* WISP_OCI_H */
