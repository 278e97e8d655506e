"""Body validation as Bedrock does it for the Stability image models (JSON schema, all violations)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import malformed_input
from .models import ASPECT_RATIO_SIZES, ModelSpec

MAX_PROMPT_CHARS = 10_000
OUTPUT_FORMATS = ("png", "jpeg")
# Schema order: violations are reported in this order, so messages are deterministic.
_PROPERTIES = ("prompt", "negative_prompt", "aspect_ratio", "seed", "output_format")


@dataclass(frozen=True)
class ImageRequest:
    """A body that passed validation; seed 0 still means "pick one"."""

    prompt: str
    negative_prompt: str = ""
    aspect_ratio: str = "1:1"
    seed: int = 0
    output_format: str = "png"


def _reject_constant(name: str) -> Any:
    # JSON has no NaN or Infinity; Python's parser would otherwise accept them.
    raise ValueError(f"invalid JSON constant {name}")


def _type_name(value: Any) -> str:
    """The type names Bedrock's (Java) schema validator prints."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "BigDecimal"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "JSONArray"
    return "JSONObject"


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _string_violations(path: str, value: Any, min_length: int) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: expected type: String, found: {_type_name(value)}"]
    if len(value) < min_length:
        return [f"{path}: expected minLength: {min_length}, actual: {len(value)}"]
    if len(value) > MAX_PROMPT_CHARS:
        return [f"{path}: expected maxLength: {MAX_PROMPT_CHARS}, actual: {len(value)}"]
    return []


def _enum_violations(path: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    return [] if isinstance(value, str) and value in allowed else [f"{path}: {_show(value)} is not a valid enum value"]


def _seed_violations(value: Any, max_seed: int) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"#/seed: expected type: Integer, found: {_type_name(value)}"]
    if value < 0:
        return [f"#/seed: {value} is not greater or equal to 0"]
    if value > max_seed:
        return [f"#/seed: {value} is not less or equal to {max_seed}"]
    return []


def _property_violations(name: str, value: Any, model: ModelSpec) -> list[str]:
    path = f"#/{name}"
    if name == "prompt":
        return _string_violations(path, value, 1)
    if name == "negative_prompt":
        return _string_violations(path, value, 0)
    if name == "aspect_ratio":
        return _enum_violations(path, value, tuple(ASPECT_RATIO_SIZES))
    if name == "seed":
        return _seed_violations(value, model.max_seed)
    return _enum_violations(path, value, OUTPUT_FORMATS)


def parse_body(raw: bytes, model: ModelSpec) -> tuple[dict[str, Any], ImageRequest]:
    """The body as sent and the validated request, or a ValidationException naming every violation."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise malformed_input() from None
    if not isinstance(body, dict):
        raise malformed_input(f"#: expected type: JSONObject, found: {_type_name(body)}")
    violations = [f"#: extraneous key [{key}] is not permitted" for key in body if key not in _PROPERTIES]
    if "prompt" not in body:
        violations.append("#: required key [prompt] not found")
    for name in _PROPERTIES:
        if name in body:
            violations += _property_violations(name, body[name], model)
    if violations:
        raise malformed_input(*violations)
    return body, ImageRequest(**body)
