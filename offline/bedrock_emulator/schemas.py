"""Each model's request schema, input limits and defaults, as Bedrock documents them.

Sources (Amazon Bedrock User Guide): "Stable Image Ultra request and response",
"Stability.ai Stable Diffusion 3.5 Large" and "Stability AI Image Services". Where Bedrock
is silent (Ultra's and SD3.5's largest input side), Stability AI's own API reference for
the same model. The emulator keeps its own tables: it stands for AWS, not for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .inputs import (
    CREATIVE_UPSCALE_IMAGE,
    FAST_UPSCALE_IMAGE,
    GENERATE_IMAGE,
    MASK_IMAGE,
    SERVICE_IMAGE,
    ImageLimits,
)
from .models import ASPECT_RATIO_SIZES
from .schema import Check, ObjectSchema, enum, integer, number, string

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
_text = string()
_aspect = enum(tuple(ASPECT_RATIO_SIZES))
_png_jpeg = enum(("png", "jpeg"))
_any_format = enum(("png", "jpeg", "webp"))
_image = string(max_length=None)
_style = enum(STYLE_PRESETS)
_seed = integer(0, SERVICE_MAX_SEED)
_grow_mask = integer(0, 20)
_unit = number(0, 1)


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


def _service(
    name: str,
    properties: Mapping[str, Check],
    required: tuple[str, ...],
    images: Mapping[str, ImageLimits] | None = None,
    rules: tuple[Callable[[Mapping[str, Any]], list[str]], ...] = (),
    **defaults: Any,
) -> ModelSchema:
    """An Image Service: output_format png|jpeg|webp (default png) and its own fields."""
    schema = ObjectSchema({**properties, "output_format": _any_format}, required)
    limits = images if images is not None else {"image": SERVICE_IMAGE}
    return ModelSchema((Variant(name, schema, limits, {"output_format": "png", **defaults}, rules),))


def _one_outpaint_side(body: Mapping[str, Any]) -> list[str]:
    """Outpaint: "At least one outpaint direction ... must be supplied with a non-zero value"."""
    if any(body.get(side) for side in OUTPAINT_SIDES):
        return []
    return ["#: at least one of [left, right, up, down] must be greater than 0"]


_T2I_DEFAULTS = {"negative_prompt": "", "aspect_ratio": "1:1", "seed": 0, "output_format": "png"}
_I2I_DEFAULTS = {"negative_prompt": "", "seed": 0, "output_format": "png"}

CORE = ModelSchema(
    (
        Variant(
            TEXT_TO_IMAGE,
            ObjectSchema(
                {
                    "prompt": _prompt,
                    "negative_prompt": _text,
                    "aspect_ratio": _aspect,
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
                    "negative_prompt": _text,
                    "image": _image,
                    "strength": _unit,
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
                    "negative_prompt": _text,
                    "mode": _SD35_MODES,
                    "aspect_ratio": _aspect,
                    "seed": _seed,
                    "output_format": _any_format,
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
                    "negative_prompt": _text,
                    "mode": _SD35_MODES,
                    "image": _image,
                    "strength": _unit,
                    "seed": _seed,
                    "output_format": _any_format,
                },
                ("prompt", "mode", "image", "strength"),
            ),
            {"image": GENERATE_IMAGE},
            _I2I_DEFAULTS,
        ),
    ),
    choose=lambda body: 1 if body.get("mode") == IMAGE_TO_IMAGE else 0,
)

_PROMPTED = {"prompt": _text, "negative_prompt": _text, "seed": _seed}
_CONTROL = {"image": _image, **_PROMPTED, "control_strength": _unit, "style_preset": _style}

SCHEMAS: dict[str, ModelSchema] = {
    "core": CORE,
    "ultra": ULTRA,
    "sd3.5-large": SD35_LARGE,
    "stable-fast-upscale": _service("fast-upscale", {"image": _image}, ("image",), {"image": FAST_UPSCALE_IMAGE}),
    "stable-conservative-upscale": _service(
        "conservative-upscale",
        {"image": _image, **_PROMPTED, "creativity": number(0.1, 0.5)},
        ("prompt", "image"),
        creativity=0.35,
    ),
    "stable-creative-upscale": _service(
        "creative-upscale",
        {"image": _image, **_PROMPTED, "creativity": number(0.1, 0.5), "style_preset": _style},
        ("prompt", "image"),
        {"image": CREATIVE_UPSCALE_IMAGE},
        creativity=0.3,
    ),
    "stable-image-remove-background": _service("remove-background", {"image": _image}, ("image",)),
    "stable-image-erase-object": _service(
        "erase-object",
        {"image": _image, "mask": _image, "grow_mask": _grow_mask, "seed": _seed},
        ("image",),
        {"image": SERVICE_IMAGE, "mask": MASK_IMAGE},
        grow_mask=5,
    ),
    "stable-image-inpaint": _service(
        "inpaint",
        {"image": _image, "mask": _image, **_PROMPTED, "grow_mask": _grow_mask, "style_preset": _style},
        ("prompt", "image"),
        {"image": SERVICE_IMAGE, "mask": MASK_IMAGE},
        grow_mask=5,
    ),
    "stable-outpaint": _service(
        "outpaint",
        {
            "image": _image,
            **{side: integer(0, 2000) for side in OUTPAINT_SIDES},
            "prompt": _text,
            "creativity": number(0.1, 1),
            "style_preset": _style,
            "seed": _seed,
        },
        ("image",),
        rules=(_one_outpaint_side,),
        creativity=0.5,
        left=0,
        right=0,
        up=0,
        down=0,
    ),
    "stable-image-search-replace": _service(
        "search-replace",
        {"image": _image, **_PROMPTED, "search_prompt": _text, "grow_mask": _grow_mask, "style_preset": _style},
        ("prompt", "image", "search_prompt"),
        grow_mask=5,
    ),
    "stable-image-search-recolor": _service(
        "search-recolor",
        {"image": _image, **_PROMPTED, "select_prompt": _text, "grow_mask": _grow_mask, "style_preset": _style},
        ("prompt", "image", "select_prompt"),
        grow_mask=5,
    ),
    "stable-image-control-sketch": _service("control-sketch", _CONTROL, ("prompt", "image"), control_strength=0.7),
    "stable-image-control-structure": _service(
        "control-structure", _CONTROL, ("prompt", "image"), control_strength=0.7
    ),
    "stable-image-style-guide": _service(
        "style-guide",
        {"image": _image, **_PROMPTED, "aspect_ratio": _aspect, "fidelity": _unit, "style_preset": _style},
        ("prompt", "image"),
        aspect_ratio="1:1",
        fidelity=0.5,
    ),
    "stable-style-transfer": _service(
        "style-transfer",
        {
            "init_image": _image,
            "style_image": _image,
            **_PROMPTED,
            "composition_fidelity": _unit,
            "style_strength": _unit,
            "change_strength": number(0.1, 1),
        },
        ("init_image", "style_image"),
        {"init_image": SERVICE_IMAGE, "style_image": SERVICE_IMAGE},
        composition_fidelity=0.9,
        style_strength=1,
        change_strength=0.9,
    ),
}
