"""API Gateway REST proxy handler: one POST route per operation of the catalog (POST /images,
POST /upscale/fast, ...), POST /uploads, POST /jobs, GET /jobs/{job_id}, GET /health and
GET /openapi.json. Each route reads its input once, calls the logic and shapes the answer."""

from __future__ import annotations

import functools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from imagegen.contract import CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS
from imagegen.handlers import snapstart
from imagegen.handlers.api_wiring import api_wiring
from imagegen.handlers.http_body import raw_body, read_document, read_request
from imagegen.handlers.http_errors import error_response, unexpected_error_response
from imagegen.handlers.pagination import decode_cursor, encode_cursor, page_size
from imagegen.handlers.routes import HEALTH, JOB, JOB_ID_MAX_LENGTH, JOBS, OPENAPI, UPLOADS, allowed_methods
from imagegen.logic.generation import deadline_for, generate_images, input_references
from imagegen.models.callers import Caller, caller_from_identity
from imagegen.models.errors import ImageServiceError, MethodNotAllowed, NotFound
from imagegen.models.image_inputs import MAX_INPUT_BYTES, UploadRequest
from imagegen.models.operations import OPERATIONS, Operation
from imagegen.models.responses import ErrorResponse, GenerationResponse, JobAccepted, JobPage, JobView, UploadForm
from imagegen.models.validation import invalid, validation_error
from imagegen.observability import logger, metrics, tracer

router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves Router.__init__ unannotated
snapstart.register()

# How long the presigned POST of an upload may be used (the upload itself is kept for the retention).
UPLOAD_FORM_SECONDS = 900

