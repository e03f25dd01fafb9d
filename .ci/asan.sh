#!/usr/bin/env bash
# The native core under AddressSanitizer + UBSan.
#
# Builds chipid (with chipid._native compiled -fsanitize=address,undefined) into a scratch venv and runs
# the native tests (tests/biometrics -k native) from a scratch directory that holds no chipid/ package,
# so the venv's sanitized build is the one imported: never the editable in-tree build.  The script
# checks that before running the tests.  Works on a fresh Debian machine after tests/run.sh (gcc,
# python3-dev, pip, setuptools, cffi, pytest and hypothesis installed); PYTHON picks the interpreter.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
if ! ls "$REPO"/tests/biometrics/test_*native*.py >/dev/null 2>&1; then
  echo "== asan: no native tests yet"; exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Sources to build (no compiled leftovers from the in-tree build) and the tests to run.
mkdir -p "$WORK/src" "$WORK/run"
cp -r "$REPO/chipid" "$REPO/native" "$REPO/setup.py" "$REPO/pyproject.toml" "$WORK/src/"
[ -f "$REPO/README.md" ] && cp "$REPO/README.md" "$WORK/src/" || echo "# chipid" >"$WORK/src/README.md"
find "$WORK/src" \( -name '*.so' -o -name '__pycache__' -o -name '*.egg-info' \) -prune -exec rm -rf {} +
mkdir -p "$WORK/run/tests"
cp "$REPO/tests/__init__.py" "$REPO/tests/conftest.py" "$WORK/run/tests/"
cp -r "$REPO/tests/biometrics" "$WORK/run/tests/"
cp -r "$REPO/tests/cli" "$WORK/run/tests/"           # helpers the biometrics tests import (tests/cli/_run.py)
cp "$REPO/pyproject.toml" "$WORK/run/"
mkdir -p "$WORK/run/tests/data"                       # the FVC templates the native tests read
cp -r "$REPO/tests/data/fvc2002-iso-templates" "$WORK/run/tests/data/"

# --without-pip: Debian's python3 may lack ensurepip; the system pip is visible through
# --system-site-packages and installs into the venv.
"$PY" -m venv --system-site-packages --without-pip "$WORK/venv"
VPY="$WORK/venv/bin/python"
export CHIPID_NATIVE_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
export CHIPID_NATIVE_LDFLAGS="-fsanitize=address,undefined"
echo "== asan: building the sanitized chipid._native into $WORK/venv"
(cd "$WORK/src" && "$VPY" -m pip install -q --no-build-isolation --no-deps --no-cache-dir .)
unset CHIPID_NATIVE_CFLAGS CHIPID_NATIVE_LDFLAGS

ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
for lib in "$ASAN_LIB" "$UBSAN_LIB"; do
  [ -f "$lib" ] || { echo "== asan: $lib not found (install gcc's sanitizer runtimes: libasan, libubsan)"; exit 1; }
done
export LD_PRELOAD="$ASAN_LIB $UBSAN_LIB"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export CHIPID_REQUIRE_NATIVE=1
export PYTHONPATH=""
cd "$WORK/run"

# The imported extension must be the venv's sanitized one.
"$VPY" - "$WORK/venv" <<'PYEOF'
import sys
import chipid._native as native
path = native.__file__
assert path.startswith(sys.argv[1]), f"imported {path}, not the sanitized build in {sys.argv[1]}"
assert b"__asan_" in open(path, "rb").read(), f"{path} is not built with AddressSanitizer"
print("== asan: using", path)
PYEOF

# Canary: a deliberate heap overflow through the raw cffi API must be caught, or the job proves nothing.
if ASAN_OPTIONS="detect_leaks=0:abort_on_error=0" "$VPY" -c "
import chipid._native as n
a = n.ffi.new('float[]', 4)
out = n.ffi.new('float *')
n.lib.chipid_face_cosine(a, a, 64, out)
" 2>"$WORK/canary.log"; then
  echo "== asan: the canary overflow was NOT detected"; exit 1
fi
grep -q "AddressSanitizer" "$WORK/canary.log" || { cat "$WORK/canary.log"; echo "== asan: canary died without ASan"; exit 1; }
echo "== asan: canary overflow detected (sanitizer active)"

echo "== asan: native tests under AddressSanitizer + UBSan"
"$VPY" -m pytest -q -p no:cacheprovider tests/biometrics -k native
