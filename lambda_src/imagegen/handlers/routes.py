"""The API's paths and the methods each answers; a known path asked with another is a 405."""

from __future__ import annotations

import re

from imagegen.models.operations import OPERATIONS

IMAGES, JOBS, JOB, HEALTH, OPENAPI = "/images", "/jobs", "/jobs/<job_id>", "/health", "/openapi.json"
UPLOADS = "/uploads"
JOB_ID_MAX_LENGTH = 128
METHODS: dict[str, tuple[str, ...]] = {
    **{operation.path: ("POST",) for operation in OPERATIONS.values()},
    JOBS: ("GET", "POST"),
    JOB: ("GET",),
    UPLOADS: ("POST",),
    HEALTH: ("GET",),
    OPENAPI: ("GET",),
}
_PATTERNS = {path: re.compile("^" + re.sub(r"<\w+>", "[^/]+", path) + "$") for path in METHODS}


def allowed_methods(path: str) -> tuple[str, ...] | None:
    """The methods a known path answers to, or None for an unknown path."""
    return next((METHODS[known] for known, pattern in _PATTERNS.items() if pattern.match(path)), None)


def openapi_path(path: str) -> str:
    """/jobs/<job_id> -> /jobs/{job_id}"""
    return re.sub(r"<(\w+)>", r"{\1}", path)
