"""The operations' request models: their documented ranges on both sides of each edge, the ways
an image may be given per kind of request, and the Bedrock body each sends."""

from __future__ import annotations

import pytest
from imagegen.models.errors import ValidationFailed
from imagegen.models.image_inputs import API_SOURCES, EVENT_SOURCES, STORED_SOURCES
from imagegen.models.operations import OPERATIONS, job_request_schema, parse_request

UPLOAD = {"upload_id": "0123456789abcdef0123456789abcdef"}
ALL = tuple(OPERATIONS)


def parse(operation: str, document: dict, sources=API_SOURCES):
    return parse_request(
        document,
        enabled_operations=ALL,
        enabled_models=("core", "ultra", "sd3.5-large"),
        sources=sources,
        operation_name=operation,
    )[1]


def refused_field(operation: str, document: dict, sources=API_SOURCES) -> str:
    with pytest.raises(ValidationFailed) as raised:
        parse(operation, document, sources)
    return raised.value.details["errors"][0]["field"]


@pytest.mark.parametrize(
    ("operation", "field", "low", "high", "below", "above"),
    [
        ("upscale/conservative", "creativity", 0.1, 0.5, 0.09, 0.51),
        ("upscale/creative", "creativity", 0.1, 0.5, 0.09, 0.51),
        ("upscale/conservative", "seed", 0, 4_294_967_294, -1, 4_294_967_295),
        ("upscale/creative", "seed", 0, 4_294_967_294, -1, 4_294_967_295),
    ],
)
def test_documented_ranges_hold_at_both_edges(operation, field, low, high, below, above):
    base = {"image": UPLOAD, "prompt": "a barn"}
    for value in (low, high):
        assert getattr(parse(operation, {**base, field: value}), field) == value
    for value in (below, above):
        assert refused_field(operation, {**base, field: value}) == field


@pytest.mark.parametrize("operation", ["upscale/conservative", "upscale/creative"])
def test_upscalers_with_a_prompt_need_one(operation):
    assert refused_field(operation, {"image": UPLOAD}) == "prompt"


def test_style_presets_are_the_documented_list():
    assert parse("upscale/creative", {"image": UPLOAD, "prompt": "x", "style_preset": "pixel-art"})
    assert refused_field("upscale/creative", {"image": UPLOAD, "prompt": "x", "style_preset": "watercolour"}) == (
        "style_preset"
    )


@pytest.mark.parametrize("operation", ["upscale/fast", "edit/remove-background"])
def test_operations_without_a_seed_or_prompt_refuse_them(operation):
    assert refused_field(operation, {"image": UPLOAD, "seed": 5}) == "seed"
    assert refused_field(operation, {"image": UPLOAD, "prompt": "x"}) == "prompt"


# The least each service needs.
MINIMAL: dict[str, dict] = {
    "upscale/fast": {"image": UPLOAD},
    "upscale/conservative": {"image": UPLOAD, "prompt": "x"},
    "upscale/creative": {"image": UPLOAD, "prompt": "x"},
    "edit/remove-background": {"image": UPLOAD},
    "edit/inpaint": {"image": UPLOAD, "prompt": "x"},
    "edit/outpaint": {"image": UPLOAD, "up": 1},
    "edit/erase": {"image": UPLOAD},
    "edit/search-and-replace": {"image": UPLOAD, "prompt": "x", "search_prompt": "y"},
    "edit/search-and-recolor": {"image": UPLOAD, "prompt": "x", "select_prompt": "y"},
    "control/sketch": {"image": UPLOAD, "prompt": "x"},
    "control/structure": {"image": UPLOAD, "prompt": "x"},
    "control/style-guide": {"image": UPLOAD, "prompt": "x"},
    "control/style-transfer": {"init_image": UPLOAD, "style_image": UPLOAD},
}


def test_every_service_is_covered():
    assert set(MINIMAL) == set(ALL) - {"images"}


@pytest.mark.parametrize("operation", MINIMAL)
def test_webp_output_where_the_model_takes_it(operation):
    assert parse(operation, {**MINIMAL[operation], "output_format": "WebP"}).output_format == "webp"


@pytest.mark.parametrize("operation", MINIMAL)
def test_each_required_field_is_required(operation):
    for name in MINIMAL[operation]:
        document = {key: value for key, value in MINIMAL[operation].items() if key != name}
        with pytest.raises(ValidationFailed):
            parse(operation, document)


def test_text_to_image_keeps_png_and_jpeg():
    assert refused_field("images", {"prompt": "x", "output_format": "webp"}) == "output_format"


