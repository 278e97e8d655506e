"""Runs one unit of asynchronous work to a recorded outcome.

A job is claimed with a conditional write before anything is generated, so a duplicate
delivery (S3 and EventBridge are at-least-once) finds it held or finished and generates
nothing. A transient failure puts the job back in the queue with a growing delay; on the
queue's last delivery it is recorded as failed and the message goes on to the dead-letter
queue. A permanent failure (invalid request, filtered content) is recorded at once.

Every path returns an Outcome (done, retry after N seconds, dead-letter): what to do with the
message is the worker handler's business."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.job_store import JobStore
from imagegen.logic.announcer import ANNOUNCE_LEASE_SECONDS, Announcer
from imagegen.logic.generation import generate_images, input_references
from imagegen.logic.image_inputs import InputResolver
from imagegen.models.errors import ImageServiceError, InternalError, ValidationFailed
from imagegen.models.image_inputs import EVENT_SOURCES, STORED_SOURCES, InputSource
from imagegen.models.jobs import JobRecord
from imagegen.models.operations import Operation, carries_inline_image, parse_request, requested_operation
from imagegen.models.outcomes import DONE, DeadLetter, Outcome, RetryAfter
from imagegen.models.request import MAX_IMAGE_REQUEST_BYTES, MAX_REQUEST_BYTES, OperationRequest
from imagegen.models.strict_json import loads_strict
from imagegen.models.validation import invalid
from imagegen.models.work import ApiJob, EventRequest, S3Drop, WorkItem
from imagegen.observability import logger, tracer

# The longest a transiently failed job waits before its next delivery.
MAX_BACKOFF_SECONDS = 900


class _Superseded(Exception):
    """The request object was written again before it was read: the newer write's own event
    generates it, and this one has nothing to run."""


@dataclasses.dataclass
class _Known:
    """What a run has learnt of its job by the time it fails: recorded with the failure."""

    operation: str | None = None
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RunnerSettings:
    enabled_models: tuple[str, ...]
    enabled_operations: tuple[str, ...]
    # The queue's maxReceiveCount: on the last delivery a failing job is recorded as failed.
    max_receive_count: int
    # First delay before a transiently failed job is tried again; doubles on each delivery.
    retry_backoff_seconds: int


class JobRunner:
    """Takes work items to succeeded or failed, with the adapters it is given."""

    def __init__(
        self,
        *,
        settings: RunnerSettings,
        jobs: JobStore,
        store: ImageStore,
        model: BedrockImageModel,
        announcer: Announcer,
        resolver: InputResolver,
    ):
        self._settings = settings
        self._jobs = jobs
        self._store = store
        self._model = model
        self._announcer = announcer
        self._resolver = resolver

    # -- entry points ------------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    def run(self, item: WorkItem, *, receive_count: int, lease_seconds: int, deadline: float | None = None) -> Outcome:
        """Runs `item` (or the job refusing it) unless a duplicate delivery finds it held or finished."""
        work = self._job_to_run(item, receive_count)
        if not isinstance(work, ApiJob | S3Drop | EventRequest):
            return work
        claimed = self._jobs.claim(work.job_id, lease_seconds=lease_seconds)
        if claimed is None:
            current = self._jobs.get(work.job_id)
            if current is not None and current.status == "running" and current.lease_until:
                # Another delivery is running it: come back when that lease ends to see it finished.
                wait = max(current.lease_until - int(time.time()), 1)
                return RetryAfter(wait, InternalError("The job is being run by another delivery."))
            return DONE
        known = _Known()
        try:
            operation, request = self._load_request(work, claimed, known)
            # An API job may use its caller's uploads; S3 drops and events belong to no caller.
            inputs = self._resolver.resolve(request, operation, caller_id=claimed.owner)
            known.inputs = input_references(inputs)
            images = generate_images(
                request,
                operation=operation.name,
                owner_id=claimed.job_id,
                model=self._model,
                store=self._store,
                inputs=inputs,
                deadline=deadline,
            )
        except _Superseded:
            # Nothing of this write is left to generate, and the result file belongs to the newer
            # write: recorded (so a duplicate delivery finds it finished) and not announced.
            logger.warning("Request object replaced before it was read", extra={"job_id": claimed.job_id})
            self._jobs.fail(
                claimed, invalid("body", "the request object was replaced before it was read"), announce=False
            )
            return DONE
        except ImageServiceError as error:
            return self._fail(claimed, error, receive_count, known)
        except Exception:
            logger.exception("Unexpected error running a job", extra={"job_id": claimed.job_id})
            return self._fail(claimed, InternalError("An internal error occurred."), receive_count, known)
        recorded = self._jobs.succeed(
            claimed,
            model=request.model_spec.model_id,
            images=images,
            operation=operation.name,
            inputs=input_references(inputs),
        )
        if recorded is None:
            # Our lease ran out and another delivery took over: keep only its images.
            self._store.delete([image.key for image in images])
            return DONE
        return self._announcer.announce(claimed.job_id, retry_after=self._backoff(receive_count))

    def hand_back(self, item: WorkItem, *, receive_count: int) -> Outcome:
        """The invocation has no time left to run `item`: it comes back at once, or, on its last
        delivery, is recorded as failed (so it never sits queued behind the dead-letter queue)."""
        if receive_count < self._settings.max_receive_count:
            return RetryAfter(0, InternalError("Not enough time left in this invocation."))
        work = self._job_to_run(item, receive_count)
        if not isinstance(work, ApiJob | S3Drop | EventRequest):
            return work
        claimed = self._jobs.claim(work.job_id, lease_seconds=ANNOUNCE_LEASE_SECONDS)
        if claimed is None:
            return DeadLetter("no time left on its last delivery")
        # A request already known to be invalid fails as such; any other is for a redrive to run.
        known_problem = work.problem if isinstance(work, EventRequest) else None
        error = known_problem or InternalError(
            "The worker ran out of time before running this job; redrive the dead-letter queue."
        )
        return self._fail(claimed, error, receive_count)

    # -- steps -------------------------------------------------------------------------------

    def _backoff(self, receive_count: int) -> int:
        return min(self._settings.retry_backoff_seconds << max(receive_count - 1, 0), MAX_BACKOFF_SECONDS)

    def _job_to_run(self, item: WorkItem, receive_count: int) -> WorkItem | Outcome:
        """The work to run for `item`: itself, or the job refusing it; an outcome when there is
        nothing to run (a duplicate, an outcome that only needed announcing)."""
        try:
            self._create_if_new(item)
            job = self._jobs.get(item.job_id)
        except (ClientError, BotoCoreError):
            logger.exception("The job table is not reachable", extra={"job_id": item.job_id})
            return RetryAfter(self._backoff(receive_count), InternalError("The job table is not reachable."))
        if job is None:
            logger.warning("No record for this job; nothing to do", extra={"job_id": item.job_id})
            return DONE
        if isinstance(item, EventRequest) and item.refusal_job_id and _names_another_request(item, job):
            return self._job_to_run(_refusal(item, item.refusal_job_id), receive_count)
        if job.finished and not (job.status == "failed" and job.retryable):
            if not job.notified:  # its announcement failed or is under way
                return self._announcer.announce(job.job_id, retry_after=self._backoff(receive_count))
            logger.info("Duplicate delivery of a finished job", extra={"job_id": job.job_id})
            return DONE
        # Queued, running, or failed transiently (a redrive asks to run it again; only the new
        # outcome is announced).
        return item

    def _create_if_new(self, item: WorkItem) -> None:
        if isinstance(item, S3Drop):
            self._jobs.create(
                job_id=item.job_id,
                trigger=item.trigger,
                request_id=item.request_id,
                result_key=item.result_key,
                source_key=item.source_key,
                source_etag=item.source_etag,
            )
        elif isinstance(item, EventRequest):
            self._jobs.create(
                job_id=item.job_id,
                trigger=item.trigger,
                request_id=item.request_id,
                result_key=item.result_key,
                fingerprint=item.fingerprint,
            )
        # API jobs were recorded when they were accepted.

    def _load_request(self, item: WorkItem, job: JobRecord, known: _Known) -> tuple[Operation, OperationRequest]:
        """The operation and request of a job: an event's and an S3 drop's images come inline or by
        s3_key; an API job's were stored under their keys when it was accepted."""
        if isinstance(item, EventRequest):
            known.operation = requested_operation(item.request)
            if item.problem:
                raise item.problem
            return self._validated(item.request, EVENT_SOURCES, known)
        if isinstance(item, S3Drop):
            document = self._read_s3_request(item.source_key, item.source_etag)
            return self._validated(document, EVENT_SOURCES, known)
        return self._validated(job.request, STORED_SOURCES, known)

    def _validated(
        self, document: Any, sources: frozenset[InputSource], known: _Known
    ) -> tuple[Operation, OperationRequest]:
        known.operation = requested_operation(document)
        if not isinstance(document, dict):
            raise invalid("body", "the request must be a JSON object")
        return parse_request(
            document,
            enabled_operations=self._settings.enabled_operations,
            enabled_models=self._settings.enabled_models,
            sources=sources,
        )

    def _read_s3_request(self, key: str, etag: str | None) -> Any:
        try:
            raw = self._store.read_document(key, max_bytes=MAX_IMAGE_REQUEST_BYTES, etag=etag)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "PreconditionFailed":
                raise _Superseded(key) from exc
            # Deleted since, or empty. Without s3:ListBucket, S3 answers a missing key with AccessDenied.
            if code in ("NoSuchKey", "InvalidRange", "AccessDenied"):
                raise invalid("body", f"the request object {key} is missing, empty or unreadable") from exc
            raise InternalError(f"Could not read the request object {key}.") from exc
        if len(raw) > MAX_IMAGE_REQUEST_BYTES:
            raise invalid("body", f"the request object is larger than {MAX_IMAGE_REQUEST_BYTES:,} bytes")
        try:
            document = loads_strict(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid("body", f"the request object is not valid JSON: {exc}") from exc
        if len(raw) > MAX_REQUEST_BYTES and not carries_inline_image(document):
            raise invalid("body", f"the request object is larger than {MAX_REQUEST_BYTES // 1024} KiB")
        return document

    def _fail(
        self, job: JobRecord, error: ImageServiceError, receive_count: int, known: _Known | None = None
    ) -> Outcome:
        last_delivery = receive_count >= self._settings.max_receive_count
        if error.retryable and not last_delivery:
            self._jobs.release(job, error)
            return RetryAfter(self._backoff(receive_count), error)
        known = known or _Known()
        if self._jobs.fail(job, error, operation=known.operation, inputs=known.inputs):
            announced = self._announcer.announce(job.job_id, retry_after=self._backoff(receive_count))
            if isinstance(announced, RetryAfter):
                if not last_delivery:
                    return announced
                # No delivery is left to announce it: the dead-letter queue keeps the message,
                # and a redrive announces it (or, for a transient error, runs the job again).
                return DeadLetter(f"{error.code}, not announced, after {receive_count} deliveries")
        if error.retryable:
            return DeadLetter(f"{error.code} after {receive_count} deliveries")
        return DONE


def _names_another_request(item: EventRequest, job: JobRecord) -> bool:
    """An event whose request_id names the job of a different request."""
    return bool(item.fingerprint and job.fingerprint) and item.fingerprint != job.fingerprint


def _refusal(item: EventRequest, refusal_job_id: str) -> EventRequest:
    """A different request under a request_id already used becomes a job of its own (one per
    event, so a duplicate delivery refuses it once) that fails at once. It writes no result
    file: the first request's job and result are left as they are."""
    logger.warning("Request id reused for a different request", extra={"request_id": item.request_id})
    error: ValidationFailed = invalid("request_id", f"{item.request_id!r} was already used for a different request")
    return EventRequest(
        job_id=refusal_job_id,
        request_id=item.request_id,
        result_key=None,
        problem=error,
    )
