"""The whole chipid exception hierarchy.

Every error raised by chipid derives from :class:`ChipIDError`; callers can catch
one family (``TransportError``, ``StatusWordError``...) or everything at once.
Errors are always chained (``raise ... from err``) so no context is lost.
"""

from __future__ import annotations

__all__ = [
    "ASN1_ERRORS",
    "AccessControlError",
    "ActiveAuthError",
    "BACError",
    "CardInUseError",
    "CardRemovedError",
    "ChipAuthError",
    "ChipFileNotFoundError",
    "ChipIDError",
    "ChipIDWarning",
    "ConditionsNotSatisfiedError",
    "DataQuirkWarning",
    "GalleryCorruptError",
    "GalleryError",
    "GalleryFormatError",
    "IncorrectParametersError",
    "InstructionNotSupportedError",
    "NativeBuildError",
    "NoCardError",
    "NoReaderError",
    "PACEError",
    "ParseError",
    "PassiveAuthError",
    "SecureMessagingError",
    "SecurityStatusNotSatisfiedError",
    "ShardLostError",
    "StatusWordError",
    "TransportError",
    "UnsupportedError",
    "VerificationError",
    "WrongLengthError",
    "WrongPasswordError",
]


class ChipIDError(Exception):
    """Base class of every chipid error. Never raised directly."""


# --------------------------------------------------------------------------- transport
class TransportError(ChipIDError):
    """The link to the reader or card failed.

    Attributes:
        hresult: the PC/SC error code reported by pyscard, when there is one.
    """

    def __init__(self, message: str, *, hresult: int | None = None) -> None:
        super().__init__(message)
        self.hresult = hresult


class NoReaderError(TransportError):
    """No PC/SC reader is available (or the named one does not exist)."""


class NoCardError(TransportError):
    """The reader has no card in its field."""


class CardRemovedError(TransportError):
    """The card left the field during a session; partial data is never returned as whole."""


class CardInUseError(TransportError):
    """Another application holds the card or broke this session's secure channel.

    Never evidence about the document: retry when the other program has finished.
    """


# --------------------------------------------------------------------------- status words
class StatusWordError(ChipIDError):
    """The chip answered a command with an error status word.

    Attributes:
        sw: the status word as an int (e.g. ``0x6982``).
        ins: the instruction byte of the command, when known.
    """

    def __init__(self, message: str, *, sw: int, ins: int | None = None) -> None:
        super().__init__(message)
        self.sw = sw
        self.ins = ins

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF


class WrongLengthError(StatusWordError):
    """6700 / 6Cxx: wrong Le or Lc."""


class SecurityStatusNotSatisfiedError(StatusWordError):
    """6982: access conditions not met (e.g. DG3 without EAC, or SM session lost)."""


class WrongPasswordError(StatusWordError):
    """6300 / 63Cx: authentication failed (wrong MRZ key, CAN or PIN)."""


class ConditionsNotSatisfiedError(StatusWordError):
    """6985: conditions of use not satisfied."""


class ChipFileNotFoundError(StatusWordError):
    """6A82: file or application not found."""


class IncorrectParametersError(StatusWordError):
    """6A86 / 6B00 / 6A80...: P1-P2 or data field refused (e.g. offset past end)."""


class InstructionNotSupportedError(StatusWordError):
    """6D00 / 6E00: instruction or class not supported."""


# --------------------------------------------------------------------------- protocols
class SecureMessagingError(ChipIDError):
    """A secure-messaging response failed its checks (bad MAC, missing DO'8E', SSC desync)."""


class AccessControlError(ChipIDError):
    """BAC or PACE failed.

    Attributes:
        protocol: ``"BAC"`` or ``"PACE"``.
        step: the protocol step that failed (e.g. ``"mutual authenticate"``).
    """

    def __init__(self, message: str, *, protocol: str, step: str) -> None:
        super().__init__(message)
        self.protocol = protocol
        self.step = step


class BACError(AccessControlError):
    """Basic Access Control failed."""

    def __init__(self, message: str, *, step: str) -> None:
        super().__init__(message, protocol="BAC", step=step)


class PACEError(AccessControlError):
    """PACE failed."""

    def __init__(self, message: str, *, step: str) -> None:
        super().__init__(message, protocol="PACE", step=step)


# --------------------------------------------------------------------------- verification
class VerificationError(ChipIDError):
    """A verification check ran and failed (the document is not proven genuine)."""


class PassiveAuthError(VerificationError):
    """Passive Authentication failed (SOD signature, certificate chain or a hash)."""


class ActiveAuthError(VerificationError):
    """Active Authentication failed (the chip did not prove it holds the DG15 key)."""


class ChipAuthError(VerificationError):
    """Chip Authentication failed."""


# --------------------------------------------------------------------------- data
class ParseError(ChipIDError, ValueError):
    """Bytes could not be parsed.

    Attributes:
        path: where in the structure the problem is, e.g.
            ``"SOD > LDSSecurityObject > dataGroupHashValues[3]"``.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


ASN1_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)
"""What asn1crypto raises on malformed input (it parses lazily, so on first field access): catch exactly
this tuple at the asn1crypto boundary and re-raise :class:`ParseError` with a path."""


class UnsupportedError(ChipIDError, NotImplementedError):
    """A recognised but unsupported algorithm or feature.

    Attributes:
        oid: the object identifier concerned, when there is one.
    """

    def __init__(self, message: str, *, oid: str | None = None) -> None:
        super().__init__(message)
        self.oid = oid


class NativeBuildError(ChipIDError, ImportError):
    """The native module is missing while ``CHIPID_REQUIRE_NATIVE=1`` demands it."""


# --------------------------------------------------------------------------- galleries (1:N at scale)
class GalleryError(ChipIDError):
    """An on-disk gallery cannot be used as asked: missing, unknown or duplicate id, bad argument."""


class GalleryCorruptError(GalleryError):
    """A gallery chunk or manifest fails its checks (checksum, size, header): refuse it, never search it.

    Attributes:
        file: the offending file's name inside the gallery directory.
    """

    def __init__(self, message: str, *, file: str = "") -> None:
        super().__init__(f"{file}: {message}" if file else message)
        self.file = file


class GalleryFormatError(GalleryError):
    """A gallery was written in another format: gallery format version, or a prepared-template format / native
    ABI other than this chipid's (re-prepare the templates from their source records)."""


class ShardLostError(GalleryError):
    """A distributed search lost shards (worker died, unreachable or too slow): the result would be short.

    Attributes:
        missing: shard ids that did not answer.
        answered: shard ids that did.
    """

    def __init__(self, message: str, *, missing: tuple[int, ...], answered: tuple[int, ...]) -> None:
        super().__init__(message)
        self.missing = missing
        self.answered = answered


# --------------------------------------------------------------------------- warnings
class ChipIDWarning(UserWarning):
    """Base class of chipid warnings: input accepted despite a known real-world defect."""


class DataQuirkWarning(ChipIDWarning):
    """Data deviates from its standard in a known, harmless way (e.g. a minutiae record version "020")."""
