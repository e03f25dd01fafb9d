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
    "ConfigurationError",
    "DataQuirkWarning",
    "FaceExtraMissingError",
    "FaceImageError",
    "FaceTooBlurredError",
    "FaceTooSmallError",
    "GalleryCorruptError",
    "GalleryError",
    "GalleryFormatError",
    "IncorrectParametersError",
    "MultipleFacesError",
    "InstructionNotSupportedError",
    "InvalidArgumentError",
    "NativeBuildError",
    "NoCardError",
    "NoFaceError",
    "NoReaderError",
    "PACEError",
    "ParseError",
    "PassiveAuthError",
    "SecureMessagingError",
    "SecurityStatusNotSatisfiedError",
    "ShardLostError",
    "StatusWordError",
    "TransportError",
    "UnreadableImageError",
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


class FaceExtraMissingError(UnsupportedError):
    """Face extraction needs the optional extra: ``pip install 'chipid[face]'`` (dlib + its model weights)."""


# --------------------------------------------------------------------------- face images
class FaceImageError(ChipIDError, ValueError):
    """A face image cannot be used for verification; ``advice`` says what the clerk should do.

    Attributes:
        advice: one sentence for the person at the desk (e.g. "ask the customer to stand alone").
        source: which image: ``"live"``, ``"chip"`` or ``"image"``.
    """

    default_advice = "take a new photo"

    def __init__(self, message: str, *, advice: str | None = None, source: str = "image") -> None:
        self.advice = advice if advice is not None else self.default_advice
        self.source = source
        super().__init__(f"{message}: {self.advice}")
        self.reason = message


class UnreadableImageError(FaceImageError):
    """The bytes are not a decodable JPEG, JPEG 2000 or PNG image."""

    default_advice = "send a JPEG, JPEG 2000 or PNG photo"


class NoFaceError(FaceImageError):
    """No face was found in the image."""

    default_advice = "take a new photo facing the camera, face fully visible and well lit"


class MultipleFacesError(FaceImageError):
    """More than one face in the photo: which one is the customer is ambiguous.

    Attributes:
        count: how many faces were found.
    """

    default_advice = "ask the customer to stand alone"

    def __init__(self, message: str, *, count: int, advice: str | None = None, source: str = "image") -> None:
        super().__init__(message, advice=advice, source=source)
        self.count = count


class FaceTooSmallError(FaceImageError):
    """The face is too small to match: its inter-eye distance is under the minimum.

    Attributes:
        eye_distance: measured distance between the eye centres, in pixels.
        minimum: the required minimum, in pixels.
    """

    default_advice = "move the camera closer so the face fills more of the photo"

    def __init__(
        self, message: str, *, eye_distance: float, minimum: float, advice: str | None = None, source: str = "image"
    ) -> None:
        super().__init__(message, advice=advice, source=source)
        self.eye_distance = eye_distance
        self.minimum = minimum


class FaceTooBlurredError(FaceImageError):
    """The face is too blurred to match (sharpness measure under the minimum).

    Attributes:
        sharpness: variance of the Laplacian over the aligned face crop.
        minimum: the required minimum.
    """

    default_advice = "hold the camera still, focus on the face and take a new photo"

    def __init__(
        self, message: str, *, sharpness: float, minimum: float, advice: str | None = None, source: str = "image"
    ) -> None:
        super().__init__(message, advice=advice, source=source)
        self.sharpness = sharpness
        self.minimum = minimum


class ConfigurationError(ChipIDError, ValueError):
    """Settings that cannot be used as given (e.g. the desk service on a non-loopback address without TLS)."""


class NativeBuildError(ChipIDError, ImportError):
    """The native module is missing while ``CHIPID_REQUIRE_NATIVE=1`` demands it."""


class InvalidArgumentError(ChipIDError, ValueError):
    """An argument outside its documented range (e.g. a matcher rotation limit, an FMR with no threshold)."""


# --------------------------------------------------------------------------- galleries (1:N at scale)
class GalleryError(ChipIDError):
    """An on-disk gallery cannot be used as asked: missing, unknown or duplicate id, bad argument.

    Attributes:
        ids: the ids at fault when the error is about ids (e.g. every id ``delete`` did not find), else empty.
    """

    def __init__(self, message: str, *, ids: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.ids = ids


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
