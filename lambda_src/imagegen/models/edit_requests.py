"""The requests of the Image Services that edit an image: inpaint, outpaint, erase, search and
replace, search and recolor. Fields, ranges and defaults as Bedrock documents each model
(https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from imagegen.models.image_formats import ImageInfo
from imagegen.models.image_inputs import ImageInput
from imagegen.models.request import NegativePrompt, Prompt, WebOutputFormat, field_error, integral
from imagegen.models.service_requests import ServiceRequest, ServiceSeed, StylePreset
from imagegen.models.validation import invalid

# The largest image the Image Services handle (their inputs' documented maximum): an outpainted
# image may not grow past it.
MAX_OUTPUT_PIXELS = 9_437_184

GrowMask = Annotated[
    int,
    Field(
        ge=0,
        le=20,
        description="Grows the mask's edges outward by this many pixels, blurring the area around it",
    ),
    BeforeValidator(integral),
]
Margin = Annotated[
    int, Field(ge=0, le=2000, description="Pixels to add on this side, 0 to 2000"), BeforeValidator(integral)
]


class MaskedRequest(ServiceRequest):
    """An edit whose area is a mask: `mask` (white changes, black keeps), the image's size; or,
    without one, the image's alpha channel (transparent changes), as Bedrock derives it."""

    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image", "mask")

    def check_inputs(self, images: Mapping[str, ImageInfo]) -> None:
        image, mask = images["image"], images.get("mask")
        if mask is None:
            if not image.has_alpha:
                raise invalid("mask", "give a mask, or an image whose alpha channel marks what to change")
            return
        if (mask.width, mask.height) != (image.width, image.height):
            raise invalid(
                "mask",
                f"the mask is {mask.width}x{mask.height}; it must have the image's size, {image.width}x{image.height}",
            )


class InpaintRequest(MaskedRequest):
    """Inpaint: fills the masked area from the prompt."""

    OPERATION: ClassVar[str] = "edit/inpaint"
    model_config = ConfigDict(title="InpaintRequest")

    image: ImageInput = Field(description="The image to edit")
    prompt: Prompt = Field(description="What to paint into the masked area")
    mask: ImageInput | None = Field(default=None, description="Black and white, the image's size; default: its alpha")
    grow_mask: GrowMask = 5
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class EraseRequest(MaskedRequest):
    """Erase: removes what the mask covers, filling it with its surroundings."""

    OPERATION: ClassVar[str] = "edit/erase"
    model_config = ConfigDict(title="EraseRequest")

    image: ImageInput = Field(description="The image to edit")
    mask: ImageInput | None = Field(default=None, description="Black and white, the image's size; default: its alpha")
    grow_mask: GrowMask = 5
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class OutpaintRequest(ServiceRequest):
    """Outpaint: extends the image by the given margins."""

    OPERATION: ClassVar[str] = "edit/outpaint"
    model_config = ConfigDict(title="OutpaintRequest")

    image: ImageInput = Field(description="The image to extend")
    left: Margin = 0
    right: Margin = 0
    up: Margin = 0
    down: Margin = 0
    prompt: Prompt | None = Field(default=None, description="What the new area shows")
    creativity: float = Field(default=0.5, ge=0.1, le=1.0, allow_inf_nan=False)
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"

    @model_validator(mode="after")
    def _a_margin(self) -> OutpaintRequest:
        if not any((self.left, self.right, self.up, self.down)):
            raise field_error("left", "give at least one of left, right, up, down above 0")
        return self

    def check_inputs(self, images: Mapping[str, ImageInfo]) -> None:
        image = images["image"]
        width, height = image.width + self.left + self.right, image.height + self.up + self.down
        if width * height > MAX_OUTPUT_PIXELS:
            raise invalid(
                "image",
                f"outpainted, the {image.width}x{image.height} image would be {width}x{height} "
                f"({width * height:,} pixels); the model makes at most {MAX_OUTPUT_PIXELS:,}",
            )


class SearchAndReplaceRequest(ServiceRequest):
    """Search and replace: finds what `search_prompt` names and replaces it as `prompt` says."""

    OPERATION: ClassVar[str] = "edit/search-and-replace"
    model_config = ConfigDict(title="SearchAndReplaceRequest")

    image: ImageInput = Field(description="The image to edit")
    prompt: Prompt = Field(description="What to put in its place")
    search_prompt: Prompt = Field(description="What to find and replace, in a few words")
    grow_mask: GrowMask = 5
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class SearchAndRecolorRequest(ServiceRequest):
    """Search and recolor: finds what `select_prompt` names and recolors it as `prompt` says."""

    OPERATION: ClassVar[str] = "edit/search-and-recolor"
    model_config = ConfigDict(title="SearchAndRecolorRequest")

    image: ImageInput = Field(description="The image to edit")
    prompt: Prompt = Field(description="The new colours")
    select_prompt: Prompt = Field(description="What to recolor, in a few words")
    grow_mask: GrowMask = 5
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"
