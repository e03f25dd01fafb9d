"""Gallery chunk files: the binary layout, writing one, mapping and checking one, searching it with the C core.

A chunk (``*.gch``) is written once and never modified (little-endian)::

    48-byte header   magic "CHIPIDGC", format version, kind (1 finger, 2 face), count, face dim, native ABI,
                     prepared-template magic, ids length, data length
    id table         (count + 1) int64 offsets, then the UTF-8 ids, padded to 8 bytes
    finger data      (count + 1) int64 offsets + the prepared blobs (the match.Gallery layout)
    face data        count x dim float32 rows, L2-normalised

The manifest that lists chunks (sizes, SHA-256, tombstones) is :mod:`chipid.biometrics.gallery_store`.
"""

from __future__ import annotations

import array
import functools
import hashlib
import heapq
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from chipid.biometrics import _match_ref as _ref
from chipid.biometrics import match
from chipid.biometrics.template import Minutia, MinutiaType
from chipid.errors import GalleryCorruptError, GalleryError, GalleryFormatError, ParseError

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "ChunkInfo",
    "GalleryHit",
    "Kind",
    "LoadedChunk",
    "as_kind",
    "blob_format",
    "is_float32",
    "merge_top_k",
    "prepare_probe",
    "write_chunk",
]

FORMAT_VERSION = 1
Kind = Literal["finger", "face"]
KINDS: tuple[Kind, ...] = ("finger", "face")

_MAGIC = b"CHIPIDGC"
_HEADER = struct.Struct("<8sHBxIII4sxxxxQQ")  # magic, version, kind, count, dim, abi, blob magic, ids_len, data_len
_KIND_CODE = {"finger": 1, "face": 2}


@functools.cache
def blob_format() -> tuple[str, int]:
    """This chipid's prepared-template format: the blob magic (its layout version) and the native ABI."""
    probe = [Minutia(MinutiaType.RIDGE_ENDING, 100 + 20 * i, 120 + 15 * i, 30.0 * i, 60) for i in range(4)]
    magic = match.prepare(probe)[:4]
    return magic.decode("ascii", "replace"), int(getattr(match, "_ABI", 0))


def _pad8(n: int) -> int:
    return (n + 7) & ~7


@dataclass(frozen=True)
class GalleryHit:
    """One 1:N result from a gallery: the enrolled id, its score and where it lives."""

    id: str
    score: float
    chunk: int
    """Position of the chunk in the manifest's list for its kind (enrolment order)."""
    index: int
    """Position of the entry inside its chunk."""
    shard: int = 0
    """The shard (worker) that answered; 0 on a single machine."""

    def sort_key(self) -> tuple[float, int, int]:
        """Score descending, then enrolment order: the single-machine order."""
        return (-self.score, self.chunk, self.index)


@dataclass
class ChunkInfo:
    """One manifest entry."""

    file: str
    count: int
    size: int
    sha256: str
    deleted: list[int] = field(default_factory=list)

    @property
    def live(self) -> int:
        return self.count - len(self.deleted)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "count": self.count, "size": self.size, "sha256": self.sha256,
                "deleted": self.deleted}


class LoadedChunk:
    """One chunk mapped (or read) into memory, checked, ready to search with the C core."""

    def __init__(self, kind: Kind, position: int, info: ChunkInfo, data: Any, dim: int) -> None:
        self.kind, self.position, self.info, self.dim = kind, position, info, dim
        self._data = data  # keeps the mapping alive while views exist
        view = memoryview(data)
        magic, version, code, count, cdim, abi, bmagic, ids_len, data_len = _HEADER.unpack_from(view, 0)
        name = info.file
        if magic != _MAGIC:
            raise GalleryCorruptError("not a chipid gallery chunk (bad magic)", file=name)
        if version != FORMAT_VERSION:
            raise GalleryFormatError(f"{name}: chunk format version {version}, this chipid reads {FORMAT_VERSION}")
        if code != _KIND_CODE[kind] or count != info.count:
            raise GalleryCorruptError("header disagrees with the manifest (kind or count)", file=name)
        if kind == "finger":
            want_magic, want_abi = blob_format()
            if bmagic.decode("ascii", "replace") != want_magic or abi != want_abi:
                raise GalleryFormatError(
                    f"{name}: templates prepared as {bmagic.decode('ascii', 'replace')}/ABI {abi}, this chipid "
                    f"prepares {want_magic}/ABI {want_abi}: re-prepare the gallery from its source records")
        elif cdim != dim:
            raise GalleryCorruptError(f"face dim {cdim}, the manifest says {dim}", file=name)
        off = _HEADER.size
        self._id_offsets = view[off : off + 8 * (count + 1)].cast("q")
        off += 8 * (count + 1)
        self._ids = view[off : off + ids_len]
        off = _pad8(off + ids_len)
        if self._id_offsets[0] != 0 or self._id_offsets[count] != ids_len:
            raise GalleryCorruptError("id table inconsistent", file=name)
        if kind == "finger":
            offsets = view[off : off + 8 * (count + 1)].cast("q")
            off += 8 * (count + 1)
            if offsets[0] != 0 or offsets[count] != data_len:
                raise GalleryCorruptError("template offsets inconsistent", file=name)
            gallery = match.Gallery(())
            gallery.buffer = view[off : off + data_len]  # type: ignore[assignment]  # zero-copy, same layout
            gallery.offsets = offsets  # type: ignore[assignment]
            self.gallery: match.Gallery | None = gallery
            self.rows: memoryview[float] | None = None
        else:
            self.gallery = None
            self.rows = view[off : off + data_len].cast("f")
            if data_len != 4 * count * dim:
                raise GalleryCorruptError("face rows inconsistent with count and dim", file=name)
        if off + data_len != len(view):
            raise GalleryCorruptError("chunk length inconsistent with its header", file=name)
        self.deleted = frozenset(info.deleted)

    def __len__(self) -> int:
        return self.info.count

    def id(self, index: int) -> str:
        """The enrolled id of one entry."""
        return bytes(self._ids[self._id_offsets[index] : self._id_offsets[index + 1]]).decode("utf-8")

    def ids(self) -> Iterator[str]:
        """Every id, tombstoned ones included, in chunk order."""
        raw = bytes(self._ids)
        for i in range(self.info.count):
            yield raw[self._id_offsets[i] : self._id_offsets[i + 1]].decode("utf-8")

    def search(self, probe: Any, top_k: int, threads: int | None) -> list[GalleryHit]:
        """Top-k live entries of this chunk (the C core; tombstones are over-fetched, then dropped)."""
        want = min(top_k + len(self.deleted), self.info.count)
        if want < 1:
            return []
        if self.gallery is not None:
            found = match.search(probe, self.gallery, want, threads=threads)
        else:
            found = match.face_search(probe, self.rows, want, threads=threads)
        hits = [GalleryHit(self.id(h.index), h.score, self.position, h.index)
                for h in found if h.index not in self.deleted]
        return hits[:top_k]


