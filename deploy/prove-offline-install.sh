#!/usr/bin/env bash
# Proof of the air-gapped install (heavy: ~3 GB, minutes): inside a network namespace with loopback
# only, with a bare environment (no pip config, no local index), install from the wheelhouse alone,
# then `hotline init --demo` and `hotline serve`, and ask /health.  Needs root (unshare -n).
#   deploy/prove-offline-install.sh [WHEELHOUSE] [WORKDIR]
set -euo pipefail
WH="$(cd "${1:-wheelhouse}" && pwd)"
WORK="${2:-$(mktemp -d /tmp/hotline-offline.XXXXXX)}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="$(command -v python3.11 || command -v python3)"
mkdir -p "$WORK"
cat > "$WORK/inside.sh" <<INSIDE
set -euo pipefail
ip link set lo up
cd "$WORK"
start=\$(date +%s)
bash "$HERE/offline-install.sh" "$WH" "$WORK/venv"
echo "install_s=\$((\$(date +%s) - start))"
echo "venv_mb=\$(du -sm "$WORK/venv" | cut -f1)"
export HOTLINE_DATA_DIR="$WORK/data" HOTLINE_PORT=18765
"$WORK/venv/bin/hotline" init --demo
"$WORK/venv/bin/hotline" serve > "$WORK/serve.log" 2>&1 &
pid=\$!
for i in \$(seq 1 120); do
  if "$WORK/venv/bin/python" -c "import httpx,sys; r=httpx.get('http://127.0.0.1:18765/api/v1/health',timeout=2); print(r.text[:400]); sys.exit(r.status_code!=200)" 2>/dev/null; then ok=1; break; fi
  sleep 1
done
kill \$pid; wait \$pid || true
test "\${ok:-0}" = 1 && echo "OFFLINE INSTALL OK"
INSIDE
# a bare environment: no PIP_* variables, no pip.conf of this machine, no proxy
exec unshare -n env -i PATH="$(dirname "$PY"):/usr/sbin:/usr/bin:/bin" HOME="$WORK" PYTHON="$PY" \
  bash "$WORK/inside.sh"
