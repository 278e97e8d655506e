"""Generation triggered by a JSON request dropped under requests/ and by an ImageGenerationRequested
event: through moto's own S3 notification and EventBridge rule into the queue, then the worker."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import configure, drain, image_keys
from tests.integration.test_jobs import outcome_events


def put_request(aws, name: str, body: bytes | str) -> None:
    data = body.encode() if isinstance(body, str) else body
    aws.client("s3").put_object(
        Bucket=aws.bucket, Key=f"requests/{name}.json", Body=data, ContentType="application/json"
    )


def result(aws, name: str) -> dict:
    return json.loads(aws.client("s3").get_object(Bucket=aws.bucket, Key=f"results/{name}.json")["Body"].read())


def put_event(aws, detail: dict | str, detail_type: str = "ImageGenerationRequested") -> str:
    response = aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": aws.event_bus,
                "Source": "my.app",
                "DetailType": detail_type,
                "Detail": detail if isinstance(detail, str) else json.dumps(detail),
            }
        ]
    )
    assert response["FailedEntryCount"] == 0
    return response["Entries"][0]["EventId"]


def results(aws) -> set[str]:
    listing = aws.client("s3").list_objects_v2(Bucket=aws.bucket, Prefix="results/")
    return {o["Key"] for o in listing.get("Contents", [])}


def test_a_dropped_request_produces_images_and_its_result(aws, worker_source):
    put_request(aws, "holiday/card", json.dumps({"prompt": "A snowy cabin", "aspect_ratio": "21:9", "count": 2}))
    drain(worker_source)

    document = result(aws, "holiday/card")
    assert document["status"] == "succeeded"
    assert document["trigger"] == "s3"
    assert document["request_id"] == "holiday/card"
    assert [(i["width"], i["height"]) for i in document["images"]] == [(1536, 640)] * 2
    assert all(i["key"].startswith("images/") and i["key"] in image_keys(aws) for i in document["images"])
    assert document["error"] is None


def test_the_result_can_also_be_read_as_a_job(aws, worker_source, api):
    put_request(aws, "as-job", '{"prompt": "A fox"}')
    drain(worker_source)
    job_id = result(aws, "as-job")["job_id"]
    status, _, job = api("GET", f"/jobs/{job_id}")
    assert (status, job["status"], job["trigger"]) == (200, "succeeded", "s3")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b'{"prompt": "a", "count": 7}', "count"),
        (b'["a"]', "body"),
        (b"", None),
        (b'{"prompt": "a", "seed": NaN}', None),
        (b"\xff\xfe", None),
        (b'{"prompt": "a", "x": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", "body"),  # too deep to parse
    ],
)
def test_an_invalid_request_fails_with_validation_error_and_is_not_retried(aws, worker_source, model, body, field):
    before = model.count()
    put_request(aws, "broken", body)
    batches = drain(worker_source)

    document = result(aws, "broken")
    assert document["status"] == "failed"
    assert document["error"]["code"] == "validation_error"
    if field:
        assert field in json.dumps(document["error"])
    assert batches == 1  # handled, not handed back for a retry loop
    assert model.count() == before
    assert "Messages" not in aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.dead_letter_queue_name))


def test_an_oversized_request_object_fails_with_validation_error(aws, worker_source):
    put_request(aws, "huge", json.dumps({"prompt": "a", "negative_prompt": "x" * 70_000}))
    drain(worker_source)
    assert result(aws, "huge")["error"]["code"] == "validation_error"


def test_a_request_rewritten_before_it_was_read_is_generated_once_from_the_new_content(aws, worker_source, model):
    """Both writes' events are queued, but the first write's content is gone by the time the
    worker reads it: it is not generated twice from the newer content."""
    put_request(aws, "rewritten", '{"prompt": "First draft"}')
    put_request(aws, "rewritten", '{"prompt": "Final version"}')
    drain(worker_source)

    assert [call["body"]["prompt"] for call in model.calls()] == ["Final version"]
    document = result(aws, "rewritten")
    assert document["status"] == "succeeded"
    assert len(document["images"]) == 1
    [announced] = [e for e in outcome_events(aws) if e["detail"]["request_id"] == "rewritten"]
    assert announced["detail"]["job_id"] == document["job_id"]  # only the write that was generated


def test_an_older_write_announced_late_leaves_the_newer_writes_result(aws, worker_source, model, monkeypatch):
    """The first write is generated, but its outcome cannot be announced until the second write
    has been generated and announced: the result file stays the second write's."""
    configure(monkeypatch, EVENT_BUS_NAME="no-such-bus")
    put_request(aws, "late", '{"prompt": "Draft"}')
    worker_source.poll_once()  # generated; the announcement fails and the message comes back
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    [held] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]  # ...later

    configure(monkeypatch, EVENT_BUS_NAME=aws.event_bus)
    put_request(aws, "late", '{"prompt": "Final"}')
    drain(worker_source)
    newer = result(aws, "late")
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=held["ReceiptHandle"], VisibilityTimeout=0)
    drain(worker_source)

    assert [call["body"]["prompt"] for call in model.calls()] == ["Draft", "Final"]
    assert result(aws, "late") == newer
    announced = [e["detail"] for e in outcome_events(aws) if e["detail"]["request_id"] == "late"]
    assert len(announced) == 2  # each write's outcome is announced once
    assert {d["status"] for d in announced} == {"succeeded"}