@pytest.mark.parametrize(
    ("sources", "image", "accepted"),
    [
        (API_SOURCES, UPLOAD, True),
        (API_SOURCES, {"s3_key": "uploads/abc"}, False),
        (EVENT_SOURCES, {"s3_key": "inputs/a/b.png"}, True),
        (EVENT_SOURCES, UPLOAD, False),
        (EVENT_SOURCES, "aGVsbG8gd29ybGQgaGVsbG8=", True),
        (STORED_SOURCES, {"s3_key": "inputs/sha256/x.png"}, True),
        (STORED_SOURCES, "aGVsbG8gd29ybGQgaGVsbG8=", False),
    ],
)
def test_where_images_may_come_from_depends_on_the_kind_of_request(sources, image, accepted):
    if accepted:
        assert parse("upscale/fast", {"image": image}, sources).images() == {
            "image": parse("upscale/fast", {"image": image}, sources).image
        }
    else:
        assert refused_field("upscale/fast", {"image": image}, sources) == "image"


@pytest.mark.parametrize(
    "key", ["images/x.png", "requests/x.json", "results/x.json", "uploads/../x", "inputs/./x", "uploads/", "x.png"]
)
def test_s3_keys_only_under_uploads_or_inputs(key):
    assert refused_field("upscale/fast", {"image": {"s3_key": key}}, EVENT_SOURCES).startswith("image")


@pytest.mark.parametrize(
    ("operation", "document", "body"),
    [
        ("upscale/fast", {"image": UPLOAD}, {"image": "B64", "output_format": "png"}),
        (
            "upscale/conservative",
            {"image": UPLOAD, "prompt": "barn", "negative_prompt": "fog"},
            {
                "image": "B64",
                "prompt": "barn",
                "negative_prompt": "fog",
                "creativity": 0.35,
                "output_format": "png",
                "seed": 9,
            },
        ),
        (
            "upscale/creative",
            {"image": UPLOAD, "prompt": "barn", "style_preset": "anime", "output_format": "jpeg"},
            {
                "image": "B64",
                "prompt": "barn",
                "creativity": 0.3,
                "style_preset": "anime",
                "output_format": "jpeg",
                "seed": 9,
            },
        ),
        (
            "edit/remove-background",
            {"image": UPLOAD, "output_format": "webp"},
            {"image": "B64", "output_format": "webp"},
        ),
        (
            "images",
            {"prompt": "barn", "image": UPLOAD, "strength": 0.4, "model": "sd3.5-large"},
            {
                "prompt": "barn",
                "image": "B64",
                "strength": 0.4,
                "mode": "image-to-image",
                "seed": 9,
                "output_format": "png",
            },
        ),
        (
            "images",
            {"prompt": "barn", "image": UPLOAD, "model": "ultra"},
            {"prompt": "barn", "image": "B64", "seed": 9, "output_format": "png"},
        ),
        (
            "edit/inpaint",
            {"image": UPLOAD, "mask": UPLOAD, "prompt": "cat"},
            {"image": "B64", "mask": "M64", "prompt": "cat", "grow_mask": 5, "output_format": "png", "seed": 9},
        ),
        (
            "edit/outpaint",
            {"image": UPLOAD, "left": 200},
            {
                "image": "B64",
                "left": 200,
                "right": 0,
                "up": 0,
                "down": 0,
                "creativity": 0.5,
                "output_format": "png",
                "seed": 9,
            },
        ),
        (
            "control/style-transfer",
            {"init_image": UPLOAD, "style_image": UPLOAD},
            {
                "init_image": "I64",
                "style_image": "S64",
                "composition_fidelity": 0.9,
                "style_strength": 1.0,
                "change_strength": 0.9,
                "output_format": "png",
                "seed": 9,
            },
        ),
    ],
)
def test_each_operation_sends_only_its_documented_fields(operation, document, body):
    images = {"image": "B64", "mask": "M64", "init_image": "I64", "style_image": "S64"}
    request = parse(operation, document)
    given = {name: images[name] for name in request.images()}
    assert request.bedrock_body(seed=9, images=given) == body


def test_a_job_names_its_operation_and_images_are_its_default():
    op, _ = parse_request(
        {"operation": "upscale/fast", "image": UPLOAD},
        enabled_operations=ALL,
        enabled_models=("core",),
        sources=API_SOURCES,
    )
    assert op.name == "upscale/fast"
    op, _ = parse_request({"prompt": "x"}, enabled_operations=ALL, enabled_models=("core",), sources=API_SOURCES)
    assert op.name == "images"
    for bad in ("upscale", 5, None):
        with pytest.raises(ValidationFailed) as raised:
            parse_request({"operation": bad}, enabled_operations=ALL, enabled_models=("core",), sources=API_SOURCES)
        assert raised.value.details["errors"][0]["field"] == "operation"


def test_the_job_schema_offers_each_enabled_operation():
    schema = job_request_schema(["images", "upscale/fast"])
    [images, fast] = schema["oneOf"]
    assert "operation" not in images["required"] and fast["required"][0] == "operation"
    assert fast["properties"]["operation"] == {"type": "string", "enum": ["upscale/fast"]}
