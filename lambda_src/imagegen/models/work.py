"""A unit of asynchronous work, as read from a queue message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imagegen.models.errors import ValidationFailed
from imagegen.models.jobs import Trigger


@dataclass(frozen=True)
class WorkItem:
    job_id: str
    trigger: Trigger
    request_id: str
    result_key: str | None = None
    request: Any = None  # the request itself (EventBridge detail)
    source_key: str | None = None  # or the S3 object that holds it
    source_etag: str | None = None  # the version of that object the event announced
    problem: ValidationFailed | None = None  # known to be invalid before anything is read
    fingerprint: str | None = None  # of a request named by its sender, to spot a reused name
    refusal_job_id: str | None = None  # the job that refuses it if the name was used for another request
