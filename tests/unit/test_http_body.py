"""What the API accepts as a body before looking at fields."""

from __future__ import annotations

import base64
import json

import pytest
from imagegen.handlers.http_body import check_body_admissible, read_request
from imagegen.logic.image_inputs import InputResolver
from imagegen.models.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from imagegen.models.settings import Settings
from imagegen.models.strict_json import loads_strict


@pytest.mark.parametrize("content_type", [None, "application/json", "Application/JSON; charset=utf-8"])
def test_json_or_no_content_type_is_accepted(content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    check_body_admissible(headers, b'{"prompt": "a"}')


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"])
def test_other_media_types_are_refused(content_type):
    with pytest.raises(UnsupportedMediaType):
        check_body_admissible({"content-type": content_type}, b"{}")


class Event:
    """The parts of a REST proxy event the body reader looks at."""

    def __init__(self, body: bytes):
        self.body, self.is_base64_encoded, self.headers = body.decode(), False, {}


SETTINGS = Settings.from_environment({"IMAGE_BUCKET": "bucket", "ENABLED_OPERATIONS": "images,upscale/fast"})


def _text_only(size: int, char: str = "a") -> bytes:
    """A text-only request body of exactly `size` bytes (its prompt too long to be valid)."""
    head, tail = '{"prompt": "', '"}'
    filler = size - len(head) - len(tail)
    body = (head + char * (filler // len(char.encode())) + tail).encode()
    assert len(body) == size
    return body


def test_a_text_only_request_is_measured_in_bytes_not_characters():
    # 64 KiB: read, then refused for its prompt's length, not its size
    with pytest.raises(ValidationFailed):
        read_request(Event(_text_only(65536)), settings=SETTINGS, operation_name="images")
    with pytest.raises(PayloadTooLarge, match="64 KiB"):
        read_request(Event(_text_only(65538, "\u00e9")), settings=SETTINGS, operation_name="images")


def test_a_request_with_an_inline_image_may_be_up_to_6_mb():
    image = base64.b64encode(b"\x00" * 4_400_000).decode()  # read, then refused as no image
    with pytest.raises(ValidationFailed, match="image: is not a PNG"):
        operation, request = read_request(
            Event(json.dumps({"image": image}).encode()), settings=SETTINGS, operation_name="upscale/fast"
        )
        InputResolver(None, retention_days=1).resolve(request, operation)  # type: ignore[arg-type]
    check_body_admissible({}, b"a" * 6_000_000)
    with pytest.raises(PayloadTooLarge, match="6,000,000 bytes"):
        check_body_admissible({}, b"a" * 6_000_001)


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
