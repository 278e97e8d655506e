"""Each Image Service's documented fields: types, ranges on both sides of each edge, enums,
required keys and nothing else, in Bedrock's schema-violation wording."""

from __future__ import annotations

import pytest

from .support import MINIMAL, SERVICES, invoke, malformed, profile, rejection

STYLE_PRESETS = [
    "3d-model", "analog-film", "anime", "cinematic", "comic-book", "digital-art", "enhance", "fantasy-art",
    "isometric", "line-art", "low-poly", "modeling-compound", "neon-punk", "origami", "photographic",
    "pixel-art", "tile-texture",
]  # fmt: skip
PROMPTED = ("prompt", "negative_prompt", "seed")
# Every field each service documents, beyond output_format.
FIELDS = {
    "stable-fast-upscale": {"image"},
    "stable-conservative-upscale": {"image", *PROMPTED, "creativity"},
    "stable-creative-upscale": {"image", *PROMPTED, "creativity", "style_preset"},
    "stable-image-remove-background": {"image"},
    "stable-image-erase-object": {"image", "mask", "grow_mask", "seed"},
    "stable-image-inpaint": {"image", "mask", *PROMPTED, "grow_mask", "style_preset"},
    "stable-outpaint": {"image", "left", "right", "up", "down", "prompt", "creativity", "style_preset", "seed"},
    "stable-image-search-replace": {"image", *PROMPTED, "search_prompt", "grow_mask", "style_preset"},
    "stable-image-search-recolor": {"image", *PROMPTED, "select_prompt", "grow_mask", "style_preset"},
    "stable-image-control-sketch": {"image", *PROMPTED, "control_strength", "style_preset"},
    "stable-image-control-structure": {"image", *PROMPTED, "control_strength", "style_preset"},
    "stable-image-style-guide": {"image", *PROMPTED, "aspect_ratio", "fidelity", "style_preset"},
    "stable-style-transfer": {
        "init_image", "style_image", *PROMPTED, "composition_fidelity", "style_strength", "change_strength",
    },
}  # fmt: skip
REQUIRED = {
    "stable-fast-upscale": ["image"],
    "stable-conservative-upscale": ["prompt", "image"],
    "stable-creative-upscale": ["prompt", "image"],
    "stable-image-remove-background": ["image"],
    "stable-image-erase-object": ["image"],
    "stable-image-inpaint": ["prompt", "image"],
    "stable-outpaint": ["image"],
    "stable-image-search-replace": ["prompt", "image", "search_prompt"],
    "stable-image-search-recolor": ["prompt", "image", "select_prompt"],
    "stable-image-control-sketch": ["prompt", "image"],
    "stable-image-control-structure": ["prompt", "image"],
    "stable-image-style-guide": ["prompt", "image"],
    "stable-style-transfer": ["init_image", "style_image"],
}
# (service, field, minimum, maximum, integer): the documented ranges.
RANGES = [
    *[(name, "seed", 0, 4_294_967_294, True) for name in SERVICES if "seed" in FIELDS[name]],
    *[(name, "grow_mask", 0, 20, True) for name in SERVICES if "grow_mask" in FIELDS[name]],
    *[(name, side, 0, 2000, True) for side in ("left", "right", "up", "down") for name in ["stable-outpaint"]],
    ("stable-conservative-upscale", "creativity", 0.1, 0.5, False),
    ("stable-creative-upscale", "creativity", 0.1, 0.5, False),
    ("stable-outpaint", "creativity", 0.1, 1, False),
    ("stable-image-control-sketch", "control_strength", 0, 1, False),
    ("stable-image-control-structure", "control_strength", 0, 1, False),
    ("stable-image-style-guide", "fidelity", 0, 1, False),
    ("stable-style-transfer", "composition_fidelity", 0, 1, False),
    ("stable-style-transfer", "style_strength", 0, 1, False),
    ("stable-style-transfer", "change_strength", 0.1, 1, False),
]
RANGE_IDS = [f"{name}-{field}" for name, field, *_ in RANGES]


def below(value: float, integer: bool) -> float:
    return value - 1 if integer else round(value - 0.01, 2)


def above(value: float, integer: bool) -> float:
    return value + 1 if integer else round(value + 0.01, 2)


@pytest.mark.parametrize(("name", "field", "minimum", "maximum", "integer"), RANGES, ids=RANGE_IDS)
def test_each_range_is_accepted_at_its_edges(make_client, name, field, minimum, maximum, integer):
    client = make_client(region="us-east-1")
    for value in (minimum, maximum):
        # Outpaint needs one side above 0 besides the one under test.
        body = {**MINIMAL[name], field: value, **({"up": 4} if name == "stable-outpaint" and value == 0 else {})}
        assert invoke(client, body, profile(name))[1]["finish_reasons"] == [None], (field, value)


@pytest.mark.parametrize(("name", "field", "minimum", "maximum", "integer"), RANGES, ids=RANGE_IDS)
def test_each_range_is_refused_past_its_edges(bedrock, invocations, name, field, minimum, maximum, integer):
    low, high = below(minimum, integer), above(maximum, integer)

    assert rejection(bedrock, {**MINIMAL[name], field: low}, profile(name)) == malformed(
        f"#/{field}: {low} is not greater or equal to {minimum}"
    )
    assert rejection(bedrock, {**MINIMAL[name], field: high}, profile(name)) == malformed(
        f"#/{field}: {high} is not less or equal to {maximum}"
    )
    assert invocations()["count"] == 0


