"""The documents callers read, with image URLs signed afresh for every read."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from imagegen.adapters.image_store import ImageStore
from imagegen.models.images import StoredImage
from imagegen.models.jobs import JobRecord
from imagegen.models.responses import ErrorDetail, GenerationResponse, ImageView, JobView


class JobDocuments:
    """Builds the answers of POST /images and GET /jobs/{id}, and the result files, signing image
    URLs with the deployment's (capped) expiry."""

    def __init__(self, store: ImageStore, *, expires_in: int):
        self._store = store
        self._expires_in = expires_in

    def expires_at(self) -> datetime:
        return (datetime.now(UTC) + timedelta(seconds=self._expires_in)).replace(microsecond=0)

    def image(self, image: StoredImage) -> ImageView:
        return ImageView(url=self._store.presign(image.key, expires_in=self._expires_in), **asdict(image))

    def generation(
        self,
        *,
        generation_id: str,
        operation: str,
        model_id: str,
        images: list[StoredImage],
        inputs: dict[str, str],
    ) -> GenerationResponse:
        return GenerationResponse(
            id=generation_id,
            operation=operation,
            model=model_id,
            images=[self.image(image) for image in images],
            inputs=inputs,
            expires_at=self.expires_at(),
        )

    def job(self, job: JobRecord) -> JobView:
        return JobView(
            job_id=job.job_id,
            status=job.status,
            request_id=job.request_id,
            trigger=job.trigger,
            operation=job.operation,
            inputs=job.inputs,
            model=job.model,
            images=[self.image(image) for image in job.images],
            error=ErrorDetail.model_validate(job.error) if job.status == "failed" and job.error else None,
            created_at=datetime.fromisoformat(job.created_at),
            updated_at=datetime.fromisoformat(job.updated_at),
            expires_at=self.expires_at() if job.images else None,
        )
