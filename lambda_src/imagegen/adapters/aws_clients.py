"""AWS clients for the adapters, created from botocore's session (the clients boto3 hands
out are these same botocore clients). Not importing boto3 keeps its transfer manager
(s3transfer, tens of milliseconds) out of every cold start."""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.config import Config


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def create_client(service: str, config: Config, *, region_name: str | None = None) -> Any:
    """A client configured like boto3's: region (unless given), credentials and AWS_ENDPOINT_URL_*
    from the environment."""
    return _session().create_client(service, region_name=region_name, config=config)


def reset() -> None:
    _session.cache_clear()
