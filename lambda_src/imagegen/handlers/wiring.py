"""What both functions' composition roots share: their settings, loaded and checked at the cold
start, and the adapters both use, each built once per execution environment, on first use (a
health check creates no client). Each function's root (api_wiring, worker_wiring) imports only
what that function runs.

Nothing here runs at import time: a SnapStart snapshot holds no client and no credentials,
and a test changes the environment, then calls `reset()`."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import botocore.session

from imagegen.adapters import bedrock, image_store, job_store
from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.input_store import InputStore
from imagegen.adapters.job_store import JobStore
from imagegen.logic.image_inputs import InputResolver
from imagegen.logic.job_documents import JobDocuments
from imagegen.models.settings import ConfigurationError, Settings
from imagegen.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

S = TypeVar("S", bound=Settings)
W = TypeVar("W", bound="CommonWiring[Any]")
# The cached roots of the functions, forgotten by reset().
_ROOTS: list[Callable[[], object]] = []


def load_settings(settings_class: type[S]) -> S:
    """The function's settings from its environment; a bad one is logged, naming the variable."""
    try:
        return settings_class.from_environment(os.environ)
    except ConfigurationError as exc:
        logger.error("The function's configuration is invalid", extra={"problem": str(exc)})
        raise


class CommonWiring(Generic[S]):
    """The adapters both functions use (their clients come from botocore's session: the clients
    boto3 hands out are these, and not importing boto3 keeps its transfer manager out of cold starts)."""

    def __init__(self, settings: S):
        self.settings = settings

    @functools.cached_property
    def session(self) -> botocore.session.Session:
        return botocore.session.get_session()

    @functools.cached_property
    def model(self) -> BedrockImageModel:
        settings = self.settings
        return BedrockImageModel(
            bedrock.create_client(self.session, settings),
            model_ids=settings.model_ids(),
        )

    @functools.cached_property
    def s3(self) -> S3Client:
        return image_store.create_client(self.session)

    @functools.cached_property
    def store(self) -> ImageStore:
        return ImageStore(self.s3, bucket=self.settings.image_bucket)

    @functools.cached_property
    def inputs(self) -> InputStore:
        return InputStore(self.s3, bucket=self.settings.image_bucket)

    @functools.cached_property
    def resolver(self) -> InputResolver:
        return InputResolver(self.inputs, retention_days=self.settings.retention_days)

    @functools.cached_property
    def documents(self) -> JobDocuments:
        return JobDocuments(self.store, expires_in=self.settings.effective_presign_expiry)

    @functools.cached_property
    def dynamodb(self) -> DynamoDBClient:
        return job_store.create_client(self.session)

    @functools.cached_property
    def jobs(self) -> JobStore:
        settings = self.settings
        return JobStore(self.dynamodb, table=settings.jobs_table, retention_days=settings.retention_days)


def root(build: Callable[[], W]) -> Callable[[], W]:
    """A function's composition root: built on its first call, then the same until reset()."""
    cached = functools.cache(build)
    _ROOTS.append(cached.cache_clear)
    return cached


def reset() -> None:
    """A new execution environment (tests change the environment between runs)."""
    for clear in _ROOTS:
        clear()
