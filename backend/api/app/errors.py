"""What the API's services refuse, in words for the caller; `install_error_handlers` maps each
kind to its HTTP status, so services never speak HTTP."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from backend.common.images import ImageError
from backend.common.models import TransitionRefused
from backend.common.models.match import ProofMissing
from backend.common.web import unprocessable


class Refused(Exception):
    """A request the domain refuses; `status` is the HTTP status main.py answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Refused):
    status = 404


class Unauthorized(Refused):
    status = 401


class Forbidden(Refused):
    status = 403


class Conflict(Refused):
    status = 409


class TooManyRequests(Refused):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Invalid(Exception):
    """A value the schema could not refuse by itself: a 422 shaped like every other."""

    def __init__(self, location: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.location, self.message = location, message


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refused)
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(TransitionRefused)
    async def transition_refused(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ImageError)
    async def image_refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ImageError)
        if exc.status_code == 422:  # shaped like every other 422
            return unprocessable(
                [{"loc": ("body", "file"), "msg": f"photo: {exc.message}", "type": "value_error"}]
            )
        headers = {"Retry-After": "5"} if exc.status_code == 503 else None
        return JSONResponse(
            {"detail": f"photo: {exc.message}"}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Invalid)
    async def invalid_value(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Invalid)
        return unprocessable([{"loc": exc.location, "msg": exc.message, "type": "value_error"}])

    @app.exception_handler(ProofMissing)
    async def proof_missing(_request: Request, exc: Exception) -> JSONResponse:
        return unprocessable([{"loc": ("body", "proof"), "msg": str(exc), "type": "value_error"}])
