#!/usr/bin/env bats
# Issue 4: the hvt flavour's binaries must be valid Solo5 hvt binaries, the
# same file booting under solo5-hvt.  There is no solo5-hvt here, so its
# acceptance rules are applied by tests/tools/solo5check.c, a spec-literal
# implementation of SOLO5_HVT_ABI.md 1.3, 3 and 4.2 that shares nothing
# with wisp's own validator.  Every built build/tests/guests-hvt/*.hvt must
# pass it; broken copies of an hvt binary (patched here with od/dd at
# offsets read from the file, independently of solo5check) must be
# rejected for the rule solo5-hvt would reject them for; wisp-isolated
# binaries must be rejected (no ABI1 note).  No KVM needed.
# Build first: make all.

load helpers

SOLO5CHECK="$TOOLS/solo5check"
HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

setup() {
    [ -x "$SOLO5CHECK" ] || { echo "$SOLO5CHECK is not built: run make all" >&2; return 1; }
}

# need_hvt NAME: skip unless build/tests/guests-hvt/NAME.hvt is built.
need_hvt() {
    [ -f "$HVT_GUESTS/$1.hvt" ] || skip "$HVT_GUESTS/$1.hvt is not built (make all)"
}

# ---- reading and patching an ELF file, little-endian, without solo5check ----
# rd FILE OFF N: the N-byte (1, 2, 4, 8) little-endian unsigned at OFF, decimal.
rd() {
    od -An -v -t "u$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '
}

# wr FILE OFF N VALUE: store VALUE as N little-endian bytes at OFF, in place.
wr() {
    local f=$1 off=$2 n=$3 v=$4 i esc=""
    for ((i = 0; i < n; i++)); do
        esc+=$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))
    done
    printf "$esc" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# ELF64 offsets: e_type 16, e_entry 24, e_phoff 32, e_phnum 56; phdr fields
# p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_paddr 24, p_filesz 32,
# p_memsz 40, p_align 48; 56 bytes per phdr.
phdr() { echo $(($(rd "$1" 32 8) + 56 * $2)); }
phnum() { rd "$1" 56 2; }

# load_phdr FILE K: offset of the K-th (0-based) PT_LOAD with p_filesz > 0.
load_phdr() {
    local f=$1 k=$2 i p n
    n=$(phnum "$f")
    for ((i = 0; i < n; i++)); do
        p=$(phdr "$f" "$i")
        if [ "$(rd "$f" "$p" 4)" = 1 ] && [ "$(rd "$f" $((p + 32)) 8)" != 0 ]; then
            if [ "$k" = 0 ]; then echo "$p"; return 0; fi
            k=$((k - 1))
        fi
    done
    return 1
}

