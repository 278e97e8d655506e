"""What clients see: the response documents of the API, the jobs and the result files."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from imagegen.models.jobs import JobStatus


class ImageView(BaseModel):
    url: str = Field(description="Presigned GET URL of the image, valid until expires_at")
    key: str = Field(description="S3 key of the image in the service's bucket")
    seed: int
    content_type: str
    width: int
    height: int
    bytes: int


class GenerationResponse(BaseModel):
    id: str
    model: str = Field(description="Bedrock model id that generated the images")
    images: list[ImageView]
    expires_at: datetime = Field(description="When the presigned URLs stop working (UTC)")


class JobAccepted(BaseModel):
    job_id: str
    status: JobStatus = Field(
        default="queued", description="queued, or for a repeated Idempotency-Key the job's current status"
    )
    status_url: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = Field(default=None, exclude_if=lambda details: details is None)


class ErrorResponse(BaseModel):
    error: ErrorDetail


class JobView(BaseModel):
    job_id: str
    status: JobStatus
    request_id: str
    trigger: Literal["api", "s3", "eventbridge"]
    model: str | None = None
    images: list[ImageView] = Field(default_factory=list)
    error: ErrorDetail | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = Field(default=None, description="When the image URLs stop working (UTC)")
