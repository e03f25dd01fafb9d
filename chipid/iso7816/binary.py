"""Whole-EF reading in as few APDUs as the card and reader allow.

ICAO 9303-10 §3.5 and ISO/IEC 7816-4 §11.2.3 (READ BINARY). Every LDS elementary file is one
BER-TLV object, so the first READ BINARY learns the file size from its own answer: it asks for
as much as possible and the TLV header at the front of the data gives the total. The strategy,
remembered for the session in :class:`ReadPolicy` (one policy per card session):

* **SFI first**: with a short EF identifier, ``00 B0 8s 00`` reads the file without a SELECT
  (ISO/IEC 7816-4 §7.2.2). A chip that refuses it (6A86, 6B00, 6981, 6986...) is asked with
  SELECT by FID instead, and :attr:`ReadPolicy.sfi` remembers that. A 6A82 answer to an SFI
  read is "file absent" once SFI reads are known to work, else SELECT by FID decides.
* **Whole file in one extended READ**: the first READ asks ``Le = 0000`` (Ne = 65536: "all
  bytes up to the end of the file"). A chip whose buffer is smaller answers with fewer bytes
  and the rest follows at the next offsets. A chip that refuses ``Le = 0000`` (6700 / 6Cxx) gets
  the same read with a short APDU (which learns the header), then the rest in one extended READ
  of exactly the remaining length. A refused explicit size is retried at a quarter of it (at most
  4 KB; below 1 KB short reads take over), the largest size that worked is reused for the first
  READ of later files, and the chunk grows again (half way towards the smallest refused size)
  while the refusal budget (:data:`_MAX_REFUSALS`) lasts. A chip without extended length thus
  costs two refused APDUs per session. A reader that cannot carry extended APDUs (a
  TransportError other than a removed card) switches to short reads at once.
* **Short reads**: at most ``0xDF`` bytes under secure messaging (the protected answer of 223
  bytes, padded and MACed, still fits 256 bytes) or ``0x100`` (``Le = 00``) in plain; a 6700 on
  a longer one lowers it to ``0xDF``; 6Cxx gives the exact length.
* Offsets above 32767 use the odd instruction ``B1`` with DO'54' (answer in DO'53').

``6282`` (end of file reached before Ne bytes) is taken with its data; ``9000`` with fewer
bytes than asked is fine too (ISO/IEC 7816-4: ``Le = 0000`` reads up to the end of the file).
Any other status (the ``6281`` "data may be corrupted" warning included) raises. An empty EF
(``6B00``, or no data with ``6282``, at offset 0) reads as ``b""``. A file shorter or longer
than its TLV length, or an unknown structure, raises :class:`~chipid.errors.ParseError`; bytes
after the TLV object in the first answer (an EF allocated larger than its content) are dropped. A
CardRemovedError propagates: a partly read file is never returned as whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chipid.errors import (
    CardRemovedError,
    ChipFileNotFoundError,
    NoCardError,
    NoReaderError,
    ParseError,
    SecurityStatusNotSatisfiedError,
    StatusWordError,
    TransportError,
)
from chipid.iso7816 import commands
from chipid.iso7816.apdu import CommandAPDU, ResponseAPDU
from chipid.iso7816.status import check_sw, error_for_sw
from chipid.iso7816.tlv import decode_tag, decode_tlv
from chipid.transport.base import Transport

__all__ = ["ReadPolicy", "read_ef"]

_SHORT_SM = 0xDF
_SHORT_PLAIN = 0x100
_LE_MAX = 0x10000
"""Ne of an extended ``Le = 0000``: everything up to the end of the file (or the chip's buffer)."""
_MAX_OFFSET_ODD = 0xFFFFFF
_MAX_EF_SIZE = 0xFFFFFF
_SHORT_LIMIT = 0x7FFF
_MAX_ATTEMPTS = 4096
_MAX_REFUSALS = 4
"""Extended sizes refused (6700 / 6Cxx) in one session before reading short only."""
_PROBE = 0x1000
"""The largest size tried after a refused explicit extended READ when none has worked yet."""
_MIN_PROBE = 0x400
"""Below this, a chip that refused every extended size so far is read with short APDUs: a chip
without extended length then costs two refused APDUs per session (Le=0000 and one explicit size)."""


@dataclass
class ReadPolicy:
    """What works on this card and reader; updated while reading and reused for later files.

    Attributes:
        extended: ``True`` extended-length READ BINARY works, ``False`` it does not, ``None``
            not known yet (tried once, then remembered).
        le_max: whether ``Le = 0000`` (Ne = 65536, "up to the end of the file") is accepted;
            ``None`` until tried.
        max_extended: the largest explicit extended Ne to ask when ``Le = 0000`` is refused
            (lowered on refusals, grown back towards the smallest refused size).
        extended_ok: the largest extended Ne that worked (0: none yet).
        refused_min: the smallest explicit extended Ne refused (0: none yet).
        refusals: extended sizes refused so far (after :data:`_MAX_REFUSALS`, short only).
        short_chunk: bytes per short READ BINARY; ``None`` means 0xDF under secure messaging
            and 0x100 in plain.
        sfi: ``True`` READ BINARY by short EF identifier works, ``False`` it does not (SELECT
            by FID is used), ``None`` not known yet.
        fallbacks: how many times a read was retried another way (for reports).
        notes: one line per fallback taken (what was refused, what is used instead).
    """

    extended: bool | None = None
    le_max: bool | None = None
    max_extended: int = 0xFFFF
    extended_ok: int = 0
    refused_min: int = 0
    refusals: int = 0
    short_chunk: int | None = None
    sfi: bool | None = None
    fallbacks: int = 0
    notes: list[str] = field(default_factory=list)

    def short_limit(self, secure: bool) -> int:
        """Bytes per short READ BINARY for this session."""
        if self.short_chunk is not None:
            return self.short_chunk
        return _SHORT_SM if secure else _SHORT_PLAIN

    def fallback(self, note: str) -> None:
        """Record one fallback."""
        self.fallbacks += 1
        self.notes.append(note)

    def extended_size(self, wanted: int | None) -> int | None:
        """Ne of the next extended READ for ``wanted`` bytes (``None``: the size is not known yet).

        ``None`` means "read short": the first READ of a file once ``Le = 0000`` was refused and
        no explicit extended size has worked yet.
        """
        if self.le_max is not False:
            return _LE_MAX
        if wanted is None:
            return self.max_extended if self.extended_ok else None
        return min(wanted, self.max_extended)

    def refuse_extended(self, ne: int, why: str) -> None:
        """An extended READ of ``ne`` bytes was refused by the chip (6700 / 6Cxx): ask less next time."""
        if ne == _LE_MAX:
            self.le_max = False
            self.fallback(f"Le=0000 refused ({why}); a short first READ, then explicit extended lengths")
            return
        self.refusals += 1
        self.refused_min = min(self.refused_min or ne, ne)
        if not self.extended_ok:
            smaller = min(ne // 4, _PROBE)
            if smaller >= _MIN_PROBE and self.refusals < _MAX_REFUSALS:
                self.max_extended = smaller
            else:
                self.extended = False
                self.fallback(f"extended READ of {ne} bytes refused ({why}); short reads")
                return
        else:
            self.max_extended = self._grown()
        self.fallback(f"extended READ of {ne} bytes refused ({why}); {self.max_extended} bytes next")

    def extended_worked(self, ne: int) -> None:
        """An extended READ of ``ne`` bytes was answered (the whole Ne, or up to the end of the file)."""
        self.extended = True
        if ne == _LE_MAX:
            self.le_max = True
            return
        self.extended_ok = max(self.extended_ok, ne)
        if self.refused_min:
            self.max_extended = self._grown()

    def _grown(self) -> int:
        """Half way from the largest size that worked to the smallest refused, while that is worth a try."""
        grow = (self.extended_ok + self.refused_min) // 2
        if self.refusals >= _MAX_REFUSALS or grow <= self.extended_ok * 5 // 4:
            return self.extended_ok
        return grow


def _odd_overhead(ne: int) -> int:
    return 2 if ne < 0x80 else (3 if ne < 0x100 else 4)


class _EmptyFile(Exception):
    """Offset 0 is already the end of the file."""


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
            return commands.read_binary_odd(offset, min(ne + _odd_overhead(ne), _LE_MAX))
        return commands.read_binary(offset, ne)

    def _size(self, offset: int, wanted: int | None, sfi: int | None) -> int:
        policy = self.policy
        short = policy.short_limit(self.secure)
        ext = policy.extended_size(wanted) if policy.extended is not False else None
        if ext is not None and (wanted is None or wanted > short):
            ne = ext
        else:
            ne = short if wanted is None else min(wanted, short)
        if ne <= 256:
            # an APDU this small is encoded short: keep it within the short limit (under SM a short Le
            # above 0xDF would need a protected answer longer than 256 bytes)
            ne = min(ne, short)
        if sfi is None and offset > _SHORT_LIMIT:
            # room for the DO'53' header in the answer (Le=0000 stays Le=0000)
            limit = short if ne <= short else policy.max_extended
            ne = _LE_MAX - 4 if ne == _LE_MAX else max(1, min(ne, limit - _odd_overhead(limit)))
        return ne

    def read_chunk(self, offset: int, wanted: int | None, sfi: int | None = None) -> tuple[bytes, bool]:
        """Read up to ``wanted`` bytes at ``offset`` (``None``: as many as possible).

        Returns (data, end_of_file_reached).
        """
        for _ in range(_MAX_ATTEMPTS):
            ne = self._size(offset, wanted, sfi)
            apdu = self._build(offset, ne, sfi)
            extended_apdu = apdu.needs_extended
            try:
                resp = self.exchange(apdu)
            except (CardRemovedError, NoCardError, NoReaderError):
                raise
            except TransportError as err:
                if not extended_apdu:
                    raise
                self.policy.extended = False
                self.policy.fallback(f"the reader did not carry an extended APDU ({err}); short reads")
                continue
            sw1 = resp.sw1
            if extended_apdu and (resp.sw == 0x6700 or sw1 == 0x6C):
                self.policy.refuse_extended(apdu.ne or ne, f"{resp.sw:04X}")
                continue
            if sw1 == 0x6C and resp.sw2 and resp.sw2 < ne:
                wanted = resp.sw2  # ISO/IEC 7816-4: "wrong Le; SW2 = exact length"
                continue
            if resp.sw == 0x6700 and ne > _SHORT_SM:
                self.policy.short_chunk = _SHORT_SM
                self.policy.fallback(f"short READ of {ne} bytes refused (6700); {_SHORT_SM} bytes")
                continue
            data, eof = self._accept(resp, apdu, ne, offset)
            if extended_apdu:
                self.policy.extended_worked(apdu.ne or ne)
            return data, eof
        raise ParseError("READ BINARY keeps failing", path=self.path)

    def _accept(self, resp: ResponseAPDU, apdu: CommandAPDU, ne: int, offset: int) -> tuple[bytes, bool]:
        eof = resp.sw == 0x6282
        if offset == 0 and (resp.sw == 0x6B00 or (eof and not resp.data)):
            raise _EmptyFile
        if resp.sw != 0x9000 and not eof:
            if offset and resp.sw in (0x6B00, 0x6A86):  # offset outside the EF
                raise ParseError("file shorter than its TLV length", path=self.path)
            check_sw(resp.sw, apdu.ins)
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


def _first_chunk(reader: _Reader, fid: int | None, sfi: int | None) -> tuple[bytes, bool]:
    """The first READ of the file: by SFI when allowed, else (or when SFI is refused) SELECT + READ."""
    policy = reader.policy
    if sfi is not None and (fid is None or policy.sfi is not False):
        try:
            first = reader.read_chunk(0, None, sfi)
        except SecurityStatusNotSatisfiedError:
            raise  # the file is there but protected (DG3/DG4 without EAC)
        except _EmptyFile:
            if fid is None or policy.sfi:
                raise
            refusal = "6B00"  # an empty file, or a chip that takes P1 for an offset: SELECT decides
        except StatusWordError as err:
            absent = isinstance(err, ChipFileNotFoundError)
            if fid is None or (absent and policy.sfi):
                raise
            refusal = f"{err.sw:04X}"
        else:
            policy.sfi = True
            return first
        select = commands.select_fid(fid)
        reader.exchange(select).check(select.ins)  # 6A82 here: the file is absent
        try:
            first = reader.read_chunk(0, None)
        except _EmptyFile:
            raise
        policy.sfi = False
        policy.fallback(f"READ BINARY by SFI refused ({refusal}); SELECT by FID")
        return first
    if fid is None:
        raise ParseError("give a fid or an sfi", path="read_ef")
    select = commands.select_fid(fid)
    reader.exchange(select).check(select.ins)
    return reader.read_chunk(0, None)


def read_ef(
    transport: Transport,
    *,
    fid: int | None = None,
    sfi: int | None = None,
    policy: ReadPolicy | None = None,
    progress: Callable[[int, int], None] | None = None,
    secure: bool = True,
) -> bytes:
    """Read an elementary file whole (see the module docstring for the strategy).

    Args:
        transport: the (usually secure-messaging) transport.
        fid: file identifier for ``SELECT 00 A4 02 0C``.
        sfi: short file identifier: READ BINARY selects the file implicitly. With both, SFI is
            tried first and SELECT by FID is the fallback (remembered in ``policy``).
        policy: what works on this card, shared between the files of one session; a fresh one
            when ``None``. An unknown ``extended`` is seeded from ``transport.extended_length``.
        progress: called as ``progress(bytes_read, total)`` after each chunk.
        secure: whether secure messaging is on (chunk size 0xDF instead of 0x100).

    Returns:
        The file content, exactly as long as its outer TLV says; ``b""`` for an empty EF.

    Raises:
        ChipFileNotFoundError, SecurityStatusNotSatisfiedError...: the SELECT or READ failed.
        ParseError: no usable TLV header, or the file is shorter / longer than announced.
        CardRemovedError: the card left; nothing is returned.
    """
    if fid is None and sfi is None:
        raise ParseError("give a fid or an sfi", path="read_ef")
    if policy is None:
        policy = ReadPolicy()
    if policy.extended is None:
        hint = getattr(transport, "extended_length", None)
        if isinstance(hint, bool):
            policy.extended = hint
    name = f"EF {fid:04X}" if fid is not None else f"EF SFI {sfi}"
    reader = _Reader(transport, policy, secure, name)
    try:
        data, eof = _first_chunk(reader, fid, sfi)
    except _EmptyFile:
        if progress is not None:
            progress(0, 0)
        return b""
    total = _total_length(data, name)
    while total is None and not eof and len(data) < 16:
        more, eof = reader.read_chunk(len(data), 16 - len(data))
        data += more
        total = _total_length(data, name)
    if total is None:
        raise ParseError(f"file of {len(data)} bytes has no complete TLV header", path=name)
    # bytes after the TLV object (an EF allocated larger than its content) are not part of the file
    data = data[:total]
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
