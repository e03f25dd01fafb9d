"""The on-disk gallery: same results as the in-memory search, append/delete/compact, refusal of bad chunks."""

from __future__ import annotations

import array
import hashlib
import json
import random
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chipid.biometrics import Gallery, parse_template, prepare, search
from chipid.biometrics.face import FaceGallery
from chipid.biometrics.gallery_store import GalleryStore, blob_format
from chipid.errors import GalleryCorruptError, GalleryError, GalleryFormatError, ParseError
from tests.biometrics._samples import FVC


@pytest.fixture(scope="module")
def blobs() -> list[tuple[str, bytes]]:
    paths = sorted(FVC.rglob("*.iso"))
    return [(f"{p.parent.name}/{p.stem}", prepare(parse_template(p.read_bytes()))) for p in paths]


def _faces(n: int, dim: int, seed: int = 7) -> list[tuple[str, list[float]]]:
    rng = random.Random(seed)
    return [(f"face{i:05d}", [rng.gauss(0, 1) for _ in range(dim)]) for i in range(n)]


def _finger_store(tmp: Path, entries: list[tuple[str, bytes]], chunk: int = 47) -> GalleryStore:
    store = GalleryStore.create(tmp / "g", chunk_size=chunk)
    assert store.append_fingers(entries) == len(entries)
    return store


def _reference(entries: list[tuple[str, bytes]], probe: bytes, k: int) -> list[tuple[str, float]]:
    hits = search(probe, Gallery(b for _, b in entries), k)
    return [(entries[h.index][0], h.score) for h in hits]


