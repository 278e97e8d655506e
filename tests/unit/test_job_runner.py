"""The job runner's outcomes: what each delivery of a job leaves recorded, and what it asks of the
queue (done, retry after N seconds, dead-letter). Real job and image stores (moto, in-process);
a small fake model and event bus where a failure must be injected."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from imagegen.adapters.image_store import ImageStore
from imagegen.adapters.input_store import InputStore
from imagegen.adapters.job_store import JobStore
from imagegen.logic.announcer import ANNOUNCE_LEASE_SECONDS, Announcer
from imagegen.logic.image_inputs import InputResolver
from imagegen.logic.job_documents import JobDocuments
from imagegen.logic.job_runner import JobRunner, RunnerSettings
from imagegen.logic.triggers import parse_message
from imagegen.models.errors import ContentFiltered, ImageServiceError, InternalError, ModelError
from imagegen.models.images import ModelImage
from imagegen.models.outcomes import DONE, DeadLetter, RetryAfter
from imagegen.models.work import ApiJob
from moto import mock_aws
from PIL import Image

from offline.aws_services import Resources, table_configuration

BUCKET = "imagegen-bucket"
MAX_RECEIVE_COUNT = 3
BACKOFF = 30


class _AnyError:
    """Equal to any service error: the outcome's delay is what these tests check."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageServiceError)


ANY_ERROR: Any = _AnyError()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class FakeModel:
    """Answers every call with an image, or with the errors it is given, one per call."""

    errors: list[ImageServiceError] = field(default_factory=list)
    calls: int = 0

    def generate(self, *, body: dict[str, Any], **_: Any) -> ModelImage:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ModelImage(data=png(), seed=body["seed"], content_type="image/png", width=8, height=8)


@dataclass
class FakeBus:
    """Records the events published; refuses the next `refusals` of them."""

    refusals: int = 0
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        if self.refusals:
            self.refusals -= 1
            raise InternalError("EventBridge refused the event")
        self.events.append((detail_type, detail))


@dataclass
class Service:
    runner: JobRunner
    jobs: JobStore
    model: FakeModel
    bus: FakeBus
    s3: Any


@pytest.fixture
def service() -> Iterator[Service]:
    with mock_aws():
        dynamodb, s3 = boto3.client("dynamodb", region_name="us-west-2"), boto3.client("s3", region_name="us-west-2")
        resources = Resources(endpoint_url="")
        dynamodb.create_table(**table_configuration(resources))
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        jobs = JobStore(dynamodb, table=resources.table, retention_days=7)
        store = ImageStore(s3, bucket=BUCKET)
        model, bus = FakeModel(), FakeBus()
        documents = JobDocuments(store, expires_in=3600)
        runner = JobRunner(
            settings=RunnerSettings(
                enabled_models=("core",),
                enabled_operations=("images",),
                max_receive_count=MAX_RECEIVE_COUNT,
                retry_backoff_seconds=BACKOFF,
            ),
            jobs=jobs,
            store=store,
            model=model,  # type: ignore[arg-type]
            announcer=Announcer(jobs=jobs, store=store, publisher=bus, documents=documents),  # type: ignore[arg-type]
            resolver=InputResolver(InputStore(s3, bucket=BUCKET), retention_days=7),
        )
        yield Service(runner, jobs, model, bus, s3)


def api_job(service: Service, job_id: str = "job-1", request: dict[str, Any] | None = None) -> ApiJob:
    service.jobs.create(job_id=job_id, trigger="api", request_id=job_id, request=request or {"prompt": "a cat"})
    return ApiJob(job_id=job_id)


def run(service: Service, item: Any, receive_count: int = 1) -> Any:
    return service.runner.run(item, receive_count=receive_count, lease_seconds=60)


def stored_images(service: Service) -> list[str]:
    return [o["Key"] for o in service.s3.list_objects_v2(Bucket=BUCKET, Prefix="images/").get("Contents", [])]


def test_a_job_that_succeeds_is_done_recorded_and_announced_once(service):
    item = api_job(service)
    assert run(service, item) == DONE
    job = service.jobs.get(item.job_id)
    assert (job.status, job.notified, len(job.images)) == ("succeeded", True, 1)
    assert [detail_type for detail_type, _ in service.bus.events] == ["ImageGenerationCompleted"]
    # A duplicate delivery generates and announces nothing
    assert run(service, item) == DONE
    assert (service.model.calls, len(service.bus.events)) == (1, 1)


