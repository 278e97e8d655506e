"""Runtime configuration, read from the environment once, on first use, and validated."""

from __future__ import annotations

import functools
import os
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from imagegen.models.catalog import DEFAULT_BEDROCK_REGION, MODELS, ModelNotServed, resolve_invocation

# A URL signed with the temporary credentials of a Lambda role stops working when those
# credentials expire, whatever its own expiry says; an hour is what those credentials reliably outlive.
MAX_PRESIGN_EXPIRY_SECONDS = 3600


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    image_bucket: str = Field(alias="IMAGE_BUCKET", min_length=3)
    jobs_table: str = Field("", alias="JOBS_TABLE")
    jobs_queue_url: str = Field("", alias="JOBS_QUEUE_URL")
    event_bus_name: str = Field("", alias="EVENT_BUS_NAME")
    event_source: str = Field("imagegen", alias="EVENT_SOURCE")
    # Aliases of the models this deployment enables; the first is the default.
    enabled_models: CommaList = Field(("core",), alias="ENABLED_MODELS", min_length=1)
    # Prepended to model ids to call a cross-region inference profile, e.g. "us.".
    model_id_prefix: str = Field("", alias="MODEL_ID_PREFIX", pattern=r"^([a-z]{2,4}\.)?$")
    # Where the functions call Bedrock Runtime, whatever region the stack is in.
    bedrock_region: str = Field(DEFAULT_BEDROCK_REGION, alias="BEDROCK_REGION", pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    presign_expiry_seconds: int = Field(3600, alias="PRESIGN_EXPIRY_SECONDS", ge=60)
    retention_days: int = Field(7, alias="RETENTION_DAYS", ge=1)
    bedrock_connect_timeout: float = Field(3.0, alias="BEDROCK_CONNECT_TIMEOUT_SECONDS", gt=0)
    bedrock_read_timeout: float = Field(20.0, alias="BEDROCK_READ_TIMEOUT_SECONDS", gt=0)
    bedrock_max_attempts: int = Field(3, alias="BEDROCK_MAX_ATTEMPTS", ge=1, le=10)
    bedrock_retry_mode: Literal["standard", "adaptive"] = Field("standard", alias="BEDROCK_RETRY_MODE")
    # The queue's maxReceiveCount: on the last delivery a failing job is recorded as failed.
    max_receive_count: int = Field(5, alias="MAX_RECEIVE_COUNT", ge=1)
    # First delay before a transiently failed job is tried again; doubles on each delivery.
    retry_backoff_seconds: int = Field(30, alias="RETRY_BACKOFF_SECONDS", ge=0, le=900)
    idempotency_ttl_seconds: int = Field(86400, alias="IDEMPOTENCY_TTL_SECONDS", ge=60)
    cors_allow_origins: CommaList = Field((), alias="CORS_ALLOW_ORIGINS")

    def model_post_init(self, _context: object) -> None:
        unknown = [alias for alias in self.enabled_models if alias not in MODELS]
        if unknown:
            raise ValueError(f"ENABLED_MODELS names unknown models {unknown}; known: {sorted(MODELS)}")
        for alias in self.enabled_models:
            try:
                self.invocation_id(alias)
            except ModelNotServed as exc:
                raise ValueError(f"BEDROCK_REGION/MODEL_ID_PREFIX: {exc}") from None

    def invocation_id(self, alias: str) -> str:
        """The modelId this deployment sends for a model: its bare id or an inference profile."""
        return resolve_invocation(MODELS[alias], self.bedrock_region, self.model_id_prefix).model_id

    @property
    def default_model(self) -> str:
        return self.enabled_models[0]

    @property
    def effective_presign_expiry(self) -> int:
        return min(self.presign_expiry_seconds, MAX_PRESIGN_EXPIRY_SECONDS)


@functools.cache
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
