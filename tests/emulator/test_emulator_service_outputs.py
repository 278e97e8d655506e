"""What each Image Service returns: the documented size, alpha after background removal,
pixels outside the (grown) mask untouched, the input in place after outpainting, and the
same bytes for the same request."""

from __future__ import annotations

import math

import pytest
from PIL import Image, ImageChops, ImageDraw

from .support import MINIMAL, SERVICES, decode, encode, image_b64, invoke, mean_difference, picture, profile

W, H = 96, 80


def output(client, name: str, **fields) -> Image.Image:
    _, payload = invoke(client, {**MINIMAL[name], **fields}, profile(name))
    assert payload["finish_reasons"] == [None]
    return decode(payload["images"][0])


def same_pixels(first: Image.Image, second: Image.Image) -> bool:
    return ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox() is None


def changed_share(first: Image.Image, second: Image.Image) -> float:
    """The share of pixels whose colour differs."""
    red, green, blue = ImageChops.difference(first.convert("RGB"), second.convert("RGB")).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return 1 - largest.histogram()[0] / (first.width * first.height)


def outside(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """image with `box` blacked out: compare two of these to compare what lies outside it."""
    copy = image.convert("RGB")
    ImageDraw.Draw(copy).rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=0)
    return copy


@pytest.mark.parametrize("output_format", ["png", "jpeg", "webp"])
def test_fast_upscale_is_exactly_four_times(bedrock, output_format):
    image = output(bedrock, "stable-fast-upscale", output_format=output_format)

    assert (image.format, image.size) == (output_format.upper(), (4 * W, 4 * H))


@pytest.mark.parametrize("name", ["stable-conservative-upscale", "stable-creative-upscale"])
@pytest.mark.parametrize("size", [(96, 80), (64, 160), (300, 301)])
def test_conservative_and_creative_upscale_reach_about_four_megapixels(bedrock, name, size):
    image = output(bedrock, name, image=image_b64(*size), output_format="jpeg")

    width, height = size
    # Each side sqrt(4,194,304 * w / h) (resp. h / w), rounded to the nearest integer.
    assert image.size == (round(math.sqrt(4_194_304 * width / height)), round(math.sqrt(4_194_304 * height / width)))
    assert abs(image.width * image.height - 4_194_304) / 4_194_304 < 0.001
    assert abs(image.width / image.height - width / height) < 0.001


def test_conservative_upscale_keeps_the_picture(bedrock):
    image = output(bedrock, "stable-conservative-upscale")

    assert mean_difference(image, picture(W, H)) < 3


@pytest.mark.parametrize("output_format", ["png", "webp"])
def test_remove_background_leaves_a_transparent_border(bedrock, output_format):
    image = output(bedrock, "stable-image-remove-background", output_format=output_format)

    assert (image.size, image.mode) == ((W, H), "RGBA")
    alpha = image.getchannel("A")
    margin_x, margin_y = round(W / 10), round(H / 10)
    for band in ((0, 0, W, margin_y), (0, H - margin_y, W, H), (0, 0, margin_x, H), (W - margin_x, 0, W, H)):
        assert alpha.crop(band).getextrema() == (0, 0)
    assert alpha.crop((margin_x, margin_y, W - margin_x, H - margin_y)).getextrema() == (255, 255)


def test_remove_background_as_jpeg_is_flattened_on_white(bedrock):
    image = output(bedrock, "stable-image-remove-background", output_format="jpeg")

    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (W, H))
    assert min(image.getpixel((1, 1))) > 240
    assert mean_difference(image.crop((20, 20, 76, 60)), picture(W, H).crop((20, 20, 76, 60))) < 5


RECT = (30, 20, 50, 40)  # the white part of the mask: left, top, right, bottom (exclusive)


def rect_mask(size: tuple[int, int] = (W, H), rect: tuple[int, int, int, int] = RECT) -> str:
    mask = Image.new("L", size, 0)
    mask.paste(255, rect)
    return encode(mask)


def grown(rect: tuple[int, int, int, int], by: int) -> tuple[int, int, int, int]:
    return rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by


@pytest.mark.parametrize("name", ["stable-image-inpaint", "stable-image-erase-object"])
@pytest.mark.parametrize("grow_mask", [0, 3, 20])
def test_only_the_grown_mask_changes(bedrock, name, grow_mask):
    image = output(bedrock, name, mask=rect_mask(), grow_mask=grow_mask, seed=9)

    source = picture(W, H)
    assert (image.size, image.format) == ((W, H), "PNG")
    assert same_pixels(outside(image, grown(RECT, grow_mask)), outside(source, grown(RECT, grow_mask)))
    assert changed_share(image.crop(RECT), source.crop(RECT)) > 0.9
    if grow_mask:
        ring = grown(RECT, grow_mask)
        assert changed_share(image.crop(ring), source.crop(ring)) > 0.9


