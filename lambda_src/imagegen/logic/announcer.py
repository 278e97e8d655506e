"""Announcing a finished job: its result document (S3 drops and events) and its outcome event,
exactly once per outcome, whatever the deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen.adapters.event_publisher import EventPublisher
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.job_store import JobStore
from imagegen.contract import COMPLETED_DETAIL_TYPE, FAILED_DETAIL_TYPE
from imagegen.logic.job_documents import JobDocuments
from imagegen.models.errors import ImageServiceError, InternalError
from imagegen.models.jobs import JobRecord
from imagegen.models.outcomes import DONE, Outcome, RetryAfter
from imagegen.observability import logger

# How long one delivery may take to write a result and publish an event before another may.
ANNOUNCE_LEASE_SECONDS = 60


class Announcer:
    def __init__(self, *, jobs: JobStore, store: ImageStore, publisher: EventPublisher, documents: JobDocuments):
        self._jobs = jobs
        self._store = store
        self._publisher = publisher
        self._documents = documents

    def announce(self, job_id: str, *, retry_after: int) -> Outcome:
        """Writes the result document and publishes the outcome event, once per outcome: the
        delivery that takes the announcement announces the record as it took it; a failure hands
        the announcement to the next delivery."""
        job = self._jobs.begin_announcing(job_id, lease_seconds=ANNOUNCE_LEASE_SECONDS)
        if job is None:
            current = self._jobs.get(job_id)
            if current is None or current.notified or not current.finished:
                return DONE
            # Another delivery is announcing it: come back to make sure it did.
            return RetryAfter(
                ANNOUNCE_LEASE_SECONDS, InternalError("The outcome is being announced by another delivery.")
            )
        try:
            if job.result_key and not self._superseded(job):
                document = self._documents.job(job)
                self._store.put_document(job.result_key, document.model_dump_json().encode())
            detail_type = COMPLETED_DETAIL_TYPE if job.status == "succeeded" else FAILED_DETAIL_TYPE
            self._publisher.publish(detail_type, _outcome_detail(job))
        except (ImageServiceError, ClientError, BotoCoreError):
            logger.exception("Could not announce the outcome", extra={"job_id": job_id})
            self._jobs.end_announcing(job, announced=False)
            return RetryAfter(retry_after, InternalError("The outcome could not be announced."))
        self._jobs.end_announcing(job, announced=True)
        logger.info("Job finished", extra={"job_id": job_id, "status": job.status, "trigger": job.trigger})
        return DONE

    def _superseded(self, job: JobRecord) -> bool:
        """An S3 drop whose request object was written again since: the result file is the newer write's."""
        if not (job.source_key and job.source_etag and self._store.replaced(job.source_key, job.source_etag)):
            return False
        logger.warning(
            "Request object written again: its result file is left to the newer write", extra={"job_id": job.job_id}
        )
        return True


def _outcome_detail(job: JobRecord) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "request_id": job.request_id,
        "job_id": job.job_id,
        "status": job.status,
        "trigger": job.trigger,
        "operation": job.operation,
        "inputs": job.inputs,
        "model": job.model,
        "images": [asdict(image) for image in job.images],
        "result_key": job.result_key,
    }
    if job.error:
        detail["error"] = job.error
    return detail
