"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

Written by hand next to the routes; ``tests/service/test_service_openapi.py`` checks that every route is
documented with its methods and that nothing documented is missing from the app.
"""

from __future__ import annotations

from typing import Any

from chipid import __version__

__all__ = ["openapi_document"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERR = _ref("Error")
_JOB_ID = [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_GONE = {"404": _json(_ERR, "unknown read"), "410": _json(_ERR, "the document was wiped (TTL over)")}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string", "description": "stable code: unauthorized, origin_not_allowed, too_large, "
                  "reader_busy, no_card, invalid_key, expired, unknown_job, face_unavailable, NoFaceError..."},
        "message": {"type": "string"}}},
    "Reader": {"type": "object", "required": ["name", "card_present", "busy"], "properties": {
        "name": {"type": "string"}, "card_present": {"type": "boolean"}, "busy": {"type": "boolean"}}},
    "ReadRequest": {
        "type": "object",
        "description": "exactly one of can or mrz; reader defaults to the first free reader holding a card",
        "properties": {
            "reader": {"type": "string"},
            "can": {"type": "string", "pattern": "^[0-9]{6}$"},
            "mrz": {"type": "object", "description": "text (the whole MRZ), or date_of_birth + date_of_expiry "
                    "(YYMMDD) with id_number (CCCD, 12 digits) or document_number",
                    "properties": {"text": {"type": "string"}, "id_number": {"type": "string"},
                                   "document_number": {"type": "string"}, "date_of_birth": {"type": "string"},
                                   "date_of_expiry": {"type": "string"}}},
        },
    },
    "ReadStarted": {"type": "object", "properties": {
        "id": {"type": "string"}, "reader": {"type": "string"}, "state": {"const": "running"},
        "url": {"type": "string"}}},
    "Read": {"type": "object", "properties": {
        "id": {"type": "string"}, "reader": {"type": "string"},
        "state": {"enum": ["running", "done", "failed"]},
        "progress": {"description": "the last progress event", "type": ["object", "null"]},
        "verdict": {"enum": ["GENUINE", "NOT_GENUINE", "INCOMPLETE", None]},
        "result": {"description": "chipid.read/1 (docs/read.schema.json), faces without image data",
                   "type": ["object", "null"]},
        "error": {"type": ["object", "null"], "properties": {
            "type": {"type": "string"}, "code": {"enum": ["no_reader", "no_card", "card_in_use", "card_removed",
                                                          "access_denied", "read_error", "internal"]},
            "message": {"type": "string"}}},
        "portrait_url": {"type": ["string", "null"]},
        "expires_in_s": {"type": ["number", "null"]},
        "read_s": {"type": ["number", "null"], "description": "seconds the library read took"}}},
    "FaceMatch": {"type": "object", "required": ["score", "threshold", "same_person", "fmr"], "properties": {
        "score": {"type": "number"}, "threshold": {"type": "number"}, "same_person": {"type": "boolean"},
        "fmr": {"type": "number", "description": "false match rate the threshold was chosen for"}}},
    "Event": {"type": "object", "description": "WebSocket messages (JSON text frames)", "oneOf": [
        {"properties": {"type": {"const": "hello"}, "mode": {"type": "string"},
                        "readers": {"type": "array", "items": _ref("Reader")}}},
        {"properties": {"type": {"const": "card"}, "reader": {"type": "string"}, "present": {"type": "boolean"}}},
        {"properties": {"type": {"const": "readers"}, "readers": {"type": "array"}, "error": {"type": "string"}}},
        {"properties": {"type": {"const": "started"}, "job": {"type": "string"}, "reader": {"type": "string"}}},
        {"properties": {"type": {"const": "progress"}, "job": {"type": "string"}, "file": {"type": "string"},
                        "done": {"type": "integer"}, "total": {"type": "integer"}}},
        {"properties": {"type": {"const": "done"}, "job": {"type": "string"}, "verdict": {"type": "string"}}},
        {"properties": {"type": {"const": "failed"}, "job": {"type": "string"}, "error": {"type": "object"}}},
    ]},
}

_PATHS: dict[str, Any] = {
    "/api/v1/health": {"get": {
        "summary": "liveness; no token needed", "security": [],
        "responses": {"200": _json({"type": "object"}, "status, version, mode (sim|pcsc), face, jobs")}}},
    "/api/v1/openapi.json": {"get": {
        "summary": "this document; no token needed", "security": [],
        "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}}},
    "/api/v1/session": {"post": {
        "summary": "exchange the Bearer token for an HttpOnly SameSite=Strict session cookie (the desk page)",
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "cookie chipid_session_<port> set"}, "401": _json(_ERR, "no token")}}},
    "/api/v1/readers": {"get": {
        "summary": "readers and card presence",
        "responses": {"200": _json({"type": "object", "properties": {
            "mode": {"type": "string"}, "readers": {"type": "array", "items": _ref("Reader")}}}, "readers"),
            "503": _json(_ERR, "pcscd unreachable")}}},
    "/api/v1/reads": {"post": {
        "summary": "start reading the card; progress on the WebSocket, result at the returned url",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ReadRequest")}}},
        "responses": {"202": _json(_ref("ReadStarted"), "read started"),
                      "409": _json(_ERR, "reader_busy (another read holds the reader) or no_card"),
                      "413": _json(_ERR, "body too large"), "415": _json(_ERR, "not JSON"),
                      "422": _json(_ERR, "invalid_key or invalid_reader")}}},
    "/api/v1/reads/{job_id}": {
        "get": {"summary": "state and result of a read", "parameters": _JOB_ID,
                "responses": {"200": _json(_ref("Read"), "the read"), **_GONE}},
        "delete": {"summary": "wipe the read now", "parameters": _JOB_ID,
                   "responses": {"204": {"description": "wiped"}, "409": _json(_ERR, "still running"), **_GONE}}},
    "/api/v1/reads/{job_id}/portrait": {"get": {
        "summary": "the chip portrait (DG2) as read", "parameters": _JOB_ID,
        "responses": {"200": {"description": "the image", "content": {"image/jpeg": {}, "image/jp2": {}}},
                      **_GONE}}},
    "/api/v1/reads/{job_id}/face": {"post": {
        "summary": "compare a live image (request body) with the chip portrait", "parameters": _JOB_ID,
        "requestBody": {"required": True, "content": {"image/jpeg": {}, "image/png": {}}},
        "responses": {"200": _json(_ref("FaceMatch"), "comparison"),
                      "413": _json(_ERR, "image too large"),
                      "422": _json(_ERR, "unusable image: NoFaceError, MultipleFacesError, FaceTooSmallError..."),
                      "501": _json(_ERR, "face extra not installed"), **_GONE}}},
    "/api/v1/events": {"get": {
        "summary": "WebSocket: card inserted/removed and read progress events (schema Event). Browsers "
                   "authenticate with the session cookie or the subprotocols ['chipid.v1', 'bearer.<token>']",
        "responses": {"101": {"description": "switching protocols"}}}},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the desk API."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "chipid desk service", "version": __version__,
                 "description": "Read and verify ICAO 9303 chip ID cards from a web page on the same PC. "
                                "Every call needs the access token printed at start (or in --token-file)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": _PATHS,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "chipid_session_<port>",
                            "description": "set by POST /api/v1/session"},
            },
        },
    }
