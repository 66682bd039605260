#!/usr/bin/env bats
# wisp-elftool: gen-manifest, query-manifest, query-abi and the command line
# (solo5-elftool compatible; SOLO5_HVT_ABI.md section 3).  Fixtures are in
# tests/elftool/.  Round trips link the generated C into a tiny static
# ET_EXEC with tests/elftool/test.ld, so they need only cc and ld.

bats_require_minimum_version 1.5.0
load helpers

FIX="$TOP/tests/elftool"

setup() {
    if [ ! -x "$WISP_ELFTOOL" ]; then
        echo "wisp-elftool is not built: $WISP_ELFTOOL (make build/bin/wisp-elftool)" >&2
        return 1
    fi
    T="$BATS_TEST_TMPDIR/work"
    mkdir -p "$T"
}

# ---- helpers ---------------------------------------------------------------

# mkmanifest N: a manifest source with N devices (net0, blk1, net2, ...).
mkmanifest() {
    local n=$1 i sep=""
    printf '{ "type": "solo5.manifest", "version": 1, "devices": [\n'
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then
            printf '%s  { "name": "blk%d", "type": "BLOCK_BASIC" }' "$sep" "$i"
        else
            printf '%s  { "name": "net%d", "type": "NET_BASIC" }' "$sep" "$i"
        fi
        sep=$',\n'
    done
    printf '\n] }\n'
}

# expected_query N: what query-manifest prints for mkmanifest N.
expected_query() {
    local n=$1 i sep
    printf '{\n  "type": "solo5.manifest",\n  "version": 1,\n  "devices": [\n'
    for ((i = 0; i < n; i++)); do
        sep=","; ((i == n - 1)) && sep=""
        if ((i % 2)); then
            printf '    { "name": "blk%d", "type": "BLOCK_BASIC" }%s\n' "$i" "$sep"
        else
            printf '    { "name": "net%d", "type": "NET_BASIC" }%s\n' "$i" "$sep"
        fi
    done
    printf '  ]\n}\n'
}

# cc_note SRC.c OBJ: compile a generated or fixture C file as wisp-cc would.
cc_note() {
    cc -std=gnu11 -Wall -Wextra -Werror -O2 -fno-pie -fno-pic -ffreestanding \
        -fno-asynchronous-unwind-tables -fcf-protection=none -fno-stack-protector \
        -I"$TOP/include" -c -o "$2" "$1"
}

# gen_and_compile SOURCE.json: gen-manifest into $T/mft.c, compile to $T/mft.o.
gen_and_compile() {
    run "$WISP_ELFTOOL" gen-manifest "$1" "$T/mft.c"
    assert_status 0
    [ -z "$output" ]
    cc_note "$T/mft.c" "$T/mft.o"
}

# le32 FILE OFFSET: the little-endian u32 at OFFSET of FILE, in decimal.
le32() {
    od -An -t u4 -j "$2" -N 4 --endian=little "$1" | tr -d ' '
}

# check_note_section OBJ ENTRIES: the object's .note.solo5.manifest is one
# MFT1 note of ENTRIES entries (header fields and size).
check_note_section() {
    local obj=$1 entries=$2 bin="$T/note.bin" size
    objcopy -O binary --only-section=.note.solo5.manifest "$obj" "$bin"
    size=$(stat -c %s "$bin")
    echo "section size $size, entries $entries" >&2
    [ "$size" -eq $((20 + 12 + 104 * entries)) ]
    [ "$(le32 "$bin" 0)" -eq 6 ]                            # n_namesz
    [ "$(le32 "$bin" 4)" -eq $((12 + 104 * entries)) ]      # n_descsz
    [ "$(le32 "$bin" 8)" -eq $((0x3154464d)) ]              # n_type "MFT1"
    [ "$(head -c 18 "$bin" | tail -c 6 | od -An -c | tr -d ' ')" = 'Solo5\0' ]
    [ "$(le32 "$bin" 24)" -eq 1 ]                           # version
    [ "$(le32 "$bin" 28)" -eq "$entries" ]                  # entries
    [ "$(le32 "$bin" $((32 + 68)))" -eq $((1 << 30)) ]      # e[0].type
    readelf -S -W "$obj" | grep -q '\.note\.solo5\.manifest *NOTE'
}

