# Helpers for tests/e2e/oci.bats: bundles for wisp-oci, and a private
# containerd (Debian's package) with its own root, state directory and
# socket under a temporary directory, never the system's.

WISP_OCI="${WISP_OCI:-$TOP/build/bin/wisp-oci}"

# oci_guest OUT: build the test unikernel (tests/e2e/oci-guest.c) with wisp-cc.
oci_guest() {
    "$WISP_CC" -o "$1" "$TOP/tests/e2e/oci-guest.c"
}

# make_bundle DIR KERNEL [ARGS_JSON [ANNOTATIONS_JSON [EXTRA_JSON]]]: an OCI
# bundle whose rootfs holds KERNEL at /demo.wisp; ARGS_JSON is process.args
# (default ["/demo.wisp"]).  EXTRA_JSON is merged into the top level.
make_bundle() {
    local dir=$1 kernel=$2 args=${3:-'["/demo.wisp"]'} annot=${4:-'{}'} extra=${5:-'{}'}
    mkdir -p "$dir/rootfs"
    cp "$kernel" "$dir/rootfs/demo.wisp"
    python3 - "$dir/config.json" "$args" "$annot" "$extra" <<'PY'
import json, sys
cfg = {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
       "process": {"terminal": False, "cwd": "/", "args": json.loads(sys.argv[2])},
       "annotations": json.loads(sys.argv[3]),
       "linux": {"namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount")]}}
cfg.update(json.loads(sys.argv[4]))
json.dump(cfg, open(sys.argv[1], "w"))
PY
}

# oci ARGS...: wisp-oci with the test's private --root.
oci() {
    timeout 30 "$WISP_OCI" --root "$OCI_ROOT" "$@"
}

# oci_status ID: the "status" of `wisp-oci state ID`.
oci_status() {
    oci state "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# wait_status ID STATUS: poll until the container reaches STATUS (5 s).
wait_status() {
    for _ in $(seq 100); do
        [ "$(oci_status "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.05
    done
    echo "container $1 never reached $2 (now: $(oci_status "$1" 2>&1))" >&2
    return 1
}

# ---- containerd ----------------------------------------------------------
# containerd_start DIR: start containerd with everything under DIR; sets
# CTR_ADDR.  containerd_stop DIR ends it and everything it started.
containerd_start() {
    local d=$1
    mkdir -p "$d/root" "$d/state" "$d/opt"
    cat >"$d/config.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.tracing",
                    "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
TOML
    CTR_ADDR="$d/containerd.sock"
    containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
    echo $! >"$d/containerd.pid"
    for _ in $(seq 200); do
        ctr --address "$CTR_ADDR" version >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "containerd did not start; its log:" >&2
    cat "$d/containerd.log" >&2
    return 1
}

containerd_stop() {
    local d=$1 pid
    [ -f "$d/containerd.pid" ] || return 0
    pid=$(cat "$d/containerd.pid")
    CTR_ADDR="$d/containerd.sock"
    # tasks and containers first, so that no shim outlives the test
    for c in $(ctr --address "$CTR_ADDR" -n wisp-test containers ls -q 2>/dev/null); do
        ctr --address "$CTR_ADDR" -n wisp-test task kill -s SIGKILL "$c" >/dev/null 2>&1
        ctr --address "$CTR_ADDR" -n wisp-test task delete -f "$c" >/dev/null 2>&1
        ctr --address "$CTR_ADDR" -n wisp-test containers delete "$c" >/dev/null 2>&1
    done
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    # the snapshots are overlay mounts below DIR: unmount before removal
    grep -F " $d/" /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do
        umount "$m" 2>/dev/null
    done
    rm -f "$d/containerd.pid"
    # the namespace-level cgroups that ctr's cgroupsPath (/wisp-test/ID) made
    rmdir /sys/fs/cgroup/*/wisp-test /sys/fs/cgroup/wisp-test 2>/dev/null || true
}

# ctr_w ARGS...: ctr on the private containerd, namespace wisp-test.
ctr_w() {
    timeout 60 ctr --address "$CTR_ADDR" -n wisp-test "$@"
}

# ctr_run ARGS...: `ctr run` with wisp-oci as the runc binary, its own
# --runc-root and --fifo-dir (the defaults are the system's
# /run/containerd/runc and /run/containerd/fifo).  The one thing left in the
# system's directories: the shim's socket, /run/containerd/s/HASH (a path
# fixed in containerd 1.6, removed when the shim ends).
ctr_run() {
    mkdir -p "$OCI_TMP/fifo"
    ctr_w run --runc-binary "$WISP_OCI" --runc-root "$OCI_CTR_ROOT" --fifo-dir "$OCI_TMP/fifo" \
        "$@"
}

# console_receiver SOCKET OUT: in the background, accept one connection on
# SOCKET, receive the pty master sent over it (runc's protocol) and copy
# what the guest writes to OUT until the pty closes.  Waits until SOCKET
# exists.
console_receiver() {
    python3 - "$1" "$2" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
with open(sys.argv[2], "wb") as out:
    out.write(b"name=" + msg + b"\n"); out.flush()
    while True:
        try:
            data = os.read(fds[0], 4096)
        except OSError:
            break
        if not data:
            break
        out.write(data); out.flush()
PY
    for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.02; done
    return 1
}
