"""Turns pydantic validation errors into the contract's 400 body: one entry per field path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imagegen.models.errors import ValidationFailed


def field_path(loc: Sequence[str | int]) -> str:
    """("body", "text_prompts", 0, "weight") -> "text_prompts[0].weight"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "body":
            path += f".{part}" if path else part
    return path


def _message(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"The body is not valid JSON: {error.get('ctx', {}).get('error', 'parse error')}"
    return str(error.get("msg", "Invalid value")).removeprefix("Value error, ")


def validation_error(errors: Sequence[Mapping[str, Any]]) -> ValidationFailed:
    fields = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            loc = ()
        path = field_path(loc) or str((error.get("ctx") or {}).get("field", "")) or "body"
        fields.append({"field": path, "message": _message(error)})
    summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:3])
    return ValidationFailed(f"Invalid request: {summary}", details={"errors": fields})


def invalid(field: str, message: str) -> ValidationFailed:
    """A validation error about one field ("body" for the document as a whole)."""
    return ValidationFailed(
        f"Invalid request: {field}: {message}", details={"errors": [{"field": field, "message": message}]}
    )
