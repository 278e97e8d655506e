"""The API Gateway request model: the runtime's ImageRequest schema as draft 4."""

from __future__ import annotations

import pytest
from imagegen.models.operations import OPERATIONS
from jsonschema import Draft4Validator

from infra.request_schema import (
    DRAFT4,
    UnsupportedSchema,
    job_request_schema,
    operation_request_schema,
    request_model_schema,
    to_draft4,
    upload_request_schema,
)


@pytest.fixture(scope="module")
def core_only() -> Draft4Validator:
    schema = request_model_schema(["core"])
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def _keywords(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key not in ("properties", "patternProperties"):
                yield from _keywords(value)
            else:
                for subschema in value.values():
                    yield from _keywords(subschema)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


def test_the_schema_is_self_contained_draft4():
    schema = request_model_schema(["core"])

    assert schema["$schema"] == DRAFT4
    assert not {"$defs", "$ref", "const", "prefixItems"} & set(_keywords(schema))


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a lighthouse at dusk"},
        {"prompt": "a cat", "aspect_ratio": "16:9", "seed": 4_294_967_295, "count": 4, "output_format": "JPEG"},
        {"text_prompts": [{"text": "a cat", "weight": 1.0}, {"text": "blurry", "weight": -0.5}]},
        {"prompt": "a cat", "model": "core", "negative_prompt": ""},
        {"prompt": "a cat", "model": None},
        # The prompt's length counts after trimming: padding around a full-length prompt is valid.
        {"prompt": "   " + "a" * 10_000 + "\n", "negative_prompt": "b" * 10_000},
        {"text_prompts": [{"text": " " + "c" * 10_000 + " "}]},
    ],
)
def test_valid_requests_pass(core_only, body):
    assert list(core_only.iter_errors(body)) == []


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a cat", "style": "anime"},
        {"prompt": "a cat", "count": 5},
        {"prompt": "a cat", "count": "2"},
        {"prompt": "a cat", "seed": -1},
        {"prompt": "a cat", "aspect_ratio": "1:3"},
        {"prompt": "a cat", "output_format": "gif"},
        {"prompt": "a cat", "model": "ultra"},
        {"prompt": ""},
        {"prompt": "a cat", "negative_prompt": " " * 10_001},  # every character counts
        {"text_prompts": [{"text": "a cat", "colour": "red"}]},
        {"text_prompts": []},
        ["a cat"],
    ],
)
def test_invalid_requests_fail(core_only, body):
    assert list(core_only.iter_errors(body)) != []


def test_the_model_enum_is_narrowed_to_the_enabled_models_in_their_order():
    schema = request_model_schema(["ultra", "core"])
    validator = Draft4Validator(schema)

    enums = [branch["enum"] for branch in schema["properties"]["model"]["anyOf"] if "enum" in branch]
    assert enums == [["ultra", "core"]]
    assert list(validator.iter_errors({"prompt": "x", "model": "sd3.5-large"})) != []


def test_an_alias_the_request_model_does_not_know_is_refused():
    with pytest.raises(UnsupportedSchema, match="does not accept the enabled models"):
        request_model_schema(["core", "dall-e"])


def test_later_draft_keywords_are_rewritten():
    converted = to_draft4(
        {
            "$defs": {"Weight": {"type": "number", "exclusiveMinimum": 0, "examples": [1]}},
            "type": "object",
            "properties": {
                "kind": {"const": "image"},
                "weight": {"$ref": "#/$defs/Weight", "description": "how much"},
            },
        }
    )

    assert converted == {
        "$schema": DRAFT4,
        "type": "object",
        "properties": {
            "kind": {"enum": ["image"]},
            "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "description": "how much"},
        },
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"prefixItems": [{"type": "string"}]}, "draft 4 has no 'prefixItems'"),
        ({"if": {"type": "string"}, "then": {"minLength": 1}}, "draft 4 has no 'if'"),
        ({"$defs": {"Node": {"items": {"$ref": "#/$defs/Node"}}}, "$ref": "#/$defs/Node"}, "recursive"),
        ({"$ref": "#/$defs/Missing"}, "cannot resolve"),
    ],
)
def test_what_draft4_cannot_express_is_an_error_not_a_looser_schema(schema, message):
    with pytest.raises(UnsupportedSchema, match=message):
        to_draft4(schema)


