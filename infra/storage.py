"""The images bucket and the bucket that receives its server access logs."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen.contract import IMAGES_PREFIX, INPUTS_PREFIX, REQUESTS_PREFIX, RESULTS_PREFIX, UPLOADS_PREFIX

ACCESS_LOG_DAYS = 90
_UUID_LENGTH = 36


class ImageStorage(Construct):
    """Private, encrypted, TLS-only storage. Everything the service keeps lives under
    `images/` (generated images), `results/` (job result documents), `requests/` (request
    documents dropped by users), `uploads/` (images callers upload with a presigned POST) and
    `inputs/` (the inline images of API jobs, kept for the worker), and expires after
    `retention_days`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, retention_days: int, cors_allow_origins: Sequence[str]
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # S3 server access logging delivers only to buckets encrypted with SSE-S3.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(ACCESS_LOG_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        # A name of our own, unique to this stack instance, lets the queue policy that the
        # bucket's notification depends on name the bucket without depending on it.
        self.bucket_name = _name_unique_to_stack(Stack.of(self), "images")
        self.bucket_arn = f"arn:{Aws.PARTITION}:s3:::{self.bucket_name}"
        self.bucket = s3.Bucket(
            self,
            "Images",
            bucket_name=self.bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="images-bucket/",
            lifecycle_rules=[
                *(
                    s3.LifecycleRule(
                        id=f"expire-{prefix.rstrip('/')}", prefix=prefix, expiration=Duration.days(retention_days)
                    )
                    for prefix in (IMAGES_PREFIX, RESULTS_PREFIX, REQUESTS_PREFIX, UPLOADS_PREFIX, INPUTS_PREFIX)
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            # Presigned URLs and POST forms are bearer credentials, scoped to one key, size and
            # expiry; this only lets browser code read the images with fetch() and read the
            # answer to an upload (POST /uploads' form, sent as multipart/form-data).
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.POST],
                    allowed_origins=list(cors_allow_origins) or ["*"],
                    max_age=3600,
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,  # users' images: never deleted with the stack
        )

    def notify_on_object_created(self, queue: sqs.IQueue, *, prefix: str, suffix: str) -> None:
        """S3 sends an event to `queue` for each object created under `prefix` ending in `suffix`.

        A direct notification, set on the bucket itself: no custom resource, no extra hop.
        CloudFormation checks that S3 may send to the queue when it creates the bucket, so
        the queue policy comes first and names the bucket by its precomputed ARN.
        """
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowImagesBucketNotifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions={
                    "ArnEquals": {"aws:SourceArn": self.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )
        cfn_bucket = self.bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[
                                s3.CfnBucket.FilterRuleProperty(name="prefix", value=prefix),
                                s3.CfnBucket.FilterRuleProperty(name="suffix", value=suffix),
                            ]
                        )
                    ),
                )
            ]
        )
        # add_to_resource_policy created the queue's policy as its child "Policy".
        queue_policy = queue.node.try_find_child("Policy")
        if queue_policy is not None:
            cfn_bucket.node.add_dependency(queue_policy)


def _name_unique_to_stack(stack: Stack, label: str) -> str:
    """`<stack name>-<label>-<the stack's UUID>`: unique per deployment, so a bucket retained
    by a deleted stack never blocks deploying it again."""
    stack_uuid = Fn.select(2, Fn.split("/", stack.stack_id))
    room = 63 - _UUID_LENGTH - len(label) - 2
    prefix = stack.stack_name.lower()[:room].rstrip("-")
    return f"{prefix}-{label}-{stack_uuid}"
