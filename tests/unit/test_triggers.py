"""Queue messages become work items; duplicates map onto the same job."""

from __future__ import annotations

import json

import pytest
from imagegen.logic.triggers import PoisonMessage, parse_message
from imagegen.models.work import ApiJob

from tests.unit.conftest import load_event


def test_a_job_message():
    [item] = parse_message('{"job_id": "abc"}', bucket="imagegen-bucket")
    assert item == ApiJob(job_id="abc")
    assert (item.trigger, item.request_id) == ("api", "abc")


def test_an_s3_notification_names_the_result_after_the_request():
    [item] = parse_message(json.dumps(load_event("s3_object_created.json")), bucket="imagegen-bucket")
    assert item.trigger == "s3"
    assert item.source_key == "requests/summer party/card#1.json"  # keys arrive URL-encoded
    assert item.result_key == "results/summer party/card#1.json"
    assert item.request_id == "summer party/card#1"


def test_duplicate_s3_deliveries_share_a_job_but_a_new_version_does_not():
    event = load_event("s3_object_created.json")
    first = parse_message(json.dumps(event), bucket="imagegen-bucket")[0]
    again = parse_message(json.dumps(event), bucket="imagegen-bucket")[0]
    event["Records"][0]["s3"]["object"]["versionId"] = "another-version"
    newer = parse_message(json.dumps(event), bucket="imagegen-bucket")[0]
    assert first.job_id == again.job_id != newer.job_id


def test_another_write_of_the_same_key_is_another_job_and_reads_only_its_own_content():
    event = load_event("s3_object_created.json")
    first = parse_message(json.dumps(event), bucket="imagegen-bucket")[0]
    event["Records"][0]["s3"]["object"]["eTag"] = "0123456789abcdef0123456789abcdef"
    rewritten = parse_message(json.dumps(event), bucket="imagegen-bucket")[0]
    assert first.job_id != rewritten.job_id
    assert rewritten.source_etag == "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("s3", "object", "key"), "images/abc.json"),
        (("s3", "object", "key"), "requests/notes.txt"),
        (("s3", "bucket", "name"), "someone-elses-bucket"),
        (("eventName",), "ObjectRemoved:Delete"),
    ],
)
def test_s3_events_outside_requests_json_of_our_bucket_ask_for_nothing(field, value):
    event = load_event("s3_object_created.json")
    target = event["Records"][0]
    for part in field[:-1]:
        target = target[part]
    target[field[-1]] = value
    assert parse_message(json.dumps(event), bucket="imagegen-bucket") == []


def test_s3_test_event_asks_for_nothing():
    assert parse_message(json.dumps(load_event("s3_test_event.json")), bucket="imagegen-bucket") == []


def test_an_eventbridge_event():
    [item] = parse_message(json.dumps(load_event("eventbridge_requested.json")), bucket="b")
    assert (item.trigger, item.request_id, item.result_key) == ("eventbridge", "order-1234", "results/order-1234.json")
    assert item.request == {"prompt": "A red bicycle", "aspect_ratio": "3:2"}
    assert item.problem is None


def test_events_with_the_same_request_id_are_one_job():
    event = load_event("eventbridge_requested.json")
    first = parse_message(json.dumps(event), bucket="b")[0]
    event["id"] = "another-delivery"
    assert parse_message(json.dumps(event), bucket="b")[0].job_id == first.job_id


def test_without_request_id_the_event_id_names_it():
    event = load_event("eventbridge_requested.json")
    del event["detail"]["request_id"]
    [item] = parse_message(json.dumps(event), bucket="b")
    assert item.request_id == event["id"]


@pytest.mark.parametrize("request_id", ["../etc/passwd", "", "a" * 129, 42, "with space"])
def test_an_unsafe_request_id_is_a_validation_problem_under_the_event_id(request_id):
    event = load_event("eventbridge_requested.json")
    event["detail"]["request_id"] = request_id
    [item] = parse_message(json.dumps(event), bucket="b")
    assert item.request_id == event["id"]
    assert item.problem is not None and item.problem.code == "validation_error"


def test_other_detail_types_ask_for_nothing():
    event = load_event("eventbridge_requested.json")
    event["detail-type"] = "ImageGenerationCompleted"
    assert parse_message(json.dumps(event), bucket="b") == []


@pytest.mark.parametrize("body", ["not json", "[]", "42", '{"hello": "world"}', '{"job_id": 5}'])
def test_unrecognisable_messages_are_poison(body):
    with pytest.raises(PoisonMessage):
        parse_message(body, bucket="b")
