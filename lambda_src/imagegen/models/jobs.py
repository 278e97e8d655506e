"""Job records as the job store keeps them and the logic reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from imagegen.models.images import StoredImage

JobStatus = Literal["queued", "running", "succeeded", "failed"]
Trigger = Literal["api", "s3", "eventbridge"]
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed"})


@dataclass(frozen=True)
class JobRecord:
    job_id: str
    status: JobStatus
    trigger: Trigger
    request_id: str
    created_at: str
    updated_at: str
    attempt: int = 0
    model: str | None = None
    request: dict[str, Any] | None = None
    result_key: str | None = None
    images: list[StoredImage] = field(default_factory=list)
    error: dict[str, Any] | None = None
    retryable: bool = False
    notified: bool = False
    lease_until: int | None = None  # epoch seconds: after it, a running job's worker is presumed dead
    finalizing_until: int | None = None  # epoch seconds: a delivery is announcing the outcome until then
    fingerprint: str | None = None  # hash of the request that named this job, to spot a reused name
    source_key: str | None = None  # the S3 object holding the request, for an S3 drop
    source_etag: str | None = None  # and the write of it this job generates
    owner: str | None = None  # the caller that created an API job; None: the deployment's (S3, events)
    operation: str = "images"  # known when queued (API jobs) or once the request is read (S3, events)
    inputs: dict[str, str] = field(default_factory=dict)  # the image inputs' keys, by field

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL
