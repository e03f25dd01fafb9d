"""Pass thresholds of the performance cases (PERF-001, PERF-002), configurable per run.

The defaults are what a conformant contactless eMRTD and reader manage comfortably, derived from ISO/IEC 14443
and ICAO 9303 figures rather than from any one machine:

* **DG2 throughput >= 4,000 B/s** (PERF-001). ISO/IEC 14443-2 fixes the lowest bit rate at fc/128 ≈ 106 kbit/s
  (≈ 13 kB/s raw); framing (ISO/IEC 14443-3/-4: start/parity bits, block headers, CRC), secure-messaging overhead
  (ICAO 9303-11 §9.8: DO'87'/'99'/'8E' and padding) and half-duplex turnarounds leave about a third of that. At
  4 kB/s the ~15-20 KB JPEG portrait of an ICAO 9303-9 compliant DG2 reads in about 5 s, the longest a
  passenger or clerk is expected to hold a document still.
* **p90 latency of a short protected READ BINARY <= 100 ms** (PERF-002). One 32-byte READ under SM is two frames
  of under 64 bytes at 106 kbit/s (≈ 6 ms on the air) plus the chip's MAC and cipher work; ISO/IEC 14443-4 §7.2
  lets a chip ask for more time (S(WTX)) up to FWT_max ≈ 4.9 s, but a chip that needs 100 ms for such a read
  makes every document read take tens of seconds.

A slow chip or reader (``--fault delay_ms=200`` on the virtual chip) fails these cases.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_THRESHOLDS", "Thresholds"]


@dataclass(frozen=True)
class Thresholds:
    """Pass thresholds of the performance cases.

    Attributes:
        min_throughput_bps: PERF-001 fails below this DG2 read rate (bytes per second).
        max_latency_p90_ms: PERF-002 fails when the 90th percentile APDU round trip exceeds this (ms).
    """

    min_throughput_bps: float = 4000.0
    max_latency_p90_ms: float = 100.0


DEFAULT_THRESHOLDS = Thresholds()
