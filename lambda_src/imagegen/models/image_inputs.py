"""Image inputs of a request (`image`, `mask`, ...) and the limits an operation puts on them.

An input is given one of three ways: inline (base64, or a data URL), as `{"upload_id"}` after
POST /uploads, or as `{"s3_key"}` under uploads/ or inputs/ of the bucket (S3 drops and events,
and API jobs, whose inline images are kept under inputs/ while they wait). Which ways a request
may use depends on where it comes from: the validation context says."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema

from imagegen.contract import INPUTS_PREFIX, UPLOADS_PREFIX
from imagegen.models.image_formats import ImageInfo
from imagegen.models.validation import invalid

InputSource = Literal["inline", "upload", "s3"]
# Where each kind of request may take its images from.
API_SOURCES: frozenset[InputSource] = frozenset({"inline", "upload"})
EVENT_SOURCES: frozenset[InputSource] = frozenset({"inline", "s3"})
STORED_SOURCES: frozenset[InputSource] = frozenset({"s3"})

# The largest image input (an upload, an S3 key or an inline image): InvokeModel takes a body of
# at most 25,000,000 bytes, in which an image travels as base64 (4/3 of its size).
MAX_INPUT_BYTES = 18_000_000

UPLOAD_ID_PATTERN = r"^[0-9a-f]{32}$"
# Segments of S3's safe characters, none starting with a dot (no "." or ".." segments).
S3_KEY_PATTERN = (
    rf"^({UPLOADS_PREFIX.rstrip('/')}|{INPUTS_PREFIX.rstrip('/')})(/[A-Za-z0-9!_*'()-][A-Za-z0-9!_.*'()-]*)+$"
)
_DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|webp);base64,", re.IGNORECASE)


class InputContext(TypedDict, total=False):
    """Part of the validation context: where image inputs may come from."""

    input_sources: frozenset[InputSource]


def allowed_sources(context: object) -> frozenset[InputSource]:
    if isinstance(context, dict) and "input_sources" in context:
        return frozenset(context["input_sources"])
    return API_SOURCES


class UploadRequest(BaseModel):
    """POST /uploads: optionally, the content type the file will have (S3 then requires it)."""

    model_config = ConfigDict(strict=True, extra="forbid", title="UploadRequest")

    content_type: Literal["image/png", "image/jpeg", "image/webp"] | None = None


class UploadRef(BaseModel):
    """An image uploaded with POST /uploads by the same caller."""

    model_config = ConfigDict(strict=True, extra="forbid", title="UploadRef")

    upload_id: str = Field(pattern=UPLOAD_ID_PATTERN, description="The upload_id POST /uploads answered with")


class S3Ref(BaseModel):
    """An image in the service's bucket, under uploads/ or inputs/ (S3 drops and events only)."""

    model_config = ConfigDict(strict=True, extra="forbid", title="S3Ref")

    s3_key: str = Field(
        pattern=S3_KEY_PATTERN, max_length=1024, description="Key under uploads/ or inputs/ of the bucket"
    )


InlineImage = Annotated[
    str,
    Field(min_length=16),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 16,
            "description": "The image's bytes in base64, or a data:image/(png|jpeg|webp);base64, URL",
        }
    ),
]
ImageInput = InlineImage | UploadRef | S3Ref


_UPLOAD_ID = re.compile(UPLOAD_ID_PATTERN)
_S3_KEY = re.compile(S3_KEY_PATTERN)
_SHAPES = 'an image is base64 text (or a data: URL), {"upload_id": "..."} or {"s3_key": "..."}'


