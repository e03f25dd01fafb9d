"""Backend selection: visible fallback to the Python reference, CHIPID_REQUIRE_NATIVE=1 makes it an error."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

_BLOCK = "import sys; sys.modules['chipid._native'] = None\n"


def _run(code: str, require: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CHIPID_REQUIRE_NATIVE"}
    if require is not None:
        env["CHIPID_REQUIRE_NATIVE"] = require
    return subprocess.run(
        [sys.executable, "-c", _BLOCK + code],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_backend_falls_back_to_python_with_warning() -> None:
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    from chipid.biometrics import match\n"
        "from chipid.errors import ChipIDWarning\n"
        "assert match.BACKEND == 'python', match.BACKEND\n"
        "assert any(issubclass(x.category, ChipIDWarning) for x in w), [str(x.message) for x in w]\n"
        "from chipid.biometrics.template import Minutia, MinutiaType\n"
        "E = MinutiaType.RIDGE_ENDING\n"
        "pts = [Minutia(E, 20 + 13 * i % 200, 30 + 29 * i % 300, i * 37 % 360) for i in range(30)]\n"
        "b = match.prepare(pts)\n"
        "assert abs(match.compare(b, b) - 1.0) < 1e-9\n"
        "g = match.Gallery([b, match.prepare(pts[:15])])\n"
        "assert match.search(b, g, 2)[0].index == 0\n"
        "from chipid.biometrics.face import FaceGallery, cosine\n"
        "fg = FaceGallery(3, [[1, 0, 0], [0, 1, 0], [1, 1, 0]])\n"
        "assert [h.index for h in fg.search([1, 0.1, 0], 2)] == [0, 2]\n"
        "assert abs(cosine([1, 0], [1, 1]) - 0.5 ** 0.5) < 1e-6\n"
        "print('ok')\n"
    )
    result = _run(code, None)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_backend_required_native_missing_raises() -> None:
    code = (
        "from chipid.errors import NativeBuildError\n"
        "try:\n"
        "    from chipid.biometrics import match\n"
        "except NativeBuildError:\n"
        "    print('raised')\n"
    )
    result = _run(code, "1")
    assert "raised" in result.stdout, result.stderr


def test_backend_native_present_not_required() -> None:
    result = _run("", None)  # sanity: blocking works without chipid imported
    assert result.returncode == 0
