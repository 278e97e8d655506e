"""The service's errors as exceptions, one class per kind of failure a caller handles differently.

Every error answer of the API is `{"error": {"code", "message", "details"?}}`; the class is chosen
by status and code, so `except ThrottledError` catches a 429 whatever its exact code. What API
Gateway answers itself outside that shape (413 `{"message": "Request Too Long"}`, a plain-text
413, `{"message": "Forbidden"}`) maps to the same classes. Each class carries the CLI's exit code."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class ImageGenError(Exception):
    """An error of the service (`status` is its HTTP status) or of the client before or after a
    request (`status` None). `code` and `message` are the contract's."""

    exit_code = 7

    def __init__(self, status: int | None, code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class ValidationError(ImageGenError):
    """400: the request breaks the schema or an input its limits (also raised before sending)."""

    exit_code = 3


class PayloadTooLargeError(ValidationError):
    """413: the body is over the limit (64 KiB, 6,000,000 bytes with an inline image)."""


class UnsupportedMediaTypeError(ValidationError):
    """415: the body is not JSON."""


class ContentFilteredError(ImageGenError):
    """422 content_filtered: the model refused the prompt or an image; nothing was stored."""

    exit_code = 4


class ThrottledError(ImageGenError):
    """429: the model or the stage is throttling; retried before it is raised."""

    exit_code = 5
    # The answer's Retry-After, in seconds.
    retry_after: float | None = None


class ModelError(ImageGenError):
    """502/503/504 model_*: the model failed, is unavailable or did not answer in time."""

    exit_code = 6


class ModelUnavailableError(ModelError):
    """503 model_unavailable: not ready, or not enabled for the account."""


class ModelTimeoutError(ModelError):
    """504 model_timeout."""


class ServerError(ImageGenError):
    """500 and anything else the service answers that no other class covers."""


class ConflictError(ImageGenError):
    """409 request_in_progress or 422 idempotency_key_reused: the Idempotency-Key is busy or
    came with another body."""


class NotFoundError(ImageGenError):
    """404: no such job (or another caller's), or an operation not enabled."""

    exit_code = 8


class AuthError(ImageGenError):
    """401/403: not signed, signed by a principal not allowed, no valid API key, or no credentials."""

    exit_code = 9


class WaitTimeoutError(ImageGenError):
    """A job or result did not finish before the deadline the caller set."""


class ConnectionFailedError(ImageGenError):
    """The API could not be reached at all."""


_BY_CODE: dict[str, type[ImageGenError]] = {
    "validation_error": ValidationError,
    "payload_too_large": PayloadTooLargeError,
    "unsupported_media_type": UnsupportedMediaTypeError,
    "content_filtered": ContentFilteredError,
    "throttled": ThrottledError,
    "quota_exceeded": ThrottledError,
    "model_error": ModelError,
    "model_unavailable": ModelUnavailableError,
    "model_timeout": ModelTimeoutError,
    "not_found": NotFoundError,
    "forbidden": AuthError,
    "unauthorized": AuthError,
    "request_in_progress": ConflictError,
    "idempotency_key_reused": ConflictError,
    "internal_error": ServerError,
}
_BY_STATUS: dict[int, tuple[type[ImageGenError], str]] = {
    400: (ValidationError, "validation_error"),
    401: (AuthError, "unauthorized"),
    403: (AuthError, "forbidden"),
    404: (NotFoundError, "not_found"),
    409: (ConflictError, "request_in_progress"),
    413: (PayloadTooLargeError, "payload_too_large"),
    415: (UnsupportedMediaTypeError, "unsupported_media_type"),
    429: (ThrottledError, "throttled"),
    502: (ModelError, "model_error"),
    503: (ModelUnavailableError, "model_unavailable"),
    504: (ModelTimeoutError, "model_timeout"),
}


def _class_for(status: int | None, code: str) -> type[ImageGenError]:
    by_code = _BY_CODE.get(code)
    if status is None or (by_code is not None and by_code is not ConflictError):
        return by_code or ServerError
    if status == 422:  # content_filtered was matched by its code; any other 422 is a conflict
        return ConflictError
    return _BY_STATUS.get(status, (ServerError, ""))[0]


def error_for(status: int | None, code: str, message: str, details: dict[str, Any] | None = None) -> ImageGenError:
    """The exception for a contract error: also for a failed job's `error`, which has no status."""
    return _class_for(status, code)(status, code, message, details)


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> ImageGenError:
    """The exception for an error answer, in the contract's shape or in API Gateway's own."""
    error = _error_in(status, body)
    if isinstance(error, ThrottledError):
        error.retry_after = parse_retry_after(headers.get("Retry-After"))
    return error


def _error_in(status: int, body: bytes) -> ImageGenError:
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        details = error.get("details") if isinstance(error.get("details"), dict) else None
        return error_for(status, error["code"], str(error.get("message", "")), details)
    # Not the contract's shape: API Gateway's own answer ({"message": ...}) or plain text.
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        message = document["message"]
    else:
        message = body.decode("utf-8", "replace").strip()[:500] or f"HTTP {status}"
    cls, code = _BY_STATUS.get(status, (ServerError, "internal_error" if status >= 500 else "client_error"))
    return cls(status, code, message)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the API sends delta-seconds); None when absent or not a number."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
