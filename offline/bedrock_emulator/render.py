"""Deterministic outputs of every model, with the properties Bedrock documents for each.

The same validated request and seed always give byte-identical images. Inputs are changed
with cheap Pillow operations (resizes, blends, composites): the point is an output of the
documented size and shape that visibly derives from its inputs, quickly.

Output sizes:
- text-to-image and Style Guide: the aspect ratio's size (ASPECT_RATIO_SIZES);
- image-to-image (Ultra, SD3.5 Large): the input's aspect ratio at about 1 megapixel, each
  side a multiple of 64 (see megapixel_size);
- Fast Upscale: exactly 4x the input's width and height;
- Conservative and Creative Upscale: the input's aspect ratio at about 4 megapixels
  (4,194,304 pixels), sides rounded to whole pixels (see megapixel_size);
- Outpaint: the input grown by left + right and up + down, the input pasted at (left, up);
- every other service: the size of its (first) image input.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from PIL import Image, ImageChops, ImageFilter, ImageOps

from .images import RenderSpec, draw_picture
from .masks import edit_mask, found_object_mask, grow
from .models import ASPECT_RATIO_SIZES
from .schemas import IMAGE_TO_IMAGE, TEXT_TO_IMAGE
from .validation import ModelRequest

ONE_MEGAPIXEL = 1_048_576
FOUR_MEGAPIXELS = 4_194_304
# Stand-in pictures are drawn at most this large and stretched: drawing cost grows with size.
_MAX_DRAWN_PIXELS = 262_144

Size = tuple[int, int]


def megapixel_size(size: Size, pixels: int, multiple: int = 1) -> Size:
    """The input's aspect ratio at about `pixels` pixels: the exact sides sqrt(pixels * w / h)
    and sqrt(pixels * h / w), each rounded to the nearest multiple of `multiple` (halves to
    even, as Python's round does), at least one multiple."""
    width, height = size
    exact_width, exact_height = math.sqrt(pixels * width / height), math.sqrt(pixels * height / width)
    return (
        max(multiple, round(exact_width / multiple) * multiple),
        max(multiple, round(exact_height / multiple) * multiple),
    )


def output_size(request: ModelRequest) -> Size:
    """The size of the image the request produces (a filtered output has it too)."""
    operation, images, params = request.operation, request.images, request.params
    if request.variant == TEXT_TO_IMAGE or operation == "stable-image-style-guide":
        return ASPECT_RATIO_SIZES[params["aspect_ratio"]]
    if request.variant == IMAGE_TO_IMAGE:
        return megapixel_size(images["image"].size, ONE_MEGAPIXEL, 64)
    if operation == "stable-fast-upscale":
        width, height = images["image"].size
        return width * 4, height * 4
    if operation in ("stable-conservative-upscale", "stable-creative-upscale"):
        return megapixel_size(images["image"].size, FOUR_MEGAPIXELS)
    if operation == "stable-outpaint":
        width, height = images["image"].size
        return width + params["left"] + params["right"], height + params["up"] + params["down"]
    return images["init_image" if "init_image" in images else "image"].size


def _rgb(image: Image.Image, size: Size | None = None) -> Image.Image:
    """The input as RGB (alpha dropped, colour values kept), resized when asked."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if size is None or rgb.size == size:
        return rgb
    return rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)


def _picture(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    """The stand-in picture for the prompt and seed at `size`, drawn at most 0.25 MP and stretched."""
    width, height = size
    drawn = size if width * height <= _MAX_DRAWN_PIXELS else megapixel_size(size, _MAX_DRAWN_PIXELS)
    spec = RenderSpec(
        model_id, request.text("prompt"), request.text("negative_prompt"), seed, *drawn, request.output_format
    )
    picture = draw_picture(spec)
    return picture if drawn == size else picture.resize(size, Image.Resampling.BILINEAR)


def _colour(request: ModelRequest, seed: int) -> tuple[int, int, int]:
    """A colour that depends on the prompt and seed: the recolour and outpaint tint."""
    digest = hashlib.sha256(f"{request.text('prompt')}\0{seed}".encode()).digest()
    return digest[0], digest[1], 255 - digest[0] // 2


def _colour_field(image: Image.Image, size: Size) -> Image.Image:
    """A smooth stretch of the image's colours: cheap "continuation" of its content."""
    return image.convert("RGB").resize((4, 4), Image.Resampling.BOX).resize(size, Image.Resampling.BICUBIC)


def _composite(changed: Image.Image, original: Image.Image, mask: Image.Image) -> Image.Image:
    """changed where the mask is white, original where it is black: black pixels stay exactly."""
    return Image.composite(changed, original, mask)


Renderer = Callable[[str, ModelRequest, int, Size], Image.Image]


def _generate(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    picture = _picture(model_id, request, seed, size)
    if request.variant != IMAGE_TO_IMAGE:
        return picture
    # strength 0 keeps the input (resized), 1 ignores it.
    return Image.blend(_rgb(request.images["image"], size), picture, float(request.params["strength"]))


def _fast_upscale(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    return request.images["image"].convert("RGB").resize(size, Image.Resampling.BICUBIC)


def _conservative_upscale(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    # Conservative: the input resized and nothing else (the cheapest path: inputs reach 9.4 MP).
    return _rgb(request.images["image"], size)


def _creative_upscale(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    picture = _picture(model_id, request, seed, size)
    return Image.blend(_rgb(request.images["image"], size), picture, float(request.params["creativity"]))


def _remove_background(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    """The input with a transparent border a tenth of each side wide, the rest opaque."""
    width, height = size
    cut = request.images["image"].convert("RGBA")
    alpha = Image.new("L", size, 0)
    margin_x, margin_y = max(1, round(width / 10)), max(1, round(height / 10))
    alpha.paste(255, (margin_x, margin_y, width - margin_x, height - margin_y))
    cut.putalpha(alpha)
    return cut


def _masked_edit(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    """Inpaint and erase: the fill blended in under the grown mask, other pixels untouched."""
    image = request.images["image"]
    mask = grow(edit_mask(image, request.images.get("mask")), int(request.params["grow_mask"]))
    original = _rgb(image)
    if request.operation == "stable-image-erase-object":
        # Erasing leaves the surroundings' colours, lightly marked by the seed.
        fill = Image.blend(_colour_field(original, size), _picture(model_id, request, seed, size), 0.3)
    else:
        fill = _picture(model_id, request, seed, size)
    return _composite(fill, original, mask)


def _search(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    original = _rgb(request.images["image"])
    mask = grow(found_object_mask(size), int(request.params["grow_mask"]))
    if request.operation == "stable-image-search-recolor":
        fill = ImageOps.colorize(original.convert("L"), (0, 0, 0), _colour(request, seed))
    else:
        fill = _picture(model_id, request, seed, size)
    return _composite(fill, original, mask)


def _outpaint(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    image = _rgb(request.images["image"])
    tint = Image.new("RGB", size, _colour(request, seed))
    canvas = Image.blend(_colour_field(image, size), tint, float(request.params["creativity"]) / 2)
    canvas.paste(image, (request.params["left"], request.params["up"]))
    return canvas


def _control(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    """The picture drawn over the control image's lines (sketch) or shapes (structure)."""
    grey = request.images["image"].convert("L")
    lines = grey.filter(ImageFilter.FIND_EDGES if request.operation.endswith("sketch") else ImageFilter.CONTOUR)
    guide = ImageOps.invert(lines) if request.operation.endswith("sketch") else lines
    weight = 0.6 * float(request.params["control_strength"])
    return Image.blend(_picture(model_id, request, seed, size), guide.convert("RGB"), weight)


def _style_guide(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    weight = 0.6 * float(request.params["fidelity"])
    return Image.blend(_picture(model_id, request, seed, size), _colour_field(request.images["image"], size), weight)


def _style_transfer(model_id: str, request: ModelRequest, seed: int, size: Size) -> Image.Image:
    """The init image taking on the style image's colours: style_strength 0 keeps it as it is."""
    params = request.params
    style = ImageChops.multiply(
        _rgb(request.images["style_image"], size), _colour_field(request.images["style_image"], size)
    )
    weight = (
        float(params["style_strength"]) * float(params["change_strength"]) * (1 - params["composition_fidelity"] / 2)
    )
    return Image.blend(_rgb(request.images["init_image"]), style, weight)


RENDERERS: dict[str, Renderer] = {
    "core": _generate,
    "ultra": _generate,
    "sd3.5-large": _generate,
    "stable-fast-upscale": _fast_upscale,
    "stable-conservative-upscale": _conservative_upscale,
    "stable-creative-upscale": _creative_upscale,
    "stable-image-remove-background": _remove_background,
    "stable-image-erase-object": _masked_edit,
    "stable-image-inpaint": _masked_edit,
    "stable-outpaint": _outpaint,
    "stable-image-search-replace": _search,
    "stable-image-search-recolor": _search,
    "stable-image-control-sketch": _control,
    "stable-image-control-structure": _control,
    "stable-image-style-guide": _style_guide,
    "stable-style-transfer": _style_transfer,
}


def render(model_id: str, request: ModelRequest, seed: int) -> Image.Image:
    """The output image of request (not yet encoded)."""
    return RENDERERS[request.operation](model_id, request, seed, output_size(request))
