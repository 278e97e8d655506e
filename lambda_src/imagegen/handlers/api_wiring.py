"""The API function's composition root: its settings and the adapters its routes use."""

from __future__ import annotations

import functools

from imagegen.adapters import job_queue
from imagegen.adapters.job_queue import JobQueue
from imagegen.handlers.wiring import CommonWiring, load_settings, root
from imagegen.logic.submission import IdempotencyStore, JobSubmission
from imagegen.models.settings import ApiSettings


class ApiWiring(CommonWiring[ApiSettings]):
    @functools.cached_property
    def submission(self) -> JobSubmission:
        settings = self.settings
        queue = JobQueue(job_queue.create_client(self.session), queue_url=settings.jobs_queue_url)
        idempotency = IdempotencyStore(
            client=self.dynamodb, table=settings.jobs_table, ttl_seconds=settings.idempotency_ttl_seconds
        )
        return JobSubmission(jobs=self.jobs, queue=queue, idempotency=idempotency)


@root
def api_wiring() -> ApiWiring:
    return ApiWiring(load_settings(ApiSettings))
