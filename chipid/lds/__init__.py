"""Logical Data Structure (LDS1): pure parsers and encoders for the files of an eMRTD / ID card chip.

Bytes in, frozen models out (ICAO 9303-10). This package never imports transport, secure messaging,
access control or the reader. Import the submodules directly (``chipid.lds.mrz``, ``chipid.lds.dg13_vn``...).
"""

from __future__ import annotations

__all__: list[str] = []
