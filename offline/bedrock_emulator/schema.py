"""JSON-schema checks worded as Bedrock's (Java, everit-style) validator words them.

Each model's body is an object schema: a table of property checks, the required keys, and no
other keys ("additionalProperties": false). Every violation is reported, in a fixed order
(extraneous keys as they appear in the body, then missing required keys, then each property
in schema order), so that messages are deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_PROMPT_CHARS = 10_000

Check = Callable[[str, Any], list[str]]


def type_name(value: Any) -> str:
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


def _bound(value: float) -> str:
    # Bounds print as the schema declares them: 1 for an integer bound, 0.5 for a decimal one.
    return str(value)


def string(min_length: int = 0, max_length: int | None = MAX_PROMPT_CHARS) -> Check:
    def check(path: str, value: Any) -> list[str]:
        if not isinstance(value, str):
            return [f"{path}: expected type: String, found: {type_name(value)}"]
        if len(value) < min_length:
            return [f"{path}: expected minLength: {min_length}, actual: {len(value)}"]
        if max_length is not None and len(value) > max_length:
            return [f"{path}: expected maxLength: {max_length}, actual: {len(value)}"]
        return []

    return check


def enum(allowed: Sequence[str]) -> Check:
    values = tuple(allowed)

    def check(path: str, value: Any) -> list[str]:
        return (
            [] if isinstance(value, str) and value in values else [f"{path}: {_show(value)} is not a valid enum value"]
        )

    return check


def _range(path: str, value: float, minimum: float, maximum: float) -> list[str]:
    if value < minimum:
        return [f"{path}: {_show(value)} is not greater or equal to {_bound(minimum)}"]
    if value > maximum:
        return [f"{path}: {_show(value)} is not less or equal to {_bound(maximum)}"]
    return []


def integer(minimum: int, maximum: int) -> Check:
    """A JSON integer: 1.0 and true are not integers to the validator."""

    def check(path: str, value: Any) -> list[str]:
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected type: Integer, found: {type_name(value)}"]
        return _range(path, value, minimum, maximum)

    return check


def number(minimum: float, maximum: float) -> Check:
    """A JSON number, integer or decimal (true is not a number)."""

    def check(path: str, value: Any) -> list[str]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{path}: expected type: Number, found: {type_name(value)}"]
        return _range(path, value, minimum, maximum)

    return check


@dataclass(frozen=True)
class ObjectSchema:
    """An object with exactly these properties (in schema order) and these required keys."""

    properties: Mapping[str, Check]
    required: tuple[str, ...] = ()

    def violations(self, body: Mapping[str, Any]) -> list[str]:
        found = [f"#: extraneous key [{key}] is not permitted" for key in body if key not in self.properties]
        found += [f"#: required key [{key}] not found" for key in self.required if key not in body]
        for name, check in self.properties.items():
            if name in body:
                found += check(f"#/{name}", body[name])
        return found
