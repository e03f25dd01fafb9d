"""On-disk galleries for 1:N search at scale: immutable chunk files plus a JSON manifest.

A gallery directory holds prepared fingerprint templates (``finger``) and L2-normalised float32 face vectors
(``face``), each kind as a list of chunk files written once and never modified::

    DIR/manifest.json           format, version, generation, blob format + native ABI, face dim, chunk list
    DIR/finger-000000.gch ...   one chunk: header, ids, offsets + prepared blobs (match.Gallery layout)
    DIR/face-000001.gch ...     one chunk: header, ids, rows of ``dim`` float32 values

Every chunk entry of the manifest carries the file's size and SHA-256, its entry count and the local indices
deleted since it was written (tombstones).  Appending writes new chunks; deleting by id only adds tombstones
(``compact`` rewrites chunks without them).  The manifest is replaced atomically (write, fsync, rename) and
its ``generation`` grows with every change, so that every worker can tell it loaded the same gallery.

Loading maps a chunk read-only (the OS page cache holds it once per node, however many workers map it, and
keeps it across worker restarts), checks size, SHA-256 and header against the manifest and refuses anything
else with :class:`~chipid.errors.GalleryCorruptError`; a gallery prepared by another matcher format raises
:class:`~chipid.errors.GalleryFormatError`.  Nothing is re-prepared on load.

Result order is the single-machine order: score descending, then enrolment order (chunk, then position in
the chunk), which is what one :func:`chipid.biometrics.match.search` over all live templates returns.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import mmap
import os
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chipid.biometrics import _match_ref as _ref
from chipid.biometrics import match
from chipid.biometrics.gallery_chunk import (
    FORMAT_VERSION,
    KINDS,
    ChunkInfo,
    GalleryHit,
    Kind,
    LoadedChunk,
    as_kind,
    blob_format,
    is_float32,
    merge_top_k,
    prepare_probe,
    write_chunk,
)
from chipid.errors import GalleryCorruptError, GalleryError, GalleryFormatError, ParseError

__all__ = [
    "FORMAT_VERSION",
    "ChunkInfo",
    "GalleryHit",
    "GalleryStore",
    "Kind",
    "LoadedChunk",
    "ShardSearcher",
    "blob_format",
    "merge_top_k",
    "prepare_probe",
]

_MANIFEST = "manifest.json"
_DEFAULT_CHUNK = {"finger": 65536, "face": 1 << 20}


def _chunk_info(raw: Any, where: str) -> ChunkInfo:
    try:
        info = ChunkInfo(str(raw["file"]), int(raw["count"]), int(raw["size"]), str(raw["sha256"]),
                         sorted(int(i) for i in raw.get("deleted", [])))
    except (KeyError, TypeError, ValueError) as err:
        raise GalleryCorruptError(f"bad chunk entry {where}: {err}", file=_MANIFEST) from err
    if "/" in info.file or info.file.startswith(".") or not info.file.endswith(".gch"):
        raise GalleryCorruptError(f"bad chunk file name {info.file!r}", file=_MANIFEST)
    if any(not 0 <= i < info.count for i in info.deleted):
        raise GalleryCorruptError(f"tombstone out of range in {info.file}", file=_MANIFEST)
    return info


class ShardSearcher:
    """Some chunks of one kind loaded in this process: the unit a worker holds, or a whole gallery.

    With every chunk it is the single-machine search of the gallery.
    """

    def __init__(self, store: GalleryStore, kind: Kind, chunks: Sequence[int] | None = None, *,
                 use_mmap: bool = True) -> None:
        infos = store.chunks(kind)
        picked = range(len(infos)) if chunks is None else chunks
        self.kind, self.generation, self.dim = kind, store.generation, store.face_dim
        self.chunks = [store.load_chunk(kind, i, use_mmap=use_mmap) for i in picked]

    def __len__(self) -> int:
        return sum(c.info.live for c in self.chunks)

    def search(self, probe: Any, top_k: int = 10, *, threads: int | None = None) -> list[GalleryHit]:
        """Top-k over the loaded chunks: ``probe`` is a prepared blob (finger) or any face vector."""
        return self.search_prepared(prepare_probe(self.kind, probe, self.dim), top_k, threads=threads)

    def search_prepared(self, probe: Any, top_k: int = 10, *, threads: int | None = None) -> list[GalleryHit]:
        """Top-k for a probe already through :func:`prepare_probe`."""
        if top_k < 1:
            raise GalleryError("top_k must be >= 1")
        return merge_top_k((c.search(probe, top_k, threads) for c in self.chunks), top_k)


class GalleryStore:
    """A gallery directory: create or open it, append, delete by id, compact, load chunks.

    Writers take an exclusive lock on ``DIR/.lock``; readers need none (chunks never change once written).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Open an existing gallery (see :meth:`create` for a new one).

        Raises:
            GalleryError: no gallery there.
            GalleryCorruptError: the manifest is unreadable.
            GalleryFormatError: written by an incompatible chipid.
        """
        self.path = Path(path)
        self._read_manifest()

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, face_dim: int = 128, chunk_size: int | None = None,
               face_chunk_size: int | None = None) -> GalleryStore:
        """Create an empty gallery directory (refuses a directory that already holds one)."""
        p = Path(path)
        if (p / _MANIFEST).exists():
            raise GalleryError(f"{p} already holds a gallery")
        if face_dim < 1 or (chunk_size is not None and chunk_size < 1) or (
                face_chunk_size is not None and face_chunk_size < 1):
            raise GalleryError("face_dim and chunk sizes must be >= 1")
        p.mkdir(parents=True, exist_ok=True)
        magic, abi = blob_format()
        manifest = {"format": "chipid-gallery", "version": FORMAT_VERSION, "generation": 0, "next_file": 0,
                    "blob_format": magic, "abi": abi, "face_dim": face_dim,
                    "chunk_size": {"finger": chunk_size or _DEFAULT_CHUNK["finger"],
                                   "face": face_chunk_size or _DEFAULT_CHUNK["face"]},
                    "finger": [], "face": []}
        _write_json(p / _MANIFEST, manifest)
        return cls(p)

    # ------------------------------------------------------------------ manifest
    def _read_manifest(self) -> None:
        file = self.path / _MANIFEST
        try:
            raw: Any = json.loads(file.read_bytes())
        except FileNotFoundError as err:
            raise GalleryError(f"no gallery at {self.path} (no {_MANIFEST})") from err
        except (OSError, ValueError) as err:
            raise GalleryCorruptError(f"unreadable: {err}", file=_MANIFEST) from err
        if not isinstance(raw, dict) or raw.get("format") != "chipid-gallery":
            raise GalleryCorruptError("not a chipid gallery manifest", file=_MANIFEST)
        if raw.get("version") != FORMAT_VERSION:
            raise GalleryFormatError(f"gallery format version {raw.get('version')}, this chipid reads {FORMAT_VERSION}")
        try:
            self.generation = int(raw["generation"])
            self.face_dim = int(raw["face_dim"])
            self.blob_magic, self.abi = str(raw["blob_format"]), int(raw["abi"])
            self._next_file = int(raw["next_file"])
            self._chunk_size = {k: int(raw["chunk_size"][k]) for k in KINDS}
            self._chunks = {k: [_chunk_info(c, f"{k}[{i}]") for i, c in enumerate(raw[k])] for k in KINDS}
        except (KeyError, TypeError, ValueError) as err:
            raise GalleryCorruptError(f"missing or bad field: {err}", file=_MANIFEST) from err

    def _write_manifest(self) -> None:
        self.generation += 1
        _write_json(self.path / _MANIFEST, {
            "format": "chipid-gallery", "version": FORMAT_VERSION, "generation": self.generation,
            "next_file": self._next_file, "blob_format": self.blob_magic, "abi": self.abi,
            "face_dim": self.face_dim, "chunk_size": self._chunk_size,
            **{k: [c.to_json() for c in self._chunks[k]] for k in KINDS}})

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.path / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._read_manifest()  # another writer may have changed it
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def refresh(self) -> None:
        """Re-read the manifest (after another process changed the gallery)."""
        self._read_manifest()

    def chunks(self, kind: Kind) -> list[ChunkInfo]:
        """The manifest's chunk list for one kind, in enrolment order."""
        return list(self._chunks[as_kind(kind)])

    def count(self, kind: Kind) -> int:
        """Live entries of one kind."""
        return sum(c.live for c in self._chunks[as_kind(kind)])

    def _check_finger_format(self) -> None:
        magic, abi = blob_format()
        if (self.blob_magic, self.abi) != (magic, abi):
            raise GalleryFormatError(
                f"gallery templates prepared as {self.blob_magic}/ABI {self.abi}, this chipid prepares "
                f"{magic}/ABI {abi}: re-prepare the gallery from its source records")

    # ------------------------------------------------------------------ loading
    def load_chunk(self, kind: Kind, position: int, *, use_mmap: bool = True) -> LoadedChunk:
        """Map (or read) one chunk and check it against the manifest.

        Raises:
            GalleryCorruptError: missing file, wrong size, checksum or header.
            GalleryFormatError: other chunk format, or templates of another matcher format.
        """
        kind = as_kind(kind)
        if kind == "finger":
            self._check_finger_format()
        info = self._chunks[kind][position]
        path = self.path / info.file
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size != info.size:
                    raise GalleryCorruptError(f"{size} bytes, the manifest says {info.size}", file=info.file)
                data: Any = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if use_mmap else f.read()
        except FileNotFoundError as err:
            raise GalleryCorruptError("chunk file missing", file=info.file) from err
        except OSError as err:
            raise GalleryError(f"{info.file}: cannot read: {err}") from err
        if hashlib.sha256(data).hexdigest() != info.sha256:
            raise GalleryCorruptError("SHA-256 differs from the manifest: refusing a corrupt chunk", file=info.file)
        try:
            return LoadedChunk(kind, position, info, data, self.face_dim)
        except (struct.error, TypeError, ValueError, IndexError) as err:
            raise GalleryCorruptError(f"malformed chunk: {err}", file=info.file) from err

    def searcher(self, kind: Kind, *, use_mmap: bool = True) -> ShardSearcher:
        """The whole gallery of one kind loaded here: the single-machine search."""
        return ShardSearcher(self, kind, use_mmap=use_mmap)

    def iter_ids(self, kind: Kind) -> Iterator[tuple[int, int, str]]:
        """(chunk position, index, id) of every live entry, in enrolment order."""
        for pos, info in enumerate(self._chunks[as_kind(kind)]):
            chunk = self.load_chunk(kind, pos)
            dead = set(info.deleted)
            for i, ident in enumerate(chunk.ids()):
                if i not in dead:
                    yield pos, i, ident

    # ------------------------------------------------------------------ writing
    def append_fingers(self, entries: Iterable[tuple[str, bytes]]) -> int:
        """Append (id, prepared blob) pairs in new chunks; returns how many were added.

        Raises:
            GalleryError: an id already enrolled (or repeated), an empty id.
            ParseError: a blob is not a prepared template of this chipid.
            GalleryFormatError: the gallery holds templates of another matcher format.
        """
        def payload(item: tuple[str, bytes]) -> bytes:
            blob = item[1]
            if not isinstance(blob, bytes | bytearray) or not _ref.blob_check(bytes(blob)):
                raise ParseError("not a prepared template blob", path=f"gallery entry {item[0]!r}")
            return bytes(blob)

        with self._locked():
            self._check_finger_format()
            return self._append("finger", entries, payload)

    def append_faces(self, entries: Iterable[tuple[str, Any]]) -> int:
        """Append (id, vector) pairs (any float sequence or float32 buffer, normalised here) in new chunks.

        Raises:
            GalleryError: duplicate or empty id, a vector of the wrong dimension, NaN or infinity.
        """
        import array

        def payload(item: tuple[str, Any]) -> bytes:
            vec = item[1]
            try:
                f32 = is_float32(vec)
                row = array.array("f", memoryview(vec).cast("B").cast("f")) if f32 else array.array("f", vec)
                if len(row) != self.face_dim:
                    raise GalleryError(f"vector of {item[0]!r} has {len(row)} values, the gallery holds "
                                       f"{self.face_dim}-d vectors")
                match.face_normalize(row, self.face_dim)
            except (TypeError, ValueError) as err:
                raise GalleryError(f"bad face vector for {item[0]!r}: {err}") from err
            return row.tobytes()

        with self._locked():
            return self._append("face", entries, payload)

    def _append(self, kind: Kind, entries: Iterable[tuple[str, Any]], payload: Any) -> int:
        seen = {ident for _, _, ident in self.iter_ids(kind)}
        added, ids, blobs = 0, [], []
        size = self._chunk_size[kind]
        new: list[ChunkInfo] = []
        try:
            for item in entries:
                ident = item[0]
                if not isinstance(ident, str) or not ident:
                    raise GalleryError(f"ids must be non-empty strings, got {ident!r}")
                if ident in seen:
                    raise GalleryError(f"id {ident!r} is already enrolled (delete it first)")
                seen.add(ident)
                ids.append(ident)
                blobs.append(payload(item))
                if len(ids) == size:
                    new.append(self._new_chunk(kind, ids, blobs))
                    added += len(ids)
                    ids, blobs = [], []
            if ids:
                new.append(self._new_chunk(kind, ids, blobs))
                added += len(ids)
        except BaseException:
            for info in new:  # nothing half-appended: the manifest never named them
                (self.path / info.file).unlink(missing_ok=True)
            raise
        self._chunks[kind].extend(new)
        if new:
            self._write_manifest()
        return added

    def _new_chunk(self, kind: Kind, ids: list[str], blobs: list[bytes]) -> ChunkInfo:
        name = f"{kind}-{self._next_file:06d}.gch"
        self._next_file += 1
        return write_chunk(self.path / name, kind, ids, blobs, self.face_dim)

    def delete(self, kind: Kind, ids: Iterable[str]) -> int:
        """Tombstone every entry of these ids; returns how many entries were deleted.

        Raises:
            GalleryError: an id that is not enrolled (nothing is deleted; ``ids`` lists every such id).
        """
        kind = as_kind(kind)
        wanted = set(ids)
        with self._locked():
            found: set[str] = set()
            for pos, i, ident in list(self.iter_ids(kind)):
                if ident in wanted:
                    self._chunks[kind][pos].deleted.append(i)
                    found.add(ident)
            missing = wanted - found
            if missing:
                self._read_manifest()  # drop the tombstones added above
                raise GalleryError(f"not enrolled: {', '.join(sorted(missing)[:5])}", ids=tuple(sorted(missing)))
            for info in self._chunks[kind]:
                info.deleted.sort()
            if found:
                self._write_manifest()
            return len(found)

    def compact(self, kind: Kind) -> None:
        """Rewrite the chunks holding tombstones without them (enrolment order kept), then drop the old files."""
        kind = as_kind(kind)
        with self._locked():
            old: list[str] = []
            for pos, info in enumerate(self._chunks[kind]):
                if not info.deleted:
                    continue
                chunk = self.load_chunk(kind, pos)
                dead = set(info.deleted)
                keep = [i for i in range(info.count) if i not in dead]
                ids = [chunk.id(i) for i in keep]
                if chunk.gallery is not None:
                    blobs = [bytes(chunk.gallery.blob(i)) for i in keep]
                else:
                    assert chunk.rows is not None
                    d = self.face_dim
                    blobs = [chunk.rows[i * d : (i + 1) * d].tobytes() for i in keep]
                del chunk
                old.append(info.file)
                self._chunks[kind][pos] = self._new_chunk(kind, ids, blobs) if keep else ChunkInfo("", 0, 0, "")
            self._chunks[kind] = [c for c in self._chunks[kind] if c.count]
            if old:
                self._write_manifest()
                for name in old:
                    (self.path / name).unlink(missing_ok=True)


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
