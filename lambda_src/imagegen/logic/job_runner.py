"""Runs one unit of asynchronous work to a recorded outcome.

A job is claimed with a conditional write before anything is generated, so a duplicate
delivery (S3 and EventBridge are at-least-once) finds it held or finished and generates
nothing. A transient failure puts the job back in the queue with a growing delay; on the
queue's last delivery it is recorded as failed and the message goes on to the dead-letter
queue. A permanent failure (invalid request, filtered content) is recorded at once."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from imagegen import dependencies as deps
from imagegen.adapters.event_publisher import COMPLETED, FAILED
from imagegen.logic.generation import generate_images
from imagegen.models.errors import ImageServiceError, InternalError
from imagegen.models.jobs import JobRecord
from imagegen.models.request import MAX_REQUEST_BYTES, ImageRequest
from imagegen.models.strict_json import loads_strict
from imagegen.models.validation import invalid, validation_error
from imagegen.models.work import WorkItem
from imagegen.observability import logger, tracer


class RetryLater(Exception):
    """The work failed transiently: the message should be delivered again after `delay_seconds`."""

    def __init__(self, error: ImageServiceError, delay_seconds: int):
        super().__init__(f"{error.code}: {error.message}")
        self.error = error
        self.delay_seconds = delay_seconds


class Superseded(Exception):
    """The request object was written again before it was read: the newer write's own event
    generates it, and this one has nothing to run."""


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


def _read_s3_request(key: str, etag: str | None) -> Any:
    try:
        raw = deps.store().read_document(key, max_bytes=MAX_REQUEST_BYTES, etag=etag)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "PreconditionFailed":
            raise Superseded(key) from exc
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
        return _validated(_read_s3_request(item.source_key, item.source_etag))
    if item.trigger == "api":
        return _validated(job.request)
    return _validated(item.request)


# How long one delivery may take to write a result and publish an event before another may.
ANNOUNCE_LEASE_SECONDS = 60


def _outcome_detail(job: JobRecord) -> dict[str, Any]:
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
    return detail


def _superseded(job: JobRecord) -> bool:
    """An S3 drop whose request object was written again since: the result file is the newer write's."""
    if not (job.source_key and job.source_etag and deps.store().replaced(job.source_key, job.source_etag)):
        return False
    logger.warning(
        "Request object written again: its result file is left to the newer write", extra={"job_id": job.job_id}
    )
    return True


def _announce(job_id: str, receive_count: int) -> None:
    """Writes the result document and publishes the outcome event, once per outcome: the
    delivery that takes the announcement announces the record as it took it; a failure hands
    the announcement to the next delivery."""
    jobs = deps.jobs()
    job = jobs.begin_announcing(job_id, lease_seconds=ANNOUNCE_LEASE_SECONDS)
    if job is None:
        current = jobs.get(job_id)
        if current is None or current.notified or not current.finished:
            return
        # Another delivery is announcing it: come back to make sure it did.
        raise RetryLater(InternalError("The outcome is being announced by another delivery."), ANNOUNCE_LEASE_SECONDS)
    try:
        if job.result_key and not _superseded(job):
            view = deps.presigner().job_view(job)
            deps.store().put_document(job.result_key, view.model_dump_json().encode())
        deps.publisher().publish(COMPLETED if job.status == "succeeded" else FAILED, _outcome_detail(job))
    except (ImageServiceError, ClientError, BotoCoreError) as exc:
        logger.exception("Could not announce the outcome", extra={"job_id": job_id})
        jobs.end_announcing(job, announced=False)
        raise RetryLater(InternalError("The outcome could not be announced."), _backoff(receive_count)) from exc
    jobs.end_announcing(job, announced=True)
    logger.info("Job finished", extra={"job_id": job_id, "status": job.status, "trigger": job.trigger})


def _fail(job: JobRecord, error: ImageServiceError, receive_count: int) -> None:
    jobs = deps.jobs()
    last_delivery = receive_count >= deps.settings().max_receive_count
    if error.retryable and not last_delivery:
        jobs.release(job, error)
        raise RetryLater(error, _backoff(receive_count))
    if jobs.fail(job, error):
        try:
            _announce(job.job_id, receive_count)
        except RetryLater:
            if not last_delivery:
                raise
            # No delivery is left to announce it: the dead-letter queue keeps the message,
            # and a redrive announces it (or, for a transient error, runs the job again).
            raise RetriesExhausted(f"{error.code}, not announced, after {receive_count} deliveries") from None
    if error.retryable:
        raise RetriesExhausted(f"{error.code} after {receive_count} deliveries")


