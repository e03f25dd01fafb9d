#!/usr/bin/env bash
# Build the native module with -fsanitize=address,undefined into a scratch venv and run the native tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls tests/biometrics/test_native*.py >/dev/null 2>&1; then
  echo "== asan: no native tests yet"; exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv --system-site-packages "$WORK/venv"
cp -r chipid native setup.py pyproject.toml README.md "$WORK/"
cd "$WORK"
export CHIPID_NATIVE_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
export CHIPID_NATIVE_LDFLAGS="-fsanitize=address,undefined"
"$WORK/venv/bin/python" -m pip install -q --no-build-isolation --no-deps .
cd "$OLDPWD"
ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
echo "== asan: native tests under AddressSanitizer + UBSan"
LD_PRELOAD="$ASAN_LIB $UBSAN_LIB" ASAN_OPTIONS=detect_leaks=0 CHIPID_REQUIRE_NATIVE=1 \
  PYTHONPATH="" "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=append \
  --rootdir "$WORK" -c /dev/null tests/biometrics/ -k native
