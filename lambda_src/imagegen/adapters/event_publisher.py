"""Publishes ImageGenerationCompleted / ImageGenerationFailed on the service's event bus."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from botocore.config import Config

from imagegen.models.errors import InternalError

if TYPE_CHECKING:
    from botocore.session import Session
    from mypy_boto3_events import EventBridgeClient


def create_client(session: Session) -> EventBridgeClient:
    return cast("EventBridgeClient", session.create_client("events", config=Config(retries={"mode": "standard"})))


class EventPublisher:
    def __init__(self, client: EventBridgeClient, *, bus_name: str, source: str):
        self._client = client
        self._bus_name = bus_name
        self._source = source

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        response = self._client.put_events(
            Entries=[
                {
                    "EventBusName": self._bus_name,
                    "Source": self._source,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, separators=(",", ":")),
                }
            ]
        )
        if response.get("FailedEntryCount"):
            entry = response["Entries"][0]
            raise InternalError(f"EventBridge refused the event: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
