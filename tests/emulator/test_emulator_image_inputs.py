"""Image inputs: base64 of a PNG, JPEG or WebP, held to each input's documented limits on both
sides of every edge. Bedrock documents the limits, not the wording: the messages are the
emulator's own, naming the field."""

from __future__ import annotations

import base64
import functools
import struct
import time
import zlib

import pytest
from PIL import Image

from .support import MINIMAL, SD35, SERVICES, ULTRA, decode, encode, image_b64, invoke, malformed, profile, rejection

# The services whose `image` follows the common rule: >= 64 px a side, <= 9,437,184 pixels,
# aspect ratio 1:2.5 to 2.5:1.
STANDARD = [name for name in SERVICES if name not in ("stable-fast-upscale", "stable-creative-upscale")]
STANDARD_INPUTS = [(name, "image") for name in STANDARD if name != "stable-style-transfer"] + [
    ("stable-style-transfer", "init_image"),
    ("stable-style-transfer", "style_image"),
]
STANDARD_IDS = [f"{name}-{field}" for name, field in STANDARD_INPUTS]


@functools.lru_cache(maxsize=16)
def solid(width: int, height: int, image_format: str = "PNG") -> str:
    """A one-colour image: cheap to encode at any size, for inputs that must be refused."""
    return encode(Image.new("RGB", (width, height), (40, 120, 200)), image_format)


def with_input(name: str, field: str, value: str) -> dict:
    return {**MINIMAL[name], field: value}


def side_below(field: str, dimensions: str, minimum: int) -> str:
    return f"#/{field}: image dimensions {dimensions} are below the minimum of {minimum} pixels per side"


def side_above(field: str, dimensions: str, maximum: int) -> str:
    return f"#/{field}: image dimensions {dimensions} exceed the maximum of {maximum} pixels per side"


def too_many_pixels(field: str, width: int, height: int, maximum: int) -> str:
    return f"#/{field}: image of {width * height} pixels ({width}x{height}) exceeds the maximum of {maximum} pixels"


def bad_aspect(field: str, dimensions: str) -> str:
    return f"#/{field}: image aspect ratio {dimensions} is outside the range 1:2.5 to 2.5:1"


def accepted(client, body, model_id) -> None:
    assert invoke(client, body, model_id)[1]["finish_reasons"] == [None]


@pytest.mark.parametrize(("name", "field"), STANDARD_INPUTS, ids=STANDARD_IDS)
def test_the_common_rule_at_its_edges(bedrock, invocations, name, field):
    model_id = profile(name)
    accepted(bedrock, with_input(name, field, image_b64(64, 64)), model_id)
    accepted(bedrock, with_input(name, field, image_b64(160, 64)), model_id)
    accepted(bedrock, with_input(name, field, image_b64(64, 160)), model_id)
    count = invocations()["count"]

    assert rejection(bedrock, with_input(name, field, solid(63, 64)), model_id) == malformed(
        side_below(field, "63x64", 64)
    )
    assert rejection(bedrock, with_input(name, field, solid(161, 64)), model_id) == malformed(
        bad_aspect(field, "161x64")
    )
    assert rejection(bedrock, with_input(name, field, solid(64, 161)), model_id) == malformed(
        bad_aspect(field, "64x161")
    )
    assert rejection(bedrock, with_input(name, field, solid(3073, 3072)), model_id) == malformed(
        too_many_pixels(field, 3073, 3072, 9_437_184)
    )
    assert invocations()["count"] == count


def test_the_largest_common_input_is_upscaled_quickly(bedrock):
    """9,437,184 pixels is the most the common rule takes; conservative upscale answers it
    well within the service's budget."""
    body = {"image": image_b64(3072, 3072), "prompt": "sharper"}

    started = time.monotonic()
    _, payload = invoke(bedrock, body, profile("stable-conservative-upscale"))
    elapsed = time.monotonic() - started

    assert decode(payload["images"][0]).size == (2048, 2048)
    assert elapsed < 2.0


def test_fast_upscale_limits(bedrock, invocations):
    model_id, field = profile("stable-fast-upscale"), "image"
    accepted(bedrock, {field: image_b64(32, 32)}, model_id)  # 1,024 pixels, the least
    accepted(bedrock, {field: image_b64(1536, 32), "output_format": "jpeg"}, model_id)  # 48:1, no aspect rule
    accepted(bedrock, {field: image_b64(1024, 1024), "output_format": "jpeg"}, model_id)  # 1,048,576 pixels
    count = invocations()["count"]

    assert rejection(bedrock, {field: solid(31, 40)}, model_id) == malformed(side_below(field, "31x40", 32))
    assert rejection(bedrock, {field: solid(1537, 32)}, model_id) == malformed(side_above(field, "1537x32", 1536))
    assert rejection(bedrock, {field: solid(1025, 1024)}, model_id) == malformed(
        too_many_pixels(field, 1025, 1024, 1_048_576)
    )
    assert invocations()["count"] == count


