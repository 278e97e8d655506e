"""Image inputs and the operations on them, through every entry point: synchronously, as a job,
as an S3 drop and as an EventBridge event; with every input form (inline, upload, S3 key);
each documented input limit on both sides of its edge, refused before any model call."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from imagegen.models.operations import OPERATIONS
from PIL import Image

from tests.integration.conftest import configure, drain, image_keys, signed_by, take_messages

RED = (200, 30, 30)


def picture(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    """A small picture: a colour field with a square in the middle (so operations have pixels to change)."""
    image = Image.new(mode, (width, height), RED if mode == "RGB" else (*RED, 255))
    square = Image.new(mode, (max(width // 3, 1), max(height // 3, 1)), "navy")
    image.paste(square, (width // 3, height // 3))
    if mode == "RGBA":  # a transparent border
        alpha = Image.new("L", (width, height), 0)
        alpha.paste(255, (width // 8, height // 8, width - width // 8, height - height // 8))
        image.putalpha(alpha)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"compress_level": 1} if fmt == "PNG" else {}))
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def fetched(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def about(pixels: int, target: int = 4_194_304) -> bool:
    return abs(pixels - target) / target < 0.01


# Each operation: the fields besides its image, what its output's size must be, and the mode of
# the picture it is given (an image with alpha marks what inpaint and erase change).
SizeRule = Callable[[tuple[int, int], tuple[int, int]], bool]
SAME_SIZE: SizeRule = lambda given, out: out == given  # noqa: E731
OPERATION_CASES: dict[str, tuple[dict[str, Any], SizeRule, str]] = {
    "images": (
        {"prompt": "a red barn", "model": "sd3.5-large", "strength": 0.6},
        lambda given, out: abs(out[0] / out[1] - given[0] / given[1]) < 0.1,
        "RGB",
    ),
    "upscale/fast": ({}, lambda given, out: out == (given[0] * 4, given[1] * 4), "RGB"),
    "upscale/conservative": ({"prompt": "a red barn"}, lambda given, out: about(out[0] * out[1]), "RGB"),
    "upscale/creative": (
        {"prompt": "a red barn", "creativity": 0.4},
        lambda given, out: about(out[0] * out[1]),
        "RGB",
    ),
    "edit/remove-background": ({}, SAME_SIZE, "RGB"),
    "edit/inpaint": ({"prompt": "a cat on the sofa", "grow_mask": 3}, SAME_SIZE, "RGBA"),
    "edit/outpaint": ({"left": 200, "down": 8}, lambda given, out: out == (given[0] + 200, given[1] + 8), "RGB"),
    "edit/erase": ({}, SAME_SIZE, "RGBA"),
    "edit/search-and-replace": ({"prompt": "a dog", "search_prompt": "the cat"}, SAME_SIZE, "RGB"),
    "edit/search-and-recolor": ({"prompt": "bright blue", "select_prompt": "the car"}, SAME_SIZE, "RGB"),
    "control/sketch": ({"prompt": "a castle", "control_strength": 0.5}, SAME_SIZE, "RGB"),
    "control/structure": ({"prompt": "a castle", "style_preset": "anime"}, SAME_SIZE, "RGB"),
    "control/style-guide": (
        {"prompt": "a castle", "aspect_ratio": "16:9", "fidelity": 0.8},
        lambda given, out: out == (1344, 768),
        "RGB",
    ),
    "control/style-transfer": ({"prompt": "a castle", "style_strength": 0.7}, SAME_SIZE, "RGB"),
}
INPUT_SIZE = (256, 192)


def upload(api, data: bytes, *, headers: dict[str, str] | None = None, content_type: str = "image/png") -> str:
    """Uploads `data` as a browser would: POST /uploads, then the presigned POST to S3."""
    status, _, form = api("POST", "/uploads", {"content_type": content_type}, headers=headers)
    assert status == 201, form
    response = requests.post(form["url"], data=form["fields"], files={"file": ("image", data)}, timeout=10)
    assert response.status_code == 204, response.text
    return form["upload_id"]


def check_result(body: dict[str, Any], operation: str, given: tuple[int, int]) -> Image.Image:
    _, rule, _ = OPERATION_CASES[operation]
    assert body["operation"] == operation
    [view] = body["images"]
    image = fetched(view["url"])
    assert (view["width"], view["height"]) == image.size
    assert rule(given, image.size), (given, image.size)
    if operation == "edit/remove-background":
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # a transparent border
        assert image.getpixel((image.width // 2, image.height // 2))[3] == 255
    return image


def request_for(operation: str, image: Any) -> dict[str, Any]:
    """The operation's request with `image` as its image (style transfer: as both of its images)."""
    fields, _, _ = OPERATION_CASES[operation]
    if operation == "control/style-transfer":
        return {"init_image": image, "style_image": image, **fields}
    return {"image": image, **fields}


