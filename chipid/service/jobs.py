"""The job store: one read job per request, one running job per reader, finished jobs wiped after a TTL.

Everything about a citizen (the parsed document, the chip portrait, the result JSON, a cached face template)
lives in a :class:`Job` in this process's memory only, never on disk. A job is wiped ``ttl_s`` seconds after
its read finished (or at once on DELETE): its fields are cleared and the store forgets it, keeping only the
id in a bounded list of tombstones so a late request gets "expired" rather than "unknown". Python cannot
promise that freed memory is overwritten; dropping every reference is what this store can guarantee.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobStore"]

_TOMBSTONES = 4096


@dataclass(eq=False)
class Job:
    """One read. ``state`` is ``"running"``, ``"done"`` (a verdict was reached) or ``"failed"`` (no document).

    Attributes:
        id: random, unguessable job id (also the URL path segment).
        reader: the reader name the job holds.
        created, finished, expires: store-clock times (``finished``/``expires`` None while running).
        events: progress events so far (replayed to late WebSocket subscribers).
        payload: the ``chipid.read/1`` result (photos omitted: the portrait has its own URL).
        document: the parsed :class:`~chipid.document.Document` (for face verification).
        portrait, portrait_type: DG2's first face image and its MIME type.
        error: ``{"type", "message", "hint"}`` when the read failed.
        read_s: seconds the library read took (the service overhead is measured against it).
        cache: per-job memo (the chip portrait's face template).
    """

    id: str
    reader: str
    created: float
    state: str = "running"
    finished: float | None = None
    expires: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    document: Any = None
    portrait: bytes | None = None
    portrait_type: str | None = None
    error: dict[str, str] | None = None
    read_s: float | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def wipe(self) -> None:
        """Drop every reference to personal data."""
        self.events.clear()
        self.payload = None
        self.document = None
        self.portrait = None
        self.portrait_type = None
        self.cache.clear()
        self.state = "expired"


class JobStore:
    """Jobs by id, the reader locks, and the TTL.

    Args:
        ttl_s: seconds a finished job is kept.
        clock: monotonic seconds (injected by tests to expire jobs without waiting).
    """

    def __init__(self, ttl_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._jobs: dict[str, Job] = {}
        self._busy: dict[str, str] = {}
        self._tombstones: deque[str] = deque(maxlen=_TOMBSTONES)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def try_start(self, reader: str) -> Job | None:
        """A new running job holding ``reader``, or None when another job holds it (reader busy)."""
        with self._lock:
            if reader in self._busy:
                return None
            job = Job(secrets.token_urlsafe(16), reader, self.clock())
            self._jobs[job.id] = job
            self._busy[reader] = job.id
            return job

    def busy_readers(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._busy)

    def finish(self, job: Job, *, failed: bool = False) -> None:
        """Mark ``job`` finished (its fields already set), release its reader and start its TTL."""
        with self._lock:
            now = self.clock()
            job.state = "failed" if failed else "done"
            job.finished = now
            job.expires = now + self.ttl_s
            if self._busy.get(job.reader) == job.id:
                del self._busy[job.reader]

    def get(self, job_id: str) -> Job | None:
        """The live job, or None (unknown or expired: see :meth:`expired`)."""
        self.sweep()
        with self._lock:
            return self._jobs.get(job_id)

    def expired(self, job_id: str) -> bool:
        """Whether ``job_id`` existed and has been wiped."""
        with self._lock:
            return job_id in self._tombstones

    def delete(self, job_id: str) -> bool:
        """Wipe a finished job now. False when unknown or still running (the read finishes, then its TTL
        applies)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state == "running":
                return False
            self._drop(job)
            return True

    def sweep(self) -> int:
        """Wipe every job whose TTL has run out; returns how many."""
        with self._lock:
            now = self.clock()
            due = [j for j in self._jobs.values() if j.expires is not None and j.expires <= now]
            for job in due:
                self._drop(job)
            return len(due)

    def _drop(self, job: Job) -> None:
        job.wipe()
        del self._jobs[job.id]
        self._tombstones.append(job.id)
