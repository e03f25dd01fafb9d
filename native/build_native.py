"""CFFI out-of-line API build of chipid._native (used by setup.py's cffi_modules)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
SOURCES = sorted(str(p.relative_to(HERE.parent)) for p in HERE.glob("*.c"))


def _cdef_text() -> str:
    """The header with preprocessor lines that cffi cannot parse turned into cdef form."""
    lines = []
    for line in (HERE / "chipid_match.h").read_text().splitlines():
        if line.startswith(("#include", "#ifndef", "#endif", "#ifdef", "#if ", "#else", "#pragma")):
            continue
        if line.startswith("#define") and re.match(r"#define\s+\w+\s*$", line):
            continue  # include guards
        lines.append(line)
    return "\n".join(lines)


def _extra_compile_args() -> list[str]:
    args = ["-std=c99", "-O3", "-Wall", "-Wextra", "-fno-strict-aliasing", "-fno-math-errno"]
    extra = os.environ.get("CHIPID_NATIVE_CFLAGS", "")
    return args + extra.split()


ffibuilder = FFI()
ffibuilder.cdef(_cdef_text())
ffibuilder.set_source(
    "chipid._native",
    '#include "chipid_match.h"',
    sources=SOURCES,
    include_dirs=[str(HERE)],
    extra_compile_args=_extra_compile_args(),
    extra_link_args=os.environ.get("CHIPID_NATIVE_LDFLAGS", "").split() + ["-lpthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
