"""What a user does in the playground, in a real browser against the local service: generate from
a prompt, inpaint a painted mask, upscale an upload, run a job, and read the errors."""

from __future__ import annotations

import io

import requests
from PIL import Image, ImageDraw
from playwright.sync_api import Page

from tests.playground.browser import browser, images_loaded, needs_chromium, page, screenshot, service, until

pytestmark = needs_chromium()
__all__ = ["browser", "page", "service"]  # fixtures


def _photo(path, size=(512, 384)):
    picture = Image.new("RGB", size, (40, 120, 200))
    ImageDraw.Draw(picture).ellipse((size[0] // 5, size[1] // 5, size[0] // 2, size[1] // 2), fill=(240, 200, 40))
    picture.save(path)
    return picture


def _download(url: str) -> Image.Image:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


def _gallery_count(page: Page) -> int:
    return page.locator("#gallery figure").count()


def _shown_size(page: Page) -> tuple[int, int]:
    """The size the newest result's caption states (its data attributes carry the same)."""
    figure = page.locator("#gallery figure").first
    width, height = int(figure.get_attribute("data-width")), int(figure.get_attribute("data-height"))
    assert f"{width}\N{MULTIPLICATION SIGN}{height}" in figure.inner_text()
    return width, height


def test_every_operation_of_the_api_document_is_offered(page: Page, service):
    document = requests.get(f"{service.api_url}/openapi.json", timeout=30).json()
    branches = document["components"]["schemas"]["JobRequest"]["oneOf"]
    operations = {name for branch in branches for name in branch["properties"]["operation"]["enum"]}
    offered = {button.get_attribute("data-operation") for button in page.locator("#operations button").all()}
    assert offered == operations and len(offered) == 14
    page.click("button[data-operation='control/style-transfer']")
    for field in ("init_image", "style_image"):
        assert page.get_attribute(f"#field-{field}", "type") == "file"
    assert page.locator("#field-change_strength").get_attribute("min") == "0.1"


def test_a_prompt_generates_an_image_shown_with_its_seed_and_size(page: Page):
    page.fill("#field-prompt", "A car made out of vegetables.")
    page.select_option("#field-aspect_ratio", "16:9")
    page.fill("#field-seed", "42")
    page.click("#run")
    images_loaded(page, 1)
    figure = page.locator("#gallery figure").first
    caption = figure.inner_text()
    assert "seed 42" in caption and _shown_size(page) == (1344, 768)
    key = figure.get_attribute("data-key")
    assert key.startswith("images/") and figure.locator("a.key").inner_text() == key
    picture = _download(figure.locator("a.key").get_attribute("href"))
    assert picture.size == (1344, 768)


def test_a_painted_mask_inpaints_that_area_only(page: Page, service, tmp_path):
    original = _photo(tmp_path / "photo.png")
    page.click("button[data-operation='edit/inpaint']")
    page.set_input_files("#field-image", str(tmp_path / "photo.png"))
    view = page.locator(".mask-view")
    view.wait_for(state="visible")
    box = view.bounding_box()
    # A horizontal stroke across the middle of the picture, the rest of it left unpainted.
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(box["x"] + box["width"] * (0.2 + step * 0.03), box["y"] + box["height"] * 0.5)
    page.mouse.up()
    page.fill("#field-prompt", "a red balloon")
    page.fill("#field-grow_mask", "0")
    with page.expect_response(lambda r: r.url.endswith("/api/edit/inpaint")) as answer:
        page.click("#run")
    assert answer.value.status == 200, answer.value.text()
    images_loaded(page, 1)
    screenshot(page, "inpaint")

    # The mask sent: black and white, the image's size, white where the stroke went.
    s3 = service.resources.client("s3")
    mask_key = answer.value.json()["inputs"]["mask"]
    body = s3.get_object(Bucket=service.resources.bucket, Key=mask_key)["Body"].read()
    mask = Image.open(io.BytesIO(body)).convert("L")
    assert mask.size == original.size
    histogram = mask.histogram()
    assert histogram[0] and histogram[255] and sum(histogram) == histogram[0] + histogram[255]
    assert mask.getpixel((256, 192)) == 255 and mask.getpixel((10, 10)) == 0
    # The result: changed under the stroke, untouched elsewhere.
    result = _download(page.locator("#gallery figure a.key").first.get_attribute("href")).convert("RGB")
    assert result.size == original.size
    assert result.getpixel((10, 10)) == original.getpixel((10, 10))
    assert result.getpixel((256, 192)) != original.getpixel((256, 192))


def test_an_upload_goes_through_the_playground_when_the_bucket_refuses_the_page(page: Page, service, tmp_path):
    _photo(tmp_path / "small.png", size=(128, 96))
    # As a bucket whose CORS rule does not name the playground's origin: the browser's POST of the
    # form gets no answer it may read (images still load: an <img> needs no CORS).
    page.route(
        f"{service.resources.endpoint_url}/**",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.click("button[data-operation='upscale/fast']")
    page.set_input_files("#field-image", str(tmp_path / "small.png"))
    page.click("#run")
    images_loaded(page, 1)
    assert _shown_size(page) == (512, 384)


def test_a_job_is_shown_with_its_live_status_until_it_succeeds(page: Page):
    before = _gallery_count(page)
    page.fill("#field-prompt", "A lighthouse at dusk")
    page.select_option("#field-aspect_ratio", "4:5")
    page.check("#as-job")
    page.fill("#idempotency-key", "playground-job-1")
    page.click("#run")
    job = page.locator("#jobs .job").first
    job.wait_for()
    assert job.locator(".status").inner_text() in ("queued", "running", "succeeded")
    page.locator("#jobs .job[data-status='succeeded']").first.wait_for(timeout=60_000)
    images_loaded(page, before + 1)
    assert _shown_size(page) == (896, 1088)
    screenshot(page, "job")


def test_an_invalid_input_is_explained_in_plain_words(page: Page):
    page.fill("#field-prompt", "A cat")
    page.fill("#field-count", "9")
    page.fill("#field-seed", "-1")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "validation_error" in text and "HTTP 400" in text
    fields = [item.inner_text() for item in error.locator(".error-fields li").all()]
    assert any(item.startswith("count: ") and "less than or equal to 4" in item for item in fields)
    assert any(item.startswith("seed: ") for item in fields)
    assert "{" not in text  # words, not JSON
    screenshot(page, "error")


def test_a_model_refusal_shows_its_code_and_reason(page: Page, service):
    requests.post(f"{service.bedrock_url}/_emulator/faults", json={"fault": "filter_prompt", "times": 1}, timeout=5)
    try:
        page.fill("#field-prompt", "Something the filter stops")
        page.click("#run")
        page.locator("#error").wait_for(state="visible")
    finally:
        requests.delete(f"{service.bedrock_url}/_emulator/faults", timeout=5)
    text = page.locator("#error").inner_text()
    assert "content_filtered" in text and "reason:" in text
    until(page, "() => !document.getElementById('run').disabled")
