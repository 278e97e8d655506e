"""Strict JSON: what Python's parser tolerates but JSON forbids or makes ambiguous is refused."""

from __future__ import annotations

import json
from typing import Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def loads_strict(document: str | bytes) -> Any:
    """json.loads that rejects what Python's parser tolerates but JSON forbids or makes ambiguous.
    Raises json.JSONDecodeError for every problem, so callers see one kind of parse failure."""
    text = document.decode() if isinstance(document, bytes) else document
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), text, 0) from exc
    except RecursionError as exc:  # nesting deeper than the parser's stack
        raise json.JSONDecodeError("the document is nested too deeply", text, 0) from exc
