"""Transports: PC/SC (pyscard), the in-process virtual chip, and the tracing wrapper.

``chipid.transport.pcsc`` is imported on demand (it loads pyscard).
"""

from __future__ import annotations

from chipid.transport.base import Transport, TransportWrapper
from chipid.transport.trace import TraceStats, TracingTransport

__all__ = ["TraceStats", "Transport", "TracingTransport", "TransportWrapper"]