# note_phdr FILE TYPE: offset of the phdr of the PT_NOTE whose first note
# has n_type TYPE (decimal).
note_phdr() {
    local f=$1 t=$2 i p n
    n=$(phnum "$f")
    for ((i = 0; i < n; i++)); do
        p=$(phdr "$f" "$i")
        if [ "$(rd "$f" "$p" 4)" = 4 ] && [ "$(rd "$f" $(($(rd "$f" $((p + 8)) 8) + 8)) 4)" = "$t" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
ABI1=$((0x31494241))
MFT1=$((0x3154464d))

# abi_desc FILE / mft_desc FILE: file offset of the ABI1 descriptor (note
# offset 20) and of the MFT1 descriptor (note offset 24: 4 bytes padding).
abi_note() { rd "$1" $(($(note_phdr "$1" $ABI1) + 8)) 8; }
mft_note() { rd "$1" $(($(note_phdr "$1" $MFT1) + 8)) 8; }
abi_desc() { echo $(($(abi_note "$1") + 20)); }
mft_desc() { echo $(($(mft_note "$1") + 24)); }

# copy NAME: $f = a private copy of NAME.hvt (skips if not built).
copy() {
    need_hvt "$1"
    f="$BATS_TEST_TMPDIR/$1.hvt"
    cp "$HVT_GUESTS/$1.hvt" "$f"
    chmod u+w "$f"
}

# expect_rejected TEXT [OPTIONS]: solo5check rejects $f, status 1, and its
# one verdict line is "$f: REJECTED: ..." containing TEXT.
expect_rejected() {
    local text=$1
    shift
    run "$SOLO5CHECK" "$@" "$f"
    assert_status 1
    assert_output_has "$f: REJECTED: "
    assert_output_has "$text"
    assert_output_lacks ": ok ("
}

# reject GUEST TEXT PATCH...: the negative controls' one sequence.  $f =
# a fresh copy of GUEST.hvt with each PATCH ("OFFSET N VALUE", stored as by
# wr; OFFSET and VALUE may use the offset helpers on "$f": they are
# evaluated in order, once the copy exists), then expect_rejected TEXT.
reject() {
    local guest=$1 text=$2 patch
    shift 2
    copy "$guest"
    for patch in "$@"; do
        eval "wr \"\$f\" $patch"
    done
    expect_rejected "$text"
}

# expect_ok [OPTIONS]: solo5check accepts $f.
expect_ok() {
    run "$SOLO5CHECK" "$@" "$f"
    assert_status 0
    assert_output_has "$f: ok (solo5-hvt would load it: "
    assert_output_lacks "REJECTED"
}

# ---- the built hvt binaries ------------------------------------------------

@test "solo5 abi: every built guests-hvt/*.hvt passes solo5-hvt's acceptance rules" {
    local bins=("$HVT_GUESTS"/*.hvt) b
    [ -f "${bins[0]}" ] || skip "no build/tests/guests-hvt/*.hvt is built (make all)"
    run "$SOLO5CHECK" "${bins[@]}"
    assert_status 0
    for b in "${bins[@]}"; do
        assert_output_has "$b: ok (solo5-hvt would load it: "
    done
    assert_output_lacks "REJECTED"
    assert_output_lacks "ERROR"
}

@test "solo5 abi: every hvt binary also passes at --mem=4096 (what Solo5's tests use) and at --mem=4" {
    local bins=("$HVT_GUESTS"/*.hvt)
    [ -f "${bins[0]}" ] || skip "no build/tests/guests-hvt/*.hvt is built (make all)"
    run "$SOLO5CHECK" --mem=4096 "${bins[@]}"
    assert_status 0
    run "$SOLO5CHECK" --mem=4 "${bins[@]}"
    assert_status 0
}

@test "solo5 abi: every hvt binary carries PT_INTERP /nonexistent/solo5/ and starts .text at 0x100020" {
    local bins=("$HVT_GUESTS"/*.hvt) b
    [ -f "${bins[0]}" ] || skip "no build/tests/guests-hvt/*.hvt is built (make all)"
    run "$SOLO5CHECK" "${bins[@]}"
    assert_status 0
    for b in "${bins[@]}"; do
        assert_output_has "$b: note: PT_INTERP \"/nonexistent/solo5/\""
        assert_output_has "$b: note: e_entry and .text at 0x100020"
    done
}

@test "solo5 abi: the device counts come from the manifests (hello 0, blktype 2, blk63 63)" {
    need_hvt hello
    need_hvt blktype
    need_hvt blk63
    run "$SOLO5CHECK" "$HVT_GUESTS/hello.hvt" "$HVT_GUESTS/blktype.hvt" "$HVT_GUESTS/blk63.hvt"
    assert_status 0
    assert_output_has "hello.hvt: ok (solo5-hvt would load it: 3 PT_LOADs, 0 devices)"
    assert_output_has "blktype.hvt: ok (solo5-hvt would load it: 3 PT_LOADs, 2 devices)"
    assert_output_has "blk63.hvt: ok (solo5-hvt would load it: 3 PT_LOADs, 63 devices)"
}

@test "solo5 abi: the patch helpers read hello.hvt as readelf does" {
    copy hello
    local entry notes
    entry=$(readelf -hW "$f" | awk '/Entry point address/ {print $4}')
    [ "$(printf '0x%x' "$(rd "$f" 24 8)")" = "$entry" ]
    notes=$(readelf -lW "$f" | awk '$1 == "NOTE" {print $2}' | xargs printf '%d\n')
    grep -qx "$(abi_note "$f")" <<<"$notes"
    grep -qx "$(mft_note "$f")" <<<"$notes"
    [ "$(rd "$f" "$(abi_desc "$f")" 4)" = 1 ]           # target hvt
    [ "$(rd "$f" $(($(abi_desc "$f") + 4)) 4)" = 2 ]    # version 2
    [ "$(rd "$f" "$(mft_desc "$f")" 4)" = 1 ]           # manifest version 1
    [ "$(rd "$f" $(($(load_phdr "$f" 0) + 16)) 8)" = $((0x100000)) ]
}

# ---- wisp-isolated binaries are not Solo5 binaries -------------------------

@test "solo5 abi: wisp-isolated binaries (guests/*.wisp) are rejected: no ABI1 note" {
    local bins=("$GUESTS"/*.wisp) b
    [ -f "${bins[0]}" ] || skip "no build/tests/guests/*.wisp is built (make all)"
    run "$SOLO5CHECK" "${bins[@]}"
    assert_status 1
    for b in "${bins[@]}"; do
        assert_output_has "$b: REJECTED: No Solo5 ABI information found"
    done
    assert_output_lacks ": ok ("
}

@test "solo5 abi: one rejected file among good ones makes the status 1, the others still ok" {
    need_hvt hello
    need_hvt quiet
    f="$BATS_TEST_TMPDIR/hello.hvt"
    cp "$HVT_GUESTS/hello.hvt" "$f"
    wr "$f" 16 2 3
    run "$SOLO5CHECK" "$HVT_GUESTS/quiet.hvt" "$f" "$HVT_GUESTS/hello.hvt"
    assert_status 1
    assert_output_has "quiet.hvt: ok ("
    assert_output_has "$HVT_GUESTS/hello.hvt: ok ("
    assert_output_has "$f: REJECTED: "
}

# ---- negative controls: ELF header (ehdr_is_valid) ---------------------------

@test "solo5 reject: ET_DYN (PIE)" {
    reject hello "ehdr_is_valid (elf header invalid while loading note): e_type 3 != ET_EXEC (2)" '16 2 3'
}

@test "solo5 reject: ELFCLASS32" {
    reject hello "EI_CLASS 1 != ELFCLASS64 (2)" '4 1 1'
}

@test "solo5 reject: big-endian data" {
    reject hello "EI_DATA 2 != ELFDATA2LSB (1)" '5 1 2'
}

@test "solo5 reject: e_machine i386" {
    reject hello "e_machine 3 != EM_X86_64 (62)" '18 2 3'
}

@test "solo5 reject: e_phentsize 64, e_ehsize 52, e_phnum 0, e_version 0" {
    reject hello "e_phentsize 64 != 56" '54 2 64'
    reject hello "e_ehsize 52 != 64" '52 2 52'
    reject hello "e_phnum 0 < 1" '56 2 0'
    reject hello "e_version 0 != EV_CURRENT (1)" '20 4 0'
}

@test "solo5 reject: OSABI and ABIVERSION are not checked (accepted)" {
    copy hello
    wr "$f" 7 1 255
    wr "$f" 8 1 7
    expect_ok
}

@test "solo5 reject: program headers past the end of the file (short read)" {
    reject hello "short read of the program headers" '32 8 $(($(stat -c %s "$f") - 100))'
}

@test "solo5 reject: a file truncated inside the ELF header" {
    copy hello
    truncate -s 40 "$f"
    expect_rejected "short read of the ELF header (file is 40 bytes < 64)"
}

# ---- entry point -------------------------------------------------------------

@test "solo5 reject: entry point below 1 MiB" {
    reject hello "entry point: e_entry 0xfffff outside [0x100000, mem_size 0x20000000)" '24 8 $((0xfffff))'
}

@test "solo5 reject: entry point at mem_size; --mem is rounded down to 2 MiB as solo5-hvt does" {
    copy hello
    wr "$f" 24 8 $((0x400000))
    expect_ok
    expect_rejected "e_entry 0x400000 outside [0x100000, mem_size 0x400000)" --mem=4
    expect_rejected "mem_size 0x400000)" --mem=5
    expect_ok --mem=6
}

@test "solo5 check: --mem=0 and --mem above 4096 are usage errors" {
    need_hvt hello
    run "$SOLO5CHECK" --mem=0 "$HVT_GUESTS/hello.hvt"
    assert_status 2
    run "$SOLO5CHECK" --mem=4097 "$HVT_GUESTS/hello.hvt"
    assert_status 2
    run "$SOLO5CHECK" --mem=x "$HVT_GUESTS/hello.hvt"
    assert_status 2
}

# ---- negative controls: PT_LOAD rules (elf_load) ------------------------------
# Patches name the K-th file-backed PT_LOAD's header: $(load_phdr "$f" K) +
# field offset (p_flags 4, p_offset 8, p_vaddr 16, p_filesz 32, p_memsz 40,
# p_align 48).

@test "solo5 reject: a W+X segment" {
    reject hello "p_flags 0x7 requests WRITE and EXEC permissions" '$(($(load_phdr "$f" 0) + 4)) 4 7'
}

@test "solo5 reject: a W+X segment that is not the first (.data made RWX)" {
    reject hello "p_flags 0x3 requests WRITE and EXEC permissions" '$(($(load_phdr "$f" 2) + 4)) 4 3'
}

@test "solo5 reject: p_align 0" {
    reject hello "p_align 0x0 is not a non-zero power of two" '$(($(load_phdr "$f" 0) + 48)) 8 0'
}

@test "solo5 reject: p_align not a power of two (0x3000)" {
    reject hello "p_align 0x3000 is not a non-zero power of two" \
        '$(($(load_phdr "$f" 1) + 48)) 8 $((0x3000))'
}

@test "solo5 reject: a segment below 1 MiB" {
    reject hello "p_vaddr 0x80000 < 0x100000" '$(($(load_phdr "$f" 0) + 16)) 8 $((0x80000))'
}

@test "solo5 reject: an aligned start below 1 MiB (p_align 2 MiB)" {
    reject hello "aligned start 0x0 (p_vaddr 0x100000, p_align 0x200000) < 0x100000" \
        '$(($(load_phdr "$f" 0) + 48)) 8 $((0x200000))'
}

@test "solo5 reject: segments out of ascending order" {
    reject hello "p_vaddr 0x101000 below the previous segment's 0x102000" \
        '$(($(load_phdr "$f" 2) + 16)) 8 $((0x101000))'
}

@test "solo5 reject: overlapping segments" {
    reject hello "aligned start 0x101000 overlaps the previous segment, which ends at 0x102000" \
        '$(($(load_phdr "$f" 1) + 16)) 8 $((0x101000))'
}

@test "solo5 reject: a segment at or above mem_size, and one whose end passes it" {
    reject hello "p_vaddr 0x20000000 >= mem_size 0x20000000" \
        '$(($(load_phdr "$f" 2) + 16)) 8 $((0x20000000))'
    reject hello "aligned end 0x20001000" \
        '$(($(load_phdr "$f" 2) + 16)) 8 $((0x1ffff000))' \
        '$(($(load_phdr "$f" 2) + 40)) 8 $((0x2000))'
    reject hello "p_vaddr + p_filesz = 0x20000001 > mem_size 0x20000000" \
        '$(($(load_phdr "$f" 2) + 16)) 8 $((0x1ffff000))' \
        '$(($(load_phdr "$f" 2) + 32)) 8 $((0x1001))' \
        '$(($(load_phdr "$f" 2) + 40)) 8 $((0x1001))'
}

@test "solo5 reject: p_vaddr + p_memsz overflows" {
    reject hello "p_vaddr 0x103000 + p_memsz 0xfffffffffffff000 overflows" \
        '$(($(load_phdr "$f" 2) + 40)) 8 -4096'
}

@test "solo5 reject: p_memsz < p_filesz" {
    local p filesz
    copy hello
    p=$(load_phdr "$f" 2)
    filesz=$(rd "$f" $((p + 32)) 8) # the data segment's, whatever the library's size
    wr "$f" $((p + 40)) 8 1
    expect_rejected "$(printf 'p_memsz 0x1 < p_filesz 0x%x' "$filesz")"
}

@test "solo5 reject: a segment not on 4 KiB boundaries (p_align 16)" {
    reject hello "aligned start 0x103000 or end 0x103040 is not 4 KiB-aligned (p_align 0x10)" \
        '$(($(load_phdr "$f" 2) + 48)) 8 16'
}

@test "solo5 reject: a segment whose bytes are not all in the file" {
    reject hello "short read: p_offset" '$(($(load_phdr "$f" 2) + 8)) 8 $(($(stat -c %s "$f") - 8))'
}

@test "solo5 check: a p_filesz 0 PT_LOAD (.bss) is not checked, as in solo5-hvt" {
    copy hello
    local i p n
    n=$(phnum "$f")
    for ((i = 0; i < n; i++)); do
        p=$(phdr "$f" "$i")
        if [ "$(rd "$f" "$p" 4)" = 1 ] && [ "$(rd "$f" $((p + 32)) 8)" = 0 ] &&
            [ "$(rd "$f" $((p + 40)) 8)" != 0 ]; then
            wr "$f" $((p + 4)) 4 7                      # RWX
            wr "$f" $((p + 16)) 8 $((0x40000000))       # 1 GiB, above mem_size
            wr "$f" $((p + 48)) 8 0                     # p_align 0
            expect_ok
            assert_output_has "has p_filesz 0: solo5-hvt neither checks nor loads it"
            return 0
        fi
    done
    echo "no .bss PT_LOAD in $f" >&2
    return 1
}

# ---- negative controls: the ABI1 note ---------------------------------------
# abi_desc: target (+0), version (+4); abi_note: n_namesz (+0), n_descsz
# (+4), owner name (+12).

@test "solo5 reject: ABI1 target 2 (spt)" {
    reject hello "abi_target 2 != 1 (hvt): Executable is not for the solo5-hvt target" \
        '$(abi_desc "$f") 4 2'
}

@test "solo5 reject: ABI version 3, and version 1" {
    reject hello "abi_version 3 != 2" '$(($(abi_desc "$f") + 4)) 4 3'
    reject hello "abi_version 1 != 2" '$(($(abi_desc "$f") + 4)) 4 1'
}

@test "solo5 reject: ABI1 n_descsz 0, 33 (max 32), and 32 past the segment" {
    need_hvt hello
    local phdr_index
    phdr_index=$(( ($(note_phdr "$HVT_GUESTS/hello.hvt" $ABI1) - $(rd "$HVT_GUESTS/hello.hvt" 32 8)) / 56 ))
    reject hello "ABI1 note (phdr[$phdr_index]): n_descsz 0 outside [1, 32]" '$(($(abi_note "$f") + 4)) 4 0'
    reject hello "n_descsz 33 outside [1, 32]" '$(($(abi_note "$f") + 4)) 4 33'
    reject hello "p_filesz 36 < 20 + n_descsz 32" '$(($(abi_note "$f") + 4)) 4 32'
}

@test "solo5 reject: ABI1 owner name wrong or n_namesz 5: no ABI note found" {
    reject hello "No Solo5 ABI information found" '$(($(abi_note "$f") + 12)) 1 $((0x73))' # "solo5"
    reject hello "No Solo5 ABI information found" '$(abi_note "$f") 4 5'
}

@test "solo5 reject: a PT_NOTE with p_filesz < 12 makes the file invalid; < 20 only skips it" {
    need_hvt hello
    local phdr_index
    phdr_index=$(( ($(note_phdr "$HVT_GUESTS/hello.hvt" $ABI1) - $(rd "$HVT_GUESTS/hello.hvt" 32 8)) / 56 ))
    reject hello "ABI1 lookup: phdr[$phdr_index].p_filesz note does not fall within valid size (8 < 12)" \
        '$(($(note_phdr "$f" $ABI1) + 32)) 8 8'
    reject hello "No Solo5 ABI information found" '$(($(note_phdr "$f" $ABI1) + 32)) 8 16'
}

@test "solo5 reject: only a PT_NOTE's first note is examined (manifest as second note)" {
    copy hello
    local pa pm
    pa=$(note_phdr "$f" $ABI1)
    pm=$(note_phdr "$f" $MFT1)
    # The manifest's PT_NOTE now starts at the ABI1 note and covers both.
    wr "$f" $((pm + 32)) 8 $(($(rd "$f" $((pm + 8)) 8) + $(rd "$f" $((pm + 32)) 8) - $(rd "$f" $((pa + 8)) 8)))
    wr "$f" $((pm + 8)) 8 "$(rd "$f" $((pa + 8)) 8)"
    expect_rejected "No Solo5 manifest found in executable"
}

# ---- negative controls: the MFT1 note and mft_validate --------------------
# mft_desc: version (+0), entries (+4), then 104-byte entries from +8: name
# (+0, 68 bytes), type (+68), attached (+96).

@test "solo5 reject: MFT1 descsz 1 (Solo5's test_buggyelf)" {
    reject hello "note does not fall within valid size" '$(($(mft_note "$f") + 4)) 4 1'
    assert_output_has "INV_EXE"
}

@test "solo5 reject: MFT1 descsz 6669 (max 6668)" {
    need_hvt hello
    local phdr_index
    phdr_index=$(( ($(note_phdr "$HVT_GUESTS/hello.hvt" $MFT1) - $(rd "$HVT_GUESTS/hello.hvt" 32 8)) / 56 ))
    reject hello "MFT1 note (phdr[$phdr_index]): n_descsz 6669 outside [1, 6668]" \
        '$(($(mft_note "$f") + 4)) 4 6669'
}

@test "solo5 reject: MFT1 descsz 8 (note size 4 < 8)" {
    reject hello "mft_validate: note size 4 (n_descsz 8 - 4) < 8" '$(($(mft_note "$f") + 4)) 4 8'
}

@test "solo5 reject: no manifest note" {
    reject hello "No Solo5 manifest found in executable" '$(note_phdr "$f" $MFT1) 4 0' # PT_NULL
}

@test "solo5 reject: manifest version 2" {
    reject hello "mft_validate: version 2 != 1" '$(mft_desc "$f") 4 2'
}

@test "solo5 reject: manifest entries 65, 2 (size mismatch), 0" {
    reject hello "mft_validate: entries 65 > 64" '$(($(mft_desc "$f") + 4)) 4 65'
    reject hello "mft_validate: note size 112 != 8 + 104 x 2 entries = 216" '$(($(mft_desc "$f") + 4)) 4 2'
    reject hello "mft_validate: entries 0 < 1" \
        '$(($(mft_desc "$f") + 4)) 4 0' \
        '$(($(mft_note "$f") + 4)) 4 12' \
        '$(($(note_phdr "$f" $MFT1) + 32)) 8 32'
}

@test "solo5 reject: reserved entry 0 with another type, or with a name" {
    reject hello "mft_validate: e[0].type 0x1 != RESERVED_FIRST (1<<30)" '$(($(mft_desc "$f") + 8 + 68)) 4 1'
    reject hello "mft_validate: e[0].name[0] 0x41 != 0" '$(($(mft_desc "$f") + 8)) 1 $((0x41))'
}

@test "solo5 reject: manifest entry 0 marked attached" {
    reject hello "mft_validate: e[0].attached 0x01 != false" '$(($(mft_desc "$f") + 8 + 96)) 1 1'
}

@test "solo5 reject: a device entry marked attached (blktype, entry 2)" {
    reject blktype "mft_validate: e[2].attached 0x01 != false" '$(($(mft_desc "$f") + 8 + 2 * 104 + 96)) 1 1'
}

@test "solo5 reject: a device name without its NUL at name[67]" {
    reject blktype "mft_validate: e[1].name[67] 0x78 != 0" '$(($(mft_desc "$f") + 8 + 104 + 67)) 1 $((0x78))'
}

@test "solo5 check: only e[0].name[0] of the reserved entry is checked (accepted)" {
    copy hello
    wr "$f" $(($(mft_desc "$f") + 8 + 1)) 1 $((0x41))
    expect_ok
}

# ---- the tool itself ------------------------------------------------------------

@test "solo5 check: a directory, a FIFO and a missing file are refused, not read" {
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    run timeout 10 "$SOLO5CHECK" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/fifo" "$BATS_TEST_TMPDIR/none"
    assert_status 1
    assert_output_has "$BATS_TEST_TMPDIR: ERROR: not a regular file"
    assert_output_has "$BATS_TEST_TMPDIR/fifo: ERROR: not a regular file"
    assert_output_has "$BATS_TEST_TMPDIR/none: ERROR: cannot open"
}

@test "solo5 check: a file over 256 MiB is refused (sparse)" {
    f="$BATS_TEST_TMPDIR/big"
    truncate -s 257M "$f"
    run "$SOLO5CHECK" "$f"
    assert_status 1
    assert_output_has "larger than solo5check's limit of 256 MiB"
}

@test "solo5 check: no file is a usage error" {
    run "$SOLO5CHECK"
    assert_status 2
    run "$SOLO5CHECK" --mem=64
    assert_status 2
}
