"""The cursor of GET /jobs: the last key of a page, opaque to the caller (URL-safe base64 of
JSON). A cursor is read back only if it is well formed and names the caller's own index
partition: a cursor made up or taken from another caller is a 400, never another caller's page."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from imagegen.contract import OWNER_INDEX_PARTITION_KEY, OWNER_INDEX_SORT_KEY
from imagegen.models.validation import invalid

_KEY_ATTRIBUTES = frozenset({"pk", OWNER_INDEX_PARTITION_KEY, OWNER_INDEX_SORT_KEY})
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(value: str | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise invalid("query.limit", f"an integer from 1 to {MAX_PAGE_SIZE}")
    return int(value)


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    plain = {name: value["S"] for name, value in last_key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, owner: str) -> dict[str, Any] | None:
    """The page key `cursor` stands for, if it is one of `owner`'s."""
    if cursor is None:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        plain = None
    if (
        not isinstance(plain, dict)
        or set(plain) != _KEY_ATTRIBUTES
        or not all(isinstance(value, str) for value in plain.values())
        or plain[OWNER_INDEX_PARTITION_KEY] != owner
    ):
        raise invalid("query.cursor", "not a cursor of a page of your jobs; start again without it")
    return {name: {"S": value} for name, value in plain.items()}
