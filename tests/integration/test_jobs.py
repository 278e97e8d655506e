"""POST /jobs and GET /jobs/{job_id}: accepted by the API, run by the worker from the queue."""

from __future__ import annotations

import io
import json
import time

import pytest
import requests
from PIL import Image

from tests.integration.conftest import configure, drain, signed_by, take_messages

PROMPT = "A lighthouse at dusk"


def submit(api, body, **headers):
    status, _, answer = api("POST", "/jobs", body, headers=headers or None)
    return status, answer


def outcome_events(aws) -> list[dict]:
    return [json.loads(body) for body in take_messages(aws, aws.outcomes_queue_name)]


def test_a_job_goes_from_queued_to_succeeded(api, worker_source, aws):
    status, accepted = submit(api, {"prompt": PROMPT, "aspect_ratio": "9:16", "count": 2, "seed": 42})

    assert status == 202
    assert accepted["status"] == "queued"
    assert accepted["status_url"].endswith(f"/jobs/{accepted['job_id']}")
    queued = api("GET", f"/jobs/{accepted['job_id']}")[2]
    assert (queued["status"], queued["images"], queued["trigger"]) == ("queued", [], "api")

    drain(worker_source)

    status, _, job = api("GET", f"/jobs/{accepted['job_id']}")
    assert status == 200
    assert job["status"] == "succeeded"
    assert job["error"] is None
    assert [image["seed"] for image in job["images"]] == [42, 43]
    picture = Image.open(io.BytesIO(requests.get(job["images"][0]["url"], timeout=10).content))
    assert picture.size == (768, 1344)
    [event] = outcome_events(aws)
    assert event["detail-type"] == "ImageGenerationCompleted"
    assert event["detail"]["job_id"] == accepted["job_id"]
    assert [image["key"] for image in event["detail"]["images"]] == [image["key"] for image in job["images"]]


def test_urls_are_signed_afresh_on_every_read(api, worker_source):
    job_id = submit(api, {"prompt": PROMPT})[1]["job_id"]
    drain(worker_source)
    first = api("GET", f"/jobs/{job_id}")[2]["images"][0]["url"]
    configure_expiry = first.split("X-Amz-Expires=")[1].split("&")[0]
    assert configure_expiry == "3600"
    assert requests.get(first, timeout=10).status_code == 200


def test_a_job_id_over_128_characters_is_a_400(api):
    status, _, body = api("GET", f"/jobs/{'a' * 129}")
    assert (status, body["error"]["code"]) == (400, "validation_error")
    assert body["error"]["details"]["errors"][0]["field"] == "path.job_id"


def test_unknown_job_is_a_404(api):
    status, _, body = api("GET", "/jobs/0123456789abcdef0123456789abcdef")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_an_invalid_job_request_is_refused_before_queueing(api, aws, model):
    before = model.count()
    status, body = submit(api, {"prompt": PROMPT, "count": 9})
    assert (status, body["error"]["code"]) == (400, "validation_error")
    sqs = aws.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=aws.queue_url(aws.queue_name))
    assert model.count() == before


def test_same_idempotency_key_and_body_give_one_job(api, worker_source, model):
    body = {"prompt": PROMPT, "seed": 7}
    first = submit(api, body, **{"Idempotency-Key": "order-1"})
    second = submit(api, body, **{"Idempotency-Key": "order-1"})
    assert first[0] == second[0] == 202
    assert first[1]["job_id"] == second[1]["job_id"]

    before = model.count()
    drain(worker_source)
    assert model.count() - before == 1
    third = submit(api, body, **{"Idempotency-Key": "order-1"})
    assert third[1]["job_id"] == first[1]["job_id"]


def test_same_key_with_another_body_is_refused(api):
    assert submit(api, {"prompt": PROMPT}, **{"Idempotency-Key": "order-2"})[0] == 202
    status, body = submit(api, {"prompt": "something else"}, **{"Idempotency-Key": "order-2"})
    assert (status, body["error"]["code"]) == (422, "idempotency_key_reused")


def test_equivalent_bodies_count_as_the_same(api):
    """The key protects the request, not its spelling: defaults and case are normalised."""
    a = submit(api, {"prompt": PROMPT, "output_format": "PNG"}, **{"Idempotency-Key": "order-3"})
    b = submit(api, {"prompt": PROMPT, "output_format": "png", "count": 1}, **{"Idempotency-Key": "order-3"})
    assert a[1]["job_id"] == b[1]["job_id"]


