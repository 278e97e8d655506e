"""Image size and format are read from the bytes the model returns."""

from __future__ import annotations

import io

import pytest
from imagegen.models.image_formats import ImageInfo, identify, image_size
from imagegen.models.image_inputs import ImageLimits
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


def _image(mode: str, size=(300, 200), fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    colour = {"RGB": "orange", "RGBA": (255, 128, 0, 100), "L": 90, "LA": (90, 10), "P": 3}[mode]
    Image.new(mode, size, colour).save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_image("RGB"), ("png", 300, 200, False)),
        (_image("RGBA"), ("png", 300, 200, True)),
        (_image("LA"), ("png", 300, 200, True)),
        (_image("L"), ("png", 300, 200, False)),
        (_image("P", transparency=3), ("png", 300, 200, True)),  # a tRNS chunk
        (_image("RGB", fmt="JPEG"), ("jpeg", 300, 200, False)),
        (_image("RGB", fmt="WEBP"), ("webp", 300, 200, False)),  # lossy: VP8
        (_image("RGB", fmt="WEBP", lossless=True), ("webp", 300, 200, False)),  # VP8L
        (_image("RGBA", fmt="WEBP", lossless=True), ("webp", 300, 200, True)),
        (_image("RGBA", fmt="WEBP"), ("webp", 300, 200, True)),  # VP8X with an alpha chunk
        (_image("RGB", size=(16_383, 1), fmt="WEBP"), ("webp", 16_383, 1, False)),
    ],
)
def test_identifies_format_size_and_alpha_from_the_bytes(data, expected):
    info = identify(data)
    assert info is not None
    assert (info.format, info.width, info.height, info.has_alpha) == expected


@pytest.mark.parametrize(
    "data", [b"", b"GIF89a" + b"\x00" * 40, b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 30, _image("RGB")[:20]]
)
def test_other_bytes_are_no_image(data):
    assert identify(data) is None


LIMITS = ImageLimits(min_side=64, max_side=1536, min_pixels=4096, max_pixels=1_048_576)


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        ((64, 64), None),
        ((63, 100), "at least 64 px"),
        ((1536, 640), None),
        ((1537, 640), "at most 1536 px"),
        ((1024, 1024), None),
        ((1024, 1025), "1,048,576 pixels"),
        ((160, 64), None),  # 2.5:1
        ((161, 64), "between 1:2.5 and 2.5:1"),
        ((64, 161), "between 1:2.5 and 2.5:1"),
    ],
)
def test_limits_name_the_rule_an_image_breaks(size, problem):
    problems = LIMITS.problems(ImageInfo("png", *size, has_alpha=False))
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_formats_are_limits_too():
    problems = ImageLimits(formats=("png",)).problems(ImageInfo("webp", 100, 100, has_alpha=False))
    assert problems == ["is webp; this operation takes png"]
