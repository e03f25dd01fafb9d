"""The ``/api/v1`` routes (documented in :mod:`chipid.service.openapi`).

Every handler reads the shared :class:`Desk` from ``request.app.state.desk``. Errors are JSON objects
``{"error": code, "message": text}`` with a stable ``code``; the desk page translates codes, never texts.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from chipid import __version__
from chipid.errors import ChipIDError
from chipid.service.cards import CardSource
from chipid.service.config import ServiceConfig
from chipid.service.events import Hub
from chipid.service.face import FaceService
from chipid.service.jobs import Job, JobStore
from chipid.service.openapi import openapi_document
from chipid.service.reads import key_from_request, run_read
from chipid.service.security import Sessions, session_cookie

__all__ = ["Desk", "routes"]

_SUBPROTOCOL = "chipid.v1"


@dataclass
class Desk:
    """Everything the routes share: settings, the card source, jobs, events, sessions, workers."""

    config: ServiceConfig
    source: CardSource
    store: JobStore
    hub: Hub = field(default_factory=Hub)
    sessions: Sessions = field(default_factory=Sessions)
    face: FaceService = field(default_factory=FaceService)
    workers: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(4, "chipid-read"))
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _desk(request: Request | WebSocket) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(415, "unsupported_media_type", "send application/json")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_json", "the body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "bad_json", "the body must be a JSON object")
    return body


# ---------------------------------------------------------------------- routes
async def health(request: Request) -> JSONResponse:
    desk = _desk(request)
    return JSONResponse({"status": "ok", "version": __version__, "mode": desk.source.mode,
                         "face": desk.face.available(), "jobs": len(desk.store),
                         "ttl_s": desk.config.ttl_s})


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


async def session(request: Request) -> Response:
    """Exchange the Bearer token for an HttpOnly session cookie (the desk page does this once)."""
    desk = _desk(request)
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        return _error(401, "unauthorized", "present the access token as a Bearer header")
    response = JSONResponse({"status": "ok"})
    response.set_cookie(session_cookie(desk.config.port), desk.sessions.create(), httponly=True,
                        samesite="strict", path="/", secure=desk.config.scheme == "https")
    return response


async def readers(request: Request) -> JSONResponse:
    desk = _desk(request)
    try:
        states = await asyncio.get_running_loop().run_in_executor(desk.workers, desk.source.readers)
    except ChipIDError as err:
        return _error(503, "no_reader_service", str(err))
    busy = desk.store.busy_readers()
    return JSONResponse({"mode": desk.source.mode, "readers": [
        {"name": name, "card_present": present, "busy": name in busy} for name, present in states.items()]})


def _job_json(job: Job, desk: Desk) -> dict[str, Any]:
    result = job.payload
    left = None if job.expires is None else max(0.0, job.expires - desk.store.clock())
    return {
        "id": job.id,
        "reader": job.reader,
        "state": job.state,
        "progress": job.events[-1] if job.events else None,
        "verdict": result["report"]["verdict"] if result else None,
        "result": result,
        "error": job.error,
        "portrait_url": f"/api/v1/reads/{job.id}/portrait" if job.portrait else None,
        "expires_in_s": None if left is None else round(left, 1),
        "read_s": None if job.read_s is None else round(job.read_s, 4),
    }


async def start_read(request: Request) -> JSONResponse:
    desk = _desk(request)
    body = await _json_body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        key = key_from_request(body)
    except ValueError as err:  # ParseError: which field, never its value
        return _error(422, "invalid_key", str(err))
    loop = asyncio.get_running_loop()
    reader = body.get("reader")
    if reader is not None and not isinstance(reader, str):
        return _error(422, "invalid_reader", "'reader' must be a reader name")
    async with desk.start_lock:  # choosing "the first reader with a card" and locking it is one step
        if reader is None:
            try:
                states = await loop.run_in_executor(desk.workers, desk.source.readers)
            except ChipIDError as err:
                return _error(503, "no_reader_service", str(err))
            with_card = [n for n, present in states.items() if present]
            if not with_card:
                return _error(409, "no_card", "no reader holds a card: place the card on the reader")
            free = [n for n in with_card if n not in desk.store.busy_readers()]
            if not free:
                return _error(409, "reader_busy", "the reader is busy with another read", reader=with_card[0])
            reader = free[0]
        job = desk.store.try_start(reader)
    if job is None:
        return _error(409, "reader_busy", "the reader is busy with another read", reader=reader)
    desk.hub.publish({"type": "started", "job": job.id, "reader": reader})
    loop.run_in_executor(desk.workers, run_read, job, desk.store, desk.source, key, desk.hub.publish_threadsafe)
    return JSONResponse({"id": job.id, "reader": reader, "state": job.state,
                         "url": f"/api/v1/reads/{job.id}"}, status_code=202)


def _lookup(desk: Desk, job_id: str) -> Job | JSONResponse:
    job = desk.store.get(job_id)
    if job is not None:
        return job
    if desk.store.expired(job_id):
        return _error(410, "expired", "the document was wiped (time-to-live over): read the card again")
    return _error(404, "unknown_job", "no such read")


async def get_read(request: Request) -> JSONResponse:
    desk = _desk(request)
    job = _lookup(desk, request.path_params["job_id"])
    if isinstance(job, JSONResponse):
        return job
    return JSONResponse(_job_json(job, desk))


async def delete_read(request: Request) -> Response:
    desk = _desk(request)
    job = _lookup(desk, request.path_params["job_id"])
    if isinstance(job, JSONResponse):
        return job
    if not desk.store.delete(job.id):
        return _error(409, "still_running", "the read is still running")
    return Response(status_code=204)


async def portrait(request: Request) -> Response:
    desk = _desk(request)
    job = _lookup(desk, request.path_params["job_id"])
    if isinstance(job, JSONResponse):
        return job
    if job.portrait is None:
        return _error(404, "no_portrait", "this read has no portrait (DG2 absent or unreadable)")
    return Response(job.portrait, media_type=job.portrait_type or "application/octet-stream")


async def face(request: Request) -> JSONResponse:
    """Compare a live image (the request body: JPEG or PNG) with the chip portrait of a finished read."""
    desk = _desk(request)
    job = _lookup(desk, request.path_params["job_id"])
    if isinstance(job, JSONResponse):
        return job
    if job.document is None or job.portrait is None:
        return _error(409, "no_portrait", "the read has no portrait to compare with")
    image = await request.body()
    if not image:
        return _error(400, "empty_image", "send the live image as the request body")
    loop = asyncio.get_running_loop()
    status, payload = await loop.run_in_executor(desk.workers, desk.face.compare, job, image)
    return JSONResponse(payload, status_code=status)


async def events(websocket: WebSocket) -> None:
    """Card and job events for every subscriber; on connect a ``hello`` with the readers and which are busy (a
    late subscriber gets a running job's last progress from ``GET /api/v1/reads/{id}``)."""
    desk = _desk(websocket)
    offered = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",")]
    await websocket.accept(subprotocol=_SUBPROTOCOL if _SUBPROTOCOL in offered else None)
    queue = desk.hub.subscribe()
    try:
        try:
            states = await asyncio.get_running_loop().run_in_executor(desk.workers, desk.source.readers)
        except ChipIDError:
            states = {}
        busy = desk.store.busy_readers()
        await websocket.send_json({"type": "hello", "mode": desk.source.mode, "readers": [
            {"name": n, "card_present": p, "busy": n in busy} for n, p in states.items()]})
        receiver = asyncio.ensure_future(websocket.receive())
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                getter.cancel()
                message = receiver.result()
                if message["type"] == "websocket.disconnect":
                    return
                receiver = asyncio.ensure_future(websocket.receive())  # client messages are ignored
                continue
            await websocket.send_json(getter.result())
    except WebSocketDisconnect:
        return
    finally:
        desk.hub.unsubscribe(queue)


routes = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/session", session, methods=["POST"]),
    Route("/api/v1/readers", readers, methods=["GET"]),
    Route("/api/v1/reads", start_read, methods=["POST"]),
    Route("/api/v1/reads/{job_id}", get_read, methods=["GET"]),
    Route("/api/v1/reads/{job_id}", delete_read, methods=["DELETE"]),
    Route("/api/v1/reads/{job_id}/portrait", portrait, methods=["GET"]),
    Route("/api/v1/reads/{job_id}/face", face, methods=["POST"]),
    WebSocketRoute("/api/v1/events", events),
]
