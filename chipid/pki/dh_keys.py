"""X9.42 Diffie-Hellman public keys as plain integers: the one dhpublicnumber codec.

A DH Chip Authentication key in DG14 (ICAO 9303-11 §9.2.4, BSI TR-03110-3 §A.1.1/§D.3.2) is a
SubjectPublicKeyInfo whose algorithm is dhpublicnumber (1.2.840.10046.2.1, ANSI X9.42 as profiled by
RFC 3279 §2.3.3) with ``DomainParameters ::= SEQUENCE { p, g, q INTEGER, j INTEGER OPTIONAL,
validationParms OPTIONAL }`` and whose subjectPublicKey is ``DHPublicKey ::= INTEGER`` (y = g^x mod p).

The reader (:mod:`chipid.auth.ca_keys`) decodes with :meth:`DHPublicKey.from_spki`; the virtual chip
encodes its DG14 key with :meth:`DHPublicKey.to_spki`. Both stay off ``cryptography``'s finite-field DH
classes (deprecated upstream): the arithmetic is Python's ``pow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asn1crypto import core, keys

from chipid.errors import ASN1_ERRORS, ParseError, UnsupportedError

__all__ = ["DH_PUBLIC_NUMBER", "DHPublicKey"]

DH_PUBLIC_NUMBER = "1.2.840.10046.2.1"
"""dhpublicnumber (ANSI X9.42, RFC 3279 §2.3.3)."""


@dataclass(frozen=True)
class DHPublicKey:
    """A finite-field DH public key: prime ``p``, generator ``g``, subgroup order ``q`` (None when the
    encoding omits it), public value ``y``."""

    p: int
    g: int
    q: int | None
    y: int

    @property
    def size(self) -> int:
        """Byte length of a group element (public values and shared secrets are sent with it)."""
        return (self.p.bit_length() + 7) // 8

    def to_spki(self) -> bytes:
        """DER SubjectPublicKeyInfo (dhpublicnumber with DomainParameters p, g, q).

        Raises:
            UnsupportedError: ``q`` is unknown (X9.42 DomainParameters require it).
        """
        if self.q is None:
            raise UnsupportedError("an X9.42 DH key needs the subgroup order q", oid=DH_PUBLIC_NUMBER)
        info = keys.PublicKeyInfo(
            {
                "algorithm": {"algorithm": "dh", "parameters": {"p": self.p, "g": self.g, "q": self.q}},
                "public_key": core.Integer(self.y),
            }
        )
        return bytes(info.dump())

    @classmethod
    def from_spki(cls, spki: bytes | Any, *, path: str = "SubjectPublicKeyInfo") -> DHPublicKey:
        """Decode a dhpublicnumber SubjectPublicKeyInfo (DER or an asn1crypto ``PublicKeyInfo``).

        Only the encoding is checked here (1 < g < p, 0 < y < p); whether y lies in the order-q
        subgroup is the key agreement's check (it needs q, which an encoding may omit).

        Raises:
            ParseError: malformed DER, another algorithm, or values out of range.
        """
        try:
            info = keys.PublicKeyInfo.load(spki) if isinstance(spki, bytes) else spki
            algorithm = info["algorithm"]
            if algorithm["algorithm"].dotted != DH_PUBLIC_NUMBER:
                raise ParseError(f"not a dhpublicnumber key but {algorithm['algorithm'].dotted}", path=path)
            params = algorithm["parameters"]
            p, g = int(params["p"].native), int(params["g"].native)
            q_value = params["q"].native
            q = int(q_value) if q_value is not None else None
            y = int(info["public_key"].parsed.native)
        except ParseError:
            raise
        except ASN1_ERRORS as err:
            raise ParseError(f"malformed DH public key: {err}", path=path) from err
        if p < 3 or not 1 < g < p or not 0 < y < p or (q is not None and not 1 < q < p):
            raise ParseError("DH domain parameters or public value out of range", path=path)
        return cls(p, g, q, y)
