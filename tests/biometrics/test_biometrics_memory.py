"""Out of memory in the matcher is a typed error, never a silent score or a partial 1:N list.

A comparison of templates over 64 cylinders takes its pair-similarity matrix from the heap (the stack keeps
about 110 KiB). Here that allocation is made to fail by capping the address space of a subprocess just above
what it already uses. (Not run under AddressSanitizer, which reserves far more address space than any cap.)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from chipid.biometrics import match
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    match.BACKEND != "native" or not sys.platform.startswith("linux"), reason="native matcher on Linux"
)

_CODE = textwrap.dedent(
    """
    import random, resource
    from chipid.biometrics import match
    from chipid.biometrics.template import Minutia, MinutiaType
    rng = random.Random(255)
    def dense(n):
        return [Minutia(MinutiaType.BIFURCATION, rng.randrange(20, 480), rng.randrange(20, 560),
                        rng.randrange(256) * 360 / 256) for _ in range(n)]
    big_a, big_b, small = match.prepare(dense(255)), match.prepare(dense(255)), match.prepare(dense(40))
    gallery = match.Gallery([small, big_b])
    expected = match.compare(small, small)
    match.search(small, gallery, 2, threads=1)  # every lazy path warmed before the cap
    size = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + 256 * 1024, size + 256 * 1024))
    for call in (lambda: match.compare(big_a, big_b), lambda: match.search(big_a, gallery, 2, threads=1)):
        try:
            call()
        except MemoryError as err:
            print("MemoryError:", err)
        else:
            print("no error")
    print("small", match.compare(small, small) == expected)
    """
)


def test_matcher_out_of_memory_is_a_memory_error() -> None:
    done = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [
        "MemoryError: compare: out of memory",
        "MemoryError: search: out of memory",
        "small True",  # templates under 64 cylinders never touch the heap: they still compare
    ], done.stdout
