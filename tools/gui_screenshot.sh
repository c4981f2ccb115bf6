#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Scripted look at the window under Xvfb: opens a real clip, selects a tag, switches overlays
# on, waits for the analysis and the explanation, saves a screenshot of the window and quits.
#
#   tools/gui_screenshot.sh [build-dir] [out.png] [clip] [tag] [overlays]
#
# Defaults: build-gui, screenshot.png, ../shared/audio/Kevin_MacLeod_-_Vibe_Ace.ogg, "piano",
# "attention,relevance". TAGSCOPE_MODEL may name a card (.json) or upstream checkpoint (.pth);
# without it the window opens with its default model (the bundled student in models/).
# TAGSCOPE_SCREEN=WxH sets the virtual screen (default 1600x1000; try 1366x768 for a laptop):
# the window fits itself to the screen, and the picture is cropped to what the screen shows.
# TAGSCOPE_COMPARE=model (card id, .json or .pth) shoots the two-model split view instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-gui}"
out="${2:-$PWD/screenshot.png}"
shared="${TAGSCOPE_SHARED:-$root/../shared}"
clip="${3:-$shared/audio/Kevin_MacLeod_-_Vibe_Ace.ogg}"
tag="${4:-piano}"
overlays="${5:-attention,relevance}"
app="$build/app/tagscope"
[[ -x "$app" ]] || { echo "gui_screenshot: $app not built (cmake --build $build --target tagscope)" >&2; exit 2; }
[[ -f "$clip" ]] || { echo "gui_screenshot: clip not found: $clip" >&2; exit 2; }
args=("$clip" --screenshot "$out" --select-tag "$tag" --overlay "$overlays")
model="${TAGSCOPE_MODEL:-}"
if [[ -z "$model" && ! -f "$root/models/tagscope_mtt_student.json" && -f "$shared/models/upstream/mtat_fcn.pth" ]]; then
    model="$shared/models/upstream/mtat_fcn.pth"
fi
[[ -n "$model" ]] && args+=(--model "$model")
[[ -n "${TAGSCOPE_COMPARE:-}" ]] && args+=(--compare-model "$TAGSCOPE_COMPARE")
screen="${TAGSCOPE_SCREEN:-1600x1000}"
# NOTE: a private settings folder keeps the run reproducible and the user's settings untouched.
export XDG_CONFIG_HOME="$(mktemp -d)"
trap 'rm -rf "$XDG_CONFIG_HOME"' EXIT
timeout 900 xvfb-run -a -s "-screen 0 ${screen}x24" "$app" "${args[@]}"
# NOTE: without a window manager nothing stops a window from being larger than the screen; crop to
# what a user would see.
python3 - "$out" "$screen" <<'EOF' || true
import sys
try:
    from PIL import Image
except ImportError:
    sys.exit(0)
w, h = map(int, sys.argv[2].split("x"))
img = Image.open(sys.argv[1])
if img.width > w or img.height > h:
    img.crop((0, 0, min(w, img.width), min(h, img.height))).save(sys.argv[1])
EOF
echo "gui_screenshot: wrote $out"
