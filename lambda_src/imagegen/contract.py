"""Names the runtime, the stack (infra/) and the offline run share, written once.

Each function's environment is built from these names by the stack and by the offline run,
and read through them by the settings; the S3 prefixes and event names are the ones the
stack's notifications, rules and IAM policies are scoped to."""

from __future__ import annotations

from enum import StrEnum


class Env(StrEnum):
    """The environment variables the functions read (see models/settings.py for their rules)."""

    IMAGE_BUCKET = "IMAGE_BUCKET"
    JOBS_TABLE = "JOBS_TABLE"
    JOBS_QUEUE_URL = "JOBS_QUEUE_URL"
    EVENT_BUS_NAME = "EVENT_BUS_NAME"
    EVENT_SOURCE = "EVENT_SOURCE"
    ENABLED_MODELS = "ENABLED_MODELS"
    ENABLED_OPERATIONS = "ENABLED_OPERATIONS"
    BEDROCK_REGION = "BEDROCK_REGION"
    MODEL_ID_PREFIX = "MODEL_ID_PREFIX"
    PRESIGN_EXPIRY_SECONDS = "PRESIGN_EXPIRY_SECONDS"
    RETENTION_DAYS = "RETENTION_DAYS"
    BEDROCK_CONNECT_TIMEOUT_SECONDS = "BEDROCK_CONNECT_TIMEOUT_SECONDS"
    BEDROCK_READ_TIMEOUT_SECONDS = "BEDROCK_READ_TIMEOUT_SECONDS"
    BEDROCK_MAX_ATTEMPTS = "BEDROCK_MAX_ATTEMPTS"
    BEDROCK_RETRY_MODE = "BEDROCK_RETRY_MODE"
    MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT"
    RETRY_BACKOFF_SECONDS = "RETRY_BACKOFF_SECONDS"
    IDEMPOTENCY_TTL_SECONDS = "IDEMPOTENCY_TTL_SECONDS"
    CORS_ALLOW_ORIGINS = "CORS_ALLOW_ORIGINS"
    # Powertools' own
    POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
    POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
    POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
    # pydantic's: the functions use no pydantic plugin, so none is looked for among the installed
    # packages' entry points (a scan of every distribution at the first model a cold start builds).
    PYDANTIC_DISABLE_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


# Where things live in the bucket. The service writes only under images/, results/ and inputs/
# (the images of an API job's request); a JSON request put under requests/ is a job. Nothing the
# service writes can trigger it again. Callers upload images under uploads/ (POST /uploads); S3
# drops and events name images under uploads/ or inputs/.
IMAGES_PREFIX = "images/"
RESULTS_PREFIX = "results/"
REQUESTS_PREFIX = "requests/"
REQUEST_SUFFIX = ".json"
UPLOADS_PREFIX = "uploads/"
INPUTS_PREFIX = "inputs/"
# The user metadata of an upload that names its owner (x-amz-meta-owner).
UPLOAD_OWNER_METADATA = "owner"

# The jobs table's index of API jobs by owner, newest first (GET /jobs): sparse, as only API jobs
# have an owner. Partition key owner, sort key created_at (ISO 8601 UTC, which sorts by time).
OWNER_INDEX = "by-owner"
OWNER_INDEX_PARTITION_KEY = "owner"
OWNER_INDEX_SORT_KEY = "created_at"

# EventBridge: what other applications put on the bus, and what the service answers with.
REQUESTED_DETAIL_TYPE = "ImageGenerationRequested"
COMPLETED_DETAIL_TYPE = "ImageGenerationCompleted"
FAILED_DETAIL_TYPE = "ImageGenerationFailed"
# The source of the service's own events (rules matching requests exclude it).
EVENT_SOURCE = "imagegen"

NO_PYDANTIC_PLUGINS = "__all__"

# Powertools: the service name (a dimension of every metric) and the namespace of its metrics.
SERVICE_NAME = "imagegen"
METRICS_NAMESPACE = "ImageGeneration"

# Request headers a browser may send (CORS preflight), and response headers it may read.
CORS_ALLOW_HEADERS: tuple[str, ...] = (
    "Content-Type",
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
    "X-Api-Key",
    "Idempotency-Key",
)
CORS_EXPOSE_HEADERS: tuple[str, ...] = ("Retry-After",)
# How long a browser may keep a preflight answer (API Gateway answers it when deployed).
CORS_MAX_AGE_SECONDS = 3600

# The functions' entry points, as Lambda's handler setting names them.
API_HANDLER = "imagegen.handlers.api.lambda_handler"
WORKER_HANDLER = "imagegen.handlers.worker.lambda_handler"