# link_elf OUT OBJS...: a static ET_EXEC from start.c plus the objects.
link_elf() {
    local out=$1
    shift
    cc_note "$FIX/start.c" "$T/start.o"
    ld -static -nostdlib -z noexecstack -z max-page-size=4096 -T "$FIX/test.ld" \
        -o "$out" "$T/start.o" "$@"
}

# expect_gen_error FIXTURE TEXT: gen-manifest FIXTURE.json fails with status
# 1, stderr exactly "wisp-elftool: PATH" + TEXT, nothing on stdout, and no
# output file (nor temporary file) is left behind.
expect_gen_error() {
    local src="$FIX/$1.json"
    run --separate-stderr "$WISP_ELFTOOL" gen-manifest "$src" "$T/out.c"
    assert_status 1
    if [ "$stderr" != "wisp-elftool: $src$2" ]; then
        echo "expected: wisp-elftool: $src$2" >&2
        echo "got:      $stderr" >&2
        return 1
    fi
    [ -z "$output" ]
    [ -z "$(ls -A "$T")" ]
}

# ---- gen-manifest: good sources ------------------------------------------------

@test "gen-manifest: 0 devices compiles to a 1-entry MFT1 note" {
    gen_and_compile "$FIX/good-0.json"
    check_note_section "$T/mft.o" 1
}

@test "gen-manifest: 1 device compiles to a 2-entry MFT1 note" {
    gen_and_compile "$FIX/good-1.json"
    check_note_section "$T/mft.o" 2
    grep -qF '{ .name = "storage", .type = MFT_DEV_BLOCK_BASIC }' "$T/mft.c"
}

@test "gen-manifest: 2 devices compile to a 3-entry MFT1 note" {
    gen_and_compile "$FIX/good-2.json"
    check_note_section "$T/mft.o" 3
}

@test "gen-manifest: 63 devices (the maximum) compile to a 64-entry, 6688-byte note" {
    mkmanifest 63 > "$T/m63.json"
    gen_and_compile "$T/m63.json"
    check_note_section "$T/mft.o" 64
    [ $((20 + 12 + 104 * 64)) -eq 6688 ]
}

@test "gen-manifest: a 67-character name is accepted" {
    gen_and_compile "$FIX/good-name-67.json"
    check_note_section "$T/mft.o" 2
}

@test "gen-manifest: the generated C checks the note size with _Static_assert" {
    gen_and_compile "$FIX/good-2.json"
    grep -q '_Static_assert(sizeof(struct wisp_mft1_note) ==' "$T/mft.c"
    # Break the entry count: the file must no longer compile.
    sed 's/^#define WISP_MFT_ENTRIES 3$/#define WISP_MFT_ENTRIES 3\n#define MFT1_NOTE_DESCSZ(n) 99/' \
        "$T/mft.c" > "$T/broken.c"
    run cc_note "$T/broken.c" "$T/broken.o"
    [ "$status" -ne 0 ]
}

@test "gen-manifest: '-' writes the C file to stdout" {
    run --separate-stderr "$WISP_ELFTOOL" gen-manifest "$FIX/good-2.json" -
    assert_status 0
    [ -z "$stderr" ]
    printf '%s\n' "$output" > "$T/stdout.c"
    "$WISP_ELFTOOL" gen-manifest "$FIX/good-2.json" "$T/file.c"
    cmp "$T/stdout.c" "$T/file.c"
}

@test "gen-manifest: writing to /dev/null works (as solo5's tests use it)" {
    run "$WISP_ELFTOOL" gen-manifest "$FIX/good-2.json" /dev/null
    assert_status 0
    [ -c /dev/null ]
}

@test "gen-manifest: replaces an existing output, leaving no temporary file" {
    echo old > "$T/out.c"
    run "$WISP_ELFTOOL" gen-manifest "$FIX/good-1.json" "$T/out.c"
    assert_status 0
    grep -q 'MFT_DEV_BLOCK_BASIC' "$T/out.c"
    [ "$(ls -A "$T")" = "out.c" ]
}