def image_input_problem(value: object) -> tuple[str, str] | None:
    """(the part at fault, "" for the input itself; what is wrong) if `value` is not shaped as an
    image input, else None."""
    if isinstance(value, str):
        return None if len(value) >= 16 else ("", f"too short to be an image; {_SHAPES}")
    if not isinstance(value, dict) or len(value) != 1:
        return ("", _SHAPES)
    [(key, given)] = value.items()
    if key == "upload_id":
        if isinstance(given, str) and _UPLOAD_ID.match(given):
            return None
        return ("upload_id", "must be the upload_id POST /uploads answered with (32 hexadecimal digits)")
    if key == "s3_key":
        if isinstance(given, str) and len(given) <= 1024 and _S3_KEY.match(given):
            return None
        return ("s3_key", "must be the key of an object under uploads/ or inputs/ (no . or .. segments)")
    return ("", _SHAPES)


def source_of(value: ImageInput) -> InputSource:
    if isinstance(value, UploadRef):
        return "upload"
    if isinstance(value, S3Ref):
        return "s3"
    return "inline"


def check_source(field: str, value: ImageInput, info: ValidationInfo) -> None:
    """Refuses a way of giving an image that this kind of request cannot use."""
    source, allowed = source_of(value), allowed_sources(info.context)
    if source in allowed:
        return
    if source == "s3":
        raise ValueError(f"{field}: s3_key is for S3 drops and events; upload the image with POST /uploads")
    if source == "upload":
        raise ValueError(
            f"{field}: upload_id is for API requests; an S3 drop or event names an object put under uploads/ "
            "or inputs/ by its s3_key"
        )
    raise ValueError(f"{field}: give the image by reference")


def decode_inline(field: str, value: str) -> bytes:
    """The bytes of an inline image: base64, or a data URL of a PNG, JPEG or WebP."""
    match = _DATA_URL.match(value)
    payload = value[match.end() :] if match else value
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(field, "is neither base64 nor a data:image/...;base64, URL") from None


def _ratio(value: float) -> str:
    return f"{value:g}:1" if value >= 1 else f"1:{1 / value:g}"


@dataclass(frozen=True)
class ImageLimits:
    """What an operation accepts as one image input, as Bedrock documents it for the model."""

    min_side: int = 64
    max_side: int | None = None
    min_pixels: int = 4_096
    max_pixels: int = 9_437_184
    # width / height, both ends included; None where the model documents no such rule
    min_aspect: float | None = 1 / 2.5
    max_aspect: float | None = 2.5
    formats: tuple[str, ...] = ("png", "jpeg", "webp")

    def problems(self, info: ImageInfo) -> list[str]:
        """Each limit `info` breaks, in words naming its value and the limit."""
        found: list[str] = []
        size = f"{info.width}x{info.height}"
        if info.format not in self.formats:
            found.append(f"is {info.format}; this operation takes {', '.join(self.formats)}")
        if min(info.width, info.height) < self.min_side:
            found.append(f"is {size}; each side must be at least {self.min_side} px")
        if self.max_side is not None and max(info.width, info.height) > self.max_side:
            found.append(f"is {size}; each side must be at most {self.max_side} px")
        if not self.min_pixels <= info.pixels <= self.max_pixels:
            found.append(
                f"is {size} ({info.pixels:,} pixels); it must have {self.min_pixels:,} to {self.max_pixels:,} pixels"
            )
        if self.min_aspect is not None and self.max_aspect is not None:
            aspect = info.width / info.height
            if not self.min_aspect - 1e-9 <= aspect <= self.max_aspect + 1e-9:
                found.append(
                    f"is {size}; its aspect ratio must be between {_ratio(self.min_aspect)} "
                    f"and {_ratio(self.max_aspect)}"
                )
        return found

    def describe(self) -> str:
        sides = f"{self.min_side} to {self.max_side} px" if self.max_side else f"at least {self.min_side} px"
        text = (
            f"{'/'.join(f.upper() for f in self.formats)}; each side {sides}; "
            f"{self.min_pixels:,} to {self.max_pixels:,} pixels"
        )
        if self.min_aspect is not None and self.max_aspect is not None:
            text += f"; aspect ratio {_ratio(self.min_aspect)} to {_ratio(self.max_aspect)}"
        return text
