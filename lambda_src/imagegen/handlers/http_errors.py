"""The one map from failures to HTTP answers: every error in the contract's shape
`{"error": {"code", "message", "details"?}}`, counted by code, never with a stack trace."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from imagegen.models.errors import ImageServiceError, InternalError, Throttled, metric_name
from imagegen.models.responses import ErrorDetail, ErrorResponse
from imagegen.observability import logger, metrics


def error_response(error: ImageServiceError, *, headers: dict[str, str] | None = None) -> Response[str]:
    """The answer to `error`, logged (as an error from 500 on) and counted by its code."""
    # e.g. ContentFiltered, ModelTimeout: one metric per contract error code.
    metrics.add_metric(name=metric_name(error.code), unit=MetricUnit.Count, value=1)
    log = logger.error if error.status >= 500 else logger.info
    log("Request failed", extra={"error_code": error.code, "status": error.status})
    all_headers = dict(headers or {})
    if isinstance(error, Throttled):
        all_headers["Retry-After"] = str(error.retry_after_seconds)
    body = ErrorResponse(error=ErrorDetail(code=error.code, message=error.message, details=error.details))
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=all_headers or None,
    )


def unexpected_error_response(request_id: str) -> Response[str]:
    """A failure nobody foresaw: logged with its trace, answered with the request id only."""
    logger.exception("Unhandled error")
    return error_response(InternalError(f"An internal error occurred (request id {request_id})."))
