#!/usr/bin/env bash
# Install everything the tests need, then run lint, types and the whole test suite.
# Debian/Ubuntu: apt packages are installed when missing (as root, or through sudo).
# pcscd with the vpcd virtual reader is started for the end-to-end tests and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(pcscd vsmartcard-vpcd libpcsclite-dev pcsc-tools gcc python3-dev chromium)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "== apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
echo "== pip: installing chipid[test,face,serve,scale]"
$PY -m pip install -q --upgrade pip setuptools wheel
$PY -m pip install -q -e ".[test,face,serve,scale]"
# the browser tests drive Debian's /usr/bin/chromium (APT_PKGS): never 'playwright install' (no downloads)

export CHIPID_REQUIRE_NATIVE=1
export CHIPID_REQUIRE_SCALE=1  # the distributed tests fail (not skip) without Ray
export RAY_USAGE_STATS_ENABLED=0

echo "== ruff"
$PY -m ruff check chipid tests benchmarks examples
echo "== mypy --strict"
$PY -m mypy

# --- pcscd + vpcd for the end-to-end tests -------------------------------------------------
PCSCD_PID=""
cleanup() { if [ -n "$PCSCD_PID" ]; then kill "$PCSCD_PID" 2>/dev/null || true; wait "$PCSCD_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
if command -v pcscd >/dev/null || [ -x /usr/sbin/pcscd ]; then
  PCSCD=$(command -v pcscd || echo /usr/sbin/pcscd)
  if $PY -c "from smartcard.System import readers; readers()" >/dev/null 2>&1; then
    echo "== pcscd already running: using it"
  else
    mkdir -p /run/pcscd 2>/dev/null || true
    "$PCSCD" -f >/tmp/chipid-pcscd.log 2>&1 &
    PCSCD_PID=$!
    echo "== pcscd started (pid $PCSCD_PID); waiting for the vpcd reader through PC/SC"
  fi
  $PY - <<'PYEOF'
import sys, time
from smartcard.System import readers
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        names = [str(r) for r in readers()]
    except Exception:
        names = []
    if any("Virtual PCD" in n for n in names):
        print("   readers:", names)
        sys.exit(0)
    time.sleep(0.2)
print("   vpcd reader did not appear; end-to-end tests will be skipped", file=sys.stderr)
PYEOF
  export CHIPID_PCSCD=1
fi

echo "== pytest"
$PY -m pytest -q "$@"
