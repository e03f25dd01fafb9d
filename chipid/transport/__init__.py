"""Transports: PC/SC (pyscard), the in-process virtual chip, and the tracing wrapper."""

from __future__ import annotations

from chipid.transport.base import Transport, TransportWrapper

__all__ = ["Transport", "TransportWrapper"]
