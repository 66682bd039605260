#!/usr/bin/env bash
# tools/scan-commands.sh FILE...: the words that shell scripts (and README
# command blocks) run as commands, one "WORD KIND FILE" line each, sorted,
# for tests/e2e/deps.bats to check against tools/deps.txt.  A heuristic
# scanner, not a shell parser: comments and here-documents are dropped,
# then a word counts when it starts a line or follows | ; & && || $( `
# then else do (bats' @test lines and single-quoted strings other than
# those after -c are skipped: names and awk or sed programs; so are case
# patterns), or an
# absolute path /bin/, /sbin/, /usr/bin/, /usr/sbin/
# (KIND "plain": may be a word of a multi-line message, so deps.bats only
# counts it when it names a program), or follows a command wrapper: exec,
# xargs, env, command -v, time, setsid, nohup, sudo, bats' run, timeout
# N, ip netns exec NS, and the suites' own wrappers nsx and netns_bg FILE
# (KIND "wrapped": certainly run).  Words assigned (NAME=, NAME+=) are
# not commands.  FILE ending in .md: only its ```sh blocks are scanned.
set -euo pipefail

# strip FILE: the file without comments and here-document bodies.
strip() {
    case "$1" in
        *.md) awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' "$1" ;;
        *) cat "$1" ;;
    esac | awk '
        heredoc != "" { if ($0 ~ "^[ \t]*" heredoc "$") heredoc = ""; next }
        {
            line = $0
            if (match(line, /<<-?[ ]*["'"'"']?[A-Za-z_]+/)) {
                t = substr(line, RSTART, RLENGTH); gsub(/[-<"'"'"' ]/, "", t); heredoc = t
            }
            sub(/(^|[ \t])#.*$/, "", line)
            print line
        }' | grep -v '^@test ' | perl -pe "s/(?<!-c )'[^'\\n]*'/''/g" \
        | sed -E 's/^[[:space:]]*[a-zA-Z0-9_|*". -]+\)[[:space:]]*//'
}

name='[a-z][a-z0-9_.+-]*'
wrap='(exec|xargs( -[a-zA-Z0-9]+)*|env( [A-Z_]+=[^ ]*)*|command -v|time|setsid|nohup|sudo|nsx|run( -[0-9!]+| --separate-stderr)*|netns_bg [^ ]+|ip netns exec [^ ]+|timeout( -[a-z-]+)*( -s [A-Z0-9]+| -k [0-9]+)* [0-9.]+[sm]?)'
cmdpos='(^|[|;&`]|\$\(|\b(then|else|do|if|while|until))[[:space:]]*(! )?'
for f in "$@"; do
    text=$(strip "$f")
    {
        grep -oE "$cmdpos$name([^a-z0-9_.+=/-]|\$)" <<<"$text" \
            | grep -vE "$name\\+?=\$" | grep -oE "$name([^a-z0-9_.+/-]|\$)" | grep -oE "^$name" \
            | sed 's/$/ plain/' || true
        grep -oE '(^|[^a-zA-Z0-9_.$/-])/(usr/)?s?bin/[a-z][a-z0-9_.+-]*' <<<"$text" \
            | sed 's|.*/||; s/$/ plain/' || true
        chains=$(grep -oE "$cmdpos($wrap[[:space:]]+)+$name([^a-z0-9_.+/-]|\$)" <<<"$text" || true)
        grep -oE "$name[^a-z0-9_.+/-]?\$" <<<"$chains" | grep -oE "^$name" \
            | sed 's/$/ wrapped/' || true
        grep -oE '\b(xargs|env|time|setsid|nohup|sudo|ip|timeout)\b' <<<"$chains" \
            | sed 's/$/ plain/' || true
    } | sed "s|\$| $f|"
done | sort -u
