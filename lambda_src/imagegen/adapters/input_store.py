"""Image inputs in S3: uploads (a presigned POST per upload, owned by its caller) under uploads/,
and the images an API job's request carried inline, kept under inputs/ until the job runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen.contract import UPLOAD_OWNER_METADATA, UPLOADS_PREFIX
from imagegen.models.errors import InternalError
from imagegen.observability import logger, tracer

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Content types an upload may declare (the bytes are checked again when the image is used).
UPLOAD_CONTENT_TYPES = ("image/png", "image/jpeg", "image/webp")


@dataclass(frozen=True)
class StoredInput:
    key: str
    data: bytes  # the object's first bytes, as many as were asked for
    size: int  # the whole object's
    owner: str | None
    last_modified: datetime


@dataclass(frozen=True)
class UploadForm:
    """A presigned S3 POST: the form fields to send with the file, to `url`."""

    url: str
    fields: dict[str, str]


def upload_key(upload_id: str) -> str:
    return f"{UPLOADS_PREFIX}{upload_id}"


class InputStore:
    def __init__(self, client: S3Client, *, bucket: str):
        self._client = client
        self._bucket = bucket

    def upload_form(
        self, upload_id: str, *, owner: str, max_bytes: int, expires_in: int, content_type: str | None
    ) -> UploadForm:
        """A presigned POST accepting one image of at most `max_bytes` at uploads/<upload_id>,
        marked as `owner`'s. S3 refuses any other key, size, owner or content type."""
        owner_field = f"x-amz-meta-{UPLOAD_OWNER_METADATA}"
        fields: dict[str, Any] = {owner_field: owner}
        conditions: list[Any] = [{owner_field: owner}, ["content-length-range", 1, max_bytes]]
        # With a declared type, S3 holds the upload to it; without, the form sends none (a policy
        # condition on a field the form lacks would refuse it). Either way the image is recognised
        # by its bytes when it is used.
        if content_type is not None:
            fields["Content-Type"] = content_type
            conditions.append({"Content-Type": content_type})
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=upload_key(upload_id),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
        return UploadForm(url=post["url"], fields={name: str(value) for name, value in post["fields"].items()})

    @tracer.capture_method(capture_response=False)
    def read(self, key: str, *, max_bytes: int) -> StoredInput | None:
        """The object at `key` (at most its first max_bytes + 1 bytes, with its whole size), or
        None if there is none."""
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{max_bytes}")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            # Without s3:ListBucket, S3 answers a missing key with AccessDenied; an empty object
            # has no byte 0 to range over.
            if code in ("NoSuchKey", "404", "AccessDenied", "InvalidRange"):
                return None
            raise InternalError(f"Could not read the input image {key}.") from exc
        except BotoCoreError as exc:
            raise InternalError(f"Could not read the input image {key}.") from exc
        metadata = response.get("Metadata") or {}
        data = response["Body"].read()
        # "bytes 0-65535/15211940": the whole size after the slash.
        content_range = response.get("ContentRange") or ""
        size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else len(data)
        return StoredInput(
            key=key,
            data=data,
            size=size,
            owner=metadata.get(UPLOAD_OWNER_METADATA),
            last_modified=response["LastModified"],
        )

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Writes an input once: an object already at `key` is kept (keys name their content)."""
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type, IfNoneMatch="*")
        except ClientError as exc:
            # Already there (412), or being written by a concurrent request (409
            # ConditionalRequestConflict): the key names its content, so either way it is the same.
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return
            logger.error("Storing an input image failed", extra={"key": key, "error": repr(exc)})
            raise InternalError("The request's images could not be stored.") from exc
        except BotoCoreError as exc:
            logger.error("Storing an input image failed", extra={"key": key, "error": repr(exc)})
            raise InternalError("The request's images could not be stored.") from exc
