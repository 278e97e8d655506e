"""HTTP to the API: authentication (SigV4 with botocore's own signer, an API key, or none) and
retries of the answers worth retrying (429 and 503, after the Retry-After they name).

Only 429 and 503 are retried: both mean nothing was generated, so a retried POST cannot pay
twice. Any other 4xx is the caller's to fix, and a 502 or 504 may follow a model call that ran."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from imagegen_client.errors import AuthError, ConnectionFailedError, error_from_response, parse_retry_after

AuthMode = Literal["sigv4", "api_key", "none"]
RETRIED_STATUSES = frozenset({429, 503})
# Headers the signature covers besides the host and X-Amz-Date: those the API reads. Others
# (User-Agent, Connection, ...) may be rewritten on the way without breaking the signature.
_SIGNED_HEADERS = ("content-type", "idempotency-key")


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` attempts; between two, the answer's Retry-After (plus a little
    jitter, so that throttled clients do not come back in step), else exponential backoff with full
    jitter. No wait is longer than `max_delay`: a Retry-After beyond it ends the retries instead."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, retry: int, retry_after: float | None, rand: Callable[[], float]) -> float | None:
        """Seconds to wait before retry number `retry` (0 for the first), or None to give up."""
        if retry_after is not None:
            if retry_after > self.max_delay:
                return None
            return min(self.max_delay, retry_after + rand() * self.base_delay)
        return min(self.max_delay, self.base_delay * 2.0**retry) * rand()


def pause(seconds: float) -> None:
    """Waits between two attempts. Looked up when a Transport is made, so tests can record the waits."""
    time.sleep(seconds)


def sigv4_headers(
    credentials: ReadOnlyCredentials, region: str, method: str, url: str, body: bytes, headers: Mapping[str, str]
) -> dict[str, str]:
    """The headers that sign this request for API Gateway (service execute-api), as botocore's
    own signer computes them: Authorization, X-Amz-Date and, for temporary credentials, the token."""
    signed = {name: value for name, value in headers.items() if name.lower() in _SIGNED_HEADERS}
    request = AWSRequest(method=method, url=url, data=body, headers=signed)
    SigV4Auth(credentials, "execute-api", region).add_auth(request)
    return {
        name: value
        for name, value in request.headers.items()
        if name.lower() in ("authorization", "x-amz-date", "x-amz-security-token")
    }


class Transport:
    """Sends requests to one API and turns error answers into ImageGenError exceptions."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: AuthMode,
        region: str,
        credentials: Callable[[], ReadOnlyCredentials | None],
        api_key: str | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] = random.random,
    ):
        if auth == "api_key" and not api_key:
            raise AuthError(None, "no_api_key", "auth api_key needs an API key (--api-key or IMAGEGEN_API_KEY)")
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.region = region
        self._credentials = credentials
        self.api_key = api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.http = http or requests.Session()
        self._sleep = sleep or pause
        self._rand = rand

    def prepare(
        self,
        method: str,
        path: str,
        *,
        document: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.PreparedRequest:
        """The request as it goes out, signed: the signature covers the final URL and body."""
        all_headers = dict(headers or {})
        body = None
        if document is not None:
            body = json.dumps(document).encode()
            all_headers["Content-Type"] = "application/json"
        if self.auth == "api_key":
            all_headers["x-api-key"] = self.api_key or ""
        query = {name: value for name, value in (params or {}).items() if value is not None}
        prepared = requests.Request(
            method, self.base_url + path, headers=all_headers, params=query, data=body
        ).prepare()
        if self.auth == "sigv4":
            credentials = self._credentials()
            if credentials is None:
                raise AuthError(
                    None,
                    "no_credentials",
                    "No AWS credentials found in the standard chain (environment, profile, SSO, instance role); "
                    "configure them, or use --auth api-key or --auth none",
                )
            assert prepared.url is not None and prepared.method is not None
            prepared.headers.update(
                sigv4_headers(credentials, self.region, prepared.method, prepared.url, body or b"", all_headers)
            )
        return prepared

    def request(
        self,
        method: str,
        path: str,
        *,
        document: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """The successful answer; an error answer is raised once the retries are spent."""
        retry = 0
        while True:
            # Signed afresh on each attempt: a signature is valid for a few minutes only.
            prepared = self.prepare(method, path, document=document, params=params, headers=headers)
            try:
                response = self.http.send(prepared, timeout=self.timeout)
            except requests.Timeout as exc:
                raise ConnectionFailedError(None, "timeout", f"{method} {path}: no answer in {self.timeout} s") from exc
            except requests.ConnectionError as exc:
                raise ConnectionFailedError(
                    None, "connection_failed", f"Cannot reach {self.base_url}: {exc.__class__.__name__}"
                ) from exc
            if response.status_code < 400:
                return response
            error = error_from_response(response.status_code, response.headers, response.content)
            if response.status_code not in RETRIED_STATUSES or retry + 1 >= self.retry.max_attempts:
                raise error
            wait = self.retry.delay(retry, parse_retry_after(response.headers.get("Retry-After")), self._rand)
            if wait is None:
                raise error
            self._sleep(wait)
            retry += 1
