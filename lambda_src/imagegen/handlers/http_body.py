"""What the API accepts as a request body before any field is looked at: JSON, at most 64 KiB,
and strict JSON (no NaN/Infinity, no duplicate keys)."""

from __future__ import annotations

from typing import Any

from imagegen.models.errors import PayloadTooLarge, UnsupportedMediaType
from imagegen.models.request import MAX_REQUEST_BYTES


def check_body_admissible(headers: Any, body: bytes | None) -> None:
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


def _lower_media_type(value: str) -> str:
    media_type, separator, parameters = value.partition(";")
    return media_type.strip().lower() + separator + parameters


def with_lowercase_media_type(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its Content-Type's media type in lower case, parameters kept: media types
    are case-insensitive, but Powertools parses a JSON body only after "application/json"."""
    headers = dict(event.get("headers") or {})
    multi = {name: list(values) for name, values in (event.get("multiValueHeaders") or {}).items()}
    for name in [n for n in headers if n.lower() == "content-type"]:
        headers[name] = _lower_media_type(headers[name])
    for name in [n for n in multi if n.lower() == "content-type"]:
        multi[name] = [_lower_media_type(value) for value in multi[name]]
    return {
        **event,
        "headers": headers or event.get("headers"),
        "multiValueHeaders": multi or event.get("multiValueHeaders"),
    }
