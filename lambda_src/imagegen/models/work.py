"""The asynchronous work a queue message asks for: one small type per trigger. Each names its
job by an id derived from the trigger, so a duplicate delivery maps onto the same job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from imagegen.models.errors import ValidationFailed
from imagegen.models.jobs import Trigger


@dataclass(frozen=True)
class ApiJob:
    """A job POST /jobs recorded (with its request) before queueing it."""

    job_id: str
    trigger: ClassVar[Trigger] = "api"

    @property
    def request_id(self) -> str:
        return self.job_id


@dataclass(frozen=True)
class S3Drop:
    """One write of a request object under requests/, read from the bucket when it runs."""

    job_id: str
    request_id: str  # the object's name, which names results/<request_id>.json
    result_key: str
    source_key: str
    source_etag: str | None  # the write the event announced
    trigger: ClassVar[Trigger] = "s3"


@dataclass(frozen=True)
class EventRequest:
    """An ImageGenerationRequested event, carrying its request. A request_id already used for
    another request is refused by a job of its own (`refusal_job_id`), one per event."""

    job_id: str
    request_id: str
    result_key: str | None
    request: Any = None
    problem: ValidationFailed | None = None  # known to be invalid before anything is read
    fingerprint: str | None = None  # of the request, to spot a reused request_id
    refusal_job_id: str | None = None
    trigger: ClassVar[Trigger] = "eventbridge"


WorkItem = ApiJob | S3Drop | EventRequest
