"""The body of an API request, read once: JSON (any case of the media type), at most 64 KiB,
strict JSON (no NaN/Infinity, no duplicate keys), then the request model's rules."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from imagegen.models.errors import PayloadTooLarge, UnsupportedMediaType
from imagegen.models.request import MAX_REQUEST_BYTES, ImageRequest
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
    if body is not None and len(body) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_REQUEST_BYTES // 1024} KiB.")


def raw_body(event: Any) -> bytes | None:
    """The body of a REST proxy event as bytes (base64 where API Gateway encoded it)."""
    if event.body is None:
        return None
    return base64.b64decode(event.body) if event.is_base64_encoded else event.body.encode()


def read_request(event: Any, *, enabled_models: Sequence[str]) -> ImageRequest:
    """The request a body asks for: 415/413 before anything else, then 400 naming each field."""
    body = raw_body(event)
    check_body_admissible(event.headers, body)
    try:
        document = loads_strict(body or b"")
    except UnicodeDecodeError as exc:
        raise invalid("body", "the body is not UTF-8 encoded JSON") from exc
    except json.JSONDecodeError as exc:
        raise validation_error([{"type": "json_invalid", "loc": (), "ctx": {"error": exc.msg}}]) from exc
    try:
        return ImageRequest.parse(document, enabled=enabled_models)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from exc
