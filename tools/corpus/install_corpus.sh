#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages whose music makes the training corpus (tools/corpus/packages.tsv),
# or, given package names, those packages (the other corpus tools' dependencies).
# Idempotent and quiet: packages already installed are not touched; prints only what it installs.
set -eu
here=$(dirname "$0")
missing=""
packages=${*:-$(grep -v '^#' "$here/packages.tsv" | cut -f1)}
for pkg in $packages; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
[ -z "$missing" ] && exit 0
echo "install_corpus: installing$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
