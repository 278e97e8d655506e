"""Image arguments: a local path, bytes, base64 or a data: URL, or a reference (`{"upload_id"}`,
`{"s3_key"}`), turned into what the request carries.

A local image goes inline (base64) while the request stays well under the API's 6,000,000-byte
body limit, else it is stored first and named: through POST /uploads for the API, in the bucket
(`{"s3_key"}`) for S3 drops and events, which cannot carry large bodies (an event: 256 KB)."""

from __future__ import annotations

import base64
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from imagegen_client import _generated

# The request's JSON body may be 6,000,000 bytes in all; base64 adds a third, so 4,000,000 bytes
# of images leave about 650 kB for the other fields and the JSON around them.
INLINE_BUDGET_BYTES = 4_000_000
# An EventBridge event is at most 256 KB with its envelope.
EVENT_INLINE_BUDGET_BYTES = 150_000
ImageInput = str | Path | bytes | Mapping[str, str]
# Stores an image that is too large to inline and answers the reference to send instead.
Store = Callable[[bytes, str | None], dict[str, str]]
# Stands in for a local image while the request is checked, before anything is stored.
PLACEHOLDER = {"upload_id": "0" * 32}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
        # The generated module refers to models defined further down: resolved on first use.
        annotation.model_rebuild()
        for field in annotation.model_fields.values():
            found.extend(_models_in(field.annotation))
    for argument in typing.get_args(annotation):
        found.extend(_models_in(argument))
    return found


def _union_members(annotation: Any) -> list[Any]:
    """The types an annotation allows, through Annotated, unions and Optional."""
    arguments = typing.get_args(annotation)
    if not arguments:
        return [annotation]
    return [member for argument in arguments for member in _union_members(argument)]


def _image_field_names() -> frozenset[str]:
    """Every field, in any operation's request, that takes an upload reference: an image input."""
    names = set()
    for request in _generated.OPERATION_REQUESTS.values():
        for model in _models_in(request):
            for name, field in model.model_fields.items():
                if _generated.UploadRef in _union_members(field.annotation):
                    names.add(name)
    return frozenset(names)


IMAGE_FIELDS = _image_field_names()


def content_type_of(data: bytes) -> str | None:
    """The image type by its first bytes (what the service checks too); None if none of its three."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def extension_of(content_type: str | None) -> str:
    return {"image/jpeg": "jpg", "image/webp": "webp"}.get(content_type or "", "png")


def _is_local(value: Any) -> bool:
    """A Path or bytes, or a string naming a file that exists: an image only this machine has.
    Any other string (base64, a data: URL) is sent as it is."""
    if isinstance(value, bytes | Path):
        return True
    if not isinstance(value, str) or value.startswith("data:") or len(value) > 4096:
        return False
    try:
        return Path(value).expanduser().is_file()
    except OSError:
        return False


def _local_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if isinstance(value, Path | str) and _is_local(value):
        return Path(value).expanduser().read_bytes()
    return None


def with_placeholders(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with each local image replaced by a reference, to check the request's shape."""
    return {name: PLACEHOLDER if name in IMAGE_FIELDS and _is_local(value) else value for name, value in fields.items()}


def prepare_images(fields: Mapping[str, Any], store: Store, *, budget: int = INLINE_BUDGET_BYTES) -> dict[str, Any]:
    """`fields` with every image input as the request carries it. Images are inlined in the order
    given while they fit in `budget` bytes together; the others are stored with `store`."""
    prepared = dict(fields)
    for name, value in fields.items():
        if name not in IMAGE_FIELDS:
            continue
        if isinstance(value, Mapping):
            prepared[name] = dict(value)
            continue
        data = _local_bytes(value)
        if data is None:  # base64 or a data: URL, sent as it is
            budget -= len(value) * 3 // 4 if isinstance(value, str) else 0
            continue
        if len(data) <= budget:
            prepared[name] = base64.b64encode(data).decode()
            budget -= len(data)
        else:
            prepared[name] = store(data, content_type_of(data))
    return prepared
