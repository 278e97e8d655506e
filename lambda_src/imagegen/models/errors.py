"""Domain errors. Each carries the error code and HTTP status of the public contract,
so every entry point (API, worker) reports a failure the same way."""

from __future__ import annotations

from typing import Any, ClassVar


class ImageServiceError(Exception):
    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    # Worth trying again later: the async worker retries these through the queue.
    retryable_by_default: ClassVar[bool] = False

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.retryable = self.retryable_by_default if retryable is None else retryable

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(ImageServiceError):
    code = "validation_error"
    status = 400


class NotFound(ImageServiceError):
    code = "not_found"
    status = 404


class MethodNotAllowed(ImageServiceError):
    code = "method_not_allowed"
    status = 405


class RequestInProgress(ImageServiceError):
    code = "request_in_progress"
    status = 409


class PayloadTooLarge(ImageServiceError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaType(ImageServiceError):
    code = "unsupported_media_type"
    status = 415


class IdempotencyKeyReused(ImageServiceError):
    code = "idempotency_key_reused"
    status = 422


class ContentFiltered(ImageServiceError):
    code = "content_filtered"
    status = 422

    def __init__(self, reason: str):
        super().__init__(
            "The model filtered the request or its output; no image was stored.", details={"reason": reason}
        )


class Throttled(ImageServiceError):
    code = "throttled"
    status = 429
    retryable_by_default = True
    retry_after_seconds = 5


class InternalError(ImageServiceError):
    code = "internal_error"
    status = 500
    retryable_by_default = True


class ModelError(ImageServiceError):
    code = "model_error"
    status = 502
    retryable_by_default = True


class ModelUnavailable(ImageServiceError):
    code = "model_unavailable"
    status = 503
    retryable_by_default = True


class ModelTimeout(ImageServiceError):
    code = "model_timeout"
    status = 504
    retryable_by_default = True


def metric_name(code: str) -> str:
    """The metric that counts an error code: content_filtered -> ContentFiltered."""
    return "".join(part.title() for part in code.split("_"))


def error_codes() -> list[str]:
    """Every error code of the contract, in the order the classes are defined."""
    codes: list[str] = []
    pending = [ImageServiceError]
    while pending:
        cls = pending.pop(0)
        if cls.code not in codes:
            codes.append(cls.code)
        pending.extend(cls.__subclasses__())
    return codes