def test_a_transient_failure_comes_back_later_with_a_growing_delay(service):
    item = api_job(service)
    service.model.errors = [ModelError("busy"), ModelError("busy")]
    assert run(service, item, receive_count=1) == RetryAfter(BACKOFF, ANY_ERROR)
    assert service.jobs.get(item.job_id).status == "queued"
    second = run(service, item, receive_count=2)
    assert isinstance(second, RetryAfter) and second.seconds == 2 * BACKOFF
    assert run(service, item, receive_count=3) == DONE
    assert service.jobs.get(item.job_id).status == "succeeded"


def test_a_transient_failure_on_the_last_delivery_is_recorded_announced_and_dead_lettered(service):
    item = api_job(service)
    service.model.errors = [ModelError("down")]
    outcome = run(service, item, receive_count=MAX_RECEIVE_COUNT)
    assert isinstance(outcome, DeadLetter)
    job = service.jobs.get(item.job_id)
    assert (job.status, job.error["code"], job.retryable) == ("failed", "model_error", True)
    assert [detail_type for detail_type, _ in service.bus.events] == ["ImageGenerationFailed"]


def test_a_permanent_failure_is_done_at_once_and_stores_nothing(service):
    item = api_job(service)
    service.model.errors = [ContentFiltered("Filter reason: prompt")]
    assert run(service, item) == DONE
    job = service.jobs.get(item.job_id)
    assert (job.status, job.error["details"]) == ("failed", {"reason": "Filter reason: prompt"})
    assert stored_images(service) == []


def test_an_invalid_request_fails_at_once(service):
    item = api_job(service, request={"prompt": "a", "count": 9})
    assert run(service, item) == DONE
    job = service.jobs.get(item.job_id)
    assert (job.status, job.error["code"], service.model.calls) == ("failed", "validation_error", 0)


def test_a_job_another_delivery_runs_comes_back_when_its_lease_ends(service):
    item = api_job(service)
    service.jobs.claim(item.job_id, lease_seconds=120)
    outcome = run(service, item)
    assert isinstance(outcome, RetryAfter) and 100 <= outcome.seconds <= 120
    assert service.model.calls == 0


def test_an_announcement_that_fails_is_made_by_the_next_delivery(service):
    item = api_job(service)
    service.bus.refusals = 1
    first = run(service, item)
    assert isinstance(first, RetryAfter) and first.seconds == BACKOFF
    assert service.jobs.get(item.job_id).status == "succeeded"  # the images are kept
    assert run(service, item, receive_count=2) == DONE
    assert [detail_type for detail_type, _ in service.bus.events] == ["ImageGenerationCompleted"]
    assert service.model.calls == 1


def test_a_failure_that_cannot_be_announced_on_the_last_delivery_is_dead_lettered(service):
    item = api_job(service)
    service.model.errors = [ContentFiltered("Filter reason: prompt")]
    service.bus.refusals = 1
    assert isinstance(run(service, item, receive_count=MAX_RECEIVE_COUNT), DeadLetter)
    assert service.jobs.get(item.job_id).notified is False  # a redrive announces it


def test_an_announcement_under_way_elsewhere_is_checked_again_when_its_lease_ends(service):
    item = api_job(service)
    service.bus.refusals = 1
    run(service, item)  # succeeded, announcement failed
    assert service.jobs.begin_announcing(item.job_id, lease_seconds=60) is not None  # another delivery announces
    assert run(service, item, receive_count=2) == RetryAfter(ANNOUNCE_LEASE_SECONDS, ANY_ERROR)


def test_no_time_left_hands_the_job_back_at_once_or_fails_it_on_the_last_delivery(service):
    item = api_job(service)
    assert service.runner.hand_back(item, receive_count=1) == RetryAfter(0, ANY_ERROR)
    assert service.jobs.get(item.job_id).status == "queued"
    assert isinstance(service.runner.hand_back(item, receive_count=MAX_RECEIVE_COUNT), DeadLetter)
    job = service.jobs.get(item.job_id)
    assert (job.status, job.error["code"]) == ("failed", "internal_error")
    assert "redrive" in job.error["message"]