def test_finger_search_equals_single_gallery(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    store = _finger_store(tmp_path, blobs)
    assert len(store.chunks("finger")) == 7 and store.count("finger") == 320
    for use_mmap in (True, False):
        searcher = GalleryStore(tmp_path / "g").searcher("finger", use_mmap=use_mmap)
        for probe_i in (0, 13, 200):
            got = [(h.id, h.score) for h in searcher.search(blobs[probe_i][1], 12)]
            assert got == _reference(blobs, blobs[probe_i][1], 12)
            assert got[0][0] == blobs[probe_i][0]


def test_ties_follow_enrolment_order(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    # the same template enrolled 5 times across chunks: equal scores come back in enrolment order
    entries = [(f"dup{i}", blobs[3][1]) for i in range(5)] + blobs[:40]
    store = _finger_store(tmp_path, entries, chunk=2)
    hits = store.searcher("finger").search(blobs[3][1], 8)
    assert [h.id for h in hits[:6]] == ["dup0", "dup1", "dup2", "dup3", "dup4", blobs[3][0]]
    assert [(h.id, h.score) for h in hits] == _reference(entries, blobs[3][1], 8)


def test_face_search_equals_face_gallery(tmp_path: Path) -> None:
    faces = _faces(300, 16)
    store = GalleryStore.create(tmp_path / "g", face_dim=16, face_chunk_size=64)
    store.append_faces(faces)
    ref = FaceGallery(16, (v for _, v in faces))
    searcher = store.searcher("face")
    for q in (faces[5][1], [0.5] * 16):
        got = [(h.id, h.score) for h in searcher.search(q, 10)]
        assert got == [(faces[h.index][0], h.score) for h in ref.search(q, 10)]
    assert searcher.search(faces[5][1], 1)[0].id == "face00005"


def test_append_delete_compact(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    store = _finger_store(tmp_path, blobs[:100], chunk=30)
    gen = store.generation
    store.append_fingers(blobs[100:150])
    assert store.generation == gen + 1 and store.count("finger") == 150
    probe = blobs[120][1]
    gone = {blobs[120][0], blobs[121][0], blobs[5][0]} | {b[0] for b in blobs[60:90]}  # incl. whole chunk 2
    assert store.delete("finger", gone) == len(gone)
    live = [b for b in blobs[:150] if b[0] not in gone]
    want = _reference(live, probe, 10)
    assert [(h.id, h.score) for h in GalleryStore(store.path).searcher("finger").search(probe, 10)] == want
    files_before = set(p.name for p in store.path.glob("*.gch"))
    store.compact("finger")
    assert all(not c.deleted for c in store.chunks("finger")) and store.count("finger") == len(live)
    assert [(h.id, h.score) for h in store.searcher("finger").search(probe, 10)] == want
    assert set(p.name for p in store.path.glob("*.gch")) != files_before
    assert len(list(store.path.glob("*.gch"))) == len(store.chunks("finger"))
    # a deleted id may be enrolled again
    store.append_fingers([(blobs[120][0], blobs[120][1])])
    assert store.searcher("finger").search(probe, 1)[0].id == blobs[120][0]


def test_bad_input_is_typed(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    store = _finger_store(tmp_path, blobs[:10])
    with pytest.raises(GalleryError, match="already enrolled"):
        store.append_fingers([blobs[3]])
    with pytest.raises(GalleryError, match="already enrolled"):
        store.append_fingers([("x", blobs[0][1]), ("x", blobs[1][1])])
    with pytest.raises(ParseError):
        store.append_fingers([("y", b"not a blob")])
    with pytest.raises(GalleryError, match="not enrolled") as refused:
        store.delete("finger", ["nobody", blobs[0][0], "anybody"])
    assert refused.value.ids == ("anybody", "nobody")  # every id not found, and nothing deleted
    with pytest.raises(GalleryError, match="kind"):
        store.count("iris")  # type: ignore[arg-type]
    assert store.count("finger") == 10 and len(store.chunks("finger")) == 1  # nothing half-written
    assert len(list(store.path.glob("*.gch"))) == 1
    with pytest.raises(GalleryError, match="4 values"):
        store.append_faces([("f", [1.0, 2.0, 3.0, 4.0])])
    with pytest.raises(GalleryError):
        store.append_faces([("f", [float("nan")] * 128)])
    with pytest.raises(ParseError):
        store.searcher("finger").search(b"junk", 3)
    with pytest.raises(GalleryError):
        GalleryStore(tmp_path / "nothing-here")
    with pytest.raises(GalleryError, match="already holds"):
        GalleryStore.create(store.path)


def _rewrite_manifest(store: GalleryStore, edit: object) -> None:
    path = store.path / "manifest.json"
    doc = json.loads(path.read_text())
    edit(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc))


def test_corrupt_chunk_is_refused(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    store = _finger_store(tmp_path, blobs[:60], chunk=30)
    chunk = store.path / store.chunks("finger")[1].file
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0x40  # one flipped bit inside a template
    chunk.write_bytes(bytes(data))
    with pytest.raises(GalleryCorruptError, match="SHA-256") as err:
        GalleryStore(store.path).searcher("finger")
    assert err.value.file == chunk.name
    store.load_chunk("finger", 0)  # the intact chunk still loads
    chunk.write_bytes(bytes(data[:-10]))
    with pytest.raises(GalleryCorruptError, match="bytes"):
        store.load_chunk("finger", 1)
    chunk.unlink()
    with pytest.raises(GalleryCorruptError, match="missing"):
        store.load_chunk("finger", 1)
    (store.path / "manifest.json").write_text("{not json")
    with pytest.raises(GalleryCorruptError):
        GalleryStore(store.path)


def test_header_checked_even_with_a_matching_checksum(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    store = _finger_store(tmp_path, blobs[:20])
    info = store.chunks("finger")[0]
    path = store.path / info.file
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 12, 19)  # count field lies
    path.write_bytes(bytes(data))
    _rewrite_manifest(store, lambda d: d["finger"][0].update(sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(GalleryCorruptError, match="count"):
        GalleryStore(store.path).load_chunk("finger", 0)


def test_other_template_format_is_refused(tmp_path: Path, blobs: list[tuple[str, bytes]]) -> None:
    magic, abi = blob_format()
    assert magic == blobs[0][1][:4].decode() and abi >= 1
    store = _finger_store(tmp_path, blobs[:20])
    _rewrite_manifest(store, lambda d: d.update(blob_format="MCC0"))
    with pytest.raises(GalleryFormatError, match="re-prepare"):
        GalleryStore(store.path).searcher("finger")
    with pytest.raises(GalleryFormatError):
        GalleryStore(store.path).append_fingers([("z", blobs[30][1])])
    # a chunk whose own header names another ABI, though the manifest is current
    _rewrite_manifest(store, lambda d: d.update(blob_format=magic))
    info = store.chunks("finger")[0]
    path = store.path / info.file
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 20, abi + 1)
    path.write_bytes(bytes(data))
    _rewrite_manifest(store, lambda d: d["finger"][0].update(sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(GalleryFormatError, match="ABI"):
        GalleryStore(store.path).load_chunk("finger", 0)
    _rewrite_manifest(store, lambda d: d.update(version=99))
    with pytest.raises(GalleryFormatError, match="version"):
        GalleryStore(store.path)


def test_face_vectors_from_float32_buffers(tmp_path: Path) -> None:
    store = GalleryStore.create(tmp_path / "g", face_dim=4)
    store.append_faces([("a", array.array("f", [3.0, 4.0, 0.0, 0.0])), ("b", (0.0, 0.0, 1.0, 0.0))])
    hits = store.searcher("face").search(array.array("f", [0.6, 0.8, 0.0, 0.0]), 2)
    assert [h.id for h in hits] == ["a", "b"] and hits[0].score == pytest.approx(1.0)
    assert hits[1].score == pytest.approx(0.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=0, max_size=60),
       st.integers(1, 5), st.integers(1, 12), st.randoms(use_true_random=False))
def test_merge_of_any_split_is_the_single_order(cells: list[tuple[int, int]], shards: int, k: int,
                                                rnd: random.Random) -> None:
    """Whatever chunks each shard holds, merging the shards' top-k gives the global top-k (ties included)."""
    from chipid.biometrics.gallery_store import GalleryHit, merge_top_k

    hits = [GalleryHit(f"id{i}", score / 4, chunk, i) for i, (score, chunk) in enumerate(cells)]
    want = sorted(hits, key=GalleryHit.sort_key)[:k]
    chunk_to_shard = {c: rnd.randrange(shards) for c in range(4)}
    per_shard = [merge_top_k([[h for h in hits if chunk_to_shard[h.chunk] == s]], k) for s in range(shards)]
    assert merge_top_k(per_shard, k) == want
