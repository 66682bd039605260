#!/usr/bin/env bats
# wisp-oci, the OCI runtime (tender/programs/wisp-oci.c, tender/oci/):
# first driven directly as runc's own tests drive runc (create, start,
# state, kill, delete, bad bundles, console socket, cgroup), then through
# Debian's containerd and ctr (a private instance started once for the
# file, with its root, state and socket under a temporary directory).

load helpers
load oci
load netns

setup_file() {
    export OCI_TMP="$BATS_FILE_TMPDIR"
    [ -c /dev/kvm ] || return 0
    "$WISP_CC" -o "$OCI_TMP/demo.wisp" "$TOP/tests/e2e/oci-guest.c"
    "$WISP_CC" --manifest="$TOP/tests/guests/blkrw/manifest.json" -o "$OCI_TMP/blk.wisp" \
        "$TOP/tests/e2e/oci-guest.c"
    if [ "$(id -u)" = 0 ] && command -v containerd >/dev/null; then
        "$WISP_OCI" pack -o "$OCI_TMP/demo.tar" --name=wisp.test/demo:1 "$OCI_TMP/demo.wisp" \
            -- hello from containerd
        containerd_start "$OCI_TMP/cd"
        ctr_w image import "$OCI_TMP/demo.tar" >/dev/null
    fi
}

teardown() {
    # the namespaces of the network test (netns.bash), if it made them
    netns_destroy
    [ -z "${OCI_CLIENT_NS:-}" ] || ip netns del "$OCI_CLIENT_NS" 2>/dev/null || true
}

teardown_file() {
    containerd_stop "$OCI_TMP/cd"
}

setup() {
    OCI_ROOT="$BATS_TEST_TMPDIR/root"
    OCI_CTR_ROOT="$OCI_TMP/runc-root"
    CTR_ADDR="$OCI_TMP/cd/containerd.sock"
    B="$BATS_TEST_TMPDIR/bundle"
}

require_oci() {
    require_kvm
    require_root
}

require_containerd() {
    require_oci
    command -v containerd >/dev/null || skip "containerd is not installed (Debian package containerd)"
    [ -S "$CTR_ADDR" ] || skip "the test's containerd did not start"
}

# ---- the command line ----------------------------------------------------

@test "oci: --version names the runtime spec; features is JSON" {
    run "$WISP_OCI" --version
    assert_status 0
    assert_output_has "wisp-oci version"
    assert_output_has "spec: 1.0.2"
    run "$WISP_OCI" features
    assert_status 0
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "pid" in d["linux"]["namespaces"]' "$output"
}

@test "oci: unknown commands and options are refused clearly" {
    run "$WISP_OCI" frobnicate x
    assert_status 1
    assert_output_has "unknown command 'frobnicate'"
    run "$WISP_OCI" --bogus state x
    assert_status 1
    assert_output_has "unknown option '--bogus'"
    run "$WISP_OCI" create --bundle
    assert_status 1
    assert_output_has "option '--bundle' needs a value"
    run "$WISP_OCI" --root "$BATS_TEST_TMPDIR" state no-such
    assert_status 1
    assert_output_has "container no-such does not exist"
    run "$WISP_OCI" --root "$BATS_TEST_TMPDIR" state ../x
    assert_status 1
    assert_output_has "invalid container id"
    run "$WISP_OCI" --log-format yaml state x
    assert_status 1
    assert_output_has "--log-format: 'yaml'"
}

# ---- the life cycle, driven directly --------------------------------------

@test "oci: create leaves the guest blocked, start runs it, state follows, delete cleans" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "hello", "world"]'
    oci --log "$B/log.json" --log-format json --systemd-cgroup create --bundle "$B" \
        --pid-file "$B/pid" c1 >"$B/out" 2>&1
    pid=$(cat "$B/pid")
    kill -0 "$pid"
    [ "$(oci_status c1)" = created ]
    run oci state c1
    assert_output_has "\"pid\": $pid"
    assert_output_has "\"bundle\": \"$B\""
    sleep 0.2
    [ ! -s "$B/out" ]   # not a byte from the guest before start
    oci start c1
    wait_status c1 stopped
    run cat "$B/out"
    assert_output_has "Hello from wisp-oci: hello world"
    run oci start c1
    assert_status 1
    assert_output_has "it is stopped, not created"
    oci delete c1
    [ ! -e "$OCI_ROOT/c1" ]
    run oci state c1
    assert_status 1
}

