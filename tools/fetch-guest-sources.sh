#!/bin/sh
# fetch-guest-sources.sh: fetch the sources of the guest libraries (newlib,
# lwIP, mbedTLS) from Debian's archive, verify them and unpack them once
# into build/guest-src/ (GUEST_STACK.md).  A second run finds the stamp and
# does nothing.  Needs root (or sudo) for apt the first time only.
#
#   tools/fetch-guest-sources.sh [DEST]        (DEST default build/guest-src)
#
# - newlib comes from the binary package newlib-source (a tarball under
#   /usr/src/newlib); lwIP and mbedTLS from their source packages, through
#   `apt-get source` at pinned versions.
# - deb-src entries: when the configured apt sources (sources.list and
#   sources.list.d/*.list / *.sources) serve no source package of the pinned
#   version, the script writes /etc/apt/sources.list.d/wisp-deb-src.sources
#   with the URIs and suites of the machine's own `deb` entries for this
#   release (never a hard-coded host) and runs apt-get update.
# - Verification: the sha256 of every upstream tarball is pinned below;
#   dpkg-source also checks the .dsc's checksums of each file it unpacks.
set -eu

prog=fetch-guest-sources
top=$(cd -- "$(dirname -- "$0")/.." && pwd -P)
dest=${1:-$top/build/guest-src}

NEWLIB_DEB_VERSION=3.3.0-1.3+deb12u1
NEWLIB_TARBALL=/usr/src/newlib/newlib-3.3.0.tar.xz
NEWLIB_SHA256=c6f3a88b9d93420904241b231ca8647303be3bfb3cfef6adc8d1ea9207291033
LWIP_VERSION=2.1.3+dfsg1-2
LWIP_ORIG=lwip_2.1.3+dfsg1.orig.tar.xz
LWIP_SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
MBEDTLS_VERSION=2.28.3-1
MBEDTLS_ORIG=mbedtls_2.28.3.orig.tar.gz
MBEDTLS_SHA256=3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d
DEB_SRC_FILE=/etc/apt/sources.list.d/wisp-deb-src.sources

# What the stamp records: a change of any pin refetches.
pins="newlib $NEWLIB_SHA256 lwip $LWIP_VERSION $LWIP_SHA256 mbedtls $MBEDTLS_VERSION $MBEDTLS_SHA256"
stamp=$dest/.fetched

say() { echo "==> $prog: $*"; }
die() {
    echo "$prog: error: $*" >&2
    exit 1
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pins" ]; then
    exit 0 # fetched, verified and unpacked before
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
        die "not root and no sudo: apt is needed to fetch newlib-source, lwip and mbedtls"
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
APT_LOCK="-o DPkg::Lock::Timeout=300"

apt_update() {
    say "apt-get update"
    # shellcheck disable=SC2086
    $SUDO apt-get $APT_LOCK update -qq ||
        die "apt-get update failed: is Debian's archive reachable? (see /etc/apt/sources.list*)"
}

# ---- binary packages: newlib-source, dpkg-dev (apt-get source), xz-utils,
# python3 (mbedTLS's scripts/config.py, run by mk/guest-libs.mk) ----------
missing=
for p in newlib-source dpkg-dev xz-utils python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt_update
    say "installing$missing"
    # shellcheck disable=SC2086
    $SUDO apt-get $APT_LOCK install -y -qq --no-install-recommends $missing >/dev/null ||
        die "installing$missing failed: is Debian's archive reachable?"
fi
have=$(dpkg-query -W -f='${Version}' newlib-source)
[ "$have" = "$NEWLIB_DEB_VERSION" ] ||
    say "note: newlib-source is $have, pinned $NEWLIB_DEB_VERSION (the tarball's sha256 decides)"

# ---- deb-src entries derived from the configured deb entries --------------
# deb_entries: print "URI SUITE COMPONENTS... [signed-by=KEYRING]" for every
# enabled `deb` entry of this release (its suites start with the codename).
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"

deb_entries() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # One-line format: deb [options] URI SUITE COMPONENTS...
        sed -e 's/#.*//' "$f" | awk -v cn="$codename" '
            $1 == "deb" {
                i = 2; opts = ""
                if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
                uri = $i; suite = $(i + 1)
                if (index(suite, cn) != 1) next
                comps = ""; for (j = i + 2; j <= NF; j++) comps = comps " " $j
                kr = ""; if (match(opts, /signed-by=[^] ]*/)) kr = " " substr(opts, RSTART, RLENGTH)
                print uri, suite comps kr
            }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: stanzas separated by blank lines.
        awk -v cn="$codename" '
            function flush(   n, s, u, i, j, su, ur) {
                if (types ~ /(^| )deb( |$)/ && enabled !~ /^no$/) {
                    n = split(suites, su, " "); u = split(uris, ur, " ")
                    for (i = 1; i <= u; i++) for (j = 1; j <= n; j++)
                        if (index(su[j], cn) == 1)
                            print ur[i], su[j], comps (kr != "" ? " signed-by=" kr : "")
                }
                types = uris = suites = comps = kr = enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[A-Za-z-]+:/ {
                k = tolower($1); sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
                if (k == "types") types = v; else if (k == "uris") uris = v
                else if (k == "suites") suites = v; else if (k == "components") comps = v
                else if (k == "signed-by") kr = v; else if (k == "enabled") enabled = v
            }
            END { flush() }' "$f"
    done
}

