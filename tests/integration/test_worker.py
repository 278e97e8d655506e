"""The worker's delivery semantics: partial batch failures, poison messages, dead letters,
takeover of a job whose worker died, and never doing work twice."""

from __future__ import annotations

import json
import time

from offline.lambda_events import LambdaContext, sqs_event
from tests.integration.conftest import configure, drain, image_keys
from tests.integration.test_jobs import outcome_events


def send(aws, body: str) -> None:
    aws.client("sqs").send_message(QueueUrl=aws.queue_url(aws.queue_name), MessageBody=body)


def dead_letters(aws) -> list[str]:
    sqs, url = aws.client("sqs"), aws.queue_url(aws.dead_letter_queue_name)
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


def job_ids(api, count: int) -> list[str]:
    return [api("POST", "/jobs", {"prompt": f"picture {i}", "seed": i + 1})[2]["job_id"] for i in range(count)]


def test_a_failure_mid_batch_retries_only_the_failed_record(api, aws, worker_source, model):
    ids = job_ids(api, 3)
    model.fault("throttle", times=3)  # exhausts the first job's botocore attempts only

    failed = worker_source.poll_once()

    statuses = [api("GET", f"/jobs/{job_id}")[2]["status"] for job_id in ids]
    assert statuses == ["queued", "succeeded", "succeeded"]
    assert len(failed) == 1
    drain(worker_source)
    assert api("GET", f"/jobs/{ids[0]}")[2]["status"] == "succeeded"


def test_poison_messages_reach_the_dead_letter_queue(aws, worker_source):
    # Nested deeper than the JSON parser's stack: unreadable like any other poison message
    deep = "[" * 5000 + "]" * 5000
    poison = ["not json", "[1, 2]", json.dumps({"hello": "world"}), deep]
    for body in poison:
        send(aws, body)
    drain(worker_source)
    assert sorted(dead_letters(aws)) == sorted(poison)


