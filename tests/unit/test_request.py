"""The request schema of SPEC section 2, shared by every entry point."""

from __future__ import annotations

import math

import jsonschema
import pytest
from imagegen.models.request import ImageRequest
from pydantic import ValidationError


def errors(data) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as caught:
        ImageRequest.model_validate(data)
    return [
        (e["loc"], e.get("ctx", {}).get("field", "") if isinstance(e.get("ctx"), dict) else "")
        for e in caught.value.errors()
    ]


def test_defaults():
    request = ImageRequest.model_validate({"prompt": "a cat"})
    assert (request.aspect_ratio, request.seed, request.output_format, request.count, request.model) == (
        "1:1",
        0,
        "png",
        1,
        "core",
    )


def test_prompt_is_trimmed():
    assert ImageRequest.model_validate({"prompt": "  a cat \n"}).prompt == "a cat"


def test_the_negative_prompt_counts_every_character_then_is_trimmed():
    assert ImageRequest.model_validate({"prompt": "a", "negative_prompt": " blur "}).negative_prompt == "blur"
    assert ImageRequest.model_validate({"prompt": "a", "negative_prompt": "x" * 10_000}).negative_prompt
    assert errors({"prompt": "a", "negative_prompt": " " * 10_001}) == [(("negative_prompt",), "")]


def test_output_format_is_case_insensitive():
    assert ImageRequest.model_validate({"prompt": "a", "output_format": "JPEG"}).output_format == "jpeg"


def test_text_prompts_fold_into_prompt_and_negative_prompt():
    request = ImageRequest.model_validate(
        {
            "text_prompts": [
                {"text": "a castle", "weight": 1.0},
                {"text": "fog", "weight": -0.5},
                {"text": "at night", "weight": 0.7},
            ],
            "negative_prompt": "text",
        }
    )
    assert request.prompt == "a castle, at night"
    assert request.negative_prompt == "fog, text"
    assert request.text_prompts is None
    # The folded form is itself a valid request: what jobs store and replay.
    assert ImageRequest.model_validate(request.model_dump(exclude_none=True)) == request


def test_text_prompt_weight_defaults_to_positive():
    assert ImageRequest.model_validate({"text_prompts": [{"text": "a dog"}]}).prompt == "a dog"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({}, ((), "prompt")),
        ({"prompt": "a", "text_prompts": [{"text": "b"}]}, ((), "text_prompts")),
        ({"text_prompts": [{"text": "fog", "weight": -1}]}, ((), "text_prompts")),
        ({"text_prompts": [{"text": "x" * 6000}, {"text": "y" * 6000}]}, ((), "text_prompts")),
        ({"prompt": "a", "seed": 4_294_967_295, "model": "sd3.5-large"}, ((), "seed")),
    ],
)
def test_cross_field_rules_name_their_field(data, where):
    assert where in errors(data)


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"prompt": "a", "count": "2"}, ("count",)),
        ({"prompt": "a", "count": 2.5}, ("count",)),
        ({"prompt": "a", "count": True}, ("count",)),
        ({"prompt": "a", "seed": math.nan}, ("seed",)),
        ({"prompt": "a", "seed": "1"}, ("seed",)),
        ({"text_prompts": [{"text": "a", "weight": math.nan}]}, ("text_prompts", 0, "weight")),
        ({"text_prompts": [{"text": "a", "weight": math.inf}]}, ("text_prompts", 0, "weight")),
        ({"prompt": "a", "unknown": 1}, ("unknown",)),
        ({"prompt": "a", "aspect_ratio": "1:2"}, ("aspect_ratio",)),
        ({"prompt": "a", "output_format": "webp"}, ("output_format",)),
        ({"prompt": "a", "output_format": 1}, ("output_format",)),
        ({"prompt": "a", "model": "sdxl"}, ("model",)),
    ],
)
def test_strict_types_and_values(data, loc):
    assert loc in [location for location, _ in errors(data)]


