#!/usr/bin/env bash
# Offline install on a machine with no network: a venv from the wheelhouse alone.
#   deploy/offline-install.sh WHEELHOUSE [VENV]      (default VENV: ./.venv)
# then:  VENV/bin/hotline init --demo  &&  VENV/bin/hotline serve
set -euo pipefail
WH="$(cd "${1:?usage: offline-install.sh WHEELHOUSE [VENV]}" && pwd)"
VENV="${2:-.venv}"
PY="${PYTHON:-python3}"
export PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT || true
"$PY" "$(dirname "$0")/wheels.py" verify "$WH"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-index --find-links "$WH" --upgrade pip setuptools wheel
# torch first (the CPU build in the folder), then the service with every dependency
"$VENV/bin/python" -m pip install --quiet --no-index --find-links "$WH" torch==2.13.0
"$VENV/bin/python" -m pip install --quiet --no-index --find-links "$WH" hotline
# the CJK font for report charts, when the folder carries it and we may install packages
deb=$(ls "$WH"/fonts-droid-fallback_*.deb 2>/dev/null | head -1 || true)
if [ -n "$deb" ] && [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ]; then
  if [ "$(id -u)" = 0 ]; then dpkg -i "$deb" >/dev/null; else echo "提示：以 root 运行 dpkg -i $deb 安装报表中文字体"; fi
fi
echo "离线安装完成：$VENV（$(du -sh "$VENV" | cut -f1)）。下一步：$VENV/bin/hotline init --demo && $VENV/bin/hotline serve"