def test_without_a_key_every_post_is_a_new_job(api):
    assert submit(api, {"prompt": PROMPT})[1]["job_id"] != submit(api, {"prompt": PROMPT})[1]["job_id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "trailing-newline\n"])
def test_a_malformed_idempotency_key_is_a_400(api, key):
    status, body = submit(api, {"prompt": PROMPT}, **{"Idempotency-Key": key})
    assert (status, body["error"]["code"]) == (400, "validation_error")


def test_a_filtered_job_fails_with_the_filter_reason(api, worker_source, model, aws):
    job_id = submit(api, {"prompt": PROMPT, "count": 2})[1]["job_id"]
    model.fault("filter_prompt", times=2)
    drain(worker_source)
    job = api("GET", f"/jobs/{job_id}")[2]
    assert job["status"] == "failed"
    assert job["images"] == []
    assert job["error"]["code"] == "content_filtered"
    assert job["error"]["details"]["reason"] == "Filter reason: prompt"
    assert [e["detail-type"] for e in outcome_events(aws)] == ["ImageGenerationFailed"]


def test_a_transient_fault_is_retried_through_the_queue(api, worker_source, model):
    job_id = submit(api, {"prompt": PROMPT})[1]["job_id"]
    model.fault("throttle", times=4)  # more than one delivery's botocore attempts
    assert worker_source.poll_once() != []  # first delivery fails and is handed back
    assert api("GET", f"/jobs/{job_id}")[2]["status"] == "queued"
    drain(worker_source)
    assert api("GET", f"/jobs/{job_id}")[2]["status"] == "succeeded"


def test_a_persistent_fault_fails_the_job_and_dead_letters_the_message(api, worker_source, model, aws):
    job_id = submit(api, {"prompt": PROMPT})[1]["job_id"]
    model.fault("model_error", times=1000)
    drain(worker_source)

    job = api("GET", f"/jobs/{job_id}")[2]
    assert job["status"] == "failed"
    assert job["error"]["code"] == "model_error"
    assert set(job["error"]) == {"code", "message"}  # details only when there are some
    dlq = aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.dead_letter_queue_name))
    assert json.loads(dlq["Messages"][0]["Body"]) == {"job_id": job_id}


def test_access_denied_fails_at_once_without_retries(api, worker_source, model, aws):
    job_id = submit(api, {"prompt": PROMPT})[1]["job_id"]
    model.fault("access_denied", times=1000)
    before = model.count()
    drain(worker_source)
    job = api("GET", f"/jobs/{job_id}")[2]
    assert (job["status"], job["error"]["code"]) == ("failed", "model_unavailable")
    assert model.count() - before == 1
    assert "Messages" not in aws.client("sqs").receive_message(QueueUrl=aws.queue_url(aws.dead_letter_queue_name))


def test_queue_outage_fails_the_post_and_leaves_no_job_queued(api, aws, monkeypatch):
    def jobs() -> dict[str, dict]:
        items = aws.client("dynamodb").scan(TableName=aws.table)["Items"]
        return {i["pk"]["S"]: i for i in items if i["pk"]["S"].startswith("job#")}

    before = jobs()
    configure(monkeypatch, JOBS_QUEUE_URL=aws.queue_url(aws.queue_name) + "-missing")
    status, body = submit(api, {"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (500, "internal_error")
    [new] = [item for key, item in jobs().items() if key not in before]
    assert new["status"]["S"] == "failed"
    assert json.loads(new["error"]["S"])["code"] == "internal_error"


def test_a_job_is_read_by_its_caller_only(api):
    # Given a job that caller A created, signed with SigV4
    job_id = submit(api, {"prompt": PROMPT}, **signed_by("AKIDCALLERA"))[1]["job_id"]
    # Then A reads it; B and an unsigned caller get the same 404 as for an unknown id
    assert api("GET", f"/jobs/{job_id}", headers=signed_by("AKIDCALLERA"))[0] == 200
    for headers in (signed_by("AKIDCALLERB"), None):
        status, _, body = api("GET", f"/jobs/{job_id}", headers=headers)
        assert (status, body) == (404, {"error": {"code": "not_found", "message": f"No job {job_id}."}})


def test_a_roles_next_session_reads_the_jobs_of_the_last_one(api):
    def session(role: str, name: str) -> dict:
        return {"userArn": f"arn:aws:sts::123456789012:assumed-role/{role}/{name}", "accountId": "123456789012"}

    job_id = submit_as(api, session("app-role", "i-0abc"))
    assert api("GET", f"/jobs/{job_id}", identity=session("app-role", "i-0def"))[0] == 200
    assert api("GET", f"/jobs/{job_id}", identity=session("other-role", "i-0abc"))[0] == 404


def submit_as(api, identity: dict, body: dict | None = None, **headers) -> str:
    status, _, accepted = api("POST", "/jobs", body or {"prompt": PROMPT}, headers=headers or None, identity=identity)
    assert status == 202
    return accepted["job_id"]


def test_api_key_callers_read_their_own_jobs_and_not_the_deployments(api, aws, worker_source):
    key_a, key_b = {"apiKeyId": "key-a", "apiKey": "secret-a"}, {"apiKeyId": "key-b", "apiKey": "secret-b"}
    job_id = submit_as(api, key_a)
    assert api("GET", f"/jobs/{job_id}", identity=key_a)[0] == 200
    assert api("GET", f"/jobs/{job_id}", identity=key_b)[0] == 404
    # A job of the deployment (an EventBridge event): IAM callers read it, API-key callers do not
    aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": aws.event_bus,
                "Source": "my.app",
                "DetailType": "ImageGenerationRequested",
                "Detail": json.dumps({"request_id": "owned-by-deployment", "prompt": PROMPT}),
            }
        ]
    )
    drain(worker_source)
    [event_job] = [e["detail"]["job_id"] for e in outcome_events(aws) if e["detail"]["trigger"] == "eventbridge"]
    assert api("GET", f"/jobs/{event_job}", headers=signed_by("AKIDCALLERA"))[0] == 200
    assert api("GET", f"/jobs/{event_job}", identity=key_a)[0] == 404


