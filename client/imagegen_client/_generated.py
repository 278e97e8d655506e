# Generated from the service's OpenAPI document (GET /openapi.json) by datamodel-code-generator.
# Do not edit: regenerate with `.venv/bin/python -m imagegen_client._codegen` against a running service.
# ruff: noqa

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class ConservativeUpscaleRequest(BaseModel):
    """
    Conservative upscale: to about 4 megapixels, keeping the image as it is.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=0.5, title="Creativity")] = 0.35
    """
    How much detail the model may invent
    """
    image: Annotated[Image | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    negative_prompt: Annotated[NegativePrompt | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What the image shows
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """


class CreativeUpscaleRequest(BaseModel):
    """
    Creative upscale: a small or degraded image to about 4 megapixels, reimagined.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=0.5, title="Creativity")] = 0.3
    """
    How much detail the model may invent
    """
    image: Annotated[Image | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    negative_prompt: Annotated[NegativePrompt | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What the image shows
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class EraseRequest(BaseModel):
    """
    Erase: removes what the mask covers, filling it with its surroundings.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    mask: Annotated[Mask | UploadRef | S3Ref | None, Field(title="Mask")] = None
    """
    Black and white, the image's size; default: its alpha
    """
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """


class ErrorDetail(BaseModel):
    code: Annotated[str, Field(title="Code")]
    details: Annotated[dict[str, Any] | None, Field(title="Details")] = None
    message: Annotated[str, Field(title="Message")]


class ErrorResponse(BaseModel):
    error: ErrorDetail


class FastUpscaleRequest(BaseModel):
    """
    Fast upscale: the image 4x each side, nothing else to say.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    image: Annotated[Image | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """


class GenerationResponse(BaseModel):
    expires_at: Annotated[AwareDatetime, Field(title="Expires At")]
    """
    When the presigned URLs stop working (UTC)
    """
    id: Annotated[str, Field(title="Id")]
    images: Annotated[list[ImageView], Field(title="Images")]
    inputs: Annotated[dict[str, str] | None, Field(title="Inputs")] = None
    """
    The image inputs by field: the S3 key of each (uploads/..., inputs/...), or inline:sha256:<digest> for an image sent inline
    """
    model: Annotated[str, Field(title="Model")]
    """
    Bedrock model id that generated the images
    """
    operation: Annotated[str | None, Field(title="Operation")] = "images"
    """
    The operation that made the images: images, upscale/fast, ...
    """


class Image(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Image")]
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class Image13(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Image")]
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class Image4(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Image")] = None
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class Image8(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Image")]
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class Image9(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Image")] = None
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class ImageRequest1(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image4 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt2 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")]
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967295, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[TextPrompts | None, Field(title="Text Prompts")] = None
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class ImageRequest2(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image4 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt2 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967295, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[list[Any] | None, Field(title="Text Prompts")]
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class ImageRequest3(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image4 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt2 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")]
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[TextPrompts | None, Field(title="Text Prompts")] = None
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class ImageRequest4(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image4 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt2 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[list[Any] | None, Field(title="Text Prompts")]
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class ImageRequest(RootModel[ImageRequest1 | ImageRequest2 | ImageRequest3 | ImageRequest4]):
    root: Annotated[
        ImageRequest1 | ImageRequest2 | ImageRequest3 | ImageRequest4,
        Field(title="ImageRequest"),
    ]
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """


class ImageView(BaseModel):
    bytes: Annotated[int, Field(title="Bytes")]
    content_type: Annotated[str, Field(title="Content Type")]
    height: Annotated[int, Field(title="Height")]
    key: Annotated[str, Field(title="Key")]
    """
    S3 key of the image in the service's bucket
    """
    seed: Annotated[int, Field(title="Seed")]
    url: Annotated[str, Field(title="Url")]
    """
    Presigned GET URL of the image, valid until expires_at
    """
    width: Annotated[int, Field(title="Width")]


class InitImage(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Init Image")]
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class InpaintRequest(BaseModel):
    """
    Inpaint: fills the masked area from the prompt.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image8 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    mask: Annotated[Mask | UploadRef | S3Ref | None, Field(title="Mask")] = None
    """
    Black and white, the image's size; default: its alpha
    """
    negative_prompt: Annotated[NegativePrompt6 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What to paint into the masked area
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobAccepted(BaseModel):
    job_id: Annotated[str, Field(title="Job Id")]
    status: Annotated[
        Literal["queued", "running", "succeeded", "failed"] | None,
        Field(title="Status"),
    ] = "queued"
    """
    queued, or for a repeated Idempotency-Key the job's current status
    """
    status_url: Annotated[str, Field(title="Status Url")]


class JobPage(BaseModel):
    jobs: Annotated[list[JobView], Field(title="Jobs")]
    """
    The caller's own jobs (POST /jobs), newest first
    """
    next_cursor: Annotated[str | None, Field(title="Next Cursor")] = None
    """
    Pass as ?cursor= for the next page; null on the last page
    """


class JobRequest1(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image9 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt7 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    operation: Literal["images"] | None = None
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")]
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967295, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[TextPrompts | None, Field(title="Text Prompts")] = None
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class JobRequest10(BaseModel):
    """
    Outpaint: extends the image by the given margins.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=1.0, title="Creativity")] = 0.5
    down: Annotated[int | None, Field(ge=0, le=2000, title="Down")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to extend
    """
    left: Annotated[int | None, Field(ge=0, le=2000, title="Left")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    operation: Literal["edit/outpaint"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What the new area shows
    """
    right: Annotated[int | None, Field(ge=0, le=2000, title="Right")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None
    up: Annotated[int | None, Field(ge=0, le=2000, title="Up")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """


class JobRequest11(BaseModel):
    """
    Erase: removes what the mask covers, filling it with its surroundings.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    mask: Annotated[Mask | UploadRef | S3Ref | None, Field(title="Mask")] = None
    """
    Black and white, the image's size; default: its alpha
    """
    operation: Literal["edit/erase"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """


class JobRequest12(BaseModel):
    """
    Search and replace: finds what `search_prompt` names and replaces it as `prompt` says.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["edit/search-and-replace"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What to put in its place
    """
    search_prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Search Prompt",
        ),
    ]
    """
    What to find and replace, in a few words
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest13(BaseModel):
    """
    Search and recolor: finds what `select_prompt` names and recolors it as `prompt` says.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["edit/search-and-recolor"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    The new colours
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    select_prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Select Prompt",
        ),
    ]
    """
    What to recolor, in a few words
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest14(BaseModel):
    """
    Control sketch: a picture from a sketch and a prompt.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    control_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Control Strength")] = 0.7
    """
    How much the control image guides the result: 0 least, 1 most
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The sketch
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["control/sketch"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest15(BaseModel):
    """
    Control structure: a picture keeping the structure of the control image.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    control_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Control Strength")] = 0.7
    """
    How much the control image guides the result: 0 least, 1 most
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose structure to keep
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["control/structure"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest16(BaseModel):
    """
    Style guide: a new picture in the style of the given image.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    fidelity: Annotated[float | None, Field(ge=0.0, le=1.0, title="Fidelity")] = 0.5
    """
    How closely the style follows the image's
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose style to follow
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["control/style-guide"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest17(BaseModel):
    """
    Style transfer: `init_image` restyled after `style_image`.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    change_strength: Annotated[float | None, Field(ge=0.1, le=1.0, title="Change Strength")] = 0.9
    composition_fidelity: Annotated[float | None, Field(ge=0.0, le=1.0, title="Composition Fidelity")] = 0.9
    init_image: Annotated[InitImage | UploadRef | S3Ref, Field(title="Init Image")]
    """
    The image to restyle
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["control/style-transfer"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_image: Annotated[StyleImage | UploadRef | S3Ref, Field(title="Style Image")]
    """
    The image whose style to apply
    """
    style_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Style Strength")] = 1


class JobRequest2(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image9 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt7 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    operation: Literal["images"] | None = None
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967295, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[list[Any] | None, Field(title="Text Prompts")]
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class JobRequest3(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image9 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt7 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    operation: Literal["images"] | None = None
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")]
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[TextPrompts | None, Field(title="Text Prompts")] = None
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class JobRequest4(BaseModel):
    """
    Give prompt or text_prompts, not both. With model sd3.5-large, seed is at most 4,294,967,294 (also when sd3.5-large is the deployment's default model and model is left out, which a schema cannot see).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    """
    Text-to-image only: the image takes its input's.
    """
    count: Annotated[int | None, Field(ge=1, le=4, title="Count")] = 1
    """
    Images to generate, with seeds seed, seed+1, ...
    """
    image: Annotated[Image9 | UploadRef | S3Ref | None, Field(title="Image")] = None
    """
    Image-to-image (ultra, sd3.5-large): the image to start from.
    """
    model: Annotated[Literal["core", "ultra", "sd3.5-large"] | None, Field(title="Model")] = None
    """
    Model alias; default: the deployment's first enabled model.
    """
    negative_prompt: Annotated[NegativePrompt7 | None, Field(title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """
    operation: Literal["images"] | None = None
    output_format: Annotated[
        str | None,
        Field(pattern="^([pP][nN][gG]|[jJ][pP][eE][gG])$", title="Output Format"),
    ] = "png"
    """
    png or jpeg, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What to generate. Required unless text_prompts is given.
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    strength: Annotated[Strength | None, Field(title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """
    text_prompts: Annotated[list[Any] | None, Field(title="Text Prompts")]
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class JobRequest5(BaseModel):
    """
    Fast upscale: the image 4x each side, nothing else to say.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    operation: Literal["upscale/fast"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """


class JobRequest6(BaseModel):
    """
    Conservative upscale: to about 4 megapixels, keeping the image as it is.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=0.5, title="Creativity")] = 0.35
    """
    How much detail the model may invent
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["upscale/conservative"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What the image shows
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """


class JobRequest7(BaseModel):
    """
    Creative upscale: a small or degraded image to about 4 megapixels, reimagined.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=0.5, title="Creativity")] = 0.3
    """
    How much detail the model may invent
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to upscale
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["upscale/creative"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What the image shows
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest8(BaseModel):
    """
    Background removal: the subject on a transparent background.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose background is removed
    """
    operation: Literal["edit/remove-background"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """


class JobRequest9(BaseModel):
    """
    Inpaint: fills the masked area from the prompt.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    mask: Annotated[Mask | UploadRef | S3Ref | None, Field(title="Mask")] = None
    """
    Black and white, the image's size; default: its alpha
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    operation: Literal["edit/inpaint"]
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What to paint into the masked area
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class JobRequest(
    RootModel[
        JobRequest1
        | JobRequest2
        | JobRequest3
        | JobRequest4
        | JobRequest5
        | JobRequest6
        | JobRequest7
        | JobRequest8
        | JobRequest9
        | JobRequest10
        | JobRequest11
        | JobRequest12
        | JobRequest13
        | JobRequest14
        | JobRequest15
        | JobRequest16
        | JobRequest17
    ]
):
    root: Annotated[
        JobRequest1
        | JobRequest2
        | JobRequest3
        | JobRequest4
        | JobRequest5
        | JobRequest6
        | JobRequest7
        | JobRequest8
        | JobRequest9
        | JobRequest10
        | JobRequest11
        | JobRequest12
        | JobRequest13
        | JobRequest14
        | JobRequest15
        | JobRequest16
        | JobRequest17,
        Field(title="JobRequest"),
    ]
    """
    A request of any enabled operation, which `operation` names (absent: images).
    """


class JobView(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    error: ErrorDetail | None = None
    expires_at: Annotated[AwareDatetime | None, Field(title="Expires At")] = None
    """
    When the image URLs stop working (UTC)
    """
    images: Annotated[list[ImageView] | None, Field(title="Images")] = None
    inputs: Annotated[dict[str, str] | None, Field(title="Inputs")] = None
    """
    The image inputs by field: the S3 key of each (uploads/..., inputs/...), or inline:sha256:<digest> for an image sent inline
    """
    job_id: Annotated[str, Field(title="Job Id")]
    model: Annotated[str | None, Field(title="Model")] = None
    operation: Annotated[str | None, Field(title="Operation")] = "images"
    """
    The operation that made the images: images, upscale/fast, ...
    """
    request_id: Annotated[str, Field(title="Request Id")]
    status: Annotated[Literal["queued", "running", "succeeded", "failed"], Field(title="Status")]
    trigger: Annotated[Literal["api", "s3", "eventbridge"], Field(title="Trigger")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


class Mask(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Mask")] = None
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class NegativePrompt(RootModel[str]):
    root: Annotated[str, Field(max_length=10000, title="Negative Prompt")] = None


class NegativePrompt11(RootModel[str]):
    root: Annotated[str, Field(max_length=10000, title="Negative Prompt")] = None


class NegativePrompt2(RootModel[str]):
    root: Annotated[str, Field(max_length=10000, title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """


class NegativePrompt6(RootModel[str]):
    root: Annotated[str, Field(max_length=10000, title="Negative Prompt")] = None


class NegativePrompt7(RootModel[str]):
    root: Annotated[str, Field(max_length=10000, title="Negative Prompt")] = None
    """
    What to keep out of the image.
    """


class OutpaintRequest(BaseModel):
    """
    Outpaint: extends the image by the given margins.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    creativity: Annotated[float | None, Field(ge=0.1, le=1.0, title="Creativity")] = 0.5
    down: Annotated[int | None, Field(ge=0, le=2000, title="Down")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to extend
    """
    left: Annotated[int | None, Field(ge=0, le=2000, title="Left")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    """
    What the new area shows
    """
    right: Annotated[int | None, Field(ge=0, le=2000, title="Right")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None
    up: Annotated[int | None, Field(ge=0, le=2000, title="Up")] = 0
    """
    Pixels to add on this side, 0 to 2000
    """


class Prompt(RootModel[str]):
    root: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ] = None
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """


class RemoveBackgroundRequest(BaseModel):
    """
    Background removal: the subject on a transparent background.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose background is removed
    """
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """


class S3Ref(BaseModel):
    """
    An image in the service's bucket, under uploads/ or inputs/ (S3 drops and events only).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    s3_key: Annotated[
        str,
        Field(
            max_length=1024,
            pattern="^(uploads|inputs)(/[A-Za-z0-9!_*'()-][A-Za-z0-9!_.*'()-]*)+$",
            title="S3 Key",
        ),
    ]
    """
    Key under uploads/ or inputs/ of the bucket
    """


class SearchAndRecolorRequest(BaseModel):
    """
    Search and recolor: finds what `select_prompt` names and recolors it as `prompt` says.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    The new colours
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    select_prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Select Prompt",
        ),
    ]
    """
    What to recolor, in a few words
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class SearchAndReplaceRequest(BaseModel):
    """
    Search and replace: finds what `search_prompt` names and replaces it as `prompt` says.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    grow_mask: Annotated[int | None, Field(ge=0, le=20, title="Grow Mask")] = 5
    """
    Grows the mask's edges outward by this many pixels, blurring the area around it
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image to edit
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    What to put in its place
    """
    search_prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Search Prompt",
        ),
    ]
    """
    What to find and replace, in a few words
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class SketchRequest(BaseModel):
    """
    Control sketch: a picture from a sketch and a prompt.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    control_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Control Strength")] = 0.7
    """
    How much the control image guides the result: 0 least, 1 most
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The sketch
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class Strength(RootModel[float]):
    root: Annotated[float, Field(ge=0.0, le=1.0, title="Strength")] = None
    """
    Image-to-image: how much the input image is changed, 0 (kept) to 1 (replaced). Required on sd3.5-large; ultra defaults to 0.35.
    """


class StructureRequest(BaseModel):
    """
    Control structure: a picture keeping the structure of the control image.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    control_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Control Strength")] = 0.7
    """
    How much the control image guides the result: 0 least, 1 most
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose structure to keep
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class StyleGuideRequest(BaseModel):
    """
    Style guide: a new picture in the style of the given image.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    aspect_ratio: Annotated[
        Literal["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"] | None,
        Field(title="Aspect Ratio"),
    ] = "1:1"
    fidelity: Annotated[float | None, Field(ge=0.0, le=1.0, title="Fidelity")] = 0.5
    """
    How closely the style follows the image's
    """
    image: Annotated[Image13 | UploadRef | S3Ref, Field(title="Image")]
    """
    The image whose style to follow
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Prompt",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_preset: Annotated[
        Literal[
            "3d-model",
            "analog-film",
            "anime",
            "cinematic",
            "comic-book",
            "digital-art",
            "enhance",
            "fantasy-art",
            "isometric",
            "line-art",
            "low-poly",
            "modeling-compound",
            "neon-punk",
            "origami",
            "photographic",
            "pixel-art",
            "tile-texture",
        ]
        | None,
        Field(title="Style Preset"),
    ] = None


class StyleImage(RootModel[str]):
    root: Annotated[str, Field(min_length=16, title="Style Image")]
    """
    The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL
    """


class StyleTransferRequest(BaseModel):
    """
    Style transfer: `init_image` restyled after `style_image`.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    change_strength: Annotated[float | None, Field(ge=0.1, le=1.0, title="Change Strength")] = 0.9
    composition_fidelity: Annotated[float | None, Field(ge=0.0, le=1.0, title="Composition Fidelity")] = 0.9
    init_image: Annotated[InitImage | UploadRef | S3Ref, Field(title="Init Image")]
    """
    The image to restyle
    """
    negative_prompt: Annotated[NegativePrompt11 | None, Field(title="Negative Prompt")] = None
    output_format: Annotated[
        str | None,
        Field(
            pattern="^([pP][nN][gG]|[jJ][pP][eE][gG]|[wW][eE][bB][pP])$",
            title="Output Format",
        ),
    ] = "png"
    """
    png, jpeg or webp, any case
    """
    prompt: Annotated[Prompt | None, Field(title="Prompt")] = None
    seed: Annotated[int | None, Field(ge=0, le=4294967294, title="Seed")] = 0
    """
    0 or absent: random. The seed used is returned.
    """
    style_image: Annotated[StyleImage | UploadRef | S3Ref, Field(title="Style Image")]
    """
    The image whose style to apply
    """
    style_strength: Annotated[float | None, Field(ge=0.0, le=1.0, title="Style Strength")] = 1


class TextPrompt(BaseModel):
    """
    One weighted prompt of the seed's `text_prompts` form.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    text: Annotated[
        str,
        Field(
            min_length=1,
            pattern="[^\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]",
            title="Text",
        ),
    ]
    """
    1 to 10,000 characters after trimming (at least one that is not whitespace)
    """
    weight: Annotated[float | None, Field(title="Weight")] = 1.0
    """
    > 0: prompt; < 0: negative prompt; not 0
    """


class TextPrompts(RootModel[list[TextPrompt]]):
    root: Annotated[list[TextPrompt], Field(max_length=16, min_length=1, title="Text Prompts")] = None
    """
    Weighted prompts, at least one of them positive; not together with prompt.
    """


class UploadForm(BaseModel):
    expires_at: Annotated[AwareDatetime, Field(title="Expires At")]
    """
    When the form stops working (UTC); the upload is kept for the retention
    """
    fields: Annotated[dict[str, str], Field(title="Fields")]
    """
    Form fields to send as they are, before the file field
    """
    max_bytes: Annotated[int, Field(title="Max Bytes")]
    """
    The largest file S3 accepts for this upload
    """
    upload_id: Annotated[str, Field(title="Upload Id")]
    """
    Name the upload in requests as {"upload_id": ...}
    """
    url: Annotated[str, Field(title="Url")]
    """
    POST the file here as multipart/form-data: the fields, then the file
    """


class UploadRef(BaseModel):
    """
    An image uploaded with POST /uploads by the same caller.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    upload_id: Annotated[str, Field(pattern="^[0-9a-f]{32}$", title="Upload Id")]
    """
    The upload_id POST /uploads answered with
    """


class UploadRequest(BaseModel):
    """
    POST /uploads: optionally, the content type the file will have (S3 then requires it).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    content_type: Annotated[
        Literal["image/png", "image/jpeg", "image/webp"] | None,
        Field(title="Content Type"),
    ] = None


# Each operation's request model, from the document's POST routes.
OPERATION_REQUESTS: dict[str, type[BaseModel]] = {
    "control/sketch": SketchRequest,
    "control/structure": StructureRequest,
    "control/style-guide": StyleGuideRequest,
    "control/style-transfer": StyleTransferRequest,
    "edit/erase": EraseRequest,
    "edit/inpaint": InpaintRequest,
    "edit/outpaint": OutpaintRequest,
    "edit/remove-background": RemoveBackgroundRequest,
    "edit/search-and-recolor": SearchAndRecolorRequest,
    "edit/search-and-replace": SearchAndReplaceRequest,
    "images": ImageRequest,
    "upscale/conservative": ConservativeUpscaleRequest,
    "upscale/creative": CreativeUpscaleRequest,
    "upscale/fast": FastUpscaleRequest,
}
