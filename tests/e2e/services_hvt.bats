#!/usr/bin/env bats
# The C-library services built for Solo5 (wisp-cc --target=hvt) pass the
# same suites as their isolated-mode builds, under wisp's compatibility
# mode: libc.bats, lwip.bats, httpd.bats, https.bats and dnsd.bats run
# unchanged on the hvt builds (build/tests/guests-hvt/*.hvt and
# build/examples/*.hvt, under the names the suites boot), wisp picking the
# mode from each binary's notes.  Every selected test must pass, none skip.

load helpers

# as_hvt SUITE FILTER MIN: run tests/e2e/SUITE.bats on the hvt builds; its
# tests whose names match FILTER all pass, none skipped, at least MIN.
as_hvt() {
    local suite=$1 filter=$2 min=$3 f
    require_kvm
    require_root
    mkdir -p "$BATS_TEST_TMPDIR/guests" "$BATS_TEST_TMPDIR/examples"
    for f in "$TOP"/build/tests/guests-hvt/*.hvt; do
        cp "$f" "$BATS_TEST_TMPDIR/guests/$(basename "$f" .hvt).wisp"
    done
    for f in "$TOP"/build/examples/*.hvt; do
        cp "$f" "$BATS_TEST_TMPDIR/examples/$(basename "$f" .hvt).wisp"
    done
    run env WISP_GUESTS="$BATS_TEST_TMPDIR/guests" WISP_EXAMPLES="$BATS_TEST_TMPDIR/examples" \
        timeout 900 bats --tap -f "$filter" "$TOP/tests/e2e/$suite.bats"
    grep -E '^(not )?ok' <<<"$output" | sed "s/^/# $suite.bats: /" >&3
    assert_status 0
    assert_output_lacks "not ok"
    assert_output_lacks "# skip"
    [ "$(grep -c '^ok ' <<<"$output")" -ge "$min" ]
}

@test "services hvt: libc.bats passes on the hvt build of its guest" {
    as_hvt libc '^libc: ' 8
}

@test "services hvt: lwip.bats (TCP echo, IPv6, DHCP, TLS) passes on the hvt builds" {
    as_hvt lwip '^lwip(:| tls:)' 7
}

@test "services hvt: httpd.bats passes on httpd.hvt" {
    as_hvt httpd '^httpd: ' 17
}

@test "services hvt: https.bats passes on https.hvt" {
    as_hvt https '^https: ' 10
}

@test "services hvt: dnsd.bats passes on dnsd.hvt" {
    as_hvt dnsd '^dnsd: ' 10
}
