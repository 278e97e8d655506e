"""The body of an API request, read once: JSON (any case of the media type), strict JSON (no
NaN/Infinity, no duplicate keys), at most 64 KiB for a text-only request and 6 MB for one that
carries an inline image, then the operation's request model."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from imagegen.models.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from imagegen.models.image_inputs import API_SOURCES
from imagegen.models.operations import Operation, carries_inline_image, parse_request
from imagegen.models.request import MAX_IMAGE_REQUEST_BYTES, MAX_REQUEST_BYTES, OperationRequest
from imagegen.models.settings import Settings
from imagegen.models.strict_json import loads_strict
from imagegen.models.validation import invalid, validation_error


def check_body_admissible(headers: Mapping[str, str], body: bytes | None) -> None:
    """Raises UnsupportedMediaType or PayloadTooLarge. A missing Content-Type is taken as JSON."""
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise UnsupportedMediaType(
                f"Send the request as application/json, not {media_type or 'an empty content type'}.",
            )
    if body is not None and len(body) > MAX_IMAGE_REQUEST_BYTES:
        raise PayloadTooLarge(
            f"The request body is larger than {MAX_IMAGE_REQUEST_BYTES:,} bytes; "
            "send large images with POST /uploads and name them by upload_id."
        )


def raw_body(event: Any) -> bytes | None:
    """The body of a REST proxy event as bytes (base64 where API Gateway encoded it)."""
    if event.body is None:
        return None
    return base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode()


def read_document(event: Any) -> tuple[object, int]:
    """The JSON document of a body and the body's size: 415/413 before anything else, then 400."""
    body = raw_body(event)
    check_body_admissible(event.headers, body)
    try:
        return loads_strict(body or b""), len(body or b"")
    except UnicodeDecodeError as exc:
        raise invalid("body", "the body is not UTF-8 encoded JSON") from exc
    except json.JSONDecodeError as exc:
        raise validation_error([{"type": "json_invalid", "loc": (), "ctx": {"error": exc.msg}}]) from exc


def read_request(event: Any, *, settings: Settings, operation_name: str | None) -> tuple[Operation, OperationRequest]:
    """The operation and request a body asks for (`operation_name`: the route's; None: the body's
    `operation` field names it)."""
    try:
        document, size = read_document(event)
    except ValidationFailed:
        # A body only an inline image may make this large, and that is no JSON at all: too large.
        if len(raw_body(event) or b"") > MAX_REQUEST_BYTES:
            raise PayloadTooLarge(f"The request body is larger than {MAX_REQUEST_BYTES // 1024} KiB.") from None
        raise
    if size > MAX_REQUEST_BYTES and not carries_inline_image(document):
        raise PayloadTooLarge(f"The request body is larger than {MAX_REQUEST_BYTES // 1024} KiB.")
    return parse_request(
        document,
        enabled_operations=settings.enabled_operations,
        enabled_models=settings.enabled_models,
        sources=API_SOURCES,
        operation_name=operation_name,
    )