def test_s3s_test_event_is_acknowledged_and_ignored(aws, worker_source):
    send(aws, json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": aws.bucket}))
    assert worker_source.poll_once() == []
    assert dead_letters(aws) == []


def test_a_redelivered_finished_job_generates_nothing(api, aws, worker_source, model):
    [job_id] = job_ids(api, 1)
    drain(worker_source)
    before = model.count()
    send(aws, json.dumps({"job_id": job_id}))
    drain(worker_source)
    assert model.count() == before
    assert api("GET", f"/jobs/{job_id}")[2]["status"] == "succeeded"


def test_a_duplicate_delivered_while_the_job_runs_waits_for_it(api, aws, model):
    """Two deliveries of one job in flight at once: the second generates nothing and comes back
    when the first one's lease ends, rather than being acknowledged while the job may still fail."""
    from imagegen.handlers import worker
    from imagegen.handlers.worker_wiring import worker_wiring

    [job_id] = job_ids(api, 1)
    assert worker_wiring().jobs.claim(job_id, lease_seconds=300) is not None  # another worker holds it
    before = model.count()
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]

    response = worker.lambda_handler(
        sqs_event(messages, queue_arn=aws.queue_arn(aws.queue_name)),
        LambdaContext("WorkerFunction", timeout_seconds=300),
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert model.count() == before
    assert api("GET", f"/jobs/{job_id}")[2]["status"] == "running"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # back only once the lease is over


def test_a_job_whose_worker_died_is_taken_over_after_its_lease(api, aws, worker_source):
    from imagegen.handlers.worker_wiring import worker_wiring

    [job_id] = job_ids(api, 1)
    assert worker_wiring().jobs.claim(job_id, lease_seconds=0) is not None  # claimed, then the worker died
    time.sleep(1.1)
    drain(worker_source)
    job = api("GET", f"/jobs/{job_id}")[2]
    assert job["status"] == "succeeded"


def test_a_batch_too_late_in_the_invocation_is_handed_back_untouched(api, aws, model):
    from imagegen.handlers import worker

    [job_id] = job_ids(api, 1)
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    before = model.count()
    response = worker.lambda_handler(
        sqs_event(messages, queue_arn=aws.queue_arn(aws.queue_name)), LambdaContext("WorkerFunction", timeout_seconds=5)
    )
    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    assert model.count() == before
    assert api("GET", f"/jobs/{job_id}")[2]["status"] == "queued"


def test_a_dead_lettered_job_runs_again_when_redriven(api, aws, worker_source, model):
    [job_id] = job_ids(api, 1)
    model.fault("service_unavailable", times=1000)
    drain(worker_source)
    assert api("GET", f"/jobs/{job_id}")[2]["error"]["code"] == "model_unavailable"
    [letter] = dead_letters(aws)

    model.reset()  # the outage is over
    send(aws, letter)  # what an SQS redrive from the dead-letter queue does
    drain(worker_source)
    job = api("GET", f"/jobs/{job_id}")[2]
    assert (job["status"], job["error"]) == ("succeeded", None)


def test_a_job_handed_back_on_its_last_delivery_is_recorded_as_failed(api, aws, model):
    """A job the worker never had time to start must not sit 'queued' once its message is dead-lettered."""
    from imagegen.handlers import worker

    [job_id] = job_ids(api, 1)
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    for _ in range(aws.max_receive_count - 1):  # earlier deliveries, handed back
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert messages[0]["Attributes"]["ApproximateReceiveCount"] == str(aws.max_receive_count)

    response = worker.lambda_handler(
        sqs_event(messages, queue_arn=aws.queue_arn(aws.queue_name)), LambdaContext("WorkerFunction", timeout_seconds=5)
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    job = api("GET", f"/jobs/{job_id}")[2]
    assert (job["status"], job["error"]["code"]) == ("failed", "internal_error")
    assert "redrive" in job["error"]["message"]
    sqs.receive_message(QueueUrl=url)  # its next receive moves it to the dead-letter queue
    assert [json.loads(body) for body in dead_letters(aws)] == [{"job_id": job_id}]


def _last_delivery(aws) -> list[dict]:
    """Receives the queue's only message as its last delivery (maxReceiveCount)."""
    sqs, url = aws.client("sqs"), aws.queue_url(aws.queue_name)
    for _ in range(aws.max_receive_count - 1):
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert messages[0]["Attributes"]["ApproximateReceiveCount"] == str(aws.max_receive_count)
    return messages


def test_an_outcome_not_announced_on_the_last_delivery_is_kept_for_a_redrive(aws, worker_source, monkeypatch):
    from imagegen.handlers import worker

    aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": aws.event_bus,
                "Source": "t",
                "DetailType": "ImageGenerationRequested",
                "Detail": json.dumps({"request_id": "unannounced", "prompt": "x", "aspect_ratio": "4:3"}),  # invalid
            }
        ]
    )
    messages = _last_delivery(aws)
    configure(monkeypatch, EVENT_BUS_NAME="no-such-bus")  # the failure cannot be announced

    response = worker.lambda_handler(
        sqs_event(messages, queue_arn=aws.queue_arn(aws.queue_name)),
        LambdaContext("WorkerFunction", timeout_seconds=300),
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
    configure(monkeypatch, EVENT_BUS_NAME=aws.event_bus)
    aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.queue_name))  # moves it to the dead-letter queue
    [letter] = dead_letters(aws)
    send(aws, letter)  # the redrive announces it
    drain(worker_source)
    [event] = outcome_events(aws)
    assert (event["detail-type"], event["detail"]["request_id"]) == ("ImageGenerationFailed", "unannounced")
    assert event["detail"]["error"]["code"] == "validation_error"


def test_a_redrive_runs_a_transiently_failed_job_even_if_its_failure_was_never_announced(
    api, aws, worker_source, model, monkeypatch
):
    [job_id] = job_ids(api, 1)
    model.fault("model_error", times=1000)
    configure(monkeypatch, EVENT_BUS_NAME="no-such-bus")
    drain(worker_source)
    [letter] = dead_letters(aws)
    model.reset()
    configure(monkeypatch, EVENT_BUS_NAME=aws.event_bus)
    before = model.count()

    send(aws, letter)
    drain(worker_source)

    job = api("GET", f"/jobs/{job_id}")[2]
    assert (job["status"], model.count() - before) == ("succeeded", 1)
    assert [e["detail-type"] for e in outcome_events(aws)] == ["ImageGenerationCompleted"]


def test_a_job_run_again_during_an_announcement_of_its_failure_announces_its_success(api):
    """The announcement of an old outcome must not mark the new one announced."""
    from imagegen.handlers.worker_wiring import worker_wiring
    from imagegen.models.errors import ModelError

    [job_id] = job_ids(api, 1)
    jobs = worker_wiring().jobs
    jobs.fail(jobs.claim(job_id, lease_seconds=60), ModelError("down"))
    announcing = jobs.begin_announcing(job_id, lease_seconds=0)  # delivery A announces the failure...
    time.sleep(1.1)  # ...slowly: its right to announce lapses
    rerun = jobs.claim(job_id, lease_seconds=60)  # a redrive runs the job again
    assert announcing is not None and rerun is not None
    jobs.end_announcing(announcing, announced=True)  # A finishes late
    jobs.succeed(rerun, model="m", images=[])
    assert jobs.begin_announcing(job_id, lease_seconds=60) is not None  # the success is still to announce


