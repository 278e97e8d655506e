"""checkov's findings on the synthesized template that the stack keeps on purpose, each
acknowledged on its resource with the reason (template metadata `checkov.skip`, which checkov
reads). Every other finding fails `make test` (tests/infra/test_checkov.py).

Each acknowledgement names the construct it applies to, so a new resource of the same kind
is checked afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import CfnResource
from constructs import IConstruct

if TYPE_CHECKING:
    from infra.stack import ImageGenStack

METADATA_KEY = "checkov"

LOG_GROUP_KMS = (
    "CloudWatch Logs encrypts every log group at rest. A customer-managed key would add a key policy for the "
    "CloudWatch Logs service, a monthly fee and a KMS call per write, without changing who can read the logs "
    "(IAM decides that)."
)
ENVIRONMENT_KMS = (
    "The environment holds resource names and settings, no secret; Lambda encrypts it at rest with its own key. "
    "A customer-managed key would add a key policy and a KMS call at every cold start, and protect nothing more."
)
NO_VPC = (
    "The function reaches only AWS service endpoints (Bedrock Runtime, S3, DynamoDB, SQS, EventBridge) over TLS, "
    "authorized by IAM; no resource of the stack lives in a VPC. Inside one it would need a NAT gateway or an "
    "interface endpoint per service, billed by the hour, to reach the same endpoints."
)
API_DLQ = (
    "API Gateway invokes this function synchronously only: a Lambda dead-letter queue receives failed asynchronous "
    "invocations, so it would never receive anything; a failure here is the caller's error answer."
)
WORKER_DLQ = (
    "The jobs queue's event source mapping invokes this function, never asynchronously: a job that keeps failing "
    "moves to the queue's own dead-letter queue after imagegen:maxReceiveCount deliveries, which a function "
    "dead-letter queue (asynchronous invocations only) would never see."
)
API_CONCURRENCY = (
    "The stage's throttling (imagegen:throttleRateLimit and throttleBurstLimit, and the usage plan's in api_key "
    "mode) bounds the concurrency. Reserved concurrency would take capacity from the account's other functions and "
    "cannot be set in an account whose concurrency quota is still the new-account default of 10."
)
WORKER_CONCURRENCY = (
    "The SQS event source's maximum concurrency (imagegen:workerMaxConcurrency) bounds the concurrency without "
    "throttled invocations sending messages back to the queue, which reserved concurrency would cause; reserving "
    "cannot be done either in an account whose concurrency quota is still the new-account default of 10."
)
SQS_MANAGED_SSE = (
    "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled), which this check does not recognise. S3 event "
    "notifications cannot deliver to a queue encrypted with the AWS-managed KMS key, and a customer-managed key "
    "would have to trust S3 and EventBridge while changing nothing about who can read the messages."
)
TABLE_CMK = (
    "Encrypted at rest with the key DynamoDB owns. The items are job and idempotency records that expire by TTL; a "
    "customer-managed key would add a monthly fee and KMS calls on reads and writes without changing who can read "
    "them (IAM grants on the table decide that)."
)
IMAGES_VERSIONING = (
    "Objects are written per request under generated keys (or dropped as requests) and expire after "
    "imagegen:retentionDays; versioning would keep every expired or replaced copy, billed, past the retention the "
    "deployer chose, with nothing the service could restore from them. The bucket itself outlives the stack."
)
ACCESS_LOGS_VERSIONING = (
    "S3's log delivery writes each log object once and the objects expire after 90 days; versions would add "
    "nothing to restore."
)
ACCESS_LOGS_LOGGING = (
    "This bucket receives the images bucket's server access logs; logging its own access would need one more bucket "
    "for the logs of the logs. Only S3's log delivery writes to it."
)
NO_CACHE = (
    "Every POST generates new images and a job's status changes while it runs, so a cached answer would be wrong; "
    "the stage cache is billed by the hour."
)


def skip(construct: IConstruct, check_id: str, reason: str) -> None:
    """Acknowledge checkov's `check_id` on the construct's CloudFormation resource."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to acknowledge {check_id} on")
    skips = (resource.get_metadata(METADATA_KEY) or {}).get("skip", [])
    resource.add_metadata(METADATA_KEY, {"skip": [*skips, {"id": check_id, "comment": reason}]})


def acknowledge_checkov_findings(stack: ImageGenStack) -> None:
    generation, storage, jobs, api = stack.functions, stack.storage, stack.jobs, stack.api
    for function in generation.both:
        skip(function, "CKV_AWS_117", NO_VPC)
        skip(function, "CKV_AWS_173", ENVIRONMENT_KMS)
        skip(function.log_group, "CKV_AWS_158", LOG_GROUP_KMS)
    skip(generation.api_function, "CKV_AWS_116", API_DLQ)
    skip(generation.worker_function, "CKV_AWS_116", WORKER_DLQ)
    skip(generation.api_function, "CKV_AWS_115", API_CONCURRENCY)
    skip(generation.worker_function, "CKV_AWS_115", WORKER_CONCURRENCY)
    skip(api.access_logs, "CKV_AWS_158", LOG_GROUP_KMS)
    skip(api.api.deployment_stage, "CKV_AWS_120", NO_CACHE)
    for queue in (jobs.queue, jobs.dead_letter_queue):
        skip(queue, "CKV_AWS_27", SQS_MANAGED_SSE)
    skip(jobs.table, "CKV_AWS_119", TABLE_CMK)
    skip(storage.bucket, "CKV_AWS_21", IMAGES_VERSIONING)
    skip(storage.access_logs_bucket, "CKV_AWS_21", ACCESS_LOGS_VERSIONING)
    skip(storage.access_logs_bucket, "CKV_AWS_18", ACCESS_LOGS_LOGGING)