_REQUEST_ERRORS = {
    400: "validation_error: the request breaks the schema or an image input its limits; details.errors names "
    "each field",
    413: "payload_too_large: body over 64 KiB (6,000,000 bytes with an inline image)",
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
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def _errors(descriptions: dict[int, str]) -> dict[int, Any]:
    """OpenAPI responses in the contract's error shape."""
    content = {"application/json": {"model": ErrorResponse}}
    return {status: {"description": text, "content": content} for status, text in descriptions.items()}


def _json(model: BaseModel, status_code: int = 200) -> Response[str]:
    return Response(status_code=status_code, content_type=content_types.APPLICATION_JSON, body=model.model_dump_json())


def _event() -> APIGatewayProxyEvent:
    """The request being routed (this API is behind API Gateway's REST proxy integration)."""
    return cast(APIGatewayProxyEvent, router.current_event)


def _caller() -> Caller:
    return caller_from_identity(_event().request_context.identity)


def _base_url(event: Any) -> str:
    """Scheme, host and stage of the URL the caller used (works behind custom domains too)."""
    headers = event.headers
    scheme = headers.get("x-forwarded-proto", "https")
    host = headers.get("host") or event.request_context.domain_name
    full_path = event.request_context.path or event.path
    stage_prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    return f"{scheme}://{host}{stage_prefix}"


@router.get(HEALTH, summary="Liveness check")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _run_operation(name: str) -> Response[str]:
    """An operation, synchronously: its request checked (images included) before any model call,
    the images generated and stored, presigned URLs answered."""
    wiring = api_wiring()
    if name not in wiring.settings.enabled_operations:
        raise NotFound(f"The operation {name} is not enabled in this deployment.")
    operation, request = read_request(_event(), settings=wiring.settings, operation_name=name)
    inputs = wiring.resolver.resolve(request, operation, caller_id=_caller().id)
    request_id = _event().request_context.request_id
    images = generate_images(
        request,
        operation=operation.name,
        owner_id=request_id,
        model=wiring.model,
        store=wiring.store,
        inputs=inputs,
        deadline=deadline_for(router.lambda_context),
    )
    return _json(
        wiring.documents.generation(
            generation_id=request_id,
            operation=operation.name,
            model_id=request.model_spec.model_id,
            images=images,
            inputs=input_references(inputs),
        )
    )


def _register(operation: Operation) -> None:
    def route() -> Response[str]:
        return _run_operation(operation.name)

    router.post(
        operation.path,
        summary=operation.summary,
        description=f"Returns {operation.returns}. Bedrock's documentation of the model: {operation.doc}",
        operation_id="run_" + re.sub(r"[^a-z0-9]+", "_", operation.name),
        responses={
            200: {"description": "The stored images", "content": {"application/json": {"model": GenerationResponse}}},
            **_errors({**_REQUEST_ERRORS, **_MODEL_ERRORS}),
        },
    )(route)


for _operation in OPERATIONS.values():
    _register(_operation)


@router.post(
    UPLOADS,
    summary="Get a presigned S3 POST to upload one image input",
    responses={
        201: {"description": "The upload's form", "content": {"application/json": {"model": UploadForm}}},
        **_errors(_REQUEST_ERRORS),
    },
)
def create_upload() -> Response[str]:
    wiring = api_wiring()
    event = _event()
    document: object = {}
    if raw_body(event):
        document, _ = read_document(event)
    try:
        upload = UploadRequest.model_validate(document)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from exc
    upload_id = uuid.uuid4().hex
    expires_in = min(UPLOAD_FORM_SECONDS, wiring.settings.effective_presign_expiry)
    form = wiring.inputs.upload_form(
        upload_id,
        owner=_caller().id,
        max_bytes=MAX_INPUT_BYTES,
        expires_in=expires_in,
        content_type=upload.content_type,
    )
    expires_at = (datetime.now(UTC) + timedelta(seconds=expires_in)).replace(microsecond=0)
    answer = UploadForm(
        upload_id=upload_id, url=form.url, fields=form.fields, max_bytes=MAX_INPUT_BYTES, expires_at=expires_at
    )
    return _json(answer, 201)


@router.post(
    JOBS,
    summary="Queue any operation as an asynchronous job (`operation` names it; absent: images)",
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
def create_job() -> Response[str]:
    wiring = api_wiring()
    event = _event()
    operation, request = read_request(event, settings=wiring.settings, operation_name=None)
    key = event.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise invalid("header.idempotency-key", "1 to 255 printable ASCII characters without spaces")
    caller = _caller()
    # The images are checked now, so a bad one is a 400 here rather than a failed job, and the job
    # names each by its key (inline ones are kept under inputs/ until it runs).
    checked = wiring.resolver.resolve(request, operation, caller_id=caller.id, headers_only=True)
    inputs = wiring.resolver.keep(checked)
    job_id, status = wiring.submission.submit(
        request,
        operation=operation.name,
        inputs=inputs,
        idempotency_key=key,
        caller=caller.id,
        lambda_context=router.lambda_context,
    )
    return _json(JobAccepted(job_id=job_id, status=status, status_url=f"{_base_url(event)}/jobs/{job_id}"), 202)


@router.get(
    JOBS,
    summary="List your own jobs (POST /jobs), newest first, a page at a time",
    responses={
        200: {"description": "A page of jobs; image URLs are signed afresh",
              "content": {"application/json": {"model": JobPage}}},
        **_errors({400: "validation_error: limit out of 1..100, or a cursor that is not one of yours",
                   500: "internal_error"}),
    },
)  # fmt: skip
def list_jobs() -> Response[str]:
    wiring = api_wiring()
    caller = _caller()
    event = _event()
    size = page_size(event.get_query_string_value("limit"))
    start_after = decode_cursor(event.get_query_string_value("cursor"), owner=caller.id)
    jobs, last_key = wiring.jobs.owned_by(caller.id, limit=size, start_after=start_after)
    page = JobPage(
        jobs=[wiring.documents.job(job) for job in jobs if caller.may_read(job)],
        next_cursor=encode_cursor(last_key),
    )
    return _json(page)


@router.get(
    JOB,
    summary="Read a job's status and its images (URLs signed afresh)",
    responses={
        200: {"description": "The job; image URLs are signed afresh on every read",
              "content": {"application/json": {"model": JobView}}},
        **_errors(
            {
                400: "validation_error: job_id over 128 characters",
                404: "not_found: no such job, or a job of another caller",
                500: "internal_error",
            }
        ),
    },
)  # fmt: skip
def get_job(job_id: str) -> Response[str]:
    # A REST API hands the path over as sent, percent-encoded: the id is what it encodes.
    job_id = unquote(job_id)
    if len(job_id) > JOB_ID_MAX_LENGTH:
        raise invalid("path.job_id", f"String should have at most {JOB_ID_MAX_LENGTH} characters")
    wiring = api_wiring()
    job = wiring.jobs.get(job_id)
    # Another caller's job is answered as if it did not exist: its id tells nothing.
    if job is None or not _caller().may_read(job):
        raise NotFound(f"No job {job_id}.")
    return _json(wiring.documents.job(job))


@router.get(OPENAPI, include_in_schema=False)
def openapi_document() -> Response[str]:
    # Imported here: only this route needs it, and it builds the request model's JSON schema.
    from imagegen.handlers import openapi

    generated = json.loads(
        create_app().get_openapi_json_schema(title=openapi.TITLE, version=openapi.VERSION, summary=openapi.SUMMARY)
    )
    document = openapi.complete(
        generated, server_url=_base_url(_event()), enabled_operations=api_wiring().settings.enabled_operations
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(document))


def handle_not_found(_: NotFoundError) -> Response[str]:
    event = create_app().current_event
    allowed = allowed_methods(event.path)
    if allowed is None:
        return error_response(NotFound(f"No route for {event.http_method} {event.path}."))
    # OPTIONS answers the CORS preflight where origins are configured; worded as API Gateway's own 405.
    methods = ", ".join(sorted((*allowed, "OPTIONS") if api_wiring().settings.cors_allow_origins else allowed))
    error = MethodNotAllowed(f"Method {event.http_method} is not allowed on {event.path}; allowed: {methods}")
    return error_response(error, headers={"Allow": methods})


def handle_unexpected(_: Exception) -> Response[str]:
    return unexpected_error_response(create_app().current_event.request_context.request_id)


@functools.cache
def create_app() -> APIGatewayRestResolver:
    origins = api_wiring().settings.cors_allow_origins
    cors = (
        CORSConfig(
            allow_origin=origins[0],
            extra_origins=list(origins[1:]),
            allow_headers=list(CORS_ALLOW_HEADERS),
            expose_headers=list(CORS_EXPOSE_HEADERS),
            max_age=CORS_MAX_AGE_SECONDS,
        )
        if origins
        else None
    )
    # Routes read and validate their own input (once, with the deployment's enabled models), so
    # Powertools' validation machinery stays out of every cold start.
    app = APIGatewayRestResolver(cors=cors)
    app.include_router(router)
    app.exception_handler(ImageServiceError)(error_response)
    app.exception_handler(NotFoundError)(handle_not_found)
    app.exception_handler(Exception)(handle_unexpected)
    return app


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = create_app().resolve(event, context)
    if api_wiring().settings.cors_allow_origins:
        # The allowed origin echoed back depends on the request's Origin: caches must key on it.
        headers = response.setdefault("multiValueHeaders", {})
        if not any(name.lower() == "vary" for name in headers):
            headers["Vary"] = ["Origin"]
    return response
