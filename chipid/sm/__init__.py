"""Secure messaging (ICAO 9303-11 §9.8): 3DES and AES primitives and the SM channel.

Low level: most callers get a :class:`~chipid.sm.channel.SecureChannel` from BAC or PACE.
"""

from __future__ import annotations

from chipid.sm.channel import SecureChannel, SMKeys, protect_command, unprotect_response

__all__ = ["SMKeys", "SecureChannel", "protect_command", "unprotect_response"]
