"""Each function's configuration: its environment, validated once, at its cold start.

The variable names come from the contract, so the stack and the offline run set exactly the
ones read here. A missing or bad variable fails the cold start with a message naming it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from imagegen.contract import EVENT_SOURCE, Env
from imagegen.models.catalog import DEFAULT_BEDROCK_REGION, MODELS, ModelNotServed, ModelSpec, resolve_invocation
from imagegen.models.operations import IMAGES, OPERATIONS, enabled_specs

# A URL signed with the temporary credentials of a Lambda role stops working when those
# credentials expire, whatever its own expiry says; an hour is what those credentials reliably outlive.
MAX_PRESIGN_EXPIRY_SECONDS = 3600


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]


class ConfigurationError(ValueError):
    """The function's environment lacks a variable or holds a value it cannot use."""


class Settings(BaseModel):
    """What every function reads: the bucket, the table, the models and how Bedrock is called."""

    # Built on first use: a function validates only its own settings class.
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    image_bucket: str = Field(alias=Env.IMAGE_BUCKET, min_length=3)
    jobs_table: str = Field("", alias=Env.JOBS_TABLE)
    # Aliases of the models this deployment enables; the first is the default.
    enabled_models: CommaList = Field(("core",), alias=Env.ENABLED_MODELS, min_length=1)
    # The operations this deployment offers (the catalog's names); images alone by default.
    enabled_operations: CommaList = Field((IMAGES,), alias=Env.ENABLED_OPERATIONS, min_length=1)
    # Prepended to model ids to call a cross-region inference profile, e.g. "us.".
    model_id_prefix: str = Field("", alias=Env.MODEL_ID_PREFIX, pattern=r"^([a-z]{2,4}\.)?$")
    # Where the functions call Bedrock Runtime, whatever region the stack is in.
    bedrock_region: str = Field(DEFAULT_BEDROCK_REGION, alias=Env.BEDROCK_REGION, pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    presign_expiry_seconds: int = Field(3600, alias=Env.PRESIGN_EXPIRY_SECONDS, ge=60)
    retention_days: int = Field(7, alias=Env.RETENTION_DAYS, ge=1)
    bedrock_connect_timeout: float = Field(3.0, alias=Env.BEDROCK_CONNECT_TIMEOUT_SECONDS, gt=0)
    bedrock_read_timeout: float = Field(20.0, alias=Env.BEDROCK_READ_TIMEOUT_SECONDS, gt=0)
    bedrock_max_attempts: int = Field(3, alias=Env.BEDROCK_MAX_ATTEMPTS, ge=1, le=10)
    bedrock_retry_mode: Literal["standard", "adaptive"] = Field("standard", alias=Env.BEDROCK_RETRY_MODE)

    def model_post_init(self, _context: object) -> None:
        unknown = [alias for alias in self.enabled_models if alias not in MODELS]
        if unknown:
            raise ValueError(f"{Env.ENABLED_MODELS} names unknown models {unknown}; known: {sorted(MODELS)}")
        unknown = [name for name in self.enabled_operations if name not in OPERATIONS]
        if unknown:
            raise ValueError(
                f"{Env.ENABLED_OPERATIONS} names unknown operations {unknown}; known: {', '.join(OPERATIONS)}"
            )
        for spec in self.model_specs:
            try:
                self.invocation_id(spec)
            except ModelNotServed as exc:
                raise ValueError(f"{Env.BEDROCK_REGION}/{Env.MODEL_ID_PREFIX}: {exc}") from None

    @property
    def model_specs(self) -> list[ModelSpec]:
        """Every model the enabled operations call."""
        return enabled_specs(self.enabled_operations, self.enabled_models)

    def invocation_id(self, spec: ModelSpec) -> str:
        """The modelId this deployment sends for a model: its bare id or an inference profile.
        The profile prefix setting is for the text-to-image models; the Image Services are reached
        through the profile their region offers."""
        prefix = self.model_id_prefix if spec.alias in MODELS else ""
        return resolve_invocation(spec, self.bedrock_region, prefix).model_id

    def model_ids(self) -> dict[str, str]:
        """The modelId sent for each model the deployment calls, by bare model id."""
        return {spec.model_id: self.invocation_id(spec) for spec in self.model_specs}

    @property
    def effective_presign_expiry(self) -> int:
        return min(self.presign_expiry_seconds, MAX_PRESIGN_EXPIRY_SECONDS)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        """The settings of `environ`, or a ConfigurationError naming each bad variable."""
        try:
            return cls.model_validate(dict(environ))
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "environment"
                problems.append(f"{name}: {str(error['msg']).removeprefix('Value error, ')}")
            raise ConfigurationError(f"{cls.__name__}: " + "; ".join(problems)) from None


class ApiSettings(Settings):
    """The API function: synchronous generation, job submission and status."""

    jobs_table: str = Field(alias=Env.JOBS_TABLE, min_length=1)
    jobs_queue_url: str = Field(alias=Env.JOBS_QUEUE_URL, min_length=1)
    idempotency_ttl_seconds: int = Field(86400, alias=Env.IDEMPOTENCY_TTL_SECONDS, ge=60)
    cors_allow_origins: CommaList = Field((), alias=Env.CORS_ALLOW_ORIGINS)


class WorkerSettings(Settings):
    """The worker: jobs from the queue, outcomes on the bus."""

    jobs_table: str = Field(alias=Env.JOBS_TABLE, min_length=1)
    jobs_queue_url: str = Field(alias=Env.JOBS_QUEUE_URL, min_length=1)
    event_bus_name: str = Field(alias=Env.EVENT_BUS_NAME, min_length=1)
    event_source: str = Field(EVENT_SOURCE, alias=Env.EVENT_SOURCE)
    bedrock_read_timeout: float = Field(60.0, alias=Env.BEDROCK_READ_TIMEOUT_SECONDS, gt=0)
    # The queue's maxReceiveCount: on the last delivery a failing job is recorded as failed.
    max_receive_count: int = Field(5, alias=Env.MAX_RECEIVE_COUNT, ge=1)
    # First delay before a transiently failed job is tried again; doubles on each delivery.
    retry_backoff_seconds: int = Field(30, alias=Env.RETRY_BACKOFF_SECONDS, ge=0, le=900)