def input_for(operation: str, width: int, height: int, fmt: str = "PNG") -> bytes:
    return picture(width, height, fmt, OPERATION_CASES[operation][2])


@pytest.mark.parametrize("operation", OPERATION_CASES)
def test_each_operation_runs_synchronously_on_an_inline_image(api, operation):
    status, _, body = api("POST", f"/{operation}", request_for(operation, b64(input_for(operation, *INPUT_SIZE))))
    assert status == 200, body
    check_result(body, operation, INPUT_SIZE)
    assert all(reference.startswith("inline:sha256:") for reference in body["inputs"].values())


@pytest.mark.parametrize("operation", OPERATION_CASES)
def test_each_operation_runs_on_an_upload_and_its_image_names_the_operation_and_input(api, aws, operation):
    upload_id = upload(api, input_for(operation, *INPUT_SIZE))
    status, _, body = api("POST", f"/{operation}", request_for(operation, {"upload_id": upload_id}))
    assert status == 200, body
    check_result(body, operation, INPUT_SIZE)
    assert set(body["inputs"].values()) == {f"uploads/{upload_id}"}
    head = aws.client("s3").head_object(Bucket=aws.bucket, Key=body["images"][0]["key"])
    assert head["Metadata"]["operation"] == operation
    assert {head["Metadata"][f"input-{name}"] for name in body["inputs"]} == {f"uploads/{upload_id}"}


@pytest.mark.parametrize("operation", OPERATION_CASES)
@pytest.mark.parametrize("form", ["inline", "upload"])
def test_each_operation_runs_as_a_job(api, worker_source, operation, form):
    data = input_for(operation, *INPUT_SIZE)
    image = b64(data) if form == "inline" else {"upload_id": upload(api, data)}
    status, _, accepted = api("POST", "/jobs", {"operation": operation, **request_for(operation, image)})
    assert status == 202, accepted
    drain(worker_source)
    job = api("GET", f"/jobs/{accepted['job_id']}")[2]
    assert job["status"] == "succeeded", job.get("error")
    check_result(job, operation, INPUT_SIZE)
    # An inline image waits for its job under inputs/, named by its content.
    prefix = f"inputs/{datetime.now(UTC):%Y-%m-%d}/" if form == "inline" else "uploads/"
    assert job["inputs"] and all(key.startswith(prefix) for key in job["inputs"].values())


def put_input(aws, key: str, data: bytes) -> None:
    aws.client("s3").put_object(Bucket=aws.bucket, Key=key, Body=data, ContentType="image/png")


def result_document(aws, name: str) -> dict[str, Any]:
    body = aws.client("s3").get_object(Bucket=aws.bucket, Key=f"results/{name}.json")["Body"].read()
    return json.loads(body)


@pytest.mark.parametrize("operation", OPERATION_CASES)
def test_each_operation_runs_from_an_s3_drop_naming_its_input_by_key(api, aws, worker_source, operation):
    name = "drop-" + operation.replace("/", "-")
    put_input(aws, f"inputs/{name}.png", input_for(operation, *INPUT_SIZE))
    request = {"operation": operation, **request_for(operation, {"s3_key": f"inputs/{name}.png"})}
    aws.client("s3").put_object(Bucket=aws.bucket, Key=f"requests/{name}.json", Body=json.dumps(request))
    drain(worker_source)
    result = result_document(aws, name)
    assert result["status"] == "succeeded", result
    assert set(result["inputs"].values()) == {f"inputs/{name}.png"}
    check_result(api("GET", f"/jobs/{result['job_id']}")[2], operation, INPUT_SIZE)


