"""The Stability AI image models the emulator answers for: where Bedrock serves each, and by which id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import INVALID_MODEL_IDENTIFIER, ON_DEMAND_NOT_SUPPORTED, BedrockError, validation_error

MAX_SEED = 4_294_967_295


@dataclass(frozen=True)
class InferenceProfile:
    """A cross-region (system-defined) inference profile: the model id behind a geography
    prefix ("us."), called from any of its source regions."""

    prefix: str
    sources: frozenset[str]


@dataclass(frozen=True)
class ModelSpec:
    """A model as Bedrock serves it: by its bare id in the on-demand regions, and through
    each profile from that profile's source regions. Nowhere else."""

    model_id: str
    max_seed: int = MAX_SEED
    on_demand_regions: frozenset[str] = frozenset()
    profiles: tuple[InferenceProfile, ...] = ()
    # What the model does: the key of its request schema and of its renderer.
    operation: str = "core"

    def profile(self, prefix: str) -> InferenceProfile | None:
        return next((profile for profile in self.profiles if profile.prefix == prefix), None)


# AWS's truth as of 2026-11 ("Supported foundation models" and "Supported Regions and models
# for inference profiles" in the Bedrock user guide): Core, Ultra and SD3.5 Large are served
# on demand in us-west-2 only, and no inference profile contains them. The thirteen Stability
# Image Services are served only through the US cross-region profile ("us.stability.<name>-v1:0"),
# from us-east-1, us-east-2 and us-west-2; their bare ids are not invocable on demand.
US_PROFILE = InferenceProfile("us.", frozenset({"us-east-1", "us-east-2", "us-west-2"}))
_STABILITY_ON_DEMAND = frozenset({"us-west-2"})

# The Image Services by the name inside their model id; the name is also their operation.
IMAGE_SERVICES = (
    "stable-fast-upscale",
    "stable-conservative-upscale",
    "stable-creative-upscale",
    "stable-image-remove-background",
    "stable-image-erase-object",
    "stable-image-inpaint",
    "stable-outpaint",
    "stable-image-search-replace",
    "stable-image-search-recolor",
    "stable-image-control-sketch",
    "stable-image-control-structure",
    "stable-image-style-guide",
    "stable-style-transfer",
)


def service_model_id(name: str) -> str:
    return f"stability.{name}-v1:0"


MODELS: dict[str, ModelSpec] = {
    spec.model_id: spec
    for spec in (
        ModelSpec("stability.stable-image-core-v1:0", on_demand_regions=_STABILITY_ON_DEMAND),
        ModelSpec("stability.stable-image-core-v1:1", on_demand_regions=_STABILITY_ON_DEMAND),
        ModelSpec("stability.stable-image-ultra-v1:0", on_demand_regions=_STABILITY_ON_DEMAND, operation="ultra"),
        ModelSpec("stability.stable-image-ultra-v1:1", on_demand_regions=_STABILITY_ON_DEMAND, operation="ultra"),
        # SD3.5 Large and the Image Services document a seed range one short of Core's and Ultra's.
        ModelSpec(
            "stability.sd3-5-large-v1:0",
            max_seed=MAX_SEED - 1,
            on_demand_regions=_STABILITY_ON_DEMAND,
            operation="sd3.5-large",
        ),
        *(
            ModelSpec(service_model_id(name), max_seed=MAX_SEED - 1, profiles=(US_PROFILE,), operation=name)
            for name in IMAGE_SERVICES
        ),
    )
}

_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z]+)*):bedrock:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):"
    r"(?P<account>\d{12})?:(?P<kind>foundation-model|inference-profile)/(?P<id>.+)"
)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _invalid() -> BedrockError:
    return validation_error(INVALID_MODEL_IDENTIFIER)


def _by_model_id(identifier: str, model_id: str, region: str, models: Mapping[str, ModelSpec]) -> ModelSpec:
    model = models.get(model_id)
    if model is None:
        raise _invalid()
    if region in model.on_demand_regions:
        return model
    if any(region in profile.sources for profile in model.profiles):
        # The region offers the model, but only through an inference profile.
        raise validation_error(ON_DEMAND_NOT_SUPPORTED.format(model_id=identifier))
    raise _invalid()


def _by_profile_id(profile_id: str, region: str, models: Mapping[str, ModelSpec]) -> ModelSpec:
    geography, dot, model_id = profile_id.partition(".")
    model = models.get(model_id) if dot else None
    profile = model.profile(geography + ".") if model else None
    if model is None or profile is None or region not in profile.sources:
        raise _invalid()
    return model


def resolve_model(identifier: str, region: str, models: Mapping[str, ModelSpec] = MODELS) -> ModelSpec:
    """The model a modelId names when called in `region`, or the ValidationException Bedrock
    answers there. The identifier is a bare model id, an inference profile id ("us.<id>"), or
    the ARN of either, which must name the region called (and its partition)."""
    if identifier.startswith("arn:"):
        match = _ARN.fullmatch(identifier)
        if match is None or match["region"] != region or match["partition"] != partition_of(region):
            raise _invalid()
        # A foundation model's ARN has no account; an inference profile's has one.
        if match["kind"] == "foundation-model" and match["account"] is None:
            return _by_model_id(identifier, match["id"], region, models)
        if match["kind"] == "inference-profile" and match["account"] is not None:
            return _by_profile_id(match["id"], region, models)
        raise _invalid()
    if identifier in models:
        return _by_model_id(identifier, identifier, region, models)
    return _by_profile_id(identifier, region, models)


# Width x height the models return for each aspect ratio.
ASPECT_RATIO_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (1344, 768),
    "1:1": (1024, 1024),
    "21:9": (1536, 640),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
}