@test "gen-manifest: a failed run leaves an existing output untouched" {
    echo old > "$T/out.c"
    run "$WISP_ELFTOOL" gen-manifest "$FIX/bad-version.json" "$T/out.c"
    assert_status 1
    [ "$(cat "$T/out.c")" = old ]
    [ "$(ls -A "$T")" = "out.c" ]
}

@test "gen-manifest: an unwritable output directory is an error naming the file" {
    run --separate-stderr "$WISP_ELFTOOL" gen-manifest "$FIX/good-0.json" "$T/nodir/out.c"
    assert_status 1
    [ "$stderr" = "wisp-elftool: $T/nodir/out.c: cannot create temporary file: No such file or directory" ]
}

@test "gen-manifest / query-abi: a write error on stdout is reported, status 1" {
    [ -c /dev/full ] || skip "no /dev/full"
    run --separate-stderr bash -c '"$1" gen-manifest "$2" - > /dev/full' _ \
        "$WISP_ELFTOOL" "$FIX/good-2.json"
    assert_status 1
    [ "$stderr" = "wisp-elftool: standard output: write error: No space left on device" ]
    cc_note "$FIX/abi_solo5.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o"
    run --separate-stderr bash -c '"$1" query-abi "$2" > /dev/full' _ "$WISP_ELFTOOL" "$T/u.elf"
    assert_status 1
    [ "$stderr" = "wisp-elftool: standard output: write error: No space left on device" ]
}

# ---- gen-manifest: every error, exact text ------------------------------------

@test "gen-manifest: 64 devices: too many entries, maximum 63" {
    mkmanifest 64 > "$T/m64.json"
    run --separate-stderr "$WISP_ELFTOOL" gen-manifest "$T/m64.json" "$T/out.c"
    assert_status 1
    [ "$stderr" = "wisp-elftool: $T/m64.json: .devices[]: too many entries, maximum 63" ]
    [ ! -e "$T/out.c" ]
}

@test "gen-manifest: unknown top-level key" {
    expect_gen_error bad-unknown-key \
        ': unknown key "extra", expected only "type", "version" and "devices"'
}

@test "gen-manifest: unknown device key" {
    expect_gen_error bad-unknown-device-key \
        ': .devices[0]: unknown key "mac", expected only "name" and "type"'
}

@test "gen-manifest: bad device type" {
    expect_gen_error bad-device-type \
        ': .devices[0].type: expected "BLOCK_BASIC" or "NET_BASIC", got "NET_FANCY"'
}

@test "gen-manifest: missing device type" {
    expect_gen_error bad-device-type-missing \
        ': .devices[0].type: expected "BLOCK_BASIC" or "NET_BASIC", got nothing (missing)'
}

@test "gen-manifest: bad name: character outside [A-Za-z0-9]" {
    expect_gen_error bad-name-char \
        ': .devices[0].name: expected only characters [A-Za-z0-9], got "net-0"'
}

@test "gen-manifest: bad name: empty" {
    expect_gen_error bad-name-empty ': .devices[0].name: expected 1 to 67 characters, got 0'
}

@test "gen-manifest: bad name: 68 characters" {
    expect_gen_error bad-name-long ': .devices[0].name: expected 1 to 67 characters, got 68'
}

@test "gen-manifest: bad name: not a string" {
    expect_gen_error bad-name-number \
        ': .devices[0].name: expected a string of 1 to 67 characters [A-Za-z0-9], got 7'
}

@test "gen-manifest: duplicate device name" {
    expect_gen_error bad-duplicate-name \
        ': .devices[2].name: duplicate device name "a", first declared at .devices[0]'
}

@test "gen-manifest: wrong version" {
    expect_gen_error bad-version ': .version: expected 1, got 2'
}

@test "gen-manifest: version as a string" {
    expect_gen_error bad-version-string ': .version: expected 1, got "1"'
}

@test "gen-manifest: wrong type string" {
    expect_gen_error bad-manifest-type ': .type: expected "solo5.manifest", got "solo5.abi"'
}

@test "gen-manifest: missing devices" {
    expect_gen_error bad-missing-devices ': .devices: expected an array of devices, got nothing (missing)'
}

@test "gen-manifest: devices not an array" {
    expect_gen_error bad-devices-object ': .devices: expected an array of devices, got an object'
}