@pytest.mark.parametrize("operation", OPERATION_CASES)
@pytest.mark.parametrize("form", ["s3_key", "inline"])
def test_each_operation_runs_from_an_event_and_announces_the_operation(api, aws, worker_source, operation, form):
    request_id = f"event-{form}-" + operation.replace("/", "-")
    data = input_for(operation, 96, 64)  # small: an event carries at most 256 KB
    if form == "s3_key":
        put_input(aws, f"uploads/{request_id}", data)
        image: Any = {"s3_key": f"uploads/{request_id}"}
    else:
        image = b64(data)
    detail = {"request_id": request_id, "operation": operation, **request_for(operation, image)}
    aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": aws.event_bus,
                "Source": "app",
                "DetailType": "ImageGenerationRequested",
                "Detail": json.dumps(detail),
            }
        ]
    )
    drain(worker_source)
    [outcome] = [json.loads(body) for body in take_messages(aws, aws.outcomes_queue_name)]
    assert outcome["detail-type"] == "ImageGenerationCompleted", outcome
    assert outcome["detail"]["operation"] == operation
    result = result_document(aws, request_id)
    check_result(api("GET", f"/jobs/{result['job_id']}")[2], operation, (96, 64))


@pytest.mark.parametrize(("fmt", "mode"), [("WEBP", "RGB"), ("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGBA")])
def test_webp_jpeg_and_images_with_alpha_are_inputs(api, fmt, mode):
    status, _, body = api("POST", "/upscale/fast", {"image": b64(picture(100, 80, fmt, mode)), "output_format": "webp"})
    assert status == 200, body
    [view] = body["images"]
    assert (view["content_type"], view["width"], view["height"]) == ("image/webp", 400, 320)
    assert view["key"].endswith(".webp")


def test_a_data_url_is_an_inline_image(api):
    url = "data:image/png;base64," + b64(picture(64, 64))
    status, _, body = api("POST", "/edit/remove-background", {"image": url})
    assert status == 200, body