@pytest.mark.parametrize("name", ["stable-image-inpaint", "stable-image-erase-object"])
def test_grow_mask_defaults_to_5(bedrock, name):
    image = output(bedrock, name, mask=rect_mask(), seed=9)

    assert image.tobytes() == output(bedrock, name, mask=rect_mask(), seed=9, grow_mask=5).tobytes()


def test_a_mask_of_another_size_is_resized_to_the_image(bedrock):
    image = output(bedrock, "stable-image-inpaint", mask=rect_mask((W // 2, H // 2), (15, 10, 25, 20)), grow_mask=0)

    source = picture(W, H)
    # Stretching blurs the mask's edge by a pixel or so.
    assert same_pixels(outside(image, grown(RECT, 2)), outside(source, grown(RECT, 2)))
    assert changed_share(image.crop(grown(RECT, -2)), source.crop(grown(RECT, -2))) > 0.9


def transparent_in(rect: tuple[int, int, int, int]) -> str:
    image = picture(W, H).convert("RGBA")
    alpha = Image.new("L", (W, H), 255)
    alpha.paste(0, rect)
    image.putalpha(alpha)
    return encode(image)


@pytest.mark.parametrize("name", ["stable-image-inpaint", "stable-image-erase-object"])
def test_without_a_mask_the_transparent_pixels_change(bedrock, name):
    body = {"image": transparent_in(RECT), "grow_mask": 0, **({"prompt": "a cat"} if "inpaint" in name else {})}
    _, payload = invoke(bedrock, body, profile(name))
    image = decode(payload["images"][0])

    source = picture(W, H)
    assert same_pixels(outside(image, RECT), outside(source, RECT))
    assert changed_share(image.crop(RECT), source.crop(RECT)) > 0.9


def test_a_mask_takes_precedence_over_the_alpha_channel(bedrock):
    elsewhere = (60, 50, 90, 75)
    image = output(bedrock, "stable-image-inpaint", image=transparent_in(elsewhere), mask=rect_mask(), grow_mask=0)

    source = picture(W, H)
    assert same_pixels(image.crop(elsewhere), source.crop(elsewhere))
    assert changed_share(image.crop(RECT), source.crop(RECT)) > 0.9


@pytest.mark.parametrize(
    "sides", [{"left": 10, "right": 5, "up": 7, "down": 3}, {"down": 2000}, {"left": 1}, {"right": 64, "up": 1}]
)
def test_outpaint_grows_the_image_around_the_input(bedrock, sides):
    image = output(bedrock, "stable-outpaint", **{"left": 0, **sides})

    left, right, up, down = (sides.get(side, 0) for side in ("left", "right", "up", "down"))
    assert image.size == (W + left + right, H + up + down)
    assert same_pixels(image.crop((left, up, left + W, up + H)), picture(W, H))


@pytest.mark.parametrize("name", ["stable-image-search-replace", "stable-image-search-recolor"])
def test_search_edits_change_the_found_object_and_keep_the_corners(bedrock, name):
    image = output(bedrock, name, seed=3)

    source = picture(W, H)
    assert image.size == (W, H)
    assert mean_difference(image.crop((24, 20, 72, 60)), source.crop((24, 20, 72, 60))) > 10
    corner = (0, 0, 12, 10)
    assert same_pixels(image.crop(corner), source.crop(corner))


@pytest.mark.parametrize("name", ["stable-image-control-sketch", "stable-image-control-structure"])
def test_control_keeps_the_control_image_size(bedrock, name):
    image = output(bedrock, name, image=image_b64(200, 120))

    assert image.size == (200, 120)
    assert mean_difference(image, picture(200, 120)) > 10


@pytest.mark.parametrize(("aspect_ratio", "size"), [(None, (1024, 1024)), ("16:9", (1344, 768)), ("9:21", (640, 1536))])
def test_style_guide_answers_in_the_aspect_ratio_size(bedrock, aspect_ratio, size):
    fields = {"aspect_ratio": aspect_ratio} if aspect_ratio else {}

    assert output(bedrock, "stable-image-style-guide", **fields).size == size


def test_style_transfer_keeps_the_init_image_size(bedrock):
    style = encode(Image.new("RGB", (64, 64), (200, 30, 30)))

    restyled = output(bedrock, "stable-style-transfer", style_image=style)
    kept = output(bedrock, "stable-style-transfer", style_image=style, style_strength=0)

    assert restyled.size == kept.size == (W, H)
    assert mean_difference(restyled, picture(W, H)) > 10
    assert same_pixels(kept, picture(W, H))


@pytest.mark.parametrize("name", SERVICES)
def test_the_same_request_gives_the_same_image(bedrock, name):
    seeded = {"seed": 77} if name not in ("stable-fast-upscale", "stable-image-remove-background") else {}
    first = invoke(bedrock, {**MINIMAL[name], **seeded}, profile(name))[1]
    second = invoke(bedrock, {**MINIMAL[name], **seeded}, profile(name))[1]

    assert first["images"] == second["images"]
    if seeded:
        assert first["seeds"] == second["seeds"] == [77]