@test "oci: kill SIGTERM ends a created container that was never started" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "hello"]'
    oci create --bundle "$B" --pid-file "$B/pid" c0 >"$B/out" 2>&1
    [ "$(oci_status c0)" = created ]
    oci kill c0 SIGTERM
    wait_status c0 stopped
    [ ! -s "$B/out" ] || ! grep -q "Hello from wisp-oci" "$B/out"   # the guest never ran
    oci delete c0
    [ ! -e "$OCI_ROOT/c0" ]
}

@test "oci: kill SIGTERM ends an idle guest; delete refuses a running one without --force" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "idle"]'
    oci create --bundle "$B" --pid-file "$B/pid" c2 >"$B/out" 2>&1
    oci start c2
    [ "$(oci_status c2)" = running ]
    run oci delete c2
    assert_status 1
    assert_output_has "not stopped: running"
    oci kill c2 SIGTERM
    wait_status c2 stopped
    run oci kill c2 KILL
    assert_status 1
    assert_output_has "container not running"
    oci delete c2
    [ ! -e "$OCI_ROOT/c2" ]
}

@test "oci: delete --force kills a created or running guest and leaves nothing" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "idle"]'
    oci create --bundle "$B" --pid-file "$B/pid" c3 >/dev/null 2>&1
    pid=$(cat "$B/pid")
    oci delete --force c3
    ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
    [ ! -e "$OCI_ROOT/c3" ]
    oci delete --force c3   # a missing container: not an error with --force
    run oci kill --all c3 9
    assert_status 1
}

@test "oci: bad bundles are refused at create with a clear message" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '[]'
    run oci create --bundle "$B" bad1
    assert_status 1
    assert_output_has "process.args is missing or empty"
    [ ! -e "$OCI_ROOT/bad1" ]

    printf '#!/bin/sh\necho hi\n' >"$B/rootfs/script.sh"
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/script.sh"]'
    run oci create --bundle "$B" bad2
    assert_status 1
    assert_output_has "script.sh"
    assert_output_has "ELF"
    [ ! -e "$OCI_ROOT/bad2" ]

    make_bundle "$B" "$OCI_TMP/blk.wisp" '["/demo.wisp"]' '{"org.wisp.block.storage": "/missing.img"}'
    run oci create --bundle "$B" bad3
    assert_status 1
    assert_output_has "org.wisp.block.storage: /missing.img: cannot open in the container's rootfs"

    make_bundle "$B" "$OCI_TMP/blk.wisp" '["/demo.wisp"]'
    run oci create --bundle "$B" bad4
    assert_status 1
    assert_output_has "declares 1 device that is not attached: 'storage' (BLOCK_BASIC)"
    [ ! -e "$OCI_ROOT/bad4" ]

    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp"]' '{"org.wisp.colour": "blue"}'
    run oci create --bundle "$B" bad5
    assert_status 1
    assert_output_has "annotation org.wisp.colour: unknown"

    echo '{"process": ' >"$B/config.json"
    run oci create --bundle "$B" bad6
    assert_status 1
    assert_output_has "$B/config.json: line"

    ln -sf /etc/passwd "$B/rootfs/escape"
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/escape"]'
    run oci create --bundle "$B" bad7
    assert_status 1
    assert_output_has "/escape: cannot open in the container's rootfs"
}

@test "oci: a block device from the rootfs, memory from org.wisp.mem; duplicate ids refused" {
    require_oci
    make_bundle "$B" "$OCI_TMP/blk.wisp" '["/demo.wisp", "hello", "blk"]' \
        '{"org.wisp.block.storage": "/disk.img", "org.wisp.mem": "16"}'
    truncate -s 64K "$B/rootfs/disk.img"
    oci create --bundle "$B" c4 >"$B/out" 2>&1
    run oci create --bundle "$B" c4
    assert_status 1
    assert_output_has "container c4 already exists"
    oci start c4
    wait_status c4 stopped
    run cat "$B/out"
    assert_output_has "Hello from wisp-oci: hello blk"
    oci delete c4
}

@test "oci: process.terminal: the guest's console is the pty sent to --console-socket" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "on", "a", "tty"]' '{}' \
        '{"process": {"terminal": true, "args": ["/demo.wisp", "on", "a", "tty"]}}'
    run oci create --bundle "$B" c5
    assert_status 1
    assert_output_has "no --console-socket"
    console_receiver "$BATS_TEST_TMPDIR/console.sock" "$BATS_TEST_TMPDIR/console.out"
    oci create --bundle "$B" --console-socket "$BATS_TEST_TMPDIR/console.sock" c5
    oci start c5
    wait_status c5 stopped
    wait
    run cat "$BATS_TEST_TMPDIR/console.out"
    assert_output_has "name=/dev/pts/"
    assert_output_has "Hello from wisp-oci: on a tty"
    oci delete c5
}

