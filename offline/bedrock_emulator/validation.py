"""Body validation as Bedrock does it for the Stability image models: the JSON schema first
(every violation in one message), then the image inputs (each decoded and held to its limits)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .errors import malformed_input
from .inputs import decode_image, has_alpha
from .models import ModelSpec
from .schema import type_name
from .schemas import GENERATE_SCHEMAS
from .service_schemas import SERVICE_SCHEMAS

# Every model's schema by its operation (ModelSpec.operation).
SCHEMAS = {**GENERATE_SCHEMAS, **SERVICE_SCHEMAS}


@dataclass(frozen=True)
class ModelRequest:
    """A body that passed validation: the documented defaults filled in, image inputs decoded.
    Seed 0 still means "pick one"."""

    operation: str  # the model's operation ("core", "ultra", "stable-fast-upscale", ...)
    variant: str  # "text-to-image", "image-to-image", or the service's own name
    params: dict[str, Any]
    images: dict[str, Image.Image] = field(default_factory=dict)

    @property
    def seed(self) -> int:
        return int(self.params.get("seed", 0))

    @property
    def output_format(self) -> str:
        return str(self.params["output_format"])

    def text(self, name: str) -> str:
        return str(self.params.get(name, ""))


def _reject_constant(name: str) -> Any:
    # JSON has no NaN or Infinity; Python's parser would otherwise accept them.
    raise ValueError(f"invalid JSON constant {name}")


def _mask_violations(body: dict[str, Any], images: dict[str, Image.Image]) -> list[str]:
    """Inpaint and erase change what the mask marks, or else the image's transparent pixels:
    an opaque image without a mask leaves nothing to derive a mask from. (Bedrock documents
    the rule, not its wording.)"""
    if "mask" in body or has_alpha(images["image"]):
        return []
    return ["#/image: no mask was given and the image has no alpha channel to derive one from"]


def parse_body(raw: bytes, model: ModelSpec) -> tuple[dict[str, Any], ModelRequest]:
    """The body as sent and the validated request, or a ValidationException naming every
    violation. Images are decoded only once the schema passes."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        raise malformed_input() from None
    if not isinstance(body, dict):
        raise malformed_input(f"#: expected type: JSONObject, found: {type_name(body)}")
    variant = SCHEMAS[model.operation].variant(body)
    violations = variant.schema.violations(body)
    if not violations:
        for rule in variant.rules:
            violations += rule(body)
    if violations:
        raise malformed_input(*violations)
    images: dict[str, Image.Image] = {}
    for name, limits in variant.images.items():
        if name in body:
            image, found = decode_image(f"#/{name}", body[name], limits)
            violations += found
            if image is not None:
                images[name] = image
    if not violations and "mask" in variant.images:
        violations += _mask_violations(body, images)
    if violations:
        raise malformed_input(*violations)
    return body, ModelRequest(model.operation, variant.name, {**variant.defaults, **body}, images)
