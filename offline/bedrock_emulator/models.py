"""The Stability AI image models the emulator answers for, and how Bedrock names them."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SEED = 4_294_967_295


@dataclass(frozen=True)
class ModelSpec:
    model_id: str
    max_seed: int = MAX_SEED


MODELS: dict[str, ModelSpec] = {
    spec.model_id: spec
    for spec in (
        ModelSpec("stability.stable-image-core-v1:0"),
        ModelSpec("stability.stable-image-core-v1:1"),
        ModelSpec("stability.stable-image-ultra-v1:0"),
        ModelSpec("stability.stable-image-ultra-v1:1"),
        # SD3.5 Large documents a seed range one short of the others.
        ModelSpec("stability.sd3-5-large-v1:0", max_seed=MAX_SEED - 1),
    )
}

# Cross-region inference profiles prefix the model id with a geography.
PROFILE_PREFIXES = ("us.", "eu.", "apac.")

_PARTITION_REGION = r"arn:aws(?:-[a-z]+)*:bedrock:[a-z]{2}(?:-[a-z]+)+-\d+"
_FOUNDATION_ARN = re.compile(_PARTITION_REGION + r"::foundation-model/(?P<id>.+)")
_PROFILE_ARN = re.compile(_PARTITION_REGION + r":\d{12}:inference-profile/(?P<id>.+)")

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


def _strip_profile_prefix(model_id: str) -> str | None:
    for prefix in PROFILE_PREFIXES:
        if model_id.startswith(prefix):
            return model_id[len(prefix) :]
    return None


def resolve_model(identifier: str) -> ModelSpec | None:
    """The model a modelId names (plain id, inference profile id or either ARN), or None."""
    if match := _FOUNDATION_ARN.fullmatch(identifier):
        return MODELS.get(match["id"])
    if match := _PROFILE_ARN.fullmatch(identifier):
        # An inference profile ARN always names a prefixed (cross-region) id.
        bare = _strip_profile_prefix(match["id"])
        return MODELS.get(bare) if bare else None
    bare = _strip_profile_prefix(identifier)
    return MODELS.get(bare if bare is not None else identifier)