@test "oci: the tender runs in the spec's cgroup with its memory limit" {
    require_oci
    cg="wisp-oci-test-$$"
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/demo.wisp", "idle"]' '{}' \
        "{\"linux\": {\"cgroupsPath\": \"/$cg/c6\", \"namespaces\": [{\"type\": \"pid\"}],
          \"resources\": {\"memory\": {\"limit\": 134217728}}}}"
    oci create --bundle "$B" --pid-file "$B/pid" c6 >/dev/null 2>&1
    pid=$(cat "$B/pid")
    if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
        dir=/sys/fs/cgroup/$cg/c6
        [ "$(cat "$dir/memory.max")" = 134217728 ]
    else
        dir=/sys/fs/cgroup/memory/$cg/c6
        [ "$(cat "$dir/memory.limit_in_bytes")" = 134217728 ]
    fi
    grep -qx "$pid" "$dir/cgroup.procs"
    oci kill --all c6 KILL
    wait_status c6 stopped
    oci delete c6
    [ ! -e "$dir" ]
    rmdir "$(dirname "$dir")"
}

@test "oci: a Kubernetes pod sandbox (pause) container holds its namespaces, no guest" {
    require_oci
    make_bundle "$B" "$OCI_TMP/demo.wisp" '["/pause"]' \
        '{"io.kubernetes.cri.container-type": "sandbox"}' \
        '{"linux": {"namespaces": [{"type": "pid"}, {"type": "network"}]}}'
    oci create --bundle "$B" --pid-file "$B/pid" pod1
    oci start pod1
    pid=$(cat "$B/pid")
    [ "$(oci_status pod1)" = running ]
    [ "$(readlink /proc/"$pid"/ns/net)" != "$(readlink /proc/self/ns/net)" ]
    oci kill pod1 TERM
    wait_status pod1 stopped
    oci delete pod1
}

# ---- through containerd ---------------------------------------------------

@test "oci/containerd: ctr run --rm boots the image: output and exit status" {
    require_containerd
    run ctr_run --rm wisp.test/demo:1 hello1
    assert_status 0
    assert_output_has "Hello from wisp-oci: hello from containerd"
    run ctr_run --rm wisp.test/demo:1 exit7 /demo.wisp exit 7
    assert_status 7
}

@test "oci/containerd: a crashing guest: status 255 and the crash report on stderr" {
    require_containerd
    ctr_run --rm wisp.test/demo:1 crash1 /demo.wisp crash >"$BATS_TEST_TMPDIR/out" \
        2>"$BATS_TEST_TMPDIR/err" || status=$?
    [ "$status" = 255 ]
    run cat "$BATS_TEST_TMPDIR/err"
    assert_output_has "wisp: guest crashed: page fault"
}

@test "oci/containerd: idle guests: task ls, SIGTERM, SIGKILL, two at once" {
    require_containerd
    ctr_run -d wisp.test/demo:1 idle1 /demo.wisp idle >/dev/null
    ctr_run -d wisp.test/demo:1 idle2 /demo.wisp idle >/dev/null
    run ctr_w task ls
    [ "$(grep -cE '^idle[12] .*RUNNING' <<<"$output")" = 2 ]
    ctr_w task kill -s SIGTERM idle1
    ctr_w task kill -s SIGKILL idle2
    for _ in $(seq 100); do
        run ctr_w task ls
        [ "$(grep -c STOPPED <<<"$output")" = 2 ] && break
        sleep 0.05
    done
    grep -qE '^idle1 .*STOPPED' <<<"$output"
    grep -qE '^idle2 .*STOPPED' <<<"$output"
    # ctr reports the exit status of a deleted task on its stderr
    ctr_w task delete idle1 >"$BATS_TEST_TMPDIR/st1" 2>&1
    ctr_w task delete idle2 >"$BATS_TEST_TMPDIR/st2" 2>&1
    grep -q "exit code 143" "$BATS_TEST_TMPDIR/st1"
    grep -q "exit code 137" "$BATS_TEST_TMPDIR/st2"
    ctr_w containers delete idle1 idle2
    [ ! -e "$OCI_CTR_ROOT/wisp-test/idle1" ]
    [ ! -e "$OCI_CTR_ROOT/wisp-test/idle2" ]
}

@test "oci/containerd: a bad bundle fails ctr run with wisp's message" {
    require_containerd
    run ctr_run --rm wisp.test/demo:1 bad1 /not/here
    [ "$status" -ne 0 ]
    assert_output_has "/not/here: cannot open in the container's rootfs"
    run ctr_run --rm --annotation org.wisp.block.storage=/nope.img wisp.test/demo:1 bad2
    [ "$status" -ne 0 ]
    assert_output_has "org.wisp.block.storage: /nope.img"
    ctr_w containers delete bad1 bad2 2>/dev/null || true
}

@test "oci/containerd: after the shim is killed, delete leaves no process and no state" {
    require_containerd
    ls /run/containerd/s 2>/dev/null | sort >"$BATS_TEST_TMPDIR/sockets.before"
    ctr_run -d wisp.test/demo:1 orphan /demo.wisp idle >/dev/null
    # a shim killed with SIGKILL cannot remove its socket: the test does
    ls /run/containerd/s | sort | comm -13 "$BATS_TEST_TMPDIR/sockets.before" - \
        >"$BATS_TEST_TMPDIR/sockets.new"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/sockets.new")" = 1 ]
    pid=$(ctr_w task ls | awk '$1 == "orphan" {print $2}')
    [ -n "$pid" ]
    shim=$(awk '{print $4}' /proc/"$pid"/stat)
    grep -q containerd-shim /proc/"$shim"/cmdline
    kill -9 "$shim"
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    ctr_w task delete -f orphan >/dev/null 2>&1 || true
    ctr_w containers delete orphan
    rm -f "/run/containerd/s/$(cat "$BATS_TEST_TMPDIR/sockets.new")"
    ! kill -0 "$pid" 2>/dev/null || false
    [ ! -e "$OCI_CTR_ROOT/wisp-test/orphan" ]
}

