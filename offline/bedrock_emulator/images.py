"""Deterministic stand-in pictures: the same inputs always give byte-identical images."""

from __future__ import annotations

import base64
import colorsys
import hashlib
import io
import json
import random
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass

from PIL import Image, ImageDraw, ImageFont

# Low PNG compression keeps a 1024x1024 render well under 100 ms; the smooth picture
# still compresses to a size in the range of a real model's output.
_PNG_COMPRESS_LEVEL = 1
_JPEG_QUALITY = 90
# WebP's fastest method: its encoder is otherwise the slowest of the three.
_WEBP_QUALITY, _WEBP_METHOD = 90, 0
_CACHE_SIZE = 32
_CAPTION_CHARS = 60


@dataclass(frozen=True)
class RenderSpec:
    """Everything that decides the picture; equal specs give equal bytes."""

    model_id: str
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    output_format: str  # "png", "jpeg" or "webp"

    def digest(self) -> bytes:
        return hashlib.sha256(json.dumps(astuple(self)).encode()).digest()


class _LRU:
    """A small thread-safe LRU of base64 images: repeated inputs skip the render."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[object, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: object, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _LRU(_CACHE_SIZE)


def _colour(rng: random.Random, hue: float) -> tuple[int, int, int]:
    # Stay near one hue family so the picture reads as a palette, not as noise.
    h = (hue + rng.uniform(-0.18, 0.18)) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, rng.uniform(0.35, 0.95), rng.uniform(0.3, 1.0))
    return round(r * 255), round(g * 255), round(b * 255)


def _background(rng: random.Random, width: int, height: int, hue: float) -> Image.Image:
    # A tiny random grid upscaled bicubically gives a smooth colour field cheaply.
    cols, rows = rng.randint(3, 5), rng.randint(3, 5)
    grid = Image.new("RGB", (cols, rows))
    grid.putdata([_colour(rng, hue) for _ in range(cols * rows)])
    return grid.resize((width, height), Image.Resampling.BICUBIC)


def _shapes(rng: random.Random, image: Image.Image, hue: float) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA mode blends translucent fills
    for _ in range(rng.randint(3, 6)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.08, 0.3) * min(width, height)
        fill = (*_colour(rng, hue + 0.5), rng.randint(90, 200))
        kind = rng.choice(("ellipse", "rectangle", "polygon"))
        if kind == "ellipse":
            draw.ellipse((x - radius, y - radius * 0.8, x + radius, y + radius * 0.8), fill=fill)
        elif kind == "rectangle":
            draw.rectangle((x - radius, y - radius / 2, x + radius, y + radius / 2), fill=fill)
        else:
            draw.regular_polygon((x, y, radius), rng.randint(3, 7), rotation=rng.uniform(0, 360), fill=fill)


def _caption(image: Image.Image, spec: RenderSpec) -> None:
    width, height = image.size
    text = " ".join(spec.prompt.split())
    if len(text) > _CAPTION_CHARS:
        text = text[: _CAPTION_CHARS - 1] + "…"
    font = ImageFont.load_default(size=max(14, width // 48))
    band = font.size * 3
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0, 140))
    draw.text((font.size, height - band + font.size // 2), text, font=font, fill=(255, 255, 255, 230))
    label = f"{spec.model_id} · seed {spec.seed}"
    small = ImageFont.load_default(size=max(10, font.size * 2 // 3))
    draw.text((font.size, height - band // 2 + 2), label, font=small, fill=(220, 220, 220, 200))


def encode(image: Image.Image, output_format: str) -> bytes:
    """Encode in png, jpeg or webp; JPEG has no alpha, so a transparent image is flattened on white."""
    buffer = io.BytesIO()
    if output_format == "jpeg":
        if image.mode in ("RGBA", "LA"):
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.convert("RGB").save(buffer, "JPEG", quality=_JPEG_QUALITY)
    elif output_format == "webp":
        image.save(buffer, "WEBP", quality=_WEBP_QUALITY, method=_WEBP_METHOD)
    else:
        image.save(buffer, "PNG", compress_level=_PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def draw_picture(spec: RenderSpec) -> Image.Image:
    """The stand-in picture for spec, not yet encoded."""
    rng = random.Random(spec.digest())
    hue = rng.random()
    image = _background(rng, spec.width, spec.height, hue)
    _shapes(rng, image, hue)
    _caption(image, spec)
    return image


def render_image(spec: RenderSpec) -> bytes:
    """Draw and encode the picture for spec (uncached)."""
    return encode(draw_picture(spec), spec.output_format)


def image_base64(spec: RenderSpec) -> str:
    """The picture for spec as base64 text, from the cache when it was drawn recently."""
    cached = _cache.get(spec)
    if cached is None:
        cached = base64.b64encode(render_image(spec)).decode("ascii")
        _cache.put(spec, cached)
    return cached


def blank_image_base64(width: int, height: int, output_format: str) -> str:
    """A black picture: what a filtered output looks like."""
    key = ("blank", width, height, output_format)
    cached = _cache.get(key)
    if cached is None:
        cached = base64.b64encode(encode(Image.new("RGB", (width, height)), output_format)).decode("ascii")
        _cache.put(key, cached)
    return cached
