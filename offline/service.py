"""The whole service on one machine: embedded AWS services, the Bedrock Runtime emulator,
the API (behind a local API Gateway) and the asynchronous worker (behind a local SQS event source)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from imagegen.contract import API_HANDLER, METRICS_NAMESPACE, NO_PYDANTIC_PLUGINS, SERVICE_NAME, WORKER_HANDLER, Env
from imagegen.models.catalog import DEFAULT_BEDROCK_REGION
from imagegen.models.operations import OPERATIONS

from offline.api_gateway import ApiGatewayServer
from offline.aws_services import CREDENTIALS, RETENTION_DAYS, Resources, provision, start_moto
from offline.bedrock_emulator import BedrockEmulator
from offline.event_source import SqsEventSource
from offline.lambda_events import REGION
from offline.local_lambda import LocalFunction

if TYPE_CHECKING:
    from imagegen_client.playground import PlaygroundServer

# The playground ships with the client package (client/imagegen_client), which the local run uses
# from the source tree.
_CLIENT = str(Path(__file__).resolve().parent.parent / "client")
if _CLIENT not in sys.path:
    sys.path.append(_CLIENT)

SERVICES = ("S3", "DYNAMODB", "SQS", "EVENTBRIDGE")
# The worker waits for the slowest operation's model call (a creative upscale takes minutes), at
# least 60 s, and its timeout leaves a minute around the call, at least 300 s: as the stack derives
# them from its enabled operations (infra/config.py).
WORKER_READ_TIMEOUT_SECONDS = max(60, *(operation.read_timeout_seconds for operation in OPERATIONS.values()))
WORKER_TIMEOUT_SECONDS = min(900, max(300, WORKER_READ_TIMEOUT_SECONDS + 60))
# Where the functions call Bedrock: the stack's default (imagegen:bedrockRegion). They sign for
# this region, and the emulator checks that the model is served there.
BEDROCK_REGION = DEFAULT_BEDROCK_REGION


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the stack declares it, with the local values of its settings.

    `settings` holds the variables the stack sets to fixed values; `resources` names the ones
    that point at the resources (their values come from the local resources). Together they are
    every variable the stack sets on the function (tests/infra/test_offline_matches_stack.py)."""

    name: str
    handler: str
    timeout: int
    settings: Mapping[str, str]
    resources: tuple[str, ...]


_SHARED_SETTINGS = {
    Env.POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    Env.POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    Env.POWERTOOLS_LOG_LEVEL: "INFO",
    Env.PYDANTIC_DISABLE_PLUGINS: NO_PYDANTIC_PLUGINS,
    Env.ENABLED_MODELS: "core,ultra,sd3.5-large",  # locally every model (the stack's default: core)
    Env.ENABLED_OPERATIONS: ",".join(OPERATIONS),  # every operation, as the stack's default
    Env.BEDROCK_REGION: BEDROCK_REGION,
    Env.MODEL_ID_PREFIX: "",
    Env.PRESIGN_EXPIRY_SECONDS: "3600",
    Env.RETENTION_DAYS: str(RETENTION_DAYS),  # as the bucket's lifecycle rules expire objects
}
API_FUNCTION = FunctionSpec(
    name="ApiFunction",
    handler=API_HANDLER,
    timeout=28,
    settings={
        **_SHARED_SETTINGS,
        Env.BEDROCK_READ_TIMEOUT_SECONDS: "20",
        Env.BEDROCK_MAX_ATTEMPTS: "3",
        Env.IDEMPOTENCY_TTL_SECONDS: "86400",
        Env.CORS_ALLOW_ORIGINS: "",
    },
    resources=(Env.IMAGE_BUCKET, Env.JOBS_TABLE, Env.JOBS_QUEUE_URL),
)
WORKER_FUNCTION = FunctionSpec(
    name="WorkerFunction",
    handler=WORKER_HANDLER,
    timeout=WORKER_TIMEOUT_SECONDS,
    settings={
        **_SHARED_SETTINGS,
        Env.BEDROCK_READ_TIMEOUT_SECONDS: str(WORKER_READ_TIMEOUT_SECONDS),
        Env.BEDROCK_MAX_ATTEMPTS: "4",
        Env.RETRY_BACKOFF_SECONDS: "1",  # locally 1 s (the stack's: 30 s), so that retries show quickly
    },
    resources=(
        Env.IMAGE_BUCKET,
        Env.JOBS_TABLE,
        Env.JOBS_QUEUE_URL,
        Env.EVENT_BUS_NAME,
        Env.EVENT_SOURCE,
        Env.MAX_RECEIVE_COUNT,
    ),
)
FUNCTIONS = (API_FUNCTION, WORKER_FUNCTION)
# The settings a user may change for the local run (see OfflineConfig.from_environment).
LOCAL_SETTINGS = (
    Env.ENABLED_MODELS,
    Env.ENABLED_OPERATIONS,
    Env.BEDROCK_REGION,
    Env.MODEL_ID_PREFIX,
    Env.PRESIGN_EXPIRY_SECONDS,
    Env.CORS_ALLOW_ORIGINS,
    Env.POWERTOOLS_LOG_LEVEL,
    Env.BEDROCK_READ_TIMEOUT_SECONDS,
    Env.BEDROCK_MAX_ATTEMPTS,
    Env.RETRY_BACKOFF_SECONDS,
)


