"""Successful invocations: response shape, image sizes and formats, determinism, seeds."""

from __future__ import annotations

import base64
import uuid

import pytest

from offline.bedrock_emulator.images import RenderSpec, render_image

from .support import CORE, decode, invoke, mean_difference

SIZES = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "21:9": (1536, 640),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
}


def test_response_has_the_documented_shape(bedrock, invocations):
    response, payload = invoke(bedrock, {"prompt": "A car made out of vegetables.", "seed": 42})

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["contentType"] == "application/json"
    uuid.UUID(response["ResponseMetadata"]["RequestId"])
    assert set(payload) == {"seeds", "finish_reasons", "images"}
    assert payload["seeds"] == [42]
    assert payload["finish_reasons"] == [None]
    assert len(payload["images"]) == 1
    image = decode(payload["images"][0])
    assert (image.format, image.size, image.mode) == ("PNG", (1024, 1024), "RGB")
    calls = invocations()
    assert calls["count"] == 1
    assert calls["calls"] == [
        {
            "model_id": CORE,
            "model": CORE,
            "region": "us-west-2",
            "body": {"prompt": "A car made out of vegetables.", "seed": 42},
            "status": 200,
        }
    ]


@pytest.mark.parametrize("output_format", ["png", "jpeg"])
@pytest.mark.parametrize("aspect_ratio", list(SIZES))
def test_each_aspect_ratio_has_the_model_size(bedrock, aspect_ratio, output_format):
    body = {"prompt": "size check", "aspect_ratio": aspect_ratio, "output_format": output_format, "seed": 7}

    _, payload = invoke(bedrock, body)

    image = decode(payload["images"][0])
    assert image.format == output_format.upper()
    assert image.mode == "RGB"
    assert image.size == SIZES[aspect_ratio]


def test_same_inputs_give_identical_bytes(bedrock):
    body = {"prompt": "a lighthouse at dusk", "negative_prompt": "fog", "seed": 1234, "aspect_ratio": "3:2"}

    first = invoke(bedrock, body)[1]["images"][0]
    second = invoke(bedrock, body)[1]["images"][0]

    assert first == second


def test_rendering_is_deterministic_without_the_cache():
    spec = RenderSpec(CORE, "a lighthouse at dusk", "", 99, 640, 1536, "jpeg")

    assert render_image(spec) == render_image(spec)


@pytest.mark.parametrize(
    "change",
    [{"seed": 1235}, {"prompt": "a lighthouse at dawn"}],
    ids=["seed", "prompt"],
)
def test_a_different_seed_or_prompt_gives_a_visibly_different_picture(bedrock, change):
    body = {"prompt": "a lighthouse at dusk", "seed": 1234}

    first = invoke(bedrock, body)[1]["images"][0]
    second = invoke(bedrock, {**body, **change})[1]["images"][0]

    assert first != second
    assert mean_difference(decode(first), decode(second)) > 15


def test_a_model_arn_names_the_same_model(bedrock):
    body = {"prompt": "same model", "seed": 5}
    plain = invoke(bedrock, body, "stability.stable-image-core-v1:1")[1]["images"][0]

    arn = "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-core-v1:1"
    assert invoke(bedrock, body, arn)[1]["images"][0] == plain


@pytest.mark.parametrize("body", [{"prompt": "random"}, {"prompt": "random", "seed": 0}], ids=["absent", "zero"])
def test_a_random_seed_is_picked_returned_and_reproducible(bedrock, body):
    _, first = invoke(bedrock, body)
    _, second = invoke(bedrock, body)

    seed = first["seeds"][0]
    assert 1 <= seed <= 4_294_967_295
    assert second["seeds"][0] != seed
    assert invoke(bedrock, {"prompt": "random", "seed": seed})[1]["images"][0] == first["images"][0]


def test_images_are_valid_base64(bedrock):
    _, payload = invoke(bedrock, {"prompt": "b64", "seed": 3, "output_format": "jpeg"})

    raw = base64.b64decode(payload["images"][0], validate=True)
    assert raw[:3] == b"\xff\xd8\xff"