def test_a_reused_request_id_handed_back_on_its_last_delivery_leaves_the_first_job_alone(aws, worker_source):
    from imagegen.handlers.worker_wiring import worker_wiring
    from imagegen.logic.triggers import parse_message

    first = {
        "version": "0",
        "id": "e-1",
        "detail-type": "ImageGenerationRequested",
        "source": "t",
        "detail": {"request_id": "reuse-hb", "prompt": "first"},
    }
    second = {**first, "id": "e-2", "detail": {"request_id": "reuse-hb", "prompt": "second"}}
    [item] = parse_message(json.dumps(first), bucket=aws.bucket)
    worker_wiring().jobs.create(
        job_id=item.job_id,
        trigger="eventbridge",
        request_id="reuse-hb",
        result_key=item.result_key,
        fingerprint=item.fingerprint,
    )
    [other] = parse_message(json.dumps(second), bucket=aws.bucket)

    worker_wiring().runner.hand_back(other, receive_count=aws.max_receive_count)

    assert worker_wiring().jobs.get(item.job_id).status == "queued"
    [refused] = outcome_events(aws)  # the second is refused as it would have been with time left
    assert refused["detail"]["error"]["details"]["errors"][0]["field"] == "request_id"


def test_a_delivery_overtaken_after_its_lease_keeps_none_of_its_images(api, aws, monkeypatch):
    """A delivery so slow that its lease ran out and another took the job over must not leave
    its images behind: only the delivery holding the job records any."""
    from imagegen.handlers.worker_wiring import worker_wiring
    from imagegen.logic import job_runner
    from imagegen.models.work import ApiJob

    [job_id] = job_ids(api, 1)
    generate = job_runner.generate_images
    overtaken = []

    def slow_generation(*args, **kwargs):
        images = generate(*args, **kwargs)
        time.sleep(1.1)  # the lease (0 s) runs out, and another delivery claims the job
        overtaken.append(worker_wiring().jobs.claim(job_id, lease_seconds=60))
        return images

    monkeypatch.setattr(job_runner, "generate_images", slow_generation)
    before = image_keys(aws)

    worker_wiring().runner.run(ApiJob(job_id=job_id), receive_count=1, lease_seconds=0)

    assert overtaken[0] is not None
    assert image_keys(aws) == before
    job = worker_wiring().jobs.get(job_id)
    assert (job.status, job.images, job.attempt) == ("running", [], overtaken[0].attempt)


def test_an_unexpected_error_fails_the_job_as_internal_without_a_stack_trace(api, aws, worker_source, monkeypatch):
    from imagegen.logic import job_runner

    def broken(*_args, **_kwargs):
        raise KeyError("images")  # a bug, not a domain error

    monkeypatch.setattr(job_runner, "generate_images", broken)
    [job_id] = job_ids(api, 1)
    drain(worker_source)

    job = api("GET", f"/jobs/{job_id}")[2]
    assert (job["status"], job["error"]["code"]) == ("failed", "internal_error")
    assert "KeyError" not in json.dumps(job) and "Traceback" not in json.dumps(job)
    assert json.loads(dead_letters(aws)[0]) == {"job_id": job_id}  # retried, then kept for a redrive


def test_a_duplicate_delivery_while_another_announces_comes_back_to_check(api, aws, worker_source):
    from imagegen.handlers.worker_wiring import worker_wiring
    from imagegen.logic import job_runner
    from imagegen.models.errors import ModelError
    from imagegen.models.outcomes import RetryAfter
    from imagegen.models.work import ApiJob

    [job_id] = job_ids(api, 1)
    jobs = worker_wiring().jobs
    jobs.fail(jobs.claim(job_id, lease_seconds=60), ModelError("down", retryable=False))
    assert jobs.begin_announcing(job_id, lease_seconds=60) is not None  # delivery A is announcing

    later = worker_wiring().runner.run(ApiJob(job_id=job_id), receive_count=1, lease_seconds=60)

    assert isinstance(later, RetryAfter)
    assert later.seconds == job_runner.ANNOUNCE_LEASE_SECONDS  # when A's right to announce ends
    assert outcome_events(aws) == []  # nothing announced twice meanwhile