def function_environment(
    function: FunctionSpec,
    resources: Resources,
    *,
    queue_url: str,
    bedrock_url: str,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment `function` runs with: what the stack sets on it (the user's local settings
    applied), plus what Lambda and the local run provide instead of AWS: the region, credentials
    and endpoints."""
    wiring = {
        Env.IMAGE_BUCKET: resources.bucket,
        Env.JOBS_TABLE: resources.table,
        Env.JOBS_QUEUE_URL: queue_url,
        Env.EVENT_BUS_NAME: resources.event_bus,
        Env.EVENT_SOURCE: resources.event_source,
        Env.MAX_RECEIVE_COUNT: str(resources.max_receive_count),
    }
    settings = {**function.settings, **{name: wiring[name] for name in function.resources}}
    settings.update({name: value for name, value in (overrides or {}).items() if name in settings})
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_ENDPOINT_URL": resources.endpoint_url,
        **{f"AWS_ENDPOINT_URL_{service}": resources.endpoint_url for service in SERVICES},
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock_url,
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
        "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would only repeat the logs
        **settings,
    }


DEFAULT_PLAYGROUND_PORT = 3003


@dataclass
class OfflineConfig:
    host: str = "127.0.0.1"
    port: int = 3000
    s3_port: int = 3001
    bedrock_port: int = 3002
    api_concurrency: int = 8
    worker_concurrency: int = 2
    worker_batch_size: int = 4
    # Settings of the functions (the same variables the stack sets in AWS).
    function_env: dict[str, str] = field(default_factory=dict)
    # Refuse unsigned requests (403) as the deployed API does, instead of running them as the
    # anonymous caller.
    require_signature: bool = False
    # The playground's port (0: any free one); None: no playground (tests, bench, fuzz).
    playground_port: int | None = None

    @classmethod
    def from_environment(cls) -> OfflineConfig:
        env = os.environ
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "3000")),
            s3_port=int(env.get("S3_PORT", "3001")),
            bedrock_port=int(env.get("BEDROCK_PORT", "3002")),
            function_env={name: env[name] for name in LOCAL_SETTINGS if name in env},
            require_signature=env.get("REQUIRE_SIGV4", "").strip().lower() in ("1", "true", "yes"),
            playground_port=int(env.get("PLAYGROUND_PORT", str(DEFAULT_PLAYGROUND_PORT))),
        )


def start_playground(api_url: str, port: int, *, signed: bool = False) -> PlaygroundServer:
    """The playground page beside the local API, forwarding to it. Unsigned, the page's calls run
    as the local API's anonymous caller; when the API requires signatures (REQUIRE_SIGV4), they
    are signed with the local test credentials."""
    from imagegen_client.playground import PlaygroundServer, SigV4Signer

    signer = None
    if signed:
        access_key, secret_key = CREDENTIALS["aws_access_key_id"], CREDENTIALS["aws_secret_access_key"]
        signer = SigV4Signer.from_keys(access_key, secret_key, REGION)
    server = PlaygroundServer(api_url, signer=signer, port=port)
    server.start()
    return server


class OfflineService:
    def __init__(self, config: OfflineConfig):
        self.config = config
        host = config.host
        self.api_url = f"http://{host}:{config.port}"
        self.resources = Resources(endpoint_url=f"http://{host}:{config.s3_port}")
        self.bedrock_url = f"http://{host}:{config.bedrock_port}"
        self._moto = None
        self._emulator: BedrockEmulator | None = None
        self._functions: list[LocalFunction] = []
        self._api: ApiGatewayServer | None = None
        self._event_source: SqsEventSource | None = None
        self._playground: PlaygroundServer | None = None

    def function_environment(self, function: FunctionSpec = API_FUNCTION) -> dict[str, str]:
        """The environment `function` runs with (as the stack sets it in AWS)."""
        r = self.resources
        return function_environment(
            function,
            r,
            queue_url=r.queue_url(r.queue_name),
            bedrock_url=self.bedrock_url,
            overrides=self.config.function_env,
        )

    def start(self) -> None:
        config = self.config
        self._moto = start_moto(config.host, config.s3_port)
        provision(self.resources)
        self._emulator = BedrockEmulator(host=config.host, port=config.bedrock_port)
        self._emulator.start()
        api, worker = (
            LocalFunction(
                name=spec.name,
                handler=spec.handler,
                env=self.function_environment(spec),
                concurrency=concurrency,
                timeout=spec.timeout,
            )
            for spec, concurrency in (
                (API_FUNCTION, config.api_concurrency),
                (WORKER_FUNCTION, config.worker_concurrency),
            )
        )
        self._functions = [api, worker]
        for function in self._functions:
            function.warm()
        r = self.resources
        self._event_source = SqsEventSource(
            sqs=r.client("sqs"),
            queue_url=r.queue_url(r.queue_name),
            queue_arn=r.queue_arn(r.queue_name),
            function=worker,
            batch_size=config.worker_batch_size,
            concurrency=config.worker_concurrency,
        )
        self._event_source.start()
        if config.playground_port is not None:
            self._playground = start_playground(self.api_url, config.playground_port, signed=config.require_signature)
        # Last, so that an answering API means everything behind it runs.
        self._api = ApiGatewayServer((config.host, config.port), api, require_signature=config.require_signature)
        self._api.start()

    @property
    def playground_url(self) -> str | None:
        return self._playground.url if self._playground else None

    @property
    def worker_source(self) -> SqsEventSource:
        assert self._event_source is not None, "not started"
        return self._event_source

    def stop(self) -> None:
        if self._playground:
            self._playground.stop()
        if self._event_source:
            self._event_source.stop()
        if self._api:
            self._api.stop()
        for function in self._functions:
            function.close()
        if self._emulator:
            self._emulator.stop()
        if self._moto:
            self._moto.stop()

    def __enter__(self) -> OfflineService:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