def test_creative_upscale_limits(bedrock, invocations):
    name, field = "stable-creative-upscale", "image"
    model_id = profile(name)
    accepted(bedrock, with_input(name, field, image_b64(64, 64)), model_id)
    accepted(bedrock, with_input(name, field, image_b64(640, 64)), model_id)  # 10:1, no aspect rule
    accepted(bedrock, {**with_input(name, field, image_b64(1024, 1024)), "output_format": "jpeg"}, model_id)
    count = invocations()["count"]

    assert rejection(bedrock, with_input(name, field, solid(64, 63)), model_id) == malformed(
        side_below(field, "64x63", 64)
    )
    assert rejection(bedrock, with_input(name, field, solid(1025, 1024)), model_id) == malformed(
        too_many_pixels(field, 1025, 1024, 1_048_576)
    )
    assert invocations()["count"] == count


I2I = [
    (ULTRA, {"prompt": "p", "strength": 0.5}),
    (SD35, {"prompt": "p", "strength": 0.5, "mode": "image-to-image"}),
]


@pytest.mark.parametrize(("model_id", "body"), I2I, ids=["ultra", "sd3.5-large"])
def test_image_to_image_limits(bedrock, invocations, model_id, body):
    accepted(bedrock, {**body, "image": image_b64(64, 64)}, model_id)
    accepted(bedrock, {**body, "image": image_b64(16_384, 64), "output_format": "jpeg"}, model_id)
    count = invocations()["count"]

    assert rejection(bedrock, {**body, "image": solid(63, 100)}, model_id) == malformed(
        side_below("image", "63x100", 64)
    )
    assert rejection(bedrock, {**body, "image": solid(16_385, 64)}, model_id) == malformed(
        side_above("image", "16385x64", 16_384)
    )
    assert invocations()["count"] == count


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_are_taken(bedrock, image_format):
    body = {"image": image_b64(96, 80, image_format=image_format)}

    _, payload = invoke(bedrock, body, profile("stable-fast-upscale"))

    assert decode(payload["images"][0]).size == (384, 320)


# The first half of a PNG: its header reads, its pixels do not.
_WHOLE = base64.b64decode(encode(Image.effect_noise((96, 80), 50)))
TRUNCATED = _WHOLE[: len(_WHOLE) // 2]
UNDECODABLE = "the image cannot be decoded; supported formats: jpeg, png, webp"
NOT_BASE64 = "expected a base64-encoded image, found text that is not valid base64"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (solid(96, 80, "GIF"), "image format gif is not supported; supported formats: jpeg, png, webp"),
        (solid(96, 80, "BMP"), "image format bmp is not supported; supported formats: jpeg, png, webp"),
        (base64.b64encode(b"hello, not an image").decode(), UNDECODABLE),
        ("not base64!", NOT_BASE64),
        ("", NOT_BASE64),
        ("data:image/png;base64," + image_b64(96, 80), NOT_BASE64),
        (
            base64.b64encode(TRUNCATED).decode(),
            "the png image is truncated or corrupt and cannot be decoded",
        ),
    ],
    ids=["gif", "bmp", "text", "not-base64", "empty", "data-url", "truncated"],
)
def test_an_input_that_is_not_a_supported_image_is_refused(bedrock, invocations, value, problem):
    assert rejection(bedrock, {"image": value}, profile("stable-image-remove-background")) == malformed(
        f"#/image: {problem}"
    )
    assert invocations()["count"] == 0


def test_every_bad_input_is_named(bedrock):
    body = {"init_image": "%%", "style_image": solid(63, 64)}

    assert rejection(bedrock, body, profile("stable-style-transfer")) == malformed(
        f"#/init_image: {NOT_BASE64}", side_below("style_image", "63x64", 64)
    )


@pytest.mark.parametrize("name", ["stable-image-inpaint", "stable-image-erase-object"])
def test_a_mask_is_any_image_but_must_be_one(bedrock, name):
    base = {field: value for field, value in MINIMAL[name].items() if field != "mask"}
    accepted(bedrock, {**base, "mask": image_b64(8, 8, "L")}, profile(name))
    accepted(bedrock, {**base, "mask": image_b64(300, 40, "L", "JPEG")}, profile(name))

    assert rejection(bedrock, {**base, "mask": "nope!"}, profile(name)) == malformed(f"#/mask: {NOT_BASE64}")


@pytest.mark.parametrize("name", ["stable-image-inpaint", "stable-image-erase-object"])
def test_without_a_mask_the_image_needs_an_alpha_channel(bedrock, invocations, name):
    base = {field: value for field, value in MINIMAL[name].items() if field != "mask"}

    assert rejection(bedrock, base, profile(name)) == malformed(
        "#/image: no mask was given and the image has no alpha channel to derive one from"
    )
    assert invocations()["count"] == 0
    accepted(bedrock, {**base, "image": image_b64(96, 80, "RGBA")}, profile(name))


def png_header(width: int, height: int) -> str:
    """A PNG that claims a size in its header and holds no pixels: a size check reads no more."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


def test_a_huge_image_is_refused_by_its_header(bedrock, invocations):
    name = "stable-image-remove-background"

    assert rejection(bedrock, {"image": png_header(5000, 5000)}, profile(name)) == malformed(
        too_many_pixels("image", 5000, 5000, 9_437_184)
    )
    assert rejection(bedrock, {"image": png_header(20_000, 20_000)}, profile(name)) == malformed(
        "#/image: image of more than 178956970 pixels exceeds the maximum of 9437184 pixels"
    )
    assert rejection(bedrock, {"prompt": "p", "image": png_header(16_384, 16_384)}, ULTRA) == malformed(
        "#/image: image of more than 178956970 pixels is too large to process"
    )
    assert invocations()["count"] == 0
