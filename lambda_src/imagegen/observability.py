"""Powertools Logger, Tracer and Metrics shared by every module (configured by POWERTOOLS_* env vars)."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# An invocation that records no metric (a health check) is normal here, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
