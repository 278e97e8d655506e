"""Sending one request on to the API (or to S3 for an upload relay) and bringing back only what
the page needs: the status, the body and a few headers. Nothing the server adds on the way out
(the signature, the credentials it is made from) can come back to the browser, because only the
headers named here ever do."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

from imagegen_client.playground.signing import RequestSigner

# What the page sends that the API reads; everything else (cookies, the browser's own headers)
# stays here.
REQUEST_HEADERS = ("Content-Type", "Accept", "Idempotency-Key")
# What the page reads from an answer.
RESPONSE_HEADERS = ("Content-Type", "Retry-After", "x-amzn-RequestId", "x-amzn-ErrorType")
UPSTREAM_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def error_answer(status: HTTPStatus, code: str, message: str) -> Answer:
    """An answer in the API's own error shape, so the page shows the playground's failures as it
    shows the API's."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Answer(int(status), {"Content-Type": "application/json"}, body)


def send(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    signer: RequestSigner | None = None,
    timeout: float = UPSTREAM_TIMEOUT_SECONDS,
) -> Answer:
    """`method url` with `headers` and `body`, signed by `signer` when there is one. A connection
    that fails or times out is answered in the error shape (502, 504), never raised."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return error_answer(HTTPStatus.BAD_GATEWAY, "bad_upstream_url", f"Cannot forward to {url!r}")
    if signer is not None:
        headers = signer.sign(method, url, headers, body)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, target, body=body if body or method not in ("GET", "HEAD", "DELETE") else None,
                           headers=headers)  # fmt: skip
        response = connection.getresponse()
        content = response.read()
    except TimeoutError:
        return error_answer(HTTPStatus.GATEWAY_TIMEOUT, "upstream_timeout", f"{parts.netloc} did not answer in time")
    except OSError as exc:
        return error_answer(HTTPStatus.BAD_GATEWAY, "upstream_unreachable", f"Could not reach {parts.netloc}: {exc}")
    finally:
        connection.close()
    kept = {name: value for name in RESPONSE_HEADERS if (value := response.getheader(name)) is not None}
    return Answer(response.status, kept, content)
