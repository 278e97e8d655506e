"""The job store's conditional writes, against DynamoDB as moto serves it in-process: each
transition happens once, for one delivery, and never overwrites a finished job."""

from __future__ import annotations

import time
from collections.abc import Iterator

import boto3
import pytest
from imagegen.adapters.job_store import JobStore
from imagegen.models.errors import ContentFiltered, ModelError
from imagegen.models.images import StoredImage
from moto import mock_aws

from offline.aws_services import Resources, table_configuration

IMAGE = StoredImage(key="images/j/1.png", seed=7, content_type="image/png", width=1024, height=1024, bytes=10)


@pytest.fixture
def jobs() -> Iterator[JobStore]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-west-2")
        resources = Resources(endpoint_url="")
        client.create_table(**table_configuration(resources))
        yield JobStore(client, table=resources.table, retention_days=7)


def queued(jobs: JobStore, job_id: str = "j1", **fields) -> str:
    assert jobs.create(job_id=job_id, trigger="api", request_id=job_id, **fields)
    return job_id


def test_a_job_is_created_once(jobs):
    queued(jobs, request={"prompt": "a"}, owner="arn:aws:iam::1:user/a")
    assert jobs.create(job_id="j1", trigger="api", request_id="j1") is False  # a duplicate
    job = jobs.get("j1")
    assert (job.status, job.request, job.owner, job.attempt) == ("queued", {"prompt": "a"}, "arn:aws:iam::1:user/a", 0)


def test_one_delivery_holds_a_job_until_its_lease_ends(jobs):
    queued(jobs)
    first = jobs.claim("j1", lease_seconds=60)
    assert (first.status, first.attempt) == ("running", 1)
    assert jobs.claim("j1", lease_seconds=60) is None  # held
    queued(jobs, "j2")
    jobs.claim("j2", lease_seconds=0)
    time.sleep(1.1)
    taken_over = jobs.claim("j2", lease_seconds=60)  # its worker is presumed dead
    assert taken_over is not None and taken_over.attempt == 2


def test_only_the_attempt_that_holds_the_job_finishes_it(jobs):
    queued(jobs)
    stale = jobs.claim("j1", lease_seconds=0)
    time.sleep(1.1)
    current = jobs.claim("j1", lease_seconds=60)
    assert jobs.succeed(stale, model="m", images=[IMAGE]) is None  # overtaken: records nothing
    done = jobs.succeed(current, model="m", images=[IMAGE])
    assert (done.status, done.images) == ("succeeded", [IMAGE])
    assert jobs.fail(current, ModelError("late")) is None  # a finished job is never overwritten
    assert jobs.claim("j1", lease_seconds=60) is None


def test_a_transient_failure_goes_back_to_queued_and_a_permanent_one_stays_failed(jobs):
    queued(jobs)
    released = jobs.release(jobs.claim("j1", lease_seconds=60), ModelError("busy"))
    assert released.status == "queued"
    failed = jobs.fail(jobs.claim("j1", lease_seconds=60), ContentFiltered("Filter reason: prompt"))
    assert (failed.status, failed.retryable, failed.error["code"]) == ("failed", False, "content_filtered")
    assert jobs.claim("j1", lease_seconds=60) is None  # permanent: no redrive runs it again


def test_a_transiently_failed_job_may_run_again_on_a_redrive(jobs):
    queued(jobs)
    jobs.fail(jobs.claim("j1", lease_seconds=60), ModelError("down"))
    again = jobs.claim("j1", lease_seconds=60)
    assert again is not None and again.error is None and again.attempt == 2


def test_an_outcome_is_announced_by_one_delivery_at_a_time_and_then_never_again(jobs):
    queued(jobs)
    assert jobs.begin_announcing("j1", lease_seconds=60) is None  # not finished yet
    jobs.succeed(jobs.claim("j1", lease_seconds=60), model="m", images=[])
    taken = jobs.begin_announcing("j1", lease_seconds=60)
    assert taken is not None
    assert jobs.begin_announcing("j1", lease_seconds=60) is None  # another delivery is announcing
    jobs.end_announcing(taken, announced=False)  # it failed: the right is given back
    retaken = jobs.begin_announcing("j1", lease_seconds=60)
    jobs.end_announcing(retaken, announced=True)
    assert jobs.get("j1").notified
    assert jobs.begin_announcing("j1", lease_seconds=60) is None


def test_a_failure_recorded_without_announcement_is_never_announced(jobs):
    queued(jobs)
    jobs.fail(jobs.claim("j1", lease_seconds=60), ModelError("replaced", retryable=False), announce=False)
    assert jobs.begin_announcing("j1", lease_seconds=60) is None