def test_only_enabled_models_are_accepted():
    with pytest.raises(ValidationError) as caught:
        ImageRequest.parse({"prompt": "a", "model": "core"}, enabled=("ultra",))
    assert [error["loc"] for error in caught.value.errors()] == [("model",)]
    assert "enabled: ultra" in caught.value.errors()[0]["msg"]
    assert ImageRequest.parse({"prompt": "a"}, enabled=("ultra", "core")).model == "ultra"  # the first is the default


@pytest.mark.parametrize(
    ("seed", "count", "expected"),
    [
        (10, 3, [10, 11, 12]),
        (4_294_967_295, 2, [4_294_967_295, 1]),
        (1, 1, [1]),
    ],
)
def test_seeds_are_consecutive_and_wrap(seed, count, expected):
    request = ImageRequest.model_validate({"prompt": "a", "count": count})
    assert request.seeds(seed) == expected


def test_sd35_seeds_wrap_below_its_own_maximum():
    request = ImageRequest.model_validate({"prompt": "a", "count": 2, "model": "sd3.5-large"})
    assert request.seeds(4_294_967_294) == [4_294_967_294, 1]


def test_json_schema_is_closed_and_documents_the_limits():
    schema = ImageRequest.model_json_schema()
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert properties["seed"]["maximum"] == 4_294_967_295
    assert properties["count"]["maximum"] == 4
    assert "pattern" in properties["output_format"]


@pytest.mark.parametrize(
    "document",
    [
        {"prompt": "a"},
        {"text_prompts": [{"text": "a"}]},
        {"prompt": None, "text_prompts": [{"text": "a"}]},
        {"prompt": "a", "text_prompts": [{"text": "a"}]},
        {},
        {"prompt": "a", "model": "sd3.5-large", "seed": 4_294_967_295},
        {"prompt": "a", "model": "sd3.5-large", "seed": 4_294_967_294},
        {"prompt": "a", "model": "core", "seed": 4_294_967_295},
        {"text_prompts": [{"text": "a", "weight": 0}]},
        {"text_prompts": [{"text": "a", "weight": 0.0}, {"text": "b"}]},
        {"text_prompts": [{"text": "a", "weight": -1}]},
        {"text_prompts": [{"text": "a", "weight": -1}, {"text": "b"}]},
        {"text_prompts": [{"text": "a", "weight": -1}, {"text": "b", "weight": 0.5}]},
        {"text_prompts": None, "prompt": "a"},
        {"prompt": " "},
        {"prompt": "\x1c\u3000"},  # kept by trimming, whatever str.isspace() says of \x1c
        {"prompt": "\u3000\x85"},  # Unicode whitespace only
        {"prompt": "\ufeff"},  # the other way round: kept by trimming
        {"text_prompts": [{"text": "\n"}]},
    ],
)
def test_the_schema_states_the_cross_field_rules_the_model_applies(document):
    # A schema-driven client must not send what the API refuses, nor be refused what it accepts.
    validator = jsonschema.Draft202012Validator(ImageRequest.model_json_schema())
    try:
        ImageRequest.model_validate(document)
        accepted = True
    except ValidationError:
        accepted = False
    assert validator.is_valid(document) == accepted


@pytest.mark.parametrize(("field", "value"), [("seed", 486.0), ("count", 3.0), ("seed", 0.0)])
def test_an_integer_written_with_a_zero_fraction_is_that_integer(field, value):
    # JSON does not tell 3 from 3.0, and JSON Schema's integer (the OpenAPI document's) takes both.
    request = ImageRequest.model_validate({"prompt": "a", field: value})
    assert getattr(request, field) == int(value) and type(getattr(request, field)) is int


@pytest.mark.parametrize("value", [1.5, "5", True, float("nan"), float("inf")])
def test_anything_else_is_not_an_integer(value):
    assert ("seed",) in [loc for loc, _ in errors({"prompt": "a", "seed": value})]
