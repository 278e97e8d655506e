"""Python client of the image generation API: `ImageGenClient` has a typed method per operation,
jobs, uploads, S3 drops and events; its request and response types are generated from the
service's OpenAPI document (`_generated.py`)."""

from imagegen_client._generated import GenerationResponse, ImageView, JobAccepted, JobPage, UploadForm
from imagegen_client._generated import JobView as Job
from imagegen_client.client import ImageGenClient, check_request
from imagegen_client.errors import (
    AuthError,
    ConflictError,
    ConnectionFailedError,
    ContentFilteredError,
    ImageGenError,
    ModelError,
    ModelTimeoutError,
    ModelUnavailableError,
    NotFoundError,
    PayloadTooLargeError,
    ServerError,
    ThrottledError,
    UnsupportedMediaTypeError,
    ValidationError,
    WaitTimeoutError,
)
from imagegen_client.locations import Deployment, resolve_api_url, resolve_deployment
from imagegen_client.transport import RetryPolicy

__all__ = [
    "AuthError",
    "ConflictError",
    "ConnectionFailedError",
    "ContentFilteredError",
    "Deployment",
    "GenerationResponse",
    "ImageGenClient",
    "ImageGenError",
    "ImageView",
    "Job",
    "JobAccepted",
    "JobPage",
    "ModelError",
    "ModelTimeoutError",
    "ModelUnavailableError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RetryPolicy",
    "ServerError",
    "ThrottledError",
    "UnsupportedMediaTypeError",
    "UploadForm",
    "ValidationError",
    "WaitTimeoutError",
    "check_request",
    "resolve_api_url",
    "resolve_deployment",
]
