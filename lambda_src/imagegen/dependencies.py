"""The adapters the handlers use, built once per process on first use from the settings.

Nothing here runs at import time; tests reset it with `reset()` after changing the environment."""

from __future__ import annotations

import functools
from typing import Any

from botocore.config import Config

from imagegen.adapters import aws_clients, bedrock, image_store
from imagegen.adapters.bedrock import BedrockImageModel
from imagegen.adapters.event_publisher import EventPublisher
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.job_store import JobStore
from imagegen.logic.job_documents import Presigner
from imagegen.models.settings import Settings, get_settings

_STANDARD_RETRIES = Config(retries={"mode": "standard"})


@functools.cache
def settings() -> Settings:
    return get_settings()


@functools.cache
def image_model() -> BedrockImageModel:
    config = settings()
    return BedrockImageModel(
        bedrock.create_client(config),
        model_ids={alias: config.invocation_id(alias) for alias in config.enabled_models},
    )


@functools.cache
def s3_client() -> Any:
    return image_store.create_client()


@functools.cache
def store() -> ImageStore:
    return ImageStore(s3_client(), bucket=settings().image_bucket)


@functools.cache
def presigner() -> Presigner:
    return Presigner(store(), expires_in=settings().effective_presign_expiry)


@functools.cache
def dynamodb_client() -> Any:
    return aws_clients.create_client("dynamodb", _STANDARD_RETRIES)


@functools.cache
def jobs() -> JobStore:
    return JobStore(dynamodb_client(), table=settings().jobs_table, retention_days=settings().retention_days)


@functools.cache
def sqs_client() -> Any:
    return aws_clients.create_client("sqs", _STANDARD_RETRIES)


@functools.cache
def events_client() -> Any:
    return aws_clients.create_client("events", _STANDARD_RETRIES)


@functools.cache
def publisher() -> EventPublisher:
    return EventPublisher(events_client(), bus_name=settings().event_bus_name, source=settings().event_source)


def reset() -> None:
    """Forgets every client and setting (tests change the environment between runs)."""
    get_settings.cache_clear()
    aws_clients.reset()
    for factory in (
        settings,
        image_model,
        s3_client,
        store,
        presigner,
        dynamodb_client,
        jobs,
        sqs_client,
        events_client,
        publisher,
    ):
        factory.cache_clear()
