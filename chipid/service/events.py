"""The event hub: card and job events fanned out to every WebSocket subscriber.

Producers run in worker threads (the read, the card monitor); :meth:`Hub.publish_threadsafe` hands each event
to the event loop, which puts it in every subscriber's bounded queue. A subscriber too slow to keep up loses
its oldest events rather than holding memory without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["Hub"]

_QUEUE_SIZE = 512


class Hub:
    """Publish/subscribe of JSON-ready events within one event loop."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_QUEUE_SIZE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, event: dict[str, Any]) -> None:
        """Queue ``event`` for every subscriber (call from the event loop's thread)."""
        for queue in self._subscribers:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    def publish_threadsafe(self, event: dict[str, Any]) -> None:
        """Queue ``event`` from any thread (dropped when the loop is not running)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.publish, event)
