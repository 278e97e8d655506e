"""Helpers shared by the emulator tests."""

from __future__ import annotations

import base64
import functools
import io
import json
from typing import Any

from botocore.exceptions import ClientError
from PIL import Image, ImageChops, ImageStat

CORE = "stability.stable-image-core-v1:0"


def invoke(client: Any, body: Any, model_id: str = CORE) -> tuple[dict[str, Any], dict[str, Any]]:
    """invoke_model with a JSON body; returns (response, parsed body)."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    response = client.invoke_model(modelId=model_id, body=raw)
    return response, json.loads(response["body"].read())


def decode(image_b64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(image_b64)))
    image.load()
    return image


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute per-channel difference (0..255), on thumbnails for speed."""
    size = (128, 128)
    diff = ImageChops.difference(first.convert("RGB").resize(size), second.convert("RGB").resize(size))
    return sum(ImageStat.Stat(diff).mean) / 3


# The Stability Image Services, by the name inside their model id.
SERVICES = (
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
ULTRA = "stability.stable-image-ultra-v1:1"
SD35 = "stability.sd3-5-large-v1:0"


def bare(name: str) -> str:
    return f"stability.{name}-v1:0"


def profile(name: str) -> str:
    """The US cross-region inference profile id, the only way the Image Services are called."""
    return f"us.{bare(name)}"


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A test image whose every pixel differs from its neighbours' colours: gradients across
    both axes, so that any change to it is visible."""
    across = Image.linear_gradient("L").resize((width, height))
    down = Image.linear_gradient("L").rotate(90).resize((width, height))
    image = Image.merge("RGB", (across, down, Image.new("L", (width, height), 96)))
    return image if mode == "RGB" else image.convert(mode)


def encode(image: Image.Image, image_format: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **({"compress_level": 1} if image_format == "PNG" else {}))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=64)
def image_b64(width: int, height: int, mode: str = "RGB", image_format: str = "PNG") -> str:
    """picture(width, height) in base64, as a request carries it."""
    return encode(picture(width, height, mode), image_format)


SMALL = image_b64(96, 80)

# The smallest valid body of each service.
MINIMAL: dict[str, dict[str, Any]] = {
    "stable-fast-upscale": {"image": SMALL},
    "stable-conservative-upscale": {"image": SMALL, "prompt": "sharper"},
    "stable-creative-upscale": {"image": SMALL, "prompt": "sharper"},
    "stable-image-remove-background": {"image": SMALL},
    "stable-image-erase-object": {"image": SMALL, "mask": image_b64(96, 80, "L")},
    "stable-image-inpaint": {"image": SMALL, "prompt": "a cat", "mask": image_b64(96, 80, "L")},
    "stable-outpaint": {"image": SMALL, "left": 8},
    "stable-image-search-replace": {"image": SMALL, "prompt": "a cat", "search_prompt": "dog"},
    "stable-image-search-recolor": {"image": SMALL, "prompt": "red", "select_prompt": "dog"},
    "stable-image-control-sketch": {"image": SMALL, "prompt": "a house"},
    "stable-image-control-structure": {"image": SMALL, "prompt": "a house"},
    "stable-image-style-guide": {"image": SMALL, "prompt": "a house"},
    "stable-style-transfer": {"init_image": SMALL, "style_image": SMALL},
}


def rejection(client: Any, body: Any, model_id: str) -> tuple[str, int, str]:
    """(error code, HTTP status, message) of a call that must fail."""
    try:
        invoke(client, body, model_id)
    except ClientError as error:
        response = error.response
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]
    raise AssertionError(f"{model_id} accepted {str(body)[:200]}")


def malformed(*violations: str) -> tuple[str, int, str]:
    """The ValidationException a schema violation gets, as rejection() returns it."""
    return (
        "ValidationException",
        400,
        f"Malformed input request: {''.join(violations)}, please reformat your input and try again.",
    )
