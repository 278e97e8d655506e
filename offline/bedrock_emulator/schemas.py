"""Request schemas, input limits and defaults, as Bedrock documents them: the shared pieces,
and the text-to-image and image-to-image models (Core, Ultra, SD3.5 Large).

Sources (Amazon Bedrock User Guide): "Stable Image Ultra request and response" and
"Stability.ai Stable Diffusion 3.5 Large". Where Bedrock is silent (Ultra's and SD3.5's
largest input side), Stability AI's own API reference for the same model. The emulator keeps
its own tables: it stands for AWS, not for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .inputs import (
    GENERATE_IMAGE,
    ImageLimits,
)
from .models import ASPECT_RATIO_SIZES
from .schema import ObjectSchema, enum, integer, number, string

MAX_SEED = 4_294_967_295
SERVICE_MAX_SEED = MAX_SEED - 1
STYLE_PRESETS = (
    "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance", "fantasy-art",
    "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk", "origami", "photographic",
    "pixel-art", "tile-texture",
)  # fmt: skip
TEXT_TO_IMAGE = "text-to-image"
IMAGE_TO_IMAGE = "image-to-image"
OUTPAINT_SIDES = ("left", "right", "up", "down")

_prompt = string(min_length=1)
text_field = string()
aspect_field = enum(tuple(ASPECT_RATIO_SIZES))
_png_jpeg = enum(("png", "jpeg"))
any_format_field = enum(("png", "jpeg", "webp"))
image_field = string(max_length=None)
style_field = enum(STYLE_PRESETS)
seed_field = integer(0, SERVICE_MAX_SEED)
grow_mask_field = integer(0, 20)
unit_field = number(0, 1)


@dataclass(frozen=True)
class Variant:
    """One shape of a model's body: its schema, image inputs with their limits, and defaults."""

    name: str
    schema: ObjectSchema
    images: Mapping[str, ImageLimits] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Rules across fields that the documentation states in prose, checked after the schema.
    rules: tuple[Callable[[Mapping[str, Any]], list[str]], ...] = ()


@dataclass(frozen=True)
class ModelSchema:
    """A model's body: one variant, or several chosen by what the body holds."""

    variants: tuple[Variant, ...]
    choose: Callable[[Mapping[str, Any]], int] = lambda body: 0

    def variant(self, body: Mapping[str, Any]) -> Variant:
        return self.variants[self.choose(body)]


_T2I_DEFAULTS = {"negative_prompt": "", "aspect_ratio": "1:1", "seed": 0, "output_format": "png"}
_I2I_DEFAULTS = {"negative_prompt": "", "seed": 0, "output_format": "png"}

CORE = ModelSchema(
    (
        Variant(
            TEXT_TO_IMAGE,
            ObjectSchema(
                {
                    "prompt": _prompt,
                    "negative_prompt": text_field,
                    "aspect_ratio": aspect_field,
                    "seed": integer(0, MAX_SEED),
                    "output_format": _png_jpeg,
                },
                ("prompt",),
            ),
            defaults=_T2I_DEFAULTS,
        ),
    )
)

# Ultra: `image` (with `strength`, default 0.35) makes it image-to-image, where aspect_ratio
# and mode have no place; mode is documented for text-to-image only, with one value.
ULTRA = ModelSchema(
    (
        Variant(
            TEXT_TO_IMAGE,
            ObjectSchema({**CORE.variants[0].schema.properties, "mode": enum((TEXT_TO_IMAGE,))}, ("prompt",)),
            defaults=_T2I_DEFAULTS,
        ),
        Variant(
            IMAGE_TO_IMAGE,
            ObjectSchema(
                {
                    "prompt": _prompt,
                    "negative_prompt": text_field,
                    "image": image_field,
                    "strength": unit_field,
                    "seed": integer(0, MAX_SEED),
                    "output_format": _png_jpeg,
                },
                ("prompt", "image"),
            ),
            {"image": GENERATE_IMAGE},
            {**_I2I_DEFAULTS, "strength": 0.35},
        ),
    ),
    choose=lambda body: 1 if "image" in body else 0,
)

# SD3.5 Large: `mode` chooses; image-to-image requires prompt, image and strength.
_SD35_MODES = enum((TEXT_TO_IMAGE, IMAGE_TO_IMAGE))
SD35_LARGE = ModelSchema(
    (
        Variant(
            TEXT_TO_IMAGE,
            ObjectSchema(
                {
                    "prompt": _prompt,
                    "negative_prompt": text_field,
                    "mode": _SD35_MODES,
                    "aspect_ratio": aspect_field,
                    "seed": seed_field,
                    "output_format": any_format_field,
                },
                ("prompt",),
            ),
            defaults=_T2I_DEFAULTS,
        ),
        Variant(
            IMAGE_TO_IMAGE,
            ObjectSchema(
                {
                    "prompt": _prompt,
                    "negative_prompt": text_field,
                    "mode": _SD35_MODES,
                    "image": image_field,
                    "strength": unit_field,
                    "seed": seed_field,
                    "output_format": any_format_field,
                },
                ("prompt", "mode", "image", "strength"),
            ),
            {"image": GENERATE_IMAGE},
            _I2I_DEFAULTS,
        ),
    ),
    choose=lambda body: 1 if body.get("mode") == IMAGE_TO_IMAGE else 0,
)

GENERATE_SCHEMAS: dict[str, ModelSchema] = {"core": CORE, "ultra": ULTRA, "sd3.5-large": SD35_LARGE}
