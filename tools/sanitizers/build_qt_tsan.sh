#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds QtCore with ThreadSanitizer from the source of the Qt Debian installed, for
# `tools/sanitize.sh --thread`.
#
#   tools/sanitizers/build_qt_tsan.sh [OUT]      (OUT defaults to build-qt-tsan next to build-tsan)
#
# Why: Debian's QtCore is not instrumented, and its QMutex is futex-based, so TSan cannot see the
# locking that orders every queued call and queued signal between the GUI and worker threads; a
# run against it reports each such hand-off as a race. With this QtCore first on LD_LIBRARY_PATH
# (sanitize.sh does that when OUT/lib/libQt6Core.so.6 exists) TSan sees Qt's own synchronisation.
# Only QtCore is rebuilt: event delivery, QThread, QMutex and atomics all live there, and
# Debian's QtGui/QtWidgets load it in place of their own (same version, same symbol versions).
#
# The source is the Debian source package of the installed libqt6core6 (downloaded from the
# Debian pool unless OUT/src already holds it), Debian's patches applied, configured with
# Debian's feature flags for QtCore plus -DFEATURE_sanitize_thread=ON. About 300 files: 30-60
# minutes on 2 cores. Needs g++ (the compiler build-tsan uses; one TSan runtime for both) and
# QtCore's build dependencies: libdouble-conversion-dev libb2-dev libzstd-dev libicu-dev
# libpcre2-dev libglib2.0-dev zlib1g-dev (packaging/install-deps.sh --tsan-qt installs them).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build-qt-tsan}"
version="$(dpkg-query -W -f='${Version}' libqt6core6)"
upstream="${version%%-*}"            # 6.4.2+dfsg
pool="${DEBIAN_POOL:-http://deb.debian.org/debian/pool/main/q/qt6-base}"
mkdir -p "$out/src"
src="$out/src/qt6-base-${upstream%%+*}"
if [[ ! -d "$src" ]]; then
    (
        cd "$out/src"
        for f in "qt6-base_${version}.dsc" "qt6-base_${upstream}.orig.tar.xz" "qt6-base_${version}.debian.tar.xz"; do
            [[ -f "$f" ]] || curl -fsSLO "$pool/$f"
        done
        # NOTE: the .dsc's signature cannot be checked without the uploader's key; the tarballs
        # are still checked against the .dsc's checksums.
        dpkg-source --no-check -x "qt6-base_${version}.dsc" "$(basename "$src")"
    )
fi

build="$out/build"
if [[ ! -f "$build/build.ninja" ]]; then
    # Debian's flags (debian/rules) that shape QtCore; modules other than QtCore are not built.
    cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DINSTALL_LIBDIR=lib \
        -DFEATURE_sanitize_thread=ON -DQT_BUILD_EXAMPLES=OFF -DQT_BUILD_TESTS=OFF \
        -DFEATURE_mimetype_database=OFF -DFEATURE_glib=ON -DFEATURE_icu=ON -DFEATURE_pcre2=ON \
        -DFEATURE_system_pcre2=ON -DFEATURE_doubleconversion=ON -DFEATURE_zlib=ON -DFEATURE_zstd=ON \
        -DFEATURE_system_libb2=ON -DFEATURE_rpath=OFF -DFEATURE_relocatable=OFF \
        -DFEATURE_gui=OFF -DFEATURE_widgets=OFF -DFEATURE_network=OFF -DFEATURE_sql=OFF -DFEATURE_dbus=OFF \
        -DFEATURE_testlib=OFF -DFEATURE_printsupport=OFF -DFEATURE_concurrent=OFF -DFEATURE_xml=OFF \
        -DFEATURE_opengl=OFF
fi
nice -n 19 cmake --build "$build" --target Core
mkdir -p "$out/lib"
cp -a "$build/lib/libQt6Core.so"* "$out/lib/"
echo "ThreadSanitizer QtCore: $out/lib/libQt6Core.so.6"
