"""API Gateway REST proxy handler: POST /images, POST /jobs, GET /jobs/{job_id}, GET /health, GET /openapi.json."""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.event_handler.router import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagegen import dependencies as deps
from imagegen.handlers import snapstart
from imagegen.handlers.http_body import check_body_admissible, with_lowercase_media_type
from imagegen.logic import submission
from imagegen.logic.generation import deadline_for, generate_images
from imagegen.models.callers import Caller, caller_from_identity
from imagegen.models.errors import ImageServiceError, InternalError, MethodNotAllowed, NotFound, Throttled, metric_name
from imagegen.models.request import ImageRequest
from imagegen.models.responses import ErrorResponse, GenerationResponse, JobAccepted, JobView
from imagegen.models.strict_json import loads_strict
from imagegen.models.validation import invalid, validation_error
from imagegen.observability import logger, metrics, tracer

router = Router()
snapstart.register()


def _errors(descriptions: dict[int, str]) -> dict[int, Any]:
    """OpenAPI responses in the contract's error shape."""
    content = {"application/json": {"model": ErrorResponse}}
    return {status: {"description": text, "content": content} for status, text in descriptions.items()}


_REQUEST_ERRORS = {
    400: "validation_error: the request breaks the schema; details.errors names each field",
    413: "payload_too_large: body over 64 KiB",
    415: "unsupported_media_type: the body is not application/json",
    500: "internal_error",
}
_MODEL_ERRORS = {
    422: "content_filtered: the model filtered the prompt or the image; nothing was stored",
    429: "throttled: the model is throttling; see Retry-After",
    502: "model_error: the model failed or answered out of shape",
    503: "model_unavailable: the model is not ready or not enabled for this account",
    504: "model_timeout: the model did not answer in time",
}


def _raw_body(event: Any) -> bytes | None:
    if event.body is None:
        return None
    return base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode()


# The paths of the API and their methods; a known path asked with another method is a 405.
IMAGES, JOBS, JOB, HEALTH, OPENAPI = "/images", "/jobs", "/jobs/<job_id>", "/health", "/openapi.json"
_METHODS: dict[str, str] = {IMAGES: "POST", JOBS: "POST", JOB: "GET", HEALTH: "GET", OPENAPI: "GET"}
_PATTERNS = {path: re.compile("^" + re.sub(r"<\w+>", "[^/]+", path) + "$") for path in _METHODS}


def require_json_body(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """Refuses non-JSON and oversized bodies even when they would pass field validation
    (Powertools also parses form bodies into the model)."""
    check_body_admissible(app.current_event.headers, _raw_body(app.current_event))
    return next_middleware(app)


def allowed_method(path: str) -> str | None:
    """The method a known path answers to, or None for an unknown path."""
    return next((_METHODS[known] for known, pattern in _PATTERNS.items() if pattern.match(path)), None)


@router.get(HEALTH, summary="Liveness check", include_in_schema=True)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post(
    IMAGES,
    summary="Generate images now and get presigned URLs",
    middlewares=[require_json_body],
    responses={200: {"description": "The stored images"}, **_errors({**_REQUEST_ERRORS, **_MODEL_ERRORS})},
)
def create_images(request: ImageRequest) -> GenerationResponse:
    request_id = router.current_event.request_context.request_id
    images = generate_images(
        request,
        owner_id=request_id,
        model=deps.image_model(),
        store=deps.store(),
        deadline=deadline_for(router.lambda_context),
    )
    presigner = deps.presigner()
    return GenerationResponse(
        id=request_id,
        model=request.model_spec.model_id,
        images=[presigner.view(image) for image in images],
        expires_at=presigner.expires_at(),
    )


def _caller(event: Any) -> Caller:
    return caller_from_identity(event.request_context.identity)


def _base_url(event: Any) -> str:
    """Scheme, host and stage of the URL the caller used (works behind custom domains too)."""
    headers = event.headers
    scheme = headers.get("x-forwarded-proto", "https")
    host = headers.get("host") or event.request_context.domain_name
    full_path = event.request_context.path or event.path
    stage_prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    return f"{scheme}://{host}{stage_prefix}"


@router.post(
    JOBS,
    summary="Queue an asynchronous generation job",
    middlewares=[require_json_body],
    responses={
        202: {"description": "Job accepted", "content": {"application/json": {"model": JobAccepted}}},
        **_errors(
            {
                **_REQUEST_ERRORS,
                409: "request_in_progress: a request with this Idempotency-Key is still being processed",
                422: "idempotency_key_reused: this Idempotency-Key came with another body",
            }
        ),
    },
)
def create_job(
    request: ImageRequest,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="idempotency-key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="Same key and body give the same job; same key with another body is refused (422).",
        ),
    ] = None,
) -> Response[JobAccepted]:
    event = router.current_event
    job_id, status = submission.submit_job(
        request, idempotency_key=idempotency_key, caller=_caller(event).id, lambda_context=router.lambda_context
    )
    accepted = JobAccepted(job_id=job_id, status=status, status_url=f"{_base_url(event)}/jobs/{job_id}")
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


@router.get(
    JOB,
    summary="Read a job's status and its images (URLs signed afresh)",
    responses={
        200: {"description": "The job; image URLs are signed afresh on every read"},
        **_errors(
            {
                400: "validation_error: job_id over 128 characters",
                404: "not_found: no such job, or a job of another caller",
                500: "internal_error",
            }
        ),
    },
)
def get_job(job_id: Annotated[str, Path(max_length=128)]) -> JobView:
    job = deps.jobs().get(job_id)
    # Another caller's job is answered as if it did not exist: its id tells nothing.
    if job is None or not _caller(router.current_event).may_read(owner=job.owner):
        raise NotFound(f"No job {job_id}.")
    return deps.presigner().job_view(job)


