"""chipid: read and verify ICAO 9303 chip ID cards (Vietnam's CCCD first) through PC/SC readers."""

from __future__ import annotations

from chipid.errors import ChipIDError

__all__ = ["ChipIDError", "__version__"]

__version__ = "0.1.0"
