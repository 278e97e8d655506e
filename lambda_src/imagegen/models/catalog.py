"""The Stability AI image models the service can call, named by the alias users send, and
where Amazon Bedrock serves each one.

Where a model is served decides how it is called: by its bare id in a region that serves it
on demand, or through a cross-region inference profile (`us.<id>`) from one of the profile's
source regions, which routes the call to one of its destination regions. Calling a region
that serves neither answers ValidationException "The provided model identifier is invalid."
Source: Amazon Bedrock User Guide, "Supported foundation models" and "Regional availability
by model" (https://docs.aws.amazon.com/bedrock/latest/userguide/models-region-compatibility.html),
and "Supported Regions and models for inference profiles"
(https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_SEED = 4_294_967_295
DEFAULT_BEDROCK_REGION = "us-west-2"


@dataclass(frozen=True)
class InferenceProfile:
    """A cross-region inference profile: called from `sources`, routed to any of `destinations`."""

    sources: frozenset[str]
    destinations: frozenset[str]


@dataclass(frozen=True)
class ModelSpec:
    alias: str
    model_id: str
    max_seed: int = MAX_SEED
    # Regions that serve the model on demand by its bare id.
    on_demand_regions: frozenset[str] = frozenset()
    # Inference profiles by prefix ("us."), for models reached that way.
    profiles: Mapping[str, InferenceProfile] = field(default_factory=dict)


@dataclass(frozen=True)
class Invocation:
    """How one model is called from one region: the id sent as modelId and the regions that
    may end up serving the call (the profile's destinations, or the region itself)."""

    model_id: str
    region: str
    profile_prefix: str
    serving_regions: tuple[str, ...]

    @property
    def through_profile(self) -> bool:
        return bool(self.profile_prefix)


class ModelNotServed(ValueError):
    """The catalog knows no way to call this model from this region (or through this profile)."""


MODELS: dict[str, ModelSpec] = {
    spec.alias: spec
    for spec in (
        ModelSpec("core", "stability.stable-image-core-v1:1", on_demand_regions=frozenset({"us-west-2"})),
        ModelSpec("ultra", "stability.stable-image-ultra-v1:1", on_demand_regions=frozenset({"us-west-2"})),
        # SD3.5 Large documents a seed range one short of the others.
        ModelSpec(
            "sd3.5-large",
            "stability.sd3-5-large-v1:0",
            max_seed=MAX_SEED - 1,
            on_demand_regions=frozenset({"us-west-2"}),
        ),
    )
}


# The Stability AI Image Services are served through the US cross-region inference profile
# only: called as us.<id> from us-east-1, us-east-2 or us-west-2, which it routes among.
# Source: "Supported Regions and models for inference profiles" (above) and "Stability AI Image
# Services" (https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html).
US_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2"})
US_PROFILE = InferenceProfile(sources=US_REGIONS, destinations=US_REGIONS)


def _image_service(alias: str, name: str) -> ModelSpec:
    # The Image Services document seeds up to 4,294,967,294.
    return ModelSpec(alias, f"stability.{name}-v1:0", max_seed=MAX_SEED - 1, profiles={"us.": US_PROFILE})


# The Image Services by the operation that calls each (its path without the leading slash).
SERVICE_MODELS: dict[str, ModelSpec] = {
    spec.alias: spec
    for spec in (
        _image_service("upscale/fast", "stable-fast-upscale"),
        _image_service("upscale/conservative", "stable-conservative-upscale"),
        _image_service("upscale/creative", "stable-creative-upscale"),
        _image_service("edit/remove-background", "stable-image-remove-background"),
        _image_service("edit/inpaint", "stable-image-inpaint"),
        _image_service("edit/outpaint", "stable-outpaint"),
        _image_service("edit/erase", "stable-image-erase-object"),
        _image_service("edit/search-and-replace", "stable-image-search-replace"),
        _image_service("edit/search-and-recolor", "stable-image-search-recolor"),
        _image_service("control/sketch", "stable-image-control-sketch"),
        _image_service("control/structure", "stable-image-control-structure"),
        _image_service("control/style-guide", "stable-image-style-guide"),
        _image_service("control/style-transfer", "stable-style-transfer"),
    )
}


def resolve_invocation(spec: ModelSpec, region: str, profile_prefix: str = "") -> Invocation:
    """How `spec` is called from `region`. With `profile_prefix` ("us."), through that profile
    only; without, by the bare id where the region serves it on demand, else through a profile
    the region is a source of. Raises ModelNotServed saying where the model is served."""
    if profile_prefix:
        profile = spec.profiles.get(profile_prefix)
        if profile is None:
            raise ModelNotServed(
                f"{spec.alias} ({spec.model_id}) has no {profile_prefix!r} inference profile; {_where(spec)}"
            )
        if region not in profile.sources:
            raise ModelNotServed(
                f"the {profile_prefix}{spec.model_id} profile is not offered in {region}; {_where(spec)}"
            )
        return Invocation(profile_prefix + spec.model_id, region, profile_prefix, tuple(sorted(profile.destinations)))
    if region in spec.on_demand_regions:
        return Invocation(spec.model_id, region, "", (region,))
    for prefix, profile in sorted(spec.profiles.items()):
        if region in profile.sources:
            return resolve_invocation(spec, region, prefix)
    raise ModelNotServed(f"{spec.alias} ({spec.model_id}) is not served in {region}; {_where(spec)}")


def _where(spec: ModelSpec) -> str:
    ways = []
    if spec.on_demand_regions:
        ways.append(f"on demand in {', '.join(sorted(spec.on_demand_regions))}")
    for prefix, profile in sorted(spec.profiles.items()):
        ways.append(f"through the {prefix} profile from {', '.join(sorted(profile.sources))}")
    return "it is served " + (" and ".join(ways) if ways else "nowhere this catalog knows")


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
