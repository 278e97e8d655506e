"""The asynchronous paths: jobs queue and its dead letters, the EventBridge rule, the worker's
event source, and the jobs table."""

from __future__ import annotations

from infra.functions import WORKER_HANDLER

SECURE_TRANSPORT = {"Bool": {"aws:SecureTransport": "false"}}


def _queues(synth):
    queues = synth.resources("AWS::SQS::Queue")
    return (
        queues[synth.logical_id(synth.stack.jobs.queue)],
        queues[synth.logical_id(synth.stack.jobs.dead_letter_queue)],
    )


def test_failed_jobs_end_in_the_dead_letter_queue_after_the_configured_deliveries(default, browser_api_key):
    for synth, receives in ((default, 5), (browser_api_key, 3)):
        jobs, _ = _queues(synth)
        assert jobs["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [synth.logical_id(synth.stack.jobs.dead_letter_queue), "Arn"]},
            "maxReceiveCount": receives,
        }


def test_queues_are_encrypted_tls_only_and_dead_letters_are_kept_14_days(default):
    jobs, dead_letters = _queues(default)
    worker_timeout = default.function(WORKER_HANDLER)[1]["Timeout"]

    for queue in (jobs, dead_letters):
        # SSE-SQS: S3 notifications cannot publish to a queue under the AWS-managed KMS key.
        assert queue["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in queue
    assert dead_letters["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert jobs["VisibilityTimeout"] == 2 * worker_timeout  # one invocation, and a retry of it
    for policy in default.resources("AWS::SQS::QueuePolicy").values():
        denials = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert [d["Condition"] for d in denials] == [SECURE_TRANSPORT]
    assert len(default.resources("AWS::SQS::QueuePolicy")) == 2


def test_generation_requested_events_on_the_stacks_bus_become_jobs(default):
    bus_id = default.logical_id(default.stack.jobs.event_bus)
    queue_id = default.logical_id(default.stack.jobs.queue)
    dead_letters_id = default.logical_id(default.stack.jobs.dead_letter_queue)
    _, rule = default.only("AWS::Events::Rule")

    assert rule["EventBusName"] == {"Ref": bus_id}
    assert rule["EventPattern"] == {"detail-type": ["ImageGenerationRequested"]}
    assert rule["State"] == "ENABLED"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dead_letters_id, "Arn"]}}
    assert 0 < target["RetryPolicy"]["MaximumRetryAttempts"] <= 185
    assert 60 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] < 24 * 3600


def test_only_the_rule_may_put_events_into_the_queues(default):
    rule_id, _ = default.only("AWS::Events::Rule")

    for policy in default.resources("AWS::SQS::QueuePolicy").values():
        from_events = [
            s
            for s in policy["PolicyDocument"]["Statement"]
            if s.get("Principal") == {"Service": "events.amazonaws.com"}
        ]
        assert len(from_events) == 1
        assert from_events[0]["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}


def test_the_worker_consumes_the_jobs_queue_in_bounded_batches(default, browser_api_key):
    for synth, batch, concurrency in ((default, 4, 2), (browser_api_key, 2, 3)):
        function_id, _ = synth.function(WORKER_HANDLER)
        _, mapping = synth.only("AWS::Lambda::EventSourceMapping")
        assert mapping["EventSourceArn"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.jobs.queue), "Arn"]}
        assert mapping["FunctionName"] == {"Ref": function_id}
        assert mapping["BatchSize"] == batch
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["ScalingConfig"] == {"MaximumConcurrency": concurrency}


def test_the_jobs_table_is_on_demand_with_ttl_and_point_in_time_recovery(default):
    table_id, table = default.only("AWS::DynamoDB::Table")

    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert sorted(table["AttributeDefinitions"], key=str) == [
        {"AttributeName": name, "AttributeType": "S"} for name in ("created_at", "owner", "pk")
    ]
    # GET /jobs: a caller's jobs newest first, from a sparse index (only API jobs have an owner).
    assert table["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-owner",
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "created_at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert default.template["Resources"][table_id]["DeletionPolicy"] == "Delete"
