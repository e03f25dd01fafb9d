"""Latency statistics for the conformance measurements: percentiles over per-APDU round trips."""

from __future__ import annotations

import math
from collections.abc import Sequence

from chipid.conformance.model import Measurement

__all__ = ["latency_measurements", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values`` by linear interpolation between closest ranks.

    This is the common "type 7" estimator (numpy's default): rank ``(n - 1) * q / 100``.

    Raises:
        ValueError: on an empty sequence or ``q`` outside 0..100.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0 or math.isnan(q):
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    frac = rank - low
    return ordered[low] + (ordered[high] - ordered[low]) * frac


def latency_measurements(latencies_ms: Sequence[float], *, prefix: str = "apdu latency") -> list[Measurement]:
    """p50 / p90 / p99 / max of per-APDU latencies, as measurements in milliseconds."""
    if not latencies_ms:
        return []
    figures = [(f"{prefix} p{q}", percentile(latencies_ms, q)) for q in (50, 90, 99)]
    figures.append((f"{prefix} max", max(latencies_ms)))
    return [Measurement(name, round(value, 3), "ms") for name, value in figures]
