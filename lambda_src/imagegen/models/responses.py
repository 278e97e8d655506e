"""What clients see: the response documents of the API, the jobs and the result files."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from imagegen.models.jobs import JobStatus


class Document(BaseModel):
    """A document the service answers with. Its schema is built on first use, so a cold start
    pays only for the documents its first request answers with."""

    model_config = ConfigDict(defer_build=True)


class ImageView(Document):
    url: str = Field(description="Presigned GET URL of the image, valid until expires_at")
    key: str = Field(description="S3 key of the image in the service's bucket")
    seed: int
    content_type: str
    width: int
    height: int
    bytes: int


_OPERATION = "The operation that made the images: images, upscale/fast, ..."
_INPUTS = (
    "The image inputs by field: the S3 key of each (uploads/..., inputs/...), or inline:sha256:<digest> "
    "for an image sent inline"
)


class GenerationResponse(Document):
    id: str
    operation: str = Field(default="images", description=_OPERATION)
    model: str = Field(description="Bedrock model id that generated the images")
    images: list[ImageView]
    # Left out of a text-to-image answer, which has no inputs.
    inputs: dict[str, str] = Field(default_factory=dict, description=_INPUTS, exclude_if=lambda inputs: not inputs)
    expires_at: datetime = Field(description="When the presigned URLs stop working (UTC)")


class UploadForm(Document):
    upload_id: str = Field(description='Name the upload in requests as {"upload_id": ...}')
    url: str = Field(description="POST the file here as multipart/form-data: the fields, then the file")
    fields: dict[str, str] = Field(description="Form fields to send as they are, before the file field")
    max_bytes: int = Field(description="The largest file S3 accepts for this upload")
    expires_at: datetime = Field(description="When the form stops working (UTC); the upload is kept for the retention")


class JobAccepted(Document):
    job_id: str
    status: JobStatus = Field(
        default="queued", description="queued, or for a repeated Idempotency-Key the job's current status"
    )
    status_url: str


class ErrorDetail(Document):
    code: str
    message: str
    details: dict[str, Any] | None = Field(default=None, exclude_if=lambda details: details is None)


class ErrorResponse(Document):
    error: ErrorDetail


class JobView(Document):
    job_id: str
    status: JobStatus
    request_id: str
    trigger: Literal["api", "s3", "eventbridge"]
    operation: str = Field(default="images", description=_OPERATION)
    inputs: dict[str, str] = Field(default_factory=dict, description=_INPUTS)
    model: str | None = None
    images: list[ImageView] = Field(default_factory=list)
    error: ErrorDetail | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = Field(default=None, description="When the image URLs stop working (UTC)")


class JobPage(Document):
    jobs: list[JobView] = Field(description="The caller's own jobs (POST /jobs), newest first")
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null on the last page"
    )
