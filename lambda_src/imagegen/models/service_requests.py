"""The requests of the Stability AI Image Services (upscale, edit, control): one model each,
fields named as Bedrock names them. Ranges and defaults are the ones Bedrock documents for
each model; models/operations.py cites the pages and holds each operation's input limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from imagegen.models.catalog import MAX_SEED, SERVICE_MODELS, ModelSpec
from imagegen.models.image_inputs import ImageInput
from imagegen.models.request import (
    NegativePrompt,
    OperationRequest,
    Prompt,
    WebOutputFormat,
    copy_given_fields,
    integral,
)

# The Image Services take seeds up to 4,294,967,294.
SERVICE_MAX_SEED = MAX_SEED - 1
ServiceSeed = Annotated[
    int,
    Field(ge=0, le=SERVICE_MAX_SEED, description="0 or absent: random. The seed used is returned."),
    BeforeValidator(integral),
]
StylePreset = Literal[
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
]


class ServiceRequest(OperationRequest):
    """An Image Services request: the operation names its model."""

    OPERATION: ClassVar[str]
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    @property
    def model_spec(self) -> ModelSpec:
        return SERVICE_MODELS[self.OPERATION]

    @model_validator(mode="after")
    def _sources(self, info: ValidationInfo) -> ServiceRequest:
        self._check_sources(info)
        return self

    def bedrock_body(self, *, seed: int, images: Mapping[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = dict(images)
        names = [name for name in type(self).model_fields if name not in self.IMAGE_FIELDS and name != "seed"]
        copy_given_fields(body, self, *names)
        if self.TAKES_SEED:
            body["seed"] = seed
        return body


class FastUpscaleRequest(ServiceRequest):
    """Fast upscale: the image 4x each side, nothing else to say."""

    OPERATION: ClassVar[str] = "upscale/fast"
    TAKES_SEED: ClassVar[bool] = False
    model_config = ConfigDict(title="FastUpscaleRequest")

    image: ImageInput = Field(description="The image to upscale")
    output_format: WebOutputFormat = "png"


class ConservativeUpscaleRequest(ServiceRequest):
    """Conservative upscale: to about 4 megapixels, keeping the image as it is."""

    OPERATION: ClassVar[str] = "upscale/conservative"
    model_config = ConfigDict(title="ConservativeUpscaleRequest")

    image: ImageInput = Field(description="The image to upscale")
    prompt: Prompt = Field(description="What the image shows")
    negative_prompt: NegativePrompt | None = None
    seed: ServiceSeed = 0
    creativity: float = Field(
        default=0.35, ge=0.1, le=0.5, allow_inf_nan=False, description="How much detail the model may invent"
    )
    output_format: WebOutputFormat = "png"


class CreativeUpscaleRequest(ServiceRequest):
    """Creative upscale: a small or degraded image to about 4 megapixels, reimagined."""

    OPERATION: ClassVar[str] = "upscale/creative"
    model_config = ConfigDict(title="CreativeUpscaleRequest")

    image: ImageInput = Field(description="The image to upscale")
    prompt: Prompt = Field(description="What the image shows")
    negative_prompt: NegativePrompt | None = None
    seed: ServiceSeed = 0
    creativity: float = Field(
        default=0.3, ge=0.1, le=0.5, allow_inf_nan=False, description="How much detail the model may invent"
    )
    style_preset: StylePreset | None = None
    output_format: WebOutputFormat = "png"


class RemoveBackgroundRequest(ServiceRequest):
    """Background removal: the subject on a transparent background."""

    OPERATION: ClassVar[str] = "edit/remove-background"
    TAKES_SEED: ClassVar[bool] = False
    model_config = ConfigDict(title="RemoveBackgroundRequest")

    image: ImageInput = Field(description="The image whose background is removed")
    # Bedrock takes jpeg too, which has no alpha channel: png and webp keep the transparency.
    output_format: WebOutputFormat = "png"
