"""The thirteen Stability Image Services' request schemas, input limits and defaults, from
Bedrock's "Stability AI Image Services" page (Amazon Bedrock User Guide).

Every service takes output_format png, jpeg or webp (default png); seeds are 0..4,294,967,294;
inputs follow the common rule (inputs.SERVICE_IMAGE) unless the service documents its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .inputs import CREATIVE_UPSCALE_IMAGE, FAST_UPSCALE_IMAGE, MASK_IMAGE, SERVICE_IMAGE, ImageLimits
from .schema import Check, ObjectSchema, integer, number
from .schemas import (
    OUTPAINT_SIDES,
    ModelSchema,
    Variant,
    any_format_field,
    aspect_field,
    grow_mask_field,
    image_field,
    seed_field,
    style_field,
    text_field,
    unit_field,
)


def _service(
    name: str,
    properties: Mapping[str, Check],
    required: tuple[str, ...],
    images: Mapping[str, ImageLimits] | None = None,
    rules: tuple[Callable[[Mapping[str, Any]], list[str]], ...] = (),
    **defaults: Any,
) -> ModelSchema:
    """An Image Service: output_format png|jpeg|webp (default png) and its own fields."""
    schema = ObjectSchema({**properties, "output_format": any_format_field}, required)
    limits = images if images is not None else {"image": SERVICE_IMAGE}
    return ModelSchema((Variant(name, schema, limits, {"output_format": "png", **defaults}, rules),))


def _one_outpaint_side(body: Mapping[str, Any]) -> list[str]:
    """Outpaint: "At least one outpaint direction ... must be supplied with a non-zero value"."""
    if any(body.get(side) for side in OUTPAINT_SIDES):
        return []
    return ["#: at least one of [left, right, up, down] must be greater than 0"]


_PROMPTED = {"prompt": text_field, "negative_prompt": text_field, "seed": seed_field}
_CONTROL = {"image": image_field, **_PROMPTED, "control_strength": unit_field, "style_preset": style_field}

SERVICE_SCHEMAS: dict[str, ModelSchema] = {
    "stable-fast-upscale": _service("fast-upscale", {"image": image_field}, ("image",), {"image": FAST_UPSCALE_IMAGE}),
    "stable-conservative-upscale": _service(
        "conservative-upscale",
        {"image": image_field, **_PROMPTED, "creativity": number(0.1, 0.5)},
        ("prompt", "image"),
        creativity=0.35,
    ),
    "stable-creative-upscale": _service(
        "creative-upscale",
        {"image": image_field, **_PROMPTED, "creativity": number(0.1, 0.5), "style_preset": style_field},
        ("prompt", "image"),
        {"image": CREATIVE_UPSCALE_IMAGE},
        creativity=0.3,
    ),
    "stable-image-remove-background": _service("remove-background", {"image": image_field}, ("image",)),
    "stable-image-erase-object": _service(
        "erase-object",
        {"image": image_field, "mask": image_field, "grow_mask": grow_mask_field, "seed": seed_field},
        ("image",),
        {"image": SERVICE_IMAGE, "mask": MASK_IMAGE},
        grow_mask=5,
    ),
    "stable-image-inpaint": _service(
        "inpaint",
        {
            "image": image_field,
            "mask": image_field,
            **_PROMPTED,
            "grow_mask": grow_mask_field,
            "style_preset": style_field,
        },
        ("prompt", "image"),
        {"image": SERVICE_IMAGE, "mask": MASK_IMAGE},
        grow_mask=5,
    ),
    "stable-outpaint": _service(
        "outpaint",
        {
            "image": image_field,
            **{side: integer(0, 2000) for side in OUTPAINT_SIDES},
            "prompt": text_field,
            "creativity": number(0.1, 1),
            "style_preset": style_field,
            "seed": seed_field,
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
        {
            "image": image_field,
            **_PROMPTED,
            "search_prompt": text_field,
            "grow_mask": grow_mask_field,
            "style_preset": style_field,
        },
        ("prompt", "image", "search_prompt"),
        grow_mask=5,
    ),
    "stable-image-search-recolor": _service(
        "search-recolor",
        {
            "image": image_field,
            **_PROMPTED,
            "select_prompt": text_field,
            "grow_mask": grow_mask_field,
            "style_preset": style_field,
        },
        ("prompt", "image", "select_prompt"),
        grow_mask=5,
    ),
    "stable-image-control-sketch": _service("control-sketch", _CONTROL, ("prompt", "image"), control_strength=0.7),
    "stable-image-control-structure": _service(
        "control-structure", _CONTROL, ("prompt", "image"), control_strength=0.7
    ),
    "stable-image-style-guide": _service(
        "style-guide",
        {
            "image": image_field,
            **_PROMPTED,
            "aspect_ratio": aspect_field,
            "fidelity": unit_field,
            "style_preset": style_field,
        },
        ("prompt", "image"),
        aspect_ratio="1:1",
        fidelity=0.5,
    ),
    "stable-style-transfer": _service(
        "style-transfer",
        {
            "init_image": image_field,
            "style_image": image_field,
            **_PROMPTED,
            "composition_fidelity": unit_field,
            "style_strength": unit_field,
            "change_strength": number(0.1, 1),
        },
        ("init_image", "style_image"),
        {"init_image": SERVICE_IMAGE, "style_image": SERVICE_IMAGE},
        composition_fidelity=0.9,
        style_strength=1,
        change_strength=0.9,
    ),
}
