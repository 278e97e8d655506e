"""The composition roots: what each function's logic runs with, built once per execution
environment, each piece on first use (a health check creates no client).

Nothing here runs at import time: a SnapStart snapshot holds no client and no credentials,
and a test changes the environment, then calls `reset()`."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, TypeVar

import botocore.session

from imagegen.adapters import bedrock, event_publisher, image_store, job_queue, job_store
from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.event_publisher import EventPublisher
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.job_queue import JobQueue
from imagegen.adapters.job_store import JobStore
from imagegen.logic.announcer import Announcer
from imagegen.logic.job_documents import JobDocuments
from imagegen.logic.job_runner import JobRunner, RunnerSettings
from imagegen.logic.submission import IdempotencyStore, JobSubmission
from imagegen.models.settings import ApiSettings, ConfigurationError, Settings, WorkerSettings
from imagegen.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

S = TypeVar("S", bound=Settings)


def load_settings(settings_class: type[S]) -> S:
    """The function's settings from its environment; a bad one is logged, naming the variable."""
    try:
        return settings_class.from_environment(os.environ)
    except ConfigurationError as exc:
        logger.error("The function's configuration is invalid", extra={"problem": str(exc)})
        raise


class _Common:
    """The adapters both functions use (their clients come from botocore's session: the clients
    boto3 hands out are these, and not importing boto3 keeps its transfer manager out of cold starts)."""

    def __init__(self, settings: Settings):
        self._settings = settings

    @functools.cached_property
    def _session(self) -> botocore.session.Session:
        return botocore.session.get_session()

    @functools.cached_property
    def model(self) -> BedrockImageModel:
        settings = self._settings
        return BedrockImageModel(
            bedrock.create_client(self._session, settings),
            model_ids={alias: settings.invocation_id(alias) for alias in settings.enabled_models},
        )

    @functools.cached_property
    def store(self) -> ImageStore:
        return ImageStore(image_store.create_client(self._session), bucket=self._settings.image_bucket)

    @functools.cached_property
    def documents(self) -> JobDocuments:
        return JobDocuments(self.store, expires_in=self._settings.effective_presign_expiry)

    @functools.cached_property
    def _dynamodb(self) -> DynamoDBClient:
        return job_store.create_client(self._session)

    @functools.cached_property
    def jobs(self) -> JobStore:
        settings = self._settings
        return JobStore(self._dynamodb, table=settings.jobs_table, retention_days=settings.retention_days)


class ApiWiring(_Common):
    def __init__(self, settings: ApiSettings):
        super().__init__(settings)
        self.settings = settings

    @functools.cached_property
    def submission(self) -> JobSubmission:
        settings = self.settings
        queue = JobQueue(job_queue.create_client(self._session), queue_url=settings.jobs_queue_url)
        idempotency = IdempotencyStore(
            client=self._dynamodb, table=settings.jobs_table, ttl_seconds=settings.idempotency_ttl_seconds
        )
        return JobSubmission(jobs=self.jobs, queue=queue, idempotency=idempotency)


class WorkerWiring(_Common):
    def __init__(self, settings: WorkerSettings):
        super().__init__(settings)
        self.settings = settings

    @functools.cached_property
    def queue(self) -> JobQueue:
        return JobQueue(job_queue.create_client(self._session), queue_url=self.settings.jobs_queue_url)

    @functools.cached_property
    def runner(self) -> JobRunner:
        settings = self.settings
        publisher = EventPublisher(
            event_publisher.create_client(self._session),
            bus_name=settings.event_bus_name,
            source=settings.event_source,
        )
        return JobRunner(
            settings=RunnerSettings(
                enabled_models=settings.enabled_models,
                max_receive_count=settings.max_receive_count,
                retry_backoff_seconds=settings.retry_backoff_seconds,
            ),
            jobs=self.jobs,
            store=self.store,
            model=self.model,
            announcer=Announcer(jobs=self.jobs, store=self.store, publisher=publisher, documents=self.documents),
        )


@functools.cache
def api_wiring() -> ApiWiring:
    return ApiWiring(load_settings(ApiSettings))


@functools.cache
def worker_wiring() -> WorkerWiring:
    return WorkerWiring(load_settings(WorkerSettings))


def reset() -> None:
    """A new execution environment (tests change the environment between runs)."""
    api_wiring.cache_clear()
    worker_wiring.cache_clear()