def _create_if_new(item: WorkItem) -> None:
    if item.trigger != "api":  # API jobs were recorded when they were accepted
        deps.jobs().create(
            job_id=item.job_id,
            trigger=item.trigger,
            request_id=item.request_id,
            result_key=item.result_key,
            fingerprint=item.fingerprint,
            source_key=item.source_key,
            source_etag=item.source_etag,
        )


def _refusal(item: WorkItem) -> WorkItem:
    """A different request under a request_id already used becomes a job of its own (one per
    event, so a duplicate delivery refuses it once) that fails at once. It writes no result
    file: the first request's job and result are left as they are."""
    logger.warning("Request id reused for a different request", extra={"request_id": item.request_id})
    error = invalid("request_id", f"{item.request_id!r} was already used for a different request")
    return dataclasses.replace(
        item, job_id=item.refusal_job_id, result_key=None, request=None, problem=error, fingerprint=None
    )


def _job_to_run(item: WorkItem, receive_count: int) -> WorkItem | None:
    """The work to run for `item`: itself, or the job refusing it; None when there is nothing
    to run (a duplicate, an outcome that only needed announcing)."""
    jobs = deps.jobs()
    try:
        _create_if_new(item)
        job = jobs.get(item.job_id)
    except (ClientError, BotoCoreError) as exc:
        raise RetryLater(InternalError("The job table is not reachable."), _backoff(receive_count)) from exc
    if job is None:
        logger.warning("No record for this job; nothing to do", extra={"job_id": item.job_id})
        return None
    if item.fingerprint and job.fingerprint and item.fingerprint != job.fingerprint and item.refusal_job_id:
        return _job_to_run(_refusal(item), receive_count)
    if job.finished and not (job.status == "failed" and job.retryable):
        if not job.notified:  # its announcement failed or is under way
            _announce(job.job_id, receive_count)
        else:
            logger.info("Duplicate delivery of a finished job", extra={"job_id": job.job_id})
        return None
    # Queued, running, or failed transiently (a redrive asks to run it again; only the new
    # outcome is announced).
    return item


def hand_back(item: WorkItem, *, receive_count: int) -> None:
    """The invocation has no time left to run `item`: it comes back at once, or, on its last
    delivery, is recorded as failed (so it never sits queued behind the dead-letter queue)."""
    if receive_count < deps.settings().max_receive_count:
        raise RetryLater(InternalError("Not enough time left in this invocation."), 0)
    work = _job_to_run(item, receive_count)
    if work is None:
        return
    claimed = deps.jobs().claim(work.job_id, lease_seconds=ANNOUNCE_LEASE_SECONDS)
    if claimed is None:
        raise RetriesExhausted("no time left on its last delivery")
    # A request already known to be invalid fails as such; any other is for a redrive to run.
    error = work.problem or InternalError(
        "The worker ran out of time before running this job; redrive the dead-letter queue."
    )
    _fail(claimed, error, receive_count)


@tracer.capture_method(capture_response=False)
def run(item: WorkItem, *, receive_count: int, lease_seconds: int, deadline: float | None = None) -> None:
    """Takes `item` to succeeded or failed, or raises RetryLater / RetriesExhausted."""
    work = _job_to_run(item, receive_count)  # the item itself, or the job refusing it
    if work is None:
        return
    jobs = deps.jobs()
    claimed = jobs.claim(work.job_id, lease_seconds=lease_seconds)
    if claimed is None:
        current = jobs.get(work.job_id)
        if current is not None and current.status == "running" and current.lease_until:
            # Another delivery is running it: come back when that lease ends to see it finished.
            wait = max(current.lease_until - int(time.time()), 1)
            raise RetryLater(InternalError("The job is being run by another delivery."), wait)
        return
    try:
        request = _load_request(work, claimed)
        images = generate_images(
            request, owner_id=claimed.job_id, model=deps.image_model(), store=deps.store(), deadline=deadline
        )
    except Superseded:
        # Nothing of this write is left to generate, and the result file belongs to the newer
        # write: recorded (so a duplicate delivery finds it finished) and not announced.
        logger.warning("Request object replaced before it was read", extra={"job_id": claimed.job_id})
        jobs.fail(claimed, invalid("body", "the request object was replaced before it was read"), announce=False)
        return
    except ImageServiceError as error:
        _fail(claimed, error, receive_count)
        return
    except Exception:
        logger.exception("Unexpected error running a job", extra={"job_id": claimed.job_id})
        _fail(claimed, InternalError("An internal error occurred."), receive_count)
        return
    if jobs.succeed(claimed, model=request.model_spec.model_id, images=images) is None:
        # Our lease ran out and another delivery took over: keep only its images.
        deps.store().delete([image.key for image in images])
        return
    _announce(claimed.job_id, receive_count)
