"""Runs one unit of asynchronous work to a recorded outcome.

A job is claimed with a conditional write before anything is generated, so a duplicate
delivery (S3 and EventBridge are at-least-once) finds it held or finished and generates
nothing. A transient failure puts the job back in the queue with a growing delay; on the
queue's last delivery it is recorded as failed and the message goes on to the dead-letter
queue. A permanent failure (invalid request, filtered content) is recorded at once."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from imagegen import dependencies as deps
from imagegen.errors import ImageServiceError, InternalError
from imagegen.events import COMPLETED, FAILED
from imagegen.generation import generate_images
from imagegen.http_body import loads_strict
from imagegen.job_store import JobRecord
from imagegen.observability import logger, tracer
from imagegen.request import MAX_REQUEST_BYTES, ImageRequest
from imagegen.triggers import WorkItem
from imagegen.validation import invalid, validation_error


class RetryLater(Exception):
    """The work failed transiently: the message should be delivered again after `delay_seconds`."""

    def __init__(self, error: ImageServiceError, delay_seconds: int):
        super().__init__(f"{error.code}: {error.message}")
        self.error = error
        self.delay_seconds = delay_seconds


class RetriesExhausted(Exception):
    """The job failed on its last delivery; the message is left for the dead-letter queue."""


def _backoff(receive_count: int) -> int:
    return min(deps.settings().retry_backoff_seconds * 2 ** (receive_count - 1), 900)


def _validated(document: Any) -> ImageRequest:
    if not isinstance(document, dict):
        raise invalid("body", "the request must be a JSON object")
    try:
        return ImageRequest.model_validate(document)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from exc


def _read_s3_request(key: str) -> Any:
    try:
        raw = deps.store().read_document(key, max_bytes=MAX_REQUEST_BYTES)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        # Deleted since, or empty. Without s3:ListBucket, S3 answers a missing key with AccessDenied.
        if code in ("NoSuchKey", "InvalidRange", "AccessDenied"):
            raise invalid("body", f"the request object {key} is missing, empty or unreadable") from exc
        raise InternalError(f"Could not read the request object {key}.") from exc
    if len(raw) > MAX_REQUEST_BYTES:
        raise invalid("body", f"the request object is larger than {MAX_REQUEST_BYTES // 1024} KiB")
    try:
        return loads_strict(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("body", f"the request object is not valid JSON: {exc}") from exc


def _load_request(item: WorkItem, job: JobRecord) -> ImageRequest:
    if item.problem:
        raise item.problem
    if item.source_key:
        return _validated(_read_s3_request(item.source_key))
    if item.trigger == "api":
        return _validated(job.request)
    return _validated(item.request)


def _finalize(job: JobRecord) -> None:
    """Writes the result document and announces the outcome, once per outcome."""
    view = deps.presigner().job_view(job)
    if job.result_key:
        deps.store().put_document(job.result_key, view.model_dump_json().encode())
    detail: dict[str, Any] = {
        "request_id": job.request_id,
        "job_id": job.job_id,
        "status": job.status,
        "trigger": job.trigger,
        "model": job.model,
        "images": [image.__dict__ for image in job.images],
        "result_key": job.result_key,
    }
    if job.error:
        detail["error"] = job.error
    deps.publisher().publish(COMPLETED if job.status == "succeeded" else FAILED, detail)
    deps.jobs().mark_notified(job.job_id)
    logger.info("Job finished", extra={"job_id": job.job_id, "status": job.status, "trigger": job.trigger})


def _fail(job: JobRecord, error: ImageServiceError, receive_count: int) -> None:
    jobs = deps.jobs()
    if error.retryable and receive_count < deps.settings().max_receive_count:
        jobs.release(job, error)
        raise RetryLater(error, _backoff(receive_count))
    failed = jobs.fail(job, error)
    if failed:
        _finalize(failed)
    if error.retryable:
        raise RetriesExhausted(f"{error.code} after {receive_count} deliveries")


def _create_if_new(item: WorkItem) -> None:
    if item.trigger != "api":  # API jobs were recorded when they were accepted
        deps.jobs().create(
            job_id=item.job_id, trigger=item.trigger, request_id=item.request_id, result_key=item.result_key
        )


@tracer.capture_method(capture_response=False)
def run(item: WorkItem, *, receive_count: int, lease_seconds: int) -> None:
    """Takes `item` to succeeded or failed, or raises RetryLater / RetriesExhausted."""
    jobs = deps.jobs()
    try:
        _create_if_new(item)
        job = jobs.get(item.job_id)
    except (ClientError, BotoCoreError) as exc:
        raise RetryLater(InternalError("The job table is not reachable."), _backoff(receive_count)) from exc
    if job is None:
        logger.warning("No record for this job; nothing to do", extra={"job_id": item.job_id})
        return
    if job.finished and not (job.status == "failed" and job.retryable):
        if not job.notified:
            _finalize(job)
        logger.info("Duplicate delivery of a finished job", extra={"job_id": job.job_id})
        return
    claimed = jobs.claim(item.job_id, lease_seconds=lease_seconds)
    if claimed is None:
        logger.info("Job is being run by another delivery", extra={"job_id": item.job_id})
        return
    try:
        request = _load_request(item, claimed)
        images = generate_images(request, owner_id=claimed.job_id, model=deps.image_model(), store=deps.store())
    except ImageServiceError as error:
        _fail(claimed, error, receive_count)
        return
    except Exception:
        logger.exception("Unexpected error running a job", extra={"job_id": claimed.job_id})
        _fail(claimed, InternalError("An internal error occurred."), receive_count)
        return
    done = jobs.succeed(claimed, model=request.model_spec.model_id, images=images)
    if done is None:  # our lease ran out and another delivery took over: keep only its images
        deps.store().delete([image.key for image in images])
        return
    _finalize(done)
