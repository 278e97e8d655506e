"""Image inputs: base64 that must decode to a PNG, JPEG or WebP within the documented limits.

Bedrock documents the limits (sides, total pixels, aspect ratio) but not the wording of the
errors, so these messages are the emulator's own, in the schema validator's style: the JSON
path of the field, then what is wrong with the numbers that break the rule. Sizes are read
from the image header before any pixel is decoded, so an oversized input costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
# The Image Services' aspect-ratio rule: between 1:2.5 and 2.5:1.
SERVICE_ASPECT = 2.5


@dataclass(frozen=True)
class ImageLimits:
    """One input's documented limits; None where the documentation sets none."""

    min_side: int | None = 64
    max_side: int | None = None
    min_pixels: int | None = 4_096
    max_pixels: int | None = 9_437_184
    max_aspect: float | None = SERVICE_ASPECT


# The rule most Image Services inputs share (Bedrock's "Stability AI Image Services" page).
SERVICE_IMAGE = ImageLimits()
# Fast Upscale: 32..1,536 px a side, 1,024..1,048,576 pixels, no aspect-ratio rule.
FAST_UPSCALE_IMAGE = ImageLimits(min_side=32, max_side=1_536, min_pixels=1_024, max_pixels=1_048_576, max_aspect=None)
# Creative Upscale: at least 64 px a side, 4,096..1,048,576 pixels, no aspect-ratio rule.
CREATIVE_UPSCALE_IMAGE = ImageLimits(max_pixels=1_048_576, max_aspect=None)
# Ultra and SD3.5 Large image-to-image: Bedrock documents 64 px a side at least; the largest side
# is Stability AI's own API's (16,384 px) for the same models.
GENERATE_IMAGE = ImageLimits(max_side=16_384, max_pixels=None, max_aspect=None)
# A mask: any size (Bedrock resizes it to the image), any of the three formats.
MASK_IMAGE = ImageLimits(min_side=None, min_pixels=None, max_pixels=None, max_aspect=None)


def _decode_base64(text: str) -> bytes | None:
    # A data URL is a client-side convenience; Bedrock takes the bare base64 text.
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _limit_violations(path: str, width: int, height: int, limits: ImageLimits) -> list[str]:
    dimensions, pixels = f"{width}x{height}", width * height
    if limits.min_side is not None and min(width, height) < limits.min_side:
        return [f"{path}: image dimensions {dimensions} are below the minimum of {limits.min_side} pixels per side"]
    if limits.max_side is not None and max(width, height) > limits.max_side:
        return [f"{path}: image dimensions {dimensions} exceed the maximum of {limits.max_side} pixels per side"]
    if limits.min_pixels is not None and pixels < limits.min_pixels:
        return [f"{path}: image of {pixels} pixels ({dimensions}) is below the minimum of {limits.min_pixels} pixels"]
    if limits.max_pixels is not None and pixels > limits.max_pixels:
        return [f"{path}: image of {pixels} pixels ({dimensions}) exceeds the maximum of {limits.max_pixels} pixels"]
    if limits.max_aspect is not None and max(width / height, height / width) > limits.max_aspect:
        bound = f"{limits.max_aspect:g}"
        return [f"{path}: image aspect ratio {dimensions} is outside the range 1:{bound} to {bound}:1"]
    return []


def _too_large(path: str, limits: ImageLimits) -> str:
    threshold = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if limits.max_pixels is not None:
        return f"{path}: image of more than {threshold} pixels exceeds the maximum of {limits.max_pixels} pixels"
    return f"{path}: image of more than {threshold} pixels is too large to process"


def decode_image(path: str, text: str, limits: ImageLimits) -> tuple[Image.Image | None, list[str]]:
    """The decoded image and no violations, or None and the violations of the input at `path`.

    The pixels are loaded only when the header passes the limits."""
    raw = _decode_base64(text)
    if raw is None or not raw:
        return None, [f"{path}: expected a base64-encoded image, found text that is not valid base64"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
    except Image.DecompressionBombError:
        # Pillow refuses to open an image this large at all (its header claims more pixels
        # than Pillow's own safety limit), so its exact dimensions are not at hand.
        return None, [_too_large(path, limits)]
    except (UnidentifiedImageError, OSError, ValueError):
        return None, [f"{path}: the image cannot be decoded; supported formats: jpeg, png, webp"]
    kind = FORMATS.get(image.format or "")
    if kind is None:
        return None, [
            f"{path}: image format {(image.format or 'unknown').lower()} is not supported; "
            "supported formats: jpeg, png, webp"
        ]
    violations = _limit_violations(path, image.width, image.height, limits)
    if violations:
        return None, violations
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, [f"{path}: the {kind} image is truncated or corrupt and cannot be decoded"]
    return image, []


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
