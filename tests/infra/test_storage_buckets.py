"""The buckets: private, encrypted, TLS only, expiring, logged; and the S3 trigger on requests/."""

from __future__ import annotations

import pytest

SECURE_TRANSPORT = {"Bool": {"aws:SecureTransport": "false"}}


def _bucket_policy(synth, bucket_id):
    policies = [p for p in synth.resources("AWS::S3::BucketPolicy").values() if p["Bucket"] == {"Ref": bucket_id}]
    assert len(policies) == 1
    return policies[0]["PolicyDocument"]["Statement"]


def test_every_bucket_is_private_encrypted_and_tls_only(any_deployment):
    buckets = any_deployment.resources("AWS::S3::Bucket")
    assert len(buckets) == 2

    for bucket_id, bucket in buckets.items():
        assert bucket["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert encryption == [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        denials = [s for s in _bucket_policy(any_deployment, bucket_id) if s["Effect"] == "Deny"]
        assert len(denials) == 1
        assert denials[0]["Condition"] == SECURE_TRANSPORT
        assert denials[0]["Action"] == "s3:*"
        assert set(map(any_deployment.render, denials[0]["Resource"])) == {
            f"${{{bucket_id}.Arn}}",
            f"${{{bucket_id}.Arn}}/*",
        }


@pytest.mark.parametrize(("deployment", "days"), [("default", 7), ("browser_api_key", 30)])
def test_generated_objects_expire_after_the_configured_days(request, deployment, days):
    synth = request.getfixturevalue(deployment)
    bucket = synth.resources("AWS::S3::Bucket")[synth.logical_id(synth.stack.storage.bucket)]
    rules = bucket["LifecycleConfiguration"]["Rules"]

    expiring = {rule["Prefix"]: rule["ExpirationInDays"] for rule in rules if "ExpirationInDays" in rule}
    # Uploads and the stored inputs of jobs expire with the images they are made into.
    assert expiring == {"images/": days, "results/": days, "requests/": days, "uploads/": days, "inputs/": days}
    assert all(rule["Status"] == "Enabled" for rule in rules)
    whole_bucket = [rule for rule in rules if "Prefix" not in rule]
    assert [rule["AbortIncompleteMultipartUpload"] for rule in whole_bucket] == [{"DaysAfterInitiation": 1}]


def test_the_images_bucket_logs_access_and_outlives_the_stack(default):
    bucket_id = default.logical_id(default.stack.storage.bucket)
    logs_id = default.logical_id(default.stack.storage.access_logs_bucket)
    bucket = default.template["Resources"][bucket_id]
    logs_bucket = default.resources("AWS::S3::Bucket")[logs_id]

    assert bucket["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs_id},
        "LogFilePrefix": "images-bucket/",
    }
    assert bucket["DeletionPolicy"] == "Retain"
    assert [rule["ExpirationInDays"] for rule in logs_bucket["LifecycleConfiguration"]["Rules"]] == [90]
    log_delivery = [s for s in _bucket_policy(default, logs_id) if s["Effect"] == "Allow"]
    assert log_delivery[0]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert log_delivery[0]["Condition"]["ArnLike"]["aws:SourceArn"] == {"Fn::GetAtt": [bucket_id, "Arn"]}


def test_the_bucket_name_is_unique_to_each_deployment_of_the_stack(default):
    bucket = default.resources("AWS::S3::Bucket")[default.logical_id(default.stack.storage.bucket)]

    # A retained bucket of a deleted stack never blocks deploying the stack again.
    assert default.render(bucket["BucketName"]) == "imagegenstack-images-${Split('/',${AWS::StackId})[2]}"


@pytest.mark.parametrize(
    ("deployment", "origins"),
    [("default", ["*"]), ("browser_api_key", ["https://app.example.com"])],
)
def test_browsers_may_read_presigned_urls_and_post_uploads_from_the_allowed_origins(request, deployment, origins):
    synth = request.getfixturevalue(deployment)
    bucket = synth.resources("AWS::S3::Bucket")[synth.logical_id(synth.stack.storage.bucket)]

    # POST: a browser sends POST /uploads' presigned form to the bucket and reads the answer.
    assert bucket["CorsConfiguration"]["CorsRules"] == [
        {"AllowedMethods": ["GET", "HEAD", "POST"], "AllowedOrigins": origins, "MaxAge": 3600}
    ]


def test_a_json_request_dropped_under_requests_notifies_the_jobs_queue(default):
    # ... and nothing else: an upload (uploads/) or a job's input (inputs/) is never a job.
    bucket_id = default.logical_id(default.stack.storage.bucket)
    queue_id = default.logical_id(default.stack.jobs.queue)
    bucket = default.template["Resources"][bucket_id]
    notifications = bucket["Properties"]["NotificationConfiguration"]

    assert notifications == {
        "QueueConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Filter": {
                    "S3Key": {"Rules": [{"Name": "prefix", "Value": "requests/"}, {"Name": "suffix", "Value": ".json"}]}
                },
                "Queue": {"Fn::GetAtt": [queue_id, "Arn"]},
            }
        ]
    }
    # CloudFormation checks that S3 may send to the queue when it creates the bucket.
    queue_policy_id = next(
        logical_id
        for logical_id, policy in default.resources("AWS::SQS::QueuePolicy").items()
        if policy["Queues"] == [{"Ref": queue_id}]
    )
    assert queue_policy_id in bucket["DependsOn"]


def test_only_this_bucket_in_this_account_may_send_to_the_jobs_queue(default):
    queue_id = default.logical_id(default.stack.jobs.queue)
    bucket_name = default.resources("AWS::S3::Bucket")[default.logical_id(default.stack.storage.bucket)]["BucketName"]
    policy = next(p for p in default.resources("AWS::SQS::QueuePolicy").values() if p["Queues"] == [{"Ref": queue_id}])
    from_s3 = [
        s for s in policy["PolicyDocument"]["Statement"] if s.get("Principal") == {"Service": "s3.amazonaws.com"}
    ]

    assert len(from_s3) == 1
    assert from_s3[0]["Action"] == "sqs:SendMessage"
    assert default.render(from_s3[0]["Condition"]["ArnEquals"]["aws:SourceArn"]) == (
        "arn:${AWS::Partition}:s3:::" + default.render(bucket_name)
    )
    assert from_s3[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
