"""The requests of the Image Services that generate under control of an image: sketch,
structure, style guide and style transfer. Fields, ranges and defaults as Bedrock documents each
model (https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict, Field

from imagegen.models.image_inputs import ImageInput
from imagegen.models.request import AspectRatio, NegativePrompt, Prompt, WebOutputFormat
from imagegen.models.service_requests import ServiceRequest, ServiceSeed, StylePreset

_CONTROL_STRENGTH = "How much the control image guides the result: 0 least, 1 most"


class SketchRequest(ServiceRequest):
    """Control sketch: a picture from a sketch and a prompt."""

    OPERATION: ClassVar[str] = "control/sketch"
    model_config = ConfigDict(title="SketchRequest")

    image: ImageInput = Field(description="The sketch")
    prompt: Prompt
    control_strength: float = Field(default=0.7, ge=0, le=1, allow_inf_nan=False, description=_CONTROL_STRENGTH)
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class StructureRequest(ServiceRequest):
    """Control structure: a picture keeping the structure of the control image."""

    OPERATION: ClassVar[str] = "control/structure"
    model_config = ConfigDict(title="StructureRequest")

    image: ImageInput = Field(description="The image whose structure to keep")
    prompt: Prompt
    control_strength: float = Field(default=0.7, ge=0, le=1, allow_inf_nan=False, description=_CONTROL_STRENGTH)
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class StyleGuideRequest(ServiceRequest):
    """Style guide: a new picture in the style of the given image."""

    OPERATION: ClassVar[str] = "control/style-guide"
    model_config = ConfigDict(title="StyleGuideRequest")

    image: ImageInput = Field(description="The image whose style to follow")
    prompt: Prompt
    aspect_ratio: AspectRatio = "1:1"
    fidelity: float = Field(
        default=0.5, ge=0, le=1, allow_inf_nan=False, description="How closely the style follows the image's"
    )
    negative_prompt: NegativePrompt | None = None
    style_preset: StylePreset | None = None
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"


class StyleTransferRequest(ServiceRequest):
    """Style transfer: `init_image` restyled after `style_image`."""

    OPERATION: ClassVar[str] = "control/style-transfer"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("init_image", "style_image")
    model_config = ConfigDict(title="StyleTransferRequest")

    init_image: ImageInput = Field(description="The image to restyle")
    style_image: ImageInput = Field(description="The image whose style to apply")
    prompt: Prompt | None = None
    negative_prompt: NegativePrompt | None = None
    composition_fidelity: float = Field(default=0.9, ge=0, le=1, allow_inf_nan=False)
    style_strength: float = Field(default=1, ge=0, le=1, allow_inf_nan=False)
    change_strength: float = Field(default=0.9, ge=0.1, le=1, allow_inf_nan=False)
    seed: ServiceSeed = 0
    output_format: WebOutputFormat = "png"