@test "gen-manifest: device not an object" {
    expect_gen_error bad-device-not-object \
        ': .devices[0]: expected an object {"name", "type"}, got "a"'
}

@test "gen-manifest: top level not an object" {
    expect_gen_error bad-top-array ': expected a JSON object at the top level, got an array'
}

@test "gen-manifest: malformed JSON is reported with line and column" {
    expect_gen_error bad-syntax ":5:28: invalid JSON: '}' expected near '\"type\"'"
}

@test "gen-manifest: duplicate JSON key" {
    expect_gen_error bad-duplicate-key ":1:51: invalid JSON: duplicate object key near '\"version\"'"
}

@test "gen-manifest: empty file" {
    expect_gen_error bad-empty ":1:0: invalid JSON: '[' or '{' expected near end of file"
}

@test "gen-manifest: missing source file" {
    expect_gen_error no-such-file ': cannot open: No such file or directory'
}

@test "gen-manifest: source is a directory" {
    run --separate-stderr "$WISP_ELFTOOL" gen-manifest "$FIX" "$T/out.c"
    assert_status 1
    [ "$stderr" = "wisp-elftool: $FIX: not a regular file" ]
}

# ---- query-manifest / query-abi ------------------------------------------------

@test "query-manifest: round trip of 2 devices, solo5-elftool's format" {
    gen_and_compile "$FIX/good-2.json"
    cc_note "$FIX/abi_solo5.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o" "$T/mft.o"
    run --separate-stderr "$WISP_ELFTOOL" query-manifest "$T/u.elf"
    assert_status 0
    [ -z "$stderr" ]
    diff -u "$FIX/good-2.query.expected" <(printf '%s\n' "$output")
}

@test "query-manifest: round trip of 0 devices prints an empty array" {
    gen_and_compile "$FIX/good-0.json"
    cc_note "$FIX/abi_wisp.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o" "$T/mft.o"
    run "$WISP_ELFTOOL" query-manifest "$T/u.elf"
    assert_status 0
    diff -u "$FIX/good-0.query.expected" <(printf '%s\n' "$output")
}

@test "query-manifest: round trip of 63 devices; its output is valid gen-manifest input" {
    mkmanifest 63 > "$T/m63.json"
    gen_and_compile "$T/m63.json"
    cc_note "$FIX/abi_solo5.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o" "$T/mft.o"
    "$WISP_ELFTOOL" query-manifest "$T/u.elf" > "$T/q.json"
    diff -u <(expected_query 63) "$T/q.json"
    run "$WISP_ELFTOOL" gen-manifest "$T/q.json" "$T/again.c"
    assert_status 0
    cmp <(sed 1d "$T/mft.c") <(sed 1d "$T/again.c")
}

@test "query-manifest: ELF without a manifest" {
    cc_note "$FIX/abi_solo5.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o"
    run --separate-stderr "$WISP_ELFTOOL" query-manifest "$T/u.elf"
    assert_status 1
    [ "$stderr" = "wisp-elftool: $T/u.elf: No Solo5 manifest found in executable" ]
    [ -z "$output" ]
}

@test "query-manifest: a non-ELF file is refused, naming the file" {
    run --separate-stderr "$WISP_ELFTOOL" query-manifest "$FIX/good-0.json"
    assert_status 1
    [[ "$stderr" == "wisp-elftool: $FIX/good-0.json: "* ]]
    [ -z "$output" ]
}

@test "query-manifest: an empty file is refused, naming the file" {
    : > "$T/empty"
    run --separate-stderr "$WISP_ELFTOOL" query-manifest "$T/empty"
    assert_status 1
    [[ "$stderr" == "wisp-elftool: $T/empty: "* ]]
}

@test "query-manifest: a missing file is refused" {
    run --separate-stderr "$WISP_ELFTOOL" query-manifest "$T/missing.wisp"
    assert_status 1
    [ "$stderr" = "wisp-elftool: $T/missing.wisp: cannot open: No such file or directory" ]
}

@test "query-abi: Solo5 hvt binary prints solo5.abi / hvt / 2" {
    cc_note "$FIX/abi_solo5.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o"
    run --separate-stderr "$WISP_ELFTOOL" query-abi "$T/u.elf"
    assert_status 0
    diff -u "$FIX/abi-solo5.expected" <(printf '%s\n' "$output")
}

