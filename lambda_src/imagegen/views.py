"""What clients see: the response documents of the API, the jobs and the result files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from imagegen.image_store import ImageStore, StoredImage
from imagegen.job_store import JobRecord, JobStatus


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


class Presigner:
    """Signs image URLs afresh for every read, with the deployment's (capped) expiry."""

    def __init__(self, store: ImageStore, *, expires_in: int):
        self._store = store
        self._expires_in = expires_in

    def expires_at(self) -> datetime:
        return (datetime.now(UTC) + timedelta(seconds=self._expires_in)).replace(microsecond=0)

    def view(self, image: StoredImage) -> ImageView:
        return ImageView(url=self._store.presign(image.key, expires_in=self._expires_in), **image.__dict__)

    def job_view(self, job: JobRecord) -> JobView:
        return JobView(
            job_id=job.job_id,
            status=job.status,
            request_id=job.request_id,
            trigger=job.trigger,
            model=job.model,
            images=[self.view(image) for image in job.images],
            error=ErrorDetail(**job.error) if job.status == "failed" and job.error else None,
            created_at=job.created_at,  # type: ignore[arg-type]
            updated_at=job.updated_at,  # type: ignore[arg-type]
            expires_at=self.expires_at() if job.images else None,
        )
