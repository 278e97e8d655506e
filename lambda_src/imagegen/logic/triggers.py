"""What a message on the jobs queue asks for. Three kinds arrive: a job queued by the API,
an S3 event notification for an object under requests/, and an ImageGenerationRequested
event from EventBridge. Each becomes a WorkItem whose job id is derived from the trigger,
so a duplicate delivery maps onto the same job."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, S3Event

from imagegen.contract import REQUEST_SUFFIX, REQUESTED_DETAIL_TYPE, REQUESTS_PREFIX, RESULTS_PREFIX
from imagegen.models.validation import invalid
from imagegen.models.work import ApiJob, EventRequest, S3Drop, WorkItem

# request_id names the result file results/<request_id>.json, so it must be a safe key segment.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_JOB_NAMESPACE = uuid.UUID("5d3e4c1a-9a4b-4a43-8f0e-2b7c6f1d9e10")


class PoisonMessage(Exception):
    """A message the worker cannot understand; it is left to reach the dead-letter queue."""


def _job_id(name: str) -> str:
    return uuid.uuid5(_JOB_NAMESPACE, name).hex


def _from_s3(payload: dict[str, Any], bucket: str) -> list[WorkItem]:
    items: list[WorkItem] = []
    for record in S3Event(payload).records:
        if record.event_source != "aws:s3" or not record.event_name.startswith("ObjectCreated:"):
            continue
        obj = record.s3.get_object.raw_event
        key = unquote_plus(obj["key"])
        if record.s3.bucket.name != bucket or not key.startswith(REQUESTS_PREFIX) or not key.endswith(REQUEST_SUFFIX):
            continue  # only requests/*.json of our bucket: nothing the service writes can trigger it
        name = key[len(REQUESTS_PREFIX) : -len(REQUEST_SUFFIX)]
        # One write of the object is one job: S3 repeats these fields on a duplicate delivery,
        # and a new write of the same key gets a new sequencer (and usually a new eTag).
        etag = obj.get("eTag") or None
        version = "#".join(obj.get(field) or "" for field in ("versionId", "sequencer", "eTag"))
        items.append(
            S3Drop(
                job_id=_job_id(f"s3:{bucket}/{key}#{version}"),
                request_id=name,
                result_key=f"{RESULTS_PREFIX}{name}.json",
                source_key=key,
                source_etag=etag,
            )
        )
    return items


def _from_eventbridge(payload: dict[str, Any]) -> list[WorkItem]:
    event = EventBridgeEvent(payload)
    if event.detail_type != REQUESTED_DETAIL_TYPE:
        return []
    detail = payload.get("detail")
    problem = None
    request_id = event.get_id
    request: Any = detail
    if isinstance(detail, dict) and "request_id" in detail:
        request = {k: v for k, v in detail.items() if k != "request_id"}
        given = detail["request_id"]
        if isinstance(given, str) and REQUEST_ID_PATTERN.match(given):
            request_id = given
        else:
            problem = invalid(
                "request_id", "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
    return [
        EventRequest(
            job_id=_job_id(f"eventbridge:{request_id}"),
            request_id=request_id,
            result_key=f"{RESULTS_PREFIX}{request_id}.json",
            request=request,
            problem=problem,
            fingerprint=hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest(),
            refusal_job_id=_job_id(f"eventbridge-refusal:{event.get_id}"),
        )
    ]


def parse_message(body: str, *, bucket: str) -> list[WorkItem]:
    """The work a queue message asks for: [] for messages that ask for nothing (S3's test event,
    objects outside requests/), PoisonMessage for anything unrecognisable."""
    try:
        payload: object = json.loads(body)
    except ValueError as exc:
        raise PoisonMessage("the message body is not JSON") from exc
    except RecursionError as exc:  # nested deeper than the parser's stack
        raise PoisonMessage("the message body is nested too deeply") from exc
    if not isinstance(payload, dict):
        raise PoisonMessage("the message body is not a JSON object")
    if set(payload) == {"job_id"} and isinstance(payload["job_id"], str):
        return [ApiJob(job_id=payload["job_id"])]
    if payload.get("Event") == "s3:TestEvent":
        return []
    if isinstance(payload.get("Records"), list):
        return _from_s3(payload, bucket)
    if "detail-type" in payload and "id" in payload:
        return _from_eventbridge(payload)
    raise PoisonMessage("the message is neither a job, an S3 notification nor an EventBridge event")