def _edges(operation: str) -> list[tuple[str, tuple[int, int], bool]]:
    """Sizes on both sides of each of the operation's documented limits: (limit, size, accepted)."""
    limits = OPERATIONS[operation].limits(OPERATIONS[operation].request.IMAGE_FIELDS[0])
    side = limits.min_side
    cases = [("min side", (side, max(side, limits.min_pixels // side)), True)]
    cases.append(("min side", (side - 1, max(side * 2, limits.min_pixels // (side - 1) + 1)), False))
    if limits.max_side:
        cases.append(("max side", (limits.max_side, max(limits.min_pixels // limits.max_side, 64)), True))
        cases.append(("max side", (limits.max_side + 1, 64), False))
    top = limits.max_pixels
    width = 1024 if top <= 1_048_576 else 3072
    if operation != "edit/outpaint":  # outpainted, the largest input would grow past the limit
        cases.append(("max pixels", (width, top // width), True))
    cases.append(("max pixels", (width, top // width + 1), False))
    if limits.max_aspect:
        cases.append(("aspect", (250, 100), True))
        cases.append(("aspect", (252, 100), False))
    return cases


EDGE_CASES = [(op, *edge) for op in OPERATION_CASES if op != "images" for edge in _edges(op)]


@pytest.mark.parametrize(("operation", "limit", "size", "accepted"), EDGE_CASES)
def test_each_input_limit_on_both_sides_of_its_edge(api, model, operation, limit, size, accepted):
    before = model.count()
    status, _, body = api("POST", f"/{operation}", request_for(operation, b64(input_for(operation, *size))))
    if accepted:
        assert status == 200, (limit, size, body)
    else:
        assert status == 400, (limit, size, body)
        [error] = body["error"]["details"]["errors"]
        assert error["field"] == ("init_image" if operation == "control/style-transfer" else "image")
        assert model.count() == before  # refused before any model call


@pytest.mark.parametrize(
    ("image", "field", "message"),
    [
        ("bm90IGFuIGltYWdlIGF0IGFsbA==", "image", "not a PNG, JPEG or WebP"),
        ("%%% not base64 %%%", "image", "neither base64"),
        ({"upload_id": "0" * 32}, "image.upload_id", "no upload"),
        ({"s3_key": "uploads/x.png"}, "image", "s3_key is for S3 drops and events"),
        ({"upload_id": "not-an-id"}, "image.upload_id", "32 hexadecimal digits"),
        (5, "image", "an image is base64 text"),
    ],
)
def test_bad_inputs_are_400s_naming_the_field_before_any_model_call(api, model, image, field, message):
    before = model.count()
    status, _, body = api("POST", "/upscale/fast", {"image": image})
    assert status == 400, body
    fields = {error["field"]: error["message"] for error in body["error"]["details"]["errors"]}
    assert any(name.startswith(field) and message in text for name, text in fields.items()), fields
    assert model.count() == before


def test_another_callers_upload_is_refused_as_if_missing(api, model):
    upload_id = upload(api, picture(64, 64), headers=signed_by("AKIDOWNER"))
    before = model.count()
    status, _, body = api("POST", "/upscale/fast", {"image": {"upload_id": upload_id}}, headers=signed_by("AKIDOTHER"))
    assert status == 400
    assert body["error"]["details"]["errors"][0]["field"] == "image.upload_id"
    assert "no upload" in body["error"]["message"]
    assert api("POST", "/upscale/fast", {"image": {"upload_id": upload_id}}, headers=signed_by("AKIDOWNER"))[0] == 200
    assert model.count() == before + 1


def test_an_expired_upload_is_refused(api, monkeypatch):
    from imagegen.logic import image_inputs

    upload_id = upload(api, picture(64, 64))

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime.now(tz) + timedelta(days=8)

    monkeypatch.setattr(image_inputs, "datetime", Later)
    status, _, body = api("POST", "/upscale/fast", {"image": {"upload_id": upload_id}})
    assert status == 400
    assert "expired" in body["error"]["details"]["errors"][0]["message"]


def test_uploads_s3_refuses_a_file_over_the_limit_or_of_another_type(api):
    status, _, form = api("POST", "/uploads", {"content_type": "image/png"})
    assert status == 201 and form["max_bytes"] == 18_000_000
    assert datetime.fromisoformat(form["expires_at"]) > datetime.now(UTC)
    wrong_type = {**form["fields"], "Content-Type": "text/html"}
    response = requests.post(form["url"], data=wrong_type, files={"file": ("x", b"<html>")}, timeout=10)
    assert response.status_code == 403
    # Without a declared type, the form is sent as it is (its bytes say what the image is when used).
    status, _, form = api("POST", "/uploads")
    assert status == 201 and "Content-Type" not in form["fields"]
    response = requests.post(form["url"], data=form["fields"], files={"file": ("x", picture(64, 64))}, timeout=10)
    assert response.status_code == 204
    assert api("POST", "/upscale/fast", {"image": {"upload_id": form["upload_id"]}})[0] == 200


def test_an_input_image_the_model_filters_stores_nothing(api, aws, model):
    before = image_keys(aws)
    model.fault("filter_input")
    status, _, body = api("POST", "/upscale/conservative", request_for("upscale/conservative", b64(picture(64, 64))))
    assert (status, body["error"]["code"], body["error"]["details"]["reason"]) == (
        422,
        "content_filtered",
        "Filter reason: input image",
    )
    assert image_keys(aws) == before


def test_image_to_image_rules(api, model):
    image = b64(picture(128, 128))
    before = model.count()
    cases = [
        ({"prompt": "x", "image": image, "strength": 0.5}, "model"),  # core has no image-to-image
        ({"prompt": "x", "image": image, "model": "sd3.5-large"}, "strength"),
        ({"prompt": "x", "image": image, "strength": 0.5, "model": "ultra", "aspect_ratio": "1:1"}, "aspect_ratio"),
        ({"prompt": "x", "strength": 0.5, "model": "ultra"}, "strength"),
        ({"prompt": "x", "image": image, "strength": 1.5, "model": "ultra"}, "strength"),
    ]
    for request, field in cases:
        status, _, body = api("POST", "/images", request)
        assert status == 400, request
        assert body["error"]["details"]["errors"][0]["field"] == field, body
    assert model.count() == before
    # Ultra takes its documented default strength
    status, _, body = api("POST", "/images", {"prompt": "x", "image": image, "model": "ultra"})
    assert status == 200, body
    assert model.calls()[-1]["model_id"].endswith("stable-image-ultra-v1:1")


def test_a_text_only_body_over_64_kib_is_413_and_one_with_an_inline_image_is_read(api):
    status, _, body = api("POST", "/images", raw=json.dumps({"prompt": "x" * 70_000}).encode())
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    status, _, body = api("POST", "/images", raw=b"{" + b"x" * 70_000)  # not even JSON
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    padding = b64(picture(512, 512, "PNG"))
    status, _, body = api("POST", "/upscale/fast", {"image": padding + "A" * (70_000 - len(padding) % 4)})
    assert status == 400 and body["error"]["code"] == "validation_error"  # read, then refused


def test_a_disabled_operation_is_not_found_and_not_accepted_as_a_job(api, monkeypatch):
    configure(monkeypatch, ENABLED_OPERATIONS="images")
    status, _, body = api("POST", "/upscale/fast", {"image": b64(picture(64, 64))})
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, _, body = api("POST", "/jobs", {"operation": "upscale/fast", "image": b64(picture(64, 64))})
    assert status == 400 and body["error"]["details"]["errors"][0]["field"] == "operation"


def test_the_openapi_document_lists_each_operation_with_its_own_schema(api):
    document = api("GET", "/openapi.json")[2]
    for operation in OPERATIONS.values():
        body = document["paths"][operation.path]["post"]["requestBody"]
        ref = body["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{operation.request.__name__}"
    jobs = document["components"]["schemas"]["JobRequest"]
    assert len(jobs["oneOf"]) == len(OPERATIONS)
    assert "/uploads" in document["paths"]


def test_a_job_checks_an_uploads_header_alone_and_a_jpeg_whose_size_comes_late_in_full(api, worker_source):
    """POST /jobs reads an upload's first bytes to check it (the worker reads it all); a JPEG with
    more metadata than that before its size is read in full instead of being refused."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), RED).save(buffer, "JPEG", icc_profile=b"\0" * 200_000)
    late = buffer.getvalue()
    assert late.find(b"\xff\xc0") > 64 * 1024  # its size comes after the header read
    for data in (picture(*INPUT_SIZE), late):
        status, _, accepted = api(
            "POST", "/jobs", {"operation": "upscale/fast", "image": {"upload_id": upload(api, data)}}
        )
        assert status == 202, accepted
    status, _, refused = api(
        "POST", "/jobs", {"operation": "upscale/fast", "image": {"upload_id": upload(api, b"x" * 100_000)}}
    )
    assert (status, refused["error"]["details"]["errors"][0]["field"]) == (400, "image")
    drain(worker_source)
    job = api("GET", f"/jobs/{accepted['job_id']}")[2]
    assert (job["status"], job["images"][0]["width"]) == ("succeeded", 480)


def test_a_failed_drop_or_event_still_says_its_operation_and_inputs(api, aws, model, worker_source):
    request = {"operation": "upscale/fast", "image": {"s3_key": "inputs/not-there.png"}}
    aws.client("s3").put_object(Bucket=aws.bucket, Key="requests/missing-input.json", Body=json.dumps(request))
    put_input(aws, "inputs/filtered.png", picture(64, 64))
    model.fault("filter_input")
    detail = {
        "request_id": "filtered-input",
        "operation": "edit/remove-background",
        "image": {"s3_key": "inputs/filtered.png"},
    }
    aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": aws.event_bus,
                "Source": "app",
                "DetailType": "ImageGenerationRequested",
                "Detail": json.dumps(detail),
            }
        ]
    )
    drain(worker_source)
    missing = result_document(aws, "missing-input")
    assert (missing["status"], missing["operation"], missing["inputs"]) == ("failed", "upscale/fast", {})
    filtered = result_document(aws, "filtered-input")
    assert (filtered["status"], filtered["operation"]) == ("failed", "edit/remove-background")
    assert filtered["inputs"] == {"image": "inputs/filtered.png"}
    events = {
        json.loads(body)["detail"]["request_id"]: json.loads(body)
        for body in take_messages(aws, aws.outcomes_queue_name)
    }
    assert events["filtered-input"]["detail"]["operation"] == "edit/remove-background"
    assert events["missing-input"]["detail"]["operation"] == "upscale/fast"


def test_an_upload_is_its_callers_own_even_by_its_key(api, aws, worker_source):
    """An event (or a drop) cannot use an upload made with POST /uploads by naming its key: the
    upload is its caller's; an object put under uploads/ by the deployment's own tools can be."""
    upload_id = upload(api, picture(64, 64), headers=signed_by("AKIDPRIVATE"))
    put_input(aws, "uploads/put-by-a-tool.png", picture(64, 64))
    for request_id, key in (("steal", f"uploads/{upload_id}"), ("tool", "uploads/put-by-a-tool.png")):
        detail = {"request_id": request_id, "operation": "upscale/fast", "image": {"s3_key": key}}
        aws.client("events").put_events(
            Entries=[
                {
                    "EventBusName": aws.event_bus,
                    "Source": "app",
                    "DetailType": "ImageGenerationRequested",
                    "Detail": json.dumps(detail),
                }
            ]
        )
    drain(worker_source)
    stolen = result_document(aws, "steal")
    assert stolen["status"] == "failed"
    assert stolen["error"]["details"]["errors"][0]["field"] == "image.s3_key"
    assert result_document(aws, "tool")["status"] == "succeeded"
