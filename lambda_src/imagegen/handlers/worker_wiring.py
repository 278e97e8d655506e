"""The worker's composition root: its settings, the queue and the job runner with its adapters."""

from __future__ import annotations

import functools

from imagegen.adapters import event_publisher, job_queue
from imagegen.adapters.event_publisher import EventPublisher
from imagegen.adapters.job_queue import JobQueue
from imagegen.handlers.wiring import CommonWiring, load_settings, root
from imagegen.logic.announcer import Announcer
from imagegen.logic.job_runner import JobRunner, RunnerSettings
from imagegen.models.settings import WorkerSettings


class WorkerWiring(CommonWiring[WorkerSettings]):
    @functools.cached_property
    def queue(self) -> JobQueue:
        return JobQueue(job_queue.create_client(self.session), queue_url=self.settings.jobs_queue_url)

    @functools.cached_property
    def runner(self) -> JobRunner:
        settings = self.settings
        publisher = EventPublisher(
            event_publisher.create_client(self.session),
            bus_name=settings.event_bus_name,
            source=settings.event_source,
        )
        return JobRunner(
            settings=RunnerSettings(
                enabled_models=settings.enabled_models,
                enabled_operations=settings.enabled_operations,
                max_receive_count=settings.max_receive_count,
                retry_backoff_seconds=settings.retry_backoff_seconds,
            ),
            jobs=self.jobs,
            store=self.store,
            model=self.model,
            announcer=Announcer(jobs=self.jobs, store=self.store, publisher=publisher, documents=self.documents),
            resolver=self.resolver,
        )


@root
def worker_wiring() -> WorkerWiring:
    return WorkerWiring(load_settings(WorkerSettings))