def test_objects_outside_requests_json_are_ignored(aws, worker_source):
    before = results(aws)
    s3 = aws.client("s3")
    s3.put_object(Bucket=aws.bucket, Key="requests/notes.txt", Body=b'{"prompt": "a"}')
    s3.put_object(Bucket=aws.bucket, Key="inbox/x.json", Body=b'{"prompt": "a"}')
    drain(worker_source)
    assert results(aws) == before


def test_what_the_service_writes_never_triggers_it_again(aws, worker_source):
    put_request(aws, "once", '{"prompt": "A kite"}')
    batches = drain(worker_source)
    assert batches == 1
    assert "Messages" not in aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.queue_name))


def test_a_duplicate_s3_notification_generates_nothing_twice(aws, worker_source, model):
    put_request(aws, "dup", '{"prompt": "A lantern", "count": 2}')
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    [notification] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody=notification["Body"])  # S3 delivers at least once
    before_calls, before_images = model.count(), image_keys(aws)

    drain(worker_source)

    assert model.count() - before_calls == 2
    assert len(image_keys(aws) - before_images) == 2
    assert result(aws, "dup")["status"] == "succeeded"
    assert len([e for e in outcome_events(aws) if e["detail"]["request_id"] == "dup"]) == 1


def test_dropping_the_same_name_again_is_a_new_request(aws, worker_source):
    put_request(aws, "again", '{"prompt": "first", "seed": 1}')
    drain(worker_source)
    first = result(aws, "again")
    put_request(aws, "again", '{"prompt": "second", "seed": 2}')
    drain(worker_source)
    second = result(aws, "again")
    assert first["job_id"] != second["job_id"]
    assert second["images"][0]["seed"] == 2


def test_an_event_produces_its_result_and_a_completion_event(aws, worker_source):
    put_event(aws, {"request_id": "order-42", "prompt": "A red bicycle", "output_format": "jpeg"})
    drain(worker_source)

    document = result(aws, "order-42")
    assert (document["status"], document["trigger"], document["request_id"]) == ("succeeded", "eventbridge", "order-42")
    assert document["images"][0]["content_type"] == "image/jpeg"
    [event] = outcome_events(aws)
    assert event["detail-type"] == "ImageGenerationCompleted"
    assert event["source"] == aws.event_source
    assert event["detail"]["request_id"] == "order-42"
    assert event["detail"]["images"][0]["key"] == document["images"][0]["key"]
    assert {"key", "seed", "content_type", "width", "height", "bytes"} <= set(event["detail"]["images"][0])


def test_an_event_without_request_id_is_named_by_its_event_id(aws, worker_source):
    event_id = put_event(aws, {"prompt": "A blue door"})
    drain(worker_source)
    assert result(aws, event_id)["status"] == "succeeded"