@test "query-abi: wisp isolated-mode binary prints wisp.abi / isolated / WISP_ABI_VERSION" {
    local v
    v=$(sed -n 's/^#define WISP_ABI_VERSION \([0-9]*\)$/\1/p' "$TOP/include/wisp/abi.h")
    cc_note "$FIX/abi_wisp.c" "$T/abi.o"
    link_elf "$T/u.elf" "$T/abi.o"
    run "$WISP_ELFTOOL" query-abi "$T/u.elf"
    assert_status 0
    [ "$output" = "$(printf '{\n  "type": "wisp.abi",\n  "target": "isolated",\n  "version": %s\n}' "$v")" ]
}

@test "query-abi: binary without an ABI note" {
    gen_and_compile "$FIX/good-0.json"
    link_elf "$T/u.elf" "$T/mft.o"
    run --separate-stderr "$WISP_ELFTOOL" query-abi "$T/u.elf"
    assert_status 1
    # elf_parse refuses it ("not a unikernel: no wisp or Solo5 ABI note");
    # query-abi's own message covers a parser that lets it through.
    [[ "$stderr" == "wisp-elftool: $T/u.elf: "*ABI* ]]
    [ -z "$output" ]
}

@test "query-manifest and query-abi on the built test unikernels" {
    local g n=0
    for g in "$GUESTS"/*.wisp; do
        [ -f "$g" ] || continue
        n=$((n + 1))
        run "$WISP_ELFTOOL" query-abi "$g"
        assert_status 0
        assert_output_has '"target": '
        run "$WISP_ELFTOOL" query-manifest "$g"
        assert_status 0
        assert_output_has '"type": "solo5.manifest"'
        # What query-manifest prints is a valid manifest source.
        printf '%s\n' "$output" > "$T/q.json"
        "$WISP_ELFTOOL" gen-manifest "$T/q.json" /dev/null
    done
    [ "$n" -gt 0 ] || skip "no test unikernels built in $GUESTS (make all)"
}

# ---- command line ----------------------------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
    run --separate-stderr "$WISP_ELFTOOL" --help
    assert_status 0
    [ -z "$stderr" ]
    assert_output_has "usage: wisp-elftool COMMAND ARGS..."
    assert_output_has "gen-manifest SOURCE.json OUTPUT.c"
    assert_output_has "query-manifest BINARY"
    assert_output_has "query-abi BINARY"
}

@test "COMMAND --help prints the usage too" {
    run --separate-stderr "$WISP_ELFTOOL" query-abi --help
    assert_status 0
    assert_output_has "usage: wisp-elftool COMMAND ARGS..."
}

@test "--version" {
    run --separate-stderr "$WISP_ELFTOOL" --version
    assert_status 0
    [[ "$output" == "wisp-elftool "[0-9]* ]]
    assert_output_has "manifest version 1"
}

# expect_usage_error TEXT ARGS...: status 1, nothing on stdout, stderr starts
# with "wisp-elftool: TEXT" and then carries the usage.
expect_usage_error() {
    local text=$1
    shift
    run --separate-stderr "$WISP_ELFTOOL" "$@"
    assert_status 1
    [ -z "$output" ]
    [ "$(head -n 1 <<<"$stderr")" = "wisp-elftool: $text" ]
    grep -qF "usage: wisp-elftool COMMAND ARGS..." <<<"$stderr"
}

@test "no arguments: usage error" {
    expect_usage_error "missing command"
}

@test "unknown command: usage error naming it" {
    expect_usage_error "unknown command 'frobnicate'" frobnicate x
}

@test "unknown option: usage error naming it" {
    expect_usage_error "unknown option '--frob'" --frob
    expect_usage_error "query-manifest: unknown option '-x'" query-manifest -x
}

@test "wrong argument count: usage error" {
    expect_usage_error "gen-manifest: expected 2 arguments (SOURCE.json OUTPUT.c), got 1" \
        gen-manifest "$FIX/good-0.json"
    expect_usage_error "query-manifest: expected 1 argument (BINARY), got 0" query-manifest
    expect_usage_error "query-abi: expected 1 argument (BINARY), got 2" query-abi a b
}
