"""Masks for inpaint, erase and search: where an edit may change pixels, and nowhere else.

A mask is an "L" image the size of the picture: 0 keeps the pixel exactly, 255 replaces it
fully, values between blend. Growing it (grow_mask) takes, at every pixel, the largest value
within that many pixels in each direction (a square window), so the changed area's edge
moves outward by exactly that distance.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw, ImageOps

from .inputs import has_alpha


def _shifted(mask: Image.Image, dx: int, dy: int) -> Image.Image:
    """mask moved by (dx, dy), the uncovered edge black (no wrap-around)."""
    moved = Image.new("L", mask.size, 0)
    moved.paste(mask, (dx, dy))
    return moved


def _grow_along(mask: Image.Image, radius: int, horizontal: bool) -> Image.Image:
    # Doubling windows: a window of half-width c widens to c + s with s <= 2c + 1, so
    # a radius of 20 takes four steps of three maxima each instead of forty.
    covered = 0
    while covered < radius:
        step = min(2 * covered + 1, radius - covered)
        dx, dy = (step, 0) if horizontal else (0, step)
        mask = ImageChops.lighter(mask, ImageChops.lighter(_shifted(mask, dx, dy), _shifted(mask, -dx, -dy)))
        covered += step
    return mask


def grow(mask: Image.Image, radius: int) -> Image.Image:
    """Every pixel takes the largest value within `radius` pixels (Chebyshev distance)."""
    if radius <= 0:
        return mask
    return _grow_along(_grow_along(mask, radius, horizontal=True), radius, horizontal=False)


def edit_mask(image: Image.Image, mask: Image.Image | None) -> Image.Image:
    """The mask an inpaint or erase applies: the given one (white changes, black keeps), resized
    to the image as Bedrock documents; without one, the image's transparency (transparent
    pixels change, opaque ones stay). A given mask takes precedence over the alpha channel."""
    if mask is not None:
        grey = mask.convert("L")
        return grey if grey.size == image.size else grey.resize(image.size, Image.Resampling.BILINEAR)
    if not has_alpha(image):
        return Image.new("L", image.size, 0)
    return ImageOps.invert(image.convert("RGBA").getchannel("A"))


def found_object_mask(size: tuple[int, int]) -> Image.Image:
    """What search-and-replace and search-and-recolor "find": an ellipse over the middle half
    of the picture, the same for every prompt, so tests can tell where the change is."""
    width, height = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((width // 4, height // 4, width - 1 - width // 4, height - 1 - height // 4), 255)
    return mask
