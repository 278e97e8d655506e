"""Edits and control: masks (given, or an image's alpha), outpaint's margins, two-image style
transfer, each refused with the field it is about before any model call, and the documented
properties of what comes back (pixels outside the mask as they were, the original in place)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageChops

from tests.integration.conftest import image_keys
from tests.integration.test_operations import b64, fetched, picture, put_input, upload

SIZE = (240, 160)
# The area a mask marks (white), and how far beyond it an edit may reach: grow_mask plus the blur.
HOLE = (90, 50, 150, 110)


def mask_png(size: tuple[int, int] = SIZE, hole: tuple[int, int, int, int] = HOLE) -> bytes:
    mask = Image.new("L", size, 0)
    mask.paste(255, hole)
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return buffer.getvalue()


def photo(size: tuple[int, int] = SIZE, *, alpha_hole: tuple[int, int, int, int] | None = None) -> bytes:
    """A picture with detail everywhere (so a change shows), optionally transparent in one area."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = ImageChops.add(image, Image.new("RGB", size, (10, 60, 120)))
    if alpha_hole is not None:
        alpha = Image.new("L", size, 255)
        alpha.paste(0, alpha_hole)
        image.putalpha(alpha)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _outside(box: tuple[int, int, int, int], margin: int, size: tuple[int, int]) -> list[tuple[int, int]]:
    """Sample points farther than `margin` from `box`."""
    left, top, right, bottom = box
    points = []
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 7):
            if not (left - margin <= x < right + margin and top - margin <= y < bottom + margin):
                points.append((x, y))
    return points