def test_an_invalid_event_fails_and_announces_it(aws, worker_source, model):
    before = model.count()
    put_event(aws, {"request_id": "bad-1", "prompt": "x", "aspect_ratio": "4:3"})
    drain(worker_source)
    document = result(aws, "bad-1")
    assert (document["status"], document["error"]["code"]) == ("failed", "validation_error")
    [event] = outcome_events(aws)
    assert event["detail-type"] == "ImageGenerationFailed"
    assert event["detail"]["error"]["code"] == "validation_error"
    assert model.count() == before


def test_an_unsafe_request_id_fails_under_the_event_id(aws, worker_source):
    event_id = put_event(aws, {"request_id": "../../escape", "prompt": "x"})
    drain(worker_source)
    document = result(aws, event_id)
    assert document["error"]["code"] == "validation_error"
    assert "request_id" in json.dumps(document["error"])


def test_a_model_fault_fails_the_event_with_its_code(aws, worker_source, model):
    model.fault("timeout", times=1000)
    put_event(aws, {"request_id": "slow-1", "prompt": "x"})
    drain(worker_source)
    assert result(aws, "slow-1")["error"]["code"] == "model_timeout"
    assert [e["detail-type"] for e in outcome_events(aws)] == ["ImageGenerationFailed"]


def test_a_duplicate_event_generates_nothing_twice(aws, worker_source, model):
    before = model.count()
    put_event(aws, {"request_id": "twice", "prompt": "A bridge"})
    put_event(aws, {"request_id": "twice", "prompt": "A bridge"})
    drain(worker_source)
    assert model.count() - before == 1
    assert len(outcome_events(aws)) == 1


def test_other_detail_types_are_not_routed_to_the_worker(aws):
    put_event(aws, {"prompt": "x"}, detail_type="SomethingElse")
    assert "Messages" not in aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.queue_name))


def test_a_different_request_reusing_a_request_id_fails_visibly(aws, worker_source, model, api):
    put_event(aws, {"request_id": "reuse-1", "prompt": "first", "seed": 1})
    drain(worker_source)
    first = result(aws, "reuse-1")
    outcome_events(aws)
    before = model.count()

    put_event(aws, {"request_id": "reuse-1", "prompt": "second", "seed": 2})
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    [delivery] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody=delivery["Body"])  # EventBridge delivers at least once
    drain(worker_source)

    assert model.count() == before
    assert result(aws, "reuse-1") == first  # the first request's result stands
    [event] = outcome_events(aws)  # refused once, whatever the deliveries
    assert event["detail-type"] == "ImageGenerationFailed"
    assert event["detail"]["request_id"] == "reuse-1"
    assert event["detail"]["job_id"] != first["job_id"]
    assert event["detail"]["error"]["code"] == "validation_error"
    assert event["detail"]["error"]["details"]["errors"][0]["field"] == "request_id"
    status, _, refusal = api("GET", f"/jobs/{event['detail']['job_id']}")
    assert (status, refusal["status"], refusal["error"]["code"]) == (200, "failed", "validation_error")


def test_an_outcome_that_could_not_be_announced_is_announced_later_without_regenerating(
    aws, worker_source, model, monkeypatch
):
    configure(monkeypatch, EVENT_BUS_NAME="no-such-bus")
    put_event(aws, {"request_id": "late-news", "prompt": "A comet"})
    worker_source.poll_once()  # generated, but the outcome event cannot be published
    assert outcome_events(aws) == []
    calls = model.count()

    configure(monkeypatch, EVENT_BUS_NAME=aws.event_bus)
    drain(worker_source)

    assert model.count() == calls
    assert result(aws, "late-news")["status"] == "succeeded"
    assert [e["detail"]["request_id"] for e in outcome_events(aws)] == ["late-news"]


def test_a_request_object_deleted_since_is_not_taken_for_a_newer_write(aws):
    from imagegen.handlers.worker_wiring import worker_wiring

    put_request(aws, "kept", '{"prompt": "x"}')
    etag = aws.client("s3").head_object(Bucket=aws.bucket, Key="requests/kept.json")["ETag"]
    store = worker_wiring().store
    assert store.replaced("requests/kept.json", etag.strip('"')) is False
    assert store.replaced("requests/kept.json", "0" * 32) is True
    aws.client("s3").delete_object(Bucket=aws.bucket, Key="requests/kept.json")
    assert store.replaced("requests/kept.json", etag) is False