src_served() { # src_served PKG VERSION: the archive index knows this source version
    apt-cache showsrc "$1" 2>/dev/null | grep -qx "Version: $2"
}

if ! src_served lwip "$LWIP_VERSION" || ! src_served mbedtls "$MBEDTLS_VERSION"; then
    entries=$(deb_entries | sort -u)
    [ -n "$entries" ] ||
        die "no 'deb' entry for $codename in /etc/apt/sources.list*: cannot derive deb-src entries"
    if ! grep -rqsE '^[^#]*(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ ||
        [ -f "$DEB_SRC_FILE" ]; then
        say "writing $DEB_SRC_FILE (deb-src for the configured 'deb' entries of $codename)"
        tmpf=$(mktemp)
        echo "$entries" | while read -r uri suite rest; do
            comps=$(echo "$rest" | tr ' ' '\n' | grep -v '^signed-by=' | tr '\n' ' ' | sed 's/ *$//')
            kr=$(echo "$rest" | tr ' ' '\n' | sed -n 's/^signed-by=//p')
            printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$suite" "$comps"
            [ -z "$kr" ] || printf 'Signed-By: %s\n' "$kr"
            echo
        done >"$tmpf"
        {
            echo "# Written by wisp's tools/fetch-guest-sources.sh: source packages for the guest"
            echo "# libraries, from the same archives as the configured 'deb' entries."
            cat "$tmpf"
        } | $SUDO tee "$DEB_SRC_FILE" >/dev/null
        rm -f "$tmpf"
    fi
    apt_update
    src_served lwip "$LWIP_VERSION" ||
        die "the archive serves no source package lwip $LWIP_VERSION (apt-cache showsrc lwip)"
    src_served mbedtls "$MBEDTLS_VERSION" ||
        die "the archive serves no source package mbedtls $MBEDTLS_VERSION (apt-cache showsrc mbedtls)"
fi

# ---- download, verify, unpack ---------------------------------------------
check_sha256() { # check_sha256 FILE SHA256
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || die "$1: sha256 $got, expected $2 (pinned in $0)"
}

# DEST is replaced whole: only an empty directory or an earlier DEST of this
# script (it has dl/) may be.
if [ -d "$dest" ] && [ ! -d "$dest/dl" ] && [ -n "$(ls -A "$dest")" ]; then
    die "$dest exists and is not a directory this script made: refusing to replace it"
fi
rm -rf "$dest"
mkdir -p "$dest/dl"
say "unpacking newlib from $NEWLIB_TARBALL into $dest"
check_sha256 "$NEWLIB_TARBALL" "$NEWLIB_SHA256"
tar -xJf "$NEWLIB_TARBALL" -C "$dest"
[ -d "$dest/newlib-salsa/newlib" ] || die "$NEWLIB_TARBALL did not unpack to newlib-salsa/"

say "apt-get source --download-only lwip=$LWIP_VERSION mbedtls=$MBEDTLS_VERSION"
# (as root, apt warns that its _apt sandbox user cannot write here: logged)
log=$dest/fetch.log
(cd "$dest/dl" && apt-get source -qq --download-only "lwip=$LWIP_VERSION" "mbedtls=$MBEDTLS_VERSION") >"$log" 2>&1 ||
    { cat "$log" >&2; die "apt-get source failed: is Debian's archive reachable?"; }
check_sha256 "$dest/dl/$LWIP_ORIG" "$LWIP_SHA256"
check_sha256 "$dest/dl/$MBEDTLS_ORIG" "$MBEDTLS_SHA256"
for dsc in "$dest"/dl/lwip_*.dsc "$dest"/dl/mbedtls_*.dsc; do
    say "dpkg-source -x $(basename "$dsc") (checks the .dsc's checksums, applies Debian's patches)"
    # (gpgv cannot check the uploader's signature without debian-keyring:
    # logged; the archive's signed index vouches for the .dsc's checksums)
    (cd "$dest" && dpkg-source -q -x "dl/$(basename "$dsc")") >>"$log" 2>&1 ||
        { cat "$log" >&2; die "dpkg-source -x $dsc failed"; }
done
[ -d "$dest/lwip-2.1.3+dfsg1/src/core" ] || die "lwip did not unpack to lwip-2.1.3+dfsg1/"
[ -d "$dest/mbedtls-2.28.3/library" ] || die "mbedtls did not unpack to mbedtls-2.28.3/"
echo "$pins" >"$stamp"
say "guest sources ready in $dest"
