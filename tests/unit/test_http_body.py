"""What the API accepts as a body before looking at fields."""

from __future__ import annotations

import json

import pytest
from imagegen.handlers.http_body import check_body_admissible
from imagegen.models.errors import PayloadTooLarge, UnsupportedMediaType
from imagegen.models.strict_json import loads_strict


@pytest.mark.parametrize("content_type", [None, "application/json", "Application/JSON; charset=utf-8"])
def test_json_or_no_content_type_is_accepted(content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    check_body_admissible(headers, b'{"prompt": "a"}')


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"])
def test_other_media_types_are_refused(content_type):
    with pytest.raises(UnsupportedMediaType):
        check_body_admissible({"content-type": content_type}, b"{}")


def test_size_is_measured_in_bytes_not_characters():
    check_body_admissible({}, b"a" * 65536)
    with pytest.raises(PayloadTooLarge):
        check_body_admissible({}, ("\u00e9" * 32769).encode())  # 32,769 characters, 65,538 bytes


@pytest.mark.parametrize(
    "document",
    [
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1, "a": 2}',
        '{"a": {"b": 1, "b": 1}}',
        "[" * 50_000 + "]" * 50_000,
    ],
)
def test_strict_json_rejects_what_json_forbids_or_leaves_ambiguous(document):
    with pytest.raises(json.JSONDecodeError):
        loads_strict(document)


def test_strict_json_parses_ordinary_documents():
    assert loads_strict(b'{"prompt": "caf\\u00e9", "n": [1, 2.5, null, true]}') == {
        "prompt": "café",
        "n": [1, 2.5, None, True],
    }
