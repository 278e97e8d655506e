"""HTTP layer: Bedrock Runtime's wire protocol plus the /_emulator control endpoints."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from .auth import check_authorization
from .errors import BedrockError, validation_error
from .faults import ControlError, EmulatorState, parse_fault, parse_latency
from .invoke import invoke_model

logger = logging.getLogger("offline.bedrock_emulator")

# InvokeModel's documented body limit ("Length Constraints: ... Maximum length of 25000000"),
# enforced as AWS enforces a member's length constraint: a 400 ValidationException in AWS's
# constraint wording (the answer Bedrock Runtime gives for an oversized body), not a 413.
MAX_BODY_BYTES = 25_000_000
BODY_TOO_LONG = (
    "1 validation error detected: Value at 'body' failed to satisfy constraint: "
    f"Member must have length less than or equal to {MAX_BODY_BYTES}"
)
# A body over the limit but under this is read and dropped before answering, so the client
# (still sending) gets the answer rather than a reset connection, and the connection stays
# usable; a larger declared length is refused unread and the connection closed.
_MAX_DRAINED_BYTES = 64_000_000
_DRAIN_CHUNK = 1 << 20
_INVOKE_PREFIX, _INVOKE_SUFFIX = "/model/", "/invoke"
_MIN_INVOKE_PATH = len(_INVOKE_PREFIX) + len(_INVOKE_SUFFIX)

ControlAction = Callable[[EmulatorState, bytes], tuple[int, dict[str, Any]]]


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise ControlError("The body is not valid JSON.") from None


def _arm_fault(state: EmulatorState, raw: bytes) -> tuple[int, dict[str, Any]]:
    state.arm(*parse_fault(_json(raw)))
    return 200, state.controls()


def _set_latency(state: EmulatorState, raw: bytes) -> tuple[int, dict[str, Any]]:
    state.set_latency(parse_latency(_json(raw)))
    return 200, state.controls()


def _reset(state: EmulatorState, raw: bytes) -> tuple[int, dict[str, Any]]:
    state.reset()
    return 200, state.controls()


CONTROL_ROUTES: dict[str, dict[str, ControlAction]] = {
    "/_emulator/faults": {"POST": _arm_fault, "DELETE": _reset, "GET": lambda state, _: (200, state.controls())},
    "/_emulator/latency": {"POST": _set_latency, "GET": lambda state, _: (200, state.controls())},
    "/_emulator/invocations": {"GET": lambda state, _: (200, state.invocations())},
    "/_emulator/health": {"GET": lambda state, _: (200, {"status": "ok"})},
}


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Serves each connection on a daemon thread and can cut open keep-alive connections on stop."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: EmulatorState, stopping: threading.Event) -> None:
        self.state = state
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, EmulatorRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock handler threads waiting on idle pooled connections."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        # A client that hung up (e.g. after its read timeout) is normal, not a server fault.
        if isinstance(error, ConnectionError | TimeoutError):
            return
        logger.error("Unexpected error serving %s", client_address, exc_info=error)


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive because botocore pools its connections."""

    protocol_version = "HTTP/1.1"
    server_version = "BedrockRuntimeEmulator"
    # Idle pooled connections are dropped after this; urllib3 reconnects transparently.
    timeout = 120
    # Headers and body go out in two writes: without this, Nagle plus the client's
    # delayed ACK adds ~40 ms to every small answer.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, unknown method) as JSON too."""
        self.close_connection = True
        self._send_json(code, {"message": message or HTTPStatus(code).phrase})

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_bedrock_error(self, error: BedrockError, headers: dict[str, str] | None = None) -> None:
        self._send_json(error.status, error.body(), {"x-amzn-ErrorType": error.header(), **(headers or {})})

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise validation_error("Chunked request bodies are not supported; send Content-Length.")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise validation_error("The Content-Length header is not a valid length.")
        if length > MAX_BODY_BYTES:
            if length > _MAX_DRAINED_BYTES:
                # The body stays unread, so this connection cannot carry another request.
                self.close_connection = True
            else:
                self._drain(length)
            raise validation_error(BODY_TOO_LONG)
        return self.rfile.read(length) if length else b""

    def _drain(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, _DRAIN_CHUNK))
            if not chunk:
                self.close_connection = True
                return
            length -= len(chunk)

    def _dispatch(self) -> None:
        try:
            path = urlsplit(self.path).path
            raw = self._read_body()
            if path.startswith(_INVOKE_PREFIX) and path.endswith(_INVOKE_SUFFIX) and len(path) > _MIN_INVOKE_PATH:
                self._invoke(path, raw)
            elif path in CONTROL_ROUTES:
                self._control(CONTROL_ROUTES[path], raw)
            else:
                raise BedrockError("UnknownOperationException", f"No operation matches {self.command} {path}.")
        except BedrockError as error:
            self._send_bedrock_error(error)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away mid-request
        except Exception:
            logger.exception("Unexpected error answering %s %s", self.command, self.path)
            self._send_bedrock_error(
                BedrockError("InternalServerException", "The emulator failed to process the request.")
            )

    def _method_not_allowed(self, allowed: list[str]) -> None:
        error = BedrockError("UnknownOperationException", f"{self.command} is not allowed here.", status=405)
        self._send_bedrock_error(error, {"Allow": ", ".join(allowed)})

    def _invoke(self, path: str, raw: bytes) -> None:
        if self.command != "POST":
            self._method_not_allowed(["POST"])
            return
        region = check_authorization(self.headers.get("Authorization"))
        # botocore percent-encodes the whole id (":" as %3A, "/" in ARNs as %2F).
        model_identifier = unquote(path[len(_INVOKE_PREFIX) : -len(_INVOKE_SUFFIX)])
        answer = invoke_model(self.server.state, model_identifier, region, raw, self.server.stopping.wait)
        self._send_json(200, answer.body, answer.headers)

    def _control(self, actions: dict[str, ControlAction], raw: bytes) -> None:
        action = actions.get(self.command)
        if action is None:
            self._method_not_allowed(sorted(actions))
            return
        try:
            status, payload = action(self.server.state, raw)
        except ControlError as error:
            status, payload = 400, {"message": str(error)}
        self._send_json(status, payload)

    # Every method goes through one router, so unsupported ones get a JSON 404/405.
    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch
