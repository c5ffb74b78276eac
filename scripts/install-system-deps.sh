#!/usr/bin/env bash
# The system packages lunarviz needs on Debian 12 (Ubuntu 24.04 untested): Python with
# venv, Mesa's software OpenGL (EGL and OSMesa; no GPU needed), Xvfb and the
# X/Qt libraries of the desktop viewer, and Chromium with its driver (the browser
# tests of `lunarviz serve`: Debian's browser, never a downloaded build), the fonts of the Japanese and
# Hebrew text (Noto Sans CJK, Noto Sans Hebrew, DejaVu Sans: lunarviz/i18n.py; the handout embeds them) and
# poppler-utils (the handout tests read PDFs back). Runs apt-get as root, or through sudo
# when not root. Used by the README's Quick start and by .ci/run.
set -euo pipefail

PACKAGES=(
  python3 python3-venv ca-certificates
  libegl1 libgl1-mesa-dri libosmesa6 xvfb xauth libxcursor1 libglib2.0-0 libdbus-1-3
  libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
  chromium chromium-driver
  fonts-noto-core fonts-noto-cjk fonts-dejavu-core poppler-utils
)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-system-deps.sh: not root and no sudo: run it as root (e.g. 'su -c \"bash $0\"')," \
       "or install these packages: ${PACKAGES[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
