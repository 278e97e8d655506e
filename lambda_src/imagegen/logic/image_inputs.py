"""Turning a request's image inputs into checked images, before any model call.

Each input is fetched (decoded inline, or read from its upload or S3 key), identified by its
bytes (PNG, JPEG or WebP) and held to the operation's documented limits; every refusal is a
400 naming the field. Together the images must fit in one InvokeModel body."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imagegen.adapters.input_store import InputStore, StoredInput, upload_key
from imagegen.contract import INPUTS_PREFIX
from imagegen.models.image_formats import ImageInfo, identify
from imagegen.models.image_inputs import MAX_INPUT_BYTES, S3Ref, UploadRef, decode_inline
from imagegen.models.operations import Operation
from imagegen.models.request import OperationRequest
from imagegen.models.validation import invalid

# InvokeModel takes a body of at most 25,000,000 bytes; the images travel in it as base64,
# next to the other fields (well under the 100,000 bytes kept back here).
BEDROCK_BODY_LIMIT = 25_000_000
_OTHER_FIELDS_BYTES = 100_000
# How much of an image in S3 a header read takes: a PNG's, a WebP's or (nearly always) a
# JPEG's size and format are in its first bytes.
HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class InputImage:
    """One checked image input: its bytes (or, checked by its header alone, their beginning),
    what they are, its size, and where it is stored (None: inline)."""

    data: bytes
    info: ImageInfo
    key: str | None
    size: int

    @property
    def complete(self) -> bool:
        return len(self.data) == self.size

    def base64(self) -> str:
        if not self.complete:
            raise ValueError(f"only the header of {self.key} was read")
        return base64.b64encode(self.data).decode("ascii")

    @property
    def reference(self) -> str:
        """How results name the input: its key, or for an inline image a digest of its bytes."""
        return self.key or "inline:sha256:" + hashlib.sha256(self.data).hexdigest()[:16]


def content_key(image: InputImage) -> str:
    """Where an inline image of a job is kept: under inputs/, named by the day and its content. A
    repeat the same day stores nothing twice; one on a later day gets its own object, which the
    lifecycle rule cannot expire before the new job has had the whole retention to run."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{INPUTS_PREFIX}{day}/{hashlib.sha256(image.data).hexdigest()}.{image.info.format}"


class InputResolver:
    """Reads and checks image inputs, with the uploads and inputs in `store`."""

    def __init__(self, store: InputStore, *, retention_days: int):
        self._store = store
        self._retention = timedelta(days=retention_days)

    def resolve(
        self,
        request: OperationRequest,
        operation: Operation,
        *,
        caller_id: str | None = None,
        headers_only: bool = False,
    ) -> dict[str, InputImage]:
        """The request's image inputs, checked; a ValidationFailed naming the first bad field.
        `caller_id` is whose uploads may be used (API requests and their jobs); None for S3 drops and
        events, which may not use an upload of POST /uploads (a caller's own) even by its key.
        With `headers_only`, an image in S3 is read only as far as its header: enough to check it
        when a job is accepted, which reads it whole when it runs."""
        images: dict[str, InputImage] = {}
        read_bytes = HEADER_BYTES if headers_only else MAX_INPUT_BYTES
        for name, value in request.images().items():
            image = self._fetch(name, value, caller_id, read_bytes)
            problems = operation.limits(name).problems(image.info)
            if problems:
                raise invalid(name, f"the image {problems[0]}")
            images[name] = image
        request.check_inputs({name: image.info for name, image in images.items()})
        encoded = sum((image.size + 2) // 3 * 4 for image in images.values())
        if encoded + _OTHER_FIELDS_BYTES > BEDROCK_BODY_LIMIT:
            raise invalid(
                next(iter(images)),
                f"the images together take {encoded:,} bytes as base64; a model call carries at most "
                f"{BEDROCK_BODY_LIMIT - _OTHER_FIELDS_BYTES:,}",
            )
        return images

    def keep(self, images: dict[str, InputImage]) -> dict[str, str]:
        """The key of each image, storing the inline ones under inputs/ (named by their content, so
        a repeated request stores nothing twice): a job's request then names its images by key."""
        keys: dict[str, str] = {}
        for name, image in images.items():
            if image.key is None:
                key = content_key(image)
                self._store.put(key, image.data, content_type=image.info.content_type)
                keys[name] = key
            else:
                keys[name] = image.key
        return keys

    def _fetch(self, name: str, value: object, caller_id: str | None, read_bytes: int) -> InputImage:
        if isinstance(value, UploadRef):
            return self._upload(name, value.upload_id, caller_id, read_bytes)
        if isinstance(value, S3Ref):
            stored = self._store.read(value.s3_key, max_bytes=read_bytes)
            # An upload made with POST /uploads is its caller's own (its owner is in its metadata):
            # only that caller's jobs may name it by key; S3 drops and events use objects put there.
            if stored is None or (stored.owner is not None and stored.owner != caller_id):
                raise invalid(f"{name}.s3_key", f"there is no object {value.s3_key} that this request may use")
            return self._checked(name, stored)
        if not isinstance(value, str):  # the request model admits nothing else
            raise invalid(name, "is not an image input")
        data = decode_inline(name, value)
        return self._identified(name, data, None, len(data))

    def _upload(self, name: str, upload_id: str, caller_id: str | None, read_bytes: int) -> InputImage:
        field = f"{name}.upload_id"
        stored = self._store.read(upload_key(upload_id), max_bytes=read_bytes)
        # Another caller's upload is answered as a missing one: its id tells nothing.
        if stored is None or caller_id is None or stored.owner != caller_id:
            raise invalid(field, f"there is no upload {upload_id} of yours (upload it with POST /uploads first)")
        # S3 lifecycle rules expire objects in a daily run, possibly a day late: an upload past
        # the retention is refused whether or not it is still there.
        if datetime.now(UTC) - stored.last_modified > self._retention:
            raise invalid(field, f"the upload {upload_id} has expired; upload the image again")
        return self._checked(name, stored)

    def _checked(self, name: str, stored: StoredInput) -> InputImage:
        if stored.size > MAX_INPUT_BYTES:
            raise invalid(name, f"the image is larger than {MAX_INPUT_BYTES:,} bytes")
        if len(stored.data) < stored.size and identify(stored.data) is None:
            # A JPEG may carry its size after more metadata than a header read takes: read it all.
            whole = self._store.read(stored.key, max_bytes=MAX_INPUT_BYTES)
            stored = whole or stored
        return self._identified(name, stored.data, stored.key, stored.size)

    @staticmethod
    def _identified(name: str, data: bytes, key: str | None, size: int) -> InputImage:
        if size > MAX_INPUT_BYTES:
            raise invalid(name, f"the image is larger than {MAX_INPUT_BYTES:,} bytes")
        info = identify(data)
        if info is None:
            raise invalid(name, "is not a PNG, JPEG or WebP image")
        return InputImage(data=data, info=info, key=key, size=size)
