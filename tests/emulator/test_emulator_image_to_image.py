"""Ultra and SD3.5 Large image-to-image: Ultra takes `image` (and `strength`, default 0.35),
SD3.5 Large `mode: image-to-image` with prompt, image and strength; neither takes aspect_ratio
then. The output keeps the input's aspect ratio at about one megapixel."""

from __future__ import annotations

import pytest

from .support import SD35, ULTRA, decode, image_b64, invoke, malformed, mean_difference, picture, rejection

IMAGE = image_b64(300, 200)
ULTRA_BODY = {"prompt": "a watercolour", "image": IMAGE, "seed": 5}
SD35_BODY = {**ULTRA_BODY, "mode": "image-to-image", "strength": 0.5}
BODIES = [(ULTRA, ULTRA_BODY), (SD35, SD35_BODY)]
IDS = ["ultra", "sd3.5-large"]


@pytest.mark.parametrize(("model_id", "body"), BODIES, ids=IDS)
@pytest.mark.parametrize(
    ("size", "expected"),
    # Each side sqrt(1,048,576 * w / h) (resp. h / w), rounded to the nearest multiple of 64.
    [((300, 200), (1280, 832)), ((64, 64), (1024, 1024)), ((200, 300), (832, 1280)), ((640, 64), (3264, 320))],
)
def test_the_output_keeps_the_aspect_ratio_at_about_a_megapixel(bedrock, model_id, body, size, expected):
    _, payload = invoke(bedrock, {**body, "image": image_b64(*size)}, model_id)

    image = decode(payload["images"][0])
    assert image.size == expected
    assert abs(image.width * image.height - 1_048_576) / 1_048_576 < 0.1


@pytest.mark.parametrize(("model_id", "body"), BODIES, ids=IDS)
def test_more_strength_changes_more(bedrock, model_id, body):
    source = picture(300, 200).resize((1280, 832))

    def changed(strength: float) -> float:
        _, payload = invoke(bedrock, {**body, "strength": strength}, model_id)
        return mean_difference(decode(payload["images"][0]), source)

    kept, some, most = changed(0), changed(0.3), changed(0.9)
    assert kept < 2
    assert kept < some < most
    assert most > 20


@pytest.mark.parametrize(("model_id", "body"), BODIES, ids=IDS)
def test_the_same_request_gives_the_same_bytes(bedrock, model_id, body):
    assert invoke(bedrock, body, model_id)[1] == invoke(bedrock, body, model_id)[1]


def test_ultra_strength_defaults_to_0_35(bedrock):
    with_default = invoke(bedrock, ULTRA_BODY, ULTRA)[1]

    assert with_default == invoke(bedrock, {**ULTRA_BODY, "strength": 0.35}, ULTRA)[1]
    assert with_default != invoke(bedrock, {**ULTRA_BODY, "strength": 0.5}, ULTRA)[1]


@pytest.mark.parametrize(("model_id", "body"), BODIES, ids=IDS)
def test_strength_is_0_to_1(bedrock, invocations, model_id, body):
    for strength in (0, 1, 0.5):
        assert invoke(bedrock, {**body, "strength": strength}, model_id)[1]["finish_reasons"] == [None]
    assert rejection(bedrock, {**body, "strength": -0.01}, model_id) == malformed(
        "#/strength: -0.01 is not greater or equal to 0"
    )
    assert rejection(bedrock, {**body, "strength": 1.01}, model_id) == malformed(
        "#/strength: 1.01 is not less or equal to 1"
    )
    assert rejection(bedrock, {**body, "strength": "0.5"}, model_id) == malformed(
        "#/strength: expected type: Number, found: String"
    )
    assert invocations()["count"] == 3


@pytest.mark.parametrize(("model_id", "body"), BODIES, ids=IDS)
def test_aspect_ratio_is_for_text_to_image_only(bedrock, model_id, body):
    assert rejection(bedrock, {**body, "aspect_ratio": "1:1"}, model_id) == malformed(
        "#: extraneous key [aspect_ratio] is not permitted"
    )


def test_ultra_takes_no_mode_with_an_image(bedrock):
    assert rejection(bedrock, {**ULTRA_BODY, "mode": "image-to-image"}, ULTRA) == malformed(
        "#: extraneous key [mode] is not permitted"
    )


def test_ultra_text_to_image_takes_mode_text_to_image_only(bedrock):
    assert decode(invoke(bedrock, {"prompt": "p", "mode": "text-to-image"}, ULTRA)[1]["images"][0]).size == (1024, 1024)
    assert rejection(bedrock, {"prompt": "p", "mode": "image-to-image"}, ULTRA) == malformed(
        "#/mode: image-to-image is not a valid enum value"
    )


def test_ultra_strength_without_an_image_is_extraneous(bedrock):
    assert rejection(bedrock, {"prompt": "p", "strength": 0.5}, ULTRA) == malformed(
        "#: extraneous key [strength] is not permitted"
    )


def test_ultra_image_to_image_takes_png_or_jpeg_and_the_full_seed_range(bedrock):
    _, payload = invoke(bedrock, {**ULTRA_BODY, "output_format": "jpeg", "seed": 4_294_967_295}, ULTRA)

    assert decode(payload["images"][0]).format == "JPEG"
    assert payload["seeds"] == [4_294_967_295]
    assert rejection(bedrock, {**ULTRA_BODY, "output_format": "webp"}, ULTRA) == malformed(
        "#/output_format: webp is not a valid enum value"
    )


def test_ultra_image_to_image_requires_a_prompt(bedrock):
    body = {key: value for key, value in ULTRA_BODY.items() if key != "prompt"}

    assert rejection(bedrock, body, ULTRA) == malformed("#: required key [prompt] not found")


def test_sd35_image_to_image_requires_prompt_image_and_strength(bedrock, invocations):
    assert rejection(bedrock, {"mode": "image-to-image"}, SD35) == malformed(
        "#: required key [prompt] not found",
        "#: required key [image] not found",
        "#: required key [strength] not found",
    )
    assert invocations()["count"] == 0


def test_sd35_image_without_the_mode_is_extraneous(bedrock):
    body = {key: value for key, value in SD35_BODY.items() if key != "mode"}

    assert rejection(bedrock, body, SD35) == malformed(
        "#: extraneous key [image] is not permitted", "#: extraneous key [strength] is not permitted"
    )


@pytest.mark.parametrize("mode", ["img2img", "", 1])
def test_sd35_mode_is_an_enum(bedrock, mode):
    code, status, message = rejection(bedrock, {"prompt": "p", "mode": mode}, SD35)

    assert (code, status) == ("ValidationException", 400)
    assert "#/mode: " in message
    assert "is not a valid enum value" in message


def test_sd35_takes_webp_in_both_modes_and_seeds_up_to_4294967294(bedrock):
    for body in ({"prompt": "p", "mode": "text-to-image"}, SD35_BODY):
        _, payload = invoke(bedrock, {**body, "output_format": "webp", "seed": 4_294_967_294}, SD35)
        assert decode(payload["images"][0]).format == "WEBP"
    assert rejection(bedrock, {**SD35_BODY, "seed": 4_294_967_295}, SD35) == malformed(
        "#/seed: 4294967295 is not less or equal to 4294967294"
    )
