"""Bedrock Runtime's error answers: type name, HTTP status and message."""

from __future__ import annotations

from typing import Any

# botocore's rest-json parser takes the error code from this header, up to the colon.
ERROR_TYPE_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/"

# ValidationException messages Bedrock Runtime answers for account and configuration
# problems (not for the body), word for word. The on-demand one names the modelId as
# sent and uses a typographic apostrophe (U+2019).
INVALID_MODEL_IDENTIFIER = "The provided model identifier is invalid."
OPERATION_NOT_ALLOWED = "Operation not allowed"
ON_DEMAND_NOT_SUPPORTED = (
    "Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. "
    "Retry your request with the ID or ARN of an inference profile that contains this model."
)

# Status of each error type, from the InvokeModel API reference (and botocore's model).
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "ServiceQuotaExceededException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "ModelErrorException": 424,
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
    # Raised by the service front door rather than by InvokeModel itself.
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 403,
    "InvalidSignatureException": 403,
    "UnknownOperationException": 404,
}


class BedrockError(Exception):
    """An error answer: becomes a ClientError with Error.Code == error_type in boto3."""

    def __init__(self, error_type: str, message: str, *, status: int | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status if status is not None else ERROR_STATUS[error_type]
        self.fields = fields

    def body(self) -> dict[str, Any]:
        return {"message": self.message, **self.fields}

    def header(self) -> str:
        return f"{self.error_type}:{ERROR_TYPE_NAMESPACE}"


def validation_error(message: str) -> BedrockError:
    return BedrockError("ValidationException", message)


def malformed_input(*violations: str) -> BedrockError:
    """Bedrock's schema-violation message; violations are concatenated as its validator does."""
    if not violations:
        return validation_error("Malformed input request, please reformat your input and try again.")
    return validation_error(
        f"Malformed input request: {''.join(violations)}, please reformat your input and try again."
    )