def test_a_table_out_of_reach_comes_back_later(service):
    broken = JobRunner(
        settings=RunnerSettings(
            enabled_models=("core",), enabled_operations=("images",), max_receive_count=3, retry_backoff_seconds=BACKOFF
        ),
        jobs=JobStore(boto3.client("dynamodb", region_name="us-west-2"), table="no-such-table", retention_days=7),
        store=ImageStore(service.s3, bucket=BUCKET),
        model=service.model,  # type: ignore[arg-type]
        announcer=None,  # type: ignore[arg-type]
        resolver=InputResolver(InputStore(service.s3, bucket=BUCKET), retention_days=7),
    )
    [item] = parse_message(json.dumps(EVENT), bucket=BUCKET)
    assert broken.run(item, receive_count=1, lease_seconds=60) == RetryAfter(BACKOFF, ANY_ERROR)


EVENT = {
    "version": "0",
    "id": "event-1",
    "detail-type": "ImageGenerationRequested",
    "source": "my.app",
    "detail": {"request_id": "order-1", "prompt": "a red bicycle"},
}


def test_an_event_reusing_a_request_id_for_another_request_is_refused_by_a_job_of_its_own(service):
    [first] = parse_message(json.dumps(EVENT), bucket=BUCKET)
    assert run(service, first) == DONE
    other = {**EVENT, "id": "event-2", "detail": {"request_id": "order-1", "prompt": "something else"}}
    [second] = parse_message(json.dumps(other), bucket=BUCKET)
    assert run(service, second) == DONE
    assert service.model.calls == 1
    assert service.jobs.get(first.job_id).status == "succeeded"
    refusal = service.jobs.get(second.refusal_job_id)
    assert (refusal.status, refusal.error["details"]["errors"][0]["field"]) == ("failed", "request_id")
    assert [detail_type for detail_type, _ in service.bus.events] == [
        "ImageGenerationCompleted",
        "ImageGenerationFailed",
    ]


def s3_drop(service: Service, name: str, body: bytes, etag: str | None = None) -> Any:
    put = service.s3.put_object(Bucket=BUCKET, Key=f"requests/{name}.json", Body=body)
    record = {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": BUCKET},
            "object": {"key": f"requests/{name}.json", "eTag": etag or put["ETag"].strip('"'), "sequencer": "01"},
        },
    }
    [item] = parse_message(json.dumps({"Records": [record]}), bucket=BUCKET)
    return item


def result(service: Service, name: str) -> dict[str, Any]:
    return json.loads(service.s3.get_object(Bucket=BUCKET, Key=f"results/{name}.json")["Body"].read())


def test_an_s3_drop_reads_its_own_write_and_leaves_a_result_file(service):
    item = s3_drop(service, "cat", b'{"prompt": "a cat", "count": 2}')
    assert run(service, item) == DONE
    document = result(service, "cat")
    assert (document["status"], len(document["images"]), document["trigger"]) == ("succeeded", 2, "s3")


def test_an_s3_drop_that_is_not_a_valid_request_fails_at_once_with_a_result_file(service):
    item = s3_drop(service, "bad", b'{"prompt": "a", "prompt": "b"}')
    assert run(service, item) == DONE
    assert result(service, "bad")["error"]["code"] == "validation_error"
    assert service.model.calls == 0


def test_an_s3_drop_written_again_before_it_was_read_is_left_to_the_newer_write(service):
    item = s3_drop(service, "rewritten", b'{"prompt": "first"}', etag="0" * 32)  # the event of an older write
    assert run(service, item) == DONE
    job = service.jobs.get(item.job_id)
    assert (job.status, job.notified, service.model.calls) == ("failed", True, 0)  # recorded, not announced
    assert service.bus.events == []


def test_an_unexpected_error_is_an_internal_error_retried_through_the_queue(service, monkeypatch):
    from imagegen.logic import job_runner

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("images")  # a bug, not a domain error

    monkeypatch.setattr(job_runner, "generate_images", broken)
    item = api_job(service)
    assert run(service, item) == RetryAfter(BACKOFF, ANY_ERROR)
    job = service.jobs.get(item.job_id)
    assert (job.status, service.jobs.get(item.job_id).attempt) == ("queued", 1)
