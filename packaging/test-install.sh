#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package, installs it with apt into a fresh Debian 12 root made by
# debootstrap, and runs it there: tagscope-cli --version, models list, tag a clip, and the
# window under Xvfb (screenshot). Also checks the package with lintian, desktop-file-validate
# and appstreamcli, and greps the installed programs for build-machine paths.
# Not part of CI (needs root, the network and ~1.5 GB).
#   packaging/test-install.sh [BUILD_DIR] [ROOT_DIR]
# Needs: debootstrap, lintian, desktop-file-utils, appstream (apt-get install them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
root=${2:-/tmp/tagscope-test-root}
clip=${CLIP:-$src/../shared/audio/Kevin_MacLeod_-_Vibe_Ace.ogg}
[ "$(id -u)" -eq 0 ] || { echo "test-install: run as root (debootstrap, chroot)" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }

say "building the package"
nice -n 5 cmake --build "$build" -j2
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/tagscope_*.deb | head -n 1)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -v '/$'

say "lintian"
lintian --no-tag-display-limit "$deb" || true
say "desktop file and metainfo"
tmp=$(mktemp -d)
dpkg-deb -x "$deb" "$tmp"
desktop-file-validate "$tmp/usr/share/applications/tagscope.desktop" && echo "desktop-file-validate: ok"
appstreamcli validate --no-net "$tmp"/usr/share/metainfo/*.metainfo.xml
say "build-machine paths in the installed programs"
if strings "$tmp/usr/bin/tagscope" "$tmp/usr/bin/tagscope-cli" | grep -E "$src|/work/|$build"; then
    echo "FAIL: the programs name folders of the build machine" >&2; exit 1
fi
echo "none"
rm -rf "$tmp"

# NOTE: the mirror is the one the host's apt uses (deb822 "URIs:" or one-line "deb" entries).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -n 's/^URIs: *//p; s/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' | grep '/debian$' | head -n 1)
# NOTE: debootstrap removes $root/debootstrap/ when it has finished; a partial root is redone.
if [ ! -x "$root/usr/bin/apt-get" ] || [ -d "$root/debootstrap" ]; then
    say "debootstrap bookworm from $mirror into $root"
    rm -rf "$root"
    nice -n 19 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$build/test-install-debootstrap.log" 2>&1 ||
        { tail -n 20 "$build/test-install-debootstrap.log"; exit 1; }
    echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
    echo "deb $mirror bookworm-updates main" >>"$root/etc/apt/sources.list"
    echo "deb ${mirror%/debian}/debian-security bookworm-security main" >>"$root/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cleanup() { umount "$root/dev" 2>/dev/null || true; umount "$root/proc" 2>/dev/null || true; }
trap cleanup EXIT
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

say "apt install ./$(basename "$deb") into the fresh root"
cp "$deb" "$root/tmp/tagscope.deb"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/tagscope.deb xvfb xauth >"$build/test-install-apt.log" 2>&1 ||
    { tail -n 30 "$build/test-install-apt.log"; exit 1; }
in_root dpkg -s tagscope | grep -E '^(Version|Section|Depends|Recommends):'

say "tagscope-cli in the fresh root (empty home)"
cp "$clip" "$root/tmp/clip.ogg"
rm -rf "$root/tmp/home" && mkdir -p "$root/tmp/home"
in_root env HOME=/tmp/home tagscope-cli --version
in_root env HOME=/tmp/home tagscope --version
in_root env HOME=/tmp/home tagscope-cli models list
in_root env HOME=/tmp/home tagscope-cli tag /tmp/clip.ogg --top 8
in_root man -w tagscope tagscope-cli 2>/dev/null || ls "$root/usr/share/man/man1/" | grep tagscope

say "the window under Xvfb"
rm -f "$root/tmp/shot.png"
in_root env HOME=/tmp/home xvfb-run -a -s "-screen 0 1366x768x24" \
    timeout 600 tagscope /tmp/clip.ogg /tmp/clip.ogg --screenshot /tmp/shot.png >"$build/test-install-gui.log" 2>&1 || true
tail -n 5 "$build/test-install-gui.log"
if [ -s "$root/tmp/shot.png" ]; then
    cp "$root/tmp/shot.png" "$build/test-install-screenshot.png"
    echo "screenshot: $build/test-install-screenshot.png"
else
    echo "FAIL: no screenshot" >&2; exit 1
fi
say "ok"
