"""1:N search over a sharded on-disk gallery on a Ray cluster (``pip install 'chipid[scale]'``).

Each shard is a Ray actor that maps its chunks of a :class:`~chipid.biometrics.gallery_store.GalleryStore`
(prepared fingerprint templates or normalised face vectors, checked on load, never re-prepared) and answers
top-k with the C core (the cffi calls release the GIL, so the actor's threads run in parallel).  The driver
checks the probe once, scatters it to every shard (inline, or through the object store once when big) and merges the
per-shard top-k into the single-machine order: score descending, then enrolment order.  There is no custom
networking: Ray carries probes and results.

Faults: a shard that dies, cannot be reached or does not answer within ``timeout_s`` is reported.  By default
the search raises :class:`~chipid.errors.ShardLostError` (naming the shards that did and did not answer); with
``allow_partial=True`` it returns a :class:`DistributedResult` with ``partial=True`` and ``missing`` set,
never a silently short list.  Actors are created with ``max_restarts``: Ray restarts a lost worker, which
reloads its chunks from disk (the same manifest generation, or it refuses to serve).

Importing this module never imports Ray; Ray is imported when a cluster is started or joined.
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chipid.biometrics.gallery_store import (
    GalleryHit,
    GalleryStore,
    Kind,
    ShardSearcher,
    merge_top_k,
    prepare_probe,
)
from chipid.errors import ChipIDError, GalleryError, ShardLostError, UnsupportedError

__all__ = ["DistributedGallery", "DistributedResult", "connect", "plan_shards", "shutdown"]

_INSTALL_HINT = "pip install 'chipid[scale]'"
_INLINE_BYTES = 64 << 10  # batches up to this size are sent inline with each shard call (Ray inlines < 100 KiB)


def _ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError as err:
        raise UnsupportedError(f"distributed search needs Ray: {_INSTALL_HINT}") from err


def connect(address: str | None = None, *, num_cpus: int | None = None,
            object_store_memory: int = 256 << 20) -> None:
    """Join a Ray cluster, or start a local one.

    Args:
        address: a running cluster (``"auto"``, ``"HOST:PORT"``, ``"ray://HOST:PORT"``); None or ``"local"``
            starts a new local cluster in this process (never joins one found by chance on the machine).
        num_cpus: CPUs of a local cluster (default: all).
        object_store_memory: object store of a local cluster: probes and results only (default 256 MiB).

    When this process is already connected, nothing changes.

    Raises:
        UnsupportedError: Ray is not installed.
        GalleryError: the cluster cannot be started or reached.
    """
    ray = _ray()
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        if address in (None, "local"):
            ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                     object_store_memory=object_store_memory)
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise GalleryError(f"cannot start or join the Ray cluster at {address or 'local'}: {err}") from err


def shutdown() -> None:
    """Leave the cluster (and stop it when this process started it locally)."""
    ray = _ray()
    if ray.is_initialized():
        ray.shutdown()


def plan_shards(live_counts: Sequence[int], shards: int) -> list[list[int]]:
    """Assign chunk positions to ``shards`` workers, balancing live entries (largest chunk first).

    Any assignment gives the same merged result; balance only evens the work.
    """
    if shards < 1:
        raise GalleryError("shards must be >= 1")
    plan: list[list[int]] = [[] for _ in range(shards)]
    load = [0] * shards
    for pos in sorted(range(len(live_counts)), key=lambda p: (-live_counts[p], p)):
        s = min(range(shards), key=lambda i: (load[i], i))
        plan[s].append(pos)
        load[s] += live_counts[pos]
    return [sorted(p) for p in plan]


class _Shard:
    """The actor body (wrapped by ``ray.remote`` at run time): one shard of a gallery in this process."""

    def __init__(self, path: str, kind: Kind, chunks: list[int], generation: int, threads: int) -> None:
        # A constructor that raises loses the exception's type in Ray (the actor just dies): keep the typed
        # error and raise it from every call instead, so that the driver sees GalleryCorruptError & co.
        self._error: ChipIDError | None = None
        self._searcher: ShardSearcher | None = None
        self._threads = threads
        self._loaded_at = time.time()
        try:
            store = GalleryStore(path)
            if store.generation != generation:
                raise GalleryError(f"gallery {path} is at generation {store.generation}, the search expects "
                                   f"{generation}: reload the distributed gallery")
            self._searcher = ShardSearcher(store, kind, chunks)
        except ChipIDError as err:
            self._error = err

    def _ready(self) -> ShardSearcher:
        if self._error is not None:
            raise self._error
        assert self._searcher is not None
        return self._searcher

    def info(self) -> dict[str, Any]:
        """Who is serving: process id, load time, generation, live entries, CPU seconds used so far."""
        searcher = self._ready()
        return {"pid": os.getpid(), "loaded_at": self._loaded_at, "generation": searcher.generation,
                "count": len(searcher), "cpu_s": time.process_time()}

    def search(self, probes: list[Any], top_k: int) -> tuple[int, list[list[tuple[float, int, int, str]]]]:
        """Top-k per probe as (score, chunk, index, id) tuples, with the generation served."""
        searcher = self._ready()
        out = []
        for probe in probes:
            hits = searcher.search_prepared(probe, top_k, threads=self._threads)
            out.append([(h.score, h.chunk, h.index, h.id) for h in hits])
        return searcher.generation, out


_ACTOR: Any = None


def _actor_class() -> Any:
    global _ACTOR  # noqa: PLW0603  # the ray.remote class is built once, when Ray is first needed
    if _ACTOR is None:
        _ACTOR = _ray().remote(_Shard)
    return _ACTOR


@dataclass(frozen=True)
class DistributedResult:
    """The merged top-k of one probe, with which shards answered."""

    hits: tuple[GalleryHit, ...]
    answered: tuple[int, ...]
    missing: tuple[int, ...] = ()

    @property
    def partial(self) -> bool:
        """True when some shards did not answer: ``hits`` covers only the ``answered`` shards."""
        return bool(self.missing)


class DistributedGallery:
    """A gallery directory served by shard actors on the connected Ray cluster.

    Every node running a shard must see the gallery directory at the same path (shared or copied storage).
    """

    def __init__(self, path: str | os.PathLike[str], kind: Kind, *, shards: int = 1, threads_per_shard: int = 1,
                 max_restarts: int = 3, timeout_s: float | None = None, allow_partial: bool = False,
                 load_timeout_s: float | None = 600.0) -> None:
        """Start the shard actors and wait until every one has loaded and checked its chunks.

        ``timeout_s`` bounds each search, ``load_timeout_s`` the start (a cluster without the CPUs for every
        shard would otherwise wait forever).

        Raises:
            UnsupportedError: Ray is not installed.
            GalleryError: not connected; or a shard refused its chunks (GalleryCorruptError,
                GalleryFormatError, raised as such).
            ShardLostError: a shard's worker died, or was not placed and loaded within ``load_timeout_s``.
        """
        ray = _ray()
        if not ray.is_initialized():
            raise GalleryError("not connected to a Ray cluster: call chipid.biometrics.distributed.connect()")
        if threads_per_shard < 1:
            raise GalleryError("threads_per_shard must be >= 1")
        self.path = os.path.abspath(os.fspath(path))
        store = GalleryStore(self.path)
        self.kind, self.generation, self.dim = kind, store.generation, store.face_dim
        self.count = store.count(kind)
        self.timeout_s, self.allow_partial = timeout_s, allow_partial
        self.plan = plan_shards([c.live for c in store.chunks(kind)], shards)
        actor = _actor_class().options(num_cpus=threads_per_shard, max_restarts=max_restarts, max_task_retries=0)
        self._actors = [actor.remote(self.path, kind, chunks, self.generation, threads_per_shard)
                        for chunks in self.plan]
        try:
            answers, missing = self._gather([a.info.remote() for a in self._actors], load_timeout_s)
            if missing:
                raise ShardLostError(f"shards {missing} died or did not load within {load_timeout_s} s (does the "
                                     f"cluster have {threads_per_shard} free CPUs per shard?)",
                                     missing=tuple(missing), answered=tuple(sorted(answers)))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> DistributedGallery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def shards(self) -> int:
        return len(self._actors)

    def close(self) -> None:
        """Stop the shard actors (no restart)."""
        ray = _ray()
        for a in self._actors:
            try:
                ray.kill(a, no_restart=True)
            except Exception:  # noqa: S112  # an actor already gone needs no kill
                continue
        self._actors = []

    def _gather(self, refs: list[Any], timeout_s: float | None) -> tuple[dict[int, Any], list[int]]:
        """Per-shard answers and the shards that are lost; application errors from a shard are re-raised."""
        ray = _ray()
        exc = importlib.import_module("ray.exceptions")
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout_s)
        done = set(ready)
        answers: dict[int, Any] = {}
        missing: list[int] = []
        for shard, ref in enumerate(refs):
            if ref not in done:  # too slow: reported; not cancelled (a late cancel can hit the next task)
                missing.append(shard)
                continue
            try:
                answers[shard] = ray.get(ref)
            except exc.RayTaskError as err:
                cause = getattr(err, "cause", None)
                if isinstance(cause, ChipIDError):
                    raise cause from err
                raise GalleryError(f"shard {shard} failed: {err}") from err
            except exc.RayError:  # actor died, unavailable, restarting; worker or node lost
                missing.append(shard)
        return answers, missing

    def health(self) -> dict[int, dict[str, Any] | None]:
        """Each shard's :meth:`_Shard.info`, None for a shard that does not answer (now)."""
        answers, _ = self._gather([a.info.remote() for a in self._actors], self.timeout_s or 30.0)
        return {s: answers.get(s) for s in range(self.shards)}

    def search(self, probe: Any, top_k: int = 10) -> DistributedResult:
        """Top-k for one probe: a prepared blob (finger) or a face vector of the gallery's dimension."""
        return self.search_batch([probe], top_k)[0]

    def search_batch(self, probes: Iterable[Any], top_k: int = 10) -> list[DistributedResult]:
        """Top-k for each probe, in the single-machine order, with the shard of every hit.

        Raises:
            ShardLostError: a shard did not answer and ``allow_partial`` is False.
            GalleryError: bad ``top_k``; a shard serves another generation of the gallery.
            ParseError: a fingerprint probe is not a prepared blob.
        """
        if top_k < 1:
            raise GalleryError("top_k must be >= 1")
        if not self._actors:
            raise GalleryError("this distributed gallery is closed")
        batch = [prepare_probe(self.kind, p, self.dim) for p in probes]
        if not batch:
            return []
        ray = _ray()
        # Small batches travel inline with each call (fewest hops); big ones go to the object store once.
        payload = ray.put(batch) if sum(len(p) for p in batch) * 4 > _INLINE_BYTES else batch
        answers, missing = self._gather([a.search.remote(payload, top_k) for a in self._actors], self.timeout_s)
        stale = sorted(s for s, (gen, _) in answers.items() if gen != self.generation)
        if stale:
            raise GalleryError(f"shards {stale} serve another generation of the gallery: reload it")
        answered = tuple(sorted(answers))
        if missing and not self.allow_partial:
            raise ShardLostError(
                f"{len(missing)} of {self.shards} shards did not answer (shards {missing}); the result would be "
                "short", missing=tuple(missing), answered=answered)
        results = []
        for i in range(len(batch)):
            per_shard = [[GalleryHit(ident, score, chunk, index, shard) for score, chunk, index, ident in hits[i]]
                         for shard, (_, hits) in answers.items()]
            results.append(DistributedResult(tuple(merge_top_k(per_shard, top_k)), answered, tuple(missing)))
        return results