# A deployment uses one of these (imagegen:authMode): SigV4 (IAM, the default) or an API key.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "sigv4": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "AWS Signature Version 4 (service execute-api) by a principal allowed execute-api:Invoke",
        "x-amazon-apigateway-authtype": "awsSigv4",
    },
    "api_key": {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
        "description": "An API key of the deployment's usage plan (imagegen:authMode=api_key)",
    },
}


@router.get(OPENAPI, include_in_schema=False)
def openapi():
    document = json.loads(
        create_app().get_openapi_json_schema(
            title="Image generation API",
            version="1.0.0",
            summary="Stability AI image models on Amazon Bedrock, stored in S3, returned as presigned URLs",
        )
    )
    # Powertools lists its own 422 validation error on every route; this API answers a request
    # that fails validation with a 400 in the contract's error shape instead.
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                del responses["422"]
    _drop_unreferenced_schemas(document)
    # The URL the caller used, stage path included, so a client generated from the document
    # calls the same deployment.
    document["servers"] = [{"url": _base_url(router.current_event)}]
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    document["security"] = [{name: []} for name in SECURITY_SCHEMES]
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document)


def _drop_unreferenced_schemas(document: dict[str, Any]) -> None:
    """Removes the component schemas that nothing left refers to, directly or through others."""
    components = document.get("components", {})
    schemas = components.get("schemas", {})
    while True:
        # Everything that may refer to a schema: the paths, the other components, the schemas.
        text = json.dumps([document.get("paths"), {k: v for k, v in components.items() if k != "schemas"}, schemas])
        unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]


def _error_response(error: ImageServiceError) -> Response:
    headers = {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, Throttled) else None
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": error.to_dict()},
        headers=headers,
    )


def _count(error: ImageServiceError) -> None:
    # e.g. ContentFiltered, ModelTimeout: one metric per contract error code.
    metrics.add_metric(name=metric_name(error.code), unit=MetricUnit.Count, value=1)


def handle_service_error(error: ImageServiceError) -> Response:
    _count(error)
    log = logger.error if error.status >= 500 else logger.info
    log("Request failed", extra={"error_code": error.code, "status": error.status})
    return _error_response(error)


def handle_unreadable_body(error: Exception) -> Response:
    """A body that failed before or during field validation: refused as not JSON or too large
    first (whatever else is wrong with it), else a validation error. Powertools parses the body
    by its content type before any route middleware runs, and a multipart type without a
    boundary fails there with a bare ValueError."""
    event = create_app().current_event
    try:
        check_body_admissible(event.headers, _raw_body(event))
    except ImageServiceError as refused:
        return handle_service_error(refused)
    if isinstance(error, RequestValidationError):
        return handle_service_error(validation_error(error.errors()))
    if isinstance(error, UnicodeDecodeError):
        return handle_service_error(invalid("body", "the body is not UTF-8 encoded JSON"))
    return handle_unexpected(error)


def handle_not_found(_: NotFoundError) -> Response:
    event = create_app().current_event
    allowed = allowed_method(event.path)
    if allowed is None:
        return handle_service_error(NotFound(f"No route for {event.http_method} {event.path}."))
    # OPTIONS answers the CORS preflight where origins are configured; worded as API Gateway's own 405.
    methods = ", ".join((allowed, "OPTIONS") if deps.settings().cors_allow_origins else (allowed,))
    error = MethodNotAllowed(f"Method {event.http_method} is not allowed on {event.path}; allowed: {methods}")
    response = handle_service_error(error)
    response.headers["Allow"] = methods
    return response


def handle_unexpected(error: Exception) -> Response:
    logger.exception("Unhandled error")
    request_id = create_app().current_event.request_context.request_id
    internal = InternalError(f"An internal error occurred (request id {request_id}).")
    _count(internal)
    return _error_response(internal)


@functools.cache
def create_app() -> APIGatewayRestResolver:
    origins = deps.settings().cors_allow_origins
    cors = (
        CORSConfig(
            allow_origin=origins[0],
            extra_origins=list(origins[1:]),
            allow_headers=[
                "Content-Type",
                "Authorization",
                "X-Amz-Date",
                "X-Amz-Security-Token",
                "X-Api-Key",
                "Idempotency-Key",
            ],
            expose_headers=["Retry-After"],
            max_age=600,
        )
        if origins
        else None
    )
    app = APIGatewayRestResolver(cors=cors, enable_validation=True, json_body_deserializer=loads_strict)
    app.include_router(router)
    handlers: tuple[tuple[Any, Any], ...] = (
        (ImageServiceError, handle_service_error),
        # ValueError: Powertools decodes the body (UTF-8, multipart) before validating it.
        ([RequestValidationError, RequestUnsupportedContentType, ValueError], handle_unreadable_body),
        (NotFoundError, handle_not_found),
        (Exception, handle_unexpected),
    )
    for exc_classes, handler in handlers:
        app.exception_handler(exc_classes)(handler)
    return app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = create_app().resolve(with_lowercase_media_type(event), context)
    if deps.settings().cors_allow_origins:
        # The allowed origin echoed back depends on the request's Origin: caches must key on it.
        headers = response.setdefault("multiValueHeaders", {})
        if not any(name.lower() == "vary" for name in headers):
            headers["Vary"] = ["Origin"]
    return response
