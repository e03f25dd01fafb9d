"""Whole-EF reading: header first, then the body in chunks as large as the card allows.

ICAO 9303-10 §3.5 and ISO/IEC 7816-4 §11.3.3 (READ BINARY). Every LDS elementary file is
one BER-TLV object, so the first READ BINARY fetches its header (tag and length), which gives
the file size; the body follows in chunks:

* extended-length READ BINARY (Ne up to :attr:`ReadPolicy.max_extended`) when the card and
  reader take it; a ``6700``, ``6Cxx`` or a TransportError (not a removed card) answering an
  extended APDU switches to short reads and :class:`ReadPolicy` remembers it;
* short reads of at most ``0xDF`` bytes under secure messaging (the protected answer of 223
  bytes, padded and MACed, still fits 256 bytes) or ``0x100`` in plain;
* offsets above 32767 use the odd instruction ``B1`` with DO'54' (answer in DO'53').

``6282`` (end of file reached before Ne bytes) is taken with its data; any other status but
``9000`` (the ``6281`` "data may be corrupted" warning included) raises; a file shorter or
longer than its TLV length says, an empty answer or an unknown structure raise
:class:`~chipid.errors.ParseError`. A CardRemovedError propagates: a partly read file is
never returned as whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chipid.errors import (
    CardRemovedError,
    IncorrectParametersError,
    NoCardError,
    NoReaderError,
    ParseError,
    TransportError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.iso7816.status import check_sw, error_for_sw
from chipid.iso7816.tlv import decode_tag, decode_tlv
from chipid.transport.base import Transport

__all__ = ["ReadPolicy", "read_ef"]

_HEADER_READ = 8
_SHORT_SM = 0xDF
_SHORT_PLAIN = 0x100
_MAX_OFFSET_ODD = 0xFFFFFF
_MAX_EF_SIZE = 0xFFFFFF
_SHORT_LIMIT = 0x7FFF
_MAX_ATTEMPTS = 4096


@dataclass
class ReadPolicy:
    """What works on this card and reader; updated while reading and reused for later files.

    Attributes:
        extended: ``True`` extended-length READ BINARY works, ``False`` it does not, ``None``
            not known yet (tried once, then remembered).
        short_chunk: bytes per short READ BINARY; ``None`` means 0xDF under secure messaging
            and 0x100 in plain.
        max_extended: bytes per extended READ BINARY.
        fallbacks: how many times a read was retried with a smaller APDU (for reports).
    """

    extended: bool | None = None
    short_chunk: int | None = None
    max_extended: int = 0x1000
    fallbacks: int = 0

    def short_limit(self, secure: bool) -> int:
        """Bytes per short READ BINARY for this session."""
        if self.short_chunk is not None:
            return self.short_chunk
        return _SHORT_SM if secure else _SHORT_PLAIN


def _odd_overhead(ne: int) -> int:
    return 2 if ne < 0x80 else (3 if ne < 0x100 else 4)


class _Reader:
    """One whole-EF read: state shared by the helper steps."""

    def __init__(self, transport: Transport, policy: ReadPolicy, secure: bool, path: str) -> None:
        self.transport = transport
        self.policy = policy
        self.secure = secure
        self.path = path

    def exchange(self, apdu: CommandAPDU) -> ResponseAPDU:
        raw = self.transport.transmit(apdu.to_bytes())
        try:
            return ResponseAPDU.from_bytes(raw)
        except ParseError as err:
            raise ParseError("response without status word", path=self.path) from err

    def _build(self, offset: int, ne: int, sfi: int | None) -> CommandAPDU:
        if sfi is not None:
            return commands.read_binary_sfi(sfi, offset, ne)
        if offset > _SHORT_LIMIT:
            return commands.read_binary_odd(offset, min(ne + _odd_overhead(ne), 65536))
        return commands.read_binary(offset, ne)

    def read_chunk(self, offset: int, wanted: int, sfi: int | None = None) -> tuple[bytes, bool]:
        """Read up to ``wanted`` bytes at ``offset``; return (data, end_of_file_reached)."""
        for _ in range(_MAX_ATTEMPTS):
            short = self.policy.short_limit(self.secure)
            use_ext = self.policy.extended is not False and wanted > short
            limit = self.policy.max_extended if use_ext else short
            if sfi is None and offset > _SHORT_LIMIT:
                limit -= _odd_overhead(limit)  # room for the DO'53' header in the answer
            ne = min(wanted, limit)
            if ne <= 256:
                # an APDU this small is encoded short: keep it within the short limit (under SM a
                # short Le above 0xDF would need a protected answer longer than 256 bytes)
                ne = min(ne, short)
            apdu = self._build(offset, ne, sfi)
            extended_apdu = apdu.needs_extended
            try:
                resp = self.exchange(apdu)
            except (CardRemovedError, NoCardError, NoReaderError):
                raise
            except TransportError:
                if not extended_apdu:
                    raise
                self._no_extended()
                continue
            sw1 = resp.sw1
            if extended_apdu and (resp.sw == 0x6700 or sw1 == 0x6C):
                self._no_extended()
                continue
            if sw1 == 0x6C and resp.sw2 and resp.sw2 < ne:
                wanted = resp.sw2  # ISO/IEC 7816-4: "wrong Le; SW2 = exact length"
                continue
            if resp.sw == 0x6700 and ne > _SHORT_SM:
                self.policy.short_chunk = _SHORT_SM
                self.policy.fallbacks += 1
                continue
            if extended_apdu and resp.ok:
                self.policy.extended = True
            return self._accept(resp, apdu, ne)
        raise ParseError("READ BINARY keeps failing", path=self.path)

    def _no_extended(self) -> None:
        self.policy.extended = False
        self.policy.fallbacks += 1

    def _accept(self, resp: ResponseAPDU, apdu: CommandAPDU, ne: int) -> tuple[bytes, bool]:
        eof = resp.sw == 0x6282
        if resp.sw != 0x9000 and not eof:
            try:
                check_sw(resp.sw, apdu.ins)
            except IncorrectParametersError as err:
                if resp.sw in (0x6B00, 0x6A86):  # offset outside the EF
                    raise ParseError("file shorter than its TLV length", path=self.path) from err
                raise
            # other warnings (6281 "data may be corrupted", 61xx...) are not a clean read
            raise error_for_sw(resp.sw, apdu.ins)
        data = resp.data
        if apdu.ins == 0xB1 and data:
            tag, data, rest = decode_tlv(data, path=f"{self.path} > READ BINARY B1")
            if tag != 0x53 or rest:
                raise ParseError("odd-INS answer is not one DO'53'", path=self.path)
        if len(data) > ne:
            raise ParseError(f"card returned {len(data)} bytes for Ne={ne}", path=self.path)
        if not data and not eof:
            raise ParseError("card returned no data before the end of the file", path=self.path)
        return data, eof


def _total_length(header: bytes, path: str) -> int | None:
    """File size from the TLV header, or ``None`` if ``header`` is too short to tell."""
    try:
        _, pos = decode_tag(header, 0, path=path)
    except ParseError:
        if len(header) >= 4:
            raise
        return None
    if pos >= len(header):
        return None
    first = header[pos]
    if first == 0x80:
        raise ParseError("indefinite length at the top of an EF", path=path)
    if first > 0x84:
        raise ParseError(f"unsupported length byte {first:02X}", path=path)
    size = 1 if first < 0x80 else 1 + (first & 0x7F)
    if pos + size > len(header):
        return None
    length = first if first < 0x80 else int.from_bytes(header[pos + 1 : pos + size], "big")
    total = pos + size + length
    if total > _MAX_EF_SIZE:
        raise ParseError(f"EF length {total} is implausible", path=path)
    return total


def read_ef(
    transport: Transport,
    *,
    fid: int | None = None,
    sfi: int | None = None,
    policy: ReadPolicy | None = None,
    progress: Callable[[int, int], None] | None = None,
    secure: bool = True,
) -> bytes:
    """Select an elementary file and read it whole.

    Args:
        transport: the (usually secure-messaging) transport.
        fid: file identifier to SELECT first (``00 A4 02 0C``).
        sfi: short file identifier: the first READ BINARY selects the file implicitly.
        policy: what works on this card, shared between files; a fresh one when ``None``.
            An unknown ``extended`` is seeded from ``transport.extended_length`` if present.
        progress: called as ``progress(bytes_read, total)`` after each chunk.
        secure: whether secure messaging is on (chunk size 0xDF instead of 0x100).

    Returns:
        The file content, exactly as long as its outer TLV says.

    Raises:
        ChipFileNotFoundError, SecurityStatusNotSatisfiedError...: the SELECT or READ failed.
        ParseError: no usable TLV header, or the file is shorter / longer than announced.
        CardRemovedError: the card left; nothing is returned.
    """
    if (fid is None) == (sfi is None):
        raise ParseError("give exactly one of fid and sfi", path="read_ef")
    if policy is None:
        policy = ReadPolicy()
    if policy.extended is None:
        hint = getattr(transport, "extended_length", None)
        if isinstance(hint, bool):
            policy.extended = hint
    name = f"EF {fid:04X}" if fid is not None else f"EF SFI {sfi}"
    reader = _Reader(transport, policy, secure, name)
    if fid is not None:
        select = commands.select_fid(fid)
        reader.exchange(select).check(select.ins)

    data, eof = reader.read_chunk(0, _HEADER_READ, sfi)
    total = _total_length(data, name)
    if total is None and not eof:
        more, eof = reader.read_chunk(len(data), _HEADER_READ, None)
        data += more
        total = _total_length(data, name)
    if total is None:
        raise ParseError(f"file of {len(data)} bytes has no complete TLV header", path=name)
    if len(data) > total:
        raise ParseError(f"file longer than its TLV length ({len(data)} > {total})", path=name)
    if progress is not None:
        progress(len(data), total)
    while len(data) < total:
        if eof:
            raise ParseError(f"end of file after {len(data)} of {total} bytes", path=name)
        if len(data) > _MAX_OFFSET_ODD:
            raise ParseError("offset beyond READ BINARY range", path=name)
        chunk, eof = reader.read_chunk(len(data), total - len(data))
        data += chunk
        if len(data) > total:
            raise ParseError(f"file longer than its TLV length ({len(data)} > {total})", path=name)
        if progress is not None:
            progress(len(data), total)
    return data
