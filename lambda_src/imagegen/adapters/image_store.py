"""S3 storage of generated images: written once, all or nothing, read through presigned URLs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from imagegen.contract import IMAGES_PREFIX
from imagegen.models.errors import InternalError
from imagegen.models.images import ModelImage, StoredImage
from imagegen.observability import logger, tracer
from imagegen.parallel import run_all

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_s3 import S3Client

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


def create_client(session: Session) -> S3Client:
    # SigV4 explicitly: botocore may otherwise presign with SigV2 on the global endpoint.
    config = Config(signature_version="s3v4", retries={"mode": "standard"})
    return cast("S3Client", session.create_client("s3", config=config))


class ImageStore:
    def __init__(self, client: S3Client, *, bucket: str):
        self._client = client
        self._bucket = bucket

    @tracer.capture_method(capture_response=False)
    def put_images(self, images: list[ModelImage], *, owner_id: str, metadata: dict[str, str]) -> list[StoredImage]:
        """Writes every image under a fresh key, or none: a failure deletes what was written."""
        keys = [f"{IMAGES_PREFIX}{owner_id}/{uuid.uuid4().hex}.{_EXTENSIONS[i.content_type]}" for i in images]
        outcomes = run_all(lambda pair: self._put_one(*pair, metadata), list(zip(keys, images, strict=True)))
        failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        if failures:
            written = [key for key, outcome in zip(keys, outcomes, strict=True) if not isinstance(outcome, Exception)]
            self.delete(written)
            logger.error("Storing images failed", extra={"owner_id": owner_id, "error": repr(failures[0])})
            raise InternalError("The images could not be stored.") from failures[0]
        return [
            StoredImage(
                key=key,
                seed=img.seed,
                content_type=img.content_type,
                width=img.width,
                height=img.height,
                bytes=len(img.data),
            )
            for key, img in zip(keys, images, strict=True)
        ]

    def _put_one(self, key: str, image: ModelImage, metadata: dict[str, str]) -> Exception | None:
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=image.data,
                ContentType=image.content_type,
                Metadata={**metadata, "seed": str(image.seed), "width": str(image.width), "height": str(image.height)},
                IfNoneMatch="*",  # written once: never replaces an existing object
            )
        except (ClientError, BotoCoreError) as exc:
            return exc
        return None

    def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        try:
            self._client.delete_objects(
                Bucket=self._bucket, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True}
            )
        except (ClientError, BotoCoreError):
            logger.exception("Could not delete partly stored images", extra={"keys": keys})

    def presign(self, key: str, *, expires_in: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
        )

    def put_document(self, key: str, body: bytes) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")

    def read_document(self, key: str, *, max_bytes: int, etag: str | None = None) -> bytes:
        """At most max_bytes + 1 bytes of an object, so the caller can tell it is too large;
        with `etag`, only that version of it (S3 answers PreconditionFailed for another)."""
        condition: dict[str, Any] = {"IfMatch": _quoted(etag)} if etag else {}
        response = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{max_bytes}", **condition)
        return response["Body"].read()

    def replaced(self, key: str, etag: str) -> bool:
        """Whether `key` now holds another write than `etag` (a missing object is not replaced)."""
        try:
            self._client.head_object(Bucket=self._bucket, Key=key, IfMatch=_quoted(etag))
        except ClientError as exc:
            # A HEAD answer has no body: the error code is the HTTP status.
            code = exc.response.get("Error", {}).get("Code")
            if code in ("412", "PreconditionFailed"):
                return True
            if code in ("404", "403", "NoSuchKey"):
                return False
            raise
        return False


def _quoted(etag: str) -> str:
    """S3 events carry the eTag without the quotes an If-Match header needs."""
    return etag if etag.startswith('"') else f'"{etag}"'