def test_idempotency_keys_are_scoped_to_the_caller(api):
    first = submit(api, {"prompt": PROMPT}, **{"Idempotency-Key": "shared-key", **signed_by("AKIDCALLERA")})[1]
    second = submit(api, {"prompt": PROMPT}, **{"Idempotency-Key": "shared-key", **signed_by("AKIDCALLERB")})[1]
    assert first["job_id"] != second["job_id"]


def test_repeating_an_idempotent_post_answers_the_jobs_current_status(api, worker_source):
    headers = {"Idempotency-Key": "status-after-run"}
    first = submit(api, {"prompt": PROMPT}, **headers)[1]
    assert first["status"] == "queued"
    drain(worker_source)
    status, again = submit(api, {"prompt": PROMPT}, **headers)
    assert status == 202
    assert (again["job_id"], again["status"]) == (first["job_id"], "succeeded")


def test_a_job_id_is_measured_as_it_reads_not_as_it_is_percent_encoded(api):
    # 100 characters, 400 once percent-encoded as the path carries them
    status, _, body = api("GET", "/jobs/" + "%C3%A9" * 100)
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert body["error"]["message"] == f"No job {'é' * 100}."


def test_an_api_job_recorded_without_an_owner_is_nobodys_to_read(api):
    from imagegen.handlers.worker_wiring import worker_wiring

    # A job recorded before jobs had owners: not one of the deployment's (S3 drops, events)
    worker_wiring().jobs.create(job_id="legacy-job", trigger="api", request_id="legacy-job", request={"prompt": "a"})
    for headers in (signed_by("AKIDCALLERA"), None):
        assert api("GET", "/jobs/legacy-job", headers=headers)[0] == 404


def test_idempotency_records_are_keyed_by_a_name_of_their_own(api, aws):
    # Not by the code's module path: moving the code must not forget the keys callers used.
    submit(api, {"prompt": PROMPT}, **{"Idempotency-Key": "stable-key"})
    items = aws.client("dynamodb").scan(TableName=aws.table)["Items"]
    assert any(item["pk"]["S"].startswith("imagegen.submit-job#") for item in items)


def test_get_jobs_lists_the_callers_own_jobs_newest_first_a_page_at_a_time(api):
    mine = []
    for i in range(5):
        mine.append(api("POST", "/jobs", {"prompt": f"mine {i}"}, headers=signed_by("AKIDLISTER"))[2]["job_id"])
        time.sleep(0.002)  # created_at counts milliseconds: one job per tick, so the order is certain
    theirs = api("POST", "/jobs", {"prompt": "theirs"}, headers=signed_by("AKIDSOMEONE"))[2]["job_id"]

    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = api("GET", "/jobs" + query, headers=signed_by("AKIDLISTER"))
        assert status == 200, page
        assert len(page["jobs"]) <= 2
        seen += [job["job_id"] for job in page["jobs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(mine))  # newest first, every one, nobody else's
    assert theirs not in seen
    assert all(job["status"] == "queued" for job in page["jobs"])


def test_get_jobs_refuses_a_cursor_of_another_caller_and_a_bad_limit(api):
    for i in range(2):
        api("POST", "/jobs", {"prompt": f"a {i}"}, headers=signed_by("AKIDCURSOR"))
    page = api("GET", "/jobs?limit=1", headers=signed_by("AKIDCURSOR"))[2]
    assert page["next_cursor"]
    status, _, body = api("GET", f"/jobs?cursor={page['next_cursor']}", headers=signed_by("AKIDTHIEF"))
    assert (status, body["error"]["details"]["errors"][0]["field"]) == (400, "query.cursor")
    for query in ("limit=0", "limit=101", "limit=x", "limit=%C2%B2", "cursor=%%%"):
        status, _, body = api("GET", f"/jobs?{query}", headers=signed_by("AKIDCURSOR"))
        assert status == 400, query
    # S3 drops and events are the deployment's, not listed as anyone's own; a new caller has none
    assert api("GET", "/jobs", headers=signed_by("AKIDNOBODY"))[2] == {"jobs": [], "next_cursor": None}
