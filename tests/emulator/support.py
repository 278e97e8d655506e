"""Helpers shared by the emulator tests."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

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
