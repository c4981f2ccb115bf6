#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every build and runtime dependency of Tagscope from Debian 12's repositories.
# Idempotent (does nothing when all are present), quiet, and fails loudly.
#   packaging/install-deps.sh [--tsan-qt]
# --tsan-qt also installs what tools/sanitizers/build_qt_tsan.sh needs to build a ThreadSanitizer
# QtCore (QtCore's own build dependencies), for `tools/sanitize.sh --thread`.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread
  qt6-base-dev qt6-multimedia-dev libqt6svg6-dev libqcustomplot-dev
  qt6-image-formats-plugins libqt6multimedia6 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  libfftw3-dev libsleef-dev libsndfile1-dev libsamplerate0-dev libssl-dev libpng-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libexpected-dev
  libspdlog-dev libsqlite3-dev libtag1-dev libebur128-dev libaubio-dev
  libxgboost-dev
  xvfb xauth
  librsvg2-bin help2man
  python3-torchaudio
  clang-14 libclang-rt-14-dev
)
if [ "${1:-}" = "--tsan-qt" ]; then
  PACKAGES+=(curl dpkg-dev libdouble-conversion-dev libb2-dev libzstd-dev libicu-dev libpcre2-dev libglib2.0-dev zlib1g-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/tmp/tagscope-apt.log 2>&1; then
  cat /tmp/tagscope-apt.log >&2; echo "install-deps: apt-get update failed" >&2; exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/tagscope-apt.log 2>&1; then
  tail -n 40 /tmp/tagscope-apt.log >&2; echo "install-deps: apt-get install failed" >&2; exit 1
fi
# NOTE: Debian's libtorch uses whatever libblas.so.3 points to; make sure it is OpenBLAS
# (the reference BLAS is ~25x slower for the models' matrix products).
if [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || true
fi
echo "install-deps: done" >&2
