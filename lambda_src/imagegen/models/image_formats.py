"""What an image is, read from its first bytes: PNG, JPEG or WebP, its pixel size and whether it
has an alpha channel. Only headers are parsed, so checking a 9-megapixel upload costs
microseconds and no image library."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

ImageFormat = Literal["png", "jpeg", "webp"]
CONTENT_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
FORMATS_BY_CONTENT_TYPE: dict[str, str] = {content_type: fmt for fmt, content_type in CONTENT_TYPES.items()}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (SOF0..SOF15 except DHT, JPG and DAC), which carry the size.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# PNG colour types with an alpha channel (grey + alpha, RGBA); a tRNS chunk adds one to the others.
_PNG_ALPHA_COLOUR_TYPES = frozenset({4, 6})
# How far into a PNG to look for a tRNS chunk (it precedes the image data).
_PNG_HEADER_SCAN_BYTES = 64 * 1024


@dataclass(frozen=True)
class ImageInfo:
    format: ImageFormat
    width: int
    height: int
    has_alpha: bool

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _png(data: bytes) -> ImageInfo | None:
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    colour_type = data[25]
    has_alpha = colour_type in _PNG_ALPHA_COLOUR_TYPES
    if not has_alpha:
        # Walk the chunks before the image data: a tRNS chunk makes a colour transparent.
        pos = 8
        while pos + 8 <= min(len(data), _PNG_HEADER_SCAN_BYTES):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            kind = data[pos + 4 : pos + 8]
            if kind == b"tRNS":
                has_alpha = True
                break
            if kind in (b"IDAT", b"IEND"):
                break
            pos += 12 + length
    return ImageInfo("png", width, height, has_alpha)


def _jpeg(data: bytes) -> ImageInfo | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF_MARKERS:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return ImageInfo("jpeg", width, height, has_alpha=False)
        pos += 2 + length
    return None


def _webp(data: bytes) -> ImageInfo | None:
    """The RIFF container's first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended)."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk, payload = data[12:16], data[20:]
    if chunk == b"VP8 ":
        # Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
        if payload[3:6] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", payload[6:10])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF, has_alpha=False)
    if chunk == b"VP8L":
        if payload[0] != 0x2F:
            return None
        bits = int.from_bytes(payload[1:5], "little")
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        return ImageInfo("webp", width, height, has_alpha=bool((bits >> 28) & 1))
    if chunk == b"VP8X":
        flags = payload[0]
        width = int.from_bytes(payload[4:7], "little") + 1
        height = int.from_bytes(payload[7:10], "little") + 1
        return ImageInfo("webp", width, height, has_alpha=bool(flags & 0x10))
    return None


def identify(data: bytes) -> ImageInfo | None:
    """What `data` is, by its bytes: a PNG, JPEG or WebP with a non-zero size, else None."""
    for reader in (_png, _jpeg, _webp):
        info = reader(data)
        if info is not None:
            return info if info.width and info.height else None
    return None


def image_size(data: bytes, output_format: str) -> tuple[int, int] | None:
    """(width, height) if `data` is an image of `output_format`, else None."""
    info = identify(data)
    if info is None or info.format != output_format:
        return None
    return info.width, info.height
