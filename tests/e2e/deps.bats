#!/usr/bin/env bats
# The package list against the commands actually used: every external
# command that the test suites, the benchmark, tool and CI scripts, the
# README's command blocks and the make recipes run must be listed in tools/deps.txt with its
# Debian package (which tools/install-deps.sh installs), so that make test
# works on a minimal Debian 12.  tools/scan-commands.sh finds the commands.

bats_require_minimum_version 1.5.0
load helpers

# The files whose commands must be covered.
scanned_files() {
    cd "$TOP"
    ls tests/e2e/*.bats tests/e2e/*.bash tests/run-all.sh bench/*.sh tools/*.sh \
        tools/wisp-cc .ci/run README.md
    [ -f bootstrap ] && echo bootstrap
    return 0
}

# listed: the command names of tools/deps.txt (with packages or "-").
listed() {
    awk '!/^#/ && NF >= 2 && $1 != "BUILD" { print $1 }' "$TOP/tools/deps.txt" | sort -u
}

# not_commands FILE...: functions the files define, bash builtins and keywords.
not_commands() {
    { grep -ohE '^[[:space:]]*[a-zA-Z_][a-zA-Z0-9_-]*\(\)' "$@" | tr -d '() \t'
      compgen -b; compgen -k; } | sort -u
}

# unlisted FILE...: "WORD FILE" for each command of the files that
# tools/deps.txt lacks: a word in a certain command position (after a
# wrapper such as run, timeout N or nsx), or any word in command position
# that names a program on this machine.
unlisted() {
    local word kind file known
    known=$( { listed; not_commands "$@"; } | sort -u)
    PATH=$PATH:/usr/sbin:/sbin "$TOP/tools/scan-commands.sh" "$@" |
        while read -r word kind file; do
            grep -qxF -- "$word" <<<"$known" && continue
            if [ "$kind" = wrapped ] || [ "$(PATH=$PATH:/usr/sbin:/sbin type -t "$word")" = file ]; then
                echo "$word $file"
            fi
        done
}

# makefile_recipes: the recipe lines of the Makefile and mk/*.mk, without
# make's $(Q) and @ prefixes, as one shell file in the test's temp folder.
makefile_recipes() {
    local out="$BATS_TEST_TMPDIR/recipes.sh"
    cd "$TOP"
    grep -h -P '^\t' Makefile $(ls mk/*.mk 2>/dev/null) | sed -e 's/^\t//' -e 's/\$(Q)//g' -e 's/^[@-]*//' > "$out"
    echo "$out"
}

@test "every command the suites, scripts, README and make recipes run is listed in tools/deps.txt" {
    cd "$TOP"
    mapfile -t files < <(scanned_files; makefile_recipes)
    run unlisted "${files[@]}"
    [ "$status" -eq 0 ]
    if [ -n "$output" ]; then
        echo "commands used but not listed in tools/deps.txt (COMMAND FILE):" >&2
        echo "$output" >&2
        return 1
    fi
}

@test "the scan fails on a command a suite uses and the table lacks" {
    # (a .bash fixture: bats would rewrite a test header in this file)
    f="$BATS_TEST_TMPDIR/fake.bash"
    printf '%s\n' 'helper() { true; }' 'check() {' \
        '    run timeout 5 frobnicate-wisp-xyz --all' \
        '    nsx sysctl -q x | sort' '    helper' '}' > "$f"
    run unlisted "$f"
    [ "$status" -eq 0 ]
    grep -qx "frobnicate-wisp-xyz $f" <<<"$output"
    # listed commands and the file's own functions are not reported
    ! grep -q "^sysctl \|^sort \|^helper " <<<"$output"
}

@test "each listed package provides its command (where installed)" {
    local cmd pkg set path real p ok bad=""
    while read -r cmd pkg set; do
        [ "$pkg" = - ] && continue
        # The system's own directories first: a package installs there, and
        # a user's shim earlier in PATH (pyenv, say) is not the package's.
        path=$(PATH=/usr/bin:/bin:/usr/sbin:/sbin type -P "$cmd") ||
            path=$(type -P "$cmd") || continue
        real=$(readlink -f "$path")
        ok=0
        for p in "$path" "$real" "${path#/usr}" "${real#/usr}"; do
            case "$(dpkg -S "$p" 2>/dev/null | cut -d: -f1)" in
                "$pkg"|"$pkg"-*) ok=1 ;;
            esac
        done
        [ "$ok" = 1 ] || bad="$bad $cmd($pkg: $real)"
    done < <(awk '!/^#/ && NF >= 3 && $1 != "BUILD"' "$TOP/tools/deps.txt")
    [ -z "$bad" ] || { echo "not provided by the listed package:$bad" >&2; return 1; }
}

@test "tools/install-deps.sh installs every package of the test set" {
    local pkgs p
    pkgs=" $("$TOP/tools/install-deps.sh" --list test) "
    for p in $(awk '!/^#/ && NF >= 3 && $3 == "test" { print $2 }' "$TOP/tools/deps.txt") \
             iproute2 procps bats gcc make; do
        [[ "$pkgs" == *" $p "* ]] || { echo "install-deps --list lacks $p" >&2; return 1; }
    done
}
