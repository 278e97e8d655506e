"""Deployment settings, read from CDK context (`cdk.json` or `cdk deploy -c imagegen:KEY=VALUE`)
and validated at synth time.

Context keys and their defaults:

- `imagegen:enabledModels` (`["core"]`): aliases of the Stability models the deployment
  enables (`core`, `ultra`, `sd3.5-large`); the first is the default. The functions may call
  only these models.
- `imagegen:enabledOperations` (every operation of the runtime's catalog: `images`,
  `upscale/fast`, ...): the operations the deployment offers, each a route of the API
  (`POST /<name>`) and a value of a job's `operation`. Prune the list to what you use: the
  functions may call only the models of the enabled operations (`images` calls the enabled
  models above), and an operation left out has no route (API Gateway answers 403 for it, as
  for any unknown path).
- `imagegen:bedrockRegion` (`"us-west-2"`): the region whose Bedrock Runtime the functions
  call, whatever region the stack deploys to. Synth refuses an enabled model, or an enabled
  operation's model, that the runtime's catalog says is not served there (on demand by its
  bare id, or through an inference profile the region is a source of: the Image Services are
  served through the `us.` profile from us-east-1, us-east-2 and us-west-2 only). The IAM
  policy and the dashboard's Bedrock metrics name this region.
- `imagegen:inferenceProfilePrefix` (`""`): a cross-region inference profile prefix such as
  `"us."`, to call every enabled text-to-image model through that profile from
  `imagegen:bedrockRegion`; synth refuses it for a model that has no such profile there. Empty
  calls each model the way the catalog says the region serves it. The Image Services are always
  called through the profile their region offers, whatever this says.
- `imagegen:presignExpirySeconds` (`3600`): lifetime of the presigned image URLs, 60..3600.
  The URLs are signed with the Lambda role's temporary credentials and die with them,
  whatever their own expiry says, so more than an hour would be a promise not kept.
- `imagegen:retentionDays` (`7`): days after which generated images, results, dropped
  requests, uploads and the stored inputs of jobs expire from the bucket.
- `imagegen:authMode` (`"iam"`): `"iam"` (SigV4-signed requests) or `"api_key"` (an API key
  with a usage plan; its id is a stack output).
- `imagegen:throttleRateLimit` (`10`) and `imagegen:throttleBurstLimit` (`20`): the stage's
  steady requests per second and burst, and the usage plan's in `api_key` mode.
- `imagegen:apiKeyQuotaPerDay` (`1000`): requests per day per API key in `api_key` mode.
- `imagegen:workerMaxConcurrency` (`2`, at least 2 as SQS event sources require): concurrent
  worker invocations; keep their Bedrock calls within the account's model quota.
- `imagegen:workerBatchSize` (`4`): jobs per worker invocation, 1..10.
- `imagegen:maxReceiveCount` (`5`): deliveries of a job before it moves to the dead-letter queue.
- `imagegen:corsAllowOrigins` (`[]`): browser origins allowed to call the API (`"*"` alone for
  any); empty turns CORS off for the API, and the bucket then lets any origin GET (and POST an
  upload form, which is itself the credential).
- `imagegen:alarmEmail` (`""`): an address subscribed to the alarm topic; empty for none.
- `imagegen:logRetentionDays` (`30`): retention of every log group, a value CloudWatch
  Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).
- `imagegen:apiTimeoutSeconds` (`29`): how long API Gateway waits for the API function (its
  integration timeout); the function's own timeout is one second less, so that it always
  answers first, and the API function's Bedrock read timeout eight seconds less (the longest a
  model call may take: 20 s by default); at least 20. 29 is API Gateway's default maximum; a
  Regional REST API may wait longer once the account's "Maximum integration timeout in
  milliseconds" quota has been raised (Service Quotas), up to what Lambda allows (900).
- `imagegen:snapStart` (`false`): Lambda SnapStart on both functions: a deployment that
  changes a function publishes a new version, which the API and the queue invoke through a
  `live` alias, and a cold start resumes from a snapshot taken after the imports instead of
  running them. SnapStart is billed (snapshot cache and restores) and offered in some regions
  only.

On the command line every value arrives as a string: numbers are parsed, and lists may be
given as JSON (`'["core","ultra"]'`) or comma-separated (`core,ultra`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from aws_cdk import aws_logs as logs
from constructs import Node
from imagegen.models.catalog import (
    DEFAULT_BEDROCK_REGION,
    MODELS,
    Invocation,
    ModelNotServed,
    ModelSpec,
    resolve_invocation,
)
from imagegen.models.operations import OPERATIONS, Operation, enabled_specs
from imagegen.models.settings import MAX_PRESIGN_EXPIRY_SECONDS
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

CONTEXT_PREFIX = "imagegen:"

_RETENTION_DAYS: dict[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d+$"
# API Gateway's default maximum integration timeout; a Regional REST API can have more
# through a quota increase. The function gets one second less.
DEFAULT_API_TIMEOUT_SECONDS = 29
FUNCTION_MARGIN_SECONDS = 1
# Kept back from the API function's timeout for everything but the model's answer.
API_TIMEOUT_RESERVE_SECONDS = 8
MIN_API_TIMEOUT_SECONDS = 20
MAX_LAMBDA_TIMEOUT_SECONDS = 900
# The worker's Bedrock read timeout is at least this, whatever the enabled operations need.
MIN_WORKER_READ_TIMEOUT_SECONDS = 60
# The worker's function timeout, unless the slowest enabled operation needs longer.
DEFAULT_WORKER_TIMEOUT_SECONDS = 300
# Kept back from the worker's timeout for everything but one model call: reading the inputs,
# storing the images, recording the job and announcing it.
WORKER_TIMEOUT_RESERVE_SECONDS = 60


class ConfigError(ValueError):
    """The CDK context holds a value the deployment cannot use."""


def _cli_int(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return value


def _cli_number(value: object) -> object:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _cli_bool(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _cli_list(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


CliInt = Annotated[int, BeforeValidator(_cli_int)]
CliNumber = Annotated[float, BeforeValidator(_cli_number)]
CliList = Annotated[list[str], BeforeValidator(_cli_list)]
CliBool = Annotated[bool, BeforeValidator(_cli_bool)]


class StackConfig(BaseModel):
    """The validated deployment settings; see the module docstring for each key."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", alias_generator=to_camel)

    enabled_models: CliList = Field(default_factory=lambda: ["core"], min_length=1)
    enabled_operations: CliList = Field(default_factory=lambda: list(OPERATIONS), min_length=1)
    bedrock_region: str = Field(DEFAULT_BEDROCK_REGION, pattern=REGION_PATTERN)
    inference_profile_prefix: str = Field("", pattern=r"^([a-z]{2,4}\.)?$")
    presign_expiry_seconds: CliInt = Field(MAX_PRESIGN_EXPIRY_SECONDS, ge=60)
    retention_days: CliInt = Field(7, ge=1, le=3650)
    auth_mode: Literal["iam", "api_key"] = "iam"
    throttle_rate_limit: CliNumber = Field(10, gt=0, le=10_000)
    throttle_burst_limit: CliInt = Field(20, ge=1, le=5_000)
    api_key_quota_per_day: CliInt = Field(1000, ge=1)
    # Lambda's SQS event source accepts a maximum concurrency of 2..1000.
    worker_max_concurrency: CliInt = Field(2, ge=2, le=1000)
    worker_batch_size: CliInt = Field(4, ge=1, le=10)
    max_receive_count: CliInt = Field(5, ge=1, le=1000)
    cors_allow_origins: CliList = Field(default_factory=list)
    alarm_email: str = ""
    log_retention_days: CliInt = 30
    # At least the time a model call and the answer need: less fails every POST /images.
    api_timeout_seconds: CliInt = Field(
        DEFAULT_API_TIMEOUT_SECONDS, ge=MIN_API_TIMEOUT_SECONDS, le=MAX_LAMBDA_TIMEOUT_SECONDS
    )
    snap_start: CliBool = False

    @field_validator("enabled_models")
    @classmethod
    def _known_models(cls, aliases: list[str]) -> list[str]:
        unknown = [alias for alias in aliases if alias not in MODELS]
        if unknown:
            raise ValueError(f"unknown model aliases {unknown}; known: {sorted(MODELS)}")
        if len(set(aliases)) != len(aliases):
            raise ValueError(f"model aliases repeat: {aliases}")
        return aliases

    @field_validator("enabled_operations")
    @classmethod
    def _known_operations(cls, names: list[str]) -> list[str]:
        unknown = [name for name in names if name not in OPERATIONS]
        if unknown:
            raise ValueError(f"unknown operations {unknown}; known: {list(OPERATIONS)}")
        if len(set(names)) != len(names):
            raise ValueError(f"operations repeat: {names}")
        return names

    @field_validator("presign_expiry_seconds")
    @classmethod
    def _presign_within_credentials(cls, seconds: int) -> int:
        if seconds > MAX_PRESIGN_EXPIRY_SECONDS:
            raise ValueError(
                f"{seconds} is more than {MAX_PRESIGN_EXPIRY_SECONDS}: the URLs are presigned with the Lambda role's "
                "temporary credentials, and a presigned URL stops working when those credentials expire, whatever "
                "its own expiry says"
            )
        return seconds

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        if "*" in origins and len(origins) > 1:
            raise ValueError('"*" allows every origin and must stand alone')
        bad = [origin for origin in origins if origin != "*" and not _ORIGIN.match(origin)]
        if bad:
            raise ValueError(f"origins must look like https://host[:port] (no path, no trailing slash): {bad}")
        return origins

    @field_validator("alarm_email")
    @classmethod
    def _email(cls, email: str) -> str:
        if email and not _EMAIL.match(email):
            raise ValueError(f"{email!r} is not an email address")
        return email

    @field_validator("log_retention_days")
    @classmethod
    def _retention_cloudwatch_accepts(cls, days: int) -> int:
        if days not in _RETENTION_DAYS:
            raise ValueError(f"CloudWatch Logs accepts one of {sorted(_RETENTION_DAYS)}, not {days}")
        return days

    @property
    def model_ids(self) -> list[str]:
        """Bedrock model ids of the enabled models, from the runtime's catalog."""
        return [MODELS[alias].model_id for alias in self.enabled_models]

    @property
    def operations(self) -> list[Operation]:
        """The enabled operations, from the runtime's catalog, in the order the setting lists them."""
        return [OPERATIONS[name] for name in self.enabled_operations]

    @property
    def invocations(self) -> dict[str, Invocation]:
        """How the functions call each model the enabled operations use (`images`: the enabled
        models) from `bedrock_region`, by the model's alias, as the runtime resolves it: the
        profile prefix applies to the text-to-image models only, the Image Services are reached
        through the profile their region offers. ConfigError naming the keys for each model that
        is not served there."""
        resolved: dict[str, Invocation] = {}
        refused: list[str] = []
        for spec in enabled_specs(self.enabled_operations, self.enabled_models):
            text_model = spec.alias in MODELS
            try:
                resolved[spec.alias] = resolve_invocation(
                    spec, self.bedrock_region, self.inference_profile_prefix if text_model else ""
                )
            except ModelNotServed as error:
                refused.append(self._not_served(spec, text_model, error))
        if refused:
            raise ConfigError("\n".join(refused))
        return resolved

    def _not_served(self, spec: ModelSpec, text_model: bool, error: ModelNotServed) -> str:
        keys = f"{CONTEXT_PREFIX}bedrockRegion={self.bedrock_region!r}"
        if not text_model:
            return (
                f"Invalid CDK context: {keys} cannot call the model of the enabled operation {spec.alias!r}: {error}. "
                f"Choose a region that serves it, or leave it out of {CONTEXT_PREFIX}enabledOperations."
            )
        if self.inference_profile_prefix:
            keys += f" with {CONTEXT_PREFIX}inferenceProfilePrefix={self.inference_profile_prefix!r}"
        return (
            f"Invalid CDK context: {keys} cannot call the enabled model {spec.alias!r}: {error}. Choose a region "
            f"(and prefix) that serves it, or leave it out of {CONTEXT_PREFIX}enabledModels."
        )

    @property
    def worker_read_timeout_seconds(self) -> int:
        """The worker's Bedrock read timeout: what the slowest enabled operation may take (a
        creative upscale takes minutes), at least 60 s."""
        return max(MIN_WORKER_READ_TIMEOUT_SECONDS, *(op.read_timeout_seconds for op in self.operations))

    @property
    def worker_timeout_seconds(self) -> int:
        """The worker's function timeout: 300 s, or longer when the slowest enabled operation's
        read timeout and the work around the call need more (within Lambda's 900 s). The jobs
        queue's visibility timeout follows it."""
        needed = self.worker_read_timeout_seconds + WORKER_TIMEOUT_RESERVE_SECONDS
        return min(MAX_LAMBDA_TIMEOUT_SECONDS, max(DEFAULT_WORKER_TIMEOUT_SECONDS, needed))

    @property
    def function_timeout_seconds(self) -> int:
        """The API function's timeout: within API Gateway's integration timeout."""
        return self.api_timeout_seconds - FUNCTION_MARGIN_SECONDS

    @property
    def api_read_timeout_seconds(self) -> int:
        """The API function's Bedrock read timeout: what its timeout leaves after a connection
        (3 s) and storing the images and answering (2 s), with a few seconds to spare; 20 s by
        default. A read timeout is never retried, so this is the longest a model may take."""
        return self.function_timeout_seconds - API_TIMEOUT_RESERVE_SECONDS

    @property
    def log_retention(self) -> logs.RetentionDays:
        return _RETENTION_DAYS[self.log_retention_days]

    @classmethod
    def from_context(cls, node: Node) -> StackConfig:
        """Read the `imagegen:` keys of a construct's context; raise ConfigError naming each bad key."""
        return cls.from_mapping(node.get_all_context() or {})

    @classmethod
    def from_mapping(cls, context: Mapping[str, Any]) -> StackConfig:
        known = {CONTEXT_PREFIX + to_camel(name) for name in cls.model_fields}
        unknown = sorted(key for key in context if key.startswith(CONTEXT_PREFIX) and key not in known)
        if unknown:
            raise ConfigError(f"Unknown CDK context keys {unknown}; known: {sorted(known)}")
        values = {
            key.removeprefix(CONTEXT_PREFIX): value
            for key, value in context.items()
            if key.startswith(CONTEXT_PREFIX) and value is not None
        }
        try:
            config = cls.model_validate(values)
        except ValidationError as error:
            raise ConfigError(_describe(error)) from None
        # Refuses, naming the keys, a model (of an enabled operation) that the catalog says is not
        # served in the chosen region.
        _ = config.invocations
        return config


def _describe(error: ValidationError) -> str:
    lines = ["Invalid CDK context:"]
    for problem in error.errors():
        key = CONTEXT_PREFIX + str(problem["loc"][0]) if problem["loc"] else "(context)"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  {key}={problem.get('input')!r}: {message}")
    return "\n".join(lines)