def prepare_probe(kind: Kind, probe: Any, dim: int) -> Any:
    """Check a probe once before it is scattered: a prepared blob (finger) or a normalised float32 copy (face).

    Raises:
        ParseError: not a prepared template blob.
        GalleryError: a face vector of the wrong dimension, NaN or infinity.
    """

    if as_kind(kind) == "finger":
        if not isinstance(probe, bytes | bytearray) or not _ref.blob_check(bytes(probe)):
            raise ParseError("not a prepared template blob (bad magic, counts or length)", path="probe")
        return bytes(probe)
    try:
        row = array.array("f", memoryview(probe).cast("B").cast("f")) if is_float32(probe) else array.array("f", probe)
        if len(row) != dim:
            raise GalleryError(f"face probe has {len(row)} values, the gallery holds {dim}-d vectors")
        match.face_normalize(row, dim)
    except (TypeError, ValueError) as err:
        raise GalleryError(f"bad face probe: {err}") from err
    return row


def merge_top_k(lists: Iterable[Sequence[GalleryHit]], top_k: int) -> list[GalleryHit]:
    """Merge per-chunk or per-shard top-k lists into the global top-k, in the single-machine order."""
    return heapq.nsmallest(top_k, (h for hits in lists for h in hits), key=GalleryHit.sort_key)


def write_chunk(path: Path, kind: Kind, ids: list[str], payload: list[bytes], dim: int) -> ChunkInfo:
    """Write one chunk file atomically; payload is prepared blobs or one packed float32 row each."""
    id_bytes = [i.encode("utf-8") for i in ids]
    id_offsets = [0]
    for b in id_bytes:
        id_offsets.append(id_offsets[-1] + len(b))
    ids_blob = b"".join(id_bytes)
    pad = b"\0" * (_pad8(len(ids_blob)) - len(ids_blob))
    parts = [b"", struct.pack(f"<{len(ids) + 1}q", *id_offsets), ids_blob, pad]
    data = b"".join(payload)
    if kind == "finger":
        offsets = [0]
        for p in payload:
            offsets.append(offsets[-1] + len(p))
        parts.append(struct.pack(f"<{len(ids) + 1}q", *offsets))
        bmagic_s, abi = blob_format()
        bmagic = bmagic_s.encode("ascii")
    else:
        bmagic, abi = b"\0\0\0\0", 0
    parts[0] = _HEADER.pack(_MAGIC, FORMAT_VERSION, _KIND_CODE[kind], len(ids), dim if kind == "face" else 0,
                            abi, bmagic, len(ids_blob), len(data))
    parts.append(data)
    digest, size = hashlib.sha256(), 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        for part in parts:
            f.write(part)
            digest.update(part)
            size += len(part)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return ChunkInfo(path.name, len(ids), size, digest.hexdigest())


def is_float32(vec: Any) -> bool:
    try:
        return memoryview(vec).format in ("f", "<f", "=f")
    except TypeError:
        return False


def as_kind(kind: str) -> Kind:
    if kind == "finger":
        return "finger"
    if kind == "face":
        return "face"
    raise GalleryError(f"unknown gallery kind {kind!r} (finger or face)")