def test_api_gateway_takes_an_integer_written_with_a_zero_fraction_as_the_function_does():
    # Draft 4's own "integer" refuses 5.0; the function (like JSON Schema since draft 6) takes it.
    validator = Draft4Validator(request_model_schema(["core"]))
    assert validator.is_valid({"prompt": "a", "seed": 5.0, "count": 2.0})
    assert not validator.is_valid({"prompt": "a", "seed": 5.5})
    assert not validator.is_valid({"prompt": "a", "count": True})


def test_pydantic_bounds_written_under_their_own_names_become_draft4_bounds():
    converted = to_draft4({"type": "integer", "ge": 0, "le": 10, "title": "Seed"})

    assert converted == {
        "$schema": DRAFT4,
        "type": "number",
        "multipleOf": 1,
        "minimum": 0,
        "maximum": 10,
        "title": "Seed",
    }
    assert Draft4Validator(converted).is_valid(10)
    assert not Draft4Validator(converted).is_valid(11)


@pytest.mark.parametrize("operation", list(OPERATIONS.values()), ids=lambda op: op.name)
def test_every_operations_request_converts_with_its_image_inputs_as_a_union(operation):
    schema = operation_request_schema(operation, ["core"])
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema)

    assert not {"$defs", "$ref", "const", "ge", "le"} & set(_keywords(schema))
    for name in operation.request.IMAGE_FIELDS:
        image = schema["properties"][name]
        # A base64 string, {"upload_id"} or {"s3_key"}: each branch inlined.
        assert {branch.get("type") for branch in image["anyOf"]} >= {"string", "object"}
        objects = [branch for branch in image["anyOf"] if branch.get("type") == "object"]
        assert sorted(next(iter(branch["properties"])) for branch in objects) == ["s3_key", "upload_id"]
        assert all(branch["additionalProperties"] is False for branch in objects)
    # Every image field set to the image tried, the other required fields to a word (images
    # needs a prompt without requiring it in the schema: prompt or text_prompts); outpaint a margin.
    minimal: dict[str, object] = {name: "a lighthouse" for name in schema.get("required", [])}
    if "prompt" in schema["properties"]:
        minimal["prompt"] = "a lighthouse"
    if "left" in schema["properties"]:
        minimal["left"] = 100
    fields = operation.request.IMAGE_FIELDS
    for image in ("iVBORw0KGgoAAAANSUhEUg==", {"upload_id": "0" * 32}, {"s3_key": "uploads/" + "0" * 32}):
        assert validator.is_valid({**minimal, **dict.fromkeys(fields, image)}), image
    for image in ("short", {"upload_id": "x"}, {"s3_key": "images/a.png"}, {"upload_id": "0" * 32, "s3_key": "x"}):
        assert not validator.is_valid({**minimal, **dict.fromkeys(fields, image)}), image


def test_the_job_schema_is_any_operations_request_with_operation_naming_it():
    operations = [OPERATIONS["images"], OPERATIONS["upscale/fast"]]
    schema = job_request_schema(operations, ["core"])
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema)

    assert schema["properties"]["operation"]["enum"] == ["images", "upscale/fast"]
    images, fast = schema["anyOf"]
    assert "$schema" not in images and "$schema" not in fast
    assert "operation" not in images.get("required", [])
    assert "operation" in fast["required"]
    assert validator.is_valid({"prompt": "a"})
    assert validator.is_valid({"operation": "upscale/fast", "image": {"upload_id": "0" * 32}})
    # A field of another operation is unknown to this one.
    assert not validator.is_valid({"operation": "upscale/fast", "image": {"upload_id": "0" * 32}, "count": 2})
    assert not validator.is_valid({"operation": "upscale/creative", "prompt": "a"})
    error_messages = [error.message for error in validator.iter_errors({"operation": "erase", "prompt": "a"})]
    assert any("is not one of ['images', 'upscale/fast']" in message for message in error_messages)


def test_the_upload_schema_is_draft4_with_no_empty_required_list():
    schema = upload_request_schema()
    Draft4Validator.check_schema(schema)

    assert schema["properties"]["content_type"]["enum"] == ["image/png", "image/jpeg", "image/webp"]
    assert "required" not in schema
