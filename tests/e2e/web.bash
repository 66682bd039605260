# Shared by httpd.bats and https.bats (load after helpers and netns): the
# site and certificates made at test time, booting a web example in the
# test's namespace, and raw clients for bad input.  The guest is 10.0.0.2
# on tap0, the host side 10.0.0.1.

EXAMPLES="${WISP_EXAMPLES:-$TOP/build/examples}"
WEB_IP=10.0.0.2

# require_web_tools: skip unless the clients the suites use are installed.
require_web_tools() {
    local t
    for t in curl openssl socat tar sha256sum; do
        command -v "$t" >/dev/null || skip "no $t (tools/install-deps.sh installs it)"
    done
}

# make_site: a site in $BATS_TEST_TMPDIR/site and its ustar archive
# $SITE_TAR: index.html, a directory with its own index, a stylesheet, a
# name in the ustar prefix field (over 100 bytes) and a 1 MiB random file.
make_site() {
    SITE="$BATS_TEST_TMPDIR/site"
    LONG_DIR="a-directory-name-long-enough/to-need-the-prefix-field-of-the-ustar-header/when-combined-with"
    mkdir -p "$SITE/sub" "$SITE/$LONG_DIR"
    printf '<!doctype html>\n<title>wisp</title>\n<h1>Hello from a wisp unikernel</h1>\n' >"$SITE/index.html"
    printf '<h1>sub</h1>\n' >"$SITE/sub/index.html"
    printf 'body { color: #333 }\n' >"$SITE/sub/style.css"
    printf 'deep\n' >"$SITE/$LONG_DIR/the-file-name.txt"
    head -c 1048576 /dev/urandom >"$SITE/big.bin"
    SITE_TAR="$BATS_TEST_TMPDIR/site.tar"
    (cd "$SITE" && tar --format=ustar -cf "$SITE_TAR" .)
}

# make_pki KIND: a root CA, an intermediate CA and a server certificate for
# IP 10.0.0.2, all KIND keys (ec: P-256 ECDSA, rsa: RSA 2048), in
# $BATS_TEST_TMPDIR/pki; $TLS_TAR holds cert.pem (server then
# intermediate) and key.pem; clients trust only $ROOT_PEM.
make_pki() {
    local kind=$1 d="$BATS_TEST_TMPDIR/pki" newkey
    mkdir -p "$d"
    case $kind in
    ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) newkey=(-newkey rsa:2048) ;;
    esac
    openssl req -x509 "${newkey[@]}" -nodes -keyout "$d/root.key" -out "$d/root.pem" -days 2 \
        -subj /CN=wisp-test-root -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req "${newkey[@]}" -nodes -keyout "$d/int.key" -out "$d/int.csr" \
        -subj /CN=wisp-test-intermediate 2>/dev/null
    printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$d/int.ext"
    openssl x509 -req -in "$d/int.csr" -CA "$d/root.pem" -CAkey "$d/root.key" -CAcreateserial \
        -out "$d/int.pem" -days 2 -extfile "$d/int.ext" 2>/dev/null
    openssl req "${newkey[@]}" -nodes -keyout "$d/key.pem" -out "$d/leaf.csr" -subj "/CN=$WEB_IP" 2>/dev/null
    printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$WEB_IP" >"$d/leaf.ext"
    openssl x509 -req -in "$d/leaf.csr" -CA "$d/int.pem" -CAkey "$d/int.key" -CAcreateserial \
        -out "$d/leaf.pem" -days 2 -extfile "$d/leaf.ext" 2>/dev/null
    cat "$d/leaf.pem" "$d/int.pem" >"$d/cert.pem"
    TLS_TAR="$BATS_TEST_TMPDIR/tls.tar"
    (cd "$d" && tar --format=ustar -cf "$TLS_TAR" cert.pem key.pem)
    ROOT_PEM="$d/root.pem"
}

# start_web BINARY WISP-ARGS... [-- GUEST-ARGS...]: boot an example
# (build/examples/BINARY: httpd.wisp, https.hvt, ...) on tap0 with the site
# on "www" and wait for its "serving" line; $WEB_PID, $OUT.
start_web() {
    local bin=$1 opts=() line
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    OUT="$BATS_TEST_TMPDIR/guest.out"
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 900 "$WISP" --mem=128 --net:service0=tap0 --block-ro:www="$SITE_TAR" \
        "${opts[@]}" -- "$EXAMPLES/$bin" --ipv4=$WEB_IP/24 "$@"
    WEB_PID=$BG_PID
    case $bin in
    httpd.*) line="httpd: serving block device 'www' on port 80 (HTTP)" ;;
    https.*) line="https: serving block device 'www' on port 443 (TLS 1.2)" ;;
    esac
    wait_for_line "$OUT" "$line" "${WEB_BOOT_SECONDS:-30}" "$WEB_PID"
}

# web_alive: the guest is still running and never reported a crash.
web_alive() {
    if ! kill -0 "$WEB_PID" 2>/dev/null || grep -q 'wisp: guest' "$OUT"; then
        echo "the service ended or crashed; its output:" >&2
        cat "$OUT" >&2
        return 1
    fi
}

# raw_http PORT: send stdin to the service (plain TCP) and print what comes
# back until the service closes (at most 15 s).
raw_http() {
    nsx timeout 15 socat -t 5 - "TCP:$WEB_IP:$1"
}

# raw_https: the same over TLS, verifying the chain against $ROOT_PEM.
raw_https() {
    nsx timeout 15 openssl s_client -quiet -verify_return_error -CAfile "$ROOT_PEM" \
        -connect "$WEB_IP:443" 2>/dev/null
}

# status_line: the first line of stdin without its CR.
status_line() {
    head -n 1 | tr -d '\r'
}
