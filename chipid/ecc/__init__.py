"""Elliptic curves: the one table of named prime curves and the one point arithmetic.

Below access (PACE), pki (explicit-parameter keys), auth (Chip Authentication) and sim
(the virtual chip); imports nothing of chipid but :mod:`chipid.errors`.
"""

from __future__ import annotations

from chipid.ecc.arith import Curve, Point
from chipid.ecc.curves import KNOWN_CURVES, curve_by_name, curve_by_oid, curve_by_params
from chipid.ecc.ecdsa import ecdsa_verify

__all__ = ["KNOWN_CURVES", "Curve", "Point", "curve_by_name", "curve_by_oid", "curve_by_params", "ecdsa_verify"]
