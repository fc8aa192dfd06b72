"""What every HTTP service does the same way with what clients send.

- Request bodies have a size limit, per app and per route, enforced while the body arrives
  (Content-Length first, then counted): a 60 MB JSON document is refused at 413 before it fills
  memory.
- Validation errors always render (a NaN or a lone surrogate in the input once made the 422
  itself fail) and always as the documented list of `{loc, msg, type}`.
- Every response carries `X-Content-Type-Options: nosniff`, and the headers a service adds
  (the web app's content security policy); a 405 names every method the path answers.
- The OpenAPI document lists the status codes the service really answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BodyLimit = Callable[[str, str], int]  # (method, path) -> most bytes a request body may have


class ErrorMessage(BaseModel):
    """A refusal with the reason, fit to show to the person who sent the request."""

    detail: str


class _TooLarge(Exception):
    pass


class _Guard:
    """ASGI middleware: the body limit and the response headers."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: BodyLimit,
        headers: list[tuple[bytes, bytes]],
        methods_of: Callable[[Scope], set[str]],
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.headers = headers
        self.methods_of = methods_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        received = 0
        exceeded = refused = False

        async def send_guarded(message: Message) -> None:
            nonlocal refused
            if exceeded:
                # The app met the cut-off body (and answered as it does to a broken one, or
                # raised): the answer is ours.
                if not refused:
                    refused = True
                    await _refuse(send, limit)
                return
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.headers]
                if message["status"] == 405:
                    # Starlette names only the methods of the first route of the path.
                    allow = ", ".join(sorted(self.methods_of(scope)))
                    headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
                    headers.append((b"allow", allow.encode()))
                message["headers"] = headers
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return

        async def receive_counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        with suppress(_TooLarge):  # answered below
            await self.app(scope, receive_counted, send_guarded)
        if exceeded and not refused:
            refused = True
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Callable[[Message], Any], limit: int) -> None:
    body = json.dumps({"detail": f"the request body is larger than the limit of {limit} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"connection", b"close"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _safe(value: Any) -> Any:
    """JSON-safe: non-finite floats and undecodable text become their repr."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError):
        return repr(value)
    return value


def validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors as the documented `{loc, msg, type}` list, whatever the input was."""
    rendered = []
    for error in errors:
        rendered.append(
            {
                "loc": [_safe(part) for part in error.get("loc", ())],
                "msg": _safe(str(error.get("msg", "invalid value"))),
                "type": str(error.get("type", "value_error")),
            }
        )
    return rendered


def invalid(location: tuple[str | int, ...], message: str) -> RequestValidationError:
    """A 422 for a rule the schema cannot state, shaped like every other 422."""
    return RequestValidationError([{"loc": location, "msg": message, "type": "value_error"}])


def unprocessable(errors: Iterable[Mapping[str, Any]]) -> JSONResponse:
    """The 422 answer: `{"detail": [{loc, msg, type}, ...]}`."""
    return JSONResponse(jsonable_encoder({"detail": validation_errors(errors)}), status_code=422)


async def _render_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return unprocessable(exc.errors())


def harden(
    app: FastAPI,
    *,
    body_limit: BodyLimit,
    responses: Callable[[str, str, Mapping[str, Any]], Iterable[int]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Install the body limit, the nosniff header (and `headers`) and safe 422s on `app`.

    `responses(method, path, operation)` names further status codes an operation answers (the
    service's own rules: 401 with auth, 503 with a database); 413 is added wherever a body is
    read, and each added code is described by ErrorMessage.
    """
    sent = {"x-content-type-options": "nosniff", **(headers or {})}

    paths: list[tuple[re.Pattern[str], set[str]]] = []

    def methods_of(scope: Scope) -> set[str]:
        # From the OpenAPI document: the methods each path template is documented with.
        if not paths:
            for template, operations in app.openapi().get("paths", {}).items():
                pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
                paths.append((re.compile(f"^{pattern}$"), {m.upper() for m in operations}))
        path = scope.get("path", "")
        return {method for pattern, methods in paths if pattern.match(path) for method in methods}

    app.add_middleware(
        _Guard,
        limit_for=body_limit,
        headers=[(name.lower().encode(), value.encode()) for name, value in sent.items()],
        methods_of=methods_of,
    )
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})[
            "ErrorMessage"
        ] = ErrorMessage.model_json_schema()
        error = {"$ref": "#/components/schemas/ErrorMessage"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                codes = set(responses(method, path, operation) if responses else ())
                if "requestBody" in operation:
                    codes |= {400, 413}  # a body that does not parse; one too large
                for code in sorted(codes):
                    operation.setdefault("responses", {}).setdefault(
                        str(code),
                        {
                            "description": _DESCRIPTIONS.get(code, "Refused"),
                            "content": {"application/json": {"schema": error}},
                        },
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid bearer token",
    403: "Not allowed for this caller",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests; retry after the time in Retry-After",
    503: "A dependency is unavailable; retry later",
}
