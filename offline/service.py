"""The whole service on one machine: embedded AWS services, the Bedrock Runtime emulator,
the API (behind a local API Gateway) and the asynchronous worker (behind a local SQS event source)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from offline.api_gateway import ApiGatewayServer
from offline.aws_services import CREDENTIALS, Resources, provision, start_moto
from offline.bedrock_emulator import BedrockEmulator
from offline.event_source import SqsEventSource
from offline.lambda_events import REGION
from offline.local_lambda import LocalFunction

SERVICES = ("S3", "DYNAMODB", "SQS", "EVENTBRIDGE")


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

    @classmethod
    def from_environment(cls) -> OfflineConfig:
        env = os.environ
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=int(env.get("PORT", "3000")),
            s3_port=int(env.get("S3_PORT", "3001")),
            bedrock_port=int(env.get("BEDROCK_PORT", "3002")),
            function_env={
                name: env[name]
                for name in (
                    "ENABLED_MODELS",
                    "PRESIGN_EXPIRY_SECONDS",
                    "CORS_ALLOW_ORIGINS",
                    "POWERTOOLS_LOG_LEVEL",
                    "BEDROCK_READ_TIMEOUT_SECONDS",
                    "BEDROCK_MAX_ATTEMPTS",
                    "RETRY_BACKOFF_SECONDS",
                )
                if name in env
            },
        )


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

    def function_environment(self) -> dict[str, str]:
        """The environment the functions run with (as the stack sets it in AWS)."""
        r = self.resources
        env = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_ENDPOINT_URL": r.endpoint_url,
            **{f"AWS_ENDPOINT_URL_{service}": r.endpoint_url for service in SERVICES},
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.bedrock_url,
            "POWERTOOLS_SERVICE_NAME": "imagegen",
            "POWERTOOLS_METRICS_NAMESPACE": "ImageGeneration",
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
            "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would only repeat the logs
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "IMAGE_BUCKET": r.bucket,
            "JOBS_TABLE": r.table,
            "JOBS_QUEUE_URL": r.queue_url(r.queue_name),
            "EVENT_BUS_NAME": r.event_bus,
            "EVENT_SOURCE": r.event_source,
            "ENABLED_MODELS": "core,ultra,sd3.5-large",
            "MAX_RECEIVE_COUNT": str(r.max_receive_count),
            "RETRY_BACKOFF_SECONDS": "1",
        }
        env.pop("AWS_PROFILE", None)
        return {**env, **self.config.function_env}

    def start(self) -> None:
        config = self.config
        self._moto = start_moto(config.host, config.s3_port)
        provision(self.resources)
        self._emulator = BedrockEmulator(host=config.host, port=config.bedrock_port)
        self._emulator.start()
        env = self.function_environment()
        api = LocalFunction(
            name="ApiFunction",
            handler="imagegen.handlers.api.lambda_handler",
            env=env,
            concurrency=config.api_concurrency,
            timeout=28,
        )
        worker = LocalFunction(
            name="WorkerFunction",
            handler="imagegen.handlers.worker.lambda_handler",
            env={**env, "BEDROCK_READ_TIMEOUT_SECONDS": env.get("BEDROCK_READ_TIMEOUT_SECONDS", "60")},
            concurrency=config.worker_concurrency,
            timeout=300,
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
        # Last, so that an answering API means everything behind it runs.
        self._api = ApiGatewayServer((config.host, config.port), api)
        self._api.start()

    @property
    def worker_source(self) -> SqsEventSource:
        assert self._event_source is not None, "not started"
        return self._event_source

    def stop(self) -> None:
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
