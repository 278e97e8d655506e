"""The documents callers read, with image URLs signed afresh for every read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from imagegen.adapters.image_store import ImageStore
from imagegen.models.images import StoredImage
from imagegen.models.jobs import JobRecord
from imagegen.models.responses import ErrorDetail, ImageView, JobView


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
