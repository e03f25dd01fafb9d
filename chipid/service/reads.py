"""One read job, run in a worker thread: access key from the request, the library read, the result kept.

The read itself is :class:`chipid.reader.DocumentReader`, unchanged; this module only turns a request into
its arguments, progress callbacks into events, and the outcome into the job's ``chipid.read/1`` payload or a
typed error description. Nothing personal is logged: only the job id, the reader, the verdict and timings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from chipid.access.keys import AccessKey, CANKey, MRZKey
from chipid.errors import (
    AccessControlError,
    CardInUseError,
    CardRemovedError,
    ChipIDError,
    NoCardError,
    NoReaderError,
    ParseError,
    WrongPasswordError,
)
from chipid.reader import DocumentReader, ReadResult
from chipid.service.cards import CardSource
from chipid.service.jobs import Job, JobStore

__all__ = ["describe_error", "key_from_request", "result_payload", "run_read"]

_LOG = logging.getLogger("chipid.service")


def _field(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ParseError("must be a non-empty string", path=f"request > mrz > {name}")
    return value.strip()


def key_from_request(body: dict[str, Any]) -> AccessKey:
    """``{"can": "123456"}`` or ``{"mrz": {"id_number"|"document_number", "date_of_birth", "date_of_expiry"}}``
    (dates YYMMDD) or ``{"mrz": {"text": "<the whole MRZ>"}}``.

    Raises:
        ParseError: none or both given, or a field is malformed (the message never repeats the value).
    """
    can, mrz = body.get("can"), body.get("mrz")
    if (can is None) == (mrz is None):
        raise ParseError("give exactly one of 'can' or 'mrz'", path="request")
    if can is not None:
        if not isinstance(can, str) or not can.isdigit() or len(can) != 6:
            raise ParseError("must be the 6 digits printed on the card", path="request > can")
        return CANKey(can)
    if not isinstance(mrz, dict):
        raise ParseError("must be an object", path="request > mrz")
    if "text" in mrz:
        return MRZKey.from_mrz(_field(mrz, "text").replace("|", "\n"))
    dob, doe = _field(mrz, "date_of_birth"), _field(mrz, "date_of_expiry")
    if "id_number" in mrz:
        return MRZKey.for_cccd(_field(mrz, "id_number"), dob, doe)
    return MRZKey(_field(mrz, "document_number").upper(), dob, doe)


def describe_error(err: ChipIDError) -> dict[str, str]:
    """``{"type", "code", "message"}`` for a failed read; ``code`` is stable for the page's translations."""
    if isinstance(err, NoReaderError):
        code = "no_reader"
    elif isinstance(err, NoCardError):
        code = "no_card"
    elif isinstance(err, CardInUseError):
        code = "card_in_use"
    elif isinstance(err, CardRemovedError):
        code = "card_removed"
    elif isinstance(err, AccessControlError) or isinstance(err.__cause__, WrongPasswordError):
        code = "access_denied"
    else:
        code = "read_error"
    return {"type": type(err).__name__, "code": code, "message": str(err)}


def result_payload(result: ReadResult) -> dict[str, Any]:
    """The ``chipid.read/1`` object (docs/read.schema.json) with the photo omitted (served at its own URL)."""
    return result.to_dict(photo="omit")


_BROWSER_TYPES = frozenset({"image/jpeg", "image/png"})


def browser_image(image: bytes | None, mime: str | None) -> tuple[bytes | None, str | None]:
    """The portrait as browsers display it: JPEG as read, JPEG 2000 (passports, 39794-5) converted to PNG.

    An image Pillow cannot decode is served as read (the page then shows no photo; the verdict stands).
    """
    if image is None or mime in _BROWSER_TYPES:
        return image, mime
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(image)) as img:
            out = io.BytesIO()
            img.convert("RGB").save(out, "PNG")
    except Exception:  # Pillow raises many types for undecodable data
        return image, mime or "application/octet-stream"
    return out.getvalue(), "image/png"


def run_read(job: Job, store: JobStore, source: CardSource, key: AccessKey,
             emit: Callable[[dict[str, Any]], None]) -> None:
    """Read the card in ``job.reader`` into ``job``; never raises (the outcome is in the job and an event)."""
    last: dict[str, int] = {}

    def progress(name: str, done: int, total: int) -> None:
        if last.get(name) == done:
            return
        last[name] = done
        event = {"type": "progress", "job": job.id, "file": name, "done": done, "total": total}
        job.events.append(event)
        emit(event)

    started = time.perf_counter()
    try:
        transport = source.open(job.reader)
        try:
            result = DocumentReader(transport, key, trust=source.trust, progress=progress).read()
        finally:
            transport.close()
    except ChipIDError as err:
        job.error = describe_error(err)
        store.finish(job, failed=True)
        _LOG.info("read %s on %r failed: %s", job.id, job.reader, type(err).__name__)
        emit({"type": "failed", "job": job.id, "error": job.error})
        return
    except Exception as err:  # a bug must not leave the reader locked; its text may hold data: type only
        job.error = {"type": "InternalError", "code": "internal", "message": f"internal error ({type(err).__name__})"}
        store.finish(job, failed=True)
        _LOG.error("read %s on %r: internal error %s", job.id, job.reader, type(err).__name__)
        emit({"type": "failed", "job": job.id, "error": job.error})
        return
    job.read_s = time.perf_counter() - started
    job.payload = result_payload(result)
    job.document = result.document
    job.portrait, job.portrait_type = browser_image(result.document.face_image(), result.document.face_mime_type())
    store.finish(job)
    verdict = result.report.verdict.value
    _LOG.info("read %s on %r: %s in %.3f s", job.id, job.reader, verdict, job.read_s)
    emit({"type": "done", "job": job.id, "verdict": verdict})
