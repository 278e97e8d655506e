"""The Stability AI image models the service can call, named by the alias users send."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SEED = 4_294_967_295


@dataclass(frozen=True)
class ModelSpec:
    alias: str
    model_id: str
    max_seed: int = MAX_SEED


MODELS: dict[str, ModelSpec] = {
    spec.alias: spec
    for spec in (
        ModelSpec("core", "stability.stable-image-core-v1:1"),
        ModelSpec("ultra", "stability.stable-image-ultra-v1:1"),
        # SD3.5 Large documents a seed range one short of the others.
        ModelSpec("sd3.5-large", "stability.sd3-5-large-v1:0", max_seed=MAX_SEED - 1),
    )
}

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

CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg"}
