#!/usr/bin/env bats
# Every ```sh block of README.md runs as written.  A block is run from the
# top of the tree with bash -e -o pipefail (every command must succeed),
# in the README's order, under a time limit, holding a lock so that two
# trees running this suite at once do not share the example's namespace.
# The line before a block may mark it (an HTML comment, invisible on the
# rendered page):
#   <!-- readme-test: skip REASON -->      not run (a template, or this suite)
#   <!-- readme-test: needs kvm|root|netns... -->  run only where available
# An unmarked block is run everywhere, so a new block needing KVM or root
# must say so.  No block may leave a new file in the repository root (its
# files go to build/ or a temporary folder).

bats_require_minimum_version 1.5.0
load helpers

README="$TOP/README.md"

# blocks DIR: write each sh block of the README to DIR/N.sh and its marker
# (the comment line just before it, or nothing) to DIR/N.mark; prints N.
blocks() {
    awk -v dir="$1" '
        /^```sh[[:space:]]*$/ { n++; f = dir "/" n ".sh"; printf "" > f
                   printf "%s", (prev ~ /^<!-- readme-test:/ ? prev : "") > (dir "/" n ".mark")
                   close(dir "/" n ".mark"); on = 1; next }
        on && /^```/ { on = 0; close(f); next }
        on { print > f }
        { prev = $0 }
        END { print n + 0 }' "$README"
}

# marker_field MARKFILE: the words after "readme-test:" without "-->".
marker_field() {
    sed -e 's/^<!-- readme-test:[[:space:]]*//' -e 's/[[:space:]]*-->[[:space:]]*$//' "$1"
}

# unmet NEEDS...: the first requirement this machine lacks, or nothing.
unmet() {
    local need
    for need in "$@"; do
        case "$need" in
            kvm) [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no usable /dev/kvm"; return; } ;;
            root) [ "$(id -u)" = 0 ] || { echo "not root"; return; } ;;
            netns) [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && command -v ip >/dev/null \
                       || { echo "no network namespaces (root, /dev/net/tun, ip)"; return; } ;;
        esac
    done
}

@test "README: every sh block is run here or marked skip with a reason" {
    d="$BATS_TEST_TMPDIR/blocks"; mkdir -p "$d"
    n=$(blocks "$d")
    [ "$n" -gt 3 ]
    for ((i = 1; i <= n; i++)); do
        m=$(marker_field "$d/$i.mark")
        case "$m" in
            "") ;;
            "skip "?*) ;;
            "needs "*)
                for w in ${m#needs }; do
                    case "$w" in kvm|root|netns) ;; *) echo "block $i: unknown need '$w'" >&2; return 1 ;; esac
                done ;;
            *) echo "block $i: malformed marker: $(cat "$d/$i.mark")" >&2; return 1 ;;
        esac
    done
}

@test "README: the sh blocks run as written" {
    d="$BATS_TEST_TMPDIR/blocks"; mkdir -p "$d"
    n=$(blocks "$d")
    cd "$TOP"
    ran=0 failed="" unmet_list=""
    for ((i = 1; i <= n; i++)); do
        m=$(marker_field "$d/$i.mark")
        case "$m" in skip*) continue ;; esac
        why=""
        [ "${m%% *}" = needs ] && why=$(unmet ${m#needs })
        if [ -n "$why" ]; then
            unmet_list="$unmet_list block $i ($why);"
            continue
        fi
        before=$(ls -A "$TOP")
        echo "# README block $i" >&3
        # A namespace the block adds is deleted afterwards, inside the lock,
        # even if the block failed half-way.
        ns=$(grep -oE 'ip netns add [a-zA-Z0-9_-]+' "$d/$i.sh" | awk '{ print $4 }' | tr '\n' ' ')
        if ! flock /tmp/wisp-readme-test.lock bash -c '
                timeout 300 bash -e -o pipefail "$1"; rc=$?
                for n in $2; do
                    ip netns pids "$n" 2>/dev/null | xargs -r kill -9
                    ip netns del "$n" 2>/dev/null
                done
                exit $rc' - "$d/$i.sh" "$ns" > "$d/$i.out" 2>&1; then
            failed="$failed $i"
            { echo "block $i failed:"; cat "$d/$i.sh"; echo "its output:"; cat "$d/$i.out"; } >&2
        fi
        after=$(ls -A "$TOP")
        if [ "$before" != "$after" ]; then
            failed="$failed $i"
            echo "block $i left new files in the repository root:" >&2
            diff <(echo "$before") <(echo "$after") >&2 || true
        fi
        ran=$((ran + 1))
    done
    [ -z "$failed" ] || { echo "failed blocks:$failed" >&2; return 1; }
    [ -z "$unmet_list" ] || skip "ran $ran blocks; not run here:$unmet_list"
}