@test "oci/containerd: the httpd example, reached with curl through a veth into the container's namespace" {
    require_containerd
    require_netns
    [ -f "$TOP/build/examples/httpd.wisp" ] || skip "build/examples/httpd.wisp not built"
    command -v tc >/dev/null || skip "no tc (iproute2)"
    netns_create                          # the container's namespace
    OCI_CLIENT_NS="$NETNS-c"              # the client's
    ip netns add "$OCI_CLIENT_NS"
    ip -n "$OCI_CLIENT_NS" link add name veth-c type veth peer name eth0 netns "$NETNS"
    ip -n "$OCI_CLIENT_NS" addr add 10.77.0.1/24 dev veth-c
    ip -n "$OCI_CLIENT_NS" link set veth-c up
    nsx ip addr add 10.77.0.2/24 dev eth0
    nsx ip link set eth0 up
    mkdir -p "$BATS_TEST_TMPDIR/site"
    echo '<h1>wisp through containerd</h1>' >"$BATS_TEST_TMPDIR/site/index.html"
    tar --format=ustar -C "$BATS_TEST_TMPDIR/site" -cf "$BATS_TEST_TMPDIR/site.tar" .
    "$WISP_OCI" pack -o "$BATS_TEST_TMPDIR/httpd.tar" --name=wisp.test/httpd:1 \
        --file="$BATS_TEST_TMPDIR/site.tar:/site.tar" "$TOP/build/examples/httpd.wisp"
    ctr_w image import "$BATS_TEST_TMPDIR/httpd.tar" >/dev/null
    ctr_run -d --with-ns "network:/var/run/netns/$NETNS" --annotation org.wisp.mem=128 \
        --annotation org.wisp.block.www=/site.tar wisp.test/httpd:1 web1 >/dev/null
    run ip netns exec "$OCI_CLIENT_NS" curl -sS --retry 20 --retry-all-errors --retry-delay 0 \
        --max-time 20 http://10.77.0.2/
    assert_status 0
    assert_output_has "wisp through containerd"
    nsx ip link show wisptap0 >/dev/null
    ctr_w task kill -s SIGTERM web1
    for _ in $(seq 100); do
        ctr_w task ls | grep -qE '^web1 .*STOPPED' && break
        sleep 0.05
    done
    ctr_w task delete web1 >/dev/null 2>&1
    ctr_w containers delete web1
    # the namespace outlives the container: the tap and the redirection are gone
    ! nsx ip link show wisptap0 2>/dev/null || false
    ! nsx tc qdisc show dev eth0 ingress | grep -q ingress
}