def _rgb(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def assert_changed_inside_only(original: bytes, result: Image.Image, hole: tuple[int, int, int, int], grow: int):
    before, after = _rgb(original), result.convert("RGB")
    assert after.size == before.size
    for point in _outside(hole, grow + 2, before.size):
        assert after.getpixel(point) == before.getpixel(point), point
    centre = ((hole[0] + hole[2]) // 2, (hole[1] + hole[3]) // 2)
    assert after.getpixel(centre) != before.getpixel(centre)


@pytest.mark.parametrize("form", ["inline", "upload"])
def test_inpaint_changes_the_masked_area_only(api, form):
    image, mask = photo(), mask_png()
    if form == "inline":
        inputs: dict[str, Any] = {"image": b64(image), "mask": b64(mask)}
    else:
        inputs = {"image": {"upload_id": upload(api, image)}, "mask": {"upload_id": upload(api, mask)}}
    status, _, body = api("POST", "/edit/inpaint", {**inputs, "prompt": "a cat", "grow_mask": 4})
    assert status == 200, body
    assert set(body["inputs"]) == {"image", "mask"}
    assert_changed_inside_only(image, fetched(body["images"][0]["url"]), HOLE, 4)


def test_inpaint_from_an_s3_drop_with_its_mask_by_key(api, aws, worker_source):
    import json

    from tests.integration.conftest import drain

    image, mask = photo(), mask_png()
    put_input(aws, "inputs/room.png", image)
    put_input(aws, "inputs/room-mask.png", mask)
    request = {
        "operation": "edit/inpaint",
        "image": {"s3_key": "inputs/room.png"},
        "mask": {"s3_key": "inputs/room-mask.png"},
        "prompt": "a cat",
        "grow_mask": 0,
    }
    aws.client("s3").put_object(Bucket=aws.bucket, Key="requests/room.json", Body=json.dumps(request))
    drain(worker_source)
    result = json.loads(aws.client("s3").get_object(Bucket=aws.bucket, Key="results/room.json")["Body"].read())
    assert result["status"] == "succeeded", result
    assert result["inputs"] == {"image": "inputs/room.png", "mask": "inputs/room-mask.png"}
    job = api("GET", f"/jobs/{result['job_id']}")[2]
    assert_changed_inside_only(image, fetched(job["images"][0]["url"]), HOLE, 0)


def test_erase_uses_the_images_alpha_as_its_mask(api):
    image = photo(alpha_hole=HOLE)
    status, _, body = api("POST", "/edit/erase", {"image": b64(image), "grow_mask": 2})
    assert status == 200, body
    assert_changed_inside_only(image, fetched(body["images"][0]["url"]), HOLE, 2)


@pytest.mark.parametrize("operation", ["edit/inpaint", "edit/erase"])
def test_a_mask_of_another_size_is_refused_naming_mask(api, model, operation):
    before = model.count()
    request = {"image": b64(photo()), "mask": b64(mask_png((SIZE[0] + 1, SIZE[1])))}
    if operation == "edit/inpaint":
        request["prompt"] = "a cat"
    status, _, body = api("POST", f"/{operation}", request)
    assert status == 400
    [error] = body["error"]["details"]["errors"]
    assert error["field"] == "mask" and "240x160" in error["message"]
    assert model.count() == before


def test_no_mask_and_no_alpha_is_refused_naming_mask(api, model):
    before = model.count()
    status, _, body = api("POST", "/edit/erase", {"image": b64(photo())})
    assert (status, body["error"]["details"]["errors"][0]["field"]) == (400, "mask")
    assert model.count() == before


@pytest.mark.parametrize(("grow_mask", "status"), [(0, 200), (20, 200), (21, 400), (-1, 400)])
def test_grow_mask_within_its_documented_range(api, grow_mask, status):
    request = {"image": b64(photo()), "mask": b64(mask_png()), "grow_mask": grow_mask}
    assert api("POST", "/edit/erase", request)[0] == status


def test_outpaint_grows_the_image_with_the_original_in_place(api):
    image = photo()
    status, _, body = api("POST", "/edit/outpaint", {"image": b64(image), "left": 200, "up": 10})
    assert status == 200, body
    result = fetched(body["images"][0]["url"]).convert("RGB")
    assert result.size == (SIZE[0] + 200, SIZE[1] + 10)
    original = _rgb(image)
    for x, y in _outside((0, 0, 0, 0), -1, SIZE)[::5]:
        assert result.getpixel((x + 200, y + 10)) == original.getpixel((x, y))


@pytest.mark.parametrize(
    ("margins", "field"),
    [
        ({}, "left"),
        ({"left": 0, "down": 0}, "left"),
        ({"right": 2001}, "right"),
        ({"up": -5}, "up"),
        ({"down": 1.5}, "down"),
    ],
)
def test_outpaint_margins_are_checked(api, model, margins, field):
    before = model.count()
    status, _, body = api("POST", "/edit/outpaint", {"image": b64(photo()), **margins})
    assert status == 400, body
    assert body["error"]["details"]["errors"][0]["field"] == field
    assert model.count() == before


def test_outpaint_may_not_grow_past_the_largest_image(api, model):
    before = model.count()
    big = picture(3072, 3000)  # 9,216,000 px: 74 more columns pass 9,437,184
    assert api("POST", "/edit/outpaint", {"image": b64(big), "left": 73})[0] == 200
    status, _, body = api("POST", "/edit/outpaint", {"image": b64(big), "left": 74})
    assert status == 400 and body["error"]["details"]["errors"][0]["field"] == "image"
    assert "9,437,184" in body["error"]["message"]
    assert model.count() == before + 1


def test_style_transfer_returns_the_init_images_size(api):
    status, _, body = api(
        "POST",
        "/control/style-transfer",
        {"init_image": b64(photo((200, 120))), "style_image": b64(photo((128, 128))), "change_strength": 0.5},
    )
    assert status == 200, body
    assert (body["images"][0]["width"], body["images"][0]["height"]) == (200, 120)
    assert set(body["inputs"]) == {"init_image", "style_image"}


@pytest.mark.parametrize("bad", ["init_image", "style_image"])
def test_style_transfers_two_images_are_each_checked_and_named(api, model, bad):
    before = model.count()
    images = {"init_image": b64(photo()), "style_image": b64(photo())}
    images[bad] = b64(picture(40, 40))  # under 64 px a side
    status, _, body = api("POST", "/control/style-transfer", images)
    assert status == 400
    assert [error["field"] for error in body["error"]["details"]["errors"]] == [bad]
    assert model.count() == before


@pytest.mark.parametrize(
    ("operation", "field", "value"),
    [
        ("control/sketch", "style_preset", "watercolour"),
        ("control/sketch", "control_strength", 1.01),
        ("control/style-guide", "fidelity", -0.1),
        ("control/style-guide", "aspect_ratio", "4:3"),
        ("control/style-transfer", "change_strength", 0.05),
        ("edit/search-and-replace", "search_prompt", " "),
        ("edit/search-and-recolor", "select_prompt", ""),
        ("edit/inpaint", "prompt", ""),
    ],
)
def test_documented_fields_are_validated(api, operation, field, value):
    image_fields = (
        {"init_image": b64(photo()), "style_image": b64(photo())}
        if operation == "control/style-transfer"
        else {"image": b64(photo(alpha_hole=HOLE))}
    )
    base = {"prompt": "x", "search_prompt": "y", "select_prompt": "z"}
    needed = {
        "control/sketch": ("prompt",),
        "control/style-guide": ("prompt",),
        "control/style-transfer": (),
        "edit/search-and-replace": ("prompt", "search_prompt"),
        "edit/search-and-recolor": ("prompt", "select_prompt"),
        "edit/inpaint": ("prompt",),
    }[operation]
    request = {**image_fields, **{name: base[name] for name in needed}}
    assert api("POST", f"/{operation}", request)[0] == 200
    status, _, body = api("POST", f"/{operation}", {**request, field: value})
    assert status == 400 and body["error"]["details"]["errors"][0]["field"] == field


def test_an_edit_whose_input_the_model_filters_stores_nothing(api, aws, model):
    before = image_keys(aws)
    model.fault("filter_input")
    status, _, body = api(
        "POST", "/edit/search-and-replace", {"image": b64(photo()), "prompt": "a", "search_prompt": "b"}
    )
    assert (status, body["error"]["details"]["reason"]) == (422, "Filter reason: input image")
    assert image_keys(aws) == before