@pytest.mark.parametrize(("name", "field", "minimum", "maximum", "integer"), RANGES, ids=RANGE_IDS)
def test_each_numeric_field_has_its_type(bedrock, name, field, minimum, maximum, integer):
    expected = "Integer" if integer else "Number"

    for value, found in (("0.5", "String"), (True, "Boolean"), (None, "Null")):
        assert rejection(bedrock, {**MINIMAL[name], field: value}, profile(name)) == malformed(
            f"#/{field}: expected type: {expected}, found: {found}"
        )
    if integer:
        assert rejection(bedrock, {**MINIMAL[name], field: 1.5}, profile(name)) == malformed(
            f"#/{field}: expected type: Integer, found: BigDecimal"
        )


@pytest.mark.parametrize("name", SERVICES)
def test_each_required_key_is_required(bedrock, invocations, name):
    for key in REQUIRED[name]:
        body = {field: value for field, value in MINIMAL[name].items() if field != key}
        assert rejection(bedrock, body, profile(name)) == malformed(f"#: required key [{key}] not found")
    assert invocations()["count"] == 0


OTHER_FIELDS = ["prompt", "negative_prompt", "seed", "mask", "style_preset", "creativity", "aspect_ratio",
                "grow_mask", "strength", "mode", "cfg_scale", "left", "control_strength", "fidelity"]  # fmt: skip


@pytest.mark.parametrize("name", SERVICES)
def test_a_field_the_service_does_not_document_is_extraneous(bedrock, name):
    for key in sorted(set(OTHER_FIELDS) - FIELDS[name]):
        assert rejection(bedrock, {**MINIMAL[name], key: "x"}, profile(name)) == malformed(
            f"#: extraneous key [{key}] is not permitted"
        ), key


@pytest.mark.parametrize("name", SERVICES)
def test_output_format_is_png_jpeg_or_webp(bedrock, name):
    for value in ("gif", "PNG", "jpg"):
        assert rejection(bedrock, {**MINIMAL[name], "output_format": value}, profile(name)) == malformed(
            f"#/output_format: {value} is not a valid enum value"
        )


@pytest.mark.parametrize("name", [name for name in SERVICES if {"prompt", "negative_prompt"} <= FIELDS[name]])
def test_prompts_take_0_to_10000_characters(make_client, name):
    client = make_client(region="us-east-2")
    for field in ("prompt", "negative_prompt"):
        assert invoke(client, {**MINIMAL[name], field: ""}, profile(name))[1]["finish_reasons"] == [None]
        assert rejection(client, {**MINIMAL[name], field: "p" * 10_001}, profile(name)) == malformed(
            f"#/{field}: expected maxLength: 10000, actual: 10001"
        )
        assert rejection(client, {**MINIMAL[name], field: 7}, profile(name)) == malformed(
            f"#/{field}: expected type: String, found: Integer"
        )
    assert invoke(client, {**MINIMAL[name], "prompt": "p" * 10_000}, profile(name))[1]["finish_reasons"] == [None]


SEARCH_PROMPTS = [("stable-image-search-replace", "search_prompt"), ("stable-image-search-recolor", "select_prompt")]


@pytest.mark.parametrize(("name", "field"), SEARCH_PROMPTS)
def test_the_search_prompts_are_strings_of_at_most_10000_characters(bedrock, name, field):
    assert invoke(bedrock, {**MINIMAL[name], field: "d" * 10_000}, profile(name))[1]["finish_reasons"] == [None]
    assert rejection(bedrock, {**MINIMAL[name], field: "d" * 10_001}, profile(name)) == malformed(
        f"#/{field}: expected maxLength: 10000, actual: 10001"
    )


def test_every_style_preset_is_accepted_and_no_other(bedrock):
    name = "stable-image-control-sketch"
    for preset in STYLE_PRESETS:
        assert invoke(bedrock, {**MINIMAL[name], "style_preset": preset}, profile(name))[1]["finish_reasons"] == [None]
    assert rejection(bedrock, {**MINIMAL[name], "style_preset": "watercolor"}, profile(name)) == malformed(
        "#/style_preset: watercolor is not a valid enum value"
    )


def test_style_guide_takes_the_nine_aspect_ratios(bedrock):
    name = "stable-image-style-guide"
    assert rejection(bedrock, {**MINIMAL[name], "aspect_ratio": "4:3"}, profile(name)) == malformed(
        "#/aspect_ratio: 4:3 is not a valid enum value"
    )


@pytest.mark.parametrize("sides", [{}, {"left": 0}, {"left": 0, "right": 0, "up": 0, "down": 0}])
def test_outpaint_needs_one_side_above_zero(bedrock, invocations, sides):
    body = {"image": MINIMAL["stable-outpaint"]["image"], **sides}

    assert rejection(bedrock, body, profile("stable-outpaint")) == malformed(
        "#: at least one of [left, right, up, down] must be greater than 0"
    )
    assert invocations()["count"] == 0


def test_every_violation_is_reported_in_schema_order(bedrock):
    body = {"style_preset": "x", "foo": 1, "creativity": 2, "image": 5}

    assert rejection(bedrock, body, profile("stable-creative-upscale")) == malformed(
        "#: extraneous key [foo] is not permitted",
        "#: required key [prompt] not found",
        "#/image: expected type: String, found: Integer",
        "#/creativity: 2 is not less or equal to 0.5",
        "#/style_preset: x is not a valid enum value",
    )


@pytest.mark.parametrize("body", [[], "null", '"image"'])
def test_a_body_that_is_not_an_object_is_refused(bedrock, body):
    code, status, message = rejection(bedrock, body, profile("stable-fast-upscale"))

    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("Malformed input request: #: expected type: JSONObject")
