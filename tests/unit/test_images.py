"""Image size and format are read from the bytes the model returns."""

from __future__ import annotations

import io

import pytest
from imagegen.models.image_formats import image_size
from PIL import Image


def encode(fmt: str, size=(832, 1216), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {}), ("JPEG", {}), ("JPEG", {"progressive": True}), ("JPEG", {"exif": b"Exif\x00\x00" + b"\x00" * 64})],
)
def test_reads_the_size(fmt, options):
    assert image_size(encode(fmt, **options), fmt.lower()) == (832, 1216)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(b"", "png"), (b"GIF89a...", "png"), (b"\xff\xd8\xff", "jpeg"), (encode("PNG"), "jpeg"), (encode("JPEG"), "png")],
)
def test_anything_else_is_not_an_image_of_that_format(data, fmt):
    assert image_size(data, fmt) is None
