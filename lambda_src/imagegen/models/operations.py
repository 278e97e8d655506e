"""The operation catalog: everything the service offers, one entry each.

An entry names the operation (its path without the leading slash), its request model, the
Bedrock models it calls, the limits of its image inputs, its output formats and the Bedrock
page documenting all of it. The entries drive the API's routes and OpenAPI document, the API
Gateway request models, the IAM policy, the enabled-operations setting and the jobs' `operation`
field: a new operation is an entry here, its request model and an emulator model.

Limits, ranges and defaults as Bedrock documents them (Amazon Bedrock User Guide); where
Bedrock's pages are silent, Stability AI's own API reference for the same model (marked so):
- Stable Image Ultra: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-stable-ultra-text-image-request-response.html
  (image-to-image: `image` and `strength`, 0..1, default 0.35; output png or jpeg)
- SD3.5 Large: https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html
  (image-to-image: `mode` "image-to-image", `strength` 0..1 required, image at least 64 px a side)
- The thirteen Image Services (fields, ranges, input limits, webp output):
  https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html
- Output sizes: fast upscale 4x each side (Bedrock); conservative and creative upscale about
  4 megapixels (Stability AI, https://platform.stability.ai/docs/api-reference, "Upscale").
- The InvokeModel body is at most 25,000,000 bytes:
  https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from imagegen.models.catalog import MODELS, SERVICE_MODELS, ModelSpec
from imagegen.models.control_requests import SketchRequest, StructureRequest, StyleGuideRequest, StyleTransferRequest
from imagegen.models.edit_requests import (
    EraseRequest,
    InpaintRequest,
    OutpaintRequest,
    SearchAndRecolorRequest,
    SearchAndReplaceRequest,
)
from imagegen.models.image_inputs import ImageLimits, InputSource
from imagegen.models.request import ImageRequest, OperationRequest
from imagegen.models.service_requests import (
    ConservativeUpscaleRequest,
    CreativeUpscaleRequest,
    FastUpscaleRequest,
    RemoveBackgroundRequest,
)
from imagegen.models.validation import invalid, validation_error

IMAGES = "images"
_SERVICES_DOC = "https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html"


@dataclass(frozen=True)
class Operation:
    name: str
    summary: str
    request: type[OperationRequest]
    # What the operation's answer holds, in a sentence (the README and OpenAPI say it).
    returns: str
    # The limits of each image input, by field name.
    inputs: Mapping[str, ImageLimits]
    output_formats: tuple[str, ...]
    doc: str
    # How long one model call may take before the service gives up on it: the worker's Bedrock
    # read timeout (and so its function timeout) fits the slowest enabled operation.
    read_timeout_seconds: int = 60
    # The models an operation may call (POST /images: the text-to-image ones, by alias).
    model_specs: tuple[ModelSpec, ...] = field(default=())

    @property
    def path(self) -> str:
        return "/" + self.name

    def limits(self, field_name: str) -> ImageLimits:
        return self.inputs[field_name]


# The Image Services' rule for an input, unless the service documents another: each side at least
# 64 px, at most 9,437,184 pixels, aspect ratio 1:2.5 to 2.5:1, JPEG, PNG or WebP.
_SERVICE_INPUT = ImageLimits(min_side=64, min_pixels=4_096, max_pixels=9_437_184)


def _service(
    name: str,
    summary: str,
    request: type[OperationRequest],
    returns: str,
    fields: tuple[str, ...] = ("image",),
    *,
    limits: ImageLimits = _SERVICE_INPUT,
    read_timeout_seconds: int = 60,
) -> Operation:
    """An Image Service: its model, every image input under `limits` (the services' common rule
    unless the service documents another; a mask too, which must also have its image's size),
    png, jpeg or webp out."""
    return Operation(
        name,
        summary,
        request,
        returns=returns,
        inputs=dict.fromkeys(fields, limits),
        output_formats=("png", "jpeg", "webp"),
        doc=_SERVICES_DOC,
        read_timeout_seconds=read_timeout_seconds,
        model_specs=(SERVICE_MODELS[name],),
    )


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            IMAGES,
            "Generate images from a prompt, or from an image and a prompt (image-to-image)",
            ImageRequest,
            returns="count images of the aspect ratio's size (text-to-image) or of the input's aspect ratio",
            # Bedrock: at least 64 px a side. The largest size is Stability AI's (16,384 px a side);
            # the pixel cap is the largest input any of these models takes.
            inputs={
                "image": ImageLimits(
                    min_side=64, max_side=16_384, max_pixels=9_437_184, min_aspect=None, max_aspect=None
                )
            },
            output_formats=("png", "jpeg"),
            doc="https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-diffusion-3-5-large.html",
            model_specs=tuple(MODELS.values()),
        ),
        _service(
            "upscale/fast",
            "Upscale an image 4x each side, fast and without a prompt",
            FastUpscaleRequest,
            "one image four times the input's width and height",
            limits=ImageLimits(
                min_side=32, max_side=1_536, min_pixels=1_024, max_pixels=1_048_576, min_aspect=None, max_aspect=None
            ),
            read_timeout_seconds=30,
        ),
        _service(
            "upscale/conservative",
            "Upscale an image to about 4 megapixels, changing as little as possible",
            ConservativeUpscaleRequest,
            "one image of about 4 megapixels with the input's aspect ratio",
            read_timeout_seconds=120,
        ),
        _service(
            "upscale/creative",
            "Upscale a small or degraded image to about 4 megapixels, reimagining detail",
            CreativeUpscaleRequest,
            "one image of about 4 megapixels with the input's aspect ratio",
            # No aspect-ratio rule documented for this one.
            limits=ImageLimits(min_side=64, min_pixels=4_096, max_pixels=1_048_576, min_aspect=None, max_aspect=None),
            read_timeout_seconds=180,
        ),
        # jpeg too, as Bedrock documents; only png and webp keep the transparency.
        _service(
            "edit/remove-background",
            "Remove the background of an image",
            RemoveBackgroundRequest,
            "one image of the input's size, its background transparent",
            read_timeout_seconds=30,
        ),
        *(
            _service(name, summary, request, returns, fields)
            for name, summary, request, returns, fields in (
                (
                    "edit/inpaint",
                    "Repaint the masked area of an image from a prompt",
                    InpaintRequest,
                    "one image of the input's size, changed inside the (grown) mask only",
                    ("image", "mask"),
                ),
                (
                    "edit/outpaint",
                    "Extend an image by the given margins",
                    OutpaintRequest,
                    "one image: the input grown by left + right and up + down, the original in place",
                    ("image",),
                ),
                (
                    "edit/erase",
                    "Erase what a mask covers",
                    EraseRequest,
                    "one image of the input's size, changed inside the (grown) mask only",
                    ("image", "mask"),
                ),
                (
                    "edit/search-and-replace",
                    "Replace an object found by a prompt",
                    SearchAndReplaceRequest,
                    "one image of the input's size",
                    ("image",),
                ),
                (
                    "edit/search-and-recolor",
                    "Recolor an object found by a prompt",
                    SearchAndRecolorRequest,
                    "one image of the input's size",
                    ("image",),
                ),
                (
                    "control/sketch",
                    "Generate from a sketch and a prompt",
                    SketchRequest,
                    "one image of the sketch's size",
                    ("image",),
                ),
                (
                    "control/structure",
                    "Generate keeping the structure of an image",
                    StructureRequest,
                    "one image of the control image's size",
                    ("image",),
                ),
                (
                    "control/style-guide",
                    "Generate in the style of an image",
                    StyleGuideRequest,
                    "one image of the aspect ratio's size",
                    ("image",),
                ),
                (
                    "control/style-transfer",
                    "Restyle an image after another",
                    StyleTransferRequest,
                    "one image of init_image's size",
                    ("init_image", "style_image"),
                ),
            )
        ),
    )
}


# Every field that holds an image input, in any operation.
IMAGE_FIELD_NAMES: frozenset[str] = frozenset(name for op in OPERATIONS.values() for name in op.request.IMAGE_FIELDS)


def carries_inline_image(document: object) -> bool:
    """Whether a request document holds an image inline (a string in an image field of any
    operation): only such a request may be larger than 64 KiB."""
    return isinstance(document, dict) and any(isinstance(document.get(name), str) for name in IMAGE_FIELD_NAMES)


class UnknownOperation(ValueError):
    pass


def operation(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError:
        raise UnknownOperation(f"unknown operation {name!r}; known: {', '.join(OPERATIONS)}") from None


def enabled_specs(enabled_operations: Sequence[str], enabled_models: Sequence[str]) -> list[ModelSpec]:
    """The models a deployment calls: the enabled text-to-image models when `images` is enabled
    (image-to-image among them), and the model of each enabled service."""
    specs: list[ModelSpec] = []
    for name in enabled_operations:
        if name == IMAGES:
            specs.extend(MODELS[alias] for alias in enabled_models)
        else:
            specs.extend(OPERATIONS[name].model_specs)
    return specs


def parse_request(
    document: object,
    *,
    enabled_operations: Sequence[str],
    enabled_models: Sequence[str],
    sources: frozenset[InputSource],
    operation_name: str | None = None,
) -> tuple[Operation, OperationRequest]:
    """The operation and request a document asks for. With `operation_name` (a route's), the
    document is that operation's request; without (jobs, S3 drops, events), its `operation` field
    names it (absent: images). A ValidationFailed names each bad field."""
    if operation_name is None:
        document, operation_name = _split_operation(document)
    if operation_name not in enabled_operations:
        raise invalid("operation", f"{operation_name!r} is not enabled here; enabled: {', '.join(enabled_operations)}")
    op = OPERATIONS[operation_name]
    try:
        request = op.request.parse(document, enabled=enabled_models, sources=sources)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from exc
    return op, request


def requested_operation(document: object) -> str | None:
    """The operation a job's document names, if it names a known one (absent: images), whether or
    not the rest of the document is valid: a failed job still says what it was asked to do."""
    if not isinstance(document, dict):
        return None
    name = document.get("operation", IMAGES)
    return name if isinstance(name, str) and name in OPERATIONS else None


def _split_operation(document: object) -> tuple[object, str]:
    if not isinstance(document, dict) or "operation" not in document:
        return document, IMAGES
    name = document["operation"]
    if not isinstance(name, str) or name not in OPERATIONS:
        raise invalid("operation", f"must be one of {', '.join(OPERATIONS)}")
    return {key: value for key, value in document.items() if key != "operation"}, name


def job_request_schema(enabled_operations: Sequence[str], *, ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
    """The JSON schema of a job's request (POST /jobs, S3 drops, events): one enabled operation's
    request with `operation` naming it (optional for images). Its $defs hold every schema it refers to."""
    definitions: dict[str, Any] = {}
    choices = []
    for name in enabled_operations:
        op = OPERATIONS[name]
        schema = op.request.model_json_schema(ref_template=ref_template)
        definitions.update(schema.pop("$defs", {}))
        properties = {"operation": {"type": "string", "enum": [name]}, **schema.get("properties", {})}
        required = list(schema.get("required", []))
        if name != IMAGES:
            required.insert(0, "operation")
        choices.append({**schema, "properties": properties, "required": required})
    return {
        "title": "JobRequest",
        "description": "A request of any enabled operation, which `operation` names (absent: images).",
        "oneOf": choices,
        "$defs": definitions,
    }
