"""The event-driven entry points: a request dropped into the bucket (`requests/<name>.json`), an
`ImageGenerationRequested` event on the bus, and the result documents both leave at
`results/<name>.json`. These go to S3 and EventBridge directly, with botocore, not to the API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from imagegen_client.errors import AuthError, ImageGenError, ValidationError
from imagegen_client.images import extension_of
from imagegen_client.locations import LOCAL_CREDENTIALS, Deployment

REQUESTED_DETAIL_TYPE = "ImageGenerationRequested"
EVENT_SOURCE = "imagegen.client"


class AwsEntryPoints:
    """S3 and EventBridge of one deployment, with clients created on first use."""

    def __init__(self, deployment: Deployment, session: botocore.session.Session, region: str):
        self.deployment = deployment
        self._session = session
        self._region = region
        self._clients: dict[str, BaseClient] = {}

    def _client(self, service: str) -> BaseClient:
        if service not in self._clients:
            local = self.deployment.local
            key, secret = LOCAL_CREDENTIALS if local else (None, None)
            self._clients[service] = self._session.create_client(
                service,
                region_name=self._region,
                endpoint_url=self.deployment.aws_endpoint_url,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
                config=Config(s3={"addressing_style": "path"} if local else {}, retries={"mode": "standard"}),
            )
        return self._clients[service]

    def _bucket(self) -> str:
        if not self.deployment.bucket:
            raise ValidationError(
                None, "no_bucket", "The bucket is unknown: set IMAGEGEN_BUCKET or IMAGEGEN_OUTPUTS_FILE (BucketName)"
            )
        return self.deployment.bucket

    def put_input(self, data: bytes, content_type: str | None) -> dict[str, str]:
        """Stores an image under inputs/ and answers the reference a drop or an event names it by."""
        key = f"inputs/{uuid.uuid4().hex}.{extension_of(content_type)}"
        self._call(
            "s3", "put_object", Bucket=self._bucket(), Key=key, Body=data, ContentType=content_type or "image/png"
        )
        return {"s3_key": key}

    def drop(self, request: dict[str, Any], name: str) -> str:
        """Puts the request at requests/<name>.json, which the bucket's notification turns into a job."""
        key = f"requests/{name}.json"
        body = json.dumps(request).encode()
        self._call("s3", "put_object", Bucket=self._bucket(), Key=key, Body=body, ContentType="application/json")
        return key

    def put_event(self, request: dict[str, Any]) -> str:
        """Puts an ImageGenerationRequested event with the request as its detail; answers its id."""
        bus = self.deployment.event_bus
        if not bus:
            raise ValidationError(
                None, "no_event_bus", "The event bus is unknown: set IMAGEGEN_EVENT_BUS or IMAGEGEN_OUTPUTS_FILE"
            )
        entry = {
            "EventBusName": bus,
            "Source": EVENT_SOURCE,
            "DetailType": REQUESTED_DETAIL_TYPE,
            "Detail": json.dumps(request),
        }
        answer = self._call("events", "put_events", Entries=[entry])
        [result] = answer["Entries"]
        if "EventId" not in result:
            raise ImageGenError(None, result.get("ErrorCode", "put_events_failed"), result.get("ErrorMessage", ""))
        return str(result["EventId"])

    def result(self, name: str) -> dict[str, Any] | None:
        """The result document results/<name>.json, or None while there is none."""
        try:
            answer = self._call("s3", "get_object", Bucket=self._bucket(), Key=f"results/{name}.json")
        except ImageGenError as error:
            if error.code in ("NoSuchKey", "404"):
                return None
            raise
        document: dict[str, Any] = json.loads(answer["Body"].read())
        return document

    def _call(self, service: str, operation: str, **arguments: Any) -> Any:
        """One AWS call; its failure as an ImageGenError (an access problem as an AuthError)."""
        try:
            return getattr(self._client(service), operation)(**arguments)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = str(error.get("Code", "aws_error")), str(error.get("Message", exc))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            cls = AuthError if status in (401, 403) else ImageGenError
            raise cls(status, code, f"{service} {operation}: {message}") from exc
        except NoCredentialsError as exc:
            raise AuthError(None, "no_credentials", f"{service} {operation}: no AWS credentials found") from exc
        except BotoCoreError as exc:  # no endpoint, a connection refused, ...
            raise ImageGenError(None, exc.__class__.__name__, f"{service} {operation}: {exc}") from exc
