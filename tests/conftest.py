"""Settings every suite shares. Powertools reads its environment when Logger, Metrics and Tracer
are created (at import, as in Lambda), so these are set before any project module is imported."""

import os

os.environ.update(
    POWERTOOLS_SERVICE_NAME="imagegen",
    POWERTOOLS_METRICS_NAMESPACE="ImageGeneration",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
