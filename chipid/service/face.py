"""Face verification of a live image against a read's chip portrait, through chipid's face API.

The face API (``chipid.verify_face``, ``chipid.FaceVerifier``, errors under ``FaceImageError``) needs the
``face`` extra (dlib). Without it the service still reads cards and answers 501 ``face_unavailable``.
One verifier is built on first use (loading the model once) and shared; calls are serialised because a
dlib model is not documented as thread-safe.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from typing import Any

from chipid.errors import ChipIDError, UnsupportedError
from chipid.service.jobs import Job

__all__ = ["FaceService"]

_LOG = logging.getLogger("chipid.service")
_INSTALL = "face verification needs the face extra: pip install 'chipid[face]'"


class FaceService:
    """Lazily loaded face verifier; :meth:`compare` returns ``(http_status, json_payload)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verifier: Any = None
        self._unavailable: str | None = None
        self._extra: bool | None = None

    def _api(self) -> tuple[Any, Any] | None:
        chipid = importlib.import_module("chipid")
        try:
            return chipid.verify_face, chipid.FaceVerifier
        except (AttributeError, ImportError):
            return None

    def available(self) -> bool:
        """Whether face verification can run (the API exists and its extra is installed)."""
        if self._unavailable is not None:
            return False
        api = self._api()
        if api is None:
            return False
        if self._extra is None:
            try:
                importlib.import_module("dlib")
                self._extra = importlib.util.find_spec("face_recognition_models") is not None
            except ImportError:
                self._extra = False
        return self._extra

    def _load(self) -> Any:
        if self._verifier is None and self._unavailable is None:
            api = self._api()
            if api is None:
                self._unavailable = _INSTALL
            else:
                try:
                    self._verifier = api[1]()
                except (ImportError, ChipIDError) as err:
                    self._unavailable = f"{_INSTALL} ({type(err).__name__})"
        return self._verifier

    def compare(self, job: Job, image: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            verifier = self._load()
            if verifier is None:
                return 501, {"error": "face_unavailable", "message": self._unavailable or _INSTALL}
            api = self._api()
            assert api is not None
            document = job.document
            if document is None:
                return 410, {"error": "expired", "message": "the document was wiped: read the card again"}
            try:
                match = api[0](document, image, verifier=verifier)
            except UnsupportedError as err:  # FaceExtraMissingError: dlib or its model weights are missing
                self._unavailable = f"{_INSTALL} ({type(err).__name__})"
                return 501, {"error": "face_unavailable", "message": self._unavailable}
            except ChipIDError as err:
                # FaceImageError family: NoFaceError, MultipleFacesError, FaceTooSmallError... (the page
                # translates the type name); the chip portrait's own problems come the same way.
                _LOG.info("face match for %s refused: %s", job.id, type(err).__name__)
                return 422, {"error": type(err).__name__, "message": str(err),
                             "source": getattr(err, "source", "image")}
        _LOG.info("face match for %s: same_person=%s", job.id, match.same_person)
        payload: dict[str, Any] = match.to_dict()
        return 200, payload
