"""Images as the layers pass them: one the model returned, one the service stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelImage:
    data: bytes
    seed: int
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredImage:
    key: str
    seed: int
    content_type: str
    width: int
    height: int
    bytes: int
