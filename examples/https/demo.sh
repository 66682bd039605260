#!/bin/sh
# make demo: boot the https example in a private network namespace, with a
# certificate chain made on the spot (a throwaway CA and a server
# certificate for 10.0.0.2), fetch its page with curl verifying the chain
# against that CA, print it, and remove everything it made.  Needs root
# (namespace and tap) and /dev/kvm.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ip=10.0.0.2

[ "$(id -u)" = 0 ] || { echo "demo: needs root (a network namespace and a tap)" >&2; exit 1; }
[ -w /dev/kvm ] || { echo "demo: needs /dev/kvm" >&2; exit 1; }

tmp=$(mktemp -d)
ns="wisp-demo-$$"
pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> demo: a site and a certificate chain made now, in $tmp"
mkdir "$tmp/site"
printf '<!doctype html>\n<title>wisp</title>\n<h1>Hello over TLS from a wisp unikernel</h1>\n<p>Served by examples/https on %s.</p>\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$tmp/site/index.html"
tar --format=ustar -C "$tmp/site" -cf "$tmp/site.tar" .
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=wisp-demo-ca -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$ip" \
    -keyout "$tmp/key.pem" -out "$tmp/server.csr" 2>/dev/null
printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$ip" >"$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 1 -extfile "$tmp/san.ext" -out "$tmp/cert.pem" 2>/dev/null
tar --format=ustar -C "$tmp" -cf "$tmp/tls.tar" cert.pem key.pem

echo "==> demo: namespace $ns, tap0 10.0.0.1/24, the unikernel at $ip"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add tap0 mode tap
ip -n "$ns" addr add 10.0.0.1/24 dev tap0
ip -n "$ns" link set tap0 up
echo "==> demo: $top/build/bin/wisp --mem=128 --net:service0=tap0 --block-ro:www=site.tar --block-ro:tls=tls.tar -- build/examples/https.wisp --ipv4=$ip/24"
ip netns exec "$ns" "$top/build/bin/wisp" --mem=128 --net:service0=tap0 \
    --block-ro:www="$tmp/site.tar" --block-ro:tls="$tmp/tls.tar" -- \
    "$top/build/examples/https.wisp" --ipv4="$ip/24" >"$tmp/guest.out" 2>&1 &
pid=$!
i=0
until grep -q "^https: serving" "$tmp/guest.out"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "demo: the unikernel did not start; its output:" >&2
        cat "$tmp/guest.out" >&2
        exit 1
    fi
    sleep 0.1
done
sed 's/^/    guest| /' "$tmp/guest.out"
echo "==> demo: curl --cacert ca.pem https://$ip/  (the chain is verified; no -k)"
ip netns exec "$ns" curl -sS --fail -m 20 --cacert "$tmp/ca.pem" \
    -w '\n==> demo: HTTP %{http_code}, %{ssl_verify_result} = chain verified, %{size_download} bytes\n' \
    "https://$ip/"
echo "==> demo: stopping the unikernel and removing the namespace"
